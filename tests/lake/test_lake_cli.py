"""``zhuansheng import enterprises`` and ``zhuansheng lake info``: thin commands over the API."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
import typer
from lake_helpers import Row, snapshot, write_csv
from typer.testing import CliRunner

from zhuansheng.cli import app as root_app
from zhuansheng.cli import lake as lake_cli
from zhuansheng.cli import main

runner = CliRunner()
# `zhuansheng lake` mounted the way cli/__init__.py is expected to register it.
lake_root = typer.Typer()
lake_root.add_typer(lake_cli.app, name="lake")


def run_import(*args: str):
    return runner.invoke(root_app, ["import", "enterprises", *args])


def test_import_prints_rows_years_and_partitions(tmp_path: Path, lake: Path, rows: list[Row]):
    path = write_csv(tmp_path / "f.csv", rows)
    result = run_import(str(path), "--lake", str(lake))
    assert result.exit_code == 0, result.output
    assert "6 行" in result.output and "2021、2022" in result.output
    assert "year=2022" in result.output


def test_import_json_output(tmp_path: Path, lake: Path, rows: list[Row]) -> None:
    path = write_csv(tmp_path / "f.csv", rows)
    args = [str(path), "--lake", str(lake), "--synthetic", "-f", "json"]
    result = run_import(*args)
    out = json.loads(result.stdout)
    assert out["ok"] and out["rows"] == 6 and out["synthetic"] and len(out["paths"]) == 2


def test_dry_run(tmp_path: Path, lake: Path, rows: list[Row]) -> None:
    path = write_csv(tmp_path / "f.csv", rows)
    result = run_import(str(path), "--lake", str(lake), "--dry-run")
    assert result.exit_code == 0 and "未写入" in result.output
    assert not lake.exists()


def test_refusal_json_lists_problems(tmp_path: Path, lake: Path, rows: list[Row]) -> None:
    rows[1]["land_mu"] = -1
    path = write_csv(tmp_path / "f.csv", rows)
    result = run_import(str(path), "--lake", str(lake), "-f", "json")
    assert result.exit_code == 2
    out = json.loads(result.stdout)
    assert not out["ok"]
    assert [(p["row"], p["column"]) for p in out["problems"]] == [(3, "land_mu")]


def test_refusal_through_main_exits_2_with_message(
    tmp_path: Path, lake: Path, rows: list[Row], monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    rows[0]["county_code"] = "110101"  # Beijing
    path = write_csv(tmp_path / "f.csv", rows)
    before = snapshot(lake)
    monkeypatch.setattr(
        sys, "argv", ["zhuansheng", "import", "enterprises", str(path), "--lake", str(lake)]
    )
    with pytest.raises(SystemExit) as exc:
        main()
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "第 2 行, 列 county_code" in " ".join(err.split())
    assert snapshot(lake) == before


def test_lake_info(tmp_path: Path, lake: Path, rows: list[Row]) -> None:
    run_import(str(write_csv(tmp_path / "f.csv", rows)), "--lake", str(lake), "--synthetic")
    result = runner.invoke(lake_root, ["lake", "info", "--lake", str(lake), "-f", "json"])
    assert result.exit_code == 0, result.output
    parts = json.loads(result.stdout)
    assert [(p["year"], p["rows"], p["synthetic"], p["source"]) for p in parts] == [
        (2021, 3, True, "f.csv"),
        (2022, 3, True, "f.csv"),
    ]
