"""``zhuansheng major-projects``: the major-project register (重大项目库) with its warnings, the
same rows, filters and scope as the web list (``zhuansheng.services.major_projects``)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from zhuansheng import workspace

from .lazy import lazy
from .output import Format, console, emit

context = lazy("zhuansheng.services.context")
accounts = lazy("zhuansheng.services.accounts")
service = lazy("zhuansheng.services.major_projects")

TABLE = ["code", "region_name", "size_class", "official_in_charge", "lag_pct", "warnings"]


def major_projects(
    month: Annotated[
        str, typer.Option("--month", "-m", help="截至月份，如 2022-06（默认最近有完成投资的月份）")
    ] = "",
    size_class: Annotated[
        str, typer.Option("--size-class", help="规模档次：over_1bn|over_100m|under_100m")
    ] = "",
    region: Annotated[str, typer.Option("--region", "-r", help="地区代码（含下辖地区）")] = "",
    status: Annotated[str, typer.Option("--status", help="planned|started|completed")] = "",
    warning: Annotated[
        str, typer.Option("--warning", help="any|none|investment_lag|start_overdue")
    ] = "",
    user: Annotated[
        str | None, typer.Option("--user", help="以该用户身份查看（市、县用户只见本地区）")
    ] = None,
    fmt: Annotated[Format, typer.Option("--format", "-f", help="table|csv|json")] = Format.table,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="写入文件（.xlsx 为带中文表头的工作簿）")
    ] = None,
) -> None:
    """重大项目库：规模档次、联系领导（一局长一项目）、计划与完成投资（年初至所查月份累计）和预警。

    Major projects with their size class, official in charge, plan against actual and warnings.
    """
    ws = workspace.current()
    caller = context.Caller(ws, accounts.actor(ws, user)) if user else context.console(ws)
    f = service.MajorFilter(
        month=month, size_class=size_class, region=region, status=status, warning=warning
    )
    if output is not None and output.suffix.lower() == ".xlsx":
        from zhuansheng import tabular

        labelled, headers, at = service.export(caller, f)
        tabular.write_xlsx(labelled, output, headers, sheet=service.SPEC.title_zh)
        console.print(f"已写入 {len(labelled)} 个项目（截至 {at}）：{output}", highlight=False)
        return
    found = service.page(caller, f, 1, 10**9)
    rows = [{**r, "warnings": ";".join(r["warnings"])} for r in found["rows"]]
    emit(
        rows,
        list(service.SPEC.columns),
        fmt,
        title=f"重大项目库（截至 {found['month']}，{found['total']} 个）",
        output=output,
        table_columns=TABLE,
    )
