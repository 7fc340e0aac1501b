"""Milestone progress reports (工作任务进展) as every face calls them: a department reports on
the milestone targets its units lead or co-lead (one at a time, or a whole template), the
province accepts or returns, everyone signed in lists them; and the responsible-unit pages
(each unit's targets, their status and what is due)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import select

from zhuansheng import programme, store
from zhuansheng.collect import milestones as core
from zhuansheng.errors import Forbidden, InputRejected, Invalid, NotFound, Problem, ZhuanshengError
from zhuansheng.monitor import milestones as due
from zhuansheng.monitor.config import MonitorConfig, default_config
from zhuansheng.periods import parse_period
from zhuansheng.reference import PROVINCE_CODE
from zhuansheng.store import tables as t

from .context import Caller

STATUSES = core.STATUSES
REVIEW = core.REVIEW
MAX_NARRATIVE = core.MAX_NARRATIVE
EVIDENCE_SUFFIXES = core.EVIDENCE_SUFFIXES
# what is due for one unit, item and period
DUE_ZH = {
    "accepted": "已确认",
    "submitted": "已报送待审核",
    "returned": "已退回待重报",
    "overdue": "逾期未报送",
    "due": "待报送",
    "optional": "配合单位可报送",
}

MAX_ID = core.MAX_ID  # report numbers beyond it are refused before reaching the store


def _unit_for(caller: Caller, item: core.Item) -> str:
    """The caller's unit that answers for ``item`` (a lead unit first), or Forbidden."""
    actor = caller.actor
    if not caller.may("milestone.report", units=item.units):
        if actor.role != "department":
            raise Forbidden(
                "只有责任单位用户可以报送工作任务进展；"
                f"“{item.name_zh}”由{'、'.join(item.units)}报送"
            )
        raise Forbidden(
            f"{'、'.join(actor.units) or '本账号'}不是目标“{item.name_zh}”（{item.target_id}）"
            f"的牵头或配合单位，无权报送其进展（牵头：{'、'.join(item.lead_units) or '无'}；"
            f"配合：{'、'.join(item.co_units) or '无'}）"
        )
    return next(u for u in (*item.lead_units, *item.co_units) if u in actor.units)


def report(
    caller: Caller,
    target: str,
    period: str,
    status: str,
    text: str,
    evidence: Sequence[tuple[Path, str]] = (),
    *,
    at: dt.datetime | None = None,
    synthetic: bool = False,
) -> dict[str, Any]:
    """One progress report awaiting the province's review; ``evidence`` as (path, file name)."""
    period = core.check_period(period)
    with store.session(caller.ws.database_url) as s:
        item = core.item(s, target, parse_period(period).year)
        unit = _unit_for(caller, item)  # who may report is said before anything about the text
        draft = core.Draft(target, period, core.check_status(status), core.check_narrative(text))
        draft.evidence = core.check_evidence_files(evidence)
        r = core.write(
            s, draft, item, unit, caller.actor.username, caller.ws.var, at=at, synthetic=synthetic
        )
        tr = s.get(t.Target, item.pk)
        s.flush()
        s.refresh(r)
        assert tr is not None
        return core.as_dict(r, tr)


def review(
    caller: Caller, report_id: int, action: str, reason: str = "", *, at: dt.datetime | None = None
) -> dict[str, Any]:
    """Accept or return (with a reason) a report awaiting review; the province only."""
    caller.require("milestone.review", message="只有省级用户可以确认或退回工作任务进展报告")
    with store.session(caller.ws.database_url) as s:
        r = core.review(s, report_id, action, reason, caller.actor.username, at=at)
        tr = s.get(t.Target, r.target_pk)
        assert tr is not None
        return core.as_dict(r, tr)


def listing(
    caller: Caller, year: int, unit: str | None = None, status: str | None = None
) -> list[dict[str, Any]]:
    """The year's reports, newest first, by unit and by status (progress or review)."""
    caller.require("milestone.view")
    year = check_year(year)
    if unit:
        unit = _known_unit(unit)
    with store.session(caller.ws.database_url) as s:
        return core.listing(s, year, unit, status)


def one(caller: Caller, report_id: int) -> dict[str, Any]:
    caller.require("milestone.view")
    with store.session(caller.ws.database_url) as s:
        r = core.find(s, report_id)
        tr = s.get(t.Target, r.target_pk)
        assert tr is not None
        return core.as_dict(r, tr)


def evidence_file(caller: Caller, evidence_id: int) -> tuple[Path, str]:
    """An evidence file to download (its path under var/ and its original name)."""
    caller.require("milestone.view")
    with store.session(caller.ws.database_url) as s:
        return core.evidence_file(s, evidence_id, caller.ws.var)


