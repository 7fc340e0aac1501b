"""Each normalisation, the weights and the aggregations against hand-computed values."""

from __future__ import annotations

import math

import numpy as np
import pytest
from assess_helpers import scheme
from pymcdm.methods import TOPSIS
from pymcdm.weights import entropy_weights

from zhuansheng.assess import aggregate as agg
from zhuansheng.assess import normalise as norm
from zhuansheng.assess import score as sc
from zhuansheng.assess import weights as wts
from zhuansheng.assess.scheme import RankPoints

NAN = float("nan")


def test_completion_of_own_target_floored_and_capped() -> None:
    x = np.array([50.0, 130.0, 80.0, -5.0, NAN])
    t = np.array([100.0, 100.0, 80.0, 10.0, 10.0])
    # 50/100 = 0.5; 130/100 = 1.3 → cap 1.2; 80/80 = 1; −5/10 → floor 0; missing stays missing
    got = norm.completion(x, t, lower=False, cap=1.2)
    assert got[:4] == pytest.approx([0.5, 1.2, 1.0, 0.0])
    assert math.isnan(got[4])
    # lower is better: t / x → 3/2 = 1.5 (no cap), 3/6 = 0.5
    assert norm.completion(np.array([2.0, 6.0]), np.array([3.0, 3.0]), True, None) == (
        pytest.approx([1.5, 0.5])
    )


def test_distance_to_target() -> None:
    x = np.array([2.0, 5.0, 8.0])
    # higher: (x − x_min)/(t − x_min), x_min = 2, t = 6 → 0/4, 3/4, 6/4 capped at 1
    assert norm.distance(x, np.full(3, 6.0), False, 1.0) == pytest.approx([0.0, 0.75, 1.0])
    # lower: (x_max − x)/(x_max − t), x_max = 8, t = 4 → 6/4 capped, 3/4, 0/4
    assert norm.distance(x, np.full(3, 4.0), True, 1.0) == pytest.approx([1.0, 0.75, 0.0])
    assert norm.distance(x, np.full(3, 6.0), False, None)[2] == pytest.approx(6 / 4)


def test_min_max() -> None:
    x = np.array([10.0, 20.0, 40.0])
    assert norm.minmax(x, False) == pytest.approx([0.0, 10 / 30, 1.0])
    assert norm.minmax(x, True) == pytest.approx([1.0, 20 / 30, 0.0])
    assert norm.minmax(np.array([3.0, 3.0]), False) == pytest.approx([1.0, 1.0])


def test_z_score_uses_the_sample_standard_deviation() -> None:
    x = np.array([2.0, 4.0, 6.0])
    # mean 4; sd = √(((2−4)² + 0 + (6−4)²)/(3 − 1)) = √4 = 2
    assert norm.zscore(x, False) == pytest.approx([-1.0, 0.0, 1.0])
    assert norm.zscore(x, True) == pytest.approx([1.0, 0.0, -1.0])


def test_rank_to_points_with_a_tie() -> None:
    x = np.array([5.0, 9.0, 7.0, 9.0])
    # ranks 4, 1, 3, 1 (the two 9s share rank 1; the next is 3rd)
    assert norm.ranks(x).tolist() == [4.0, 1.0, 3.0, 1.0]
    # points 60 − (rank − 1) × 3 = 51, 60, 54, 60, scaled by the first place's 60
    got = norm.rank_points(x, False, RankPoints(first=60, step=3, floor=0))
    assert got == pytest.approx([51 / 60, 60 / 60, 54 / 60, 60 / 60])
    # a floor stops the points falling further: rank 4 would get 60 − 3 × 20 = 0 → floor 10
    deep = norm.rank_points(x, False, RankPoints(first=60, step=20, floor=10))
    assert deep == pytest.approx([10 / 60, 1.0, 20 / 60, 1.0])


def test_entropy_weights_by_hand() -> None:
    m = np.array([[1.0, 1.0], [1.0, 3.0], [2.0, 0.0]])
    # column 1: p = 1/4, 1/4, 2/4; column 2: p = 1/4, 3/4, 0 (p = 0 adds nothing)
    e1 = -(2 * 0.25 * math.log(0.25) + 0.5 * math.log(0.5)) / math.log(3)
    e2 = -(0.25 * math.log(0.25) + 0.75 * math.log(0.75)) / math.log(3)
    d1, d2 = 1 - e1, 1 - e2
    assert wts.entropy(m) == pytest.approx([d1 / (d1 + d2), d2 / (d1 + d2)])


def test_additive_and_geometric_aggregation() -> None:
    values = np.array([[0.5, 1.0], [1.0, 0.0]])
    w = np.array([0.6, 0.4])
    # 0.6 × 0.5 + 0.4 × 1 = 0.7; 0.6 × 1 + 0.4 × 0 = 0.6
    assert agg.additive(values, w) == pytest.approx([0.7, 0.6])
    # 0.5^0.6 × 1^0.4; the 0 is lifted to the floor 0.01: 1^0.6 × 0.01^0.4
    assert agg.geometric(values, w, 0.01) == pytest.approx([0.5**0.6, 0.01**0.4])


