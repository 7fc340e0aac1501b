"""The 高耗低效 case lifecycle on a small hand-made world: a county confirms one screening
candidate and dismisses another, plans, reports, completes; the city's verification fails, the
case is reopened, completed again and verified — with the refusals and the version conflict, on
SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from case_helpers import (
    FIRM_A,
    FIRM_B,
    FIRM_C,
    SC,
    caller,
    candidate_id,
    lake_land,
    plan_input,
    url,
)
from sqlalchemy import select

from zhuansheng import store
from zhuansheng.errors import Conflict, Forbidden, Invalid, NotFound
from zhuansheng.services import cases
from zhuansheng.store import tables as t

__all__ = ["url"]  # the fixture


def counts(url: str) -> tuple[int, int]:
    with store.session(url) as s:
        return len(s.scalars(select(t.Case)).all()), len(s.scalars(select(t.CaseEvent)).all())


def test_lifecycle_end_to_end(url: str) -> None:
    sc, hz, prov = caller(url, "sc"), caller(url, "hz"), caller(url, "prov")
    c = cases.confirm(sc, candidate_id(url, FIRM_A), "upgrade")
    assert (c["uscc"], c["name"], c["region"], c["year"]) == (FIRM_A, "上城甲厂", SC, 2022)
    assert (c["state"], c["measure"], c["version"]) == ("confirmed", "upgrade", 1)
    assert c["expected_land_mu"] == 12.5  # taken from the candidate until planned
    cid = c["case_id"]
    (listed,) = cases.list_candidates(hz, year=2022, state="confirmed")
    assert (listed["uscc"], listed["case_id"]) == (FIRM_A, cid)  # the candidate names its case

    c = cases.plan(sc, cid, 1, plan_input())
    assert (c["state"], c["version"], c["expected_land_mu"]) == ("planned", 2, 10.0)
    c = cases.update(sc, cid, 2, "电机已采购，6 月安装")
    assert (c["state"], c["progress"]) == ("in_progress", "电机已采购，6 月安装")
    c = cases.complete(sc, cid, 3, 8.0, 200.0)
    assert (c["state"], c["freed_land_mu"], c["freed_energy_tce"]) == ("completed", 8.0, 200.0)

    with pytest.raises(Invalid, match="必须说明理由"):
        cases.verify(hz, cid, 4, passed=False)
    c = cases.verify(hz, cid, 4, passed=False, reason="能耗数据未经第三方核实")
    assert (c["state"], c["allowed"]) == ("reopened", ["plan", "update", "complete"])
    c = cases.complete(sc, cid, 5, 8.0, 210.0, "第三方核实报告已补交")
    c = cases.verify(hz, cid, 6, passed=True)
    assert (c["state"], c["version"], c["freed_energy_tce"]) == ("verified", 7, 210.0)

    shown = cases.show(prov, cid)
    steps = [(e["action"], e["from_state"], e["to_state"], e["actor"]) for e in shown["events"]]
    assert steps == [
        ("confirm", None, "confirmed", "sc"),
        ("plan", "confirmed", "planned", "sc"),
        ("update", "planned", "in_progress", "sc"),
        ("complete", "in_progress", "completed", "sc"),
        ("verify", "completed", "reopened", "hz"),
        ("complete", "reopened", "completed", "sc"),
        ("verify", "completed", "verified", "hz"),
    ]
    assert shown["events"][4]["note"] == "验收不通过：能耗数据未经第三方核实"
    with store.session(url) as s:
        logged = s.scalars(select(t.AuditLog.action).where(t.AuditLog.entity_id == str(cid)))
        assert list(logged) == [
            "case.confirm", "case.plan", "case.update", "case.complete",
            "case.verify", "case.complete", "case.verify",
        ]  # fmt: skip
        cand = s.get(t.ScreeningCandidate, candidate_id(url, FIRM_A))
        assert (cand.status, cand.reviewed_by) == ("confirmed", "sc")

    # the province reopens a verified case
    c = cases.reopen(prov, cid, 7, "抽查发现仍在使用淘汰设备")
    assert (c["state"], c["version"]) == ("reopened", 8)
    assert [r["case_id"] for r in cases.list_cases(hz, year=2022, state="reopened")] == [cid]
    with pytest.raises(Forbidden):
        cases.reopen(caller(url, "nb"), cid, 8, "宁波市不管杭州的案件")
    with pytest.raises(Forbidden):
        cases.reopen(sc, cid, 8, "县级不能重新打开")


def test_dismissal_reason_and_reopen_by_the_level_above(url: str) -> None:
    xh, hz = caller(url, "xh"), caller(url, "hz")
    cand = candidate_id(url, FIRM_C)
    with pytest.raises(Invalid, match="必须写明具体情况"):
        cases.dismiss(xh, cand, "other")
    with pytest.raises(Invalid, match="未知的排除理由"):
        cases.dismiss(xh, cand, "不想整治")
    d = cases.dismiss(xh, cand, "新建投产未满三年", "2021 年投产")
    assert (d["state"], d["dismiss_reason"], d["note"]) == ("dismissed", "new_plant", "2021 年投产")
    with pytest.raises(Forbidden):
        cases.reopen_dismissal(xh, cand, "county may not")  # not the level above
    r = cases.reopen_dismissal(hz, cand, "投产日期有误，请重新核实")
    assert r["state"] == "candidate"
    # a firm the rules did not flag
    c = cases.add(caller(url, "sc"), FIRM_B, 2022, "closed", "环保督察发现")
    assert (c["state"], c["measure"], c["region"]) == ("confirmed", "closed", SC)
    with pytest.raises(Invalid, match="须说明理由"):
        cases.add(caller(url, "sc"), FIRM_B, 2022, "closed", " ")


def test_refusals_write_nothing(url: str) -> None:
    sc, hz, nb, xh = (caller(url, n) for n in ("sc", "hz", "nb", "xh"))
    cid = cases.confirm(sc, candidate_id(url, FIRM_A), "merger")["case_id"]
    before = counts(url)
    with pytest.raises(Invalid, match=r"当前状态为“已列入整治名单”（confirmed）.*制定方案（plan）"):
        cases.complete(sc, cid, 1, 1.0, 1.0)
    with pytest.raises(Forbidden):
        cases.verify(sc, cid, 1, passed=True)  # a county cannot verify
    with pytest.raises(Forbidden):
        cases.plan(xh, cid, 1, plan_input())  # another county
    with pytest.raises(Forbidden):
        cases.show(nb, cid)  # another city
    with pytest.raises(NotFound, match="没有编号为 999"):
        cases.show(sc, 999)
    with pytest.raises(Invalid, match="不能为负数"):
        cases.plan(sc, cid, 1, plan_input(expected_land_mu=-1.0))
    with pytest.raises(Invalid, match="早于方案制定日期"):
        cases.plan(sc, cid, 1, plan_input(actions=[cases.parse_action("拆除@2000-01-01")]))
    with pytest.raises(Invalid, match="未知的整治措施"):
        cases.plan(sc, cid, 1, plan_input(measure="demolish"))
    with pytest.raises(Invalid, match="内容@截止日期"):
        cases.parse_action("no deadline")
    assert counts(url) == before and cases.show(sc, cid)["state"] == "confirmed"
    lake_land(FIRM_A, SC, 10.0)  # the firm has 10 亩: 10 may be freed, 12 not
    with pytest.raises(Invalid, match="腾出用地 12 亩大于企业用地面积 10 亩"):
        cases.plan(sc, cid, 1, plan_input(expected_land_mu=12.0))
    planned = cases.plan(sc, cid, 1, plan_input(expected_land_mu=10.0))
    assert (planned["version"], planned["land_check"]) == (2, "已核对：企业用地 10 亩")
    cases.update(sc, cid, 2, "拆除旧车间")
    with pytest.raises(Invalid, match=r"实际腾出用地 10\.5 亩大于企业用地面积 10 亩"):
        cases.complete(sc, cid, 3, 10.5, 1.0)
    before = counts(url)
    with pytest.raises(Invalid, match=r"当前状态为“整治中”.*完成整治（complete）"):
        cases.verify(hz, cid, 3, passed=True)  # the city, but nothing to verify yet
    assert counts(url) == before
    assert cases.show(sc, cid)["state"] == "in_progress"


def test_stale_version_is_a_conflict(url: str) -> None:
    sc = caller(url, "sc")
    cid = cases.confirm(sc, candidate_id(url, FIRM_A), "upgrade")["case_id"]
    cases.plan(sc, cid, 1, plan_input())
    read = cases.show(sc, cid)["version"]  # two officials open the case at version 2
    cases.update(sc, cid, read, "第一位：设备已进场")
    with pytest.raises(Conflict, match="已被他人修改"):
        cases.update(sc, cid, read, "第二位：设备未进场")
    shown = cases.show(sc, cid)
    assert (shown["version"], shown["progress"]) == (3, "第一位：设备已进场")
    assert [e["note"] for e in shown["events"] if e["action"] == "update"] == ["第一位：设备已进场"]


def test_concurrent_updates_one_wins(url: str) -> None:
    sc = caller(url, "sc")
    cid = cases.confirm(sc, candidate_id(url, FIRM_A), "upgrade")["case_id"]
    cases.plan(sc, cid, 1, plan_input())
    start = threading.Barrier(2)
    results: dict[str, str] = {}

    def report(text: str) -> None:
        start.wait()
        try:
            cases.update(sc, cid, 2, text)
            results[text] = "ok"
        except Conflict:
            results[text] = "conflict"

    threads = [threading.Thread(target=report, args=(f"进展 {k}",)) for k in (1, 2)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert sorted(results.values()) == ["conflict", "ok"], results
    winners = [k for k, v in results.items() if v == "ok"]
    shown = cases.show(sc, cid)
    assert shown["version"] == 3 and shown["progress"] == winners[0]
    assert [e["note"] for e in shown["events"] if e["action"] == "update"] == winners


def test_a_flagged_firm_is_confirmed_not_added(url: str) -> None:
    sc = caller(url, "sc")
    with pytest.raises(Invalid, match=r"在 2022 年高耗低效筛查名单中（候选编号 \d+，待核实）"):
        cases.add(sc, FIRM_A, 2022, "closed", "自行增列")
    assert cases.list_cases(sc, year=2022) == []
    assert cases.add(sc, FIRM_A, 2023, "closed", "2023 年另行列入")["year"] == 2023  # other year


def test_confirm_and_dismiss_at_once_one_decision_stands(url: str) -> None:
    sc, cand = caller(url, "sc"), candidate_id(url, FIRM_A)
    start = threading.Barrier(2)
    outcome: dict[str, str] = {}

    def act(name: str, do: Callable[[], object]) -> None:
        start.wait()
        try:
            do()
            outcome[name] = "ok"
        except (Conflict, Invalid):  # the other came first: refused, nothing written
            outcome[name] = "refused"

    threads = [
        threading.Thread(target=act, args=("confirm", lambda: cases.confirm(sc, cand, "upgrade"))),
        threading.Thread(
            target=act, args=("dismiss", lambda: cases.dismiss(sc, cand, "data_error"))
        ),
    ]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert sorted(outcome.values()) == ["ok", "refused"], outcome
    with store.session(url) as s:
        status = s.get(t.ScreeningCandidate, cand).status
        listed = s.scalars(select(t.Case.uscc)).all()
    if outcome["confirm"] == "ok":
        assert (status, listed) == ("confirmed", [FIRM_A])
    else:
        assert (status, listed) == ("dismissed", [])
