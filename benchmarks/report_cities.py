"""Time the 11 city quarterly briefings (季度简报) as Word + PDF (goal: under 30 s on the
2-core reference machine).

Run: .venv/bin/python benchmarks/report_cities.py [--enterprises 20000] [--period 2022Q2]

It builds a demo world in a temporary folder first (not timed). Timed: ``generate_many`` as
``zhuansheng report quarterly --all -f docx,pdf`` runs it — reading the period's sources once
(monitoring and the regional assessment), then each city's content, charts, Word and PDF — in
one process and in two forked processes (``--jobs 2``). The baseline, measured in the same run,
is the monitoring analysis alone (``monitor.run``), so the ratio shows what writing eleven
documents adds to reading the data once. The machine is shared: the 1-minute load average is
printed with the figures.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections import defaultdict
from pathlib import Path

from _world import temporary_world


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--enterprises", type=int, default=20000)
    parser.add_argument("--period", default="2022Q2")
    args = parser.parse_args()
    with temporary_world() as tmp:
        from zhuansheng import demo, monitor, reference, report
        from zhuansheng.report import render_docx, render_pdf
        from zhuansheng.report.config import default_config

        demo.build(seed=42, enterprises=args.enterprises)
        cities = [r.code for r in reference.regions() if r.level == "city"]

        start = time.perf_counter()
        monitor.run(args.period)
        base = time.perf_counter() - start

        out = Path(tmp) / "reports"
        timings = {}
        for jobs in (1, 2):  # 1: one process, as the web app renders; 2: `--all --jobs 2`
            start = time.perf_counter()
            written = report.generate_many(
                "quarterly",
                args.period,
                cities,
                formats=("docx", "pdf"),
                out_dir=out / f"jobs{jobs}",
                jobs=jobs,
            )
            timings[jobs] = time.perf_counter() - start
        pages = sum(_pages(p) for p in written if p.suffix == ".pdf")

        # Where the time goes (warm, one process): each step summed over the 11 cities.
        steps: dict[str, float] = defaultdict(float)
        t0 = time.perf_counter()
        sources = report.Sources(args.period)
        sources.ranking("city", args.period, default_config().ranking_draws)
        steps["sources (monitoring + assessment)"] = time.perf_counter() - t0
        for code in cities:
            t0 = time.perf_counter()
            content = report.build("quarterly", sources, code)
            t1 = time.perf_counter()
            render_docx.render(content, out.with_suffix(".docx"), default_config())
            t2 = time.perf_counter()
            render_pdf.render(content, out.with_suffix(".pdf"), default_config())
            t3 = time.perf_counter()
            steps["content + charts"] += t1 - t0
            steps["docx"] += t2 - t1
            steps["pdf"] += t3 - t2

        load = os.getloadavg()[0]
        print(
            f"{len(cities)} city briefings, {args.period}, docx + pdf ({len(written)} files, "
            f"{pages} PDF pages); demo world of {args.enterprises} enterprises"
        )
        print(f"monitoring analysis alone (baseline):      {base:6.2f} s")
        for jobs, secs in timings.items():
            print(
                f"all 11 briefings, {jobs} process(es) (goal < 30 s): {secs:6.2f} s"
                f"  ratio x{secs / base:.1f}"
            )
        print("by step, warm, one process:")
        for name, secs in steps.items():
            print(f"  {name:<36} {secs:6.2f} s")
        print(
            f"cores: {os.cpu_count()}  load average (1 min): {load:.2f}  "
            f"python: {sys.version.split()[0]}"
        )


def _pages(path: Path) -> int:
    from pypdf import PdfReader

    return len(PdfReader(path).pages)


if __name__ == "__main__":
    main()
