"""Time the county assessment with 1000 Monte Carlo draws (goal: under 5 s on the 2-core
reference machine).

Run: .venv/bin/python benchmarks/assess_county.py [--enterprises 20000] [--draws 1000] [--repeat 3]

It builds a demo world in a temporary folder first (not timed). Each timed run is a whole
``assess.run("2022Q2", "county", sensitivity=draws)`` in a fresh state (the monitoring analysis
is read again), stored run included. The baseline, measured in the same run, is the same call
without the Monte Carlo, so the ratio shows what the 1000 draws add.
"""

from __future__ import annotations

import argparse
import statistics
import time

from _world import temporary_world


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--enterprises", type=int, default=20000)
    parser.add_argument("--draws", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with temporary_world():
        from zhuansheng import assess, demo
        from zhuansheng.assess.inputs import clear_cache

        demo.build(seed=42, enterprises=args.enterprises)
        assess.run("2022Q2", "city", save=False)  # imports and the programme file, not timed

        def timed(draws: int) -> float:
            runs = []
            for _ in range(args.repeat):
                clear_cache()
                start = time.perf_counter()
                result = assess.run("2022Q2", "county", sensitivity=draws)
                runs.append(time.perf_counter() - start)
                assert len(result.rows) == 90
            return statistics.median(runs)

        base = timed(0)
        full = timed(args.draws)
        mc = monte_carlo_alone(assess, args.draws, args.repeat)
        print(f"county assessment 2022Q2, 90 counties; median of {args.repeat} runs")
        print(f"  without Monte Carlo:        {base:6.2f} s (baseline)")
        print(f"  with {args.draws} draws:            {full:6.2f} s  ratio ×{full / base:.2f}")
        print(f"  the Monte Carlo alone:      {mc:6.3f} s")
        print(f"  goal under 5 s: {'met' if full < 5 else 'NOT met'}")


def monte_carlo_alone(assess, draws: int, repeat: int) -> float:  # type: ignore[no-untyped-def]
    """The draws on the county matrices already read: stacking the normalisations, scoring and
    ranking every draw, the intervals and the one-factor shifts."""
    from zhuansheng.assess import service
    from zhuansheng.assess.inputs import inputs
    from zhuansheng.assess.sensitivity import monte_carlo
    from zhuansheng.periods import parse_period

    period = parse_period("2022Q2")
    loaded = assess.load_scheme(period=period)
    scheme = loaded.scheme
    data = inputs(scheme, "county", period, None)
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        stack, weights, names = service._stack(scheme, "county", data)
        monte_carlo(
            stack,
            weights,
            method=scheme.aggregation,
            floor=scheme.geometric_floor,
            scale=scheme.scale,
            adjust=data.x[:, 0] * 0,
            draws=draws,
            seed=1,
            weight_range=scheme.sensitivity.weight_range,
            leave_one_out=True,
            normalisations=names,
        )
        runs.append(time.perf_counter() - start)
    return statistics.median(runs)


if __name__ == "__main__":
    main()
