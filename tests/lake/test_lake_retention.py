"""Leftovers and retention: an identical re-import writes nothing, a killed write's temporary files
are removed by the next writer, and ``lake gc`` keeps the newest superseded versions."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from lake_helpers import Row, snapshot, write_csv
from typer.testing import CliRunner

from zhuansheng.cli import app
from zhuansheng.lake import gc, import_enterprises, lake_info


def superseded(lake: Path, year: int) -> list[str]:
    folder = lake / "_superseded" / "enterprise_facts" / f"year={year}"
    return sorted(d.name for d in folder.iterdir()) if folder.is_dir() else []


def test_an_identical_reimport_writes_nothing_and_says_so(
    tmp_path: Path, lake: Path, rows: list[Row]
) -> None:
    path = write_csv(tmp_path / "facts.csv", rows)
    first = import_enterprises(path, lake=lake)
    assert first.unchanged == [] and len(first.paths) == 2
    before = snapshot(lake)
    again = import_enterprises(path, lake=lake)
    assert (again.paths, again.unchanged) == ([], [2021, 2022])
    assert snapshot(lake) == before and superseded(lake, 2021) == []
    # the same rows under another file name are the same content too
    renamed = write_csv(tmp_path / "copy.csv", rows)
    assert import_enterprises(renamed, lake=lake).unchanged == [2021, 2022]
    # one year changed: only that year is written (and its old file superseded)
    rows[-1]["tax_wan"] = 99.0
    changed = import_enterprises(write_csv(tmp_path / "new.csv", rows), lake=lake)
    assert changed.unchanged == [2021] and [p.parent.name for p in changed.paths] == ["year=2022"]
    assert superseded(lake, 2021) == [] and len(superseded(lake, 2022)) == 1
    out = CliRunner().invoke(app, ["import", "enterprises", str(path), "--lake", str(lake)])
    assert out.exit_code == 0, out.output
    assert "已写入年度 2022" in out.output
    out = CliRunner().invoke(app, ["import", "enterprises", str(path), "--lake", str(lake)])
    assert "年度 2021、2022 与数据湖中现有数据相同，未写入" in out.output


def test_a_killed_writes_temporary_files_are_removed_by_the_next_writer(
    tmp_path: Path, lake: Path, rows: list[Row]
) -> None:
    import_enterprises(write_csv(tmp_path / "facts.csv", rows), lake=lake)
    left = lake / "enterprise_facts" / "year=2021" / ".part-0.parquet.0123abcd.tmp"
    left.write_bytes(b"PAR1 half a file")
    fresh_elsewhere = lake / "evaluations" / ".x.parquet.fresh.tmp"
    old_elsewhere = lake / "evaluations" / ".x.parquet.old.tmp"
    fresh_elsewhere.parent.mkdir(parents=True)
    fresh_elsewhere.write_bytes(b"being written")
    old_elsewhere.write_bytes(b"left two hours ago")
    two_hours_ago = time.time() - 7200
    os.utime(old_elsewhere, (two_hours_ago, two_hours_ago))
    rows[0]["tax_wan"] = 1.0
    import_enterprises(write_csv(tmp_path / "new.csv", rows), lake=lake)
    assert not left.exists() and not old_elsewhere.exists()
    assert fresh_elsewhere.exists()  # may belong to a write under way
    # gc finds a leftover too (a dry run only says so)
    left.write_bytes(b"again")
    (entry,) = gc(lake, dry_run=True)
    assert (entry.kind, entry.year, entry.path) == ("temporary", 2021, left) and left.exists()
    gc(lake)
    assert not left.exists()


def test_gc_keeps_the_newest_three_superseded_versions(
    tmp_path: Path, lake: Path, rows: list[Row], monkeypatch: pytest.MonkeyPatch
) -> None:
    for n in range(6):  # 6 imports: the current file and 5 superseded versions of each year
        for r in rows:
            r["tax_wan"] = 10.0 + n
        import_enterprises(write_csv(tmp_path / f"v{n}.csv", rows), lake=lake)
    versions = superseded(lake, 2022)
    assert len(versions) == 5
    current = snapshot(lake / "enterprise_facts")
    planned = gc(lake, dry_run=True)
    assert (
        sorted((e.kind, e.year) for e in planned)
        == [("superseded", 2021)] * 2 + [("superseded", 2022)] * 2
    )
    assert len(superseded(lake, 2022)) == 5  # a dry run removes nothing
    out = CliRunner().invoke(app, ["lake", "gc", "--lake", str(lake), "--format", "json"])
    assert out.exit_code == 0, out.output
    assert '"kind": "superseded"' in out.output
    assert superseded(lake, 2022) == versions[-3:] and len(superseded(lake, 2021)) == 3
    assert snapshot(lake / "enterprise_facts") == current
    assert {p.superseded_versions for p in lake_info(lake)} == {3}
    # the setting, and --keep
    monkeypatch.setenv("ZHUANSHENG_LAKE_KEEP_SUPERSEDED", "1")
    assert len(gc(lake)) == 4 and superseded(lake, 2022) == versions[-1:]
    out = CliRunner().invoke(app, ["lake", "gc", "--lake", str(lake), "--keep", "0", "--dry-run"])
    assert out.exit_code == 0 and "将删除 2 项" in out.output
    assert superseded(lake, 2022) == versions[-1:]
