"""亩均效益综合评价 (per-mu efficiency evaluation) as Ibis expressions.

For each item of the enterprise's indicator set (规上 / 规下): value = Σ-free ratio of two
inputs × multiplier; benchmark (fixed, group mean Σnum/Σden, or a multiple of last year's group
mean); ratio = value / benchmark, capped; points = weight × ratio. A missing item follows the
method's rule (no class, zero, or the evaluation group's average points on that item).
score = Σ points + bonus − deduction (each capped), rounded; rank within the evaluation group;
class by rank band or score cut-off. Vetoed firms take the veto class and rank last; exempt firms
are not evaluated. Every intermediate figure is an output column, so every class is explainable.

Ties: firms with the same rounded score are compared on the ``tie_break`` items (higher first);
firms still equal share the same rank (standard competition ranking) and hence the same class.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import ibis

from . import years
from .common import Reasons, isin, positive, ratio, reason_zh
from .energy import negative_code, tce
from .schema import (
    ENERGY_COLUMNS,
    NUMERIC_COLUMNS,
    CarbonMethod,
    FixedBenchmark,
    GroupMeanBenchmark,
    Item,
    LastYearBenchmark,
    MujunMethod,
    RankClasses,
)

if TYPE_CHECKING:
    import ibis.expr.types as ir

ID_COLUMNS = (
    "uscc",
    "name",
    "county_code",
    "city_code",
    "industry_code",
    "industry_group",
    "scale",
    "year",
)
ITEM_PARTS = ("value", "benchmark", "ratio", "capped", "points", "imputed")
NULL_F = ibis.null("float64")


def output_columns(method: MujunMethod) -> list[str]:
    items = [f"{i}_{p}" for i in method.item_ids() for p in ITEM_PARTS]
    return [
        "land_mu",
        "mujun_tce",
        "eval_group",
        *items,
        "base_points",
        "bonus",
        "deduction",
        "adjustments",
        "vetoed",
        "mujun_score",
        "mujun_rank",
        "mujun_group_size",
        "mujun_class",
        "mujun_band",
        "mujun_reason",
        "mujun_reason_zh",
        "mujun_method",
        "mujun_fallback",
    ]


def reason_codes(method: MujunMethod) -> list[str]:
    """Every code ``mujun_reason`` can hold, in priority order."""
    used = _used_columns(method)
    required = [q for s in method.sets.values() for q in s.required]
    # an item with the group-average rule has no class either when nobody in the group has it
    no_class = [
        i.id
        for s in method.sets.values()
        for i in s.items
        if i.missing in ("no_class", "group_average")
    ]
    return [
        *(f"exempt:{e.id}" for e in method.exemptions),
        "unknown_industry",
        "out_of_scope",
        "missing:land_mu",
        *(f"negative:{c}" for c in used),
        *(f"missing:{q}" for q in dict.fromkeys(required)),
        *(f"missing_item:{i}" for i in dict.fromkeys(no_class)),
        *(f"benchmark_unavailable:{i}" for i in method.item_ids()),
    ]


def _used_columns(method: MujunMethod) -> list[str]:
    cols: list[str] = []
    for s in method.sets.values():
        for q in [*s.required, *(x for i in s.items for x in (i.numerator, i.denominator))]:
            cols += list(ENERGY_COLUMNS) if q == "tce" else [q]
    return [c for c in dict.fromkeys(cols) if c in NUMERIC_COLUMNS]


def industry_group(t: ir.Table, method: MujunMethod) -> ir.StringValue:
    groups = method.industry_groups
    if groups is None:
        return ibis.null("string")
    pairs = [(t.industry_division.isin(g.divisions), g.id) for g in groups.groups]
    return ibis.cases(*pairs, else_=groups.default)


def _quantity(t: ir.Table, name: str) -> ir.NumericValue:
    return t.mujun_tce if name == "tce" else t[name].cast("float64")


def _value(t: ir.Table, item: Item) -> ir.FloatingValue:
    return ratio(_quantity(t, item.numerator), _quantity(t, item.denominator)) * item.multiplier


def prepare(
    t: ir.Table,
    method: MujunMethod,
    energy: CarbonMethod,
    year: int,
) -> ir.Table:
    """Industry group, this method's energy figure (its own electricity convention) and the
    first negative input it uses (``_m_neg``): what the method needs of the energy inputs."""
    conv = method.energy.electricity_convention
    valid = negative_code(t).isnull() & t.electricity_kwh.notnull()
    # Energy is computed only when an item uses it (its coefficients may not cover every year).
    energy_tce = NULL_F
    if years.uses_tce(method):
        energy_tce = ibis.ifelse(valid, tce(t, energy, year, conv), NULL_F)
    return t.mutate(
        industry_group=industry_group(t, method),
        mujun_tce=energy_tce,
        _m_neg=negative_code(t, tuple(_used_columns(method))),
    )


def _in_scope(t: ir.Table, method: MujunMethod) -> ir.BooleanValue:
    ok = t.scale.isin(list(method.scope.scales)) & (t.land_mu > 0)
    if "below" in method.scope.scales:
        ok = ok & ~((t.scale == "below") & (t.land_mu < method.scope.below_min_land_mu))
    return ok.fill_null(False)


def _last_year_benchmarks(
    t: ir.Table,
    previous: ir.Table | None,
    method: MujunMethod,
    energy: CarbonMethod,
    year: int,
) -> ir.Table:
    """Joins ``_ly_<scale>_<item>``: last year's group mean × factor, per benchmark group."""
    wanted = [
        (scale, item)
        for scale, s in method.sets.items()
        for item in s.items
        if isinstance(item.benchmark, LastYearBenchmark)
    ]
    if not wanted:
        return t
    if previous is None:
        from zhuansheng.errors import ZhuanshengError

        raise ZhuanshengError(
            f"方法 {method.id} 以上年平均为基准值，须提供 {year - 1} 年的企业数据 "
            "(last year's facts are needed for last-year benchmarks)"
        )
    p = prepare(previous, method, energy, year - 1)
    base_ok = p.known_industry & _in_scope(p, method) & negative_code(p).isnull()
    by_over: dict[tuple[str, ...], list[tuple[str, Item]]] = {}
    for scale, item in wanted:
        by_over.setdefault(tuple(item.benchmark.over), []).append((scale, item))
    for over, items in by_over.items():
        aggs = {}
        for scale, item in items:
            s = method.sets[scale]
            ok = base_ok & (p.scale == scale) & _value(p, item).notnull()
            for q in s.required:
                ok = ok & (_quantity(p, q) > 0)
            num = ibis.ifelse(ok, _quantity(p, item.numerator), NULL_F).sum()
            den = ibis.ifelse(ok, _quantity(p, item.denominator), NULL_F).sum()
            aggs[f"_ly_{scale}_{item.id}"] = ratio(num, den) * (
                item.multiplier * item.benchmark.factor
            )
        agg = p.group_by(list(over)).aggregate(**aggs) if over else p.aggregate(**aggs)
        t = t.left_join(agg, list(over)) if over else t.cross_join(agg)
    return t


