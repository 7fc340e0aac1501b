"""One scheme applied to one matrix: normalise, weigh, aggregate, add bonus and penalty, rank,
grade. Pure numpy, so the tests can hand-compute every step."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import aggregate as agg
from . import normalise as norm
from . import weights as wts
from .scheme import Adjustment, Indicator, Scheme

SCORE_DECIMALS = 6  # scores equal to this many decimals tie (float noise must not break a tie)


@dataclass
class Scored:
    normalised: np.ndarray  # regions × indicators, missing values filled
    weights: np.ndarray  # indicators, summing to 1
    index: np.ndarray  # the aggregate, before scaling
    contributions: np.ndarray  # regions × indicators, points (scaled)
    adjustments: np.ndarray  # regions × (bonus items, then penalty items), signed points
    bonus: np.ndarray
    penalty: np.ndarray
    score: np.ndarray
    rank: np.ndarray
    grades: list[str]


def normalised(
    scheme: Scheme, inds: list[Indicator], x: np.ndarray, t: np.ndarray, method: str | None = None
) -> np.ndarray:
    """Each indicator normalised by its own method (or all by ``method``), missing filled by the
    scheme's rule: 0 (缺报不得分) or the mean of the regions that reported."""
    out = np.empty_like(x, dtype=float)
    for j, ind in enumerate(inds):
        how = method or scheme.method_of(ind)
        if how in ("completion", "distance") and np.isnan(t[:, j]).all():
            how = scheme.method_of(ind)  # no targets: keep the indicator's own method
        out[:, j] = norm.normalise(
            how,
            x[:, j],
            t[:, j],
            lower=ind.direction == "lower",
            cap=ind.cap,
            rp=scheme.rank_points,
        )
    return fill_missing(out, scheme.missing)


def fill_missing(values: np.ndarray, rule: str) -> np.ndarray:
    if rule == "mean":
        with np.errstate(invalid="ignore"):
            col = np.nanmean(np.where(np.isnan(values), np.nan, values), axis=0)
        col = np.where(np.isnan(col), 0.0, col)
        return np.where(np.isnan(values), col, values)
    return np.where(np.isnan(values), 0.0, values)


def weights_for(scheme: Scheme, inds: list[Indicator], values: np.ndarray) -> np.ndarray:
    if scheme.weights == "equal":
        return wts.equal(len(inds))
    if scheme.weights == "entropy":
        return wts.entropy(wts.non_negative(values))
    return wts.expert(np.array([i.weight for i in inds], dtype=float))


def adjustment_points(items: list[Adjustment], values: np.ndarray) -> np.ndarray:
    """Points of each item: per_unit × value, each item capped at its own cap."""
    per = np.array([i.per_unit for i in items], dtype=float)
    cap = np.array([np.inf if i.cap is None else i.cap for i in items], dtype=float)
    return np.minimum(values * per, cap) if items else np.zeros((values.shape[0], 0))


def capped_total(points: np.ndarray, cap: float | None) -> np.ndarray:
    total = points.sum(axis=1)
    return total if cap is None else np.minimum(total, cap)


def rank_scores(score: np.ndarray) -> np.ndarray:
    """Competition ranks of scores (higher first), equal to SCORE_DECIMALS tying."""
    return norm.ranks(np.round(score, SCORE_DECIMALS))


def grade(scheme: Scheme, score: np.ndarray, rank: np.ndarray) -> list[str]:
    g = scheme.grades
    if g.basis == "rank_share":
        share = rank / len(rank)
        picks = np.select(
            [share <= g.excellent, share <= g.good, share <= g.passing],
            ["优秀", "良好", "合格"],
            "不合格",
        )
    else:
        s = np.round(score, SCORE_DECIMALS)
        picks = np.select(
            [s >= g.excellent, s >= g.good, s >= g.passing], ["优秀", "良好", "合格"], "不合格"
        )
    return [str(p) for p in picks]


def score(
    scheme: Scheme,
    level: str,
    x: np.ndarray,
    t: np.ndarray,
    bonus_values: np.ndarray | None = None,
    penalty_values: np.ndarray | None = None,
) -> Scored:
    inds = scheme.indicators_for(level)
    n = x.shape[0]
    values = normalised(scheme, inds, x, t)
    w = weights_for(scheme, inds, values)
    index = agg.aggregate(scheme.aggregation, values, w, scheme.geometric_floor)
    parts = agg.contributions(scheme.aggregation, values, w, index) * scheme.scale
    bonus_items, pen_items = scheme.bonus, scheme.penalties
    bv = np.zeros((n, len(bonus_items))) if bonus_values is None else bonus_values.copy()
    pv = np.zeros((n, len(pen_items))) if penalty_values is None else penalty_values.copy()
    for j, item in enumerate(bonus_items):
        if level not in item.levels:
            bv[:, j] = 0.0
    for j, item in enumerate(pen_items):
        if level not in item.levels:
            pv[:, j] = 0.0
    bp = adjustment_points(bonus_items, bv)
    pp = adjustment_points(pen_items, pv)
    bonus = capped_total(bp, scheme.bonus_cap)
    penalty = capped_total(pp, scheme.penalty_cap)
    total = index * scheme.scale + bonus - penalty
    rank = rank_scores(total)
    return Scored(
        values,
        w,
        index,
        parts,
        np.hstack([bp, -pp]),
        bonus,
        penalty,
        total,
        rank,
        grade(scheme, total, rank),
    )
