"""Importing facts files: formats, refusals (nothing written) and row/column-precise messages."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from lake_helpers import Row, snapshot, write_csv, write_parquet, write_xlsx

from zhuansheng.errors import InputRejected
from zhuansheng.lake import FACT_COLUMNS, facts, import_enterprises


def tax_by_county(lake: Path) -> dict[str, float]:
    t = facts(lake=lake)
    out = t.group_by("county_code").aggregate(tax=t.tax_wan.sum()).to_pyarrow()
    return dict(zip(out["county_code"].to_pylist(), out["tax"].to_pylist(), strict=True))


# 西湖区 330106: 12.5 + 3.0 + 14.0 + 2.5 = 32.0;  柯桥区 330603: 40.0 + 41.25 = 81.25
EXPECTED_TAX = {"330106": 32.0, "330603": 81.25}

WRITERS: dict[str, Callable[[Path, list[Row]], Path]] = {
    "csv": write_csv,
    "parquet": write_parquet,
    "xlsx": write_xlsx,
}


@pytest.mark.parametrize("kind", sorted(WRITERS))
def test_each_format_round_trips(tmp_path: Path, lake: Path, rows: list[Row], kind: str) -> None:
    path = WRITERS[kind](tmp_path / f"facts.{kind}", rows)
    result = import_enterprises(path, lake=lake)
    assert (result.rows, result.years) == (6, [2021, 2022])
    assert [p.parent.name for p in result.paths] == ["year=2021", "year=2022"]
    assert tax_by_county(lake) == EXPECTED_TAX
    got = facts(lake=lake).order_by(["year", "uscc"]).to_pyarrow().to_pylist()
    want = sorted(rows, key=lambda r: (r["year"], r["uscc"]))
    assert got == [{k: r[k] for k in FACT_COLUMNS} for r in want]


def _break(rows: list[Row], how: str) -> tuple[list[Row], list[str] | None]:
    columns = None
    if how == "uscc":
        good = rows[2]["uscc"]
        rows[2]["uscc"] = good[:-1] + ("1" if good[-1] == "0" else "0")
    elif how == "county_code":
        rows[2]["county_code"] = "330999"
    elif how == "land_mu":
        rows[2]["land_mu"] = -2.5
    elif how == "missing":
        columns = [c for c in FACT_COLUMNS if c != "tax_wan"]
    return rows, columns


@pytest.mark.parametrize(
    ("how", "row", "column", "fragment"),
    [
        ("uscc", 4, "uscc", "校验位错误，应为"),
        ("county_code", 4, "county_code", "未知的县（市、区）代码 '330999'"),
        ("land_mu", 4, "land_mu", "为负数"),
        ("missing", 1, "tax_wan", "缺少必填列 'tax_wan'"),
    ],
)
@pytest.mark.parametrize("lake_state", ["empty", "populated"])
def test_refused_file_names_row_and_column_and_writes_nothing(
    tmp_path: Path,
    lake: Path,
    rows: list[Row],
    how: str,
    row: int,
    column: str,
    fragment: str,
    lake_state: str,
) -> None:
    if lake_state == "populated":
        import_enterprises(write_csv(tmp_path / "v1.csv", rows), lake=lake)
    before = snapshot(lake)
    broken, columns = _break([dict(r) for r in rows], how)
    path = write_csv(tmp_path / "bad.csv", broken, columns)
    with pytest.raises(InputRejected) as exc:
        import_enterprises(path, lake=lake)
    errors = [p for p in exc.value.problems if p.level == "error"]
    assert [(p.row, p.column) for p in errors] == [(row, column)]
    assert fragment in errors[0].message
    assert f"第 {row} 行" in str(exc.value) and f"列 {column}" in str(exc.value)
    assert "未写入任何数据" in str(exc.value)
    assert snapshot(lake) == before


def test_expected_check_character_is_named(tmp_path: Path, lake: Path, rows: list[Row]) -> None:
    real = rows[0]["uscc"]
    rows[0]["uscc"] = real[:-1] + ("1" if real[-1] == "0" else "0")
    with pytest.raises(InputRejected) as exc:
        import_enterprises(write_csv(tmp_path / "f.csv", rows), lake=lake)
    assert f"应为 '{real[-1]}' (check digit)" in exc.value.problems[0].message


def test_all_problems_are_collected(tmp_path: Path, lake: Path, rows: list[Row]) -> None:
    rows[0]["tax_wan"] = "约12"
    rows[1]["scale"] = "中型"
    rows[2]["industry_code"] = "5110"  # wholesale, not manufacturing
    rows[3]["year"] = 1998
    rows.append(dict(rows[4]))  # duplicate of line 6 on line 8
    with pytest.raises(InputRejected) as exc:
        import_enterprises(write_csv(tmp_path / "f.csv", rows), lake=lake)
    located = [(p.row, p.column) for p in exc.value.problems if p.level == "error"]
    assert located == [(2, "tax_wan"), (3, "scale"), (4, "industry_code"), (5, "year"),
                       (8, "uscc")]  # fmt: skip
    assert "与第 6 行重复" in exc.value.problems[-1].message
    assert not lake.exists()


def test_dry_run_writes_nothing(tmp_path: Path, lake: Path, rows: list[Row]) -> None:
    result = import_enterprises(write_csv(tmp_path / "f.csv", rows), lake=lake, dry_run=True)
    assert result.dry_run and result.rows == 6 and result.paths == []
    assert not lake.exists()


def test_synthetic_and_source_recorded(tmp_path: Path, lake: Path, rows: list[Row]) -> None:
    path = write_csv(tmp_path / "demo.csv", rows)
    result = import_enterprises(path, lake=lake, synthetic=True)
    meta = pq.read_metadata(result.paths[0]).metadata
    assert meta[b"zhuansheng.synthetic"] == b"true"
    assert meta[b"zhuansheng.source"] == b"demo.csv"
    assert meta[b"zhuansheng.sha256"].decode() == result.sha256


def test_extra_columns_warn_but_import(tmp_path: Path, lake: Path, rows: list[Row]) -> None:
    for r in rows:
        r["备注"] = "x"
    path = write_csv(tmp_path / "f.csv", rows, [*FACT_COLUMNS, "备注"])
    result = import_enterprises(path, lake=lake)
    assert [w.column for w in result.warnings] == ["备注"]
    assert result.rows == 6


def test_csv_line_numbers_survive_blank_lines(tmp_path: Path, lake: Path, rows: list[Row]) -> None:
    path = write_csv(tmp_path / "f.csv", rows)
    lines = path.read_text(encoding="utf-8").splitlines()
    lines.insert(2, "")  # a blank line 3
    lines[5] = lines[5].replace(",10.0,", ",-10.0,", 1)  # line 6 = rows[3] (land_mu 10.0)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(InputRejected) as exc:
        import_enterprises(path, lake=lake)
    (p,) = exc.value.problems
    assert (p.row, p.column) == (6, "land_mu")


def test_csv_malformed_line_is_located(tmp_path: Path, lake: Path, rows: list[Row]) -> None:
    path = write_csv(tmp_path / "f.csv", rows)
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[3] += ",extra"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(InputRejected) as exc:
        import_enterprises(path, lake=lake)
    assert exc.value.problems[0].row == 4
    assert "字段" in exc.value.problems[0].message


def test_gb18030_csv_with_chinese_headers(tmp_path: Path, lake: Path, rows: list[Row]) -> None:
    from zhuansheng.lake import COLUMNS

    path = write_csv(tmp_path / "utf8.csv", rows)
    text = path.read_text(encoding="utf-8").splitlines()
    text[0] = ",".join(f'"{c.zh}"' for c in COLUMNS)
    gbk = tmp_path / "gbk.csv"
    gbk.write_bytes(("\r\n".join(text) + "\r\n").encode("gb18030"))
    assert import_enterprises(gbk, lake=lake).rows == 6
    assert tax_by_county(lake) == EXPECTED_TAX


def test_xlsx_rows_are_sheet_rows(tmp_path: Path, lake: Path, rows: list[Row]) -> None:
    rows[4]["land_mu"] = -1.0
    path = write_xlsx(tmp_path / "f.xlsx", rows, sheet="2022年")
    with pytest.raises(InputRejected) as exc:
        import_enterprises(path, lake=lake, sheet="2022年")
    (p,) = exc.value.problems
    assert (p.row, p.column, p.sheet) == (6, "land_mu", "2022年")


def test_xlsx_unknown_sheet(tmp_path: Path, lake: Path, rows: list[Row]) -> None:
    path = write_xlsx(tmp_path / "f.xlsx", rows)
    with pytest.raises(InputRejected, match="找不到工作表"):
        import_enterprises(path, lake=lake, sheet="Sheet9")


def test_text_file_named_xlsx(tmp_path: Path, lake: Path, rows: list[Row]) -> None:
    fake = tmp_path / "facts.xlsx"
    write_csv(fake, rows)
    with pytest.raises(InputRejected) as exc:
        import_enterprises(fake, lake=lake)
    assert "内容是文本文件" in str(exc.value)
    assert not lake.exists()


def test_xlsx_named_csv(tmp_path: Path, lake: Path, rows: list[Row]) -> None:
    real = write_xlsx(tmp_path / "f.xlsx", rows)
    named = tmp_path / "f.csv"
    named.write_bytes(real.read_bytes())
    with pytest.raises(InputRejected, match="Excel"):
        import_enterprises(named, lake=lake)


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".parquet"])
def test_empty_file(tmp_path: Path, lake: Path, suffix: str) -> None:
    path = tmp_path / f"empty{suffix}"
    path.write_bytes(b"")
    with pytest.raises(InputRejected, match="文件为空"):
        import_enterprises(path, lake=lake)


def test_header_only_csv(tmp_path: Path, lake: Path) -> None:
    path = write_csv(tmp_path / "f.csv", [])
    with pytest.raises(InputRejected, match="没有数据行"):
        import_enterprises(path, lake=lake)


def test_truncated_parquet(tmp_path: Path, lake: Path, rows: list[Row]) -> None:
    path = write_parquet(tmp_path / "f.parquet", rows)
    path.write_bytes(path.read_bytes()[:100])
    with pytest.raises(InputRejected, match="不完整"):
        import_enterprises(path, lake=lake)


@pytest.mark.parametrize(("name", "fragment"), [("f.xls", ".xlsx"), ("f.txt", "不支持")])
def test_unsupported_types(tmp_path: Path, lake: Path, name: str, fragment: str) -> None:
    path = tmp_path / name
    path.write_text("a,b\n", encoding="utf-8")
    with pytest.raises(InputRejected, match=fragment):
        import_enterprises(path, lake=lake)


@pytest.mark.parametrize("kind", sorted(WRITERS))
def test_a_control_character_in_a_text_cell_is_refused(
    tmp_path: Path, lake: Path, rows: list[Row], kind: str
) -> None:
    many = [dict(r, year=2000 + i % 20) for i, r in enumerate(rows * 40)]  # over 4 KB
    many[-1]["name"] = "演示·A\x00B"
    path = WRITERS[kind](tmp_path / f"facts.{kind}", many)
    with pytest.raises(InputRejected) as err:
        import_enterprises(path, lake=lake)
    (problem,) = err.value.problems
    first = 1 if kind == "parquet" else 2
    assert (problem.row, problem.column) == (first + len(many) - 1, "B")
    assert "NUL" in problem.message and "name" in problem.where
    assert snapshot(lake) == {}