def with_mujun(
    t: ir.Table,
    method: MujunMethod,
    energy: CarbonMethod,
    year: int,
    *,
    adjustments: ir.Table | None = None,
    previous: ir.Table | None = None,
    prepared: bool = False,
) -> ir.Table:
    """``t`` (one year's facts with keys) plus the 亩均 columns of :func:`output_columns`.

    ``adjustments`` is :func:`events.adjustments_table` as an Ibis table; ``previous`` last
    year's facts with keys (needed only for last-year benchmarks). ``prepared``: ``t`` has
    been through :func:`prepare` already.
    """
    if not prepared:
        t = prepare(t, method, energy, year)
    if adjustments is not None:
        t = t.left_join(adjustments, "uscc")
    t = _last_year_benchmarks(t, previous, method, energy, year)
    pairs = [(sc, i) for sc, s in method.sets.items() for i in s.items]
    fixed = {
        (sc, i.id): years.fixed_benchmark(method, sc, i.id, i.benchmark, year)[0]
        for sc, i in pairs
        if isinstance(i.benchmark, FixedBenchmark)
    }
    # Each stage is one projection and refers to the columns of the stage before: the query
    # stays shallow and every figure is computed once.
    t = _values_and_reasons(t, method, pairs)
    t = _group_benchmarks(t, pairs)
    t = _points(t, pairs, fixed)
    t = _missing_items(t, method, pairs)
    t = _score(t, method, pairs, fixed)
    fallback = years.column_text(years.mujun_fallbacks(method, energy, year))
    return _classify(t, method).mutate(mujun_fallback=ibis.literal(fallback, type="string"))


Pairs = list[tuple[str, Item]]  # (scale, item) for every item of every indicator set
Fixed = dict[tuple[str, str], float]  # (scale, item id) → the year's fixed benchmark

# What a firm without events has. A run without an events table uses these constants directly
# rather than as columns, which every window of the query would otherwise carry.
_NO_EVENT = {
    "bonus_raw": (0.0, "float64"),
    "deduction_raw": (0.0, "float64"),
    "vetoed": (False, "boolean"),
    "exempt_id": (None, "string"),
    "exempt_class": (None, "string"),
    "adjustments": (None, "string"),
}


