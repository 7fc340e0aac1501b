"""Plausible ranges of the numeric columns of the register importers (``data/bounds.yaml``).

The ranges are data, versioned with their source; the importers only ask whether a number lies
within its column's range and how to say that it does not.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from zhuansheng.datafile import read_yaml

from .numbers import compact

__all__ = ["Bound", "column_bounds", "out_of_range"]


@dataclass(frozen=True)
class Bound:
    min: float
    max: float
    unit: str = ""

    @property
    def zh(self) -> str:
        """``0 — 10,000,000 万元``"""
        return f"{compact(self.min)} — {compact(self.max)}" + (f" {self.unit}" if self.unit else "")


@cache
def _shipped() -> dict[str, dict[str, Bound]]:
    return _parse(read_yaml(__package__, "bounds.yaml"))


def _parse(data: dict) -> dict[str, dict[str, Bound]]:
    out: dict[str, dict[str, Bound]] = {}
    for kind, columns in (data.get("columns") or {}).items():
        out[kind] = {}
        for column, b in columns.items():
            low, high = float(b["min"]), float(b["max"])
            if not (math.isfinite(low) and math.isfinite(high) and low <= high):
                raise ValueError(f"bounds.yaml: {kind}.{column} needs finite min ≤ max")
            out[kind][column] = Bound(low, high, str(b.get("unit", "")))
    return out


def column_bounds(kind: str, path: Path | None = None) -> dict[str, Bound]:
    """Column → range for an import ``kind`` (``projects``, ``investments``, ``plans``)."""
    table = _shipped() if path is None else _parse(read_yaml(__package__, "bounds.yaml", path))
    return table.get(kind, {})


def out_of_range(value: float, bound: Bound) -> str | None:
    """Why ``value`` is refused (Chinese, the value shown compactly), or None when it is fine."""
    if not math.isfinite(value):
        return f"数值 {compact(value)} 不是有限的数值（合理范围 {bound.zh}）"
    if bound.min <= value <= bound.max:
        return None
    return f"数值 {compact(value)} 超出合理范围 {bound.zh}"
