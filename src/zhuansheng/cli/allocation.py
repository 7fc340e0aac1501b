"""``zhuansheng allocation``: the allocation of targets to cities and counties (分解下达)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from .imports import _json_refusal
from .lazy import lazy
from .output import Format, console, console_err, emit

accounts = lazy("zhuansheng.services.accounts")
allocations = lazy("zhuansheng.services.allocations")
context = lazy("zhuansheng.services.context")
workspace = lazy("zhuansheng.workspace")

app = typer.Typer(
    help="目标分解下达：生成分解表、导入分解值、查看分解情况 (allocations).",
    no_args_is_help=True,
)

Year = Annotated[int, typer.Option("--year", "-y", help="年度，如 2023")]
Target = Annotated[str | None, typer.Option("--target", "-t", help="只含该目标（目标代码）")]
Fmt = Annotated[Format, typer.Option("--format", "-f", help="输出格式 table|csv|json")]


@app.command()
def template(
    year: Year,
    output: Annotated[Path, typer.Option("--output", "-o", help="输出文件 .xlsx")],
    target: Target = None,
    level: Annotated[
        str, typer.Option("--level", help="city：分解到设区市；county：分解到县（市、区）")
    ] = "city",
) -> None:
    """生成分解下达表：每个地区 × 每个可分解目标一行，列出全省目标值与上级分解值。

    已分解的预填当前值，原样导入不改变任何数据。

    Writes the allocation template of a year for the cities (or the counties).
    """
    caller = context.console(workspace.current())
    path = allocations.write_template(caller, year, output, target=target, level=level)
    console.print(f"已生成分解下达表 {path}")


@app.command("import")
def import_(
    file: Annotated[
        Path, typer.Argument(help="填好的分解下达表 .xlsx，或 .csv（year,target,region,value）")
    ],
    user: Annotated[str, typer.Option("--user", help="导入人用户名（省级或设区市用户）")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="只校验并报告，不写入数据库")] = False,
    fmt: Annotated[Format, typer.Option("--format", "-f", help="输出格式 table|json")] = (
        Format.table
    ),
) -> None:
    """导入分解值：整份校验，通过才写入；每个改变的数值都作为新的修订版本保存。

    有错误的文件整份拒收并逐条指出行和列；数量、总量类目标合计低于上级的，须在“说明”（comment）列写明理由。
    同一文件重复导入不会改变任何数据。
    """
    ws = workspace.current()
    caller = context.Caller(ws, accounts.actor(ws, user))
    with _json_refusal(fmt):
        result = allocations.import_file(caller, file, dry_run=dry_run)
    for w in result.warnings:
        console_err.print(f"[yellow]警告[/] {w}", highlight=False)
    if fmt is Format.json:
        out = {"ok": True, **result.summary()}
        typer.echo(json.dumps(out, ensure_ascii=False, indent=2))
    elif result.dry_run:
        console.print(
            f"校验通过：{result.rows} 行，将改变 {result.written} 项，未变 {result.unchanged} 项；"
            "未写入 (dry run)"
        )
    elif not result.written:
        console.print("文件内容与已有分解值相同，未作任何修改 (nothing changed)")
    else:
        console.print(
            f"已导入 {result.rows} 行：新增修订 {result.written} 项，未变 {result.unchanged} 项"
        )


@app.command("list")
def list_(year: Year, target: Target = None, fmt: Fmt = Format.table) -> None:
    """列出某年度的分解值（当前值及其修订版本号）。"""
    caller = context.console(workspace.current())
    rows = allocations.listing(caller, year, target)
    emit(
        rows,
        allocations.LIST_COLUMNS,
        fmt,
        title=f"{year} 年目标分解",
        table_columns=["target", "region", "region_name", "value", "unit", "revision"],
    )


@app.command()
def history(
    year: Year,
    target: Annotated[str, typer.Option("--target", "-t", help="目标代码")],
    region: Annotated[str, typer.Option("--region", "-r", help="地区代码，如 330603")],
    fmt: Fmt = Format.table,
) -> None:
    """一个分解值的全部修订：每次的数值、修订人、时间、来源文件（sha256、单元格）和说明。"""
    caller = context.console(workspace.current())
    rows = allocations.history(caller, year, target, region)
    emit(
        rows,
        allocations.HISTORY_COLUMNS,
        fmt,
        title=f"{year} 年 {target} · {region} 分解值修订记录",
        table_columns=["revision", "value", "recorded_at", "recorded_by", "source_name", "comment"],
    )