def _has_events(t: ir.Table) -> bool:
    return "vetoed" in t.columns


def _event(t: ir.Table, name: str) -> ir.Value:
    if name in t.columns:
        return t[name]
    value, dtype = _NO_EVENT[name]
    return ibis.literal(value, type=dtype)


def _values_and_reasons(t: ir.Table, method: MujunMethod, pairs: Pairs) -> ir.Table:
    """1. Item values, and the reasons that exclude a firm before any group figure is computed."""
    events = {}
    if _has_events(t):  # firms without a row in the events table have none
        events = {
            "bonus_raw": t.bonus_raw.fill_null(0.0),
            "deduction_raw": t.deduction_raw.fill_null(0.0),
            "vetoed": t.vetoed.fill_null(False),
            "exempt_id": t.exempt_id.nullif(""),
            "exempt_class": t.exempt_class.nullif(""),
            "adjustments": t.adjustments.nullif(""),
        }
    t = t.mutate(
        _m_scope=_in_scope(t, method),
        **events,
        **{f"_v_{sc}_{i.id}": _value(t, i) for sc, i in pairs},
    )
    r = Reasons()
    if _has_events(t):
        r.add(t.exempt_id.notnull(), ibis.literal("exempt:").concat(t.exempt_id))
    r.add(~t.known_industry, "unknown_industry")
    r.add(~isin(t.scale, method.scope.scales), "out_of_scope")
    r.add(~positive(t.land_mu), "missing:land_mu")
    r.add(~t._m_scope, "out_of_scope")
    r.add(t._m_neg.notnull(), t._m_neg)
    for sc, s in method.sets.items():
        for q in s.required:
            r.add((t.scale == sc) & ~positive(_quantity(t, q)), f"missing:{q}")
    for sc, i in pairs:
        if i.missing == "no_class":
            r.add((t.scale == sc) & t[f"_v_{sc}_{i.id}"].isnull(), f"missing_item:{i.id}")
    return t.mutate(_m_pre=r.code())


def _benchmark(t: ir.Table, sc: str, i: Item, fixed: Fixed) -> ir.FloatingValue:
    """Fixed (the year's value, a literal), group mean (a window, see
    :func:`_group_benchmarks`) or last year's group mean (joined by
    :func:`_last_year_benchmarks`)."""
    b = i.benchmark
    if isinstance(b, LastYearBenchmark):
        return t[f"_ly_{sc}_{i.id}"]
    if isinstance(b, GroupMeanBenchmark):
        return t[f"_b_{sc}_{i.id}"]
    return ibis.literal(fixed[(sc, i.id)], type="float64")


def _group_benchmarks(t: ir.Table, pairs: Pairs) -> ir.Table:
    """2. Group means: Σ numerator / Σ denominator over the firms evaluated on the item."""
    windows = {}
    for sc, i in pairs:
        b = i.benchmark
        if isinstance(b, GroupMeanBenchmark):
            ok = t._m_pre.isnull() & (t.scale == sc) & t[f"_v_{sc}_{i.id}"].notnull()
            w = ibis.window(group_by=[t.scale, *(t[k] for k in b.over)])
            num = ibis.ifelse(ok, _quantity(t, i.numerator), NULL_F).sum().over(w)
            den = ibis.ifelse(ok, _quantity(t, i.denominator), NULL_F).sum().over(w)
            windows[f"_b_{sc}_{i.id}"] = ratio(num, den) * (i.multiplier * b.factor)
    return t.mutate(**windows) if windows else t


def _points(t: ir.Table, pairs: Pairs, fixed: Fixed) -> ir.Table:
    """3. Ratios, caps and raw points; an item present without any benchmark is a reason."""
    raw = {}
    r2 = []
    for sc, i in pairs:
        v, b = t[f"_v_{sc}_{i.id}"], _benchmark(t, sc, i, fixed)
        rt = ratio(v, b)
        # (not ibis.least: LEAST skips NULLs, and a missing ratio must stay missing)
        used = rt if i.cap is None else ibis.ifelse(rt > i.cap, i.cap, rt).cast("float64")
        raw[f"_r_{sc}_{i.id}"] = rt
        raw[f"_p_{sc}_{i.id}"] = used * i.weight
        # Σ numerator 0 (nobody in the group has any) gives benchmark 0: 0 points, no reason.
        if not isinstance(i.benchmark, FixedBenchmark):
            unusable = (t.scale == sc) & v.notnull() & b.isnull()
            r2.append((unusable, f"benchmark_unavailable:{i.id}"))
    reason = ibis.cases(*r2, else_=t._m_pre) if r2 else t._m_pre
    return t.mutate(**raw, mujun_reason=ibis.ifelse(t._m_pre.isnull(), reason, t._m_pre))


