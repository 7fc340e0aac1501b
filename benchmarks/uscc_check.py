"""Checking a column of unified social credit codes (GB 32100-2015 check digits) at once.

Run: .venv/bin/python benchmarks/uscc_check.py [--codes 40000] [--repeat 7]

``lake.uscc.check_array`` validates a whole Arrow column, vectorised with NumPy, as the lake
importer does for every file. The baseline, measured in the same run, is what a capable user
would write instead: ``uscc.is_valid`` on each code in a Python loop. The goal is under 0.5 s for
40 000 codes (typically a few milliseconds).
"""

from __future__ import annotations

import argparse
import os
import sys

import numpy as np
import pyarrow as pa
from _world import median_time

from zhuansheng.lake import uscc


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--codes", type=int, default=40_000)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    bodies = [f"{n:08d}" for n in rng.integers(0, 10**8, args.codes)]
    codes = [uscc.make("9", "1", "330106", uscc.organization_code(b)) for b in bodies]
    column = pa.array(codes)

    def vectorised() -> None:
        valid, _ = uscc.check_array(column)
        assert valid.all()

    def loop() -> None:
        assert all(uscc.is_valid(c) for c in codes)

    base = median_time(loop, args.repeat)
    mine = median_time(vectorised, args.repeat)
    print(f"{args.codes} codes; medians of {args.repeat}")
    print(f"is_valid in a Python loop (baseline):   {base * 1000:8.2f} ms  x1.00")
    print(f"check_array (goal < 500 ms):            {mine * 1000:8.2f} ms  x{mine / base:.3f}")
    print(f"cores: {os.cpu_count()}  python: {sys.version.split()[0]}")


if __name__ == "__main__":
    main()
