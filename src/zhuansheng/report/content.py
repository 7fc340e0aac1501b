"""The content of a report, built once from the services and rendered to Word, PDF and Excel.

Renderers only lay out these blocks; every figure and every sentence is decided here, so the
three formats say the same thing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from zhuansheng.periods import Period


@dataclass(frozen=True)
class Heading:
    text: str
    level: int  # 1: 一、 (黑体)  2: （一） (楷体)


@dataclass(frozen=True)
class Paragraph:
    text: str
    note: bool = False  # a smaller note (sources, method) rather than body text


@dataclass(frozen=True)
class Table:
    caption: str
    columns: list[str]
    rows: list[list[str]]
    colours: list[str | None] = field(default_factory=list)  # per row: green|yellow|red|grey
    highlight: list[bool] = field(default_factory=list)  # per row: the report's own region


@dataclass(frozen=True)
class Figure:
    caption: str
    png: bytes
    width_cm: float = 15.0


Block = Heading | Paragraph | Table | Figure


@dataclass(frozen=True)
class Sheet:
    """One sheet of the annex workbook: the full data behind the text."""

    name: str
    columns: list[str]
    rows: list[dict[str, Any]]
    colour_column: str | None = None


@dataclass
class Report:
    kind: str  # monthly | quarterly | annual
    period: Period
    region: str
    region_name: str
    title: str
    issuer: str
    synthetic: bool
    generated_on: dt.date
    version: str
    notice: str = ""  # the synthetic-data notice under the title
    blocks: list[Block] = field(default_factory=list)
    sheets: list[Sheet] = field(default_factory=list)

    @property
    def title_line(self) -> str:
        """The title on one line (file properties, the annex); ``title`` keeps its breaks."""
        return self.title.replace("\n", "")

    @property
    def date_zh(self) -> str:
        d = self.generated_on
        return f"{d.year}年{d.month}月{d.day}日"

    def add(self, *blocks: Block) -> None:
        self.blocks.extend(blocks)
