"""Region roll-ups of a run, for monitoring: county observations and province/city summaries.

Ratios are Σ numerator / Σ denominator over the above-scale firms of the region (as the indicator
catalogue defines them), never an average of firm ratios. Observations are written per county
only, for the catalogue's indicators: the monitor adds county figures up to cities and the
province itself, and a city figure recorded beside its counties would be counted twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

import ibis

from zhuansheng import reference

from .common import with_keys
from .energy import negative_code, tce
from .schema import CarbonMethod

if TYPE_CHECKING:
    import ibis.expr.types as ir


@dataclass(frozen=True)
class Rollup:
    indicator: str
    numerator: str  # a summed column of :func:`county_sums`
    denominator: str
    to_unit: float  # numerator and denominator scaled to the catalogue's units (万元 → 亿元)
    scale: float  # 100 for a percentage


# Each pair is summed over the same firms: those with both parts present and valid, so a firm
# missing one part drops out of the ratio instead of weighing on one side only.
ROLLUPS: dict[str, tuple[Rollup, ...]] = {
    "carbon": (Rollup("energy_intensity", "tce", "va_energy", 1.0, 1.0),),
    "mujun": (
        Rollup("tax_per_mu", "tax", "land_tax", 1.0, 1.0),
        Rollup("va_per_mu", "va_land", "land_va", 1.0, 1.0),
        Rollup("rd_intensity", "rd", "revenue_rd", 1e-4, 100.0),
        Rollup("trad_share", "trad_va", "va", 1e-4, 100.0),
    ),
    "screen": (),
}


@cache
def _traditional_branches() -> tuple[tuple[int, str, bool], ...]:
    """(code length, code, traditional) from the most specific entry to the least."""
    rows = [(len(i.code), i.code, i.traditional) for i in reference.industries()]
    return tuple(sorted(rows, key=lambda r: -r[0]))


def traditional(t: ir.Table) -> ir.BooleanValue:
    """Zhejiang traditional manufacturing, the most specific reference entry deciding."""
    pairs = [
        (t.industry_code.substr(0, n) == code, ibis.literal(flag))
        for n, code, flag in _traditional_branches()
    ]
    return ibis.cases(*pairs, else_=False)


def county_sums(
    facts: ir.Table, year: int, energy: CarbonMethod | None, convention: str | None
) -> ir.Table:
    """Per county: sums over above-scale firms of the figures the roll-ups divide."""
    t = with_keys(facts.filter((facts.year == year) & (facts.scale == "above")))
    land_ok = (t.land_mu > 0).fill_null(False)
    va_ok = t.value_added_wan.notnull()
    tax_land = land_ok & t.tax_wan.notnull()
    va_land = land_ok & va_ok
    rd_rev = t.rd_wan.notnull() & (t.revenue_wan > 0).fill_null(False)

    def total(ok: Any, col: Any) -> Any:
        return ibis.ifelse(ok, col, 0.0).sum()

    cols: dict[str, Any] = {
        "tax": total(tax_land, t.tax_wan),
        "land_tax": total(tax_land, t.land_mu),
        "va_land": total(va_land, t.value_added_wan),
        "land_va": total(va_land, t.land_mu),
        "rd": total(rd_rev, t.rd_wan),
        "revenue_rd": total(rd_rev, t.revenue_wan),
        "va": total(va_ok, t.value_added_wan),
        "trad_va": total(va_ok & traditional(t), t.value_added_wan),
        "firms": t.uscc.count(),
    }
    if energy is not None:
        conv = convention or energy.electricity.convention
        ok = negative_code(t).isnull() & t.electricity_kwh.notnull() & va_ok
        cols["tce"] = total(ok, tce(t, energy, year, conv))
        cols["va_energy"] = total(ok, t.value_added_wan)
    return t.group_by("county_code").aggregate(**cols)


def figures(sums: list[dict[str, Any]], kind: str) -> dict[str, dict[str, tuple[float, ...]]]:
    """indicator → county → (value, numerator, denominator) in the catalogue's units."""
    out: dict[str, dict[str, tuple[float, ...]]] = {}
    for r in ROLLUPS[kind]:
        per: dict[str, tuple[float, ...]] = {}
        for row in sums:
            num, den = row.get(r.numerator), row.get(r.denominator)
            if num is None or not den:
                continue
            num, den = float(num) * r.to_unit, float(den) * r.to_unit
            per[row["county_code"]] = (num / den * r.scale, num, den)
        out[r.indicator] = per
    return out


def totals(sums: list[dict[str, Any]], kind: str, key: Any = None) -> dict[str, float | None]:
    """Figures of a set of counties (all by default): Σ over the counties, then divided."""
    agg: dict[str, float] = {}
    for row in sums:
        if key is not None and not key(row["county_code"]):
            continue
        for k, v in row.items():
            if k != "county_code" and v is not None:
                agg[k] = agg.get(k, 0.0) + float(v)
    out: dict[str, float | None] = {}
    for r in ROLLUPS[kind]:
        num, den = agg.get(r.numerator), agg.get(r.denominator)
        out[r.indicator] = (num / den * r.scale) if num is not None and den else None
    return out


def city_of(county: str) -> str:
    try:
        return reference.region(county).parent_code or county[:4] + "00"
    except Exception:  # a county code outside the reference (only via --input)
        return county[:4] + "00"


__all__ = ["ROLLUPS", "Rollup", "city_of", "county_sums", "figures", "totals", "traditional"]
