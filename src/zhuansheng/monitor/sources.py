"""Indicator values from their sources, per county and month, for a year and the year before.

Each indicator becomes a ``Series`` of year-to-date arrays (counties × 24 months: the base year's
January–December, then the year's). Registries, project registers and cases are counted from
their dates; statistics come from the latest revision of each observation that counts at the
analysis's ``count_from`` level (``counting``). A statistic a county has not reported, or whose
report does not count yet, is NaN — missing, never zero. Entries recorded against a city or the
province itself (not a county) are kept in ``direct`` and added to that region and its ancestors
only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sqlalchemy import Select, extract, func, select
from sqlalchemy.orm import Session

from zhuansheng.periods import parse_period
from zhuansheng.programme import Indicator
from zhuansheng.store import tables as t

from .counting import Rule

MONTHS = 24  # base year Jan..Dec, then the year Jan..Dec
TO_UNIT = {"亿元": 1e-4, "万元": 1.0}  # registers hold money in 万元
DONE = ("completed", "verified")
# case_counts_from (monitoring.yaml) → the states that count, and the date that places a case in
# a month. A reopened case is in neither state set, so it counts nothing until done again.
CASE_COUNTS = {
    "completed": (DONE, t.Case.closed_on),
    "verified": (("verified",), t.Case.verified_on),
}


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

    def __init__(
        self,
        session: Session,
        year: int,
        counties: list[str],
        count_from: str = "imported",
        case_counts_from: str = "completed",
    ) -> None:
        self.session = session
        self.conn = session.connection()  # plain rows: no ORM bookkeeping on bulk reads
        self.year = year
        self.base = year - 1
        self.counties = counties
        self.col = {c: i for i, c in enumerate(counties)}
        self.count_from = count_from
        self.case_counts_from = case_counts_from

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
        o = t.Observation
        rule = Rule.read(self.conn, self.count_from, (self.base, self.year))
        # Every revision of the two years, oldest first: the last one that counts wins.
        query = (
            select(
                o.indicator_id,
                o.region_code,
                o.period,
                o.value,
                o.numerator,
                o.denominator,
                o.id,
                o.source_kind,
            )
            .where(
                o.indicator_id.in_(ids),
                o.period.like(f"{self.base}%") | o.period.like(f"{self.year}%"),
            )
            .order_by(o.revision)
        )
        rows = self.conn.execute(query)
        for ind, region, period, value, numerator, denominator, oid, kind in rows:
            if rule.level and not rule.counts(oid, region, period, kind):
                continue
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
        self, rows: list[tuple[Any, ...]], n_values: int = 1
    ) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
        """Flows by county and month, stock before each year, and non-county entries, from
        (region_code, year, month, value…) rows."""
        flows = np.zeros((n_values, len(self.counties), MONTHS))
        stock = np.zeros((n_values, len(self.counties), 2))
        direct: dict[str, np.ndarray] = {}
        for region, year, month, *values in rows:
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

    def _grouped(self, stmt: Select) -> dict[str, list[tuple[Any, ...]]]:
        """One grouped query for every kind at once: kind → (region, year, month, value…)."""
        out: dict[str, list[tuple[Any, ...]]] = {}
        for kind, *rest in self.conn.execute(stmt):
            out.setdefault(kind, []).append(tuple(rest))
        return out

    def _series(
        self,
        indicator: Indicator,
        rows: list[tuple[Any, ...]],
        k: int = 0,
        n_values: int = 1,
        factor: float = 1.0,
    ) -> Series:
        flows, stock, direct = self._dated(rows, n_values)
        return Series(
            indicator,
            _flows_to_ytd(flows[k]) * factor,
            stock=stock[k] * factor,
            direct={r: _flows_to_ytd(v[k : k + 1])[0] * factor for r, v in direct.items()},
        )

    def _cases(self) -> list[tuple[Any, ...]]:
        """(county, year, month, firms, freed land, freed energy) of the cases that count at
        ``case_counts_from``, each in the month of its date (completion or verification)."""
        c = t.Case
        states, when = CASE_COUNTS[self.case_counts_from]
        y, m = extract("year", when), extract("month", when)
        stmt = (
            select(
                c.county_code,
                y,
                m,
                func.count(),
                func.sum(c.freed_land_mu),
                func.sum(c.freed_energy_tce),
            )
            .where(c.status.in_(states), when.is_not(None))
            .group_by(c.county_code, y, m)
        )
        return [tuple(row) for row in self.conn.execute(stmt)]

    def series(self, indicators: list[Indicator]) -> dict[str, Series]:
        stats = [i for i in indicators if i.source in ("statistic", "enterprise")]
        out = self.statistics(stats)  # enterprise-derived values arrive as observations for now
        e, p, inv = t.RegistryEntry, t.Project, t.ProjectInvestment

        def by_date(kind: Any, region: Any, when: Any, *values: Any) -> Select:
            y, m = extract("year", when), extract("month", when)
            return select(kind, region, y, m, *values).group_by(kind, region, y, m)

        registries = self._grouped(
            by_date(e.registry_kind, e.region_code, e.recognised_on, func.count())
        )
        # a project counts from the month it starts (实施); kept apart by size class (重大项目)
        sized = func.coalesce(p.project_kind + ":" + p.size_class, p.project_kind)
        started = self._grouped(
            by_date(sized, p.region_code, p.started_on, func.count()).where(
                p.started_on.is_not(None)
            )
        )
        y, m = func.substr(inv.month, 1, 4), func.substr(inv.month, 6, 2)
        invested = self._grouped(
            select(sized, p.region_code, y, m, func.sum(inv.invested_wan))
            .join(inv, inv.project_id == p.id)
            .group_by(sized, p.region_code, y, m)
        )
        case_rows = self._cases()
        measures = {"count": 0, "freed_land_mu": 1, "freed_energy_tce": 2}
        for ind in indicators:
            if ind.source == "registry":
                out[ind.id] = self._series(ind, registries.get(ind.registry or "", []))
            elif ind.source == "project" and ind.measure == "investment":
                rows = _of_kind(invested, ind)
                out[ind.id] = self._series(ind, rows, factor=TO_UNIT.get(ind.unit, 1.0))
            elif ind.source == "project":
                out[ind.id] = self._series(ind, _of_kind(started, ind))
            elif ind.source == "cases":
                k = measures[ind.measure or "count"]
                out[ind.id] = self._series(ind, case_rows, k=k, n_values=3)
        return out


def _of_kind(grouped: dict[str, list[tuple[Any, ...]]], ind: Indicator) -> list[tuple[Any, ...]]:
    """The rows of the indicator's project kind, of its size classes when it names some."""
    kind = ind.project_kind or ""
    return [
        row
        for key, rows in grouped.items()
        if key.split(":")[0] == kind
        and (ind.size_classes is None or key.partition(":")[2] in ind.size_classes)
        for row in rows
    ]


def milestone_reports(
    session: Session, year: int
) -> dict[tuple[int, str], list[tuple[int, str, str]]]:
    """(target pk, region) → [(month, status, narrative) …] of the year's ACCEPTED reports,
    oldest first (reports awaiting review or returned do not count)."""
    m = t.MilestoneReport
    rows = session.execute(
        select(m.target_pk, m.region_code, m.period, m.status, m.narrative)
        .where(m.period.like(f"{year}%"), m.review_status == "accepted")
        .order_by(m.period, m.reviewed_at, m.id)
    )
    out: dict[tuple[int, str], list[tuple[int, str, str]]] = {}
    for pk, region, period, status, narrative in rows:
        out.setdefault((pk, region), []).append((parse_period(period).month, status, narrative))
    return out


def milestone_reported(session: Session, year: int) -> dict[int, set[str]]:
    """Target pk → the periods of the year with a report that was not returned (awaiting
    review or accepted): what counts as reported for the deadline."""
    m = t.MilestoneReport
    out: dict[int, set[str]] = {}
    for pk, period in session.execute(
        select(m.target_pk, m.period).where(
            m.period.like(f"{year}%"), m.review_status != "returned"
        )
    ):
        out.setdefault(pk, set()).add(period)
    return out
