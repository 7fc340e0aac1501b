"""Following major projects (重大项目, 一局长一项目): plan against actual investment by month, and
the two warnings — investment lagging the plan by more than a set share, a planned start date
passed without a start. The settings are in ``data/major_projects.yaml``.

Everything is year to date, as in Chinese statistics: the plan and the actual of January up to
the month looked at (``month``, e.g. ``2022-06``), that month's last day being the date the start
is checked against.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from zhuansheng.datafile import read_yaml
from zhuansheng.periods import parse_period

WARNINGS = ("investment_lag", "start_overdue")


@dataclass(frozen=True)
class WarningRules:
    lag_share: float
    start_grace_days: int


def load_rules(path: Path | None = None) -> WarningRules:
    """The shipped settings, or a file of the same shape."""
    data = read_yaml(__package__, "major_projects.yaml", path)
    return WarningRules(float(data["lag_share"]), int(data["start_grace_days"]))


@cache
def default_rules() -> WarningRules:
    return load_rules()


@dataclass(frozen=True)
class Progress:
    """A project's plan and actual, year to date at ``month``, and its warnings."""

    month: str
    planned_ytd_wan: float
    actual_ytd_wan: float
    lag_share: float | None  # (plan − actual) ÷ plan; None while nothing is planned yet
    warnings: tuple[str, ...]


def month_end(month: str) -> dt.date:
    return parse_period(month).last_day


def _ytd(amounts: Mapping[str, float], month: str) -> float:
    return sum(v for m, v in amounts.items() if m[:4] == month[:4] and m <= month)


def progress(
    month: str,
    *,
    plans: Mapping[str, float],
    actuals: Mapping[str, float],
    planned_start_on: dt.date | None,
    started_on: dt.date | None,
    rules: WarningRules | None = None,
) -> Progress:
    """``plans`` and ``actuals`` map months (``2022-03``) to 万元 of that month."""
    rules = rules or default_rules()
    planned, actual = _ytd(plans, month), _ytd(actuals, month)
    lag = (planned - actual) / planned if planned > 0 else None
    warnings = []
    if lag is not None and lag > rules.lag_share:
        warnings.append("investment_lag")
    end = month_end(month)
    not_started = started_on is None or started_on > end
    deadline = end - dt.timedelta(days=rules.start_grace_days)
    if planned_start_on is not None and not_started and planned_start_on < deadline:
        warnings.append("start_overdue")
    return Progress(month, planned, actual, lag, tuple(warnings))


def by_month(
    year: int, plans: Mapping[str, float], actuals: Mapping[str, float]
) -> list[dict[str, float | str | None]]:
    """The twelve months of ``year``: plan and actual of the month and year to date."""
    rows: list[dict[str, float | str | None]] = []
    planned_ytd = actual_ytd = 0.0
    for m in range(1, 13):
        month = f"{year}-{m:02d}"
        planned, actual = plans.get(month, 0.0), actuals.get(month, 0.0)
        planned_ytd = round(planned_ytd + planned, 2)
        actual_ytd = round(actual_ytd + actual, 2)
        rows.append(
            {
                "month": month,
                "planned_wan": planned,
                "actual_wan": actual,
                "planned_ytd_wan": planned_ytd,
                "actual_ytd_wan": actual_ytd,
            }
        )
    return rows
