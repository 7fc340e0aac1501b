"""Normalisation of one indicator across regions (OECD/JRC handbook, COINr's names in brackets).

Every function takes the regions' values ``x`` (NaN = missing) and returns values where higher is
better; a missing input stays NaN (the scheme's ``missing`` rule fills it later). ``t`` is each
region's own target (分解目标), used by completion and distance to target.
"""

from __future__ import annotations

import numpy as np

from .scheme import RankPoints


def _finite(x: np.ndarray) -> np.ndarray:
    return x[~np.isnan(x)]


def completion(x: np.ndarray, t: np.ndarray, lower: bool, cap: float | None) -> np.ndarray:
    """Completion of the region's own target: x / t (lower is better: t / x), floored at 0."""
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(x > 0, t / x, np.inf) if lower else x / t
    out = np.where((t > 0) & ~np.isnan(x), out, np.nan)
    out = np.maximum(out, 0.0)
    if cap is not None:
        out = np.minimum(out, cap)
    return np.where(np.isinf(out), 1.0, out)  # lower-is-better at 0 with no cap: fully met


def distance(x: np.ndarray, t: np.ndarray, lower: bool, cap: float | None) -> np.ndarray:
    """Distance to target (n_dist2targ): (x − x_min)/(t − x_min), lower: (x_max − x)/(x_max − t).

    A region whose target is no better than the worst value has met it (1)."""
    v = _finite(x)
    if not v.size:
        return np.full_like(x, np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        if lower:
            num, den = v.max() - x, v.max() - t
        else:
            num, den = x - v.min(), t - v.min()
        out = np.where(den > 0, num / den, 1.0)
    out = np.where(np.isnan(x) | np.isnan(t), np.nan, out)
    return np.minimum(out, cap) if cap is not None else out


def minmax(x: np.ndarray, lower: bool) -> np.ndarray:
    """(x − min)/(max − min); lower is better: (max − x)/(max − min); all equal → 1."""
    v = _finite(x)
    if not v.size:
        return np.full_like(x, np.nan)
    lo, hi = v.min(), v.max()
    if hi == lo:
        return np.where(np.isnan(x), np.nan, 1.0)
    return (hi - x) / (hi - lo) if lower else (x - lo) / (hi - lo)


def zscore(x: np.ndarray, lower: bool) -> np.ndarray:
    """(x − mean)/sd with the sample standard deviation (as COINr); sign flipped if lower."""
    v = _finite(x)
    if v.size < 2 or v.std(ddof=1) == 0:
        return np.where(np.isnan(x), np.nan, 0.0)
    z = (x - v.mean()) / v.std(ddof=1)
    return -z if lower else z


def ranks(values: np.ndarray, lower: bool = False) -> np.ndarray:
    """Competition ranks (1, 2, 2, 4): equal values share the better rank; NaN ranks last and
    stays NaN. Works on the last axis, so a (draws × regions) array is ranked draw by draw: the
    rank is one plus the number of strictly better values (n² comparisons, fine for ≤ 10³)."""
    missing = np.isnan(values)
    key = np.where(missing, np.inf, -values if not lower else values)
    better = (key[..., None, :] < key[..., :, None]).sum(axis=-1)
    return np.where(missing, np.nan, better + 1.0)


def rank_points(x: np.ndarray, lower: bool, rp: RankPoints) -> np.ndarray:
    """Rank to points (按名次赋分): first − (rank − 1) × step, not below floor, ÷ first (0–1)."""
    r = ranks(x, lower)
    pts = np.maximum(rp.first - (r - 1.0) * rp.step, rp.floor)
    return pts / rp.first


def normalise(
    method: str,
    x: np.ndarray,
    t: np.ndarray,
    *,
    lower: bool,
    cap: float | None,
    rp: RankPoints,
) -> np.ndarray:
    if method == "completion":
        return completion(x, t, lower, cap)
    if method == "distance":
        return distance(x, t, lower, cap)
    if method == "minmax":
        return minmax(x, lower)
    if method == "zscore":
        return zscore(x, lower)
    if method == "rank_points":
        return rank_points(x, lower, rp)
    raise ValueError(method)