def _missing_items(t: ir.Table, method: MujunMethod, pairs: Pairs) -> ir.Table:
    """4. Missing items: zero, or the evaluation group's average points on the item."""
    ok = t.mujun_reason.isnull()
    group_w = ibis.window(group_by=[t.scale, *(t[k] for k in method.groups)])
    averaged = [(sc, i) for sc, i in pairs if i.missing == "group_average"]
    if averaged:  # each group average once, in its own projection, then used twice below
        t = t.mutate(
            **{
                f"_a_{sc}_{i.id}": ibis.ifelse(
                    ok & (t.scale == sc) & t[f"_p_{sc}_{i.id}"].notnull(),
                    t[f"_p_{sc}_{i.id}"],
                    NULL_F,
                )
                .mean()
                .over(group_w)
                for sc, i in averaged
            }
        )
        ok = t.mujun_reason.isnull()
    final = {}
    no_group_data = []  # nobody in the group has the item: say so rather than give 0 points
    for sc, i in pairs:
        p = t[f"_p_{sc}_{i.id}"]
        if i.missing == "group_average":
            avg = t[f"_a_{sc}_{i.id}"]
            final[f"_f_{sc}_{i.id}"] = p.coalesce(avg, 0.0)
            no_group_data.append(
                (ok & (t.scale == sc) & p.isnull() & avg.isnull(), f"missing_item:{i.id}")
            )
        else:
            final[f"_f_{sc}_{i.id}"] = p.fill_null(0.0)
    if no_group_data:
        final["mujun_reason"] = ibis.cases(*no_group_data, else_=t.mujun_reason)
    return t.mutate(**final)


def _item_columns(
    t: ir.Table, method: MujunMethod, pairs: Pairs, fixed: Fixed
) -> dict[str, ir.Value]:
    """One column per item id across the sets: value, benchmark, ratio, capped, points,
    imputed — what explains a score."""
    is_set = {scale: t.scale == scale for scale in method.sets}
    ok = t.mujun_reason.isnull()
    out = {}
    for iid in method.item_ids():
        owners = [(sc, i) for sc, i in pairs if i.id == iid]

        def pick(get: Any, owners: Pairs = owners) -> ir.Value:
            return ibis.cases(*((is_set[sc], get(sc, i)) for sc, i in owners), else_=NULL_F)

        value = pick(lambda sc, i: t[f"_v_{sc}_{i.id}"])
        out[f"{iid}_value"] = value
        out[f"{iid}_benchmark"] = pick(lambda sc, i: _benchmark(t, sc, i, fixed))
        out[f"{iid}_ratio"] = pick(lambda sc, i: t[f"_r_{sc}_{i.id}"])
        cap_cases = [
            (is_set[sc], (t[f"_r_{sc}_{i.id}"] > i.cap).fill_null(False))
            for sc, i in owners
            if i.cap is not None
        ]
        capped = ibis.cases(*cap_cases, else_=False) if cap_cases else ibis.literal(False)
        owned = ok & t.scale.isin([sc for sc, _ in owners])
        out[f"{iid}_capped"] = ibis.ifelse(owned, capped, ibis.null("boolean"))
        out[f"{iid}_points"] = ibis.ifelse(owned, pick(lambda sc, i: t[f"_f_{sc}_{i.id}"]), NULL_F)
        out[f"{iid}_imputed"] = ibis.ifelse(owned, value.isnull(), ibis.null("boolean"))
    return out


def _score(t: ir.Table, method: MujunMethod, pairs: Pairs, fixed: Fixed) -> ir.Table:
    """5. The per-item columns and the score: Σ points + bonus − deduction, each capped."""
    ok = t.mujun_reason.isnull()
    keys = [t.scale, *(t[k] for k in method.groups)]
    set_sums = []
    for sc, s in method.sets.items():
        total = t[f"_f_{sc}_{s.items[0].id}"]
        for i in s.items[1:]:
            total = total + t[f"_f_{sc}_{i.id}"]
        set_sums.append((t.scale == sc, total))
    base = ibis.cases(*set_sums, else_=NULL_F)
    caps = method.adjustment_caps
    bonus, deduction = _event(t, "bonus_raw"), _event(t, "deduction_raw")
    if caps.bonus is not None:
        bonus = ibis.least(bonus, caps.bonus)
    if caps.deduction is not None:
        deduction = ibis.least(deduction, caps.deduction)
    score = (base + bonus - deduction).round(method.score_decimals).cast("float64")
    return t.mutate(
        **_item_columns(t, method, pairs, fixed),
        base_points=ibis.ifelse(ok, base, NULL_F),
        bonus=ibis.ifelse(ok, bonus, NULL_F),
        deduction=ibis.ifelse(ok, deduction, NULL_F),
        mujun_score=ibis.ifelse(ok, score, NULL_F),
        eval_group=ibis.literal("/").join([k.fill_null("-") for k in keys]),
    )


