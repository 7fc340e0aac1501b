"""Milestone progress reports through the service, on SQLite and PostgreSQL: who may report,
what a report may hold (status, narrative, evidence files), the province's review, the template
and its import, and what monitoring counts (accepted reports only; overdue periods)."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import openpyxl
import pytest

import worlds
from zhuansheng import monitor, store, users
from zhuansheng.access import Actor
from zhuansheng.errors import Conflict, Forbidden, InputRejected, Invalid, ZhuanshengError
from zhuansheng.monitor.config import load_config
from zhuansheng.monitor.sources import milestone_reports
from zhuansheng.reference import PROVINCE_CODE
from zhuansheng.services import accounts, milestones, tokens
from zhuansheng.services.context import Caller
from zhuansheng.services.monitoring import MonitorCache
from zhuansheng.store import tables as t
from zhuansheng.workspace import Workspace, at

# cluster_ecosystem: lead 省经信厅; co 省发展改革委、省科技厅、省商务厅
# talent_programmes: lead 省委人才办; co 省人社厅、省经信厅、省科技厅
LED = "cluster_ecosystem"
CO_LED = "talent_programmes"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(64)


def _world(url: str) -> Workspace:
    """A store with the 2022 programme and a department account for 省经信厅 and 省委人才办."""
    worlds.seed_2022(url)
    with store.session(url) as s:
        users.add_user(s, "jxt", "department", units=["浙江省经济和信息化厅"])  # an alias
        users.add_user(s, "rcb", "department", units=["省委人才办"])
        users.add_user(s, "office", "province_admin")
    return at(url)


def _as(ws: Workspace, name: str) -> Caller:
    return Caller(ws, accounts.actor(ws, name))


def test_a_department_account_needs_known_units(store_url: str) -> None:
    ws = _world(store_url)
    assert accounts.actor(ws, "jxt").units == ("省经信厅",)  # the alias is resolved
    with pytest.raises(ZhuanshengError, match="须用 --unit 指定"):
        accounts.add(ws, "nobody", "department", None)
    with pytest.raises(ZhuanshengError, match="未知的责任单位 '省外事厅'"):
        accounts.add(ws, "x", "department", None, units=["省外事厅"])
    with pytest.raises(ZhuanshengError, match="只有责任单位用户"):
        accounts.add(ws, "y", "viewer", None, units=["省科技厅"])
    # the units come with the actor wherever one is built: a token's too
    token = accounts.issue_token(ws, "jxt", 1)
    assert accounts.token_actor(ws, token, tokens.secret_key(ws)).units == ("省经信厅",)


def test_lead_and_co_units_report_and_others_are_refused(store_url: str) -> None:
    ws = _world(store_url)
    led = milestones.report(_as(ws, "jxt"), LED, "2022Q1", "in_progress", "召开推进会")
    assert (led["unit"], led["review_status"], led["status_zh"]) == (
        "省经信厅",
        "submitted",
        "推进中",
    )
    co = milestones.report(_as(ws, "jxt"), CO_LED, "2022-03", "推进中", "配合落实")
    assert (co["unit"], co["status"]) == ("省经信厅", "in_progress")  # a Chinese label is read
    with pytest.raises(Forbidden) as refused:
        milestones.report(_as(ws, "rcb"), LED, "2022Q1", "completed", "")
    message = str(refused.value)
    assert "省委人才办不是目标“培育集群发展生态”" in message and "牵头：省经信厅" in message
    with pytest.raises(Forbidden, match="只有责任单位用户"):
        milestones.report(_as(ws, "office"), LED, "2022Q1", "completed", "")
    with pytest.raises(Invalid, match="有量化目标值"):
        milestones.report(_as(ws, "jxt"), "robots_new", "2022Q1", "completed", "")
    with pytest.raises(Invalid, match="是全年"):
        milestones.report(_as(ws, "jxt"), LED, "2022", "completed", "")
    with store.session(store_url) as s:
        assert s.query(t.MilestoneReport).count() == 2
        actions = [a.action for a in s.query(t.AuditLog).order_by(t.AuditLog.id)]
    assert actions.count("milestone.report") == 2


def test_the_narrative_is_at_most_2000_characters(store_url: str) -> None:
    ws = _world(store_url)
    with pytest.raises(Invalid, match="共 2001 个字符，超过上限 2000"):
        milestones.report(_as(ws, "jxt"), LED, "2022Q1", "delayed", "进" * 2001)
    kept = milestones.report(_as(ws, "jxt"), LED, "2022Q1", "delayed", "进" * 2000)
    assert len(kept["narrative"]) == 2000


def test_evidence_files_are_checked_and_kept_by_their_hash(store_url: str, tmp_path: Path) -> None:
    ws = _world(store_url)
    exe = tmp_path / "进展说明.pdf"
    exe.write_bytes(b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + bytes(200))  # a program, renamed
    with pytest.raises(InputRejected) as refused:
        milestones.report(_as(ws, "jxt"), LED, "2022Q1", "completed", "x", [(exe, exe.name)])
    assert "文件扩展名为 .pdf，但内容是二进制文件" in str(refused.value)
    fake_docx = tmp_path / "a.docx"
    fake_docx.write_bytes(PDF)
    with pytest.raises(InputRejected, match=r"文件扩展名为 \.docx"):
        milestones.report(_as(ws, "jxt"), LED, "2022Q1", "completed", "x", [(fake_docx, "a.docx")])
    script = tmp_path / "run.sh"
    script.write_text("echo hi\n")
    with pytest.raises(InputRejected, match=r"不支持的文件类型 \.sh"):
        milestones.report(_as(ws, "jxt"), LED, "2022Q1", "completed", "x", [(script, "run.sh")])
    with store.session(store_url) as s:
        assert s.query(t.MilestoneReport).count() == 0  # nothing written for a refused file
    pdf, png = tmp_path / "纪要.pdf", tmp_path / "现场.png"
    pdf.write_bytes(PDF)
    png.write_bytes(PNG)
    r = milestones.report(
        _as(ws, "jxt"), LED, "2022Q1", "completed", "x", [(pdf, pdf.name), (png, png.name)]
    )
    assert [e["file_name"] for e in r["evidence"]] == ["纪要.pdf", "现场.png"]
    digest = hashlib.sha256(PDF).hexdigest()
    assert r["evidence"][0]["sha256"] == digest
    kept, name = milestones.evidence_file(_as(ws, "office"), r["evidence"][0]["id"])
    assert kept == ws.var / "milestones" / "evidence" / f"{digest}.pdf"
    assert (kept.read_bytes(), name) == (PDF, "纪要.pdf")


def test_the_province_accepts_or_returns_with_a_reason(store_url: str) -> None:
    ws = _world(store_url)
    a = milestones.report(_as(ws, "jxt"), LED, "2022Q1", "in_progress", "a")
    b = milestones.report(_as(ws, "jxt"), LED, "2022Q2", "delayed", "b")
    with pytest.raises(Forbidden, match="只有省级用户"):
        milestones.review(_as(ws, "jxt"), a["id"], "accept")
    with pytest.raises(Invalid, match="须说明原因"):
        milestones.review(_as(ws, "office"), b["id"], "return", "  ")
    accepted = milestones.review(_as(ws, "office"), a["id"], "accept")
    returned = milestones.review(_as(ws, "office"), b["id"], "return", "缺少佐证材料")
    assert (accepted["review_status"], accepted["reviewed_by"]) == ("accepted", "office")
    assert (returned["review_status"], returned["return_reason"]) == ("returned", "缺少佐证材料")
    with pytest.raises(Conflict, match="已退回"):
        milestones.review(_as(ws, "office"), b["id"], "accept")
    console = Caller(ws, Actor("console", "province_admin", None))
    assert [r["id"] for r in milestones.listing(console, 2022, status="accepted")] == [a["id"]]
    assert [r["id"] for r in milestones.listing(console, 2022, status="delayed")] == [b["id"]]
    assert len(milestones.listing(console, 2022, unit="省经信厅")) == 2
    assert milestones.listing(console, 2022, unit="省科技厅") == []
    with store.session(store_url) as s:
        actions = {a.action for a in s.query(t.AuditLog)}
    assert {"milestone.accept", "milestone.return"} <= actions


def test_monitoring_counts_only_accepted_reports(store_url: str) -> None:
    ws = _world(store_url)
    office = _as(ws, "office")
    q1 = milestones.report(_as(ws, "jxt"), LED, "2022Q1", "in_progress", "一季度")
    q2 = milestones.report(_as(ws, "jxt"), LED, "2022Q2", "completed", "二季度")
    with store.session(store_url) as s:
        pk = s.query(t.Target.id).filter_by(year=2022, target_id=LED).scalar()
        assert milestone_reports(s, 2022) == {}  # awaiting review: not counted
    milestones.review(office, q1["id"], "accept")
    milestones.review(office, q2["id"], "return", "请补充完成情况")
    with store.session(store_url) as s:
        assert milestone_reports(s, 2022) == {(pk, PROVINCE_CODE): [(3, "in_progress", "一季度")]}

    analysis = monitor.analyse(2022, ws=ws)
    result = next(r for r in analysis.results if r.target.id == LED)
    p = analysis.units.index(PROVINCE_CODE)
    # Jan–Feb: nothing due yet; Mar–May: Q1 accepted; from June Q2's report was returned, so
    # Q2 counts as not reported: overdue, with Q1's accepted status behind it in the notes
    assert list(result.status[p, :6]) == ["no_report"] * 2 + ["in_progress"] * 3 + ["overdue"]
    assert "2022Q2 的工作任务进展逾期未报送（截止 2022-07-05）" in result.notes[p, 5]
    assert "一季度" in result.notes[p, 5]
    # the overview lists them first among the province's warnings: in June every one of the 14
    # milestone targets is overdue (13 never reported, cluster_ecosystem's Q2 was returned)
    cache = MonitorCache(ws)
    june = cache.get("2022-06")
    assert len(june.overdue_milestones()) == 14 and LED in {
        r.target for r in june.overdue_milestones()
    }
    assert cache.get("2022-02").overdue_milestones() == []


def test_what_is_due_follows_the_deadline_setting(store_url: str, tmp_path: Path) -> None:
    ws = _world(store_url)
    office = _as(ws, "office")
    shipped = Path(monitor.__file__).parent / "data" / "monitoring.yaml"
    late = tmp_path / "monitoring.yaml"
    late.write_text(
        shipped.read_text(encoding="utf-8").replace(
            "milestone_deadline_day: 5", "milestone_deadline_day: 20"
        ),
        encoding="utf-8",
    )
    on_the_5th, on_the_20th = load_config(), load_config(late)
    assert (on_the_5th.milestone_deadline_day, on_the_20th.milestone_deadline_day) == (5, 20)
    today = dt.date(2022, 4, 10)  # Q1 ended; its report is due on 5 April or on 20 April

    def q1(cfg: object, unit: str) -> dict[str, object]:
        view = milestones.unit_detail(office, unit, 2022, today=today, config=cfg)  # type: ignore[arg-type]
        row = next(r for r in view["targets"] if r["target"] == LED)
        assert [d["period"] for d in row["due"]] == ["2022Q1", "2022Q2"]  # Q2 has begun
        return row["due"][0]

    assert (q1(on_the_5th, "省经信厅")["state"], q1(on_the_5th, "省经信厅")["deadline"]) == (
        "overdue",
        dt.date(2022, 4, 5),
    )
    assert q1(on_the_20th, "省经信厅")["state"] == "due"
    assert q1(on_the_5th, "省科技厅")["state"] == "optional"  # a co-unit need not report
    report = milestones.report(_as(ws, "jxt"), LED, "2022-03", "in_progress", "三月")
    assert q1(on_the_5th, "省经信厅")["state"] == "submitted"  # a month of the quarter covers it
    milestones.review(office, report["id"], "accept")
    assert q1(on_the_5th, "省经信厅")["state"] == "accepted"
    overview = milestones.units_overview(office, 2022, today=today, config=on_the_5th)
    row = next(u for u in overview["units"] if u["unit"] == "省经信厅")
    # 省经信厅 leads cluster_ecosystem, supply_chain_risk and entrepreneur_think_tank among the
    # milestone targets: Q1 of the first is accepted, the other two are overdue
    assert (row["accepted"], row["overdue"]) == (1, 2)


def test_the_template_lists_the_units_items_and_imports_whole(
    store_url: str, tmp_path: Path
) -> None:
    ws = _world(store_url)
    blank = milestones.template(_as(ws, "jxt"), 2022, tmp_path / "t.xlsx", "2022Q3")
    wb = openpyxl.load_workbook(blank)
    sheet = wb["工作任务进展"]
    rows = [r for r in sheet.iter_rows(min_row=3, values_only=True)]
    with store.session(store_url) as s:
        expected = [
            tr.target_id
            for tr in s.query(t.Target).filter_by(year=2022, kind="milestone").order_by(t.Target.id)
            if "省经信厅" in (*tr.lead_units, *tr.co_units)
        ]
    assert [r[0] for r in rows] == expected and LED in expected and CO_LED in expected
    assert {r[4] for r in rows} == {"2022Q3"}
    sheet.cell(3, 6, "推进中")
    sheet.cell(3, 7, "按计划推进")
    sheet.cell(4, 6, "很好")  # not a status, and no narrative
    bad = tmp_path / "bad.xlsx"
    wb.save(bad)
    with pytest.raises(InputRejected) as refused:
        milestones.import_file(_as(ws, "jxt"), bad)
    assert [(p.row, p.column) for p in refused.value.problems] == [(4, "进展状态"), (4, "进展情况")]
    with store.session(store_url) as s:
        assert s.query(t.MilestoneReport).count() == 0  # whole file or nothing
    sheet.cell(4, 6, "已完成")
    sheet.cell(4, 7, "已完成年度任务")
    good = tmp_path / "good.xlsx"
    wb.save(good)
    made = milestones.import_file(_as(ws, "jxt"), good)
    assert [(r["target"], r["period"], r["status"]) for r in made] == [
        (expected[0], "2022Q3", "in_progress"),
        (expected[1], "2022Q3", "completed"),
    ]
    with pytest.raises(InputRejected) as refused:  # not 省委人才办's items: each row named
        milestones.import_file(_as(ws, "rcb"), good)
    assert [p.row for p in refused.value.problems] == [3, 4]
    assert all("无权报送其进展" in p.message for p in refused.value.problems)
    with pytest.raises(Forbidden, match="只有绑定了责任单位"):
        milestones.import_file(_as(ws, "office"), good)  # the province reports nothing
    # every row's problem at once: a target that is not there, one twice, a bad period
    for row, (target, period) in {
        5: ("no_such_target", "2022Q3"),
        6: (expected[0], "2022Q3"),  # the same as row 3
        7: (expected[2], "2022-13"),
    }.items():
        sheet.cell(row, 1, target)
        sheet.cell(row, 5, period)
        sheet.cell(row, 6, "推进中")
        sheet.cell(row, 7, "按计划推进")
    several = tmp_path / "several.xlsx"
    wb.save(several)
    with pytest.raises(InputRejected) as refused:
        milestones.import_file(_as(ws, "jxt"), several)
    got = [(p.row, p.column) for p in refused.value.problems]
    assert got == [(5, "目标代码"), (6, "目标代码"), (7, "期间")], got
    messages = [p.message for p in refused.value.problems]
    assert "no_such_target" in messages[0] and "与第 3 行重复" in messages[1]
