"""``zhuansheng report``: briefings and reports as Word, PDF and an Excel annex."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from zhuansheng.errors import ZhuanshengError

from .lazy import lazy
from .monitor import COUNT_FROM_HELP, CountFrom
from .output import console

service = lazy("zhuansheng.report")

app = typer.Typer(
    help="简报与分析报告：月度监测分析、季度简报、年度综合评估（Word/PDF/Excel）.",
    no_args_is_help=True,
)

FORMAT = typer.Option(
    ["docx"],
    "--format",
    "-f",
    help="docx|pdf|xlsx，可重复或用逗号分隔（--format docx,pdf）",
)
OUT = typer.Option(Path("reports"), "--output", "-o", help="输出目录（默认 ./reports）")
USER = typer.Option(None, "--user", help="以该用户的身份生成（检查地区权限）")
DRAFT = typer.Option(
    False, "--draft", help="排名可用草案评价方案（status: draft）试算；报告标明“评价方案为草案”"
)
COUNT_FROM = typer.Option(None, "--count-from", help=COUNT_FROM_HELP)


def _formats(values: list[str]) -> list[str]:
    return [f.strip().lower() for v in values for f in v.split(",") if f.strip()]


def _run(
    kind: str,
    period: str,
    regions: list[str | None],
    formats: list[str],
    out: Path,
    user: str | None,
    jobs: int = 1,
    draft: bool = False,
    count_from: CountFrom | None = None,
) -> None:
    actor = None
    if user is not None:
        from zhuansheng import workspace
        from zhuansheng.services import accounts

        actor = accounts.actor(workspace.current(), user)
    fmts = _formats(formats)
    for region in regions:  # refuse the whole request before reading or writing anything
        service.check_request(kind, period, region, fmts, actor)
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as bar:
        task = bar.add_task("读取监测数据", total=len(regions) + 1)
        sources = service.Sources(
            period, draft=draft, count_from=count_from.value if count_from else None
        )
        bar.update(task, advance=1, description="生成报告")
        written = service.generate_many(
            kind,
            period,
            regions,
            formats=fmts,
            out_dir=out,
            actor=actor,
            sources=sources,
            jobs=jobs,
            progress=lambda region: bar.update(
                task, advance=1, description=f"已生成 {region or '全省'}"
            ),
        )
    for path in written:
        console.print(f"已写入 {path}")
    if sources.synthetic:
        console.print("[bold red]注意：报告数据为合成演示数据，不是官方统计[/]")


@app.command()
def monthly(
    period: str = typer.Option(..., "--period", "-p", help="月份，如 2022-06（1—6月累计）"),
    fmt: list[str] = FORMAT,
    output: Path = OUT,
    user: str | None = USER,
    draft: bool = DRAFT,
    count_from: CountFrom | None = COUNT_FROM,
) -> None:
    """月度监测分析（全省）：总体情况、分工程进展、预警事项、各地进展与排名。

    The monthly monitoring analysis of the province.
    """
    _run("monthly", period, [None], fmt, output, user, draft=draft, count_from=count_from)


@app.command()
def quarterly(
    period: str = typer.Option(..., "--period", "-p", help="季度，如 2022Q2"),
    region: str | None = typer.Option(
        None, "--region", "-r", help="设区市或县（市、区）代码，如 330600；不填为全省"
    ),
    all_cities: bool = typer.Option(False, "--all", help="11 个设区市各生成一份"),
    fmt: list[str] = FORMAT,
    output: Path = OUT,
    user: str | None = USER,
    jobs: int = typer.Option(
        2, "--jobs", "-j", min=1, help="同时生成的进程数（--all 时；不超过 CPU 核数）"
    ),
    draft: bool = DRAFT,
    count_from: CountFrom | None = COUNT_FROM,
) -> None:
    """季度简报：全省，或一个地区与全省及同级地区的比较。

    The quarterly briefing of the province, of one city or county (--region), or of every
    city (--all).
    """
    if all_cities and region:
        raise ZhuanshengError("--region 与 --all 只能选一个")
    regions: list[str | None] = [region]
    if all_cities:
        from zhuansheng import reference

        regions = [r.code for r in reference.regions() if r.level == "city"]
    _run("quarterly", period, regions, fmt, output, user, jobs, draft=draft, count_from=count_from)


@app.command()
def annual(
    period: str = typer.Option(..., "--period", "-p", help="年度，如 2022"),
    fmt: list[str] = FORMAT,
    output: Path = OUT,
    user: str | None = USER,
    draft: bool = DRAFT,
    count_from: CountFrom | None = COUNT_FROM,
) -> None:
    """年度综合评估（全省）：全年目标完成情况、分工程进展、未完成事项、各地排名。

    The annual comprehensive assessment of the province.
    """
    _run("annual", period, [None], fmt, output, user, draft=draft, count_from=count_from)


@app.command("list")
def list_(output: Path = OUT) -> None:
    """列出输出目录中的报告。 Lists the reports in a folder."""
    from rich.table import Table

    table = Table(title=f"{output} 中的报告", header_style="bold")
    for col in ("类型", "期间", "地区", "格式", "大小", "合成数据"):
        table.add_column(col)
    for f in service.list_reports(output):
        table.add_row(
            f.kind_zh,
            f.period,
            f"{f.region_name}（{f.region}）",
            f.format,
            f"{f.size / 1024:.0f} KiB",
            "是" if f.synthetic else "",
        )
    console.print(table)
