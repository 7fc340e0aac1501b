"""When milestone progress reports are due: the reporting periods of a year, each period's
deadline, and whether a report's period covers a due period (the settings are
``milestone_frequency`` and ``milestone_deadline_day`` in ``data/monitoring.yaml``)."""

from __future__ import annotations

import datetime as dt

from zhuansheng.periods import parse_period

from .config import MonitorConfig


def periods(year: int, cfg: MonitorConfig) -> list[str]:
    """The year's reporting periods, oldest first (``2022Q1`` … or ``2022-01`` …)."""
    if cfg.milestone_frequency == "month":
        return [f"{year}-{m:02d}" for m in range(1, 13)]
    return [f"{year}Q{q}" for q in range(1, 5)]


def due_at(year: int, month: int, cfg: MonitorConfig) -> str | None:
    """The latest reporting period that has ended by the end of ``month`` (the monthly
    analysis of a month is made after its reports were due), or None early in the year."""
    if cfg.milestone_frequency == "month":
        return f"{year}-{month:02d}"
    quarter = month // 3
    return f"{year}Q{quarter}" if quarter else None


def deadline(period: str, cfg: MonitorConfig) -> dt.date:
    """The day a period's report is due: ``milestone_deadline_day`` of the month after it."""
    p = parse_period(period)
    y, m = (p.year + 1, 1) if p.month == 12 else (p.year, p.month + 1)
    return dt.date(y, m, cfg.milestone_deadline_day)


def months(period: str) -> range:
    p = parse_period(period)
    first = {"month": p.month, "quarter": p.month - 2}.get(p.kind, 1)
    return range(first, p.month + 1)


def covers(report_period: str, due: str) -> bool:
    """A report of ``report_period`` answers for ``due``: its last month lies within it."""
    r, d = parse_period(report_period), parse_period(due)
    return r.year == d.year and r.month in months(due)
