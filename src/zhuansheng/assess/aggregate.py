"""Aggregation of normalised indicators into one index per region.

Each function takes ``values`` (… × regions × indicators) and ``weights`` (… × indicators, summing
to 1) and returns (… × regions): the leading axes are Monte Carlo draws, so one call scores every
draw at once.
"""

from __future__ import annotations

import numpy as np


def additive(values: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Σ_q w_q I_q."""
    return np.einsum("...nm,...m->...n", values, weights)


def geometric(values: np.ndarray, weights: np.ndarray, floor: float) -> np.ndarray:
    """Π_q I_q^{w_q}; values below ``floor`` are lifted to it (a zero would wipe out the rest)."""
    return np.exp(np.einsum("...nm,...m->...n", np.log(np.maximum(values, floor)), weights))


def topsis(values: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """TOPSIS closeness D⁻/(D⁺ + D⁻) on the weighted values v = w·I, with the ideal the best
    region on each indicator and the anti-ideal the worst (higher I is better). Regions all at
    the same point are equally close (1)."""
    v = values * weights[..., None, :]
    best = v.max(axis=-2, keepdims=True)
    worst = v.min(axis=-2, keepdims=True)
    d_plus = np.sqrt(((v - best) ** 2).sum(axis=-1))
    d_minus = np.sqrt(((v - worst) ** 2).sum(axis=-1))
    total = d_plus + d_minus
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, d_minus / np.where(total > 0, total, 1.0), 1.0)


def aggregate(method: str, values: np.ndarray, weights: np.ndarray, floor: float) -> np.ndarray:
    if method == "additive":
        return additive(values, weights)
    if method == "geometric":
        return geometric(values, weights, floor)
    if method == "topsis":
        return topsis(values, weights)
    raise ValueError(method)


def contributions(
    method: str, values: np.ndarray, weights: np.ndarray, score: np.ndarray
) -> np.ndarray:
    """Points each indicator adds (regions × indicators), summing to ``score``.

    Additive: exactly w_q I_q (× scale by the caller). Geometric and TOPSIS have no exact split,
    so the score is shared in proportion to w_q I_q (an explanation, stated as such in the docs)."""
    part = values * weights
    if method == "additive":
        return part
    total = part.sum(axis=-1, keepdims=True)
    share = np.divide(part, total, out=np.zeros_like(part), where=total != 0)
    return share * score[..., None]
