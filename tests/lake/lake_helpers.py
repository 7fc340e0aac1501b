"""Helpers for the lake tests: a few valid enterprise-years, writers for each input format, and a
byte-level snapshot of a directory (to prove that a refused import wrote nothing).

Kept out of conftest.py under a unique module name, so tests can import them by name without
clashing with other folders' conftest modules."""

from __future__ import annotations

import csv
import hashlib
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from worlds import fact_row
from zhuansheng.lake import FACT_COLUMNS, uscc

Row = dict[str, Any]


def code(body8: str, county: str = "330106") -> str:
    """A valid USCC: 9 (market regulator) 1 (company), county, organisation code, check char."""
    return uscc.make("9", "1", county, uscc.organization_code(body8))


def sample_rows() -> list[Row]:
    """Six enterprise-years; tax by county and year is easy to add up by hand."""
    return [
        fact_row(1, "330106", "1713", "above", 2021, 12.5),  # 西湖区
        fact_row(2, "330106", "3311", "below", 2021, 3.0),
        fact_row(3, "330603", "1751", "above", 2021, 40.0),  # 柯桥区
        fact_row(1, "330106", "1713", "above", 2022, 14.0),
        fact_row(2, "330106", "3311", "below", 2022, 2.5),
        fact_row(3, "330603", "1751", "above", 2022, 41.25),
    ]


def write_csv(path: Path, rows: list[Row], columns: list[str] | None = None) -> Path:
    columns = columns or list(FACT_COLUMNS)
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        for r in rows:
            writer.writerow({k: "" if r.get(k) is None else r[k] for k in columns})
    return path


def write_xlsx(path: Path, rows: list[Row], sheet: str = "企业数据") -> Path:
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet(sheet)
    text = wb.add_format({"num_format": "@"})
    ws.write_row(0, 0, list(FACT_COLUMNS))
    for i, r in enumerate(rows, start=1):
        for j, name in enumerate(FACT_COLUMNS):
            value = r.get(name)
            if value is None:
                continue
            if isinstance(value, str):
                ws.write_string(i, j, value, text)  # codes as text, as the docs ask
            else:
                ws.write_number(i, j, value)
    wb.close()
    return path


def write_parquet(path: Path, rows: list[Row]) -> Path:
    pq.write_table(pa.Table.from_pylist(rows), path)
    return path


def snapshot(root: Path) -> dict[str, str]:
    """Every path below ``root`` with the sha256 of its bytes (``dir`` for directories)."""
    if not root.exists():
        return {}
    out = {}
    for p in sorted(root.rglob("*")):
        rel = str(p.relative_to(root))
        out[rel] = "dir" if p.is_dir() else hashlib.sha256(p.read_bytes()).hexdigest()
    return out
