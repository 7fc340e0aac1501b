"""Allocations (分解下达) as every face offers them: the template of a year and level, importing
a file for an actor, the list within the caller's scope, one value's history, and the page's
views by target and by region."""

from __future__ import annotations

import shutil
import tempfile
from collections import defaultdict
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select

from zhuansheng import store
from zhuansheng.collect import allocation_template
from zhuansheng.collect import allocations as core
from zhuansheng.collect.allocations import AllocationResult, Entry, Source
from zhuansheng.errors import Invalid, NotFound
from zhuansheng.programme.schema import ADDITIVE_KINDS, KIND_LABELS_ZH, QUALIFIER_LABELS_ZH
from zhuansheng.store import tables as t

from . import audit, regions
from .context import Caller

LIST_COLUMNS = [
    "year",
    "target",
    "region",
    "value",
    "target_name",
    "region_name",
    "level",
    "kind",
    "unit",
    "province_value",
    "revision",
    "recorded_by",
    "recorded_at",
    "source",
]


def years(caller: Caller) -> list[int]:
    """The years whose programme is in the store."""
    with store.session(caller.ws.database_url) as s:
        return sorted(s.scalars(select(t.Target.year).distinct()))


def year_or_latest(caller: Caller, year: int | None) -> int:
    """The year asked for when its programme is loaded, else the newest loaded year."""
    have = years(caller)
    if year is None:
        if not have:
            raise NotFound("数据库中还没有任何年度的工作要点（请先 db init 载入）")
        return have[-1]
    if year not in have:
        raise NotFound(
            f"{year} 年的工作要点尚未载入；已载入的年度：{'、'.join(map(str, have)) or '无'}"
        )
    return year


def targets(caller: Caller, year: int) -> list[dict[str, Any]]:
    """The year's allocated targets (programme order)."""
    with store.session(caller.ws.database_url) as s:
        rows = s.scalars(select(t.Target).where(t.Target.year == year).order_by(t.Target.id))
        return [
            {
                "target": x.target_id,
                "name": x.name_zh,
                "kind": x.kind,
                "kind_zh": KIND_LABELS_ZH.get(x.kind, x.kind),
                "qualifier_zh": QUALIFIER_LABELS_ZH.get(x.qualifier or "", ""),
                "unit": x.unit,
                "value": x.value,
                "additive": x.kind in ADDITIVE_KINDS,
            }
            for x in rows
            if core.is_allocated(x.kind, x.value)
        ]


def _check_target(caller: Caller, year: int, target: str | None) -> None:
    if target is not None and target not in {x["target"] for x in targets(caller, year)}:
        raise NotFound(f"{year} 年没有可分解的目标“{target}”（只有有数值的量化目标可分解）")


# --- template and import ---------------------------------------------------------------------


def write_template(
    caller: Caller, year: int, path: Path, *, target: str | None = None, level: str = "city"
) -> Path:
    """The allocation template of a year (one target or all) for the cities or the counties the
    caller may allocate to."""
    if level not in core.LEVELS:
        raise Invalid(f"层级应为 city 或 county，不是“{level}”")
    caller.require("allocations.import", message="只有省级和设区市用户可以分解下达目标")
    year = year_or_latest(caller, year)
    _check_target(caller, year, target)
    if caller.actor.is_province:
        codes = [code for code, r in regions.by_code().items() if r.level == level]
    elif level == "city":
        raise Invalid("设区市只能分解到所辖县（市、区）：请用 --level county")
    else:
        codes = [r.code for r in regions.children(caller.home)]
    with store.session(caller.ws.database_url) as s:
        rows = allocation_template.lines(s, year, target, level, codes)
    allocation_template.write_xlsx(path, year, level, rows)
    audit.record(caller, "export.allocation_template", "allocations", f"{year}/{level}")
    return path


def template(
    caller: Caller, year: int, *, target: str | None = None, level: str = "city"
) -> tuple[Path, str]:
    """The template in a private temporary folder (the caller removes it) and its file name."""
    folder = Path(tempfile.mkdtemp(prefix="zs-alloc-"))
    name = f"分解下达-{year}-{core.LEVEL_ZH.get(level, level)}" + (f"-{target}" if target else "")
    try:
        path = write_template(caller, year, folder / f"{name}.xlsx", target=target, level=level)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return path, path.name


def import_file(
    caller: Caller, path: Path, *, dry_run: bool = False, source_name: str | None = None
) -> AllocationResult:
    """Import a filled template or a ``year,target,region,value`` CSV for the caller."""
    caller.require(
        "allocations.import",
        message=f"用户 {caller.actor.username} 无权分解下达目标（省级和设区市用户可以）",
    )
    return core.import_file(
        path, who=caller.actor, dry_run=dry_run, source_name=source_name, ws=caller.ws
    )


def import_upload(caller: Caller, path: Path, *, dry_run: bool = False) -> AllocationResult:
    """Import a saved upload; the file and its folder are removed whatever happens."""
    try:
        return import_file(caller, path, dry_run=dry_run)
    finally:
        shutil.rmtree(path.parent, ignore_errors=True)


def import_values(
    caller: Caller,
    values: list[tuple[int, str, str, float]],
    *,
    source_name: str,
    synthetic: bool = False,
    recorded_at: datetime | None = None,
) -> AllocationResult:
    """Allocate (year, target, region, value) tuples that come from no file (the demo's
    generator): the same checks and revisions as a file."""
    caller.require("allocations.import", message="无权分解下达目标")
    entries = [Entry(year, target, region, value) for year, target, region, value in values]
    kind = "demo" if synthetic else "api"
    source = Source(kind, source_name, synthetic=synthetic, recorded_at=recorded_at)
    return core.import_entries(entries, who=caller.actor, source=source, ws=caller.ws)


