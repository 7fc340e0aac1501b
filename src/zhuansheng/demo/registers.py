"""Registries of recognised entities and project registers, dated through 2021 and 2022.

Yearly counts land near the programme's province targets (a uniform draw around them), split
over counties by economic weight, and dated by each county's pace: so the province ends the
year close to its target while some counties run ahead and others behind.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np

from zhuansheng import programme, reference

from .calibration import calibration
from .names import PREFIX, place
from .population import Geography

YEARS = (2021, 2022)


@cache
def _kind_zh(registry: str) -> str:
    """The registry's Chinese name from the indicator catalogue (for a name with no firm)."""
    names = {i.registry: i.name_zh for i in programme.indicators().values() if i.registry}
    return names.get(registry, "认定对象")


# Registries whose entries are enterprises (named after a sample firm of the county).
ENTERPRISE_REGISTRIES = frozenset(
    {
        "cloud_enterprise",
        "future_factory",
        "smart_factory",
        "service_manufacturing_demo",
        "industrial_design_center",
        "pinzibiao_enterprise",
        "management_benchmark",
        "quality_award",
        "green_factory",
        "clean_production",
        "water_saving",
        "chain_leader",
        "chain_partner",
        "hidden_champion",
        "specialised_sme",
        "single_champion",
        "eagle",
    }
)
# Name patterns for the other registries ({place} is the county, {n} a serial number).
NAME_PATTERNS = {
    "industrial_internet_platform": "{place}{n}号工业互联网平台",
    "industry_brain": "{place}细分行业产业大脑{n}号",
    "rising_star_cluster": "{place}“新星”产业群{n}号",
    "future_industry_zone": "{place}未来产业先导区{n}号",
    "star_park": "{place}制造业星级园区{n}号",
    "star_micro_park": "{place}星级小微企业园{n}号",
    "national_demo_base": "{place}国家新型工业化产业示范基地{n}号",
    "national_demo_platform": "{place}示范平台{n}号",
    "zj_standard": "“浙江制造”标准 T/ZZB {n:04d}",
    "zj_premium_product": "{place}“浙江制造精品”{n}号",
    "first_set_product": "{place}首台（套）产品{n}号",
    "first_set_application": "{place}首台（套）推广应用{n}号",
    "chain_community": "{place}产业链上下游企业共同体{n}号",
    "green_park": "{place}绿色低碳工业园区{n}号",
}
PROJECT_CODES = {
    "digital_renovation": "SZH",
    "waste_gas": "FQZ",
    "energy_saving": "JNJ",
    "chain_strengthening": "QLB",
    "first_set_rd": "STT",
}
PROJECT_WORDS = {
    "digital_renovation": "数字化技术改造项目",
    "waste_gas": "工业废气治理项目",
    "energy_saving": "节能降碳技术改造项目",
    "chain_strengthening": "产业链强链补链项目",
    "first_set_rd": "首台（套）工程化攻关项目",
}


@dataclass(frozen=True)
class Plan:
    """What a register should hold: yearly totals, and the stock before 2021 if cumulative."""

    per_year: dict[int, int]
    stock_2020: int


def plan_for(rng: np.random.Generator, new: float | None, cumulative: float | None) -> Plan:
    cal = calibration()["registers"]
    lo, hi = cal["yearly_vs_target"]
    if new is None and cumulative is not None:
        new = cumulative * (1 - cal["stock_2020_vs_target"]) / 2
    assert new is not None
    per_year = {
        2021: round(new * rng.uniform(0.85, 1.0)),
        2022: round(new * rng.uniform(lo, hi)),
    }
    stock = 0
    if cumulative is not None:
        stock = max(0, round(cumulative * cal["stock_2020_vs_target"]))
    return Plan(per_year, stock)


def _split(rng: np.random.Generator, total: int, weight: np.ndarray) -> np.ndarray:
    p = weight**0.7
    return rng.multinomial(total, p / p.sum())


def _date_in_year(rng: np.random.Generator, geo: Geography, year: int, county: int) -> dt.date:
    """A date drawn so that the county's cumulative share by month follows its pace."""
    return dt.date(year, geo.month_of(rng, county), int(rng.integers(1, 29)))


def _date_before_2021(rng: np.random.Generator) -> dt.date:
    return dt.date(
        int(rng.integers(2016, 2021)), int(rng.integers(1, 13)), int(rng.integers(1, 29))
    )


class FirmPicker:
    """Sample firms by county, to name registry entries and project owners after them."""

    def __init__(self, firms: list[dict[str, Any]]) -> None:
        self.by_county: dict[str, list[dict[str, Any]]] = {}
        for f in firms:
            self.by_county.setdefault(f["county_code"], []).append(f)

    def pick(self, rng: np.random.Generator, county: str) -> dict[str, Any] | None:
        pool = self.by_county.get(county)
        return pool[int(rng.integers(len(pool)))] if pool else None


