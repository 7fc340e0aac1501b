"""Import one month's 90 county workbooks (goal: under 5 s in total on the reference machine).

Run: .venv/bin/python benchmarks/import_month.py [--period 2023-01]

Set-up (not timed): a demo world, one template per county for a month the demo has not filled
(the demo's 2022 months are already submitted and locked), each filled with that county's
values of the same month a year earlier raised by 5 %. Timed: importing all 90
files through the full path (safe reading, stamp, validation rules against each county's
history, revisions, batches, drafts). The baseline, measured in the same run, is only reading
the 90 workbooks safely, so the ratio shows what validation and the database add.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from _world import temporary_world


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--period", default="2023-01")
    args = parser.parse_args()
    with temporary_world() as tmp:
        import openpyxl

        from zhuansheng import demo, store, users
        from zhuansheng import uploads as files
        from zhuansheng.collect import import_observations, templates
        from zhuansheng.store import observations as obs

        demo.build(seed=42, enterprises=2000)
        with store.session() as s:
            users.add_user(s, "bench", "province_admin")
        paths = templates.write_county_templates(args.period, Path(tmp) / "blank")
        filled = []
        with store.session() as s:
            for path in paths:
                county = path.name[:6]
                wb = openpyxl.load_workbook(path)
                ws = wb["填报"]
                for row in ws.iter_rows(min_row=5):
                    year, month = args.period.split("-")
                    before = obs.latest(s, row[1].value, county, f"{int(year) - 1}-{month}")
                    if before is None:
                        continue
                    if before.numerator is not None:
                        row[7].value = round(before.numerator * 1.05, 4)
                        row[9].value = round(before.denominator * 1.05, 4)
                    else:
                        row[6].value = round(before.value * 1.05 + 1, 4)
                out = Path(tmp) / "filled" / path.name
                out.parent.mkdir(exist_ok=True)
                wb.save(out)
                filled.append(out)

        start = time.perf_counter()
        for path in filled:
            with files.open_workbook(path) as wb:
                wb.read("_meta")
                wb.read("填报")
        read = time.perf_counter() - start

        start = time.perf_counter()
        written = 0
        for path in filled:
            result = import_observations(path, user="bench", comment="基准测试")
            written += result.written
        total = time.perf_counter() - start
        print(f"{len(filled)} county workbooks of {args.period}, {written} values written")
        print(f"read the workbooks safely (baseline): {read:6.2f} s")
        print(f"full import (goal < 5 s):             {total:6.2f} s  ratio x{total / read:.1f}")
        print(f"cores: {os.cpu_count()}  python: {sys.version.split()[0]}")


if __name__ == "__main__":
    main()
