"""Monthly monitoring of one year: every target × every unit × every month, in one pass.

``analyse(year)`` reads the store once, aggregates each indicator to all units (province,
cities, counties, groups, pilots) and evaluates each target's rule on whole arrays; rows for
any month are then cut from the arrays. What counts is the rules file's ``count_from`` (or the
one asked for): see ``counting``. A total over several counties that too few of them reported
to (below ``coverage_threshold``) is ``insufficient_coverage``, not a colour.
See methods/monitoring.md and the rules file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from zhuansheng import programme, store
from zhuansheng.errors import ZhuanshengError
from zhuansheng.programme import Indicator, TargetRow
from zhuansheng.reference import PROVINCE_CODE
from zhuansheng.store import tables as t
from zhuansheng.workspace import Workspace, database_url

from . import counting, milestones, rules
from .aggregate import Aggregate, aggregate, matched
from .config import MonitorConfig, default_config
from .sources import Loader, Series, milestone_reported, milestone_reports
from .status import INSUFFICIENT_COVERAGE
from .units import ReportingUnit, UnitSet, load_units

LINEAR = np.arange(1, 13) / 12.0


@dataclass
class TargetResult:
    """One target's arrays over units × 12 months, with what explains them."""

    target: TargetRow
    pk: int
    applicable: np.ndarray  # bool per unit
    actual: np.ndarray
    target_value: np.ndarray  # per unit (same every month)
    target_source: list[str]  # per unit: programme | allocation | sum_of_counties | province
    status: np.ndarray
    completion: np.ndarray | None = None
    schedule: np.ndarray | None = None  # 12
    schedule_method: str = ""
    pace: np.ndarray | None = None
    ratio: np.ndarray | None = None  # R for rate targets
    base: np.ndarray | None = None  # base-year value the change is measured from
    other: np.ndarray | None = None  # relative: the compared indicator's growth
    projection: np.ndarray | None = None
    projection_method: np.ndarray | None = None  # per unit × month, or one name
    projected_status: np.ndarray | None = None
    reporting: np.ndarray | None = None
    reported: np.ndarray | None = None  # counties with a counted report, per unit × month
    notes: np.ndarray | None = None  # milestone narratives
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class Analysis:
    year: int
    units: UnitSet
    results: list[TargetResult]
    config: MonitorConfig
    aggregates: dict[str, Aggregate]
    count_from: str = "submitted"

    @property
    def basis_zh(self) -> str:
        """统计口径：… — what the figures count, for every page and briefing."""
        return counting.basis_zh(self.count_from)

    @property
    def case_basis_zh(self) -> str:
        """How the targets followed by rectification cases count (``case_counts_from``)."""
        return counting.case_basis_zh(self.config.case_counts_from)


def _tolerance(tr: TargetRow) -> float:
    if tr.qualifier != "about" or tr.tolerance is None:
        return 0.0
    if tr.tolerance.basis == "relative_pct":
        return tr.tolerance.value / 100.0
    return tr.tolerance.value  # percentage points (share_about)


def _allocations(session: Session) -> dict[int, dict[str, float]]:
    out: dict[int, dict[str, float]] = {}
    for pk, region, value in session.execute(
        select(t.Allocation.target_pk, t.Allocation.region_code, t.Allocation.value)
    ):
        out.setdefault(pk, {})[region] = value
    return out


def _targets(
    tr: TargetRow, alloc: dict[str, float], units: UnitSet
) -> tuple[np.ndarray, list[str]]:
    """Each unit's target: its own allocation, else the sum of its counties' allocations (for
    counts and amounts), else the province's (for rates); NaN when there is none."""
    n = len(units.units)
    values = np.full(n, np.nan)
    sources = ["none"] * n
    additive = tr.kind in rules.ADDITIVE_KINDS
    county_alloc = np.array([alloc.get(c, np.nan) for c in units.counties])
    for i, u in enumerate(units.units):
        own = u.county if u.level == "pilot" else u.code
        members = units.membership[i] > 0
        if own in alloc:
            values[i], sources[i] = alloc[own], "allocation"
        elif u.code == PROVINCE_CODE and tr.value is not None:
            values[i], sources[i] = tr.value, "programme"
        elif additive and members.any() and not np.isnan(county_alloc[members]).any():
            values[i], sources[i] = county_alloc[members].sum(), "sum_of_counties"
        elif not additive and tr.value is not None:
            values[i], sources[i] = tr.value, "province"
    return values, sources


