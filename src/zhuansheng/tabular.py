"""Rows of dicts written as csv, json or xlsx — one implementation for every export.

xlsx cells are written by type with the workbook's automatic conversions off, so text such as
``=HYPERLINK(...)`` or ``001`` stays literal (no formula injection, no lost leading zeros).
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import xlsxwriter

from zhuansheng import atomic

FORMATS = ("csv", "json", "xlsx")

# Cell fills for status colours in xlsx exports.
FILLS = {"green": "#C6EFCE", "yellow": "#FFEB9C", "red": "#FFC7CE", "grey": "#E7E6E6"}


_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def neutralise(text: str) -> str:
    """Text made safe for a cell of an exported CSV or workbook (OWASP CSV injection): a value
    starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a leading ``'``,
    so spreadsheet programs show it as text instead of running it. A plain signed number such
    as ``-12.5`` or ``+3`` is left alone."""
    if text and text[0] in "=+-@\t\r" and not _PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


def plain_cell(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return ";".join(str(v) for v in value)
    if isinstance(value, bool):
        return int(value)
    return "" if value is None else value


def to_csv(rows: Sequence[Mapping[str, Any]], columns: Sequence[str]) -> str:
    buf = io.StringIO()
    writer = csv.DictWriter(
        buf, fieldnames=list(columns), lineterminator="\n", extrasaction="ignore"
    )
    writer.writeheader()
    for row in rows:
        cells = {k: plain_cell(row.get(k)) for k in columns}
        writer.writerow({k: neutralise(v) if isinstance(v, str) else v for k, v in cells.items()})
    return buf.getvalue()


def to_json(rows: Sequence[Mapping[str, Any]]) -> str:
    return json.dumps(list(rows), ensure_ascii=False, indent=2, default=str) + "\n"


def _width(text: str) -> int:
    # CJK characters take two columns in Excel's default fonts.
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def write_xlsx(
    rows: Sequence[Mapping[str, Any]],
    path: Path,
    columns: Sequence[str],
    *,
    sheet: str = "数据",
    colour_column: str | None = None,
) -> None:
    """One sheet: header row, frozen panes, filter, widths; a row's ``colour_column`` value
    (green/yellow/red/grey) fills its status cells."""
    with xlsxwriter.Workbook(str(path), _OPTIONS) as book:
        _sheet(book, sheet, rows, columns, colour_column)


def write_workbook(
    sheets: Sequence[tuple[str, Sequence[str], Sequence[Mapping[str, Any]]]], path: Path
) -> None:
    """Several sheets (name, columns, rows), each as ``write_xlsx`` writes one (whole file or
    nothing)."""
    with atomic.replacing(path) as tmp, xlsxwriter.Workbook(str(tmp), _OPTIONS) as book:
        for name, columns, rows in sheets:
            _sheet(book, name, rows, columns, None)


_OPTIONS = {"strings_to_formulas": False, "strings_to_numbers": False, "strings_to_urls": False}


def _sheet(
    book: xlsxwriter.Workbook,
    sheet: str,
    rows: Sequence[Mapping[str, Any]],
    columns: Sequence[str],
    colour_column: str | None,
) -> None:
    ws = book.add_worksheet(sheet)
    bold = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    text = book.add_format({"num_format": "@"})
    fills = {k: book.add_format({"bg_color": v, "num_format": "@"}) for k, v in FILLS.items()}
    widths = [_width(c) for c in columns]
    for j, col in enumerate(columns):
        ws.write_string(0, j, col, bold)
    for i, row in enumerate(rows, start=1):
        fill = fills.get(str(row.get(colour_column))) if colour_column else None
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
                status_cell = fill is not None and col.startswith(("status", "colour"))
                ws.write_string(i, j, value, fill if status_cell else text)
            widths[j] = max(widths[j], _width(str(value)))
    for j, w in enumerate(widths):
        ws.set_column(j, j, min(max(w, 6), 60) + 2)
    ws.freeze_panes(1, 1)
    ws.autofilter(0, 0, max(len(rows), 1), len(columns) - 1)


def write(
    rows: Sequence[Mapping[str, Any]],
    columns: Sequence[str],
    fmt: str,
    path: Path,
    **xlsx: Any,
) -> None:
    """Write rows to ``path`` as csv, json or xlsx (whole or not at all)."""
    if fmt == "xlsx":
        with atomic.replacing(path) as tmp:
            write_xlsx(rows, tmp, columns, **xlsx)
    elif fmt == "json":
        atomic.write_text(path, to_json([{k: r.get(k) for k in columns} for r in rows]))
    else:
        atomic.write_text(path, to_csv(rows, columns))
