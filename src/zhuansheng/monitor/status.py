"""Status colours: their order, their Chinese names and how rows are counted by colour.

Each status's own label, colour and severity are in the rules file (``data/monitoring.yaml``,
``statuses``), so that a locality can rename or recolour them; :func:`label` reads them.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from zhuansheng.tabular import FILLS

from .config import MonitorConfig, StatusLabel, default_config

__all__ = [
    "COLOURS",
    "COLOUR_ZH",
    "EVALUATED",
    "FILLS",
    "INSUFFICIENT_COVERAGE",
    "LAGGING",
    "counts",
    "green_share",
    "label",
]

# best first; grey: not evaluated (no data, no target, nothing due yet, too few reports)
COLOURS = ("green", "yellow", "red", "grey")
# a total over counties too few of which reported (below coverage_threshold): grey, not rated
INSUFFICIENT_COVERAGE = "insufficient_coverage"
EVALUATED = ("green", "yellow", "red")
LAGGING = ("yellow", "red")
COLOUR_ZH = {"green": "绿", "yellow": "黄", "red": "红", "grey": "灰"}


class _Coloured(Protocol):
    @property
    def colour(self) -> str: ...


def label(status: str, config: MonitorConfig | None = None) -> StatusLabel:
    """A status's Chinese and English label, colour and severity."""
    return (config or default_config()).statuses[status]


def counts(rows: Iterable[_Coloured]) -> dict[str, int]:
    """How many rows have each colour, every colour present (0 where none)."""
    out = dict.fromkeys(COLOURS, 0)
    for r in rows:
        out[r.colour] = out.get(r.colour, 0) + 1
    return out


def green_share(rows: Iterable[_Coloured]) -> float | None:
    """Share of evaluated rows that are green (grey ones — no data, not due — left out)."""
    c = counts(rows)
    evaluated = sum(c[k] for k in EVALUATED)
    return c["green"] / evaluated if evaluated else None
