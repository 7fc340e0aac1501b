"""Observations with full revision history: a correction adds a revision, nothing is overwritten."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, and_, func, select
from sqlalchemy.orm import Session

from zhuansheng.periods import parse_period

from .tables import Observation


@dataclass(frozen=True)
class Source:
    """Where a value came from: who, how, which file (and its hash) or call, which cell."""

    recorded_by: str
    kind: str  # file | api | demo | engine
    name: str = ""
    sha256: str | None = None
    cell: str | None = None
    comment: str = ""
    synthetic: bool = False


def _same(obs: Observation, value: float | None, num: float | None, den: float | None) -> bool:
    return (obs.value, obs.numerator, obs.denominator) == (value, num, den)


def latest(
    session: Session, indicator_id: str, region_code: str, period: str
) -> Observation | None:
    return session.scalars(
        select(Observation)
        .where(
            Observation.indicator_id == indicator_id,
            Observation.region_code == region_code,
            Observation.period == period,
        )
        .order_by(Observation.revision.desc())
        .limit(1)
    ).first()


def latest_by_indicator(session: Session, region_code: str, period: str) -> dict[str, Observation]:
    """The current revision of every indicator of one region and period (one query)."""
    rows = session.scalars(
        select(Observation)
        .where(Observation.region_code == region_code, Observation.period == period)
        .order_by(Observation.revision)
    )
    return {o.indicator_id: o for o in rows}


_LOOK_UP = object()


def record(
    session: Session,
    indicator_id: str,
    region_code: str,
    period: str,
    value: float | None,
    source: Source,
    *,
    numerator: float | None = None,
    denominator: float | None = None,
    current: Observation | object | None = _LOOK_UP,
) -> tuple[Observation, bool]:
    """Store a value as a new revision; returns (the current row, whether anything was added).

    The same value again is not a new revision, so re-submitting unchanged data changes nothing.
    ``current`` may be passed when the caller already read it (``latest_by_indicator``).
    """
    parse_period(period)  # refuse malformed periods before they reach the table
    if current is _LOOK_UP:
        current = latest(session, indicator_id, region_code, period)
    assert current is None or isinstance(current, Observation)
    if current is not None and _same(current, value, numerator, denominator):
        return current, False
    obs = Observation(
        indicator_id=indicator_id,
        region_code=region_code,
        period=period,
        value=value,
        numerator=numerator,
        denominator=denominator,
        revision=(current.revision + 1) if current else 1,
        recorded_by=source.recorded_by,
        source_kind=source.kind,
        source_name=source.name,
        source_sha256=source.sha256,
        source_cell=source.cell,
        comment=source.comment,
        synthetic=source.synthetic,
    )
    session.add(obs)
    return obs, True


def _newest(indicator_id: str | None, period: str | None, conds: list) -> Select:
    if indicator_id:
        conds.append(Observation.indicator_id == indicator_id)
    if period:
        conds.append(Observation.period == period)
    return (
        select(
            Observation.indicator_id,
            Observation.region_code,
            Observation.period,
            func.max(Observation.revision).label("revision"),
        )
        .where(*conds)
        .group_by(Observation.indicator_id, Observation.region_code, Observation.period)
        .subquery()
    )


def _join_newest(stmt: Select, newest: Any) -> Select:
    return stmt.join(
        newest,
        and_(
            Observation.indicator_id == newest.c.indicator_id,
            Observation.region_code == newest.c.region_code,
            Observation.period == newest.c.period,
            Observation.revision == newest.c.revision,
        ),
    )


def current_query(
    indicator_id: str | None = None, period: str | None = None, *conds: Any
) -> Select[tuple[Observation]]:
    """The latest revision of every (indicator, region, period), optionally filtered."""
    return _join_newest(select(Observation), _newest(indicator_id, period, list(conds)))


def latest_revisions(
    session: Session,
    *,
    regions: Iterable[str] | None = None,
    period: str | None = None,
    indicator: str | None = None,
    offset: int = 0,
    limit: int | None = None,
) -> tuple[list[Observation], int]:
    """The latest revision of every (indicator, region, period) within the filters, ordered by
    period, region and indicator, one page of them (``offset``, ``limit``) and how many there
    are in all. ``regions`` None: every region; ``period`` in any spelling (``2022Q2``)."""
    conds = [] if regions is None else [Observation.region_code.in_(list(regions))]
    query = current_query(indicator, parse_period(period).code if period else None, *conds)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    query = query.order_by(
        Observation.period, Observation.region_code, Observation.indicator_id
    ).offset(offset)
    if limit is not None:
        query = query.limit(limit)
    return list(session.scalars(query)), total


def history(
    session: Session, indicator_id: str, region_code: str, period: str
) -> list[Observation]:
    """Every revision, oldest first."""
    return list(
        session.scalars(
            select(Observation)
            .where(
                Observation.indicator_id == indicator_id,
                Observation.region_code == region_code,
                Observation.period == period,
            )
            .order_by(Observation.revision)
        )
    )
