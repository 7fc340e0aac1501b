"""Reporting templates (填报模板): one workbook (or CSV) per region and period.

The workbook has a 填报 sheet (the indicators the region reports, with units, the last period's
and last year's values for reference, validated and unlocked input cells in an otherwise locked
sheet), a 说明 sheet in Chinese, and a hidden _meta sheet stamping the template version, region
and period, which the importer checks before reading a single value.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable, Collection
from dataclasses import dataclass
from pathlib import Path

import xlsxwriter
from sqlalchemy import select
from sqlalchemy.orm import Session
from xlsxwriter.format import Format

from zhuansheng import atomic, programme, store
from zhuansheng.errors import Invalid, ZhuanshengError
from zhuansheng.periods import Period, parse_period
from zhuansheng.programme import Indicator
from zhuansheng.store import observations
from zhuansheng.store import tables as t
from zhuansheng.workspace import Workspace, database_url

TEMPLATE_VERSION = "obs-1"
INPUT_SHEET = "填报"
HELP_SHEET = "说明"
META_SHEET = "_meta"
HEADER_ROW = 4  # 1-based row of the column headers on the input sheet
COLUMNS = [
    "序号",
    "指标代码",
    "指标名称",
    "单位",
    "上期值",
    "上年同期值",
    "本期值",
    "分子",
    "分子单位",
    "分母",
    "分母单位",
    "备注",
]
INPUT_COLUMNS = ("本期值", "分子", "分母", "备注")


@dataclass(frozen=True)
class Line:
    """One indicator line of a template."""

    indicator: Indicator
    previous: float | None  # the last period's current value, for reference
    last_year: float | None

    @property
    def is_ratio(self) -> bool:
        return self.indicator.aggregation in ("ratio", "share")


# Which indicators a year's collection asks for: the ids, given the year. The programme's own
# targets by default (``programme_needs``); the services add what the year's schemes score.
Needs = Callable[[int], Collection[str]]


def programme_needs(year: int) -> set[str]:
    """The indicators the targets of the year's programme are measured with."""
    return programme.load(year).indicator_ids()


def reported_indicators(level: str, needed: Collection[str] | None = None) -> list[Indicator]:
    """Statistic indicators a region of this level reports itself (catalogue order), only those
    in ``needed`` when given."""
    return [
        ind
        for ind in programme.indicators().values()
        if ind.source == "statistic"
        and ind.reported_by == level
        and (needed is None or ind.id in needed)
    ]


def year_needs(year: int, needs: Needs | None, purpose: str) -> set[str]:
    """The indicator ids collected for ``year``; refused when the year has no programme
    (``purpose`` says what could not be done, e.g. 生成 2031-01 的填报模板)."""
    years = programme.available_years()
    if year not in years:
        # a template lists what the year's programme asks for: no programme, nothing to collect
        raise Invalid(
            f"{year} 年没有工作要点，无法{purpose}；"
            f"已有工作要点的年度：{'、'.join(map(str, years)) or '无'}"
            "（新年度请先载入其工作要点文件）"
        )
    return set((needs or programme_needs)(year))


def previous_period(p: Period) -> str | None:
    """The period before a month (None in January: year-to-date restarts)."""
    return f"{p.year}-{p.month - 1:02d}" if p.kind == "month" and p.month > 1 else None


def _lines(session: Session, region: t.Region, p: Period, needed: set[str]) -> list[Line]:
    inds = reported_indicators(region.level, needed)
    if not inds:
        raise ZhuanshengError(
            f"{region.name_zh}（{region.code}）无需直接填报统计指标："
            f"{p.year} 年工作要点与评价方案没有要求该级地区报送的统计指标"
            + ("，市级数据由所辖县（市、区）汇总生成" if region.level == "city" else "")
            + " (this region reports no statistics itself)"
        )
    prev = previous_period(p)
    same_last_year = f"{p.year - 1}{p.code[4:]}"
    wanted = {prev, same_last_year} - {None}
    values: dict[tuple[str, str], float | None] = {}
    query = observations.current_query().where(
        t.Observation.region_code == region.code, t.Observation.period.in_(wanted)
    )
    for obs in session.scalars(query):
        values[(obs.indicator_id, obs.period)] = obs.value
    return [
        Line(ind, values.get((ind.id, prev or "")), values.get((ind.id, same_last_year)))
        for ind in inds
    ]


