"""The annex workbook (附件): the full data behind the text, one sheet per table.

Cells are written by type with the automatic conversions off (codes keep their leading zeros,
text starting with ``=`` stays text), as ``zhuansheng.tabular`` does for single-sheet exports.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import xlsxwriter

from zhuansheng.monitor.status import FILLS
from zhuansheng.tabular import plain_cell

from .content import Report

OPTIONS = {"strings_to_formulas": False, "strings_to_numbers": False, "strings_to_urls": False}
PERCENT_COLUMNS = ("完成率", "序时进度", "报送率", "序时达标率")


def _width(text: str) -> int:
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def render(report: Report, path: Path) -> None:
    with xlsxwriter.Workbook(str(path), OPTIONS) as book:
        when = dt.datetime.combine(report.generated_on, dt.time())
        book.set_properties(
            {
                "title": report.title_line,
                "author": report.issuer,
                "comments": "合成演示数据" if report.synthetic else "",
                "created": when,
            }
        )
        head = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
        text = book.add_format({"num_format": "@"})
        pct = book.add_format({"num_format": "0.0%"})
        red = book.add_format({"bold": True, "font_color": "#C00000"})
        fills = {k: book.add_format({"bg_color": v, "num_format": "@"}) for k, v in FILLS.items()}
        for sheet in report.sheets:
            ws = book.add_worksheet(sheet.name)
            top = 0
            if report.synthetic:
                ws.write_string(0, 0, f"{report.title_line}（合成演示数据，非官方统计）", red)
                top = 1
            widths = [_width(c) for c in sheet.columns]
            for j, col in enumerate(sheet.columns):
                ws.write_string(top, j, col, head)
            for i, row in enumerate(sheet.rows, start=top + 1):
                fill = fills.get(str(row.get(sheet.colour_column))) if sheet.colour_column else None
                for j, col in enumerate(sheet.columns):
                    value = plain_cell(row.get(col))
                    if value == "":
                        ws.write_blank(i, j, None)
                    elif isinstance(value, int | float):
                        ws.write_number(i, j, value, pct if col in PERCENT_COLUMNS else None)
                    else:
                        fmt = fill if fill is not None and col in ("状态", "颜色") else text
                        ws.write_string(i, j, str(value), fmt)
                    widths[j] = max(widths[j], min(_width(str(value)), 60))
            for j, w in enumerate(widths):
                ws.set_column(j, j, max(w, 6) + 2)
            ws.freeze_panes(top + 1, 0)
            ws.autofilter(top, 0, top + max(len(sheet.rows), 1), len(sheet.columns) - 1)
