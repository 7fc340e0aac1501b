"""How long `zhuansheng demo build` takes and how much memory it needs, by enterprise count.

Run: .venv/bin/python benchmarks/demo_build.py [--enterprises 20000] [--repeat 3]

Each build runs as its own process in a fresh temporary folder. The baseline, measured in the
same run, is a build with a tenth of the enterprises, so the ratio shows how the time scales
with the enterprise sample (the registries, projects and cases do not depend on it).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CLI = Path(sys.executable).with_name("zhuansheng")


def build_once(enterprises: int, seed: int) -> tuple[float, float]:
    """(wall seconds, peak RSS in MiB of the child) for one build in a fresh folder."""
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "ZHUANSHENG_VAR": str(Path(tmp) / "var")}
        env.pop("ZHUANSHENG_DATABASE_URL", None)
        env.pop("ZHUANSHENG_LAKE", None)
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        start = time.perf_counter()
        out = subprocess.run(
            [
                str(CLI),
                "demo",
                "build",
                "--seed",
                str(seed),
                "--enterprises",
                str(enterprises),
                "--format",
                "json",
            ],
            env=env,
            cwd=tmp,
            check=True,
            capture_output=True,
            text=True,
        )
        wall = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        json.loads(out.stdout)  # the build reported a summary
    return wall, max(before, after) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--enterprises", type=int, default=20000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    baseline_n = max(500, args.enterprises // 10)
    results = {}
    for n in (baseline_n, args.enterprises):  # small first: RSS of children is a running max
        runs = [build_once(n, args.seed) for _ in range(args.repeat)]
        results[n] = (statistics.median(w for w, _ in runs), max(m for _, m in runs))
        print(
            f"enterprises={n:>7}  median {results[n][0]:6.2f} s over {args.repeat} runs"
            f"  peak RSS {results[n][1]:7.1f} MiB"
        )
    base, big = results[baseline_n][0], results[args.enterprises][0]
    print(
        f"ratio {args.enterprises}/{baseline_n} enterprises: time x{big / base:.2f}"
        f" for x{args.enterprises / baseline_n:.0f} the enterprises"
    )
    print(f"cores: {os.cpu_count()}  python: {sys.version.split()[0]}")


if __name__ == "__main__":
    main()
