"""``zhuansheng assess``: quarterly operation evaluation (季度运行评价) and annual comprehensive
assessment (年度综合评估) of cities, counties and pilots; ``assess scheme init`` drafts a year's
scheme.

``assess`` is a group whose own invocation is the evaluation, so ``zhuansheng assess --period
2022Q2 …`` works as it always has, beside the ``scheme`` subcommands."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Any

import typer
from rich.table import Table
from typer._click.exceptions import MissingParameter

from zhuansheng import tabular
from zhuansheng.errors import ZhuanshengError

from .lazy import lazy
from .output import console, console_err

service = lazy("zhuansheng.assess")
explain_ = lazy("zhuansheng.assess.explain")
draft_ = lazy("zhuansheng.assess.draft")

COLUMNS = ["region", "name", "score", "rank", "rank_change", "grade", "bonus", "penalty"]
INTERVAL_COLUMNS = ["rank_median", "rank_p05", "rank_p95"]
GRADE_STYLE = {"优秀": "bold green", "良好": "green", "合格": "yellow", "不合格": "bold red"}


class Level(StrEnum):
    city = "city"
    county = "county"
    pilot = "pilot"


class OutFormat(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"
    xlsx = "xlsx"


class SchemeKind(StrEnum):
    quarterly = "quarterly"
    annual = "annual"


app = typer.Typer(
    help="地区评价（季度运行评价、年度综合评估）与评价方案。",
    invoke_without_command=True,
    pretty_exceptions_enable=False,
)
scheme_app = typer.Typer(help="评价方案：按年度工作要点起草方案。", no_args_is_help=True)
app.add_typer(scheme_app, name="scheme")


def _arrow(change: int | None) -> str:
    if change is None:
        return "—"
    if change > 0:
        return f"[green]↑{change}[/]"
    if change < 0:
        return f"[red]↓{-change}[/]"
    return "→0"


def _table(result: Any) -> Table:
    sens = result.sensitivity_summary is not None
    table = Table(title=result.title_zh, header_style="bold", caption=_caption(result))
    for col in ("名次", "地区", "得分", "等级", "名次变化", "加分", "扣分"):
        table.add_column(col, overflow="fold")
    if sens:
        table.add_column("名次中位数")
        table.add_column("5%–95% 名次区间")
    for r in result.rows:
        cells = [
            str(r.rank),
            r.name,
            f"{r.score:.2f}",
            f"[{GRADE_STYLE[r.grade]}]{r.grade}[/]",
            _arrow(r.rank_change),
            f"{r.bonus:g}",
            f"{r.penalty:g}",
        ]
        if sens:
            cells += [f"{r.rank_median:g}", f"{r.rank_p05:g}–{r.rank_p95:g}"]
        table.add_row(*cells)
    return table


def _caption(result: Any) -> str:
    lines = [f"方案 {result.scheme_id} 版本 {result.scheme_version}"]
    if result.draft:
        lines[0] += "（评价方案为草案）"
    if result.run_id:
        lines[0] += f"；评价记录 {result.run_id}"
    if result.sensitivity_summary is not None:
        lines.append(result.sensitivity_summary.text_zh)
    lines += result.notes
    return "\n".join(lines)


def _flat(result: Any) -> tuple[list[dict[str, Any]], list[str]]:
    """Rows for csv/xlsx: one column per indicator's contribution (贡献分)."""
    ids = [i.id for i in result.indicators]
    columns = [*COLUMNS]
    if result.sensitivity_summary is not None:
        columns += INTERVAL_COLUMNS
    columns += [f"contribution_{i}" for i in ids] + ["synthetic", "draft"]
    rows = []
    for d in result.as_dicts():
        d.update({f"contribution_{i}": d["contributions"].get(i) for i in ids})
        rows.append(d)
    return rows, columns


def _param(ctx: typer.Context, name: str) -> Any:
    return next(p for p in ctx.command.params if p.name == name)


