"""Status rules per target kind, vectorised over units × months (methods/monitoring.md).

Every function returns status codes (strings, labels in the rules file) and the ratio that
decided them, so a row can always say which inputs and which band produced its status.
"""

from __future__ import annotations

import numpy as np

from .config import MonitorConfig

RATE_KINDS = ("growth_pct", "decline_pct", "level")
ADDITIVE_KINDS = ("count_new", "count_cumulative", "amount")


def additive_status(
    actual: np.ndarray,
    completion: np.ndarray,
    schedule: np.ndarray,
    pace: np.ndarray,
    target: np.ndarray,
    tol: float,
    cfg: MonitorConfig,
) -> np.ndarray:
    """achieved / ahead / slightly_behind / behind for counts and amounts.

    左右 lowers every bar by its tolerance: achieved when c ≥ 1 − tol, and the pace bands apply
    to r / (1 − tol).
    """
    bands = cfg.pace_bands
    eff = pace / (1.0 - tol)
    return np.select(
        [
            ~np.isfinite(actual) | np.isinf(target),  # an infinite figure is no figure
            np.isnan(target),
            (target <= 0) | (completion >= 1.0 - tol),  # a target of 0 is met by anything
            schedule <= 0,
            eff >= bands.ahead,
            eff >= bands.slightly_behind,
        ],
        ["no_data", "no_target", "achieved", "not_due", "ahead", "slightly_behind"],
        default="behind",
    )


def rate_status(ratio: np.ndarray, cfg: MonitorConfig) -> np.ndarray:
    """Open SDG progress bands on R = achieved change / target change."""
    b = cfg.rate_bands
    return np.select(
        [
            ~np.isfinite(ratio),
            ratio >= b.achieved_pace,
            ratio >= b.on_track,
            ratio >= b.needs_acceleration,
            ratio >= b.limited_progress,
        ],
        ["no_data", "achieved_pace", "on_track", "needs_acceleration", "limited_progress"],
        default="deteriorating",
    )


def level_progress(actual: np.ndarray, start: np.ndarray, target: np.ndarray) -> np.ndarray:
    """R for a level target: the share of the rise from last December to the target done.

    Reached → at least 1. Not reached: (actual − start) / (target − start), or −1 when last year
    was already at the target (a fall); unknown (NaN) without last December's value.
    """
    with np.errstate(invalid="ignore", divide="ignore"):
        rise = (actual - start) / (target - start)
    reached = actual >= target
    ratio = np.where(target > start, rise, -1.0)
    ratio = np.where(reached, np.where(target > start, np.maximum(rise, 1.0), 1.0), ratio)
    ratio = np.where(np.isnan(start) & ~reached, np.nan, ratio)
    return np.where(np.isnan(actual), np.nan, ratio)


def share_status(value: np.ndarray, target: float, tol: float, cfg: MonitorConfig) -> np.ndarray:
    """Within target ± tol or above → achieved; below by up to k·tol → near; further → below."""
    low = target - tol
    near = target - cfg.share_near_tolerances * tol
    return np.select(
        [~np.isfinite(value), value > target + tol, value >= low, value >= near],
        ["no_data", "above_band", "within_band", "near_band"],
        default="below_band",
    )


def relative_status(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.select(
        [~np.isfinite(a) | ~np.isfinite(b), a > b], ["no_data", "met"], default="not_met"
    )


def growth_pct(current: np.ndarray, base: np.ndarray) -> np.ndarray:
    """Year-on-year change in percent; NaN where either side is missing or the base is 0."""
    with np.errstate(invalid="ignore", divide="ignore"):
        change = (current / base - 1.0) * 100.0
    return np.where((base != 0) & np.isfinite(base) & np.isfinite(change), change, np.nan)


def trend_to_december(values: np.ndarray, window: int) -> np.ndarray:
    """For each month m, the least-squares line through the last ``window`` months up to m,
    evaluated at month 12 (units × 12 → units × 12). With one point, that point."""
    _units, months = values.shape
    out = np.full_like(values, np.nan)
    x_all = np.arange(1, months + 1, dtype=float)
    for m in range(months):
        lo = max(0, m - window + 1)
        y = values[:, lo : m + 1]
        x = np.broadcast_to(x_all[lo : m + 1], y.shape)
        ok = ~np.isnan(y)
        n = ok.sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            mx = np.where(ok, x, 0).sum(axis=1) / n
            my = np.where(ok, y, 0).sum(axis=1) / n
            dx = np.where(ok, x - mx[:, None], 0)
            slope = (dx * np.where(ok, y - my[:, None], 0)).sum(axis=1) / (dx**2).sum(axis=1)
        slope = np.where(n >= 2, slope, 0.0)
        out[:, m] = np.where(n >= 1, my + slope * (12 - mx), np.nan)
        # with no data this month there is nothing to project from
        out[:, m] = np.where(np.isnan(values[:, m]), np.nan, out[:, m])
    return out


def run_rate(actual: np.ndarray, months: int) -> np.ndarray:
    """Year-to-date plus the mean monthly flow of the last ``months`` months × months left."""
    units, n = actual.shape
    flows = np.diff(np.concatenate([np.zeros((units, 1)), actual], axis=1), axis=1)
    out = np.empty_like(actual)
    for m in range(n):
        lo = max(0, m - months + 1)
        out[:, m] = actual[:, m] + flows[:, lo : m + 1].mean(axis=1) * (n - 1 - m)
    return out
