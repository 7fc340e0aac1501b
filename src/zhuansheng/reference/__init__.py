"""Reference data shipped with the package: regions, industries, pilots, clusters.

Each file under ``data/`` keeps its provenance (``note``/``source`` columns and ``PROVENANCE.md``).
Loaders are cached: the files are small and never change at run time.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

from zhuansheng.errors import InputRejected, Problem

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
    "read_pilots_file",
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
def manufacturing_divisions() -> tuple[str, ...]:
    """The divisions of ``industries.csv``: section C (制造业) of GB/T 4754, which is the file's
    scope, so a firm whose division is not listed is not a manufacturing firm."""
    return tuple(i.code for i in industries() if i.level == "division")


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
    """Whether a code is Zhejiang traditional manufacturing (the most specific entry decides)."""
    entry = industry(code)
    return bool(entry and entry.traditional)


def traditional_group(code: str) -> str | None:
    entry = industry(code)
    return entry.zj_group if entry and entry.traditional else None


def _pilot(r: dict[str, str]) -> Pilot:
    return Pilot(
        pilot_id=r["pilot_id"],
        county_code=r["county_code"],
        county_name=r["county_name"],
        industry_name=r["industry_name"],
        industry_codes=tuple(c.strip() for c in r["industry_codes"].split(";") if c.strip()),
        batch_year=int(r["batch_year"]) if r["batch_year"] else None,
        verification=r["verification"],
        demo_only=r["demo_only"] == "1",
        source=r["source"],
        note=r["note"],
    )


@cache
def pilots() -> tuple[Pilot, ...]:
    """The shipped list: verified pilots plus illustrative clusters (``demo_only``) up to 48."""
    return tuple(_pilot(r) for r in _rows("pilots.csv"))


PILOT_COLUMNS = (
    "pilot_id",
    "county_code",
    "county_name",
    "industry_name",
    "industry_codes",
    "batch_year",
    "verification",
    "demo_only",
    "source",
    "note",
)
VERIFICATIONS = ("official", "verified", "partly_corroborated", "unverified", "illustrative")


def read_pilots_file(path: Path) -> tuple[Pilot, ...]:
    """Read a user's pilot list (e.g. the official 48) in the shipped CSV's columns.

    Every problem is collected and reported with its line and column; nothing is returned
    unless the whole file is valid.
    """
    name = path.name
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputRejected(
            name, [Problem(f"无法读取文件：{exc}", hint="请提供 UTF-8 编码的 CSV 文件")]
        ) from exc
    reader = csv.DictReader(text.splitlines())
    missing = [c for c in PILOT_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise InputRejected(
            name,
            [
                Problem(
                    f"缺少列 {', '.join(missing)}",
                    where="第 1 行（表头）",
                    hint="表头须与 zhuansheng ref pilots --format csv 的输出一致",
                )
            ],
        )
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    rows: list[dict[str, str]] = []
    for line, r in enumerate(reader, start=2):

        def bad(col: str, msg: str, line: int = line) -> None:
            problems.append(Problem(msg, where=f"第 {line} 行, 列 {col}", row=line, column=col))

        if r["pilot_id"] in seen:
            bad("pilot_id", f"试点编号 {r['pilot_id']} 与第 {seen[r['pilot_id']]} 行重复")
        seen[r["pilot_id"]] = line
        reg = _regions_by_code().get(r["county_code"])
        if reg is None or reg.level != "county":
            bad("county_code", f"未知的县级行政区划代码 '{r['county_code']}'")
        codes = [c for c in r["industry_codes"].split(";") if c.strip()]
        if not codes or any(industry(c.strip()) is None for c in codes):
            bad(
                "industry_codes",
                f"行业代码 '{r['industry_codes']}' 不是 GB/T 4754-2017 制造业代码（13–43）",
            )
        if r["verification"] not in VERIFICATIONS:
            bad("verification", f"'{r['verification']}' 应为 {', '.join(VERIFICATIONS)} 之一")
        if r["batch_year"] and not r["batch_year"].isdigit():
            bad("batch_year", f"批次年份 '{r['batch_year']}' 应为四位年份或留空")
        if r["demo_only"] not in ("0", "1"):
            bad("demo_only", "应为 0 或 1")
        rows.append(r)
    if not rows:
        problems.append(Problem("文件没有数据行", hint="至少需要一行试点"))
    if problems:
        raise InputRejected(name, problems)
    return tuple(_pilot(r) for r in rows)


@cache
def clusters() -> tuple[Cluster, ...]:
    return tuple(Cluster(**r) for r in _rows("clusters.csv"))