# --- reading ---------------------------------------------------------------------------------


def listing(
    caller: Caller, year: int | None = None, target: str | None = None
) -> list[dict[str, Any]]:
    """The current allocations of a year (one target or all) the caller may see, with the
    revision each value is at."""
    year = year_or_latest(caller, year)
    _check_target(caller, year, target)
    by_code = regions.by_code()
    q = (
        select(t.Target, t.Allocation, t.AllocationRevision)
        .join(t.Allocation, t.Allocation.target_pk == t.Target.id)
        .outerjoin(
            t.AllocationRevision,
            (t.AllocationRevision.target_pk == t.Allocation.target_pk)
            & (t.AllocationRevision.region_code == t.Allocation.region_code),
        )
        .where(t.Target.year == year)
        .order_by(t.Target.id, t.Allocation.region_code, t.AllocationRevision.revision)
    )
    if target is not None:
        q = q.where(t.Target.target_id == target)
    latest: dict[tuple[int, str], dict[str, Any]] = {}
    with store.session(caller.ws.database_url) as s:
        for x, a, rev in s.execute(q):
            if not caller.may("allocations.view", a.region_code):
                continue
            r = by_code[a.region_code]
            latest[(x.id, a.region_code)] = {
                "year": year,
                "target": x.target_id,
                "region": a.region_code,
                "value": a.value,
                "target_name": x.name_zh,
                "region_name": r.name_zh,
                "level": r.level,
                "parent": r.parent_code,
                "kind": x.kind,
                "unit": x.unit,
                "province_value": x.value,
                "revision": rev.revision if rev else None,
                "recorded_by": rev.recorded_by if rev else "",
                "recorded_at": rev.recorded_at if rev else None,
                "source": a.source,
                "synthetic": a.synthetic,
            }
    return list(latest.values())


HISTORY_COLUMNS = [
    "revision",
    "value",
    "recorded_at",
    "recorded_by",
    "source_kind",
    "source_name",
    "source_sha256",
    "source_cell",
    "comment",
    "synthetic",
]


def history(caller: Caller, year: int, target: str, region: str) -> list[dict[str, Any]]:
    """Every value one allocation has had, newest first."""
    regions.region(region)
    caller.require("allocations.view", region, "无权查看该地区的分解目标")
    year = year_or_latest(caller, year)
    _check_target(caller, year, target)
    with store.session(caller.ws.database_url) as s:
        rows = s.scalars(
            select(t.AllocationRevision)
            .join(t.Target, t.Target.id == t.AllocationRevision.target_pk)
            .where(
                t.Target.year == year,
                t.Target.target_id == target,
                t.AllocationRevision.region_code == region,
            )
            .order_by(t.AllocationRevision.revision.desc())
        )
        return [
            {
                "revision": r.revision,
                "value": r.value,
                "recorded_at": r.recorded_at,
                "recorded_by": r.recorded_by,
                "source_kind": r.source_kind,
                "source_name": r.source_name,
                "source_sha256": r.source_sha256,
                "source_cell": r.source_cell,
                "comment": r.comment,
                "synthetic": r.synthetic,
            }
            for r in rows
        ]


def page(
    caller: Caller, year: int | None, target: str | None, region: str | None
) -> dict[str, Any]:
    """The allocations page: the year's targets, one target's values by region (with the sums
    against the level above for counts and amounts) and one region's values by target."""
    caller.require("allocations.view", caller.home, "无权查看分解目标")
    year = year_or_latest(caller, year)
    all_targets = targets(caller, year)
    if target is None and all_targets:
        target = all_targets[0]["target"]
    _check_target(caller, year, target)
    region = region or (caller.home if caller.actor.is_regional else None)
    if region is not None:
        regions.region(region)
        caller.require("allocations.view", region, "无权查看该地区的分解目标")
    rows = listing(caller, year)
    by_target = [r for r in rows if r["target"] == target]
    info = next((x for x in all_targets if x["target"] == target), None)
    sums: list[dict[str, Any]] = []
    if info and info["additive"]:
        values = {r["region"]: r["value"] for r in by_target}
        values[regions.PROVINCE] = info["value"]
        kids: dict[str, list[str]] = defaultdict(list)
        for code, r in regions.by_code().items():
            if r.parent_code:
                kids[r.parent_code].append(code)
        parents = {r["parent"] for r in by_target if r["parent"]}
        # a sum only where the caller sees the level above and all of its regions
        for parent in sorted(p for p in parents if caller.may("allocations.view", p)):
            got = [values[k] for k in kids[parent] if k in values]
            sums.append(
                {
                    "parent": parent,
                    "parent_name": regions.name(parent),
                    "parent_value": values.get(parent),
                    "total": sum(got),
                    "allocated": len(got),
                    "children": len(kids[parent]),
                }
            )
    return {
        "year": year,
        "years": years(caller),
        "targets": all_targets,
        "target": target,
        "target_info": info,
        "by_target": by_target,
        "sums": sums,
        "region": region,
        "region_name": regions.name(region) if region else "",
        "by_region": [r for r in rows if r["region"] == region] if region else [],
        "region_choices": [
            (code, r.name_zh, r.level)
            for code, r in regions.by_code().items()
            if r.level in core.LEVELS and caller.may("allocations.view", code)
        ],
        "can_import": caller.may("allocations.import"),
        "levels": ["city", "county"] if caller.actor.is_province else ["county"],
    }
