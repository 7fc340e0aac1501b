"""The monthly monitoring as every face shows it: the analysis per year cached until the data
changes, a region's rows by engineering area, trends, map values, the default period.

The monthly analysis is computed once per year and data version (the newest row of each table
it reads) and reused by every request until something changes.
"""

from __future__ import annotations

import gc
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from zhuansheng import monitor, programme, store
from zhuansheng.collect import case_warnings as case_watch
from zhuansheng.errors import NotFound
from zhuansheng.monitor import areas, status
from zhuansheng.monitor.views import Monitor
from zhuansheng.periods import Period, parse_period
from zhuansheng.store import tables as t
from zhuansheng.workspace import Workspace

from . import audit, regions
from .context import Caller
from .regions import PROVINCE

T = TypeVar("T")
MISSING = object()  # no memoised view yet
# Tables whose newest row changes the monitoring result.
_VERSIONED = (
    t.Observation.id,
    t.RegistryEntry.id,
    t.Project.id,
    t.ProjectInvestment.id,
    t.Allocation.id,
    t.AllocationRevision.id,  # a changed allocation is a new revision, its row keeps its id
    t.MilestoneReport.id,
    t.CaseEvent.id,
    t.Target.id,
    t.Submission.id,  # what counts follows the submissions (monitor.counting)
    t.SubmissionEvent.id,  # every workflow step adds an event
)


def data_version(session: Session) -> tuple[int, ...]:
    newest = tuple(session.scalar(select(func.max(col))) or 0 for col in _VERSIONED)
    # a milestone report's review changes no id: count the reviewed ones per outcome
    m = t.MilestoneReport
    reviewed = session.execute(
        select(
            func.count(m.id).filter(m.review_status == "accepted"),
            func.count(m.id).filter(m.review_status == "returned"),
        )
    ).one()
    return (*newest, *(n or 0 for n in reviewed))


def _settle() -> None:
    """Move what is alive now (a new analysis: millions of objects) out of the collector's
    sight: a full collection walking it would stall every request for hundreds of
    milliseconds. Cached views are text and bytes, which the collector does not walk."""
    gc.unfreeze()  # what an older analysis left in cycles is collected now, not kept forever
    gc.collect()
    gc.freeze()


class MonitorCache:
    """The analysis per year, and views cut from it, until the data version changes.

    The version (a handful of MAX(id) queries) is read at most every ``recheck_s`` seconds, so a
    new upload shows within that time; views (rows of a region, warnings …) are memoised per
    period and arguments, because cutting rows from the arrays costs milliseconds each."""

    def __init__(self, ws: Workspace, recheck_s: float = 1.0) -> None:
        self.ws = ws
        self.recheck_s = recheck_s
        self._lock = threading.Lock()
        # (year, count_from: None for the rules' own) → (data version, analysis)
        self._by_year: dict[tuple[int, str | None], tuple[tuple[int, ...], monitor.Analysis]] = {}
        self._views: dict[tuple[Any, ...], Any] = {}
        self._version: tuple[int, ...] | None = None
        self._checked = 0.0

    def version(self) -> tuple[int, ...]:
        now = time.monotonic()
        if self._version is None or now - self._checked > self.recheck_s:
            with store.session(self.ws.database_url) as s:
                version = data_version(s)
            with self._lock:
                if version != self._version:
                    self._views.clear()
                self._version, self._checked = version, now
        return self._version  # type: ignore[return-value]

    def get(self, period: str, count_from: str | None = None) -> Monitor:
        """The analysis of the period's year; ``count_from`` what counts (None: the rules')."""
        p = parse_period(period)
        key = (p.year, count_from)
        version = self.version()
        hit = self._by_year.get(key)
        if hit is None or hit[0] != version:
            with self._lock:
                hit = self._by_year.get(key)
                if hit is None or hit[0] != version:
                    analysis = monitor.analyse(p.year, ws=self.ws, count_from=count_from)
                    hit = (version, analysis)
                    self._by_year[key] = hit
                    _settle()
        return Monitor(hit[1], p)

    def cached(self, period: str, count_from: str | None = None) -> Monitor | None:
        """The analysis of ``period`` when it is in memory and the data version is not due for
        a recheck; no query (the event loop asks this before sending a miss to a thread)."""
        p = parse_period(period)
        if self._version is None or time.monotonic() - self._checked > self.recheck_s:
            return None
        hit = self._by_year.get((p.year, count_from))
        if hit is None or hit[0] != self._version:
            return None
        return Monitor(hit[1], p)

    def cached_view(self, m: Monitor, name: str, *args: Any) -> Any:
        """The memoised view, or ``MISSING`` when it has to be computed."""
        return self._views.get((id(m.analysis), m.period, name, *args), MISSING)

    def view(self, m: Monitor, name: str, fn: Callable[[], T], *args: Any) -> T:
        """``fn()`` memoised per analysis, period and ``(name, *args)``."""
        key = (id(m.analysis), m.period, name, *args)
        if key not in self._views:
            value = fn()
            with self._lock:
                if len(self._views) > 2000:
                    self._views.clear()
                self._views[key] = value
        return self._views[key]  # type: ignore[no-any-return]


