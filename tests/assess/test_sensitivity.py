"""Monte Carlo: a dominant region keeps its rank, two close regions swap; seeded."""

from __future__ import annotations

import numpy as np
from assess_helpers import scheme

from zhuansheng.assess import score as sc
from zhuansheng.assess.sensitivity import monte_carlo


def _run(seed: int, draws: int = 2000):  # type: ignore[no-untyped-def]
    s = scheme(
        normalisation="minmax",
        weights="equal",
        indicators=[
            {"id": "a", "name_zh": "甲", "levels": ["city"], "target": "robots_new"},
            {"id": "b", "name_zh": "乙", "levels": ["city"], "target": "freed_land"},
            {"id": "c", "name_zh": "丙", "levels": ["city"], "target": "freed_energy"},
        ],
    )
    # A is best on every indicator, D worst; B and C trade indicators a and b against each other
    x = np.array([[10.0, 10.0, 10.0], [6.0, 4.0, 5.0], [4.0, 6.0, 5.0], [1.0, 1.0, 1.0]])
    t = np.full_like(x, 10.0)
    options = [None, "rank_points"]
    stack = np.stack([sc.normalised(s, s.indicators, x, t, how) for how in options])
    w = np.stack([sc.weights_for(s, s.indicators, m) for m in stack])
    return monte_carlo(
        stack,
        w,
        method="additive",
        floor=0.01,
        scale=100.0,
        adjust=np.zeros(4),
        draws=draws,
        seed=seed,
        weight_range=0.2,
        leave_one_out=True,
        normalisations=("方案设定", "rank_points"),
    )


def test_a_dominant_region_is_stable_and_close_ones_are_not() -> None:
    out = _run(seed=7)
    # A: first in every draw, so its 5–95 % interval is the single rank 1
    assert (out.p05[0], out.median[0], out.p95[0]) == (1.0, 1.0, 1.0)
    assert (out.p05[3], out.p95[3]) == (4.0, 4.0)
    # B and C: depending on which of a and b weighs more (or is left out) either can be 2nd
    for i in (1, 2):
        assert out.p05[i] == 2.0 and out.p95[i] == 3.0
    assert out.summary.draws == 2000 and out.summary.seed == 7
    assert set(out.summary.shifts) == {"weights", "normalisation", "leave_one_out"}
    # rank points give B and C a tie (2, 2) on c, but minmax the same; only weights and
    # leaving a or b out can swap them, so normalisation moves ranks least
    assert out.summary.dominant in ("weights", "leave_one_out")


def test_the_same_seed_gives_the_same_intervals() -> None:
    a, b = _run(seed=3, draws=300), _run(seed=3, draws=300)
    assert np.array_equal(a.median, b.median) and np.array_equal(a.p05, b.p05)
    assert a.summary == b.summary
