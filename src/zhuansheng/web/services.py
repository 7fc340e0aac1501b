"""What the pages and the API show, read through the service modules (one place, both callers).

The monthly analysis is computed once per year and data version (the newest row of each table
it reads) and reused by every request until something changes.
"""

from __future__ import annotations

import gc
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from zhuansheng import lake, monitor, programme, reference, store
from zhuansheng.errors import ZhuanshengError
from zhuansheng.monitor.views import Monitor
from zhuansheng.periods import Period, parse_period
from zhuansheng.store import tables as t

from . import access, i18n

T = TypeVar("T")
MISSING = object()  # no memoised view yet
COLOURS = ("green", "yellow", "red", "grey")
# Tables whose newest row changes the monitoring result.
_VERSIONED = (
    t.Observation.id,
    t.RegistryEntry.id,
    t.Project.id,
    t.ProjectInvestment.id,
    t.Allocation.id,
    t.MilestoneReport.id,
    t.CaseEvent.id,
    t.Target.id,
)


def data_version(session: Session) -> tuple[int, ...]:
    return tuple(session.scalar(select(func.max(col))) or 0 for col in _VERSIONED)


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

    def __init__(self, url: str | None, recheck_s: float = 1.0) -> None:
        self.url = url
        self.recheck_s = recheck_s
        self._lock = threading.Lock()
        self._by_year: dict[int, tuple[tuple[int, ...], monitor.Analysis]] = {}
        self._views: dict[tuple[Any, ...], Any] = {}
        self._version: tuple[int, ...] | None = None
        self._checked = 0.0

    def version(self, session: Session) -> tuple[int, ...]:
        now = time.monotonic()
        if self._version is None or now - self._checked > self.recheck_s:
            version = data_version(session)
            with self._lock:
                if version != self._version:
                    self._views.clear()
                self._version, self._checked = version, now
        return self._version  # type: ignore[return-value]

    def get(self, session: Session, period: str) -> Monitor:
        p = parse_period(period)
        version = self.version(session)
        hit = self._by_year.get(p.year)
        if hit is None or hit[0] != version:
            with self._lock:
                hit = self._by_year.get(p.year)
                if hit is None or hit[0] != version:
                    hit = (version, monitor.analyse(p.year, url=self.url))
                    self._by_year[p.year] = hit
                    _settle()
        return Monitor(hit[1], p)

    def cached(self, period: str) -> Monitor | None:
        """The analysis of ``period`` when it is in memory and the data version is not due for
        a recheck; no query (the event loop asks this before sending a miss to a thread)."""
        p = parse_period(period)
        if self._version is None or time.monotonic() - self._checked > self.recheck_s:
            return None
        hit = self._by_year.get(p.year)
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


def latest_month(session: Session) -> str:
    """The newest month with observations (the default period), or the programme year's June."""
    newest = session.scalar(
        select(func.max(t.Observation.period)).where(func.length(t.Observation.period) == 7)
    )
    if newest:
        return str(newest)
    years = programme.available_years()
    return f"{years[-1] if years else 2022}-06"


def months(period: str) -> list[str]:
    p = parse_period(period)
    return [f"{p.year}-{m:02d}" for m in range(1, 13)]


# --- regions -------------------------------------------------------------------------------


@cache
def regions_by_code() -> dict[str, reference.Region]:
    return {r.code: r for r in reference.regions()}


def region(code: str) -> reference.Region:
    r = regions_by_code().get(code)
    if r is None:
        raise NotFound(f"没有地区代码 '{code}'")
    return r


def region_name(code: str) -> str:
    r = regions_by_code().get(code)
    return r.name_zh if r else code


def children(code: str) -> list[reference.Region]:
    return [r for r in reference.regions() if r.parent_code == code]


class NotFound(ZhuanshengError):
    """What was asked for does not exist (HTTP 404)."""


# --- overview and targets --------------------------------------------------------------------


def area_names(year: int) -> dict[str, str]:
    prog = programme.load(year)
    return {a.id: a.title_zh for a in prog.areas} | {"goal": "总体要求", "safeguard": "保障措施"}


def grouped_rows(m: Monitor, region_code: str) -> list[tuple[str, list[monitor.ProgressRow]]]:
    """A region's rows grouped by engineering area, in programme order."""
    names = area_names(m.analysis.year)
    groups: dict[str, list[monitor.ProgressRow]] = {}
    for r in m.by_region(region_code):
        key = r.area or ("goal" if r.clause.startswith("一") else "safeguard")
        groups.setdefault(key, []).append(r)
    return [(names.get(k, k), rows) for k, rows in groups.items()]


