"""Writing the lake atomically and reading it back through Ibis/DuckDB."""

from __future__ import annotations

import os
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from lake_helpers import Row, snapshot

from zhuansheng.errors import InputRejected, ZhuanshengError
from zhuansheng.lake import CONTRACT_VERSION, connect, facts, lake_info, write_facts
from zhuansheng.lake.store import LakeError


def test_write_then_read_round_trip(lake: Path, rows: list[Row]) -> None:
    paths = write_facts(pa.Table.from_pylist(rows), lake=lake, source="t.csv", sha256="ab" * 32)
    assert paths == [
        lake / "enterprise_facts" / "year=2021" / "part-0.parquet",
        lake / "enterprise_facts" / "year=2022" / "part-0.parquet",
    ]
    # year lives in the path, not in the file
    assert "year" not in pq.read_schema(paths[0]).names

    t = facts(lake=lake)
    by_county = t.group_by("county_code").aggregate(tax=t.tax_wan.sum()).to_pyarrow()
    got = dict(zip(by_county["county_code"].to_pylist(), by_county["tax"].to_pylist(), strict=True))
    # 西湖区 330106: 12.5 + 3.0 (2021) + 14.0 + 2.5 (2022) = 32.0
    # 柯桥区 330603: 40.0 (2021) + 41.25 (2022) = 81.25
    assert got == {"330106": 32.0, "330603": 81.25}

    by_year = t.group_by("year").aggregate(n=t.count()).order_by("year").to_pyarrow()
    assert by_year.to_pylist() == [{"year": 2021, "n": 3}, {"year": 2022, "n": 3}]
    assert t.schema()["year"].is_int32()
    assert list(t.columns)[:6] == ["uscc", "name", "county_code", "industry_code", "scale", "year"]

    one = facts(lake=lake, years=[2022]).to_pyarrow().sort_by("uscc")
    want = sorted((r for r in rows if r["year"] == 2022), key=lambda r: r["uscc"])
    for column in ("uscc", "name", "land_mu", "tax_wan", "value_added_wan", "pollutant_t"):
        assert one[column].to_pylist() == [r[column] for r in want]


def test_provenance_metadata(lake: Path, rows: list[Row]) -> None:
    (path, _) = write_facts(
        pa.Table.from_pylist(rows), lake=lake, source="demo", sha256="cd" * 32, synthetic=True
    )
    meta = {k.decode(): v.decode() for k, v in pq.read_metadata(path).metadata.items()}
    assert meta["zhuansheng.source"] == "demo"
    assert meta["zhuansheng.sha256"] == "cd" * 32
    assert meta["zhuansheng.synthetic"] == "true"
    assert meta["zhuansheng.contract_version"] == CONTRACT_VERSION
    assert meta["zhuansheng.written_at"].endswith("+00:00")
    info = lake_info(lake)
    assert [(i.year, i.rows, i.synthetic) for i in info] == [(2021, 3, True), (2022, 3, True)]


def test_sha256_defaults_to_the_table_hash(lake: Path, rows: list[Row]) -> None:
    (path, _) = write_facts(pa.Table.from_pylist(rows), lake=lake, source="mem")
    meta = pq.read_metadata(path).metadata
    assert len(meta[b"zhuansheng.sha256"]) == 64
    assert meta[b"zhuansheng.synthetic"] == b"false"


def test_invalid_table_writes_nothing(lake: Path, rows: list[Row]) -> None:
    write_facts(pa.Table.from_pylist(rows), lake=lake, source="first")
    before = snapshot(lake)
    rows[0]["county_code"] = "999999"
    with pytest.raises(InputRejected) as exc:
        write_facts(pa.Table.from_pylist(rows), lake=lake, source="second")
    assert exc.value.problems[0].column == "county_code"
    assert snapshot(lake) == before


def test_reimport_replaces_the_year_and_keeps_the_old_one(lake: Path, rows: list[Row]) -> None:
    write_facts(pa.Table.from_pylist(rows), lake=lake, source="v1")
    old = (lake / "enterprise_facts" / "year=2022" / "part-0.parquet").read_bytes()
    v2 = [dict(r, tax_wan=r["tax_wan"] + 1) for r in rows if r["year"] == 2022]
    write_facts(pa.Table.from_pylist(v2), lake=lake, source="v2")

    (kept,) = (lake / "_superseded" / "enterprise_facts" / "year=2022").iterdir()
    assert (kept / "part-0.parquet").read_bytes() == old
    assert not (lake / "_superseded" / "enterprise_facts" / "year=2021").exists()  # untouched
    t = facts(lake=lake)
    total = t.filter(t.year == 2022).tax_wan.sum().to_pyarrow().as_py()
    assert total == pytest.approx(14.0 + 2.5 + 41.25 + 3)
    assert facts(lake=lake, years=[2021]).count().to_pyarrow().as_py() == 3
    assert [i.superseded_versions for i in lake_info(lake)] == [0, 1]


