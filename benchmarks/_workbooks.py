"""Large filled templates for load runs: a county's real template, filled in, with its input
sheet padded by note rows (no indicator code: the importer reads them and skips them)."""

from __future__ import annotations

import random
import re
import string
import zipfile
import zlib
from pathlib import Path
from xml.etree import ElementTree

import openpyxl

from zhuansheng import programme
from zhuansheng.collect import templates
from zhuansheng.collect.template import INPUT_SHEET

_M = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_P = "{http://schemas.openxmlformats.org/package/2006/relationships}"


def _fill(blank: Path, out: Path) -> Path:
    """This period's values = last period's (ratios as a numerator over 1000)."""
    catalogue = programme.indicators()
    wb = openpyxl.load_workbook(blank)
    for row in wb[INPUT_SHEET].iter_rows(min_row=5):
        ind = catalogue.get(row[1].value)
        if ind is None:
            continue
        previous = row[4].value if isinstance(row[4].value, int | float) else 1.0
        if ind.aggregation in ("ratio", "share"):
            row[7].value, row[9].value = previous * 1000 / (ind.scale or 1), 1000
        else:
            row[6].value = previous
    wb.save(out)
    return out


def _sheet_part(zf: zipfile.ZipFile, name: str) -> str:
    book = ElementTree.fromstring(zf.read("xl/workbook.xml"))
    rid = next(s.get(f"{_R}id") for s in book.iter(f"{_M}sheet") if s.get("name") == name)
    rels = ElementTree.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
    target = next(r.get("Target") for r in rels.iter(f"{_P}Relationship") if r.get("Id") == rid)
    return str(target).lstrip("/") if str(target).startswith("/") else f"xl/{target}"


def _padding(first_row: int, budget: int, seed: int) -> tuple[bytes, int]:
    rng = random.Random(seed)
    letters = string.ascii_letters + string.digits
    packer = zlib.compressobj(6, zlib.DEFLATED, -15)
    chunks, packed, row = [], 0, first_row
    while packed < budget:
        rows = []
        for _ in range(500):
            cells = "".join(
                f'<c r="{col}{row}" t="inlineStr"><is><t>附注{row}：'
                f"{''.join(rng.choices(letters, k=60))}</t></is></c>"
                for col in ("A", "C", "L")
            )
            rows.append(f'<row r="{row}">{cells}</row>')
            row += 1
        chunk = "".join(rows).encode()
        packed += len(packer.compress(chunk))
        chunks.append(chunk)
    return b"".join(chunks), row - 1


def padded(filled: Path, out: Path, size: int, seed: int = 0) -> Path:
    """A filled template with its input sheet padded by note rows (no indicator code, so the
    importer reads and skips them) to about ``size`` bytes."""
    with zipfile.ZipFile(filled) as src:
        part = _sheet_part(src, INPUT_SHEET)
        xml = src.read(part)
        last = max(int(n) for n in re.findall(rb'<row r="(\d+)"', xml))
        budget = size - filled.stat().st_size - 20_000  # room for the zip's own bookkeeping
        rows, end = _padding(last + 2, budget, seed)
        xml = xml.replace(b"</sheetData>", rows + b"</sheetData>", 1)
        xml = re.sub(
            rb'<dimension ref="A1:([A-Z]+)\d+"', rb'<dimension ref="A1:\g<1>%d"' % end, xml
        )
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
            for item in src.infolist():
                dst.writestr(item, xml if item.filename == part else src.read(item.filename))
    return out


def large_workbook(region: str, period: str, folder: Path, size: int, seed: int = 0) -> Path:
    """``region``'s template for ``period``, filled in and padded to about ``size`` bytes."""
    blank = templates.write_template(region, period, folder / f"blank-{region}.xlsx")
    filled = _fill(blank, folder / f"filled-{region}.xlsx")
    return padded(filled, folder / f"{region}-{period}.xlsx", size, seed)
