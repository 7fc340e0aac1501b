"""Reading an uploaded workbook safely: a 100-row filled template, and refusing a zip bomb.

Run: .venv/bin/python benchmarks/read_workbook.py [--rows 100] [--repeat 15]

A county's filled template (a hidden ``_meta`` stamp sheet and the ``填报`` sheet) is read the
way an import reads it, with ``uploads.open_workbook`` (size and zip-bomb checks, the sheet
XML parsed with its shared strings, codes kept as text). Baselines, measured in the same run, are
what a capable user would write instead: fastexcel (calamine) reading both sheets, and openpyxl
in read-only mode. The goal is under 0.05 s for 100 rows.

A zip bomb (150 MB of zeros in a 150 kB .xlsx) must be refused from the zip directory, before
anything is unpacked; the baseline is listing that directory with ``zipfile`` and summing the
unpacked sizes, the least any check can do. The goal is under 0.5 s.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import zipfile
from pathlib import Path

import fastexcel
import openpyxl
import xlsxwriter
from _world import median_time

from zhuansheng.errors import InputRejected
from zhuansheng.uploads import open_workbook, read_sheet


def filled_template(path: Path, rows: int) -> Path:
    book = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False})
    meta = book.add_worksheet("_meta")
    for r, (key, value) in enumerate([("template_version", "3"), ("region", "330100")]):
        meta.write_string(r, 0, key)
        meta.write_string(r, 1, value)
    meta.hide()
    ws = book.add_worksheet("填报")
    ws.activate()
    ws.write_row(0, 0, ["指标代码", "指标名称", "单位", "本期值", "上年同期", "说明"])
    for r in range(1, rows + 1):
        ws.write_string(r, 0, f"{r:03d}")
        ws.write_string(r, 1, f"指标{r}")
        ws.write_string(r, 2, "万元")
        ws.write_number(r, 3, r * 1.5)
        ws.write_number(r, 4, r * 1.4)
        ws.write_string(r, 5, "说明")
    book.close()
    return path


def zip_bomb(path: Path, megabytes: int) -> Path:
    chunk = b"\x00" * 2**20
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/workbook.xml", "<workbook/>")
        with zf.open("xl/worksheets/sheet1.xml", "w") as fh:
            for _ in range(megabytes):
                fh.write(chunk)
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = filled_template(Path(tmp) / "filled.xlsx", args.rows)
        bomb = zip_bomb(Path(tmp) / "bomb.xlsx", 150)

        def ours() -> None:
            with open_workbook(path) as wb:
                wb.read("_meta")
                data = wb.read("填报")
            assert data.n_rows == args.rows + 1

        def with_fastexcel() -> None:
            book = fastexcel.read_excel(path)
            book.load_sheet_by_name("_meta", header_row=None).to_arrow()
            book.load_sheet_by_name("填报").to_arrow()

        def with_openpyxl() -> None:
            wb = openpyxl.load_workbook(path, read_only=True)
            for name in ("_meta", "填报"):
                list(wb[name].iter_rows(values_only=True))
            wb.close()

        def refuse_bomb() -> None:
            try:
                read_sheet(bomb)
            except InputRejected:
                return
            raise AssertionError("the zip bomb was not refused")

        def list_bomb() -> None:
            with zipfile.ZipFile(bomb) as zf:
                assert sum(i.file_size for i in zf.infolist()) > 100 * 2**20

        fast = median_time(with_fastexcel, args.repeat)
        slow = median_time(with_openpyxl, args.repeat)
        mine = median_time(ours, args.repeat)
        listed = median_time(list_bomb, args.repeat)
        refused = median_time(refuse_bomb, args.repeat)
        size = path.stat().st_size
        print(f"{args.rows}-row filled template, {size} bytes; medians of {args.repeat}")
        print(f"fastexcel, both sheets (baseline):        {fast * 1000:7.2f} ms  x1.00")
        print(
            f"openpyxl read-only, both sheets:          {slow * 1000:7.2f} ms  x{slow / fast:.2f}"
        )
        print(
            f"open_workbook, checked (goal < 50 ms):    {mine * 1000:7.2f} ms  x{mine / fast:.2f}"
        )
        print(f"zip bomb, {bomb.stat().st_size} bytes holding 150 MB")
        print(f"list the zip directory (baseline):        {listed * 1000:7.2f} ms  x1.00")
        ratio = refused / listed
        print(f"refused by read_sheet (goal < 500 ms):    {refused * 1000:7.2f} ms  x{ratio:.2f}")
        print(f"cores: {os.cpu_count()}  python: {sys.version.split()[0]}")


if __name__ == "__main__":
    main()
