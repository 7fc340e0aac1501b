"""The allocation template (分解下达表): one row per region and allocated target of a year, the
province's target and the level above's value alongside, the current allocation filled in.

The workbook follows the collection template's conventions: a locked 分解下达 sheet whose
分解值 and 说明 cells are open, Chinese headers (the importer reads 年度, 目标代码, 地区代码,
层级, 分解值 and 说明; the others are for reference), a 说明 sheet and a hidden _meta sheet.
A row whose 分解值 is left blank allocates nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import xlsxwriter
from sqlalchemy import select
from sqlalchemy.orm import Session

from zhuansheng import atomic
from zhuansheng.programme.schema import KIND_LABELS_ZH, QUALIFIER_LABELS_ZH
from zhuansheng.store import tables as t

from .allocations import LEVEL_ZH, META_SHEET, SHEET, TEMPLATE_VERSION, is_allocated
from .template import cell_formats

HELP_SHEET = "说明"
HEADER_ROW = 3  # 1-based row of the column headers
COLUMNS = [
    "年度",
    "目标代码",
    "目标名称",
    "类型",
    "单位",
    "限定",
    "全省目标值",
    "上级地区",
    "上级分解值",
    "地区代码",
    "地区名称",
    "层级",
    "分解值",
    "说明",
]
INPUT_COLUMNS = ("分解值", "说明")
HELP_TEXT = [
    "分解下达填写说明",
    "1. 本表为{year}年传统制造业改造提升目标分解下达表（{level}），"
    "请勿修改表名、表头、目标代码和地区代码。",
    "2. 只填黄色的“分解值”列（按“单位”列的计量单位，不填单位文字），需要时在“说明”列写明理由；"
    "“分解值”留空的行不分解。已分解的目标预先填入了当前值，原样导入不会改变任何数据。",
    "3. 数量、总量类目标（新增数、累计数、总量）是上级目标的分解：各设区市合计应不低于全省目标，"
    "各县（市、区）合计应不低于所属设区市的分解值；合计低于上级时须在该目标任一行的“说明”列写明理由，"
    "否则整份文件不予接收。合计高于上级不受限制。",
    "4. 比率、增速类目标（增长率、下降率、达到水平、比重）是各地自己应达到的数值，"
    "不是份额，不做合计校验。",
    "5. 百分比填百分点数值：8% 填 8。",
    "6. 省级可分解到各设区市和县（市、区）；设区市只能分解到所辖县（市、区）。",
    "7. 导入：zhuansheng allocation import 文件 --user 用户名，或网页“分解目标”页上传；"
    "整份校验，有错误整份拒收，每个改变的数值都作为新的修订版本保存（谁、何时、哪个文件哪个单元格）。",
]


@dataclass(frozen=True)
class Line:
    year: int
    target: t.Target
    region: t.Region
    parent: t.Region
    parent_value: float | None
    current: float | None


def lines(s: Session, year: int, target: str | None, level: str, codes: list[str]) -> list[Line]:
    """The template's rows: allocated targets (one, or all) × the regions ``codes`` of
    ``level``, in programme order and code order."""
    q = select(t.Target).where(t.Target.year == year).order_by(t.Target.id)
    if target is not None:
        q = q.where(t.Target.target_id == target)
    targets = [x for x in s.scalars(q) if is_allocated(x.kind, x.value)]
    regions = {r.code: r for r in s.scalars(select(t.Region))}
    wanted = sorted(c for c in codes if regions[c].level == level)
    current = {
        (a.target_pk, a.region_code): a.value
        for a in s.scalars(
            select(t.Allocation).where(t.Allocation.target_pk.in_([x.id for x in targets]))
        )
    }
    out = []
    for x in targets:
        for code in wanted:
            region = regions[code]
            parent = regions[region.parent_code or code]
            above = x.value if parent.level == "province" else current.get((x.id, parent.code))
            out.append(Line(year, x, region, parent, above, current.get((x.id, code))))
    return out


def write_xlsx(path: Path, year: int, level: str, rows: list[Line]) -> Path:
    """Write the template (whole or not at all)."""
    with atomic.replacing(path) as tmp:
        _write(tmp, year, level, rows)
    return path


def _write(path: Path, year: int, level: str, rows: list[Line]) -> None:
    options = {"strings_to_numbers": False, "strings_to_formulas": False}
    with xlsxwriter.Workbook(str(path), options) as book:
        ws = book.add_worksheet(SHEET)
        f = cell_formats(book)
        title, head, fixed, ref, entry, note = (
            f[k] for k in ("title", "head", "fixed", "ref", "entry", "note")
        )
        ws.write_string(
            0, 0, f"{year}年传统制造业改造提升目标分解下达表（{LEVEL_ZH[level]}）", title
        )
        ws.write_string(
            1,
            0,
            f"模板版本 {TEMPLATE_VERSION}；黄色单元格为填写项，填写说明见“说明”表。",
        )
        for j, name in enumerate(COLUMNS):
            ws.write_string(HEADER_ROW - 1, j, name, head)
        positive = {
            "validate": "decimal",
            "criteria": ">=",
            "value": 0,
            "error_title": "数值有误",
            "error_message": "请填写不小于 0 的数值（不含单位）",
        }
        value_col = COLUMNS.index("分解值")
        for i, line in enumerate(rows):
            r = HEADER_ROW + i
            x = line.target
            texts = [
                str(line.year),
                x.target_id,
                x.name_zh,
                KIND_LABELS_ZH.get(x.kind, x.kind),
                x.unit,
                QUALIFIER_LABELS_ZH.get(x.qualifier or "", ""),
            ]
            for j, text in enumerate(texts):
                ws.write_string(r, j, text, fixed)
            ws.write_number(r, 6, float(x.value or 0), ref)
            ws.write_string(r, 7, line.parent.name_zh, fixed)
            if line.parent_value is None:
                ws.write_blank(r, 8, None, ref)
            else:
                ws.write_number(r, 8, line.parent_value, ref)
            ws.write_string(r, 9, line.region.code, fixed)
            ws.write_string(r, 10, line.region.name_zh, fixed)
            ws.write_string(r, 11, LEVEL_ZH[line.region.level], fixed)
            if line.current is None:
                ws.write_blank(r, value_col, None, entry)
            else:
                ws.write_number(r, value_col, line.current, entry)
            ws.write_blank(r, value_col + 1, None, note)
        if rows:
            ws.data_validation(
                HEADER_ROW, value_col, HEADER_ROW + len(rows) - 1, value_col, positive
            )
        for j, width in enumerate((6, 22, 34, 10, 8, 6, 10, 12, 10, 9, 14, 10, 12, 30)):
            ws.set_column(j, j, width)
        ws.freeze_panes(HEADER_ROW, 3)
        ws.protect("", {"format_columns": True, "format_rows": True, "autofilter": True})
        ws.autofilter(HEADER_ROW - 1, 0, HEADER_ROW - 1 + max(len(rows), 1), len(COLUMNS) - 1)
        help_ws = book.add_worksheet(HELP_SHEET)
        help_ws.set_column(0, 0, 120)
        for k, text in enumerate(HELP_TEXT):
            help_ws.write_string(
                k, 0, text.format(year=year, level=LEVEL_ZH[level]), title if k == 0 else None
            )
        meta = book.add_worksheet(META_SHEET)
        stamp = [
            ("template_version", TEMPLATE_VERSION),
            ("year", str(year)),
            ("level", level),
            ("generated_at", dt.datetime.now().astimezone().isoformat(timespec="seconds")),
        ]
        for k, (key, value) in enumerate(stamp):
            meta.write_string(k, 0, key)
            meta.write_string(k, 1, value)
        meta.hide()
        meta.protect()
        ws.activate()
