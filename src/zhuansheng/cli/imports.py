"""``zhuansheng import``: load files from other departments into the platform.

Each kind of input is one command; the work is done by the service modules (here
:mod:`zhuansheng.lake`), the command only parses options and prints the outcome.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from .output import Format, console, console_err, emit

app = typer.Typer(help="导入数据文件 (import data files).", no_args_is_help=True)


FileArg = Annotated[
    Path, typer.Argument(help="企业年度数据文件：.csv（UTF-8 或 GB18030）、.parquet 或 .xlsx")
]
DryRun = Annotated[bool, typer.Option("--dry-run", help="只校验并报告，不写入数据湖")]
Synthetic = Annotated[
    bool, typer.Option("--synthetic", help="标记为合成（演示）数据，记入文件元数据")
]
Sheet = Annotated[str | None, typer.Option("--sheet", help="Excel 工作表名称或序号（默认第一个）")]
Lake = Annotated[
    Path | None, typer.Option("--lake", help="数据湖目录（默认 $ZHUANSHENG_LAKE 或 ./var/lake）")
]
Fmt = Annotated[Format, typer.Option("--format", "-f", help="输出格式 table|csv|json")]


@app.command()
def enterprises(
    file: FileArg,
    dry_run: DryRun = False,
    synthetic: Synthetic = False,
    sheet: Sheet = None,
    lake: Lake = None,
    fmt: Fmt = Format.table,
) -> None:
    """导入企业年度数据到数据湖（亩均、能耗、碳效评价的基础数据）。

    先完整校验（列、数值、代码、年度、重复），有任何错误整份拒收，不写入任何数据。

    某年度已有数据时整体替换，旧文件保存在 _superseded 目录下。
    """
    from zhuansheng.errors import InputRejected
    from zhuansheng.lake import import_enterprises

    try:
        result = import_enterprises(
            file, lake=lake, dry_run=dry_run, synthetic=synthetic, sheet=sheet
        )
    except InputRejected as exc:
        if fmt is Format.json:
            problems = [
                {"row": p.row, "column": p.column, "sheet": p.sheet, "level": p.level,
                 "where": p.where, "message": p.message, "hint": p.hint}
                for p in exc.problems
            ]  # fmt: skip
            out = {"source": exc.source, "ok": False, "problems": problems}
            typer.echo(json.dumps(out, ensure_ascii=False, indent=2))
            raise typer.Exit(2) from exc
        raise

    for w in result.warnings:
        console_err.print(f"[yellow]警告[/] {w}", highlight=False)
    rows = [{"year": y, "path": str(p)} for y, p in zip(result.years, result.paths, strict=False)]
    if fmt is Format.json:
        out = {
            "source": result.source,
            "ok": True,
            "dry_run": result.dry_run,
            "synthetic": result.synthetic,
            "sha256": result.sha256,
            "rows": result.rows,
            "years": result.years,
            "paths": [str(p) for p in result.paths],
            "warnings": [str(w) for w in result.warnings],
        }
        typer.echo(json.dumps(out, ensure_ascii=False, indent=2))
        return
    years = "、".join(map(str, result.years))
    if result.dry_run:
        console.print(
            f"校验通过：{result.rows} 行，年度 {years}；未写入 (dry run, nothing written)",
            highlight=False,
        )
        return
    if fmt is Format.csv:
        emit(rows, ["year", "path"], fmt)
        return
    console.print(f"已写入 {result.rows} 行，年度 {years} (rows written):", highlight=False)
    for row in rows:  # full paths, never truncated to the terminal width
        console.print(f"  {row['year']}  {row['path']}", highlight=False, soft_wrap=True)
