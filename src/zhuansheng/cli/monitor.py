"""``zhuansheng monitor``: the monthly monitoring analysis (月度监测分析)."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from zhuansheng import formatting, tabular
from zhuansheng.errors import ZhuanshengError
from zhuansheng.reference import PROVINCE_CODE

from .lazy import lazy
from .output import console

service = lazy("zhuansheng.monitor")
monitoring = lazy("zhuansheng.services.monitoring")
context = lazy("zhuansheng.services.context")
workspace = lazy("zhuansheng.workspace")
access = lazy("zhuansheng.access")

SUMMARY_COLUMNS = ["targets", "green", "yellow", "red", "grey"]
STYLE = {"green": "green", "yellow": "yellow", "red": "bold red", "grey": "dim"}


class View(StrEnum):
    target = "target"
    region = "region"
    area = "area"
    unit = "unit"
    warnings = "warnings"
    cases = "cases"


# --by cases: one row per rectification case overdue or awaiting verification
CASE_COLUMNS = [
    "case_id", "uscc", "name", "region", "region_name", "state", "state_zh", "warning",
    "warning_zh", "deadline", "closed_on",
]  # fmt: skip


class CountFrom(StrEnum):
    imported = "imported"
    submitted = "submitted"
    approved = "approved"
    accepted = "accepted"


COUNT_FROM_HELP = (
    "统计口径：imported（全部已导入，含草稿）|submitted（已上报及以后）|approved（已审核及以后）"
    "|accepted（已确认）；默认按监测规则文件的 count_from（submitted）"
)


BY_HELP = (
    "视图：target|region|area|unit|warnings（红色预警，表格另列高耗低效整治预警）"
    "|cases（逾期未完成、已完成待验收的整治企业）"
)


class OutFormat(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"
    xlsx = "xlsx"


def _fmt(value: Any, pct: bool = False) -> str:
    return formatting.pct(value) if pct else formatting.number(value)


def table(rows: list[service.ProgressRow], title: str) -> Table:
    table = Table(title=title, header_style="bold")
    for col in (
        "条款",
        "目标",
        "地区",
        "实际",
        "目标值",
        "完成率",
        "序时",
        "进度比",
        "状态",
        "全年预计",
        "提示",
    ):
        table.add_column(col, overflow="fold")
    for r in rows:
        ratio = r.pace if r.pace is not None else r.progress_ratio
        table.add_row(
            r.clause,
            r.name_zh,
            r.region_name,
            f"{_fmt(r.actual)} {r.unit}".strip(),
            _fmt(r.target_value),
            _fmt(r.completion, pct=True),
            _fmt(r.schedule, pct=True),
            _fmt(ratio),
            f"[{STYLE[r.colour]}]{r.status_zh}[/]",
            _fmt(r.projection) + (f"（{_projected(r)}）" if r.projected_status else ""),
            service.rows.FLAG_ZH[r.flag],
        )
    return table


def _projected(r: service.ProgressRow) -> str:
    return {"will_achieve": "预计完成", "will_miss": "预计难完成"}.get(r.projected_status, "")


def _summary_table(rows: list[dict[str, Any]], key: str, title: str) -> Table:
    table = Table(title=title, header_style="bold")
    for col in ({"area_zh": "工程", "unit": "责任单位"}[key], "目标数", "绿", "黄", "红", "灰"):
        table.add_column(col)
    for r in rows:
        table.add_row(
            str(r[key]),
            str(r["targets"]),
            f"[green]{r['green']}[/]",
            f"[yellow]{r['yellow']}[/]",
            f"[bold red]{r['red']}[/]",
            str(r["grey"]),
        )
    return table


def monitor(
    period: str = typer.Option(
        ..., "--period", "-p", help="期间：2022-06（1—6月）、2022Q2 或 2022"
    ),
    region: str | None = typer.Option(None, "--region", "-r", help="地区代码（如 330600）或分组"),
    level: str | None = typer.Option(
        None, "--level", "-l", help="层级：province|city|county|group|pilot（默认 city）"
    ),
    by: View = typer.Option(View.target, "--by", help=BY_HELP),
    target: str | None = typer.Option(None, "--target", "-t", help="只看一个目标（目标编号）"),
    unit: str | None = typer.Option(None, "--unit", "-u", help="责任单位（--by unit 时）"),
    fmt: OutFormat = typer.Option(OutFormat.table, "--format", "-f", help="table|json|csv|xlsx"),
    output: Path | None = typer.Option(None, "--output", "-o", help="输出文件"),
    rules: Path | None = typer.Option(
        None, "--rules", exists=True, dir_okay=False, help="监测规则文件（默认用内置规则）"
    ),
    count_from: CountFrom | None = typer.Option(None, "--count-from", help=COUNT_FROM_HELP),
) -> None:
    """月度监测分析：各目标在各地区的完成率、序时进度、状态与全年预计。

    Monthly monitoring: every target in every region against its schedule, with the status, the
    rule that produced it, and the year-end projection.
    """
    if fmt is OutFormat.xlsx and output is None:
        raise ZhuanshengError("xlsx 格式须用 -o 指定输出文件 (xlsx needs -o FILE)")
    if by is View.cases:  # the cases as they stand: no need for the analysis
        found = _case_warnings(period, region)
        _write(found["cases"], CASE_COLUMNS, fmt, output, lambda: _case_table(found))
        return
    m = service.run(
        period,
        config=service.load_config(rules) if rules else None,
        count_from=count_from.value if count_from else None,
    )
    title = f"{m.period.label_zh} 月度监测分析（{m.analysis.basis_zh}）"
    summary: list[dict[str, Any]] | None = None
    key = ""
    if by is View.area:
        summary, key, title = m.by_area(region or PROVINCE_CODE), "area_zh", title + " · 按工程"
    elif by is View.unit and unit is None:
        summary, key, title = m.units_summary(), "unit", title + " · 按责任单位"
    if summary is not None:
        _write(
            summary,
            [key, *SUMMARY_COLUMNS],
            fmt,
            output,
            lambda: _summary_table(summary, key, title),
        )
        return
    if by is View.region:
        rows = m.by_region(region or PROVINCE_CODE)
    elif by is View.unit:
        rows = m.by_unit(unit)
    elif by is View.warnings:
        rows = m.warnings(level=level)
        title += " · 预警清单（红色，按严重程度排序）"
    elif target is not None and region is None:
        rows = m.by_target(target, level=level)
    else:
        rows = m.rows(level=level, region=region, target=target)
    dicts = [r.as_dict() for r in rows] if fmt is not OutFormat.table else []
    _write(dicts, service.ROW_COLUMNS, fmt, output, lambda: table(rows, title))
    if by is View.warnings and fmt is OutFormat.table:
        # a group or pilot has no cases of its own: the province's are shown
        found = _case_warnings(period, region if region and access.known_region(region) else None)
        console.print(_county_case_table(found, m.analysis.case_basis_zh))


def _case_warnings(period: str, region: str | None) -> dict[str, Any]:
    caller = context.console(workspace.current())
    return monitoring.case_warnings(caller, period, region or PROVINCE_CODE)  # type: ignore[no-any-return]


def _county_case_table(found: dict[str, Any], basis: str) -> Table:
    """高耗低效整治预警 by county, the most first, with the region's total as the caption."""
    title = f"{found['region_name']}高耗低效整治预警（截至 {found['on']}）"
    total = found["warning_zh"] or "无逾期未完成或待验收的整治企业"
    t = Table(title=title, caption=f"合计：{total}。{basis}", header_style="bold")
    for col in ("地区", "逾期未完成（户）", "已完成待验收（户）", "预警"):
        t.add_column(col, overflow="fold")
    for c in found["counties"]:
        t.add_row(
            c["region_name"],
            str(c["overdue"]),
            str(c["awaiting_verification"]),
            f"[bold red]{c['warning_zh']}[/]",
        )
    return t


def _case_table(found: dict[str, Any]) -> Table:
    title = f"{found['region_name']}高耗低效整治预警企业（截至 {found['on']}）"
    t = Table(title=title, header_style="bold")
    for col in ("案件", "企业", "地区", "状态", "预警", "整治期限", "完成日期"):
        t.add_column(col, overflow="fold")
    for c in found["cases"]:
        t.add_row(
            str(c["case_id"]),
            c["name"],
            c["region_name"],
            c["state_zh"],
            c["warning_zh"],
            str(c["deadline"] or "—"),
            str(c["closed_on"] or "—"),
        )
    return t


def _write(
    rows: list[dict[str, Any]], columns: list[str], fmt: OutFormat, output: Path | None, table: Any
) -> None:
    if fmt is OutFormat.table:
        console.print(table())
        return
    if output is None:
        text = tabular.to_json(rows) if fmt is OutFormat.json else tabular.to_csv(rows, columns)
        typer.echo(text, nl=False)
        return
    tabular.write(rows, columns, fmt.value, output, sheet="月度监测", colour_column="colour")
    console.print(f"已写入 {output}（{len(rows)} 行）")
