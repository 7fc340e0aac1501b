"""The raw matrices a scheme scores: regions × indicators of values ``x`` and own targets ``t``.

Cities and counties take their figures from the monthly monitoring analysis at the period's last
month (1—6月 for 2022Q2). A pilot is scored on its own industry in its county, computed from the
enterprise facts in the lake: the same ratios the engine's county roll-ups use (Σ numerator ÷
Σ denominator over above-scale firms), restricted to the pilot's industry codes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

import numpy as np
from sqlalchemy import exists, select

from zhuansheng import lake, monitor, programme, store
from zhuansheng.errors import ZhuanshengError
from zhuansheng.periods import Period
from zhuansheng.store import tables as t
from zhuansheng.workspace import Workspace, database_url, resolve

from .scheme import Adjustment, Indicator, Scheme

RATE_KINDS = ("growth_pct", "decline_pct", "level", "share_about", "relative")


class NoData(ZhuanshengError):
    """The period has nothing to score (e.g. the previous period of the first one)."""


@dataclass
class Inputs:
    regions: list[str]
    names: list[str]
    x: np.ndarray  # regions × indicators, NaN where missing
    t: np.ndarray  # regions × indicators, each region's own target (NaN: none)
    bonus: np.ndarray  # regions × bonus items: the value each item multiplies
    penalties: np.ndarray  # regions × penalty items
    synthetic: bool
    notes: list[str] = field(default_factory=list)


def _analysis(year: int, ws: Workspace | None) -> monitor.Analysis:
    # keyed by the workspace itself, so another configured database is another analysis
    return _analysis_of(year, resolve(ws))


@cache
def _analysis_of(year: int, ws: Workspace) -> monitor.Analysis:
    return monitor.analyse(year, ws=ws)


def clear_cache() -> None:
    """Forget the monitoring analyses read so far (after the store changed)."""
    _analysis_of.cache_clear()


def _synthetic_store(ws: Workspace | None) -> bool:
    with store.session(database_url(ws)) as s:
        return bool(s.scalar(select(exists().where(t.Observation.synthetic.is_(True)))))


def _row_value(row: monitor.ProgressRow, measure: str) -> tuple[float, float]:
    """(x, t) of a monitoring row: the actual and its own target, or the pace against 1.

    Pace is the monitoring's own measure of being on schedule (methods: monitoring): for an
    additive target the pace ratio r = c ÷ s (completion ÷ schedule; the completion c when no
    schedule is due yet), for a rate target the progress ratio R — growth and decline R = a ÷ T,
    a level R = (current − last December) ÷ (target − last December). Never actual ÷ target
    for a rate: a level region that stood still would score its whole base. Without R (no
    base-year value) the indicator is missing, scored by the scheme's ``missing`` rule.

    A decline target's actual is the change (−6 = fell 6 %), so x is its negative: the decline
    achieved, comparable with the target decline."""
    nan = float("nan")
    if measure == "pace":
        if row.kind in RATE_KINDS:
            ratio = row.progress_ratio
        else:
            ratio = row.pace if row.pace is not None else row.completion
        return (nan if ratio is None else ratio), 1.0
    x = nan if row.actual is None else row.actual
    if row.kind == "decline_pct":
        x = -x
    return x, (nan if row.target_value is None else row.target_value)


def _adjust_values(
    items: list[Adjustment], level: str, regions: list[str], rows: list[monitor.ProgressRow]
) -> np.ndarray:
    by_key = {(r.target, r.region): r for r in rows}
    out = np.zeros((len(regions), len(items)))
    for j, item in enumerate(items):
        if level not in item.levels:
            continue
        for i, code in enumerate(regions):
            if item.target is not None:
                row = by_key.get((item.target, code))
                out[i, j] = row.actual if row is not None and row.actual is not None else 0.0
            else:
                colours = set(item.colours or [])
                out[i, j] = sum(1 for r in rows if r.region == code and r.colour in colours)
    return out


def from_monitor(
    scheme: Scheme, level: str, period: Period, ws: Workspace | None, synthetic: bool | None = None
) -> Inputs:
    try:
        analysis = _analysis(period.year, ws)
    except ZhuanshengError as exc:
        raise NoData(str(exc)) from exc
    m = monitor.Monitor(analysis, Period(period.year, period.month, "month"))
    rows = [r for r in m.rows(level=level) if r.level == level]
    regions = list(dict.fromkeys(r.region for r in rows))
    names = {r.region: r.region_name for r in rows}
    inds = scheme.indicators_for(level)
    by_key = {(r.target, r.region): r for r in rows}
    x = np.full((len(regions), len(inds)), np.nan)
    tv = np.full_like(x, np.nan)
    for j, ind in enumerate(inds):
        for i, code in enumerate(regions):
            row = by_key.get((ind.target, code))
            if row is not None:
                x[i, j], tv[i, j] = _row_value(row, ind.measure)
    if np.isnan(x).all():
        raise NoData(f"{period.label_zh}没有可评价的数据")
    return Inputs(
        regions,
        [names[c] for c in regions],
        x,
        tv,
        _adjust_values(scheme.bonus, level, regions, rows),
        _adjust_values(scheme.penalties, level, regions, rows),
        _synthetic_store(ws) if synthetic is None else synthetic,
    )


# -- pilots: their own industry from the enterprise facts ------------------------------------


def _pilots(ws: Workspace | None) -> list[tuple[str, str, str, tuple[str, ...]]]:
    """(pilot id, label, county, industry code prefixes) of the pilots in the store."""
    with store.session(database_url(ws)) as s:
        names = dict(s.execute(select(t.Region.code, t.Region.name_zh)).all())
        out = []
        for p in s.scalars(select(t.Pilot).order_by(t.Pilot.pilot_id)):
            label = f"{names.get(p.county_code, p.county_code)}·{p.industry_name}"
            if p.demo_only:
                label += "（示意）"
            out.append((p.pilot_id, label, p.county_code, tuple(p.industry_codes)))
    if not out:
        raise ZhuanshengError("数据库中没有试点名单，请先运行 zhuansheng db seed（或 demo build）")
    return out


def pilot_figures(
    pilots: list[tuple[str, str, str, tuple[str, ...]]], year: int
) -> dict[str, dict[str, float]]:
    """figure → pilot id → value for ``year``: the engine's roll-up ratios over the firms of the
    pilot's county whose industry code starts with one of the pilot's codes."""
    import ibis

    from zhuansheng.engine import rollups
    from zhuansheng.engine.loader import load_default

    con = lake.connect()
    facts = lake.facts(con, years=[year])
    keys = ibis.memtable(
        {
            "pilot_id": [p[0] for p in pilots for _ in p[3]],
            "pilot_county": [p[2] for p in pilots for _ in p[3]],
            "prefix": [c for p in pilots for c in p[3]],
        }
    )
    joined = facts.join(keys, facts.county_code == keys.pilot_county)
    joined = joined.filter(joined.industry_code.startswith(joined.prefix))
    # Relabel each firm with its pilot, so the county roll-up groups by pilot instead.
    cols = {c: joined[c] for c in facts.columns}
    cols["county_code"] = joined.pilot_id
    labelled = joined.select(**cols).distinct()
    energy = load_default("carbon").method
    sums = rollups.county_sums(labelled, year, energy, None).to_pyarrow().to_pylist()  # type: ignore[arg-type]
    out: dict[str, dict[str, float]] = {}
    for kind in ("mujun", "carbon"):
        for figure, per in rollups.figures(sums, kind).items():
            out[figure] = {k: v[0] for k, v in per.items()}
    return out


def _facts_value(ind: Indicator, now: dict[str, dict[str, float]], before: dict, pid: str) -> float:
    cur = now.get(ind.figure or "", {}).get(pid)
    if ind.measure == "level":
        return np.nan if cur is None else cur
    prev = before.get(ind.figure or "", {}).get(pid)
    if cur is None or prev is None or prev == 0:
        return np.nan
    change = (cur / prev - 1.0) * 100.0
    return -change if ind.measure == "decline" else change


def from_facts(scheme: Scheme, period: Period, ws: Workspace | None) -> Inputs:
    pilots = _pilots(ws)
    year = period.year
    on_disk = {p.year: p.synthetic for p in lake.lake_info()}
    inds = scheme.indicators_for("pilot")
    needs_before = any(i.measure != "level" for i in inds)
    if year not in on_disk or (needs_before and year - 1 not in on_disk):
        have = "、".join(map(str, sorted(on_disk))) or "无"
        wanted = f"{year - 1} 和 {year}" if needs_before else str(year)
        raise NoData(f"试点评价需要数据湖中 {wanted} 年的企业数据；现有年度：{have}")
    now = pilot_figures(pilots, year)
    before = pilot_figures(pilots, year - 1) if needs_before else {}
    targets = {tr.id: tr.value for tr in programme.load(scheme.year).targets()}
    x = np.array([[_facts_value(i, now, before, p[0]) for i in inds] for p in pilots])
    goal = [np.nan if targets.get(i.target) is None else float(targets[i.target]) for i in inds]  # type: ignore[arg-type]
    tv = np.tile(np.array(goal), (len(pilots), 1))
    bonus = np.zeros((len(pilots), len(scheme.bonus)))
    penalties = np.zeros((len(pilots), len(scheme.penalties)))
    note = (
        f"试点按本行业规上企业 {year} 年数据评价（企业数据为年度数据"
        + ("，增幅与上年比较" if needs_before else "")
        + "），目标值取工作要点全省目标"
    )
    return Inputs(
        [p[0] for p in pilots],
        [p[1] for p in pilots],
        x,
        tv,
        bonus,
        penalties,
        on_disk[year],
        [note],
    )


def inputs(scheme: Scheme, level: str, period: Period, ws: Workspace | None) -> Inputs:
    if level == "pilot":
        return from_facts(scheme, period, ws)
    return from_monitor(scheme, level, period, ws)