def _seasonal_profile(agg: Aggregate) -> np.ndarray | None:
    """The previous year's province cumulative pattern, if it is usable (rises to a total > 0)."""
    prev = agg.value[0, :12]
    if np.isnan(prev).any() or prev[-1] <= 0 or (np.diff(prev) < -1e-9).any():
        return None
    return prev / prev[-1]


def _schedule(ind: Indicator, agg: Aggregate, cfg: MonitorConfig) -> tuple[np.ndarray, str]:
    if ind.id in cfg.schedule.profiles:
        return np.asarray(cfg.schedule.profiles[ind.id]), "profile"
    if ind.id in cfg.schedule.seasonal:
        prof = _seasonal_profile(agg)
        if prof is not None:
            return prof, "previous_year"
    return LINEAR, "linear"


def _additive(
    tr: TargetResult, agg: Aggregate, ind: Indicator, tol: float, cfg: MonitorConfig
) -> None:
    cur = agg.value[:, 12:]
    s, tr.schedule_method = _schedule(ind, agg, cfg)
    target = tr.target_value[:, None]
    start = np.zeros((len(cur), 1))
    if tr.target.kind == "count_cumulative" and agg.stock is not None:
        start = agg.stock[:, 1:2]  # the stock on 1 January
    actual = cur + start
    with np.errstate(invalid="ignore", divide="ignore"):
        completion = actual / target
        needed = target - start
        done_share = np.where(needed > 0, cur / needed, np.inf)
        pace = np.where(s > 0, done_share / s, np.nan)
    tr.actual, tr.completion, tr.schedule, tr.pace = actual, completion, s, pace
    tr.status = rules.additive_status(actual, completion, s[None, :], pace, target, tol, cfg)
    # Projection: the previous year's pattern when it says enough, else the recent run rate.
    prev = _seasonal_profile(agg)
    runrate = start + rules.run_rate(cur, cfg.projection.run_rate_months)
    if prev is not None:
        use = prev >= cfg.projection.seasonal_min_share
        with np.errstate(invalid="ignore", divide="ignore"):
            seasonal = start + cur / np.where(use, prev, 1.0)
        tr.projection = np.where(use[None, :], seasonal, runrate)
        tr.projection_method = np.where(use, "seasonal", "run_rate")[None, :].repeat(len(cur), 0)
    else:
        tr.projection = runrate
        tr.projection_method = np.full(cur.shape, "run_rate")
    will = tr.projection >= target * (1.0 - tol)
    tr.projected_status = np.where(
        np.isnan(tr.projection) | np.isnan(target), "", np.where(will, "will_achieve", "will_miss")
    )


def _rate(tr: TargetResult, series: Series, units: UnitSet, cfg: MonitorConfig) -> None:
    cur, base, rate = matched(series, units)
    kind = tr.target.kind
    target = tr.target_value[:, None]
    tr.reporting = rate
    if kind == "level":
        whole = aggregate(series, units).value
        tr.actual = whole[:, 12:]
        start = whole[:, 11:12]  # the base year's December
        tr.base = np.broadcast_to(start, tr.actual.shape)
        ratio = rules.level_progress(tr.actual, start, target)
        projected = rules.trend_to_december(tr.actual, cfg.projection.trend_months)
        will = projected >= target
    else:
        change = rules.growth_pct(cur, base)
        sign = 1.0 if kind == "growth_pct" else -1.0
        tr.actual, tr.base = change, base
        tr.extra["current"] = cur
        with np.errstate(invalid="ignore", divide="ignore"):
            ratio = change / (sign * target)
        projected = rules.trend_to_december(change, cfg.projection.trend_months)
        with np.errstate(invalid="ignore"):
            will = projected / (sign * target) >= cfg.rate_bands.achieved_pace
    tr.ratio = ratio
    tr.status = rules.rate_status(ratio, cfg)
    tr.status = np.where(np.isnan(target), "no_target", tr.status)
    tr.projection = projected
    tr.projection_method = np.full(ratio.shape, "trend")
    tr.projected_status = np.where(
        np.isnan(projected), "", np.where(will, "will_achieve", "will_miss")
    )


