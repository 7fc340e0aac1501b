"""How numbers are written for people: one function per way of writing them.

Every one writes a missing value (None) as "—". They differ where the readers differ: a table
cell keeps two decimals, a formula in an explanation drops trailing zeros, a report's prose
rounds as an official would, the programme's own numbers are shown as the document gives them.
"""

from __future__ import annotations

from typing import Any

__all__ = ["MISSING", "general", "number", "pct", "rate", "rounded", "trimmed"]

MISSING = "—"


def number(x: Any, digits: int = 2) -> str:
    """A table cell: a whole float with thousands separators and no decimals (12,345), another
    float to ``digits`` decimals (1,234.57); anything else (int, text) as it is."""
    if x is None:
        return MISSING
    if isinstance(x, float):
        return f"{x:,.0f}" if x.is_integer() else f"{x:,.{digits}f}"
    return str(x)


def pct(share: float | None) -> str:
    """A share (0.123) as a percentage with one decimal (12.3%)."""
    return MISSING if share is None else f"{share * 100:.1f}%"


def rate(value: float | None, digits: int = 1) -> str:
    """A value already in percent (14.06) as 14.1%."""
    return MISSING if value is None else f"{value:.{digits}f}%"


def trimmed(x: float | None, digits: int = 2) -> str:
    """A number in a worked formula: thousands separators, at most ``digits`` decimals, no
    trailing zeros (1,234.5); huge numbers as Python writes them."""
    if x is None:
        return MISSING
    return f"{x:,.{digits}f}".rstrip("0").rstrip(".") if abs(x) < 1e15 else str(x)


def rounded(value: float | None) -> str:
    """A count or an amount as an official writes it: whole numbers plain, large amounts rounded,
    small ones to one decimal (804.8亿元)."""
    if value is None:
        return MISSING
    if float(value).is_integer() or abs(value) >= 1000:
        return f"{value:.0f}"
    return f"{value:.1f}"


def general(value: float | None) -> str:
    """A number of the programme text: whole ones with thousands separators (1,000), others in
    their shortest form (3.5, 0.012)."""
    if value is None:
        return MISSING
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:g}"
