"""Rendering rows for the terminal (Rich table) or for machines (csv, json)."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Sequence
from enum import StrEnum
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from zhuansheng import tabular

console = Console()
console_err = Console(stderr=True)


class Format(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


def emit(
    rows: Sequence[dict[str, Any]],
    columns: Sequence[str],
    fmt: Format,
    *,
    title: str | None = None,
    output: Path | None = None,
    table_columns: Sequence[str] | None = None,
) -> None:
    """Write rows as a table to the terminal, or as csv/json to stdout or a file.

    ``table_columns`` narrows the terminal table (long notes stay in csv/json).
    """
    if fmt is Format.table and output is None:
        shown = table_columns or columns
        table = Table(title=title, show_lines=False)
        for col in shown:
            table.add_column(col)
        for row in rows:
            table.add_row(*(str(tabular.plain_cell(row.get(c))) for c in shown))
        console.print(table)
        return
    text = tabular.to_json(rows) if fmt is Format.json else tabular.to_csv(rows, columns)
    if output is None:
        sys.stdout.write(text)
    else:
        output.write_text(text, encoding="utf-8")


def as_dicts(items: Iterable[Any]) -> list[dict[str, Any]]:
    """Dataclass instances to plain dicts (for output)."""
    from dataclasses import asdict

    return [asdict(i) for i in items]
