"""The programme's targets as a flat table: rows for csv/json and an xlsx writer."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from zhuansheng import tabular

from .loader import indicators
from .schema import Indicator, Programme

EXPORT_COLUMNS: list[str] = [
    "id",
    "clause",
    "name_zh",
    "kind",
    "value",
    "unit",
    "qualifier",
    "tolerance",
    "tolerance_basis",
    "indicator",
    "compare_to",
    "task",
    "area",
    "section",
    "item_clause",
    "item_title_zh",
    "lead_units",
    "co_units",
    "source",
    "aggregation",
    "seed_text",
    "note",
]


def _number(value: float | None) -> int | float | None:
    # 15000.0 reads as a measurement; the document says 1.5 万台, i.e. a whole number.
    return int(value) if value is not None and float(value).is_integer() else value


def export_rows(
    programme: Programme, catalogue: dict[str, Indicator] | None = None
) -> list[dict[str, Any]]:
    """One dict per target (``EXPORT_COLUMNS``); clause, lead_units and co_units are lists."""
    catalogue = indicators() if catalogue is None else catalogue
    rows = []
    for t in programme.targets():
        ind = catalogue.get(t.indicator) if t.indicator else None
        rows.append(
            {
                "id": t.id,
                "clause": list(t.clause),
                "name_zh": t.name_zh,
                "kind": t.kind,
                "value": _number(t.value),
                "unit": t.unit,
                "qualifier": t.qualifier,
                "tolerance": _number(t.tolerance.value) if t.tolerance else None,
                "tolerance_basis": t.tolerance.basis if t.tolerance else None,
                "indicator": t.indicator,
                "compare_to": t.compare_to,
                "task": t.task,
                "area": t.area,
                "section": t.section,
                "item_clause": t.item_clause,
                "item_title_zh": t.item_title_zh,
                "lead_units": list(t.lead_units),
                "co_units": list(t.co_units),
                "source": ind.source if ind else None,
                "aggregation": ind.aggregation if ind else None,
                "seed_text": t.seed_text,
                "note": t.note,
            }
        )
    return rows


def write_xlsx(
    rows: Sequence[dict[str, Any]],
    path: Path,
    columns: Sequence[str] = EXPORT_COLUMNS,
    *,
    sheet: str = "目标",
) -> None:
    """The targets as an xlsx sheet (see ``zhuansheng.tabular.write_xlsx``)."""
    tabular.write_xlsx(rows, path, columns, sheet=sheet)


def write_export(rows: Sequence[dict[str, Any]], fmt: str, path: Path) -> None:
    """Write rows as ``csv``, ``json`` or ``xlsx``, exactly as ``zhuansheng programme export``."""
    if fmt == "xlsx":
        write_xlsx(rows, path)
    else:
        tabular.write(rows, EXPORT_COLUMNS, fmt, path)
