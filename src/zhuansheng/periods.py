"""Reporting periods: ``2022-06`` (month, year to date), ``2022Q2`` (quarter), ``2022`` (year)."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from zhuansheng.errors import ZhuanshengError

_PATTERN = re.compile(r"^(?P<year>\d{4})(?:-(?P<month>\d{2})|Q(?P<quarter>[1-4]))?$")


@dataclass(frozen=True, order=True)
class Period:
    year: int
    month: int  # the last month covered: 12 for a year, 3/6/9/12 for a quarter

    kind: str = "month"  # month | quarter | year

    @property
    def code(self) -> str:
        if self.kind == "year":
            return f"{self.year}"
        if self.kind == "quarter":
            return f"{self.year}Q{self.month // 3}"
        return f"{self.year}-{self.month:02d}"

    @property
    def label_zh(self) -> str:
        if self.kind == "year":
            return f"{self.year}年"
        if self.kind == "quarter":
            return f"{self.year}年第{'一二三四'[self.month // 3 - 1]}季度"
        return f"{self.year}年1—{self.month}月"

    @property
    def last_day(self) -> dt.date:
        """The day the period ends (30 June for 2022-06 and 2022Q2)."""
        return dt.date(self.year, self.month, calendar.monthrange(self.year, self.month)[1])

    def __str__(self) -> str:
        return self.code


def parse_period(text: str) -> Period:
    """Parse a period code; a clear error names the accepted forms."""
    m = _PATTERN.match(text.strip())
    if not m or (m["month"] and not 1 <= int(m["month"]) <= 12):
        raise ZhuanshengError(
            f"无法识别的期间 '{text}'：应为 2022-06（月）、2022Q2（季）或 2022（年）"
            " (period must look like 2022-06, 2022Q2 or 2022)"
        )
    year = int(m["year"])
    if m["month"]:
        return Period(year, int(m["month"]), "month")
    if m["quarter"]:
        return Period(year, int(m["quarter"]) * 3, "quarter")
    return Period(year, 12, "year")