def counts(rows: list[monitor.ProgressRow]) -> dict[str, int]:
    c = Counter(r.colour for r in rows)
    return {k: c.get(k, 0) for k in COLOURS}


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
    """One value per city or county: a target's completion (or pace), else the share of green."""
    if target_id:
        rows = [r for r in m.rows(level=level, target=target_id) if r.level == level]
        return [
            {
                "code": r.region,
                "name": r.region_name,
                "value": _round(_progress_pct(r)),
                "colour": r.colour,
                "status": r.status_zh,
                "actual": r.actual,
                "target": r.target_value,
            }
            for r in rows
        ]
    per: dict[str, list[monitor.ProgressRow]] = {}
    for r in m.rows(level=level):
        if r.level == level:
            per.setdefault(r.region, []).append(r)
    out = []
    for code, rows in per.items():
        c = counts(rows)
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


# --- evaluations in the lake -------------------------------------------------------------------


def latest_run(session: Session, kind: str, year: int | None = None) -> t.EvaluationRun | None:
    q = select(t.EvaluationRun).where(t.EvaluationRun.method == kind)
    if year is not None:
        q = q.where(t.EvaluationRun.year == year)
    return session.scalar(
        q.order_by(t.EvaluationRun.year.desc(), t.EvaluationRun.started_at.desc())
    )


@cache
def _result_table(path: str) -> pa.Table:
    # Result files are immutable (written once under a new run id), so caching by path is safe.
    return pq.read_table(path)


def run_results(run: t.EvaluationRun) -> pa.Table | None:
    if not run.output_path or not Path(run.output_path).is_file():
        return None
    return _result_table(run.output_path)


def class_distribution(
    session: Session, region_code: str, kind: str, column: str
) -> dict[str, int]:
    run = latest_run(session, kind)
    table = run_results(run) if run else None
    if table is None:
        return {}
    codes = table.column("county_code").to_pylist()
    values = table.column(column).to_pylist()
    c: Counter[str] = Counter()
    for code, v in zip(codes, values, strict=True):
        if access.region_in(code, region_code if region_code != access.PROVINCE else None):
            c["未评" if v is None else str(v)] += 1
    return dict(sorted(c.items()))


def enterprise_result(session: Session, kind: str, uscc: str) -> dict[str, Any] | None:
    run = latest_run(session, kind)
    table = run_results(run) if run else None
    if table is None:
        return None
    hit = table.filter(pc.equal(table.column("uscc"), uscc))
    if hit.num_rows == 0:
        return None
    row = hit.slice(0, 1).to_pylist()[0]
    row["run_id"] = run.run_id  # type: ignore[union-attr]
    return row


def enterprise_facts(uscc: str) -> list[dict[str, Any]]:
    out = []
    for path in lake.fact_files():
        table = pq.read_table(path, filters=[("uscc", "=", uscc)])
        year = int(path.parent.name.split("=")[1])
        out.extend({"year": year, **row} for row in table.to_pylist())
    return sorted(out, key=lambda r: r["year"])


# --- lists --------------------------------------------------------------------------------------


# Column headers of the lists (Chinese, English) and the code sets of their coded values.
COLUMN_LABELS: dict[str, tuple[str, str]] = {
    "registry_kind": ("名单类型", "Registry"),
    "project_kind": ("项目类型", "Project kind"),
    "name": ("名称", "Name"),
    "code": ("项目代码", "Project code"),
    "uscc": ("统一社会信用代码", "USCC"),
    "region_code": ("地区代码", "Region code"),
    "county_code": ("县（市、区）代码", "County code"),
    "region_name": ("地区", "Region"),
    "recognised_on": ("认定日期", "Recognised on"),
    "batch": ("批次", "Batch"),
    "status": ("状态", "Status"),
    "started_on": ("开工日期", "Started on"),
    "completed_on": ("完工日期", "Completed on"),
    "planned_investment_wan": ("计划投资（万元）", "Planned investment (10k yuan)"),
    "industry_code": ("行业代码", "Industry code"),
    "year": ("年度", "Year"),
    "rules": ("触发规则", "Rules triggered"),
    "freed_land_mu": ("可腾出用地（亩）", "Land freed (mu)"),
    "freed_energy_tce": ("可腾出用能（吨标煤）", "Energy freed (tce)"),
}


@dataclass(frozen=True)
class ListSpec:
    title_zh: str
    title_en: str
    columns: tuple[str, ...]
    sortable: tuple[str, ...]
    codes: dict[str, str] = field(default_factory=dict)  # column → code set (i18n.label)

    def header(self, column: str, lang: str = "zh") -> str:
        pair = COLUMN_LABELS.get(column)
        if pair is None:
            return column
        return pair[1] if lang == "en" else pair[0]

    def cell(self, column: str, value: Any, lang: str = "zh") -> Any:
        """A value as shown: codes as labels, lists joined with 、."""
        category = self.codes.get(column)
        if isinstance(value, list | tuple):
            return "、".join(i18n.label(category, v, lang) if category else str(v) for v in value)
        if category and value is not None:
            return i18n.label(category, value, lang)
        return value

    def export(self, rows: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[str]]:
        """Rows keyed by the Chinese headers with labelled values, and those headers (xlsx)."""
        headers = [self.header(c) for c in self.columns]
        out = [
            {h: self.cell(c, r.get(c)) for c, h in zip(self.columns, headers, strict=True)}
            for r in rows
        ]
        return out, headers


