"""The `milestone` commands and `user add --unit`, end to end through the CLI on SQLite and
PostgreSQL: a department reports (with evidence, one at a time and by template), the province
returns and accepts, the list filters, and refusals exit 2 with a message."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
from typer.testing import CliRunner

from zhuansheng.cli import app

runner = CliRunner()
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"


def _ok(*args: str) -> str:
    out = runner.invoke(app, list(args))
    assert out.exit_code == 0, out.output
    return out.stdout


def _refused(*args: str) -> str:
    out = runner.invoke(app, list(args))
    assert out.exit_code == 2, out.output
    return " ".join(out.output.split())  # Rich wraps long messages


def _listing(*args: str) -> list[dict[str, object]]:
    return json.loads(_ok("milestone", "list", "--year", "2022", "--format", "json", *args))


def test_report_review_and_list(store_url: str, tmp_path: Path) -> None:
    _ok("db", "seed")
    _ok("user", "add", "office", "--role", "province_admin")
    _ok("user", "add", "jxt", "--role", "department", "--unit", "省经信厅", "--unit", "省科技厅")
    assert "须用 --unit 指定" in _refused("user", "add", "kjt", "--role", "department")
    assert "不属于某个地区" in _refused(
        "user", "add", "kjt", "--role", "department", "--unit", "省科技厅", "--region", "330100"
    )
    assert "未知的责任单位 '科技部'" in _refused(
        "user", "add", "kjt", "--role", "department", "--unit", "科技部"
    )
    users = json.loads(_ok("user", "list", "--format", "json"))
    assert next(u for u in users if u["username"] == "jxt")["units"] == "省经信厅、省科技厅"

    evidence = tmp_path / "会议纪要.pdf"
    evidence.write_bytes(PDF)
    out = _ok(
        "milestone", "report", "--target", "cluster_ecosystem", "--period", "2022Q1",
        "--status", "in_progress", "--text", "召开集群推进会", "--evidence", str(evidence),
        "--user", "jxt",
    )  # fmt: skip
    assert "进展报告 1：cluster_ecosystem 2022Q1 推进中，待审核，佐证文件 1 个" in out
    renamed = tmp_path / "setup.pdf"
    renamed.write_bytes(b"MZ\x90\x00" + bytes(100))
    message = _refused(
        "milestone", "report", "--target", "cluster_ecosystem", "--period", "2022Q2",
        "--status", "completed", "--text", "x", "--evidence", str(renamed), "--user", "jxt",
    )  # fmt: skip
    assert "setup.pdf" in message and "内容是二进制文件" in message
    message = _refused(
        "milestone", "report", "--target", "organisation_leadership", "--period", "2022Q1",
        "--status", "completed", "--text", "x", "--user", "jxt",
    )  # fmt: skip
    assert "无权报送其进展" in message and "牵头：省工业转型升级领导小组成员单位" in message
    _ok(
        "milestone", "report", "--target", "cluster_ecosystem", "--period", "2022Q2",
        "--status", "delayed", "--text", "进度滞后", "--user", "jxt",
    )  # fmt: skip

    assert "须说明原因" in _refused("milestone", "return", "2", "--reason", "", "--user", "office")
    assert "只有省级用户" in _refused("milestone", "accept", "1", "--user", "jxt")
    assert "已确认" in _ok("milestone", "accept", "1", "--user", "office")
    assert "已退回" in _ok("milestone", "return", "2", "--reason", "请说明原因", "--user", "office")

    rows = _listing()
    assert [(r["id"], r["review_status"], r["evidence"]) for r in rows] == [
        (2, "returned", 0),
        (1, "accepted", 1),
    ]
    assert rows[0]["return_reason"] == "请说明原因"
    assert [r["id"] for r in _listing("--status", "accepted")] == [1]
    assert [r["id"] for r in _listing("--status", "delayed")] == [2]
    bogus = _refused("milestone", "list", "--year", "2022", "--status", "bogus")
    assert "推进中（in_progress）" in bogus and "已退回（returned）" in bogus
    assert [r["id"] for r in _listing("--unit", "省经信厅")] == [2, 1]
    assert _listing("--unit", "省科技厅") == []
    csv = _ok("milestone", "list", "--year", "2022", "--format", "csv")
    assert csv.splitlines()[0].startswith("id,target,period,unit,status")
    # a number no report has, nor could have in the store's integer column, is not found
    for missing in ("3", str(2**63)):
        refused = _refused("milestone", "accept", missing, "--user", "office")
        assert f"没有编号为 {missing} 的工作任务进展报告" in refused


def test_template_and_import(store_url: str, tmp_path: Path) -> None:
    _ok("db", "seed")
    _ok("user", "add", "rcb", "--role", "department", "--unit", "省委人才办")
    blank = tmp_path / "人才办.xlsx"
    _ok("milestone", "template", "--user", "rcb", "--year", "2022", "--period", "2022-06",
        "-o", str(blank))  # fmt: skip
    # a period outside the year, or a file that would not be a workbook, is refused
    assert "不在 2022 年内" in _refused(
        "milestone", "template", "--user", "rcb", "--year", "2022", "--period", "2023Q1",
        "-o", str(tmp_path / "x.xlsx"),
    )  # fmt: skip
    assert "应以 .xlsx 结尾" in _refused(
        "milestone", "template", "--user", "rcb", "--year", "2022", "-o", str(tmp_path / "x.csv")
    )
    assert not (tmp_path / "x.xlsx").exists() and not (tmp_path / "x.csv").exists()
    wb = openpyxl.load_workbook(blank)
    sheet = wb["工作任务进展"]
    # 省委人才办 leads talent_programmes and is no co-unit of any other milestone target
    assert [r[0] for r in sheet.iter_rows(min_row=3, values_only=True)] == ["talent_programmes"]
    sheet.cell(3, 6, "已完成")
    sheet.cell(3, 7, "人才工程年度任务完成")
    filled = tmp_path / "filled.xlsx"
    wb.save(filled)
    assert "已导入 1 项进展报告" in _ok("milestone", "import", str(filled), "--user", "rcb")
    (row,) = _listing()
    assert (row["target"], row["period"], row["status"], row["unit"]) == (
        "talent_programmes",
        "2022-06",
        "completed",
        "省委人才办",
    )
