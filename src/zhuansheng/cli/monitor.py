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

SUMMARY_COLUMNS = ["targets", "green", "yellow", "red", "grey"]
STYLE = {"green": "green", "yellow": "yellow", "red": "bold red", "grey": "dim"}


class View(StrEnum):
    target = "target"
    region = "region"
    area = "area"
    unit = "unit"
    warnings = "warnings"


class CountFrom(StrEnum):
    imported = "imported"
    submitted = "submitted"
    approved = "approved"
    accepted = "accepted"


COUNT_FROM_HELP = (
    "统计口径：imported（全部已导入，含草稿）|submitted（已上报及以后）|approved（已审核及以后）"
    "|accepted（已确认）；默认按监测规则文件的 count_from（submitted）"
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
    by: View = typer.Option(View.target, "--by", help="视图：target|region|area|unit|warnings"),
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
