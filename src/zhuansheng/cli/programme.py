"""``zhuansheng programme``: draft, validate, show and export the yearly programme (工作要点)."""

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
    help="工作要点：年度目标文件的起草、校验、查看与导出 "
    "(the yearly programme: draft, validate, show, export).",
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
def validate(
    file: Path = FILE_ARG,
    draft: bool = typer.Option(
        False,
        "--draft",
        help="草稿：标为待填写的值只作警告，退出码 0 (a draft: unfilled values are warnings).",
    ),
) -> None:
    """校验工作要点文件：逐条列出问题（YAML 路径与行号），有问题时退出码为 2。

    Validate a programme file: one line per problem (YAML path, line); exit 2 if any, else 0.
    A value still marked 待填写 is a problem too, unless --draft (then a warning).
    """
    try:
        problems = prog.validate_file(file, draft=draft)
    except InputRejected as exc:  # a broken user catalogue beside the programmes
        problems = [*exc.problems]
    errors = [p for p in problems if p.level == "error"]
    warnings = [p for p in problems if p.level != "error"]
    # Plain echo, not Rich: paths such as tasks[0] must not be read as markup or wrapped.
    for p in errors:
        typer.echo(str(p))
    if errors:
        typer.echo(f"{file}: 共 {len(errors)} 处问题 ({len(errors)} problem(s))", err=True)
        raise typer.Exit(2)
    for p in warnings:
        typer.echo(f"警告 {p}")
    loaded = prog.read_draft(file) if warnings else prog.load(path=file)
    assert loaded is not None  # no errors: the file parses
    rows = loaded.targets()
    kinds = Counter(r.kind for r in rows)
    quantitative = len(rows) - kinds.get("milestone", 0)
    typer.echo(
        f"OK {file}: {loaded.year} 年，{len(loaded.goals)} 项总体要求、{len(loaded.areas)} 个工程、"
        f"{len(loaded.tasks)} 项任务、{len(loaded.safeguards)} 项保障措施；"
        f"{len(rows)} 个目标，其中量化目标 {quantitative} 个"
        + (f"；草稿，尚有 {len(warnings)} 处待填写 (draft)" if warnings else "")
    )


@app.command()
def init(
    year: int = typer.Option(..., "--year", "-y", help="新年度，如 2023 (the new year)."),
    from_year: int | None = typer.Option(
        None,
        "--from",
        help="来源年度，默认为新年度之前最近的一年 (the year to copy; default: the latest before).",
    ),
    output: Path = typer.Option(..., "--output", "-o", help="草稿文件 (the draft YAML to write)."),
) -> None:
    """由上一年度工作要点生成新年度草稿：结构、条款、目标与指标不变，年份改为新年度，
    目标值、原文与文件信息标为“待填写”（行尾注释为上一年度的值）。

    Draft a new year's programme from the last one: every value marked 待填写 (old value in a
    comment); fill them, then `programme validate` and place the file in the programme folder.
    """
    source_year = from_year
    if source_year is None:
        earlier = [y for y in prog.available_years() if y < year]
        if not earlier:
            raise ZhuanshengError(f"没有 {year} 年之前的工作要点，请用 --from 指定来源年度")
        source_year = earlier[-1]
    prog.load(source_year)  # the source must be a valid, filled programme
    source = prog.programme_path(source_year)
    count = prog.write_draft(source, source_year, year, output)
    typer.echo(
        f"已生成 {year} 年工作要点草稿 {output}（来源 {source}）：{count} 处“{prog.PLACEHOLDER}”，"
        f"填写后用 zhuansheng programme validate {output} 校验"
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
