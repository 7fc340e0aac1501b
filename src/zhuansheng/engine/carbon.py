"""Energy and carbon accounting and the 工业碳效码 (carbon-efficiency grade), as Ibis expressions.

Per enterprise-year: tce, CO₂, energy intensity (tce/万元), carbon intensity L (t/万元), the
industry's average L (Σ CO₂ / Σ value added over the firms graded, never a mean of ratios),
K = L / L_industry, grade 1–5 (inclusive upper bounds) and low/medium/high carbon by L. A firm that
cannot be graded keeps every figure that can be computed and gets a reason instead of a grade.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import ibis

from .common import Reasons, isin, positive, ratio, reason_zh, with_keys
from .energy import co2, negative_column, tce
from .schema import ENERGY_COLUMNS, CarbonMethod

if TYPE_CHECKING:
    import ibis.expr.types as ir

OUTPUT_COLUMNS = (
    "electricity_convention",
    "kgce_per_kwh",
    "grid_region",
    "grid_tco2_per_mwh",
    "factor_set",
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
    t: ir.Table, method: CarbonMethod, year: int, convention: str | None = None
) -> ir.Table:
    """``t`` (one year's facts with :func:`common.with_keys`) plus the carbon columns."""
    from .energy import kgce_per_kwh

    conv = convention or method.electricity.convention
    negative = negative_column(t)
    valid_energy = negative.isnull() & t.electricity_kwh.notnull()
    over = t.zero_carbon_kwh.fill_null(0.0) > t.electricity_kwh
    valid_energy = valid_energy & ~over.fill_null(False)
    emissions = co2(t, method, year, conv)
    energy = ibis.ifelse(valid_energy, tce(t, method, year, conv), ibis.null("float64"))
    carbon = ibis.ifelse(valid_energy, emissions.pop("co2_t"), ibis.null("float64"))

    r = Reasons()
    r.add(~t.known_industry, "unknown_industry")
    r.add(~isin(t.scale, method.scope.scales), "out_of_scope")
    r.add(negative.notnull(), "__negative__")  # replaced below by the column's own code
    r.add(t.electricity_kwh.isnull(), "missing:electricity_kwh")
    r.add(over, "zero_carbon_exceeds_electricity")
    r.add(~positive(t.value_added_wan), "missing:value_added_wan")
    pre = r.code()
    pre = ibis.ifelse(pre == "__negative__", ibis.literal("negative:").concat(negative), pre)

    key = t.industry_division if method.industry_average.level == "division" else t.industry_code
    t = t.mutate(
        electricity_convention=ibis.literal(conv),
        kgce_per_kwh=ibis.literal(kgce_per_kwh(method, year, conv)),
        tce=energy,
        co2_t=carbon,
        energy_intensity=ratio(energy, t.value_added_wan),
        carbon_intensity=ratio(carbon, t.value_added_wan),
        industry_key=key,
        _pre=pre,
        **emissions,
    )
    scope = {"all": [], "city": [t.city_code], "county": [t.county_code]}[
        method.industry_average.scope
    ]
    graded = t._pre.isnull()
    window = ibis.window(group_by=[t.industry_key, *scope])
    t = t.mutate(
        _sum_co2=ibis.ifelse(graded, t.co2_t, ibis.null("float64")).sum().over(window),
        _sum_va=ibis.ifelse(graded, t.value_added_wan, ibis.null("float64")).sum().over(window),
        _n=ibis.ifelse(graded, 1, 0).sum().over(window),
    )
    industry_l = ratio(t._sum_co2, t._sum_va)
    no_average = graded & ~(industry_l > 0).fill_null(False)
    code = ibis.ifelse(no_average, "industry_average_unavailable", t._pre)
    ok = code.isnull()
    k = ibis.ifelse(ok, (t.carbon_intensity / industry_l).round(method.decimals), None)
    t = t.mutate(
        industry_carbon_intensity=ibis.ifelse(ok, industry_l, ibis.null("float64")),
        industry_firms=ibis.ifelse(ok, t._n, ibis.null("int64")),
        carbon_ratio=k.cast("float64"),
        carbon_reason=code,
    )
    grades = [(t.carbon_ratio <= b, i) for i, b in enumerate(method.grade_upper_bounds, start=1)]
    grade = ibis.cases(*grades, else_=len(method.grade_upper_bounds) + 1)
    l_rounded = t.carbon_intensity.round(method.decimals)
    levels = [(l_rounded <= b.upper, b.level) for b in method.levels if b.upper is not None]
    level = ibis.cases(*levels, else_=method.levels[-1].level)
    return t.mutate(
        carbon_grade=ibis.ifelse(t.carbon_ratio.notnull(), grade, ibis.null("int64")).cast("int8"),
        carbon_level=ibis.ifelse(t.carbon_intensity.notnull(), level, ibis.null("string")),
        carbon_reason_zh=reason_zh(t.carbon_reason, reason_codes()),
    ).drop("_pre", "_sum_co2", "_sum_va", "_n")


def carbon(
    facts: ir.Table, method: CarbonMethod, year: int, *, convention: str | None = None
) -> ir.Table:
    """The carbon results of ``year``: one row per enterprise, identity then carbon columns."""
    t = with_carbon(with_keys(facts.filter(facts.year == year)), method, year, convention)
    return t.select(*ID_COLUMNS, *OUTPUT_COLUMNS)
