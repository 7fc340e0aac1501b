"""Time a full monitoring run: every target × all 102 regions, the groups and the 48 pilots,
× 12 months (goal: under 1 second on the 2-core reference machine).

Run: .venv/bin/python benchmarks/monitor_run.py [--enterprises 20000] [--repeat 5]

It builds a demo world in a temporary folder first (not timed). The baseline, measured in the
same run, is reading the store alone (every indicator's values for 2021 and 2022), so the ratio
shows what the aggregation and the rules add on top of the database reads.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

from _world import temporary_world


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--enterprises", type=int, default=20000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with temporary_world():
        from zhuansheng import demo, monitor, programme, store
        from zhuansheng.monitor.rows import rows_for
        from zhuansheng.monitor.sources import Loader
        from zhuansheng.monitor.units import load_units

        demo.build(seed=42, enterprises=args.enterprises)
        programme.load(2022)  # parse the programme file once, as a running service would

        def read_only() -> None:
            with store.session() as s:
                units = load_units(s)
                used = {r.indicator for r in programme.load(2022).targets() if r.indicator}
                cat = programme.indicators()
                Loader(s, 2022, units.counties).series([cat[i] for i in sorted(used)])

        def timed(fn) -> float:  # type: ignore[no-untyped-def]
            runs = []
            for _ in range(args.repeat):
                start = time.perf_counter()
                fn()
                runs.append(time.perf_counter() - start)
            return statistics.median(runs)

        base = timed(read_only)
        analysis = monitor.analyse(2022)
        full = timed(lambda: monitor.analyse(2022))
        rows = timed(lambda: [rows_for(analysis, m) for m in range(1, 13)])
        n_rows = sum(len(rows_for(analysis, m)) for m in range(1, 13))
        units = len(analysis.units.units)
        print(
            f"targets {len(analysis.results)} × units {units} × 12 months"
            f" ({n_rows} applicable rows); median of {args.repeat} runs"
        )
        print(f"read the store (baseline):           {base:6.3f} s")
        print(f"full analysis, all months (goal < 1): {full:6.3f} s  ratio x{full / base:.2f}")
        print(f"materialise all {n_rows} rows:        {rows:6.3f} s  ratio x{rows / base:.2f}")
        print(f"cores: {os.cpu_count()}  python: {sys.version.split()[0]}")


if __name__ == "__main__":
    main()
