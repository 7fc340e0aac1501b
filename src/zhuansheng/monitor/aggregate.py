"""Aggregation up the hierarchy with each indicator's rule.

Sums add; ratios and shares are Σ numerator / Σ denominator (never a mean of ratios); growth
compares the current and base year over the counties that reported both (a like-for-like
sample). Counties that have not reported are left out and the reporting rate says how complete
an aggregate is; an aggregate with no reports at all is missing (NaN), never zero.

A value that is not finite (±inf, NaN) never counts: it is left out as not reported, and a sum
that overflows is missing too, so no status is ever decided on an infinite figure.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .sources import MONTHS, Series
from .units import UnitSet


@dataclass
class Aggregate:
    """One indicator for every unit: values for the base year (cols 0–11) and the year (12–23)."""

    value: np.ndarray  # units × 24
    num: np.ndarray | None
    den: np.ndarray | None
    reporting_rate: np.ndarray  # units × 24, 1.0 for sources that are complete by nature
    stock: np.ndarray | None  # units × 2 (before the base year, before the year)


def _direct_targets(units: UnitSet, region: str) -> list[int]:
    """Units an entry recorded against a city or the province counts towards: it and its
    ancestors."""
    if region not in units.positions:
        return []
    chain = units.units[units.index(region)].region_codes
    return [units.index(c) for c in chain if c in units.positions]


def _finite(values: np.ndarray) -> np.ndarray:
    """``values`` with ±inf (an overflowed sum, an absurd figure) as NaN: missing."""
    return np.where(np.isfinite(values), values, np.nan)


def aggregate(series: Series, units: UnitSet, mask: np.ndarray | None = None) -> Aggregate:
    """Aggregate a series to every unit; ``mask`` (counties × 24) limits which reports count."""
    m = units.membership
    expected = m.sum(axis=1)[:, None]
    scale = series.indicator.scale or 1
    if series.is_ratio:
        assert series.num is not None and series.den is not None
        ok = np.isfinite(series.num) & np.isfinite(series.den)
        if mask is not None:
            ok &= mask
        with np.errstate(over="ignore", invalid="ignore"):
            num = m @ np.where(ok, series.num, 0.0)
            den = m @ np.where(ok, series.den, 0.0)
        n_rep = m @ ok
        with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
            value = np.where((n_rep > 0) & (den > 0), num / den * scale, np.nan)
    else:
        ok = np.isfinite(series.value)
        if mask is not None:
            ok &= mask
        num = den = None
        n_rep = m @ ok
        with np.errstate(over="ignore", invalid="ignore"):
            value = np.where(n_rep > 0, m @ np.where(ok, series.value, 0.0), np.nan)
    with np.errstate(invalid="ignore", divide="ignore"):
        rate = np.where(expected > 0, n_rep / expected, 0.0)
    if series.reported is None:  # registers and cases are complete by construction
        rate = np.where(expected > 0, 1.0, 0.0) * np.ones((1, MONTHS))
        value = np.where(expected > 0, value, np.nan)
    stock = None
    if series.stock is not None:
        with np.errstate(over="ignore", invalid="ignore"):
            stock = _finite(m @ np.where(np.isfinite(series.stock), series.stock, np.nan))
    for region, values in series.direct.items():
        present = np.isfinite(values)
        for u in _direct_targets(units, region):
            with np.errstate(over="ignore", invalid="ignore"):
                added = np.nan_to_num(value[u], nan=0.0) + np.where(present, values, 0.0)
            value[u] = np.where(present, added, value[u])
            if series.reported is not None:
                rate[u] = np.where(present, 1.0, rate[u])
    return Aggregate(_finite(value), num, den, rate, stock)


def matched(series: Series, units: UnitSet) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(current, base, reporting rate) for each unit and month of the year, like for like.

    Only counties that reported both the month and the same month of the base year count, so
    growth is not distorted by who happened to report.
    """
    if series.reported is None:
        agg = aggregate(series, units)
        return agg.value[:, 12:], agg.value[:, :12], agg.reporting_rate[:, 12:]
    ok = (
        series.reported
        if not series.is_ratio
        else (
            ~np.isnan(series.num) & ~np.isnan(series.den)  # type: ignore[arg-type]
        )
    )
    both = ok[:, 12:] & ok[:, :12]
    mask = np.concatenate([both, both], axis=1)
    agg = aggregate(series, units, mask)
    current = aggregate(series, units)
    return agg.value[:, 12:], agg.value[:, :12], current.reporting_rate[:, 12:]
