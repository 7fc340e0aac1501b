"""What a region's rectification cases (高耗低效整治) call for as of a day: cases overdue (planned,
in progress or reopened past the plan's last deadline, ``cases.is_overdue``), completions
awaiting the city's verification (验收), and verified cases whose firm is still class D or grade
5 (``case_outcomes``). Monitoring's warnings, the briefings and the pages read them here, so one
rule decides what an official is told.

The cases are taken as they stand in the store; ``on`` (a monitoring period's last day) is the
day deadlines are checked against, and a case enters a list only when its own date (opened,
completed, verified) is on or before it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from zhuansheng import access, reference
from zhuansheng.store import tables as t

from . import case_outcomes
from . import cases as core

KINDS = ("overdue", "awaiting_verification")
KIND_ZH = {"overdue": "逾期未完成", "awaiting_verification": "已完成待验收"}
# how a count reads in a warning line, as the offices write it
COUNT_ZH = {
    "overdue": "{n} 户整治企业逾期未完成",
    "awaiting_verification": "{n} 户已完成待验收",
}


@dataclass(frozen=True)
class Flagged:
    """One case in a warning list."""

    case_id: int
    uscc: str
    name: str
    county: str
    county_name: str
    state: str
    kind: str  # overdue | awaiting_verification
    deadline: dt.date | None  # the plan's last deadline
    closed_on: dt.date | None

    @property
    def state_zh(self) -> str:
        return core.STATES.get(self.state, self.state)

    @property
    def kind_zh(self) -> str:
        return KIND_ZH[self.kind]

    def as_dict(self) -> dict[str, Any]:
        return {
            "case_id": self.case_id,
            "uscc": self.uscc,
            "name": self.name,
            "region": self.county,
            "region_name": self.county_name,
            "state": self.state,
            "state_zh": self.state_zh,
            "warning": self.kind,
            "warning_zh": self.kind_zh,
            "deadline": self.deadline,
            "closed_on": self.closed_on,
        }


@dataclass(frozen=True)
class CountyCount:
    """A county's warning counts."""

    region: str
    region_name: str
    overdue: int
    awaiting_verification: int

    @property
    def text(self) -> str:
        """3 户整治企业逾期未完成，2 户已完成待验收"""
        return counts_text(self.overdue, self.awaiting_verification)

    def as_dict(self) -> dict[str, Any]:
        return {
            "region": self.region,
            "region_name": self.region_name,
            "overdue": self.overdue,
            "awaiting_verification": self.awaiting_verification,
            "warning_zh": self.text,
        }


def counts_text(overdue: int, awaiting: int) -> str:
    """The non-zero counts in words (empty when both are zero)."""
    parts = [
        COUNT_ZH[kind].format(n=n) for kind, n in zip(KINDS, (overdue, awaiting), strict=True) if n
    ]
    return "，".join(parts)


@dataclass(frozen=True)
class CaseWarnings:
    """A region's flagged cases as of ``on``: overdue first (earliest deadline first), then the
    completions awaiting verification (earliest completion first)."""

    region: str
    on: dt.date
    cases: list[Flagged]

    def of(self, kind: str) -> list[Flagged]:
        return [c for c in self.cases if c.kind == kind]

    @property
    def overdue(self) -> int:
        return len(self.of("overdue"))

    @property
    def awaiting_verification(self) -> int:
        return len(self.of("awaiting_verification"))

    @property
    def text(self) -> str:
        return counts_text(self.overdue, self.awaiting_verification)

    def within(self, region: str) -> CaseWarnings:
        """The cases of counties inside ``region`` (one read of the province serves all)."""
        inside = [c for c in self.cases if access.region_in(c.county, region)]
        return CaseWarnings(region, self.on, inside)

    def counties(self) -> list[CountyCount]:
        """Counties with a flagged case, the most first (then by code)."""
        tally: dict[str, list[int]] = {}
        names: dict[str, str] = {}
        for c in self.cases:
            tally.setdefault(c.county, [0, 0])[KINDS.index(c.kind)] += 1
            names[c.county] = c.county_name
        rows = [CountyCount(code, names[code], *n) for code, n in tally.items()]
        return sorted(rows, key=lambda r: (-(r.overdue + r.awaiting_verification), r.region))


def _names() -> dict[str, str]:
    return {r.code: r.name_zh for r in reference.regions()}


def _cases(s: Session, region: str) -> Iterable[tuple[t.Case, str]]:
    """The cases of counties inside ``region`` (the province: all), with the firm's name."""
    q = (
        select(t.Case, t.Enterprise.name)
        .join(t.Enterprise, t.Enterprise.uscc == t.Case.uscc)
        .order_by(t.Case.county_code, t.Case.id)
    )
    for case, name in s.execute(q):
        if access.region_in(case.county_code, region):
            yield case, name


def _kind(case: t.Case, state: str, on: dt.date) -> str | None:
    if case.opened_on <= on and core.is_overdue(state, case.actions, on):
        return "overdue"
    done = case.closed_on
    if state == "completed" and done is not None and done <= on:
        return "awaiting_verification"
    return None


def case_warnings(s: Session, region: str, on: dt.date) -> CaseWarnings:
    """The cases of ``region`` overdue or awaiting verification on ``on``."""
    names = _names()
    flagged = []
    for case, name in _cases(s, region):
        state = core.state_of(case)
        kind = _kind(case, state, on)
        if kind is None:
            continue
        flagged.append(
            Flagged(
                case_id=case.id,
                uscc=case.uscc,
                name=name,
                county=case.county_code,
                county_name=names.get(case.county_code, case.county_code),
                state=state,
                kind=kind,
                deadline=core.last_deadline(case.actions),
                closed_on=case.closed_on,
            )
        )
    flagged.sort(
        key=lambda c: (KINDS.index(c.kind), c.deadline or c.closed_on or on, c.county, c.case_id)
    )
    return CaseWarnings(region, on, flagged)


def still_poor(s: Session, region: str, on: dt.date) -> list[dict[str, Any]]:
    """Cases of ``region`` verified on or before ``on`` whose firm is still class D or grade 5 in
    the latest evaluated year (``case_outcomes``), with the before and after standings."""
    names = _names()
    results = case_outcomes.Results(s)
    out = []
    for case, name in _cases(s, region):
        verified = case.verified_on
        if core.state_of(case) != "verified" or verified is None or verified > on:
            continue
        found = case_outcomes.outcome(results, case.uscc, case.year)
        if not found["still_poor"]:
            continue
        after = case_outcomes.Standing(**found["after"])
        out.append(
            {
                "case_id": case.id,
                "uscc": case.uscc,
                "name": name,
                "region": case.county_code,
                "region_name": names.get(case.county_code, case.county_code),
                "verified_on": verified,
                "still_poor_zh": case_outcomes.still_poor_what(after),
                **found,
            }
        )
    return out


def still_poor_within(rows: list[dict[str, Any]], region: str) -> list[dict[str, Any]]:
    """The rows of ``still_poor`` whose county lies inside ``region``."""
    return [r for r in rows if access.region_in(r["region"], region)]
