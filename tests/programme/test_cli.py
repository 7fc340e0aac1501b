"""``zhuansheng programme`` through Typer's CliRunner (and ``main`` for the exit code of errors)."""

from __future__ import annotations

import csv
import io
import json
import sys
from pathlib import Path

import fastexcel
import pytest
from typer.testing import CliRunner

from zhuansheng.cli import app, main
from zhuansheng.programme.loader import DATA

runner = CliRunner()
SHIPPED = str(DATA / "2022.yaml")


def test_validate_ok():
    result = runner.invoke(app, ["programme", "validate", SHIPPED])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("OK ")
    assert "19 项任务" in result.output and "量化目标 50 个" in result.output


def test_validate_prints_one_line_per_problem_and_exits_2(write, minimal, edit):
    text = edit(minimal, "value: 15000", "value: -5")
    text = edit(
        text, "kind: count_new\n        value: 150\n", "kind: count_news\n        value: 150\n"
    )
    result = runner.invoke(app, ["programme", "validate", str(write(text))])
    assert result.exit_code == 2
    lines = result.stdout.splitlines()
    assert lines[0] == "tasks[0].targets[0].value (第 28 行): 不能为负数：-5"
    assert lines[1].startswith(
        "tasks[0].targets[2].kind (第 43 行): "
        "未知的目标类型 'count_news'，应为 count_new, count_cumulative,"
    )
    assert len(lines) == 2


def test_validate_yaml_syntax_error(write):
    result = runner.invoke(app, ["programme", "validate", str(write("year: 2022\ngoals: [\n"))])
    assert result.exit_code == 2
    assert "YAML 语法错误" in result.stdout and "第 3 行" in result.stdout


def test_show_tree():
    result = runner.invoke(app, ["programme", "show", "--year", "2022"])
    assert result.exit_code == 0, result.output
    out = result.output
    for text in (
        "一、总体要求",
        "二、重点任务",
        "三、保障措施",
        "加快企业数字化改造步伐",
        "15,000 台",
        "5,000 项以上",
        "150 家左右（±5%）",
        "60%左右（±2 个百分点）",
        "增长率",
        "tax_per_mu_growth",
    ):
        assert text in out, text


def test_show_file(write, minimal):
    result = runner.invoke(app, ["programme", "show", "--file", str(write(minimal))])
    assert result.exit_code == 0
    assert "2023年传统制造业改造提升工作要点（测试）" in result.output


def test_show_unknown_year_is_rejected():
    result = runner.invoke(app, ["programme", "show", "--year", "1999"])
    assert result.exit_code == 2
    assert "没有 1999 年的工作要点文件" in result.output


def test_export_csv_to_stdout():
    result = runner.invoke(app, ["programme", "export", "--year", "2022", "--format", "csv"])
    assert result.exit_code == 0
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert len(rows) == 64
    tax = next(r for r in rows if r["id"] == "tax_per_mu_growth")
    assert tax["clause"] == "一.(二);二.(五).14"
    robots = next(r for r in rows if r["id"] == "robots_new")
    assert (robots["value"], robots["unit"], robots["lead_units"], robots["co_units"]) == (
        "15000",
        "台",
        "省经信厅",
        "省科技厅",
    )
    assert robots["seed_text"] == "新增应用工业机器人 1.5 万台"


def test_export_json_to_file(tmp_path):
    out = tmp_path / "targets.json"
    result = runner.invoke(app, ["programme", "export", "-f", "json", "-o", str(out)])
    assert result.exit_code == 0
    rows = json.loads(out.read_text(encoding="utf-8"))
    tax = next(r for r in rows if r["id"] == "tax_per_mu_growth")
    assert tax["clause"] == ["一.(二)", "二.(五).14"]
    assert tax["source"] == "statistic" and tax["aggregation"] == "ratio"


def test_export_xlsx_reads_back(tmp_path):
    out = tmp_path / "targets.xlsx"
    result = runner.invoke(
        app, ["programme", "export", "--year", "2022", "-f", "xlsx", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    sheet = fastexcel.read_excel(out).load_sheet(0)
    table = sheet.to_arrow().to_pydict()
    assert sheet.height == 64
    i = table["id"].index("freed_energy")
    assert table["value"][i] == 1200000
    assert table["unit"][i] == "吨标煤"
    assert table["clause"][table["id"].index("tax_per_mu_growth")] == "一.(二);二.(五).14"
    assert table["task"][i] == 14


def test_export_xlsx_needs_output():
    result = runner.invoke(app, ["programme", "export", "--format", "xlsx"])
    assert result.exit_code == 2
    assert "xlsx 格式须用 -o 指定输出文件" in result.output


def test_main_prints_errors_and_exits_2(monkeypatch, capsys):
    monkeypatch.setattr(sys, "argv", ["zhuansheng", "programme", "export", "--format", "xlsx"])
    with pytest.raises(SystemExit) as caught:
        main()
    assert caught.value.code == 2
    assert "xlsx" in capsys.readouterr().err


@pytest.mark.parametrize("command", ["validate", "show", "export"])
def test_help_is_chinese_and_english(command):
    result = runner.invoke(app, ["programme", command, "--help"])
    assert result.exit_code == 0
    text = " ".join(result.output.split())
    english = {
        "validate": "Validate a programme file",
        "show": "Show the programme",
        "export": "Export every target",
    }[command]
    chinese = {
        "validate": "校验工作要点文件",
        "show": "以树形显示工作要点",
        "export": "导出全部目标",
    }
    assert english in text and chinese[command] in text


def test_a_2023_file_in_programme_dir_works_without_code_changes(programme_dir: Path, minimal):
    (programme_dir / "2023.yaml").write_text(minimal, encoding="utf-8")
    shown = runner.invoke(app, ["programme", "show", "--year", "2023"])
    assert shown.exit_code == 0 and "2023年传统制造业改造提升工作要点（测试）" in shown.output
    exported = runner.invoke(app, ["programme", "export", "--year", "2023", "-f", "json"])
    assert exported.exit_code == 0
    assert [r["id"] for r in json.loads(exported.stdout)][:1] == ["robots_new"]
    checked = runner.invoke(app, ["programme", "validate", str(programme_dir / "2023.yaml")])
    assert checked.exit_code == 0
