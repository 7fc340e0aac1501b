"""The major-project commands end to end: import the register, its plans and actuals, list it
with filters as JSON and as a workbook, and a refused file (exit 2, row and column named)."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
from typer.testing import CliRunner

from zhuansheng.cli import app

runner = CliRunner()
HEADER = (
    "project_kind,code,name,uscc,region_code,status,started_on,completed_on,"
    "planned_investment_wan,official_in_charge,official_post,planned_start_on,"
    "planned_completion_on\n"
)


def run(*args: str) -> str:
    out = runner.invoke(app, list(args))
    assert out.exit_code == 0, out.output
    return out.stdout


def test_import_and_list_major_projects(empty_world: Path, tmp_path: Path) -> None:
    run("db", "upgrade")
    run("db", "seed")
    run("user", "add", "prov", "--role", "province_admin")
    projects = tmp_path / "p.csv"
    projects.write_text(
        HEADER + "major_project,ZD-1,甲项目,,330603,started,2022-01-05,,100000,张三,"
        "柯桥区经信局局长,2022-01-01,2024-01-01\n"
        "major_project,ZD-2,乙项目,,330106,planned,,,10000,李四,西湖区发改局局长,"
        "2022-03-01,2023-12-31\n",
        encoding="utf-8",
    )
    plans, actuals = tmp_path / "plan.csv", tmp_path / "inv.csv"
    plans.write_text("code,month,planned_wan\nZD-1,2022-01,500\nZD-1,2022-02,500\n", "utf-8")
    actuals.write_text("code,month,invested_wan\nZD-1,2022-01,300\nZD-1,2022-02,400\n", "utf-8")
    for command, path in (
        ("projects", projects),
        ("project-plans", plans),
        ("investments", actuals),
    ):
        got = json.loads(run("import", command, str(path), "--user", "prov", "--format", "json"))
        assert got["ok"] and got["written"] == 2
    listed = json.loads(run("major-projects", "--month", "2022-03", "--format", "json"))
    by_code = {r["code"]: r for r in listed}
    # ZD-1: plan 500 + 500 = 1 000, actual 300 + 400 = 700 → 30 % behind; ZD-2: start 1 March
    # passed by 31 March without a start
    assert by_code["ZD-1"]["lag_pct"] == 30.0 and by_code["ZD-1"]["warnings"] == "investment_lag"
    assert by_code["ZD-2"]["warnings"] == "start_overdue"
    assert by_code["ZD-1"]["size_class"] == "over_1bn"
    assert by_code["ZD-2"]["size_class"] == "over_100m"
    only = json.loads(
        run("major-projects", "--month", "2022-03", "--region", "330600", "--format", "json")
    )
    assert [r["code"] for r in only] == ["ZD-1"]
    book = tmp_path / "major.xlsx"
    run("major-projects", "--month", "2022-03", "--warning", "start_overdue", "-o", str(book))
    rows = list(openpyxl.load_workbook(book).active.iter_rows(values_only=True))
    assert rows[0][0] == "项目代码" and [r[0] for r in rows[1:]] == ["ZD-2"]
    bad = runner.invoke(app, ["major-projects", "--warning", "late"])
    assert bad.exit_code == 2 and "未知的预警 'late'" in bad.output
    nowhere = runner.invoke(app, ["major-projects", "--region", "999999"])
    assert nowhere.exit_code == 2 and "没有地区代码 '999999'" in nowhere.output


def test_a_refused_major_project_file_names_row_and_column(
    empty_world: Path, tmp_path: Path
) -> None:
    run("db", "upgrade")
    run("db", "seed")
    run("user", "add", "prov", "--role", "province_admin")
    f = tmp_path / "p.csv"
    f.write_text(HEADER + "major_project,ZD-1,甲,,330603,planned,,,100000,,局长,2022-01-01,"
                 "2024-01-01\n", encoding="utf-8")  # fmt: skip
    out = runner.invoke(app, ["import", "projects", str(f), "--user", "prov"])
    assert out.exit_code == 2
    assert "第 2 行, 列 official_in_charge" in out.output and "未写入任何数据" in out.output