def latest_month(ws: Workspace) -> str:
    """The newest month with observations (the default period), or the programme year's June."""
    with store.session(ws.database_url) as s:
        newest = s.scalar(
            select(func.max(t.Observation.period)).where(func.length(t.Observation.period) == 7)
        )
    if newest:
        return str(newest)
    years = programme.available_years()
    return f"{years[-1] if years else 2022}-06"


def period_or_latest(ws: Workspace, period: str | None) -> str:
    """The period asked for (checked), or the newest month with data."""
    return parse_period(period).code if period else latest_month(ws)


def months(period: str) -> list[str]:
    p = parse_period(period)
    return [f"{p.year}-{m:02d}" for m in range(1, 13)]


# --- overview and targets --------------------------------------------------------------------


def grouped_rows(m: Monitor, region_code: str) -> list[tuple[str, list[monitor.ProgressRow]]]:
    """A region's rows grouped by engineering area, in programme order."""
    names = areas.area_names(m.analysis.year)
    groups = areas.grouped(m.by_region(region_code))
    return [(names.get(k, k), rows) for k, rows in groups.items()]


counts = status.counts


def target_row(year: int, target_id: str) -> programme.TargetRow:
    row = programme.load(year).target(target_id)
    if row is None:
        raise NotFound(f"{year} 年工作要点中没有目标 '{target_id}'")
    return row


def item_text(year: int, clause: str) -> str:
    prog = programme.load(year)
    for _, item in prog.items():
        if item.clause == clause:
            return item.text_zh
    return ""


def trend(m: Monitor, target_id: str, region_code: str) -> list[dict[str, Any]]:
    """Month by month for one target and region: actual (to the period), schedule, target."""
    out = []
    for month in range(1, 13):
        mm = Monitor(m.analysis, Period(m.period.year, month, "month"))
        rows = mm.rows(region=region_code, target=target_id)
        r = rows[0] if rows else None
        sched = None
        if r is not None and r.schedule is not None and r.target_value is not None:
            sched = r.schedule * r.target_value
        out.append(
            {
                "month": f"{month}月",
                "actual": r.actual if r is not None and month <= m.period.month else None,
                "schedule": sched,
                "target": r.target_value if r is not None else None,
            }
        )
    return out


def map_values(m: Monitor, level: str, target_id: str | None) -> list[dict[str, Any]]:
    """One value per city or county: a target's completion (or pace), else the share of green.
    ``reported`` is False for a region without a counted report (未报送); a total with too few
    reports (报送不足) has no value either, so that no colour scale rates it."""
    if target_id:
        rows = [r for r in m.rows(level=level, target=target_id) if r.level == level]
        return [
            {
                "code": r.region,
                "name": r.region_name,
                "value": None if withheld else _round(_progress_pct(r)),
                "colour": r.colour,
                "status": r.status_zh + (f"（{r.coverage_zh}）" if r.coverage_zh else ""),
                "actual": r.actual,
                "target": r.target_value,
                "reported": r.status != "no_data",
                "coverage": r.status == "insufficient_coverage",
            }
            for r in rows
            for withheld in [r.status in ("no_data", "insufficient_coverage")]
        ]
    per: dict[str, list[monitor.ProgressRow]] = {}
    for r in m.rows(level=level):
        if r.level == level:
            per.setdefault(r.region, []).append(r)
    out = []
    for code, rows in per.items():
        c = counts(rows)
        stats = [r for r in rows if r.reported is not None]  # reported statistics
        rated = c["green"] + c["yellow"] + c["red"]
        out.append(
            {
                "code": code,
                "name": rows[0].region_name,
                "value": _round(100 * c["green"] / rated) if rated else None,
                "colour": "",
                "status": f"绿 {c['green']} 黄 {c['yellow']} 红 {c['red']}",
                "actual": None,
                "target": None,
                "reported": not stats or any(r.status != "no_data" for r in stats),
                "coverage": False,
            }
        )
    return out