def _share(
    tr: TargetResult, series: Series, units: UnitSet, tol: float, cfg: MonitorConfig
) -> None:
    agg = aggregate(series, units)
    tr.actual = agg.value[:, 12:]
    tr.reporting = agg.reporting_rate[:, 12:]
    value = tr.target.value or 0.0
    tr.status = rules.share_status(tr.actual, value, tol, cfg)
    tr.projection = rules.trend_to_december(tr.actual, cfg.projection.trend_months)
    tr.projection_method = np.full(tr.actual.shape, "trend")
    ok = rules.share_status(tr.projection, value, tol, cfg)
    tr.projected_status = np.select(
        [np.isnan(tr.projection), np.isin(ok, ["above_band", "within_band"])],
        ["", "will_achieve"],
        default="will_miss",
    )


def _relative(
    tr: TargetResult, series: Series, other: Series, units: UnitSet, cfg: MonitorConfig
) -> None:
    a_cur, a_base, _ = matched(series, units)
    b_cur, b_base, _ = matched(other, units)
    a, b = rules.growth_pct(a_cur, a_base), rules.growth_pct(b_cur, b_base)
    tr.actual, tr.other = a, b
    tr.status = rules.relative_status(a, b)
    pa = rules.trend_to_december(a, cfg.projection.trend_months)
    pb = rules.trend_to_december(b, cfg.projection.trend_months)
    tr.projection = pa
    tr.extra["other_projection"] = pb
    tr.projection_method = np.full(a.shape, "trend")
    tr.projected_status = np.where(
        np.isnan(pa) | np.isnan(pb), "", np.where(pa > pb, "will_achieve", "will_miss")
    )


@dataclass(frozen=True)
class MilestoneInputs:
    year: int
    accepted: dict[tuple[int, str], list[tuple[int, str, str]]]  # see sources.milestone_reports
    reported: dict[int, set[str]]  # see sources.milestone_reported


def _milestone(
    tr: TargetResult, inputs: MilestoneInputs, units: UnitSet, cfg: MonitorConfig
) -> None:
    reports = inputs.accepted
    n = len(units.units)
    tr.status = np.full((n, 12), "no_report", dtype=object)
    tr.notes = np.full((n, 12), "", dtype=object)
    tr.actual = np.full((n, 12), np.nan)
    for i, u in enumerate(units.units):
        for month, status, narrative in reports.get((tr.pk, u.code), []):
            tr.status[i, month - 1 :] = status  # the latest accepted report stands until the next
            tr.notes[i, month - 1 :] = narrative
        tr.applicable[i] = u.code == PROVINCE_CODE or (tr.pk, u.code) in reports
    # A period whose report was due and never arrived (or was returned) is a warning.
    p, year, sent = units.index(PROVINCE_CODE), inputs.year, inputs.reported.get(tr.pk, set())
    for month in range(1, 13):
        due = milestones.due_at(year, month, cfg)
        if due and not any(milestones.covers(period, due) for period in sent):
            tr.status[p, month - 1] = "overdue"
            note = f"{due} 的工作任务进展逾期未报送（截止 {milestones.deadline(due, cfg)}）"
            tr.notes[p, month - 1] = "；".join(x for x in (note, tr.notes[p, month - 1]) if x)
    tr.status = tr.status.astype(str)