def _known_unit(name: str) -> str:
    canonical = programme.unit_names().get(name.strip())
    if canonical is None:
        raise NotFound(f"未知的责任单位 '{name}'：不在责任单位名单（units.yaml）中")
    return canonical


def _mine(caller: Caller, year: int) -> list[tuple[core.Item, str]]:
    """The caller's items with the unit that answers for each (department accounts only)."""
    if caller.actor.role != "department" or not caller.actor.units:
        raise Forbidden("只有绑定了责任单位的责任单位用户可以报送工作任务进展")
    with store.session(caller.ws.database_url) as s:
        found = core.items(s, year, caller.actor.units)
    return [(i, _unit_for(caller, i)) for i in found]


def default_period(year: int, today: dt.date | None = None) -> str:
    """The period a template or form proposes: the quarter of today in the year, else Q4."""
    today = today or dt.date.today()
    if year < today.year:
        return f"{year}Q4"
    if year > today.year:
        return f"{year}Q1"
    return f"{year}Q{(today.month - 1) // 3 + 1}"


def template(caller: Caller, year: int, output: Path, period: str | None = None) -> Path:
    """The caller's items of the year in one workbook, to fill in and import at once."""
    mine = _mine(caller, year)
    if not mine:
        raise NotFound(f"{year} 年没有由{'、'.join(caller.actor.units)}牵头或配合的工作任务")
    proposed = core.check_period(period or default_period(year))
    if parse_period(proposed).year != year:
        raise Invalid(f"期间 {proposed} 不在 {year} 年内：请填写 {year} 年的月或季（如 {year}Q1）")
    if Path(output).suffix.lower() != ".xlsx":
        raise Invalid(f"进展报送表为 xlsx 工作簿，输出文件应以 .xlsx 结尾（不是 {output}）")
    return core.write_template(output, "、".join(caller.actor.units), mine, proposed)


def import_file(caller: Caller, path: Path, source: str | None = None) -> list[dict[str, Any]]:
    """Every filled row of a template as a report, all or none (one transaction)."""
    caller.require(
        "milestone.report",
        message="只有绑定了责任单位的责任单位用户可以报送工作任务进展",
        units=None,
    )
    rows, problems = core.read_template(path, source)
    unreadable = {p.row for p in problems}
    out: list[dict[str, Any]] = []
    with store.session(caller.ws.database_url) as s:
        checked = []
        for row, draft in rows:  # every row's target and unit checked before anything is written
            if row in unreadable:
                continue
            try:
                item = core.item(s, draft.target_id, parse_period(draft.period).year)
                checked.append((draft, item, _unit_for(caller, item)))
            except ZhuanshengError as exc:
                where = f"第 {row} 行, 列 目标代码"
                problems.append(
                    Problem(str(exc), where, sheet=core.SHEET, row=row, column="目标代码")
                )
        if problems:
            raise InputRejected(source or path.name, sorted(problems, key=lambda p: p.row or 0))
        for draft, item, unit in checked:
            r = core.write(s, draft, item, unit, caller.actor.username, caller.ws.var)
            tr = s.get(t.Target, item.pk)
            assert tr is not None
            s.flush()
            s.refresh(r)
            out.append(core.as_dict(r, tr))
    return out


# --- what each responsible unit has to report ---------------------------------------------


def _latest(reports: list[dict[str, Any]], period: str) -> dict[str, Any] | None:
    """The newest report covering ``period`` (the listing is newest first)."""
    return next((r for r in reports if due.covers(r["period"], period)), None)


def _dues(
    item: core.Item,
    unit: str,
    reports: list[dict[str, Any]],
    today: dt.date,
    cfg: MonitorConfig,
) -> list[dict[str, Any]]:
    """Per reporting period that has begun: its deadline and what stands for this unit."""
    out = []
    own = [r for r in reports if r["target"] == item.target_id and r["unit"] == unit]
    for period in due.periods(item.year, cfg):
        first = parse_period(period)
        start = dt.date(first.year, min(due.months(period)), 1)
        if start > today:
            break
        deadline = due.deadline(period, cfg)
        r = _latest(own, period)
        if r is not None:
            state = r["review_status"]
        elif item.role(unit) == "co":
            state = "optional"
        else:
            state = "overdue" if today > deadline else "due"
        out.append(
            {
                "period": period,
                "deadline": deadline,
                "state": state,
                "state_zh": DUE_ZH[state],
                "report_id": r["id"] if r else None,
            }
        )
    return out


def _status_rows(caller: Caller, year: int, period: str | None) -> tuple[str, dict[str, Any]]:
    """The province's monitoring row of every target, by target id, for the period."""
    from .monitoring import period_or_latest

    code = period_or_latest(caller.ws, period) if period else f"{year}-12"
    if parse_period(code).year != year:
        code = f"{year}-12"
    m = caller.analysis(code)
    return code, {r.target: r for r in m.by_region(PROVINCE_CODE)}


