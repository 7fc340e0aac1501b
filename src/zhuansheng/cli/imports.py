"""``zhuansheng import``: load files from other departments into the platform.

Each kind of input is one command; the work is done by the service modules (here
:mod:`zhuansheng.lake`), the command only parses options and prints the outcome.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer

from .output import Format, console, console_err, emit

app = typer.Typer(help="导入数据文件 (import data files).", no_args_is_help=True)


FileArg = Annotated[
    Path, typer.Argument(help="企业年度数据文件：.csv（UTF-8 或 GB18030）、.parquet 或 .xlsx")
]
DryRun = Annotated[bool, typer.Option("--dry-run", help="只校验并报告，不写入数据湖")]
Check = Annotated[bool, typer.Option("--dry-run", help="只校验并报告，不写入数据库")]
Rules = Annotated[
    Path | None,
    typer.Option("--rules", exists=True, dir_okay=False, help="校验规则文件（默认用内置规则）"),
]
Synthetic = Annotated[
    bool, typer.Option("--synthetic", help="标记为合成（演示）数据，记入文件元数据")
]
Sheet = Annotated[str | None, typer.Option("--sheet", help="Excel 工作表名称或序号（默认第一个）")]
Lake = Annotated[
    Path | None, typer.Option("--lake", help="数据湖目录（默认 $ZHUANSHENG_LAKE 或 ./var/lake）")
]
Fmt = Annotated[Format, typer.Option("--format", "-f", help="输出格式 table|csv|json")]


@contextmanager
def _json_refusal(fmt: Format) -> Iterator[None]:
    """With --format json a refused file prints its problems as JSON (exit 2), else as text."""
    from zhuansheng.errors import InputRejected

    try:
        yield
    except InputRejected as exc:
        if fmt is not Format.json:
            raise
        problems = [
            {"row": p.row, "column": p.column, "sheet": p.sheet, "level": p.level,
             "where": p.where, "message": p.message, "hint": p.hint}
            for p in exc.problems
        ]  # fmt: skip
        out = {"source": exc.source, "ok": False, "problems": problems}
        typer.echo(json.dumps(out, ensure_ascii=False, indent=2))
        raise typer.Exit(2) from exc


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

    某年度已有数据时整体替换，旧文件保存在 _superseded 目录下；与现有数据完全相同的年度不再写入。
    """
    from zhuansheng.lake import import_enterprises

    with _json_refusal(fmt):
        result = import_enterprises(
            file, lake=lake, dry_run=dry_run, synthetic=synthetic, sheet=sheet
        )

    for w in result.warnings:
        console_err.print(f"[yellow]警告[/] {w}", highlight=False)
    written = [y for y in result.years if y not in result.unchanged]
    rows = [{"year": y, "path": str(p)} for y, p in zip(written, result.paths, strict=False)]
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
            "unchanged": result.unchanged,
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
    if result.unchanged:
        same = "、".join(map(str, result.unchanged))
        console.print(
            f"年度 {same} 与数据湖中现有数据相同，未写入 (identical to the lake, nothing written)",
            highlight=False,
        )
    if not written:
        return
    console.print(
        f"已写入年度 {'、'.join(map(str, written))}（文件共 {result.rows} 行，年度 {years}）"
        " (rows written):",
        highlight=False,
    )
    for row in rows:  # full paths, never truncated to the terminal width
        console.print(f"  {row['year']}  {row['path']}", highlight=False, soft_wrap=True)


