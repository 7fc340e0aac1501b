"""Load reference data and programme files into the store (idempotent upserts).

Targets are matched on (year, target id), so reloading a corrected programme file keeps the
allocations already made to its targets.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from zhuansheng import reference

from . import tables as t

if TYPE_CHECKING:
    from zhuansheng.programme import Programme


def sync_reference(
    session: Session, pilots: Sequence[reference.Pilot] | None = None
) -> dict[str, int]:
    """Upsert regions and industries; replace the pilot list (the shipped one by default)."""
    # The reference dataclasses carry exactly the tables' columns.
    by_level = {"province": 0, "city": 1, "county": 2}
    for r in sorted(reference.regions(), key=lambda r: by_level[r.level]):
        session.merge(t.Region(**asdict(r)))
    session.flush()
    for i in reference.industries():
        session.merge(t.Industry(**asdict(i)))
    pilot_rows = reference.pilots() if pilots is None else pilots
    replace_pilots(session, pilot_rows)
    return {
        "regions": len(reference.regions()),
        "industries": len(reference.industries()),
        "pilots": len(pilot_rows),
    }


def replace_pilots(session: Session, pilots: Sequence[reference.Pilot]) -> None:
    session.execute(delete(t.Pilot))
    session.add_all(
        t.Pilot(
            pilot_id=p.pilot_id,
            county_code=p.county_code,
            industry_name=p.industry_name,
            industry_codes=list(p.industry_codes),
            batch_year=p.batch_year,
            verification=p.verification,
            demo_only=p.demo_only,
            source=p.source,
            note=p.note,
        )
        for p in pilots
    )
    session.flush()


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def sync_programme(session: Session, programme: Programme, source_file: Path) -> dict[str, int]:
    """Write one year's programme: items, the indicators it uses, and its targets."""
    from zhuansheng.programme import indicators

    for ind in indicators().values():
        session.merge(
            t.Indicator(
                id=ind.id,
                name_zh=ind.name_zh,
                name_en=ind.name_en,
                unit=ind.unit,
                source=ind.source,
                aggregation=ind.aggregation,
                definition=ind.model_dump(mode="json"),
            )
        )
    session.merge(
        t.Programme(
            year=programme.year,
            title_zh=programme.title_zh,
            document=programme.document or "",
            source_file=str(source_file),
            sha256=sha256_of(source_file),
        )
    )
    session.flush()
    _sync_items(session, programme)
    count = _sync_targets(session, programme)
    return {"items": len(_items(programme)), "targets": count}


def _items(programme: Programme) -> list[dict[str, Any]]:
    """Goals, areas, tasks and safeguards as rows of ``programme_items``."""
    rows = [
        {
            "clause": a.clause,
            "item_kind": "area",
            "number": None,
            "area": a.id,
            "title_zh": a.title_zh,
            "text_zh": "",
            "lead_units": [],
            "co_units": [],
        }
        for a in programme.areas
    ]
    for section, item in programme.items():
        rows.append(
            {
                "clause": item.clause,
                "item_kind": section,
                "number": getattr(item, "number", None),  # tasks only
                "area": getattr(item, "area", None),
                "title_zh": item.title_zh,
                "text_zh": item.text_zh,
                "lead_units": list(item.lead_units),
                "co_units": list(item.co_units),
            }
        )
    return rows


def _sync_items(session: Session, programme: Programme) -> None:
    existing = {
        i.clause: i
        for i in session.scalars(
            select(t.ProgrammeItem).where(t.ProgrammeItem.year == programme.year)
        )
    }
    for data in _items(programme):
        row = existing.pop(data["clause"], None) or t.ProgrammeItem(year=programme.year)
        for k, v in data.items():
            setattr(row, k, v)
        session.add(row)
    for gone in existing.values():
        session.delete(gone)
    session.flush()


def _sync_targets(session: Session, programme: Programme) -> int:
    existing = {
        r.target_id: r
        for r in session.scalars(select(t.Target).where(t.Target.year == programme.year))
    }
    rows = programme.targets()
    for tr in rows:
        row = existing.pop(tr.id, None) or t.Target(year=programme.year, target_id=tr.id)
        row.item_clause = tr.item_clause
        row.clauses = list(tr.clause)
        row.name_zh = tr.name_zh
        row.indicator_id = tr.indicator
        row.kind = tr.kind
        row.value = tr.value
        row.unit = tr.unit or ""
        row.qualifier = tr.qualifier
        row.tolerance = tr.tolerance.value if tr.tolerance else None
        row.tolerance_basis = tr.tolerance.basis if tr.tolerance else None
        row.compare_to = tr.compare_to
        row.seed_text = tr.seed_text
        row.lead_units = list(tr.lead_units)
        row.co_units = list(tr.co_units)
        session.add(row)
    for gone in existing.values():
        session.delete(gone)
    session.flush()
    return len(rows)


def seed(url: str | None = None) -> dict[str, int]:
    """Reference data and every available programme, in one transaction; counts of what was
    loaded."""
    from zhuansheng import programme

    from .engine import session

    with session(url) as s:
        counts = sync_reference(s)
        for year in programme.available_years():
            prog = programme.load(year)
            result = sync_programme(s, prog, programme.programme_path(year))
            counts[f"targets_{year}"] = result["targets"]
    return counts


def load_pilots(pilots: Sequence[reference.Pilot], url: str | None = None) -> None:
    """Replace the pilot list in a transaction of its own."""
    from .engine import session

    with session(url) as s:
        replace_pilots(s, pilots)
