"""The demo's cases put through the same service functions a county and a city call
(``zhuansheng.services.cases``): each county lists its firms, plans, reports progress and
completes; its city verifies. Every call acts on the script's day (``Caller.on``), so the
history reads as a year of work and the same seed gives the same world.

After the 2022 screening, ``review_candidates`` has each county confirm some of the year's
remaining candidates and dismiss a few with a reason, and leaves the rest for a user to review.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from zhuansheng import access, store, workspace
from zhuansheng.services import accounts, cases
from zhuansheng.services.context import Caller

from .cases import place_of

REASON = "{year} 年亩均效益综合评价排名靠后、单位能耗偏高，经属地核实列入整治名单（演示）"
ACTIONS = {
    "upgrade": "实施节能降耗和数字化改造",
    "merger": "完成兼并重组",
    "land_recovered": "腾退低效用地、引进新项目",
    "relocated": "搬迁入园",
    "closed": "关停淘汰落后产能",
}
LAND_USE = {
    "upgrade": "原企业提升改造后继续使用",
    "merger": "并入兼并方企业统一使用",
    "land_recovered": "引进新项目使用",
    "relocated": "原址由政府收储",
    "closed": "政府收储后重新出让",
}
PROGRESS = "（演示）已按方案开展整治，本月完成阶段性工作，正在推进后续措施。"
REWORK = "（演示）按验收意见补充整改，补齐佐证材料。"


def county_user(code: str) -> str:
    return f"u{code}"


class Desks:
    """The demo's callers: each account read once, acting on a given day."""

    def __init__(self, ws: workspace.Workspace) -> None:
        self.ws = ws
        self.callers: dict[str, Caller] = {}

    def on(self, username: str, day: dt.date) -> Caller:
        if username not in self.callers:
            self.callers[username] = Caller(self.ws, accounts.actor(self.ws, username))
        return dataclasses.replace(self.callers[username], on=day)


def replay(
    ws: workspace.Workspace,
    scripts: list[dict[str, Any]],
    progress: Callable[[int], None] | None = None,
) -> None:
    """Every script through the services, one transaction per county and year."""
    by_county: dict[tuple[str, int], list[dict[str, Any]]] = {}
    for script in scripts:
        by_county.setdefault((script["county_code"], script["year"]), []).append(script)
    desks = Desks(ws)
    for (_, _year), group in sorted(by_county.items()):
        with store.session(ws.database_url) as s:
            for script in group:
                _one(desks, script, s)
        if progress:
            progress(len(group))


def _one(desks: Desks, c: dict[str, Any], s: Any) -> None:
    county, city = county_user(c["county_code"]), county_user(access.parent(c["county_code"]))
    year, measure = c["year"], c["measure"]
    row = cases.add(
        desks.on(county, c["opened"]), c["uscc"], year, measure, REASON.format(year=year), s
    )
    case_id, version = row["case_id"], row["version"]
    first = c["planned"] + dt.timedelta(days=30)
    plan = cases.PlanInput(
        measure=measure,
        responsible=c["responsible"],
        actions=[
            {"action": "制定一企一策整治方案并报批", "deadline": f"{first:%Y-%m-%d}"},
            {"action": ACTIONS[measure], "deadline": f"{c['deadline']:%Y-%m-%d}"},
        ],
        expected_land_mu=c["expected_land_mu"],
        expected_energy_tce=c["expected_energy_tce"],
    )
    version = cases.plan(desks.on(county, c["planned"]), case_id, version, plan, s)["version"]
    if c["started"] is None:
        return
    version = cases.update(desks.on(county, c["started"]), case_id, version, PROGRESS, s)["version"]
    if c["closed"] is None:
        return
    version = _complete(desks, county, c, c["closed"], case_id, version, s)
    if c["failed"] is not None:
        fail = desks.on(city, c["failed"])
        reason = "（演示）腾出用地面积与现场核查不符，请补充测绘材料"
        version = cases.verify(fail, case_id, version, False, reason, s)["version"]
        again = c["failed"] + dt.timedelta(days=20)
        if again.year > year:
            return
        version = cases.update(desks.on(county, again), case_id, version, REWORK, s)["version"]
        version = _complete(desks, county, c, again, case_id, version, s)
        passed = again + dt.timedelta(days=25)
        if passed.year == year or year < 2022:
            cases.verify(desks.on(city, passed), case_id, version, True, "", s)
        return
    if c["verified"] is not None:
        cases.verify(desks.on(city, c["verified"]), case_id, version, True, "", s)


def _complete(
    desks: Desks,
    county: str,
    c: dict[str, Any],
    day: dt.date,
    case_id: int,
    version: int,
    s: Any,
) -> int:
    done = cases.complete(
        desks.on(county, day),
        case_id,
        version,
        c["freed_land_mu"],
        c["freed_energy_tce"],
        "",
        s,
        land_use=LAND_USE[c["measure"]],
    )
    return int(done["version"])


# --- the screening's candidates: some confirmed, a few dismissed, the rest left to review -----

DISMISSALS = (
    ("new_plant", ""),
    ("data_error", "（演示）企业用地面积登记有误，已提请自然资源部门更正"),
    ("other_campaign", "（演示）已列入本县“污水零直排”专项整治"),
)


def review_candidates(seed: int, year: int, on: dt.date) -> dict[str, int]:
    """In each county, of the year's remaining candidates of the newest screening: confirm one
    in ten with a measure and plan it, dismiss one in twenty with a reason, leave the rest for
    review."""
    ws = workspace.current()
    rng = np.random.default_rng([seed, year])
    console = Caller(ws, access.Actor("console", "province_admin", None))
    waiting = cases.list_candidates(console, year=year, state="candidate")
    counts = {"confirmed": 0, "dismissed": 0, "left": 0}
    desks = Desks(ws)
    for county, group in _by_county(waiting):
        caller = desks.on(county_user(county), on)
        with store.session(ws.database_url) as s:
            for cand in group:
                u = rng.random()
                if u < 0.10:
                    made = cases.confirm(caller, cand["candidate_id"], "upgrade", "", s)
                    _plan_new(desks, county, made, on, s)
                    counts["confirmed"] += 1
                elif u < 0.15:
                    reason, text = DISMISSALS[int(rng.integers(len(DISMISSALS)))]
                    cases.dismiss(caller, cand["candidate_id"], reason, text, s)
                    counts["dismissed"] += 1
                else:
                    counts["left"] += 1
    return counts


def _plan_new(desks: Desks, county: str, case: dict[str, Any], on: dt.date, s: Any) -> None:
    """A confirmed candidate's plan, made ten days later, due by the year's end."""
    day = on + dt.timedelta(days=10)
    plan = cases.PlanInput(
        measure="upgrade",
        responsible=f"{place_of(county)}经信局（演示）",
        actions=[
            {
                "action": "制定一企一策整治方案并报批",
                "deadline": f"{day + dt.timedelta(days=30):%Y-%m-%d}",
            },
            {"action": ACTIONS["upgrade"], "deadline": f"{day.year}-12-31"},
        ],
        expected_land_mu=case["expected_land_mu"],
        expected_energy_tce=case["expected_energy_tce"],
    )
    cases.plan(desks.on(county_user(county), day), case["case_id"], case["version"], plan, s)


def _by_county(rows: Iterable[dict[str, Any]]) -> list[tuple[str, list[dict[str, Any]]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        out.setdefault(r["region"], []).append(r)
    return sorted(out.items())