@app.callback()
def assess(
    ctx: typer.Context,
    period: str | None = typer.Option(
        None, "--period", "-p", help="评价期间：2022Q2（季度运行评价）或 2022（年度综合评估）"
    ),
    level: Level = typer.Option(Level.city, "--level", "-l", help="层级：city|county|pilot"),
    scheme: Path | None = typer.Option(
        None,
        "--scheme",
        dir_okay=False,
        help="评价方案文件（默认：工作要点目录 schemes/<kind>-<year>.yaml，其次内置方案）",
    ),
    sensitivity: int = typer.Option(
        0, "--sensitivity", "-s", min=0, help="蒙特卡洛敏感性分析次数（如 1000；0 为不做）"
    ),
    seed: int = typer.Option(20220630, "--seed", help="随机种子（同一种子结果可复现）"),
    fmt: OutFormat = typer.Option(OutFormat.table, "--format", "-f", help="table|json|csv|xlsx"),
    output: Path | None = typer.Option(None, "--output", "-o", help="输出文件"),
    no_store: bool = typer.Option(False, "--no-store", help="不保存评价记录"),
    draft: bool = typer.Option(
        False, "--draft", help="允许使用草案方案（status: draft）试算；结果标明“评价方案为草案”"
    ),
    explain: bool = typer.Option(
        False,
        "--explain",
        help="把计算明细（原始值、标准化值、权重、各指标贡献、得分与名次）写入 -o 指定的 .xlsx",
    ),
) -> None:
    """地区评价：季度运行评价与年度综合评估的得分、名次、名次变化、等级和各指标贡献。

    Regional evaluation of cities, counties or pilots: score, rank, rank change, grade, each
    indicator's contribution, and with --sensitivity the median rank and 5–95 % rank interval.
    """
    if ctx.invoked_subcommand is not None:
        return
    if period is None:
        # what the command said before it became a group: a usage error, exit 2
        raise MissingParameter(ctx=ctx, param=_param(ctx, "period"))
    if explain and (output is None or fmt is OutFormat.xlsx):
        raise ZhuanshengError(
            "--explain 须用 -o 指定 .xlsx 文件（计算明细工作簿）；排名本身按 "
            "--format table|json|csv 输出到屏幕 (--explain needs -o FILE.xlsx)"
        )
    if fmt is OutFormat.xlsx and output is None:
        raise ZhuanshengError("xlsx 格式须用 -o 指定输出文件 (xlsx needs -o FILE)")
    result = service.run(
        period,
        level.value,
        scheme,
        sensitivity=sensitivity,
        seed=seed,
        save=not no_store,
        draft=draft,
    )
    if explain:
        assert output is not None
        explain_.write(result, output)
        console_err.print(f"已写入计算明细 {output}（{len(result.rows)} 个地区）")
        output = None  # the ranking itself goes to the screen
    if result.draft:
        console_err.print("[bold yellow]注意：评价方案为草案（未审定），结果仅供试算[/]")
    if fmt is OutFormat.table:
        console.print(_table(result))
        return
    if fmt is OutFormat.json:
        text = tabular.to_json(result.as_dicts())
        if output is None:
            typer.echo(text, nl=False)
        else:
            output.write_text(text, encoding="utf-8")
            console.print(f"已写入 {output}（{len(result.rows)} 行）")
        return
    rows, columns = _flat(result)
    if output is None:
        typer.echo(tabular.to_csv(rows, columns), nl=False)
        return
    sheet = "季度运行评价" if "Q" in result.period else "年度综合评估"
    tabular.write(rows, columns, fmt.value, output, sheet=sheet)
    console.print(f"已写入 {output}（{len(rows)} 行）")


@scheme_app.command("init")
def scheme_init(
    year: int = typer.Option(..., "--year", "-y", help="工作要点年度，如 2023"),
    kind: SchemeKind = typer.Option(
        ..., "--kind", "-k", help="quarterly（季度运行评价）|annual（年度综合评估）"
    ),
    output: Path | None = typer.Option(
        None,
        "--output",
        "-o",
        dir_okay=False,
        help="输出文件（默认：工作要点目录 schemes/<kind>-<year>.yaml）",
    ),
    force: bool = typer.Option(False, "--force", help="覆盖已有文件"),
) -> None:
    """按年度工作要点起草评价方案：每个量化目标一个指标，六大工程等权，标为草案待审定。

    Writes a draft scheme from the year's programme: every quantitative target an indicator,
    equal weights per engineering area, ``status: draft`` until the office approves it.
    """
    path = draft_.write_draft(year, kind.value, output, force=force)
    console.print(
        f"已写入评价方案草案 {path}。审定后将文件中的 status: draft 改为 status: approved；"
        "在此之前 zhuansheng assess 仅在加 --draft 时使用它。"
    )