@app.command()
def observations(
    file: Annotated[Path, typer.Argument(help="填好的填报模板：.xlsx 或 .csv")],
    user: Annotated[str, typer.Option("--user", help="填报人用户名（须为该地区的县级或市级用户）")],
    comment: Annotated[str, typer.Option("--comment", help="说明：有警告时必填，随数据保存")] = "",
    region: Annotated[
        str | None, typer.Option("--region", help="只接收该地区的文件（核对模板中的地区）")
    ] = None,
    period: Annotated[str | None, typer.Option("--period", help="只接收该期间的文件")] = None,
    dry_run: Check = False,
    rules: Rules = None,
    fmt: Fmt = Format.table,
) -> None:
    """导入填好的监测数据填报模板：整份校验，通过才写入；每个数值都作为新的修订版本保存。

    有错误的文件整份拒收；只有警告的，须用 --comment 说明后接收。同一文件重复导入不会改变任何数据。
    """
    from zhuansheng.collect import import_observations, load_rules
    from zhuansheng.services.submissions import needs

    with _json_refusal(fmt):
        result = import_observations(
            file,
            user=user,
            comment=comment,
            dry_run=dry_run,
            region=region,
            period=period,
            rules=load_rules(rules) if rules else None,
            needs=needs(None),
        )
    for w in result.warnings:
        console_err.print(f"[yellow]警告[/] {w}", highlight=False)
    summary = {
        "file": result.file_name,
        "region": result.region,
        "period": result.period,
        "written": result.written,
        "unchanged": result.unchanged,
        "warnings": len(result.warnings),
        "dry_run": result.dry_run,
        "batch_id": result.batch_id,
    }
    if fmt is Format.json:
        typer.echo(json.dumps({"ok": True, **summary}, ensure_ascii=False, indent=2))
    elif result.dry_run:
        console.print(f"校验通过：{result.region} {result.period}，未写入 (dry run)")
    elif not result.changed:
        console.print("文件内容与已导入的数据相同，未作任何修改 (nothing changed)")
    else:
        console.print(
            f"已导入 {result.region} {result.period}：新增修订 {result.written} 项，"
            f"未变 {result.unchanged} 项（状态：草稿，待上报）"
        )


def _register(kind: str, file: Path, user: str, dry_run: bool, fmt: Format) -> None:
    from zhuansheng.collect.registers import import_register

    with _json_refusal(fmt):
        result = import_register(kind, file, user=user, dry_run=dry_run)
    summary = {
        "kind": kind,
        "file": result.file_name,
        "rows": result.rows,
        "written": result.written,
        "unchanged": result.unchanged,
        "dry_run": dry_run,
    }
    if fmt is Format.json:
        typer.echo(json.dumps({"ok": True, **summary}, ensure_ascii=False, indent=2))
    elif dry_run:
        console.print(f"校验通过：{result.rows} 行，未写入 (dry run)")
    else:
        console.print(
            f"已导入 {result.rows} 行：新增或更新 {result.written} 行，未变 {result.unchanged} 行"
        )


RegisterFile = Annotated[
    Path, typer.Argument(help="文件：.xlsx（第一个工作表）或 .csv，第一行为列名")
]
User = Annotated[str, typer.Option("--user", help="导入人用户名")]


@app.command()
def registry(
    file: RegisterFile, user: User, dry_run: Check = False, fmt: Fmt = Format.table
) -> None:
    """导入认定名单（未来工厂、专精特新、品字标等）。

    列：registry_kind,name,uscc,region_code,recognised_on,batch（uscc、batch 可空）。
    """
    _register("registry", file, user, dry_run, fmt)


@app.command()
def projects(
    file: RegisterFile, user: User, dry_run: Check = False, fmt: Fmt = Format.table
) -> None:
    """导入项目库（数字化技改、节能降碳、废气治理、强链补链、首台套、重大项目等）。

    列：project_kind,code,name,uscc,region_code,status,started_on,completed_on,
    planned_investment_wan。已有项目编号的行更新该项目，原值记入操作日志。

    重大项目（project_kind 为 major_project）另须填写 official_in_charge,official_post
    （一局长一项目：负责领导姓名、职务）,planned_start_on,planned_completion_on；
    规模档次（10亿元以上 / 1亿元以上）按总投资 planned_investment_wan 自动确定。
    """
    _register("projects", file, user, dry_run, fmt)


@app.command()
def investments(
    file: RegisterFile, user: User, dry_run: Check = False, fmt: Fmt = Format.table
) -> None:
    """导入项目逐月完成投资。列：code,month,invested_wan（万元）。"""
    _register("investments", file, user, dry_run, fmt)


@app.command("project-plans")
def project_plans(
    file: RegisterFile, user: User, dry_run: Check = False, fmt: Fmt = Format.table
) -> None:
    """导入重大项目年度投资计划（按月）。列：code,month,planned_wan（万元，当月计划投资）。"""
    _register("plans", file, user, dry_run, fmt)