def _progress_pct(r: monitor.ProgressRow) -> float | None:
    for v in (r.completion, r.pace, r.progress_ratio):
        if v is not None:
            return 100 * v
    return None


def _round(x: float | None) -> float | None:
    return None if x is None else round(x, 1)


def is_synthetic(ws: Workspace) -> bool:
    """The store holds synthetic demo data (every page then says 合成演示数据)."""
    with store.session(ws.database_url) as s:
        hit = s.scalar(select(t.Observation.id).where(t.Observation.synthetic).limit(1))
    return hit is not None


# --- the views of the pages and the API ---------------------------------------------------------


def map_view(caller: Caller, period: str, level: str, target_id: str | None) -> dict[str, Any]:
    """The map: one value per visible city or county, and the targets it can be coloured by."""
    m = caller.analysis(period)
    values = [v for v in map_values(m, level, target_id) if caller.may("progress.view", v["code"])]
    targets = [(r.target.id, r.target.name_zh) for r in m.analysis.results if r.target.quantitative]
    return {
        "values": values,
        "targets": targets,
        "label": m.period.label_zh,
        "basis": m.analysis.basis_zh,
        "unreported": sum(not v["reported"] for v in values),
    }


def _target_rows(
    caller: Caller, target_id: str, period: str, level: str
) -> tuple[Monitor, list[monitor.ProgressRow]]:
    m = caller.analysis(period)
    rows = m.by_target(target_id, level=level)
    return m, [r for r in rows if caller.may("progress.view", r.region)]


def target_view(caller: Caller, target_id: str, period: str | None, level: str) -> dict[str, Any]:
    """One target in every visible region, with its clause, the province's row and the trend
    (the province's for a quantitative target, else the caller's home region's)."""
    period = period_or_latest(caller.ws, period)
    year = parse_period(period).year
    row = target_row(year, target_id)
    m, rows = _target_rows(caller, target_id, period, level)
    where = PROVINCE if row.quantitative else caller.home
    return {
        "period": period,
        "periods": months(period),
        "target": row,
        "clause_text": item_text(year, row.item_clause),
        "rows": rows,
        "province": next((r for r in rows if r.level == "province"), None),
        "trend": trend(m, target_id, where),
        "label": m.period.label_zh,
        "basis": m.analysis.basis_zh,
    }


def target_export(
    caller: Caller, target_id: str, period: str | None, level: str
) -> tuple[str, list[dict[str, Any]]]:
    """The rows of one target for a workbook (audited): the period and the rows."""
    period = period_or_latest(caller.ws, period)
    target_row(parse_period(period).year, target_id)
    _, rows = _target_rows(caller, target_id, period, level)
    audit.record(caller, "export.target", "target", target_id, period=period, rows=len(rows))
    return period, [r.as_dict() for r in rows]


def open_period(caller: Caller, period: str | None, region: str | None = None) -> Monitor:
    """The analysis of a period (the newest month by default), after checking that the caller
    may see ``region`` when one is asked for."""
    period = period_or_latest(caller.ws, period)
    if region is not None:
        regions.region(region)
        caller.require("progress.view", region)
    return caller.analysis(period)


def visible_rows(
    caller: Caller,
    m: Monitor,
    *,
    level: str | None = None,
    region: str | None = None,
    target: str | None = None,
) -> list[monitor.ProgressRow]:
    """The rows the caller may see (groups, pilots and the province are aggregates everyone
    sees)."""
    rows = m.rows(level=level, region=region, target=target)
    return [
        r
        for r in rows
        if caller.may("progress.view", r.region) or r.level in ("group", "pilot", "province")
    ]


# --- the rectification cases' warnings ----------------------------------------------------------


def case_warnings(caller: Caller, period: str | None, region: str | None = None) -> dict[str, Any]:
    """A region's rectification cases overdue or awaiting verification as of the period's last
    day (``collect.case_warnings``): the counts by county for whoever may see the region's
    progress, and the cases themselves (firm, county, state, deadline) only for those who may see
    its cases."""
    period = period_or_latest(caller.ws, period)
    code = region or caller.home
    name = regions.region(code).name_zh
    caller.require("progress.view", code)
    on = parse_period(period).last_day
    with store.session(caller.ws.database_url) as s:
        found = case_watch.case_warnings(s, code, on)
    return {
        "period": period,
        "on": on,
        "region": code,
        "region_name": name,
        "overdue": found.overdue,
        "awaiting_verification": found.awaiting_verification,
        "warning_zh": found.text,
        "counties": [c.as_dict() for c in found.counties()],
        "cases": [c.as_dict() for c in found.cases] if caller.may("cases.view", code) else [],
    }
