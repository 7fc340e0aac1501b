"""Indicator values from their sources, per county and month, for a year and the year before.

Each indicator becomes a ``Series`` of year-to-date arrays (counties × 24 months: the base year's
January–December, then the year's). Registries, project registers and cases are counted from
their dates; statistics come from the latest revision of each observation. A statistic a county
has not reported is NaN — missing, never zero. Entries recorded against a city or the province
itself (not a county) are kept in ``direct`` and added to that region and its ancestors only.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
from sqlalchemy import extract, func, select
from sqlalchemy.orm import Session

from zhuansheng.periods import parse_period
from zhuansheng.programme import Indicator
from zhuansheng.store import observations
from zhuansheng.store import tables as t

MONTHS = 24  # base year Jan..Dec, then the year Jan..Dec
TO_UNIT = {"亿元": 1e-4, "万元": 1.0}  # registers hold money in 万元
DONE = ("completed", "verified")


@dataclass
class Series:
    """Year-to-date values of one indicator, by county (rows) and month (columns)."""

    indicator: Indicator
    value: np.ndarray  # additive YTD; for ratios the ratio itself (NaN = not reported)
    num: np.ndarray | None = None
    den: np.ndarray | None = None
    stock: np.ndarray | None = None  # counts before 1 Jan of the base year and of the year (2 cols)
    direct: dict[str, np.ndarray] = field(default_factory=dict)  # region → 24 YTD values
    reported: np.ndarray | None = None  # bool, statistics only: has the county reported?

    @property
    def is_ratio(self) -> bool:
        return self.indicator.aggregation in ("ratio", "share")


def _empty(n: int) -> np.ndarray:
    return np.full((n, MONTHS), np.nan)


def _slot(year: int, base: int, period: str) -> int | None:
    """Column of a period code (month; a quarter or year lands on its last month)."""
    p = parse_period(period)
    if p.year not in (base, year):
        return None
    return (p.year - base) * 12 + p.month - 1


def _flows_to_ytd(flows: np.ndarray) -> np.ndarray:
    """Monthly flows (rows × 24) → year-to-date values, restarting each January."""
    out = np.empty_like(flows)
    out[:, :12] = np.cumsum(flows[:, :12], axis=1)
    out[:, 12:] = np.cumsum(flows[:, 12:], axis=1)
    return out


class Loader:
    """Reads everything one year's monitoring needs in a handful of grouped queries."""

    def __init__(self, session: Session, year: int, counties: list[str]) -> None:
        self.session = session
        self.year = year
        self.base = year - 1
        self.counties = counties
        self.col = {c: i for i, c in enumerate(counties)}

    # -- statistics --------------------------------------------------------------------------

    def statistics(self, indicators: list[Indicator]) -> dict[str, Series]:
        ids = [i.id for i in indicators]
        out = {
            i.id: Series(
                i,
                _empty(len(self.counties)),
                num=_empty(len(self.counties)) if i.aggregation in ("ratio", "share") else None,
                den=_empty(len(self.counties)) if i.aggregation in ("ratio", "share") else None,
            )
            for i in indicators
        }
        precise: dict[tuple[str, str, int], bool] = {}  # a month code beats a quarter/year code
        slots: dict[str, int | None] = {}
        query = observations.current_values(
            t.Observation.indicator_id.in_(ids),
            t.Observation.period.like(f"{self.base}%") | t.Observation.period.like(f"{self.year}%"),
        )
        for ind, region, period, value, numerator, denominator in self.session.execute(query):
            if period not in slots:
                slots[period] = _slot(self.year, self.base, period)
            slot = slots[period]
            if slot is None:
                continue
            series = out[ind]
            key = (ind, region, slot)
            is_month = "-" in period
            if precise.get(key) and not is_month:
                continue
            precise[key] = is_month
            row = self.col.get(region)
            if series.indicator.reported_by == "province" or row is None:
                # province-reported series, or a figure a city/province reported for itself
                series.direct.setdefault(region, np.full(MONTHS, np.nan))[slot] = value
                continue
            series.value[row, slot] = np.nan if value is None else value
            both = numerator is not None and denominator is not None
            if series.num is not None and series.den is not None and both:
                series.num[row, slot] = numerator
                series.den[row, slot] = denominator
        for series in out.values():
            series.reported = ~np.isnan(series.value)
        return out

    # -- dated entries -------------------------------------------------------------------------

    def _dated(
        self, query: select, n_values: int = 1
    ) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
        """Flows by county and month, stock before each year, and non-county entries.

        ``query`` yields (region_code, year, month, value…) rows.
        """
        flows = np.zeros((n_values, len(self.counties), MONTHS))
        stock = np.zeros((n_values, len(self.counties), 2))
        direct: dict[str, np.ndarray] = {}
        for region, year, month, *values in self.session.execute(query):
            year, month = int(year), int(month)
            if year > self.year:
                continue
            row = self.col.get(region)
            for k, v in enumerate(values):
                v = float(v or 0.0)
                if row is None:
                    arr = direct.setdefault(region, np.zeros((n_values, MONTHS)))
                    if year >= self.base:
                        arr[k, (year - self.base) * 12 + month - 1] += v
                    continue
                if year < self.base:
                    stock[k, row, :] += v
                elif year == self.base:
                    flows[k, row, month - 1] += v
                    stock[k, row, 1] += v
                else:
                    flows[k, row, 12 + month - 1] += v
        return flows, stock, direct

    def registry(self, indicator: Indicator) -> Series:
        e = t.RegistryEntry
        q = (
            select(
                e.region_code,
                extract("year", e.recognised_on),
                extract("month", e.recognised_on),
                func.count(),
            )
            .where(e.registry_kind == indicator.registry)
            .group_by(
                e.region_code, extract("year", e.recognised_on), extract("month", e.recognised_on)
            )
        )
        return self._series(indicator, *self._dated(q))

    def projects(self, indicator: Indicator) -> Series:
        p = t.Project
        if indicator.measure == "investment":
            i = t.ProjectInvestment
            year = func.substr(i.month, 1, 4)
            month = func.substr(i.month, 6, 2)
            q = (
                select(p.region_code, year, month, func.sum(i.invested_wan))
                .join(i, i.project_id == p.id)
                .where(p.project_kind == indicator.project_kind)
                .group_by(p.region_code, year, month)
            )
            factor = TO_UNIT.get(indicator.unit, 1.0)
        else:  # a project counts from the month it starts (实施)
            q = (
                select(
                    p.region_code,
                    extract("year", p.started_on),
                    extract("month", p.started_on),
                    func.count(),
                )
                .where(p.project_kind == indicator.project_kind, p.started_on.is_not(None))
                .group_by(
                    p.region_code, extract("year", p.started_on), extract("month", p.started_on)
                )
            )
            factor = 1.0
        flows, stock, direct = self._dated(q)
        return self._series(
            indicator, flows * factor, stock * factor, {k: v * factor for k, v in direct.items()}
        )

    def cases(self, indicator: Indicator) -> Series:
        c = t.Case
        measure = {
            "count": func.count(),
            "freed_land_mu": func.sum(c.freed_land_mu),
            "freed_energy_tce": func.sum(c.freed_energy_tce),
        }[indicator.measure or "count"]
        # A case counts when it is completed (整治完成), in the month it closed.
        q = (
            select(
                c.county_code, extract("year", c.closed_on), extract("month", c.closed_on), measure
            )
            .where(c.status.in_(DONE), c.closed_on.is_not(None))
            .group_by(c.county_code, extract("year", c.closed_on), extract("month", c.closed_on))
        )
        return self._series(indicator, *self._dated(q))

    def _series(
        self,
        indicator: Indicator,
        flows: np.ndarray,
        stock: np.ndarray,
        direct: dict[str, np.ndarray],
    ) -> Series:
        return Series(
            indicator,
            _flows_to_ytd(flows[0]),
            stock=stock[0],
            direct={k: _flows_to_ytd(v[:1])[0] for k, v in direct.items()},
        )

    def series(self, indicators: list[Indicator]) -> dict[str, Series]:
        stats = [i for i in indicators if i.source in ("statistic", "enterprise")]
        out = self.statistics(stats)  # enterprise-derived values arrive as observations for now
        for ind in indicators:
            if ind.source == "registry":
                out[ind.id] = self.registry(ind)
            elif ind.source == "project":
                out[ind.id] = self.projects(ind)
            elif ind.source == "cases":
                out[ind.id] = self.cases(ind)
        return out


def milestone_reports(
    session: Session, year: int
) -> dict[tuple[int, str], list[tuple[int, str, str]]]:
    """(target pk, region) → [(month, status, narrative) …] for the year, oldest first."""
    m = t.MilestoneReport
    rows = session.execute(
        select(m.target_pk, m.region_code, m.period, m.status, m.narrative)
        .where(m.period.like(f"{year}%"))
        .order_by(m.period, m.id)
    )
    out: dict[tuple[int, str], list[tuple[int, str, str]]] = {}
    for pk, region, period, status, narrative in rows:
        out.setdefault((pk, region), []).append((parse_period(period).month, status, narrative))
    return out


def month_end(year: int, month: int) -> dt.date:
    nxt = dt.date(year + 1, 1, 1) if month == 12 else dt.date(year, month + 1, 1)
    return nxt - dt.timedelta(days=1)
