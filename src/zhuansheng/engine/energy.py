"""Energy by carrier → standard coal (tce) and → CO₂, with the coefficients of a carbon method.

A missing fuel figure means the fuel is not used (the contract leaves fuel columns empty for
firms that do not burn them); a missing electricity figure is a data gap and gives a reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import ibis

from . import years
from .schema import ENERGY_COLUMNS, CarbonMethod

if TYPE_CHECKING:
    import ibis.expr.types as ir


@dataclass(frozen=True)
class GridChoice:
    region: str
    tco2_per_mwh: float
    factor_set: str  # how the result names the coefficients it used
    fallback: str | None = None  # the fallback the method file states, when one was followed


def kgce_per_kwh(method: CarbonMethod, year: int, convention: str) -> float:
    """Electricity to standard coal: 当量值 (fixed) or the year's 等价值 (a yearly setting)."""
    if convention == "calorific":
        return method.electricity.calorific_kgce_per_kwh
    return years.equivalent_kgce(method, year)[0]


def grid_choices(method: CarbonMethod, year: int, convention: str) -> dict[str, GridChoice]:
    """Province code prefix → the grid factor used ("" is every other province)."""

    def pick(region: str) -> GridChoice:
        value, key, fallback = years.grid_factor(method, year, region)
        r = key.rsplit("-", 1)[0]
        fs = f"{method.id}@{method.version}/{convention}/{key}"
        return GridChoice(r, value, fs, fallback.text() if fallback else None)

    out = {prefix: pick(region) for prefix, region in method.grid.region_of_province.items()}
    out[""] = pick(method.grid.default_region)
    return out


def _by_province(t: ir.Table, values: dict[str, object], kind: str) -> ir.Value:
    default = ibis.literal(values[""], type=kind)
    pairs = [
        (t.county_code.substr(0, 2) == p, ibis.literal(v, type=kind))
        for p, v in values.items()
        if p
    ]
    return ibis.cases(*pairs, else_=default) if pairs else default


def negative_code(t: ir.Table, columns: tuple[str, ...] = ENERGY_COLUMNS) -> ir.StringValue:
    """``negative:<column>`` for the first of ``columns`` (and zero-carbon electricity) holding a
    negative number; NULL when none does."""
    branches = [
        ((t[c] < 0).fill_null(False), f"negative:{c}")
        for c in (*columns, "zero_carbon_kwh")
        if c in t.columns
    ]
    return ibis.cases(*branches, else_=ibis.null("string"))


def tce(t: ir.Table, method: CarbonMethod, year: int, convention: str) -> ir.FloatingValue:
    """Comprehensive energy use in tce; fuels the firm did not report count as zero."""
    total = t.electricity_kwh.cast("float64") * (kgce_per_kwh(method, year, convention) / 1000.0)
    for column, fuel in method.fuels.items():
        total = total + t[column].fill_null(0.0) * fuel.tce_per_unit
    return total


def co2(t: ir.Table, method: CarbonMethod, year: int, convention: str) -> dict[str, ir.Value]:
    """CO₂ (t) from fuels and grid electricity (zero-carbon own generation deducted), with the
    grid region and the factor-set id used for each row."""
    choices = grid_choices(method, year, convention)
    factor = _by_province(t, {p: c.tco2_per_mwh for p, c in choices.items()}, "float64")
    grid_kwh = t.electricity_kwh.cast("float64")
    if method.grid.deduct_zero_carbon:
        grid_kwh = grid_kwh - t.zero_carbon_kwh.fill_null(0.0)
    total = grid_kwh * factor / 1000.0
    for column, fuel in method.fuels.items():
        total = total + t[column].fill_null(0.0) * fuel.tco2_per_unit
    return {
        "co2_t": total,
        "grid_region": _by_province(t, {p: c.region for p, c in choices.items()}, "string"),
        "grid_tco2_per_mwh": factor,
        "factor_set": _by_province(t, {p: c.factor_set for p, c in choices.items()}, "string"),
        "grid_fallback": _by_province(t, {p: c.fallback for p, c in choices.items()}, "string"),
    }
