"""The major-project register (重大项目库, 一局长一项目): a list filtered by size class, region,
status and warning, its export, and a page per project with plan against actual by month.

City and county users see the projects of their own area only (``projects.view``). The warnings
are computed by :mod:`zhuansheng.monitor.major_projects` for the month looked at (default: the
latest month with actual investment recorded).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from zhuansheng import programme, store
from zhuansheng.errors import Invalid, NotFound, ZhuanshengError
from zhuansheng.monitor import major_projects as rules
from zhuansheng.periods import parse_period
from zhuansheng.store import tables as t

from . import audit, regions
from .context import Caller
from .lists import ListSpec

KIND = "major_project"
SPEC = ListSpec(
    "重大项目库",
    "Major projects",
    (
        "code",
        "name",
        "region_code",
        "region_name",
        "size_class",
        "status",
        "official_in_charge",
        "official_post",
        "planned_investment_wan",
        "planned_start_on",
        "started_on",
        "planned_completion_on",
        "planned_ytd_wan",
        "actual_ytd_wan",
        "lag_pct",
        "warnings",
    ),
    (
        "code",
        "name",
        "region_code",
        "planned_investment_wan",
        "planned_start_on",
        "planned_ytd_wan",
        "actual_ytd_wan",
        "lag_pct",
    ),
    {"size_class": "size_class", "status": "project_status", "warnings": "project_warning"},
)
STATUSES = ("planned", "started", "completed")
WARNING_FILTERS = ("any", "none", *rules.WARNINGS)


@dataclass
class MajorFilter:
    """The filter and order of the list (page query, export and CLI alike)."""

    q: str = ""
    region: str = ""
    size_class: str = ""
    status: str = ""
    warning: str = ""  # any | none | investment_lag | start_overdue
    month: str = ""  # 2022-06; empty: the latest month with actual investment
    sort: str = ""
    desc: int = 0

    def check(self) -> None:
        sizes = [c.id for c in programme.size_classes()]
        for value, allowed, what in (
            (self.size_class, sizes, "规模档次"),
            (self.status, STATUSES, "项目状态"),
            (self.warning, WARNING_FILTERS, "预警"),
        ):
            if value and value not in allowed:
                raise Invalid(f"未知的{what} '{value}'，应为 {'、'.join(allowed)} 之一")
        if self.month:
            try:
                ok = parse_period(self.month).kind == "month"
            except ZhuanshengError:
                ok = False
            if not ok:
                raise Invalid(f"月份 '{self.month}' 有误，请按 2022-06 的格式填写")


def latest_month(s: Session) -> str:
    """The latest month with actual investment of a major project, else the current month."""
    p, inv = t.Project, t.ProjectInvestment
    found = s.scalar(
        select(func.max(inv.month)).join(p, p.id == inv.project_id).where(p.project_kind == KIND)
    )
    return found or dt.date.today().strftime("%Y-%m")


def _monthly(
    s: Session, model: Any, value: Any, ids: list[int], year: int
) -> dict[int, dict[str, float]]:
    out: dict[int, dict[str, float]] = {}
    for start in range(0, len(ids), 5000):
        chunk = ids[start : start + 5000]
        query = select(model.project_id, model.month, value).where(
            model.project_id.in_(chunk), model.month.like(f"{year}-%")
        )
        for pid, month, amount in s.execute(query):
            out.setdefault(pid, {})[month] = float(amount or 0.0)
    return out


def _row(p: t.Project, prog: rules.Progress) -> dict[str, Any]:
    return {
        "code": p.code,
        "name": p.name,
        "region_code": p.region_code,
        "region_name": regions.name(p.region_code),
        "size_class": p.size_class or programme.size_class(p.planned_investment_wan),
        "status": p.status,
        "official_in_charge": p.official_in_charge,
        "official_post": p.official_post,
        "planned_investment_wan": p.planned_investment_wan,
        "planned_start_on": p.planned_start_on,
        "started_on": p.started_on,
        "planned_completion_on": p.planned_completion_on,
        "planned_ytd_wan": round(prog.planned_ytd_wan, 2),
        "actual_ytd_wan": round(prog.actual_ytd_wan, 2),
        "lag_pct": None if prog.lag_share is None else round(prog.lag_share * 100, 1),
        "warnings": list(prog.warnings),
        "synthetic": p.synthetic,
    }


def _rows(caller: Caller, s: Session, f: MajorFilter, month: str) -> list[dict[str, Any]]:
    p = t.Project
    query = select(p).where(p.project_kind == KIND)
    if f.region:
        regions.region(f.region)  # an unknown code is said, not an empty list
    for code in (caller.scope, f.region or None):
        if code:
            query = query.where(p.region_code.in_(regions.subtree(code)))
    if f.q:
        query = query.where(
            or_(
                p.name.contains(f.q, autoescape=True),
                p.code.contains(f.q, autoescape=True),
                p.official_in_charge.contains(f.q, autoescape=True),
            )
        )
    if f.status:
        query = query.where(p.status == f.status)
    projects = list(s.scalars(query.order_by(p.code)))
    if f.size_class:  # the class as the thresholds give it now
        projects = [
            x
            for x in projects
            if (x.size_class or programme.size_class(x.planned_investment_wan)) == f.size_class
        ]
    ids = [x.id for x in projects]
    year = parse_period(month).year
    plans = _monthly(s, t.ProjectPlan, t.ProjectPlan.planned_wan, ids, year)
    actuals = _monthly(s, t.ProjectInvestment, t.ProjectInvestment.invested_wan, ids, year)
    out = []
    for x in projects:
        prog = rules.progress(
            month,
            plans=plans.get(x.id, {}),
            actuals=actuals.get(x.id, {}),
            planned_start_on=x.planned_start_on,
            started_on=x.started_on,
        )
        row = _row(x, prog)
        w = row["warnings"]
        if (f.warning == "any" and not w) or (f.warning == "none" and w):
            continue
        if f.warning in rules.WARNINGS and f.warning not in w:
            continue
        out.append(row)
    if f.sort in SPEC.sortable:
        present = [r for r in out if r[f.sort] is not None]
        absent = [r for r in out if r[f.sort] is None]
        present.sort(key=lambda r: r[f.sort], reverse=bool(f.desc))
        out = present + absent
    return out


def page(caller: Caller, f: MajorFilter, page: int = 1, page_size: int = 50) -> dict[str, Any]:
    """One page of the list within the caller's scope, with the totals of every filtered row."""
    f.check()
    with store.session(caller.ws.database_url) as s:
        month = f.month or latest_month(s)
        rows = _rows(caller, s, f, month)
    page = max(page, 1)
    counts = {w: sum(w in r["warnings"] for r in rows) for w in rules.WARNINGS}
    return {
        "spec": SPEC,
        "rows": rows[(page - 1) * page_size : page * page_size],
        "total": len(rows),
        "page": page,
        "pages": max(1, -(-len(rows) // page_size)),
        "month": month,
        "filter": f,
        "warning_counts": counts,
        "size_classes": programme.size_classes(),
        "statuses": STATUSES,
        "warning_filters": WARNING_FILTERS,
        "lag_share": rules.default_rules().lag_share,
        "planned_ytd_wan": round(sum(r["planned_ytd_wan"] for r in rows), 2),
        "actual_ytd_wan": round(sum(r["actual_ytd_wan"] for r in rows), 2),
    }


def export(caller: Caller, f: MajorFilter) -> tuple[list[dict[str, Any]], list[str], str]:
    """The whole filtered list for a workbook (audited), Chinese headers and labels as shown."""
    found = page(caller, f, 1, 10**9)
    audit.record(
        caller,
        "export.list",
        "list",
        "major_projects",
        q=f.q,
        region=f.region,
        size_class=f.size_class,
        status=f.status,
        warning=f.warning,
        month=found["month"],
        rows=found["total"],
    )
    labelled, headers = SPEC.export(found["rows"])
    return labelled, headers, found["month"]


def detail(caller: Caller, code: str, month: str = "") -> dict[str, Any]:
    """A project with its plan and actual by month of the month's year and its warnings."""
    MajorFilter(month=month).check()
    with store.session(caller.ws.database_url) as s:
        p = s.scalar(
            select(t.Project).where(t.Project.code == code, t.Project.project_kind == KIND)
        )
        if p is None:
            raise NotFound(f"重大项目库中没有项目编号 '{code}'")
        caller.require("projects.view", p.region_code, message=f"项目 {code} 不在您的数据范围内")
        month = month or latest_month(s)
        year = parse_period(month).year
        plans = _monthly(s, t.ProjectPlan, t.ProjectPlan.planned_wan, [p.id], year).get(p.id, {})
        actuals = _monthly(
            s, t.ProjectInvestment, t.ProjectInvestment.invested_wan, [p.id], year
        ).get(p.id, {})
        prog = rules.progress(
            month,
            plans=plans,
            actuals=actuals,
            planned_start_on=p.planned_start_on,
            started_on=p.started_on,
        )
        row = _row(p, prog)
    months = rules.by_month(year, plans, actuals)
    for m in months:  # nothing is known yet of the months after the one looked at
        if m["month"] > month:
            m["actual_wan"] = m["actual_ytd_wan"] = None
    return {
        "spec": SPEC,
        "project": row,
        "month": month,
        "months": months,
        "lag_share": rules.default_rules().lag_share,
    }
