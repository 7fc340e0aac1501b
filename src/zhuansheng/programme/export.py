"""The programme's targets as a flat table: rows for csv/json and an xlsx writer."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import xlsxwriter

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


def _width(text: str) -> int:
    # CJK characters take two columns in Excel's default fonts.
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def write_xlsx(
    rows: Sequence[dict[str, Any]],
    path: Path,
    columns: Sequence[str] = EXPORT_COLUMNS,
    *,
    sheet: str = "目标",
) -> None:
    """Write rows to an xlsx sheet: header row, frozen panes, widths, codes and text as text.

    Every string is written with ``write_string`` and the workbook's automatic conversions are
    off, so a cell such as ``=HYPERLINK(...)`` or ``001`` stays literal text (no formula
    injection, no lost leading zeros).
    """
    options = {"strings_to_formulas": False, "strings_to_numbers": False, "strings_to_urls": False}
    with xlsxwriter.Workbook(str(path), options) as book:
        ws = book.add_worksheet(sheet)
        bold = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
        text = book.add_format({"num_format": "@"})
        widths = [_width(c) for c in columns]
        for j, col in enumerate(columns):
            ws.write_string(0, j, col, bold)
        for i, row in enumerate(rows, start=1):
            for j, col in enumerate(columns):
                value = row.get(col)
                if isinstance(value, list | tuple):
                    value = ";".join(str(v) for v in value)
                if value is None:
                    ws.write_blank(i, j, None)
                    continue
                if isinstance(value, bool):
                    ws.write_boolean(i, j, value)
                elif isinstance(value, int | float):
                    ws.write_number(i, j, value)
                else:
                    value = str(value)
                    ws.write_string(i, j, value, text)
                widths[j] = max(widths[j], _width(str(value)))
        for j, w in enumerate(widths):
            ws.set_column(j, j, min(max(w, 6), 60) + 2)
        ws.freeze_panes(1, 1)
        ws.autofilter(0, 0, max(len(rows), 1), len(columns) - 1)


def write_export(rows: Sequence[dict[str, Any]], fmt: str, path: Path) -> None:
    """Write rows as ``csv``, ``json`` or ``xlsx``; csv/json go through the CLI's shared renderer,
    so a file written from Python is byte-for-byte what ``zhuansheng programme export`` writes."""
    if fmt == "xlsx":
        write_xlsx(rows, path)
        return
    from zhuansheng.cli.output import Format, emit  # late: the cli package imports this one

    emit(rows, EXPORT_COLUMNS, Format(fmt), output=path)
