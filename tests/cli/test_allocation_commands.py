"""`zhuansheng allocation template | import | list`, end to end on a fresh world."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from zhuansheng.cli import app

runner = CliRunner()


@pytest.fixture
def world(empty_world: Path) -> Path:
    for args in (
        ["db", "upgrade"],
        ["db", "seed"],
        ["user", "add", "prov", "--role", "province_admin"],
        ["user", "add", "sc", "--role", "county", "--region", "330102"],
    ):
        out = runner.invoke(app, args)
        assert out.exit_code == 0, out.output
    return empty_world


def test_template_import_and_list(world: Path, tmp_path: Path) -> None:
    path = tmp_path / "robots.xlsx"
    out = runner.invoke(
        app, ["allocation", "template", "--year", "2022", "--target", "robots_new", "-o", str(path)]
    )
    assert out.exit_code == 0, out.output
    book = openpyxl.load_workbook(path)
    sheet = book["分解下达"]
    for k, row in enumerate(sheet.iter_rows(min_row=4)):
        row[12].value = 1400 + k  # 杭州 1400, 宁波 1401 … 丽水 1410: 15 455 ≥ 15 000
    book.save(path)

    out = runner.invoke(
        app, ["allocation", "import", str(path), "--user", "prov", "--dry-run", "-f", "json"]
    )
    assert out.exit_code == 0, out.output
    assert json.loads(out.stdout)["dry_run"] is True
    listed = runner.invoke(app, ["allocation", "list", "--year", "2022", "--format", "json"])
    assert json.loads(listed.stdout) == []  # the dry run wrote nothing

    out = runner.invoke(app, ["allocation", "import", str(path), "--user", "prov"])
    assert out.exit_code == 0 and "新增修订 11 项" in out.output
    out = runner.invoke(app, ["allocation", "import", str(path), "--user", "prov"])
    assert "未作任何修改" in out.output

    listed = runner.invoke(
        app, ["allocation", "list", "--year", "2022", "--target", "robots_new", "--format", "csv"]
    )
    rows = list(csv.DictReader(io.StringIO(listed.stdout)))
    assert [(r["region"], float(r["value"]), r["revision"]) for r in rows[:2]] == [
        ("330100", 1400.0, "1"),
        ("330200", 1401.0, "1"),
    ]
    table = runner.invoke(app, ["allocation", "list", "--year", "2022", "--format", "table"])
    assert table.exit_code == 0 and "robots_new" in table.output
    history = runner.invoke(
        app,
        ["allocation", "history", "--year", "2022", "--target", "robots_new", "--region", "330100",
         "--format", "json"],
    )  # fmt: skip
    assert history.exit_code == 0, history.output
    (only,) = json.loads(history.stdout)  # the same file twice: one revision
    assert (only["revision"], only["value"], only["recorded_by"]) == (1, 1400.0, "prov")
    assert only["source_name"] == path.name and len(only["source_sha256"]) == 64


def test_a_refused_file_exits_2_naming_row_and_column(world: Path, tmp_path: Path) -> None:
    f = tmp_path / "bad.csv"
    f.write_text("year,target,region,value\n2022,robots_new,330100,-5\n", encoding="utf-8")
    out = runner.invoke(app, ["allocation", "import", str(f), "--user", "prov"])
    assert out.exit_code == 2 and "第 2 行, 列 value" in out.output
    out = runner.invoke(app, ["allocation", "import", str(f), "--user", "prov", "-f", "json"])
    assert out.exit_code == 2
    (problem,) = json.loads(out.stdout)["problems"]
    assert (problem["row"], problem["column"]) == (2, "value")


def test_a_county_user_may_not_allocate(world: Path, tmp_path: Path) -> None:
    f = tmp_path / "c.csv"
    f.write_text("year,target,region,value\n2022,robots_new,330102,5\n", encoding="utf-8")
    out = runner.invoke(app, ["allocation", "import", str(f), "--user", "sc"])
    assert out.exit_code == 2 and "无权分解下达目标" in out.output


def test_template_for_a_year_without_programme(world: Path, tmp_path: Path) -> None:
    out = runner.invoke(
        app, ["allocation", "template", "--year", "2031", "-o", str(tmp_path / "x.xlsx")]
    )
    assert out.exit_code == 2 and "2031 年的工作要点尚未载入" in out.output
    assert not (tmp_path / "x.xlsx").exists()
    out = runner.invoke(
        app,
        [
            "allocation",
            "template",
            "--year",
            "2022",
            "--level",
            "town",
            "-o",
            str(tmp_path / "y.xlsx"),
        ],
    )
    assert out.exit_code == 2 and "层级应为 city 或 county" in out.output
