"""Monthly year-to-date statistic observations per county (and province-only series).

County figures are the enterprise sample's above-scale aggregates scaled up to the province's
size, so ratios (亩均税收, R&D intensity, energy intensity …) agree with the lake; each county's
months follow the seasonal profile at its own pace, so some are ahead of schedule and some behind.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from zhuansheng import reference
from zhuansheng.reference import PROVINCE_CODE

from .calibration import calibration
from .population import (
    TCE_PER_GJ_HEAT,
    TCE_PER_KWH,
    TCE_PER_M3_GAS,
    TCE_PER_T_COAL,
    TCE_PER_T_DIESEL,
    Geography,
)

MONTHS = range(1, 13)


@dataclass(frozen=True)
class CountyYear:
    """Annual totals of one county's above-scale firms, already scaled to the province's size."""

    va: float
    tax: float
    land: float
    rd: float
    revenue: float
    tce: float
    trad_va: float
    trad_rd: float


def county_totals(
    facts: pa.Table, geo: Geography
) -> tuple[dict[tuple[str, int], CountyYear], float]:
    """Per (county, year) totals and the scale factor from the sample to the province."""
    above = facts.filter(pc.equal(facts["scale"], "above"))
    tce = (
        pc.multiply(above["electricity_kwh"], TCE_PER_KWH).to_numpy()
        + pc.multiply(above["coal_t"], TCE_PER_T_COAL).to_numpy()
        + pc.multiply(above["natural_gas_m3"], TCE_PER_M3_GAS).to_numpy()
        + pc.multiply(above["diesel_t"], TCE_PER_T_DIESEL).to_numpy()
        + pc.multiply(above["heat_gj"], TCE_PER_GJ_HEAT).to_numpy()
    )
    trad = np.array([reference.is_traditional(c) for c in above["industry_code"].to_pylist()])
    va = above["value_added_wan"].to_numpy()
    rd = above["rd_wan"].to_numpy()
    table = pa.table(
        {
            "county_code": above["county_code"],
            "year": above["year"],
            "va": va,
            "tax": above["tax_wan"],
            "land": above["land_mu"],
            "rd": rd,
            "revenue": above["revenue_wan"],
            "tce": tce,
            "trad_va": np.where(trad, va, 0.0),
            "trad_rd": np.where(trad, rd, 0.0),
        }
    )
    fields = ["va", "tax", "land", "rd", "revenue", "tce", "trad_va", "trad_rd"]
    grouped = table.group_by(["county_code", "year"]).aggregate([(f, "sum") for f in fields])
    base_va = pc.sum(pc.filter(table["va"], pc.equal(table["year"], 2021))).as_py()
    k = float(calibration()["province_industrial_va_2021_wan"]) / base_va
    out: dict[tuple[str, int], CountyYear] = {}
    for row in grouped.to_pylist():
        out[(row["county_code"], row["year"])] = CountyYear(
            **{f: row[f"{f}_sum"] * k for f in fields}
        )
    return out, k


def _flow_county(
    rng: np.random.Generator, geo: Geography, annual_2021: float, growth: float
) -> dict[int, np.ndarray]:
    """A province flow (robots, training) split over counties for 2021 and 2022."""
    w = geo.weight * rng.lognormal(0.0, 0.15, len(geo.weight))
    w /= w.sum()
    y2021 = annual_2021 * w
    y2022 = y2021 * (1 + growth + rng.normal(0.0, 0.08, len(w)))
    return {2021: y2021, 2022: y2022}


Row = dict[str, object]


def observations(
    rng: np.random.Generator,
    geo: Geography,
    facts: pa.Table,
    indicator_ids: list[str],
    make_row: Callable[[str, str, str, float, float | None, float | None], Row],
) -> Iterator[Row]:
    """Observations for every statistic indicator the catalogue declares, 2021-01 … 2022-12.

    ``make_row(indicator, region, period, value, numerator, denominator)`` builds one row.
    An indicator the demo cannot produce is an error: the demo must cover the catalogue.
    """
    cal = calibration()
    totals, _ = county_totals(facts, geo)
    stat = cal["statistics"]
    robots = _flow_county(rng, geo, stat["robots"]["annual_2021"], stat["robots"]["growth"])
    training = _flow_county(
        rng,
        geo,
        stat["training_person_times"]["annual_2021"],
        stat["training_person_times"]["growth"],
    )
    missing = _late_reporters(rng, geo)

    def county_value(
        ind: str, i: int, year: int, s: float
    ) -> tuple[float, float | None, float | None] | None:
        code = geo.county_codes[i]
        t = totals.get((code, year))
        if ind == "robots":
            return round(robots[year][i] * s), None, None
        if ind == "training_person_times":
            return round(training[year][i] * s), None, None
        if t is None:  # a county without above-scale firms in the sample
            return None
        if ind == "trad_rd_expense":
            return round(t.trad_rd * s / 1e4, 4), None, None  # 亿元
        # (numerator, denominator, scale) in the catalogue's units: 万元, 亩, 吨标煤, 亿元.
        ratios = {
            "tax_per_mu": (t.tax * s, t.land, 1),
            "va_per_mu": (t.va * s, t.land, 1),
            "rd_intensity": (t.rd * s / 1e4, t.revenue * s / 1e4, 100),
            "energy_intensity": (t.tce * s, t.va * s, 1),
            "trad_share": (t.trad_va * s / 1e4, t.va * s / 1e4, 100),
        }
        if ind not in ratios:
            msg = f"演示数据不能生成统计指标 '{ind}' (no demo generator for it)"
            raise ValueError(msg)
        num, den, scale = ratios[ind]
        # The value is computed from the stored parts so that re-aggregation reproduces it.
        num, den = round(num, 4), round(den, 4)
        return num / den * scale, num, den

    for ind in indicator_ids:
        if ind in ("mfg_mid_long_loan", "total_loan"):
            yield from _loans(ind, stat[ind], make_row)
            continue
        for year in (2021, 2022):
            for m in MONTHS:
                period = f"{year}-{m:02d}"
                for i, code in enumerate(geo.county_codes):
                    if code in missing.get(period, ()):
                        continue
                    s = float(geo.schedule[i, m - 1])
                    result = county_value(ind, i, year, s)
                    if result is not None:
                        yield make_row(ind, code, period, *result)


def _loans(ind: str, spec: dict[str, float], make_row: Callable[..., Row]) -> Iterator[Row]:
    """Province-only balances (亿元), growing smoothly within each year."""
    balance = spec["balance_2020_yi"]
    for year in (2021, 2022):
        g = spec[f"growth_{year}"]
        for m in MONTHS:
            value = round(balance * (1 + g) ** (m / 12), 1)
            yield make_row(ind, PROVINCE_CODE, f"{year}-{m:02d}", value, None, None)
        balance *= 1 + g


def _late_reporters(rng: np.random.Generator, geo: Geography) -> dict[str, set[str]]:
    """Counties that have not reported some late periods (so reporting rates are below 100 %)."""
    out: dict[str, set[str]] = {}
    for period, count in calibration()["late_reports"].items():
        picks = rng.choice(len(geo.county_codes), size=int(count), replace=False)
        out[str(period)] = {geo.county_codes[i] for i in picks}
    return out
