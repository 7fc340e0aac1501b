"""Energy and carbon accounting and the 工业碳效码 (carbon-efficiency grade), as Ibis expressions.

Per enterprise-year: tce, CO₂, energy intensity (tce/万元), carbon intensity L (t/万元), the
industry's average L (Σ CO₂ / Σ value added over the firms graded, never a mean of ratios),
K = L / L_industry, grade 1–5 (inclusive upper bounds) and low/medium/high carbon by L. A firm that
cannot be graded keeps every figure that can be computed and gets a reason instead of a grade.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import ibis

from . import years
from .common import Reasons, isin, positive, ratio, reason_zh
from .energy import co2, kgce_per_kwh, negative_code, tce
from .schema import ENERGY_COLUMNS, CarbonMethod

if TYPE_CHECKING:
    import ibis.expr.types as ir

NULL_F = ibis.null("float64")

OUTPUT_COLUMNS = (
    "electricity_convention",
    "kgce_per_kwh",
    "grid_region",
    "grid_tco2_per_mwh",
    "factor_set",
    "carbon_fallback",
    "tce",
    "co2_t",
    "energy_intensity",
    "carbon_intensity",
    "industry_key",
    "industry_carbon_intensity",
    "industry_firms",
    "carbon_ratio",
    "carbon_grade",
    "carbon_level",
    "carbon_reason",
    "carbon_reason_zh",
)
ID_COLUMNS = ("uscc", "name", "county_code", "city_code", "industry_code", "scale", "year")


def reason_codes() -> list[str]:
    """Every code ``carbon_reason`` can hold, in priority order."""
    return [
        "unknown_industry",
        "out_of_scope",
        *(f"negative:{c}" for c in (*ENERGY_COLUMNS, "zero_carbon_kwh")),
        "missing:electricity_kwh",
        "zero_carbon_exceeds_electricity",
        "missing:value_added_wan",
        "industry_average_unavailable",
    ]


def with_carbon(
    t: ir.Table,
    method: CarbonMethod,
    year: int,
    convention: str | None = None,
    *,
    grades: bool = True,
) -> ir.Table:
    """``t`` (one year's facts with :func:`common.with_keys`) plus the carbon columns.

    Intermediate results are columns (``_c_neg``, ``_c_pre`` …) rather than repeated
    expressions: the compiled query stays small and every figure is computed once. With
    ``grades=False`` the grade, level and reason text are left to :func:`with_grades`, so that a
    longer pipeline can add them after its own windows rather than carry them through.
    """
    conv = convention or method.electricity.convention
    t = t.mutate(
        _c_neg=negative_code(t),
        _c_over=(t.zero_carbon_kwh.fill_null(0.0) > t.electricity_kwh).fill_null(False),
    )
    valid = t._c_neg.isnull() & t.electricity_kwh.notnull() & ~t._c_over
    emissions = co2(t, method, year, conv)
    # A fallback the method file states (grid factor or 等价值), named on every row it touches.
    grid_fb = emissions.pop("grid_fallback")
    kgce_fb = years.equivalent_kgce(method, year)[1] if conv == "equivalent" else None
    if kgce_fb is not None:
        text = ibis.literal(kgce_fb.text())
        emissions["carbon_fallback"] = ibis.ifelse(
            grid_fb.isnull(), text, grid_fb.concat("；").concat(text)
        )
    else:
        emissions["carbon_fallback"] = grid_fb
    r = Reasons()
    r.add(~t.known_industry, "unknown_industry")
    r.add(~isin(t.scale, method.scope.scales), "out_of_scope")
    r.add(t._c_neg.notnull(), t._c_neg)
    r.add(t.electricity_kwh.isnull(), "missing:electricity_kwh")
    r.add(t._c_over, "zero_carbon_exceeds_electricity")
    r.add(~positive(t.value_added_wan), "missing:value_added_wan")
    t = t.mutate(
        electricity_convention=ibis.literal(conv),
        kgce_per_kwh=ibis.literal(kgce_per_kwh(method, year, conv)),
        tce=ibis.ifelse(valid, tce(t, method, year, conv), NULL_F),
        co2_t=ibis.ifelse(valid, emissions.pop("co2_t"), NULL_F),
        industry_key=(
            t.industry_division if method.industry_average.level == "division" else t.industry_code
        ),
        _c_pre=r.code(),
        **emissions,
    )
    graded = t._c_pre.isnull()
    scope = {"all": [], "city": [t.city_code], "county": [t.county_code]}[
        method.industry_average.scope
    ]
    window = ibis.window(group_by=[t.industry_key, *scope])
    # the sums in one projection, their ratio in the next: each window is computed once
    t = t.mutate(
        energy_intensity=ratio(t.tce, t.value_added_wan),
        carbon_intensity=ratio(t.co2_t, t.value_added_wan),
        _c_s_co2=ibis.ifelse(graded, t.co2_t, NULL_F).sum().over(window),
        _c_s_va=ibis.ifelse(graded, t.value_added_wan, NULL_F).sum().over(window),
        _c_n=ibis.ifelse(graded, 1, 0).sum().over(window),
    )
    t = t.mutate(_c_l_ind=ratio(t._c_s_co2, t._c_s_va))
    ok = t._c_pre.isnull() & positive(t._c_l_ind)
    k = ibis.ifelse(ok, (t.carbon_intensity / t._c_l_ind).round(method.decimals), NULL_F)
    reason = ibis.ifelse(
        t._c_pre.isnull() & ~ok, ibis.literal("industry_average_unavailable"), t._c_pre
    )
    # ``_``-prefixed columns are internal; the *_results functions select the outputs.
    t = t.mutate(
        carbon_reason=reason,
        industry_carbon_intensity=ibis.ifelse(ok, t._c_l_ind, NULL_F),
        industry_firms=ibis.ifelse(ok, t._c_n, ibis.null("int64")),
        carbon_ratio=k.cast("float64"),
    )
    return with_grades(t, method) if grades else t


def with_grades(t: ir.Table, method: CarbonMethod) -> ir.Table:
    """The grade from K, the level from L and the reason in Chinese (a firm with K has no
    reason, and one without has a reason)."""
    k = t.carbon_ratio
    bounds = [(k <= b, i) for i, b in enumerate(method.grade_upper_bounds, start=1)]
    grade = ibis.cases(*bounds, else_=len(method.grade_upper_bounds) + 1)
    l_rounded = t.carbon_intensity.round(method.decimals)
    levels = [(l_rounded <= b.upper, b.level) for b in method.levels if b.upper is not None]
    level = ibis.cases(*levels, else_=method.levels[-1].level)
    return t.mutate(
        carbon_grade=ibis.ifelse(k.notnull(), grade, ibis.null("int64")).cast("int8"),
        carbon_level=ibis.ifelse(t.carbon_intensity.notnull(), level, ibis.null("string")),
        carbon_reason_zh=reason_zh(t.carbon_reason, reason_codes()),
    )