def test_failure_mid_write_leaves_previous_partition(
    lake: Path, rows: list[Row], monkeypatch: pytest.MonkeyPatch
) -> None:
    write_facts(pa.Table.from_pylist(rows), lake=lake, source="v1")
    before = snapshot(lake)
    v2 = [dict(r, tax_wan=99.0) for r in rows] + [dict(rows[0], year=2020)]

    def broken_replace(src: object, dst: object) -> None:
        raise OSError("disk full (injected)")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(LakeError, match="injected"):
        write_facts(pa.Table.from_pylist(v2), lake=lake, source="v2")
    monkeypatch.undo()

    assert snapshot(lake) == before  # no temp file, no new year=2020 dir, no _superseded entry
    t = facts(lake=lake)
    assert t.tax_wan.max().to_pyarrow().as_py() == 41.25


def test_failure_in_a_later_year_rolls_back_earlier_years(
    lake: Path, rows: list[Row], monkeypatch: pytest.MonkeyPatch
) -> None:
    write_facts(pa.Table.from_pylist(rows), lake=lake, source="v1")
    before = snapshot(lake)
    real_replace = os.replace

    def fail_for_2022(src: os.PathLike[str], dst: os.PathLike[str]) -> None:
        if "year=2022" in str(dst) and str(dst).endswith("part-0.parquet"):
            raise OSError("injected failure for 2022")
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", fail_for_2022)
    v2 = [dict(r, tax_wan=99.0) for r in rows]
    with pytest.raises(LakeError):
        write_facts(pa.Table.from_pylist(v2), lake=lake, source="v2")
    monkeypatch.undo()
    # 2021 had already been replaced when 2022 failed: it is back to v1, byte for byte.
    assert snapshot(lake) == before


def test_reader_never_sees_temporary_files(lake: Path, rows: list[Row]) -> None:
    write_facts(pa.Table.from_pylist(rows), lake=lake, source="v1")
    junk = lake / "enterprise_facts" / "year=2022" / ".part-0.parquet.abc.tmp"
    junk.write_bytes(b"PAR1 half a file")
    assert facts(lake=lake).count().to_pyarrow().as_py() == 6


def test_facts_on_an_empty_lake_is_a_clear_error(lake: Path) -> None:
    with pytest.raises(ZhuanshengError, match="还没有企业数据"):
        facts(lake=lake)


def test_facts_for_a_missing_year(lake: Path, rows: list[Row]) -> None:
    write_facts(pa.Table.from_pylist(rows), lake=lake, source="v1")
    with pytest.raises(ZhuanshengError, match="2019"):
        facts(lake=lake, years=[2019, 2021])


def test_default_lake_comes_from_settings(
    tmp_path: Path, rows: list[Row], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ZHUANSHENG_LAKE", str(tmp_path / "envlake"))
    write_facts(pa.Table.from_pylist(rows), source="env")
    assert (tmp_path / "envlake" / "enterprise_facts" / "year=2021" / "part-0.parquet").is_file()
    assert facts().count().to_pyarrow().as_py() == 6


def test_duckdb_never_downloads_extensions() -> None:
    con = connect()
    settings = dict(
        con.raw_sql(
            "SELECT name, value FROM duckdb_settings() WHERE name IN "
            "('autoinstall_known_extensions', 'autoload_known_extensions')"
        ).fetchall()
    )
    assert settings == {
        "autoinstall_known_extensions": "false",
        "autoload_known_extensions": "false",
    }
    # An explicit INSTALL fails at once instead of waiting on the network.
    with pytest.raises(Exception, match=r"(?i)install|extension"):
        con.raw_sql("INSTALL spatial")


def test_facts_accepts_a_given_connection(lake: Path, rows: list[Row]) -> None:
    write_facts(pa.Table.from_pylist(rows), lake=lake, source="v1")
    con = connect(threads=1)
    a = facts(con, lake=lake, years=[2021])
    b = facts(con, lake=lake, years=[2022])
    assert (a.count().to_pyarrow().as_py(), b.count().to_pyarrow().as_py()) == (3, 3)
