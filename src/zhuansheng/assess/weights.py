"""Weights: the scheme's expert weights, equal weights, or the entropy method (熵权法)."""

from __future__ import annotations

import numpy as np


def expert(w: np.ndarray) -> np.ndarray:
    """The scheme's weights, scaled to sum to 1."""
    return w / w.sum()


def equal(m: int) -> np.ndarray:
    return np.full(m, 1.0 / m)


def entropy(matrix: np.ndarray) -> np.ndarray:
    """Entropy weights of a regions × indicators matrix of non-negative values.

    p_ij = x_ij / Σ_i x_ij;  e_j = −(1/ln n) Σ_i p_ij ln p_ij (p = 0 adds 0);  d_j = 1 − e_j;
    w_j = d_j / Σ_j d_j. A column that is all zero carries no information (d = 0); if no column
    does, the weights are equal."""
    x = np.asarray(matrix, dtype=float)
    n, m = x.shape
    if n < 2:
        return equal(m)
    total = x.sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = np.where(total > 0, x / total, 0.0)
        plogp = np.where(p > 0, p * np.log(p), 0.0)
    e = np.where(total > 0, -plogp.sum(axis=0) / np.log(n), 1.0)
    d = 1.0 - e
    return d / d.sum() if d.sum() > 0 else equal(m)


def non_negative(matrix: np.ndarray) -> np.ndarray:
    """Shift a column with negative values (z-scores) so its minimum is 0, as entropy needs."""
    low = np.minimum(np.nanmin(matrix, axis=0), 0.0)
    return matrix - low
