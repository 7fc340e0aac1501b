"""The 高耗低效 closed loop end to end on a fresh world, as the offices work it: a screening of
2022 flags two firms of 上城区; the county confirms one and dismisses the other (a reason is
required), plans, reports progress with a photo, completes; 杭州市's verification fails and the
case is reopened; the county completes again and the city verifies. Monitoring's task-14 figures
for 上城区 move by exactly that firm, its land and its energy, and the briefing names it while it
awaits verification — on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from docx import Document
from sqlalchemy import select

import worlds
from zhuansheng import report, store, users
from zhuansheng.errors import Forbidden, Invalid
from zhuansheng.lake import uscc
from zhuansheng.monitor import analysis
from zhuansheng.monitor.views import Monitor
from zhuansheng.periods import parse_period
from zhuansheng.services import cases
from zhuansheng.services.context import Caller
from zhuansheng.store import tables as t
from zhuansheng.workspace import at

SC = "330102"  # 上城区 (杭州市)
KEPT, DISMISSED, EARLIER = (
    uscc.make("9", "1", SC, uscc.organization_code(f"{n:08d}")) for n in (21, 22, 23)
)
TASK14 = ("low_efficiency_rectified", "freed_land", "freed_energy")
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def figures(url: str, period: str) -> tuple[float | None, ...]:
    """上城区's firms rectified, land (亩) and energy (tce) freed, year to date."""
    p = parse_period(period)
    rows = {r.target: r for r in Monitor(analysis.analyse(p.year, ws=at(url)), p).by_region(SC)}
    return tuple(rows[target].actual for target in TASK14)


def briefing(out: Path) -> str:
    (path,) = report.generate(
        "quarterly", "2022Q3", region=SC, formats=("docx",), out_dir=out,
        generated_on=dt.date(2022, 10, 8),
    )  # fmt: skip
    return "\n".join(p.text for p in Document(str(path)).paragraphs)


def test_the_closed_loop_moves_monitoring_by_exactly_one_case(
    store_url: str, tmp_path: Path
) -> None:
    url = worlds.seed_2022(store_url)
    with store.session(url) as s:
        users.add_user(s, "sc", "county", SC)
        users.add_user(s, "hz", "city", "330100")
        firms = [(KEPT, "上城甲厂", SC), (DISMISSED, "上城乙厂", SC), (EARLIER, "上城丙厂", SC)]
        worlds.screening(s, firms, [KEPT, DISMISSED])
        cands = dict(s.execute(select(t.ScreeningCandidate.uscc, t.ScreeningCandidate.id)).all())

    def as_(name: str, month: int, day: int) -> Caller:
        with store.session(url) as s:
            return Caller(at(url), users.actor(s, name), on=dt.date(2022, month, day))

    # a case 上城区 added and completed in April (5 亩, 100 tce): what the county had before
    earlier = cases.add(as_("sc", 2, 1), EARLIER, 2022, "upgrade", "环保督察发现")
    cases.plan(as_("sc", 2, 2), earlier["case_id"], 1, cases.PlanInput(
        "upgrade", "经信局", [cases.parse_action("改造@2022-05-31")]))  # fmt: skip
    cases.update(as_("sc", 3, 1), earlier["case_id"], 2, "改造中")
    cases.complete(as_("sc", 4, 10), earlier["case_id"], 3, 5.0, 100.0)
    before = figures(url, "2022-12")
    assert before == (1.0, 5.0, 100.0)

    # the county confirms one candidate and dismisses the other, whose reason is required
    case = cases.confirm(as_("sc", 3, 1), cands[KEPT], "closed")
    with pytest.raises(Invalid, match="未知的排除理由"):
        cases.dismiss(as_("sc", 3, 1), cands[DISMISSED], "")
    cases.dismiss(as_("sc", 3, 1), cands[DISMISSED], "new_plant", "2021 年 5 月投产")
    cid, plan = (
        case["case_id"],
        cases.PlanInput(
            measure="closed",
            responsible="上城区经信局 王某",
            actions=[cases.parse_action("关停生产线@2022-06-30")],
            expected_land_mu=12.0,
            expected_energy_tce=300.0,
        ),
    )
    cases.plan(as_("sc", 3, 15), cid, 1, plan)
    photo = tmp_path / "拆除现场.png"
    photo.write_bytes(PNG)
    cases.update(as_("sc", 5, 10), cid, 2, "生产线已停产", evidence=[(photo, "拆除现场.png")])
    cases.complete(as_("sc", 6, 20), cid, 3, 11.5, 280.0, land_use="政府收储")
    with pytest.raises(Forbidden):
        cases.verify(as_("sc", 7, 1), cid, 4, passed=True)  # a county cannot verify
    assert cases.show(as_("hz", 7, 1), cid)["state"] == "completed"

    # completed in June: 上城区 counts 1 more firm, 11.5 亩, 280 tce from June on, not in May
    assert figures(url, "2022-05") == before
    assert figures(url, "2022-06") == (1.0 + 1, 5.0 + 11.5, 100.0 + 280.0)

    # the city's verification fails: reopened, it counts nothing
    cases.verify(as_("hz", 7, 10), cid, 4, passed=False, reason="现场仍有设备未拆除")
    assert cases.show(as_("hz", 7, 10), cid)["allowed"] == ["plan", "update", "complete"]
    assert figures(url, "2022-12") == before

    # completed again in September (12 亩 now): the briefing names it as awaiting verification
    cases.update(as_("sc", 8, 1), cid, 5, "剩余设备已拆除")
    cases.complete(as_("sc", 9, 5), cid, 6, 12.0, 280.0, land_use="政府收储")
    text = briefing(tmp_path / "awaiting")
    assert (
        "已完成待验收的整治企业：上城丙厂（2022年4月10日完成整治）、"
        "上城甲厂（2022年9月5日完成整治）。"
    ) in text
    cases.verify(as_("hz", 9, 20), cid, 7, passed=True)

    # verified: 上城区's figures are exactly before + the case: 1 firm, 12 亩, 280 tce (from
    # September, the month it was completed again)
    assert figures(url, "2022-08") == before
    assert figures(url, "2022-12") == (1.0 + 1, 5.0 + 12.0, 100.0 + 280.0)
    text = briefing(tmp_path / "verified")
    assert "全区整治提升高耗低效企业2家" in text
    assert "已完成待验收的整治企业：上城丙厂（2022年4月10日完成整治）。" in text  # 甲 verified
    shown = cases.show(as_("hz", 9, 20), cid)
    assert [e["action"] for e in shown["events"]] == [
        "confirm", "plan", "update", "complete", "verify", "update", "complete", "verify",
    ]  # fmt: skip
    assert [f["file_name"] for e in shown["events"] for f in e["evidence"]] == ["拆除现场.png"]
    dismissed = cases.list_candidates(as_("hz", 9, 20), year=2022, state="dismissed")
    assert [(d["uscc"], d["dismiss_reason_zh"]) for d in dismissed] == [
        (DISMISSED, "新建投产未满三年")
    ]