def _region(session: Session, code: str) -> t.Region:
    region = session.get(t.Region, code)
    if region is None:
        raise ZhuanshengError(f"未知的地区代码 '{code}'（应为 6 位行政区划代码，如 330603）")
    return region


def meta_rows(region: t.Region, p: Period, lines: list[Line]) -> list[tuple[str, str]]:
    return [
        ("template_version", TEMPLATE_VERSION),
        ("region_code", region.code),
        ("region_name", region.name_zh),
        ("period", p.code),
        ("generated_at", dt.datetime.now().astimezone().isoformat(timespec="seconds")),
        ("indicators", ",".join(line.indicator.id for line in lines)),
    ]


HELP_TEXT = [
    "填报说明",
    "1. 本表为{region}{period}传统制造业改造提升监测数据填报表，请勿修改表名、表结构和指标代码。",
    "2. 数值均为 1 月至本期的累计数（1—N月），按“单位”列的计量单位填写，不要填写单位文字。",
    "3. 比值类指标（如亩均税收、研发强度、单位增加值能耗、比重）只填“分子”“分母”两列，"
    "系统自动计算“本期值”。",
    "4. 百分比一律填百分点数值：8% 填 8；如填“8%”，系统同样按 8 处理。",
    "5. 可使用千分位（12,345）和全角数字（１２３４５）；请勿填写文字、空格以外的符号。",
    "6. 请勿合并单元格；如单元格含公式，系统取其计算结果并给出警告，须在该行“备注”或上传时说明。",
    "7. 系统校验分“错误”和“警告”两级：有错误的文件不予接收；有警告的须在该行“备注”或上传时"
    "填写说明后方可接收。",
    "8. 上报后由市级审核、省级确认；审核通过的数据即锁定，如需修改请联系上级单位退回或解锁。",
    "9. 报送时限：次月 10 日前。",
]


def cell_formats(book: xlsxwriter.Workbook) -> dict[str, Format]:
    """The cell styles every template shares: title, header, fixed text, reference number,
    yellow input cell and open note cell."""
    return {
        "title": book.add_format({"bold": True, "font_size": 14}),
        "head": book.add_format(
            {
                "bold": True,
                "bg_color": "#DDEBF7",
                "border": 1,
                "text_wrap": True,
                "align": "center",
                "valign": "vcenter",
            }
        ),
        "fixed": book.add_format({"border": 1, "bg_color": "#F2F2F2", "num_format": "@"}),
        "ref": book.add_format({"border": 1, "bg_color": "#F2F2F2", "num_format": "#,##0.####"}),
        "entry": book.add_format(
            {"border": 1, "locked": False, "bg_color": "#FFF2CC", "num_format": "#,##0.####"}
        ),
        "note": book.add_format({"border": 1, "locked": False, "num_format": "@"}),
    }