LISTS = {
    "registries": ListSpec(
        "认定名单",
        "Registries",
        ("registry_kind", "name", "uscc", "region_code", "region_name", "recognised_on", "batch"),
        ("registry_kind", "name", "region_code", "recognised_on"),
        {"registry_kind": "registry_kind"},
    ),
    "projects": ListSpec(
        "项目库",
        "Project registers",
        (
            "project_kind",
            "code",
            "name",
            "uscc",
            "region_code",
            "region_name",
            "status",
            "started_on",
            "completed_on",
            "planned_investment_wan",
        ),
        (
            "project_kind",
            "code",
            "name",
            "region_code",
            "status",
            "started_on",
            "planned_investment_wan",
        ),
        {"project_kind": "project_kind", "status": "project_status"},
    ),
    "screening": ListSpec(
        "高耗低效企业名单",
        "High-consumption, low-efficiency list",
        (
            "uscc",
            "name",
            "county_code",
            "region_name",
            "industry_code",
            "year",
            "rules",
            "freed_land_mu",
            "freed_energy_tce",
            "status",
        ),
        ("uscc", "name", "county_code", "industry_code", "freed_land_mu", "freed_energy_tce"),
        {"rules": "screen_rule", "status": "screen_status"},
    ),
}
_MODELS: dict[str, Any] = {
    "registries": (t.RegistryEntry, t.RegistryEntry.region_code, t.RegistryEntry.registry_kind),
    "projects": (t.Project, t.Project.region_code, t.Project.project_kind),
    "screening": (t.ScreeningCandidate, t.ScreeningCandidate.county_code, None),
}


def _subtree(code: str) -> list[str]:
    return [r.code for r in reference.regions() if access.region_in(r.code, code)]


def list_rows(
    session: Session,
    kind: str,
    *,
    scope: str | None,
    q: str = "",
    region: str = "",
    sub_kind: str = "",
    sort: str = "",
    desc: bool = False,
    page: int = 1,
    page_size: int = 50,
) -> tuple[list[dict[str, Any]], int]:
    """Rows of a list within ``scope`` (a region subtree, or None), filtered, sorted, paged.

    Filters are bound parameters, so quotes and SQL metacharacters in ``q`` are plain text."""
    spec = LISTS.get(kind)
    if spec is None:
        raise NotFound(f"没有名单 '{kind}'")
    model, region_col, kind_col = _MODELS[kind]
    query = select(model)
    if kind == "screening":
        run = latest_run(session, "screen")
        query = query.where(model.run_id == (run.run_id if run else ""))
    for code in (scope, region or None):
        if code:
            query = query.where(region_col.in_(_subtree(code)))
    if q:
        # autoescape: "%" and "_" typed in a search box are characters, not wildcards
        conds = [model.name.contains(q, autoescape=True)]
        if hasattr(model, "uscc"):
            conds.append(model.uscc.contains(q, autoescape=True))
        query = query.where(or_(*conds))
    if sub_kind and kind_col is not None:
        query = query.where(kind_col == sub_kind)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    column = getattr(model, sort if sort in spec.sortable else "id")
    query = query.order_by(column.desc() if desc else column.asc(), model.id)
    page = max(page, 1)
    query = query.offset((page - 1) * page_size).limit(page_size)
    rows = []
    for obj in session.scalars(query):
        row = {c: getattr(obj, c, None) for c in spec.columns}
        row["region_name"] = region_name(getattr(obj, region_col.key))
        rows.append(row)
    return rows, int(total)


def kinds(session: Session, kind: str) -> list[str]:
    _, _, kind_col = _MODELS[kind]
    if kind_col is None:
        return []
    return [k for (k,) in session.execute(select(kind_col).distinct().order_by(kind_col))]


def audit_entries(
    url: str | None, action: str, page: int, page_size: int
) -> tuple[list[dict[str, Any]], int]:
    """One page of the audit log, newest first (``action``: a prefix such as ``export.``), and
    the number of entries that match."""
    with store.session(url) as s:
        q = select(t.AuditLog)
        if action:
            q = q.where(t.AuditLog.action.startswith(action, autoescape=True))
        total = s.scalar(select(func.count()).select_from(q.subquery())) or 0
        rows = s.scalars(
            q.order_by(t.AuditLog.id.desc()).offset((page - 1) * page_size).limit(page_size)
        )
        items = [
            {
                "id": r.id,
                "at": r.at,
                "actor": r.actor,
                "action": r.action,
                "entity": r.entity,
                "entity_id": r.entity_id,
                "detail": r.detail,
            }
            for r in rows
        ]
    return items, total
