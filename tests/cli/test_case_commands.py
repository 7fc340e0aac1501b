"""`zhuansheng case …` end to end on a fresh world: a county confirms and plans, the city's
verification fails and passes; refusals exit 2 with the message and write nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

import worlds
from zhuansheng import store
from zhuansheng.cli import app
from zhuansheng.store import tables as t

runner = CliRunner()
FIRM = "91330102A00000001X"


@pytest.fixture
def world(empty_world: Path) -> Path:
    for args in (
        ["db", "upgrade"],
        ["db", "seed"],
        ["user", "add", "hz", "--role", "city", "--region", "330100"],
        ["user", "add", "sc", "--role", "county", "--region", "330102"],
    ):
        out = runner.invoke(app, args)
        assert out.exit_code == 0, out.output
    with store.session() as s:
        worlds.screening(s, [(FIRM, "上城甲厂", "330102")], [FIRM])
    return empty_world


def case(*args: str) -> dict:
    out = runner.invoke(app, ["case", *args, "--format", "json"])
    assert out.exit_code == 0, out.output
    return json.loads(out.stdout)


def refused(*args: str) -> str:
    out = runner.invoke(app, ["case", *args])
    assert out.exit_code == 2, out.output
    return out.output.replace("\n", "")  # the terminal wraps long messages


def test_case_commands(world: Path) -> None:
    with store.session() as s:
        cand = s.scalar(select(t.ScreeningCandidate.id))
    c = case("confirm", str(cand), "--measure", "upgrade", "--user", "sc")
    assert {k: c[k] for k in ("uscc", "name", "region", "year", "state", "measure")} == {
        "uscc": FIRM,
        "name": "上城甲厂",
        "region": "330102",
        "year": 2022,
        "state": "confirmed",
        "measure": "upgrade",
    }
    cid = str(c["case_id"])
    assert "当前可执行：制定方案（plan）" in refused(
        "complete", cid, "--version", "1", "--land", "1", "--energy", "1", "--user", "sc"
    )
    plan = ["plan", cid, "--version", "1", "--measure", "upgrade", "--responsible", "张三"]
    plan += ["--action", "更换电机@2099-06-30", "--land", "5", "--energy", "100", "--user", "sc"]
    planned = case(*plan)
    assert planned["state"] == "planned"
    assert planned["land_check"] == "数据湖中没有该企业的用地面积，未核对腾出用地是否超过企业用地"
    assert "已被他人修改" in refused(*plan)  # version 1 is stale now
    updated = case("update", cid, "--version", "2", "--progress", "已采购", "--user", "sc")
    assert updated["state"] == "in_progress"
    done = ["complete", cid, "--version", "3", "--land", "5", "--energy", "90", "--user", "sc"]
    assert case(*done)["state"] == "completed"
    assert "无权" in refused("verify", cid, "--version", "4", "--pass", "--user", "sc")
    failed = case("verify", cid, "--version", "4", "--fail", "--reason", "未核实", "--user", "hz")
    assert failed["state"] == "reopened"
    done[3] = "5"
    case(*done)
    assert case("verify", cid, "--version", "6", "--pass", "--user", "hz")["state"] == "verified"
    reopened = case("reopen", cid, "--version", "7", "--reason", "抽查不合格")  # the console
    assert reopened["state"] == "reopened"

    text = runner.invoke(app, ["case", "show", cid, "--user", "hz"])
    assert text.exit_code == 0 and "上城甲厂" in text.output and "可执行：" in text.output
    shown = case("show", cid, "--user", "hz")
    assert [e["to_state"] for e in shown["events"]] == [
        "confirmed", "planned", "in_progress", "completed", "reopened",
        "completed", "verified", "reopened",
    ]  # fmt: skip
    listed = case("list", "--year", "2022", "--user", "sc")
    assert [(r["case_id"], r["state"]) for r in listed] == [(int(cid), "reopened")]
    assert "没有编号为 99" in refused("show", "99")


def test_dismiss_add_and_reopen_dismissal(world: Path) -> None:
    with store.session() as s:
        cand = str(s.scalar(select(t.ScreeningCandidate.id)))
    (listed,) = case("list", "--candidates", "--state", "candidate", "--user", "sc")
    assert (str(listed["candidate_id"]), listed["uscc"], listed["rules"]) == (
        cand,
        FIRM,
        ["tax_per_mu_low"],
    )
    assert case("list", "--candidates", "--user", "hz")[0]["uscc"] == FIRM  # the city sees it
    table = runner.invoke(app, ["case", "list", "--candidates", "--user", "sc"])
    assert table.exit_code == 0 and "筛查候选企业（1 家）" in table.output, table.output
    assert "必须写明具体情况" in refused("dismiss", cand, "--reason", "other", "--user", "sc")
    d = case("dismiss", cand, "--reason", "data_error", "--text", "用地面积填错", "--user", "sc")
    assert (d["state"], d["dismiss_reason"]) == ("dismissed", "data_error")
    r = case("reopen", cand, "--candidate", "--reason", "请复核", "--user", "hz")
    assert r["state"] == "candidate"
    a = case("add", FIRM, "--year", "2023", "--measure", "closed", "--reason", "督察", "--user=sc")
    assert (a["year"], a["state"], a["measure"]) == (2023, "confirmed", "closed")


def test_case_template_and_import(world: Path, tmp_path: Path) -> None:
    import openpyxl

    firm_b = "91330102A00000002X"
    with store.session() as s:
        cand = s.scalar(select(t.ScreeningCandidate.id))
        s.add(t.Enterprise(uscc=firm_b, name="上城乙厂", county_code="330102",
                           industry_code="1711", scale="above"))  # fmt: skip
    case("confirm", str(cand), "--measure", "upgrade", "--user", "sc")
    case("add", firm_b, "--year", "2022", "--measure", "closed", "--reason", "督察", "--user", "sc")
    xlsx = tmp_path / "cases.xlsx"
    out = runner.invoke(app, ["case", "template", "-r", "330102", "-y", "2022", "-o", str(xlsx),
                              "--user", "sc"])  # fmt: skip
    assert out.exit_code == 0 and xlsx.exists(), out.output

    def fill(values: dict[int, dict[str, str]]) -> None:
        book = openpyxl.load_workbook(xlsx)
        ws = book["整治案件"]
        header = [c.value for c in ws[2]]
        for r, cells in values.items():
            for column, text in cells.items():
                ws.cell(r, header.index(column) + 1).value = text
        book.save(xlsx)

    plan = {"操作": "plan", "整治措施": "upgrade", "整治责任人": "张三",
            "整改措施": "更换电机@2099-06-30"}  # fmt: skip
    fill({3: {**plan, "整改措施": "更换电机"}, 4: {"操作": "update"}})  # two bad rows
    text = refused("import", str(xlsx), "--user", "sc")
    assert "第 3 行, 列 整改措施" in text and "第 4 行, 列 整治进展" in text, text
    assert [r["version"] for r in case("list", "--user", "sc")] == [1, 1]  # nothing written

    fill({3: plan, 4: {"操作": "plan", "整治措施": "closed", "整治责任人": "李四",
                       "整改措施": "停产@2099-03-31"}})  # fmt: skip
    dry = runner.invoke(app, ["case", "import", str(xlsx), "--user", "sc", "--dry-run"])
    assert dry.exit_code == 0 and "未写入" in dry.output, dry.output
    assert [r["version"] for r in case("list", "--user", "sc")] == [1, 1]
    done = case("import", str(xlsx), "--user", "sc")
    assert [(r["row"], r["state"], r["version"]) for r in done] == [
        (3, "planned", 2),
        (4, "planned", 2),
    ]
    stale = refused("import", str(xlsx), "--user", "sc")  # exported at version 1, now 2
    assert "第 3 行, 列 版本" in stale and "第 4 行, 列 版本" in stale, stale