def write_xlsx(path: Path, region: t.Region, p: Period, lines: list[Line]) -> None:
    options = {"strings_to_numbers": False, "strings_to_formulas": False}
    with xlsxwriter.Workbook(str(path), options) as book:
        ws = book.add_worksheet(INPUT_SHEET)
        f = cell_formats(book)
        title, head, fixed, ref, entry, note = (
            f[k] for k in ("title", "head", "fixed", "ref", "entry", "note")
        )
        ws.write_string(
            0, 0, f"{region.name_zh} {p.label_zh} 传统制造业改造提升监测数据填报表", title
        )
        ws.write_string(
            1,
            0,
            f"地区代码 {region.code}；期间 {p.code}；模板版本 {TEMPLATE_VERSION}；"
            "黄色单元格为填报项，填写说明见“说明”表。",
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
        for i, line in enumerate(lines):
            r = HEADER_ROW + i
            ind = line.indicator
            ws.write_number(r, 0, i + 1, fixed)
            ws.write_string(r, 1, ind.id, fixed)
            ws.write_string(r, 2, ind.name_zh, fixed)
            ws.write_string(r, 3, ind.unit, fixed)
            for j, value in ((4, line.previous), (5, line.last_year)):
                if value is None:
                    ws.write_blank(r, j, None, ref)
                else:
                    ws.write_number(r, j, value, ref)
            if line.is_ratio and ind.numerator and ind.denominator:
                ws.write_string(r, 6, "（自动计算）", fixed)
                ws.write_blank(r, 7, None, entry)
                ws.write_string(r, 8, ind.numerator.unit, fixed)
                ws.write_blank(r, 9, None, entry)
                ws.write_string(r, 10, ind.denominator.unit, fixed)
                ws.data_validation(r, 7, r, 7, positive)
                ws.data_validation(r, 9, r, 9, positive)
            else:
                ws.write_blank(r, 6, None, entry)
                for j in (7, 8, 9, 10):
                    ws.write_blank(r, j, None, fixed)
                ws.data_validation(r, 6, r, 6, positive)
            ws.write_blank(r, 11, None, note)
        ws.set_column(0, 0, 6)
        ws.set_column(1, 1, 24)
        ws.set_column(2, 2, 34)
        ws.set_column(3, 11, 14)
        ws.freeze_panes(HEADER_ROW, 3)
        ws.protect("", {"format_columns": True, "format_rows": True})
        help_ws = book.add_worksheet(HELP_SHEET)
        help_ws.set_column(0, 0, 110)
        for k, text in enumerate(HELP_TEXT):
            help_ws.write_string(
                k,
                0,
                text.format(region=region.name_zh, period=p.label_zh),
                title if k == 0 else None,
            )
        meta = book.add_worksheet(META_SHEET)
        for k, (key, value) in enumerate(meta_rows(region, p, lines)):
            meta.write_string(k, 0, key)
            meta.write_string(k, 1, value)
        meta.hide()
        meta.protect()
        ws.activate()


def csv_text(region: t.Region, p: Period, lines: list[Line]) -> str:
    """The CSV form: the stamp as `#key,value` lines, then the header and one line per indicator."""
    buf = io.StringIO()
    out = csv.writer(buf, lineterminator="\n")
    pad = [""] * (len(COLUMNS) - 2)  # every line has the same number of fields
    for key, value in meta_rows(region, p, lines):
        out.writerow([f"#{key}", value, *pad])
    out.writerow(COLUMNS)
    for i, line in enumerate(lines):
        ind = line.indicator
        ratio = line.is_ratio and ind.numerator and ind.denominator
        out.writerow(
            [
                i + 1,
                ind.id,
                ind.name_zh,
                ind.unit,
                "" if line.previous is None else line.previous,
                "" if line.last_year is None else line.last_year,
                "（自动计算）" if ratio else "",
                "",
                ind.numerator.unit if ratio and ind.numerator else "",
                "",
                ind.denominator.unit if ratio and ind.denominator else "",
                "",
            ]
        )
    return buf.getvalue()


def _month(period: str) -> Period:
    p = parse_period(period)
    if p.kind != "month":
        raise ZhuanshengError(f"填报期间应为月份，如 2022-06，不是 '{period}'")
    return p


def write_template(
    region_code: str,
    period: str,
    path: Path,
    *,
    fmt: str = "xlsx",
    needs: Needs | None = None,
    ws: Workspace | None = None,
) -> Path:
    """Write the template for one region and period; returns the path written. It lists the
    statistics the region's level reports that ``needs`` says the period's year collects."""
    p = _month(period)
    needed = year_needs(p.year, needs, f"生成 {p.code} 的填报模板")
    with store.session(database_url(ws)) as s:
        region = _region(s, region_code)
        lines = _lines(s, region, p, needed)
    if fmt == "csv":
        return atomic.write_text(path, csv_text(region, p, lines), encoding="utf-8-sig")
    with atomic.replacing(path) as tmp:  # a half-written template never appears under its name
        write_xlsx(tmp, region, p, lines)
    return path


def write_county_templates(
    period: str,
    folder: Path,
    *,
    fmt: str = "xlsx",
    needs: Needs | None = None,
    ws: Workspace | None = None,
) -> list[Path]:
    """One template per county, named <code>-<name>-<period>.<fmt>."""
    p = _month(period)
    needed = year_needs(p.year, needs, f"生成 {p.code} 的填报模板")  # once for all counties
    with store.session(database_url(ws)) as s:
        counties = s.execute(
            select(t.Region.code, t.Region.name_zh)
            .where(t.Region.level == "county")
            .order_by(t.Region.code)
        ).all()
    return [
        write_template(
            code,
            period,
            folder / f"{code}-{name}-{period}.{fmt}",
            fmt=fmt,
            needs=lambda _year: needed,
            ws=ws,
        )
        for code, name in counties
    ]