def analyse(
    year: int,
    *,
    ws: Workspace | None = None,
    config: MonitorConfig | None = None,
    count_from: str | None = None,
) -> Analysis:
    """Monitor every target of ``year``'s programme for every unit and month, counting what
    ``count_from`` says (default: the rules file's ``count_from``)."""
    cfg = config or default_config()
    basis = counting.level(count_from or cfg.count_from)
    prog = programme.load(year)
    catalogue = programme.indicators()
    with store.session(database_url(ws)) as session:
        pks = dict(
            session.execute(
                select(t.Target.target_id, t.Target.id).where(t.Target.year == year)
            ).all()
        )
        if not pks:
            raise ZhuanshengError(
                f"数据库中没有 {year} 年的工作要点目标，"
                "请先运行 zhuansheng db seed（或 zhuansheng demo build）"
            )
        units = load_units(session)
        loader = Loader(session, year, units.counties, basis, cfg.case_counts_from)
        series = loader.series([catalogue[i] for i in sorted(prog.indicator_ids())])
        reports = MilestoneInputs(
            year, milestone_reports(session, year), milestone_reported(session, year)
        )
        allocations = _allocations(session)
        aggregates = {k: aggregate(s, units) for k, s in series.items()}
        results = []
        for tr in prog.targets():
            pk = pks.get(tr.id)
            if pk is None:
                raise ZhuanshengError(f"目标 {tr.id} 不在数据库中，请重新运行 zhuansheng db seed")
            results.append(
                _evaluate(
                    tr,
                    pk,
                    allocations.get(pk, {}),
                    units,
                    series,
                    aggregates,
                    reports,
                    cfg,
                )
            )
    return Analysis(year, units, results, cfg, aggregates, basis)


def _evaluate(
    tr: TargetRow,
    pk: int,
    alloc: dict[str, float],
    units: UnitSet,
    series: dict[str, Series],
    aggregates: dict[str, Aggregate],
    reports: MilestoneInputs,
    cfg: MonitorConfig,
) -> TargetResult:
    n = len(units.units)
    target_value, sources = _targets(tr, alloc, units)
    result = TargetResult(
        target=tr,
        pk=pk,
        applicable=np.ones(n, dtype=bool),
        actual=np.full((n, 12), np.nan),
        target_value=target_value,
        target_source=sources,
        status=np.full((n, 12), "no_data"),
    )
    if tr.kind == "milestone" or tr.indicator is None:
        _milestone(result, reports, units, cfg)
        if tr.indicator in aggregates:  # a register the task is followed by (重大项目库)
            result.actual = aggregates[tr.indicator].value[:, 12:]
        return result
    s = series[tr.indicator]
    if s.indicator.reported_by == "province":
        result.applicable = np.array([u.code == PROVINCE_CODE for u in units.units])
    agg = aggregates[tr.indicator]
    result.reporting = agg.reporting_rate[:, 12:]
    tol = _tolerance(tr)
    if tr.kind in rules.ADDITIVE_KINDS:
        _additive(result, agg, s.indicator, tol, cfg)
    elif tr.kind in rules.RATE_KINDS:
        _rate(result, s, units, cfg)
    elif tr.kind == "share_about":
        _share(result, s, units, tol, cfg)
    elif tr.kind == "relative" and tr.compare_to:
        _relative(result, s, series[tr.compare_to], units, cfg)
        other = aggregates[tr.compare_to].reporting_rate[:, 12:]
        result.reporting = np.minimum(result.reporting, other)
    result.extra["tolerance"] = tol
    if s.indicator.source == "cases":  # the rule text says what the cases count
        result.extra["basis"] = counting.case_basis_zh(cfg.case_counts_from)
    if s.reported is not None:  # a reported statistic: registers are complete by nature
        _coverage(result, units, cfg)
    return result


def _coverage(result: TargetResult, units: UnitSet, cfg: MonitorConfig) -> None:
    """How many counties reported to each unit, and no colour for a total over several counties
    that fewer than ``coverage_threshold`` of them reported to (registers and direct figures
    have a rate of 1: nothing is withheld)."""
    if result.reporting is None:
        return
    expected = units.membership.sum(axis=1)[:, None]
    result.reported = np.rint(result.reporting * expected).astype(int)
    rated = [k for k, v in cfg.statuses.items() if v.colour != "grey"]
    thin = (
        (expected > 1)
        & (result.reporting < cfg.coverage_threshold - 1e-9)
        & np.isin(result.status, rated)
    )
    result.status = np.where(thin, INSUFFICIENT_COVERAGE, result.status)


def unit(analysis: Analysis, code: str) -> ReportingUnit:
    try:
        return analysis.units.units[analysis.units.index(code)]
    except KeyError:
        raise ZhuanshengError(
            f"未知的地区或分组代码 '{code}'"
            "（应为行政区划代码、mountain26、pilots 或试点编号如 P01）"
        ) from None