def _tie_keys(t: ir.Table, method: MujunMethod) -> list[ir.Value]:
    """The k-th key is each set's k-th ``tie_break`` item (higher first, missing last). A
    partition holds one scale, so one key per position serves every set."""
    lists = {sc: s.classes.tie_break for sc, s in method.sets.items()}
    keys = []
    for k in range(max((len(v) for v in lists.values()), default=0)):
        items = {sc: v[k] for sc, v in lists.items() if k < len(v)}
        if len(items) == len(lists) and len(set(items.values())) == 1:
            # the same item in every set: its value column already holds each set's value
            key = t[f"{next(iter(items.values()))}_value"]
        else:
            key = ibis.cases(
                *((t.scale == sc, t[f"{i}_value"]) for sc, i in items.items()), else_=NULL_F
            )
        keys.append(ibis.desc(key.fill_null(-1.0)))
    return keys


def _classify(t: ir.Table, method: MujunMethod) -> ir.Table:
    ok = t.mujun_reason.isnull()
    keys = [t.scale, *(t[k] for k in method.groups)]
    # vetoed firms rank last; without events nobody is vetoed
    order = [ibis.asc(t.vetoed.cast("int8"))] if _has_events(t) else []
    order += [ibis.desc(t.mujun_score), *_tie_keys(t, method)]
    w = ibis.window(group_by=[*keys, ok], order_by=order)
    t = t.mutate(
        mujun_rank=ibis.ifelse(ok, ibis.rank().over(w) + 1, ibis.null("int64")),
        mujun_group_size=ibis.ifelse(
            ok, t.uscc.count().over(ibis.window(group_by=[*keys, ok])), ibis.null("int64")
        ),
    )
    classes, bands = [], []
    for sc, s in method.sets.items():
        c = s.classes
        if isinstance(c, RankClasses):
            lower = 0.0
            for b in c.bands:
                if c.assign == "share_ahead":
                    hit = (t.mujun_rank - 1) * 100 < t.mujun_group_size * b.to_pct
                else:  # r ≤ n·p/100 + ½, integer r: the rounded count, half up
                    hit = t.mujun_rank * 200 <= t.mujun_group_size * (2 * b.to_pct) + 100
                classes.append(((t.scale == sc) & hit, b.class_))
                bands.append(((t.scale == sc) & hit, f"rank {lower:g}–{b.to_pct:g}%"))
                lower = b.to_pct
        else:
            upper = None
            for x in c.cutoffs:
                hit = ibis.literal(True) if x.min_score is None else t.mujun_score >= x.min_score
                label = (
                    f"score ≥ {x.min_score:g}"
                    if x.min_score is not None
                    else (f"score < {upper:g}" if upper is not None else "score")
                )
                classes.append(((t.scale == sc) & hit, x.class_))
                bands.append(((t.scale == sc) & hit, label))
                upper = x.min_score
    by_rank = ibis.cases(*classes, else_=ibis.null("string"))
    band = ibis.cases(*bands, else_=ibis.null("string"))
    final_class, final_band = [(ok, by_rank)], [(ok, band)]
    if _has_events(t):
        # A veto (major accident, false reporting) gives the lowest class to any firm in scope,
        # whatever gaps its data has and even if it applied for exemption.
        vetoed = t.vetoed & t._m_scope
        exempt = t.exempt_id.notnull()
        final_class = [
            (vetoed, ibis.literal(method.veto_class)),
            *final_class,
            (exempt, t.exempt_class),
        ]
        final_band = [
            (vetoed, ibis.literal("veto")),
            *final_band,
            (exempt & t.exempt_class.notnull(), ibis.literal("exempt")),
        ]
    cls = ibis.cases(*final_class, else_=ibis.null("string"))
    band_text = ibis.cases(*final_band, else_=ibis.null("string"))
    return t.mutate(
        vetoed=_event(t, "vetoed"),
        adjustments=_event(t, "adjustments"),
        mujun_class=cls,
        mujun_band=band_text,
        mujun_reason_zh=reason_zh(t.mujun_reason, reason_codes(method)),
        mujun_method=ibis.literal(f"{method.id}@{method.version}"),
    )
