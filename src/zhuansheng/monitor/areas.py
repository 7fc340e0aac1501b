"""Rows grouped by engineering area: the six areas of the programme, and its overall goals
(总体要求) and safeguards (保障措施), which belong to no area."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol, TypeVar

from zhuansheng import programme

__all__ = ["GOAL", "SAFEGUARD", "area_key", "area_names", "grouped"]

GOAL = "goal"
SAFEGUARD = "safeguard"


class _Placed(Protocol):
    @property
    def area(self) -> str | None: ...

    @property
    def clause(self) -> str: ...


R = TypeVar("R", bound=_Placed)


def area_key(row: _Placed) -> str:
    """The row's engineering area; a row of no area is a goal (section 一) or a safeguard."""
    return row.area or (GOAL if row.clause.startswith("一") else SAFEGUARD)


def area_names(year: int) -> dict[str, str]:
    """Area key → Chinese title, in programme order, then the goals and the safeguards."""
    areas = {a.id: a.title_zh for a in programme.load(year).areas}
    return areas | {GOAL: "总体要求", SAFEGUARD: "保障措施"}


def grouped(rows: Iterable[R]) -> dict[str, list[R]]:
    """Rows by area key, areas in the order their first row comes."""
    out: dict[str, list[R]] = {}
    for r in rows:
        out.setdefault(area_key(r), []).append(r)
    return out