def registry_entries(
    rng: np.random.Generator,
    geo: Geography,
    picker: FirmPicker,
    registry: str,
    plan: Plan,
    source: str,
) -> Iterator[dict[str, Any]]:
    names = {c.code: place(c.name_zh) for c in reference.counties()}
    serial = 0
    used: set[tuple[str, str, dt.date]] = set()
    batches: list[tuple[int | None, int]] = [(None, plan.stock_2020)]
    batches += list(plan.per_year.items())
    for year, total in batches:
        counts = _split(rng, total, geo.weight)
        for i, n in enumerate(counts):
            code = geo.county_codes[i]
            for _ in range(int(n)):
                serial += 1
                when = _date_before_2021(rng) if year is None else _date_in_year(rng, geo, year, i)
                firm = picker.pick(rng, code) if registry in ENTERPRISE_REGISTRIES else None
                if firm is not None:
                    name, uscc = firm["name"], firm["uscc"]
                else:
                    pattern = NAME_PATTERNS.get(registry, "{place}" + _kind_zh(registry) + "{n}号")
                    name, uscc = PREFIX + pattern.format(place=names[code], n=serial), None
                if (name, code, when) in used:  # the same firm twice on one day: skip
                    continue
                used.add((name, code, when))
                yield {
                    "registry_kind": registry,
                    "name": name,
                    "uscc": uscc,
                    "region_code": code,
                    "recognised_on": when,
                    "batch": "2020年及以前" if year is None else f"{year}年",
                    "source": source,
                    "synthetic": True,
                }


def projects(
    rng: np.random.Generator,
    geo: Geography,
    picker: FirmPicker,
    kind: str,
    plan: Plan,
    investment_total_wan: float | None,
    source: str,
) -> Iterator[tuple[dict[str, Any], list[tuple[str, float]]]]:
    """(project row, [(month, invested_wan) …]) for every project of one register kind.

    Investment, when the programme sets a total (digital renovation: 1800 亿元), is scaled so
    that the year's sum lands near it; otherwise it follows the calibration's size distribution.
    """
    cal = calibration()["registers"]
    size = cal[
        "digital_renovation_investment_wan"
        if kind == "digital_renovation"
        else "other_investment_wan"
    ]
    lo, hi = cal["months_active"]
    prefix = PROJECT_CODES.get(kind, kind[:3].upper())
    word = PROJECT_WORDS.get(kind, "项目")
    serial = 0
    batches: list[tuple[int | None, int]] = [(None, plan.stock_2020), *plan.per_year.items()]
    for year, total in batches:
        counts = _split(rng, total, geo.weight)
        n_all = int(counts.sum())
        amounts = size["median"] * rng.lognormal(0.0, size["sigma"], n_all)
        if investment_total_wan and year is not None:
            factor = 0.92 if year == 2021 else rng.uniform(0.9, 1.1)
            amounts *= investment_total_wan * factor / amounts.sum()
        k = 0
        for i, n in enumerate(counts):
            code = geo.county_codes[i]
            for _ in range(int(n)):
                serial += 1
                invest = round(float(amounts[k]), 1)
                k += 1
                start = _date_before_2021(rng) if year is None else _date_in_year(rng, geo, year, i)
                months = int(rng.integers(lo, hi + 1))
                month_list = _months_from(start, months)
                done = month_list[-1] <= "2022-12"
                end = _month_end(month_list[-1]) if done else None
                firm = picker.pick(rng, code)
                owner = firm["name"].removeprefix(PREFIX).removesuffix("有限公司") if firm else code
                row = {
                    "project_kind": kind,
                    "code": f"{prefix}-{start.year}-{code}-{serial:05d}",
                    "name": f"{PREFIX}{owner}{word}",
                    "uscc": firm["uscc"] if firm else None,
                    "region_code": code,
                    "status": "completed" if done else "started",
                    "started_on": start,
                    "completed_on": end,
                    "planned_investment_wan": invest,
                    "source": source,
                    "synthetic": True,
                }
                per_month = round(invest / months, 2)
                spend = [(m, per_month) for m in month_list if m <= "2022-12"]
                yield row, spend


def _months_from(start: dt.date, count: int) -> list[str]:
    y, m = start.year, start.month
    out = []
    for _ in range(count):
        out.append(f"{y}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def _month_end(month: str) -> dt.date:
    y, m = int(month[:4]), int(month[5:])
    nxt = dt.date(y + 1, 1, 1) if m == 12 else dt.date(y, m + 1, 1)
    return nxt - dt.timedelta(days=1)
