"""``zhuansheng programme``: validate, show and export the yearly programme (工作要点)."""

from __future__ import annotations

from collections import Counter
from enum import StrEnum
from pathlib import Path

import typer

from zhuansheng.errors import InputRejected, ZhuanshengError

from .lazy import lazy
from .output import Format, console, emit

prog = lazy("zhuansheng.programme")

app = typer.Typer(
    help="工作要点：年度目标文件的校验、查看与导出 (the yearly programme: validate, show, export).",
    no_args_is_help=True,
)


class ExportFormat(StrEnum):
    csv = "csv"
    json = "json"
    xlsx = "xlsx"


YEAR = typer.Option(None, "--year", "-y", help="年份，默认最新 (year; default: the latest).")
FILE_ARG = typer.Argument(..., help="工作要点 YAML 文件 (programme YAML file).")
FORMAT = typer.Option(
    ExportFormat.csv, "--format", "-f", help="csv | json | xlsx（xlsx 须用 -o 指定文件）"
)
OUTPUT = typer.Option(
    None, "--output", "-o", help="输出文件，默认标准输出 (output file; default stdout)."
)
FILE = typer.Option(
    None,
    "--file",
    help="直接读取此文件，不按年份查找 (read this file instead of looking up a year).",
)


def _load(year: int | None, file: Path | None) -> prog.Programme:
    return prog.load(year, path=file)


@app.command()
def validate(file: Path = FILE_ARG) -> None:
    """校验工作要点文件：逐条列出问题（YAML 路径与行号），有问题时退出码为 2。

    Validate a programme file: one line per problem (YAML path, line); exit 2 if any, else 0.
    """
    try:
        problems = prog.validate_file(file)
    except InputRejected as exc:  # a broken user catalogue beside the programmes
        problems = [*exc.problems]
    if problems:
        # Plain echo, not Rich: paths such as tasks[0] must not be read as markup or wrapped.
        for p in problems:
            typer.echo(str(p))
        typer.echo(f"{file}: 共 {len(problems)} 处问题 ({len(problems)} problem(s))", err=True)
        raise typer.Exit(2)
    loaded = prog.load(path=file)
    rows = loaded.targets()
    kinds = Counter(r.kind for r in rows)
    quantitative = len(rows) - kinds.get("milestone", 0)
    typer.echo(
        f"OK {file}: {loaded.year} 年，{len(loaded.goals)} 项总体要求、{len(loaded.areas)} 个工程、"
        f"{len(loaded.tasks)} 项任务、{len(loaded.safeguards)} 项保障措施；"
        f"{len(rows)} 个目标，其中量化目标 {quantitative} 个"
    )


@app.command()
def show(year: int | None = YEAR, file: Path | None = FILE) -> None:
    """以树形显示工作要点：总体要求、各工程及任务、目标值与单位、保障措施。

    Show the programme as a tree: goals, areas, tasks, targets with value and unit, safeguards.
    """
    console.print(prog.build_tree(_load(year, file)))


@app.command()
def export(
    year: int | None = YEAR,
    fmt: ExportFormat = FORMAT,
    output: Path | None = OUTPUT,
    file: Path | None = FILE,
) -> None:
    """导出全部目标（每个目标一行，含条款、目标值、单位、责任单位、指标来源与原文）。

    Export every target, one row each, with clause, value, unit, units and the seed's wording.
    """
    if fmt is ExportFormat.xlsx and output is None:
        raise ZhuanshengError("xlsx 格式须用 -o 指定输出文件 (xlsx needs -o FILE)")
    rows = prog.export_rows(_load(year, file))
    if fmt is ExportFormat.xlsx:
        assert output is not None
        prog.write_xlsx(rows, output)
        typer.echo(f"已写入 {output}（{len(rows)} 个目标）", err=True)
        return
    emit(rows, prog.EXPORT_COLUMNS, Format(fmt.value), output=output)