def units_overview(
    caller: Caller,
    year: int,
    *,
    period: str | None = None,
    today: dt.date | None = None,
    config: MonitorConfig | None = None,
) -> dict[str, Any]:
    """Every responsible unit named in the year's programme: targets led and co-led, how many
    are behind, the milestone reports due, overdue and awaiting review."""
    caller.require("milestone.view")
    detail = [
        unit_detail(caller, name, year, period=period, today=today, config=config, _check=False)
        for name in _named_units(year)
    ]
    rows = [
        {
            "unit": d["unit"],
            "lead": sum(1 for r in d["targets"] if r["role"] == "lead"),
            "co": sum(1 for r in d["targets"] if r["role"] == "co"),
            "behind": sum(1 for r in d["targets"] if r["colour"] in ("yellow", "red")),
            **{
                k: sum(1 for r in d["targets"] for x in r["due"] if x["state"] == k) for k in DUE_ZH
            },
        }
        for d in detail
    ]
    period_code = detail[0]["period"] if detail else f"{year}-12"
    return {"year": year, "period": period_code, "units": rows, "labels": DUE_ZH}


def _named_units(year: int) -> list[str]:
    """Units named as lead or co-unit of some target of the year, in catalogue order."""
    named = {u for tr in programme.load(year).targets() for u in (*tr.lead_units, *tr.co_units)}
    return [u.name_zh for u in programme.units() if u.name_zh in named]


def unit_detail(
    caller: Caller,
    unit: str,
    year: int,
    *,
    period: str | None = None,
    today: dt.date | None = None,
    config: MonitorConfig | None = None,
    _check: bool = True,
) -> dict[str, Any]:
    """One unit's targets (lead or co-unit) with their monitoring status, and for milestone
    targets every reporting period begun: deadline, reported, accepted or overdue."""
    if _check:
        caller.require("milestone.view")
        unit = _known_unit(unit)
    cfg = config or default_config()
    today = today or dt.date.today()
    code, status = _status_rows(caller, year, period)
    with store.session(caller.ws.database_url) as s:
        reports = core.listing(s, year, unit)
        rows = s.scalars(select(t.Target).where(t.Target.year == year).order_by(t.Target.id)).all()
        targets = []
        for tr in rows:
            if unit not in (*tr.lead_units, *tr.co_units):
                continue
            item = core.Item(
                tr.target_id,
                tr.id,
                year,
                tr.item_clause,
                tr.name_zh,
                tuple(tr.lead_units),
                tuple(tr.co_units),
            )
            row = status.get(tr.target_id)
            targets.append(
                {
                    "target": tr.target_id,
                    "clause": tr.item_clause,
                    "name_zh": tr.name_zh,
                    "kind": tr.kind,
                    "role": item.role(unit),
                    "role_zh": core.ROLE_ZH[item.role(unit)],
                    "status": row.status if row else "",
                    "status_zh": row.status_zh if row else "",
                    "colour": row.colour if row else "grey",
                    "due": _dues(item, unit, reports, today, cfg) if tr.kind == "milestone" else [],
                }
            )
    return {
        "unit": unit,
        "year": year,
        "period": code,
        "today": today,
        "deadline_day": cfg.milestone_deadline_day,
        "frequency": cfg.milestone_frequency,
        "targets": targets,
        "reports": reports,
        "labels": DUE_ZH,
    }


def my_items(caller: Caller, year: int, today: dt.date | None = None) -> dict[str, Any]:
    """The form of a department user: its items, each with its latest report."""
    mine = _mine(caller, year)
    with store.session(caller.ws.database_url) as s:
        reports = core.listing(s, year)
    rows = []
    for item, unit in mine:
        latest = next((r for r in reports if r["target"] == item.target_id), None)
        rows.append(
            {
                "target": item.target_id,
                "clause": item.clause,
                "name_zh": item.name_zh,
                "unit": unit,
                "role": item.role(unit),
                "role_zh": core.ROLE_ZH[item.role(unit)],
                "latest": latest,
            }
        )
    return {
        "year": year,
        "period": default_period(year, today),
        "items": rows,
        "statuses": STATUSES,
        "max_narrative": MAX_NARRATIVE,
        "suffixes": EVIDENCE_SUFFIXES,
    }


def check_year(year: int | None) -> int:
    years = programme.available_years()
    chosen = year if year is not None else max(years)
    if chosen not in years:
        raise Invalid(f"没有 {chosen} 年的工作要点；已有 {years}")
    return chosen
