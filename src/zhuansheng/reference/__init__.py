"""Reference data shipped with the package: regions, industries, pilots, clusters.

Each file under ``data/`` keeps its provenance (``note``/``source`` columns and ``PROVENANCE.md``).
Loaders are cached: the files are small and never change at run time.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from importlib import resources

__all__ = [
    "Cluster",
    "Industry",
    "Pilot",
    "Region",
    "clusters",
    "counties",
    "industries",
    "industry",
    "is_traditional",
    "pilots",
    "region",
    "regions",
    "traditional_group",
]

PROVINCE_CODE = "330000"


@dataclass(frozen=True)
class Region:
    code: str
    name_zh: str
    level: str  # province | city | county
    parent_code: str | None
    kind: str  # province | city | district | county_city | county
    mountain26: bool
    note: str


@dataclass(frozen=True)
class Industry:
    code: str  # 2-digit division, 3-digit group or 4-digit class (GB/T 4754-2017)
    level: str  # division | group | class
    parent_code: str | None
    name_zh: str
    name_en: str
    traditional: bool
    zj_group: str
    verification: str
    note: str


@dataclass(frozen=True)
class Pilot:
    pilot_id: str
    county_code: str
    county_name: str
    industry_name: str
    industry_codes: tuple[str, ...]
    batch_year: int | None
    verification: str  # verified | partly_corroborated | unverified | illustrative
    demo_only: bool
    source: str
    note: str


@dataclass(frozen=True)
class Cluster:
    county_code: str
    county_name: str
    industry_code: str
    cluster_zh: str
    note: str


def _rows(name: str) -> list[dict[str, str]]:
    text = resources.files(__package__).joinpath("data", name).read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


@cache
def regions() -> tuple[Region, ...]:
    return tuple(
        Region(
            code=r["code"],
            name_zh=r["name_zh"],
            level=r["level"],
            parent_code=r["parent_code"] or None,
            kind=r["kind"],
            mountain26=r["mountain26"] == "1",
            note=r["note"],
        )
        for r in _rows("regions.csv")
    )


@cache
def _regions_by_code() -> dict[str, Region]:
    return {r.code: r for r in regions()}


def region(code: str) -> Region:
    """The region with this GB/T 2260 code; ``KeyError`` if there is none."""
    return _regions_by_code()[code]


def counties() -> tuple[Region, ...]:
    return tuple(r for r in regions() if r.level == "county")


@cache
def industries() -> tuple[Industry, ...]:
    return tuple(
        Industry(
            code=r["code"],
            level=r["level"],
            parent_code=r["parent_code"] or None,
            name_zh=r["name_zh"],
            name_en=r["name_en"],
            traditional=r["traditional"] == "1",
            zj_group=r["zj_group"],
            verification=r["verification"],
            note=r["note"],
        )
        for r in _rows("industries.csv")
    )


@cache
def _industries_by_code() -> dict[str, Industry]:
    return {i.code: i for i in industries()}


def industry(code: str) -> Industry | None:
    """The most specific listed entry for a 2–4 digit code (class, then group, then division)."""
    table = _industries_by_code()
    for n in (4, 3, 2):
        if len(code) >= n and code[:n] in table:
            return table[code[:n]]
    return None


def is_traditional(code: str) -> bool:
    """Whether an industry code falls in Zhejiang's traditional manufacturing (most specific rule)."""
    entry = industry(code)
    return bool(entry and entry.traditional)


def traditional_group(code: str) -> str | None:
    entry = industry(code)
    return entry.zj_group if entry and entry.traditional else None


@cache
def pilots() -> tuple[Pilot, ...]:
    return tuple(
        Pilot(
            pilot_id=r["pilot_id"],
            county_code=r["county_code"],
            county_name=r["county_name"],
            industry_name=r["industry_name"],
            industry_codes=tuple(r["industry_codes"].split(";")),
            batch_year=int(r["batch_year"]) if r["batch_year"] else None,
            verification=r["verification"],
            demo_only=r["demo_only"] == "1",
            source=r["source"],
            note=r["note"],
        )
        for r in _rows("pilots.csv")
    )


@cache
def clusters() -> tuple[Cluster, ...]:
    return tuple(Cluster(**r) for r in _rows("clusters.csv"))
