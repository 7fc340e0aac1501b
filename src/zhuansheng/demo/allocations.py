"""Allocation of provincial targets to cities and counties (分解下达), by economic weight.

Counts and amounts are split with the largest-remainder method so the parts add up exactly to
the province's number; rate targets are passed down unchanged to every city. Small targets
(below ``COUNTY_MIN``) stop at the cities, as small counts are not split to counties in practice.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np

from zhuansheng import reference

from .population import Geography

ADDITIVE = ("count_new", "count_cumulative", "amount")
RATES = ("growth_pct", "decline_pct", "level", "share_about")
COUNTY_MIN = 200


def largest_remainder(total: float, weights: np.ndarray, decimals: int = 0) -> np.ndarray:
    """Split ``total`` in proportion to ``weights``, rounded, parts summing exactly to total."""
    unit = 10.0**-decimals
    units = round(total / unit)
    raw = weights / weights.sum() * units
    base = np.floor(raw).astype(int)
    short = units - int(base.sum())
    order = np.argsort(-(raw - base), kind="stable")
    base[order[:short]] += 1
    return np.round(base * unit, decimals)


def allocations(geo: Geography, targets: list[Any]) -> Iterator[tuple[str, str, float]]:
    """(target id, region code, value) for every allocation the demo makes."""
    counties = {c.code: c for c in reference.counties()}
    cities = [r.code for r in reference.regions() if r.level == "city"]
    city_weight = np.array(
        [
            sum(
                w
                for code, w in zip(geo.county_codes, geo.weight, strict=True)
                if counties[code].parent_code == city
            )
            for city in cities
        ]
    )
    for t in targets:
        if t.value is None:
            continue
        if t.kind in RATES:
            for city in cities:
                yield t.id, city, float(t.value)
            continue
        if t.kind not in ADDITIVE:
            continue
        decimals = 0 if float(t.value).is_integer() else 1
        city_values = largest_remainder(float(t.value), city_weight, decimals)
        for city, value in zip(cities, city_values, strict=True):
            yield t.id, city, float(value)
            if t.value < COUNTY_MIN:
                continue
            idx = [
                i for i, code in enumerate(geo.county_codes) if counties[code].parent_code == city
            ]
            parts = largest_remainder(float(value), geo.weight[idx], decimals)
            for i, v in zip(idx, parts, strict=True):
                yield t.id, geo.county_codes[i], float(v)
