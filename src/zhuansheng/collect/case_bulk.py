"""The county's case list as one workbook (整治案件批量填报表), and reading it back.

One row per case: its number and the version it was exported at, the firm, its state and what
may be done (locked), then the action to take — ``plan``, ``update`` or ``complete`` — and its
fields (free). A row whose action is blank is left as it is. Reading checks every cell and names
each problem by sheet, row and column; applying the rows is the service's business
(``zhuansheng.services.cases.import_file``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import xlsxwriter

from zhuansheng import atomic, uploads
from zhuansheng.errors import Invalid, Problem

from .cases import check_measure, parse_action

SHEET = "整治案件"
LOCKED = ("案件编号", "版本", "统一社会信用代码", "企业名称", "当前状态", "可执行操作")
LAND, ENERGY, LAND_USE = "腾出用地（亩）", "腾出用能（吨标准煤）", "腾出土地用途"
FREE = ("操作", "整治措施", "整治责任人", "整改措施", "整治进展", LAND, ENERGY, LAND_USE)
COLUMNS = LOCKED + FREE
BULK_ACTIONS = ("plan", "update", "complete")
ACTION_SEPARATOR = "；"  # between the 内容@YYYY-MM-DD items of 整改措施


@dataclass
class BulkRow:
    """One filled row: the case and version it names, the action and its fields."""

    row: int
    case_id: int
    version: int
    action: str
    measure: str = ""
    responsible: str = ""
    actions: list[dict[str, str]] = field(default_factory=list)
    progress: str = ""
    land_mu: float | None = None
    energy_tce: float | None = None
    land_use: str = ""


def _actions_text(actions: Sequence[dict[str, Any]]) -> str:
    return ACTION_SEPARATOR.join(f"{a['action']}@{a['deadline']}" for a in actions)


def write_template(path: Path, title: str, cases: Sequence[dict[str, Any]]) -> Path:
    """The cases (``services.cases`` rows) with their current plan filled in to be changed."""
    options = {"strings_to_formulas": False, "strings_to_numbers": False, "strings_to_urls": False}
    with atomic.replacing(Path(path)) as tmp, xlsxwriter.Workbook(str(tmp), options) as book:
        ws = book.add_worksheet(SHEET)
        head = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
        locked = book.add_format({"num_format": "@", "bg_color": "#F2F2F2", "text_wrap": True})
        free = book.add_format({"num_format": "@", "locked": False, "text_wrap": True})
        ws.write_string(
            0,
            0,
            f"{title}（每行一个案件；在“操作”列选择 plan 制定方案、update 报告进展或 complete "
            "完成整治并填写对应各列，不填操作的行不变；整改措施写“内容@YYYY-MM-DD”，多项用“；”分隔）",
        )
        for j, col in enumerate(COLUMNS):
            ws.write_string(1, j, col, head)
        for i, c in enumerate(cases, start=2):
            fixed = (c["case_id"], c["version"], c["uscc"], c["name"], c["state_zh"],
                     "、".join(a for a in c["allowed"] if a in BULK_ACTIONS))  # fmt: skip
            for j, value in enumerate(fixed):
                ws.write_string(i, j, str(value), locked)
            filled = ("", c["measure"] or "", c["responsible"] or "",
                      _actions_text(c["actions"]), "", "", "", "")  # fmt: skip
            for j, value in enumerate(filled, start=len(LOCKED)):
                ws.write_string(i, j, value, free)
        last = max(len(cases) + 1, 2)
        ws.data_validation(2, len(LOCKED), last, len(LOCKED),
                           {"validate": "list", "source": list(BULK_ACTIONS)})  # fmt: skip
        for j, width in enumerate((10, 6, 22, 24, 16, 22, 10, 14, 20, 36, 40, 14, 18, 20)):
            ws.set_column(j, j, width)
        ws.freeze_panes(2, 2)
        ws.protect("", {"format_columns": True, "format_rows": True})
    return Path(path)


def located(message: str, row: int, column: str, hint: str = "") -> Problem:
    """A problem of one cell of the sheet, named by sheet, row and column."""
    where = f"工作表 {SHEET} 第 {row} 行, 列 {column}"
    return Problem(message, where, hint, sheet=SHEET, row=row, column=column)


def _number(text: str, column: str) -> float | None:
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        raise Invalid(f"“{column}”应为数字（填写的是 '{text}'）") from None


def _whole(text: str, column: str) -> int:
    try:
        return int(float(text))
    except ValueError:
        raise Invalid(
            f"“{column}”应为整数（填写的是 '{text}'），请勿修改导出的编号和版本"
        ) from None


# the columns each action needs filled
REQUIRED = {
    "plan": ("整治措施", "整治责任人", "整改措施"),
    "update": ("整治进展",),
    "complete": (LAND, ENERGY),
}


def read_template(path: Path, source: str | None = None) -> tuple[list[BulkRow], list[Problem]]:
    """The rows with an action and the problems of their cells, each named by row and column
    (the caller adds its own and refuses the file if there are any)."""
    name = source or Path(path).name
    sheet, col = uploads.form_sheet(
        path,
        sheet=SHEET,
        columns=COLUMNS,
        hint="请用 zhuansheng case template 导出的表填写",
        source=name,
    )
    out: list[BulkRow] = []
    problems: list[Problem] = []
    for r in range(3, sheet.n_rows + 1):

        def text(column: str, r: int = r) -> str:
            value = sheet.cell(r, col[column]).value
            return "" if value is None else str(value).strip()

        def problem(message: str, column: str, r: int = r) -> None:
            problems.append(located(message, r, column))

        action = text("操作")
        if not action:
            continue
        try:
            row = BulkRow(r, _whole(text("案件编号"), "案件编号"), _whole(text("版本"), "版本"),
                          action)  # fmt: skip
        except Invalid as exc:
            problem(str(exc), "案件编号")
            continue
        if action not in BULK_ACTIONS:
            problem(f"未知的操作 '{action}'：可选 {'、'.join(BULK_ACTIONS)}", "操作")
            continue
        for column in REQUIRED[action]:
            if not text(column):
                problem(f"操作 {action} 须填写“{column}”", column)
        row.measure, row.responsible = text("整治措施"), text("整治责任人")
        row.progress, row.land_use = text("整治进展"), text(LAND_USE)
        for column, check in _checks(row, text):
            try:
                check()
            except Invalid as exc:
                problem(str(exc), column)
        first = next((b.row for b in out if b.case_id == row.case_id), None)
        if first is not None:
            problem(f"案件 {row.case_id} 与第 {first} 行重复", "案件编号")
        out.append(row)
    return out, problems


def _checks(row: BulkRow, text: Callable[[str], str]) -> list[tuple[str, Callable[[], None]]]:
    """Per column, a check that also puts the cell's value onto ``row``."""

    def figures() -> None:
        row.land_mu = _number(text(LAND), LAND)

    def energy() -> None:
        row.energy_tce = _number(text(ENERGY), ENERGY)

    def measure() -> None:
        if row.measure:
            check_measure(row.measure)

    def actions() -> None:
        items = [a for a in text("整改措施").split(ACTION_SEPARATOR) if a.strip()]
        row.actions = [parse_action(a) for a in items]

    out = [(LAND, figures), (ENERGY, energy)]
    if row.action == "plan":
        out += [("整治措施", measure), ("整改措施", actions)]
    return out