def test_bonus_items_and_the_total_are_capped() -> None:
    s = scheme(
        bonus=[
            {"id": "ff", "name_zh": "未来工厂", "levels": ["city"], "target": "future_factory_new",
             "per_unit": 1, "cap": 3},
            {"id": "sc", "name_zh": "单项冠军", "levels": ["city"], "target": "single_champion_new",
             "per_unit": 0.5},
        ],
        bonus_cap=4,
        penalties=[
            {"id": "red", "name_zh": "红灯", "levels": ["city"], "colours": ["red"],
             "per_unit": 0.5, "cap": 2},
        ],
    )  # fmt: skip
    x = np.array([[1.0, 1.0], [0.5, 0.5]])
    t = np.ones((2, 2))
    out = sc.score(s, "city", x, t, np.array([[5.0, 4.0], [1.0, 0.0]]), np.array([[1.0], [9.0]]))
    # region 1: min(5 × 1, 3) = 3, 4 × 0.5 = 2, total 5 → cap 4; penalty 1 × 0.5 = 0.5
    # region 2: 1 × 1 = 1; penalty 9 × 0.5 = 4.5 → item cap 2
    assert out.bonus == pytest.approx([4.0, 1.0])
    assert out.penalty == pytest.approx([0.5, 2.0])
    # completion 1 and 1 → 100 points; 0.5 and 0.5 → 0.6 × 50 + 0.4 × 50 = 50
    assert out.score == pytest.approx([100 + 4 - 0.5, 50 + 1 - 2])
    assert out.adjustments[0].tolist() == pytest.approx([3.0, 2.0, -0.5])


def test_a_tie_shares_rank_and_grade() -> None:
    s = scheme()
    x = np.array([[90.0, 80.0], [90.0, 80.0], [100.0, 100.0], [10.0, 10.0]])
    out = sc.score(s, "city", x, np.full((4, 2), 100.0))
    # 0.6 × 0.9 + 0.4 × 0.8 = 0.86 → 86 for the two equal regions; 100; 0.6 × 0.1 + 0.4 × 0.1
    assert out.score == pytest.approx([86.0, 86.0, 100.0, 10.0])
    assert out.rank.tolist() == [2.0, 2.0, 1.0, 4.0]
    assert out.grades == ["良好", "良好", "优秀", "不合格"]
    # contributions are the points each indicator adds: 100 × 0.6 × 0.9 = 54, 100 × 0.4 × 0.8 = 32
    assert out.contributions[0] == pytest.approx([54.0, 32.0])


def test_grades_by_rank_share() -> None:
    s = scheme(grades={"basis": "rank_share", "优秀": 0.25, "良好": 0.5, "合格": 0.75})
    rank = np.array([1.0, 2.0, 3.0, 4.0])
    # shares 1/4, 2/4, 3/4, 4/4
    assert sc.grade(s, np.zeros(4), rank) == ["优秀", "良好", "合格", "不合格"]


def test_missing_values_score_zero_or_the_mean() -> None:
    x = np.array([[50.0, 100.0], [NAN, 50.0]])
    t = np.full((2, 2), 100.0)
    assert sc.normalised(scheme(), scheme().indicators, x, t)[1, 0] == 0.0
    s = scheme(missing="mean")
    assert sc.normalised(s, s.indicators, x, t)[1, 0] == pytest.approx(0.5)


@pytest.mark.filterwarnings("ignore:Alternatives with indices:UserWarning")
@pytest.mark.parametrize("seed", range(20))
def test_entropy_and_topsis_agree_with_pymcdm(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n, m = rng.integers(3, 30), rng.integers(2, 9)
    matrix = rng.uniform(0.1, 100.0, (n, m))
    assert wts.entropy(matrix) == pytest.approx(entropy_weights(matrix), abs=1e-9)

    types = rng.choice([1, -1], m)
    w = rng.uniform(0.1, 1.0, m)
    w = w / w.sum()
    ours_values = np.column_stack(
        [norm.minmax(matrix[:, j], lower=types[j] == -1) for j in range(m)]
    )
    theirs = TOPSIS()(matrix, w, types)  # pymcdm's default: min–max normalisation
    assert agg.topsis(ours_values, w) == pytest.approx(theirs, abs=1e-9)


def test_batched_aggregation_equals_one_draw_at_a_time() -> None:
    rng = np.random.default_rng(1)
    values = rng.uniform(0, 1, (5, 7, 3))
    w = rng.dirichlet(np.ones(3), 5)
    for method in ("additive", "geometric", "topsis"):
        batch = agg.aggregate(method, values, w, 0.01)
        one = [agg.aggregate(method, values[d], w[d], 0.01) for d in range(5)]
        assert batch == pytest.approx(np.array(one))
