"""``zhuansheng milestone``: the responsible units' progress reports on the milestone targets
(工作任务进展) — report, template and import, the province's review, the list."""

from __future__ import annotations

from pathlib import Path

import typer

from .lazy import lazy
from .output import Format, console, emit

workspace = lazy("zhuansheng.workspace")
accounts = lazy("zhuansheng.services.accounts")
context = lazy("zhuansheng.services.context")
milestones = lazy("zhuansheng.services.milestones")

app = typer.Typer(
    help="工作任务进展：责任单位报送、模板导入、省级确认或退回、列表。", no_args_is_help=True
)
USER = typer.Option(..., "--user", help="操作人用户名（报送：责任单位用户；审核：省级用户）")
COLUMNS = [
    "id",
    "target",
    "period",
    "unit",
    "status",
    "status_zh",
    "review_status",
    "review_zh",
    "reported_by",
    "recorded_at",
    "reviewed_by",
    "return_reason",
    "narrative",
]


def _caller(user: str):  # type: ignore[no-untyped-def]
    ws = workspace.current()
    return context.Caller(ws, accounts.actor(ws, user))


def _line(r: dict) -> str:  # type: ignore[type-arg]
    return f"进展报告 {r['id']}：{r['target']} {r['period']} {r['status_zh']}，{r['review_zh']}"


@app.command("report")
def report(
    target: str = typer.Option(..., "--target", "-t", help="目标代码，如 two_industry_integration"),
    period: str = typer.Option(..., "--period", "-p", help="期间：月 2023-03 或季 2023Q1"),
    status: str = typer.Option(
        ...,
        "--status",
        "-s",
        help="not_started 未启动、in_progress 推进中、completed 已完成、delayed 滞后",
    ),
    text: str = typer.Option(..., "--text", help="进展情况（不超过 2000 字）"),
    evidence: list[Path] = typer.Option(
        [], "--evidence", help="佐证文件 pdf、docx、xlsx、png、jpg（可多次给出）"
    ),
    user: str = USER,
) -> None:
    """报送一项工作任务的进展（待省级确认）：只有该目标的牵头或配合单位可以报送。"""
    files = [(p, p.name) for p in evidence]
    r = milestones.report(_caller(user), target, period, status, text, files)
    console.print(_line(r) + f"，佐证文件 {len(r['evidence'])} 个")


@app.command("template")
def template(
    user: str = USER,
    year: int | None = typer.Option(None, "--year", "-y", help="年度（默认最新工作要点）"),
    period: str | None = typer.Option(None, "--period", "-p", help="预填的期间（默认当前季度）"),
    output: Path = typer.Option(..., "--output", "-o", help="输出 xlsx 文件"),
) -> None:
    """本单位全部工作任务的进展报送表（xlsx），填好后用 milestone import 一次导入。"""
    caller = _caller(user)
    path = milestones.template(caller, milestones.check_year(year), output, period)
    console.print(f"已生成进展报送表 {path}")


@app.command("import")
def import_(
    file: Path = typer.Argument(..., help="填好的进展报送表 xlsx"),
    user: str = USER,
) -> None:
    """导入填好的进展报送表：整份校验，整份写入或整份拒收。"""
    rows = milestones.import_file(_caller(user), file)
    console.print(f"已导入 {len(rows)} 项进展报告（待省级确认）")
    for r in rows:
        console.print("  " + _line(r))


@app.command("accept")
def accept(report_id: int = typer.Argument(..., help="进展报告编号"), user: str = USER) -> None:
    """省级确认一份进展报告（确认后计入监测）。"""
    console.print(_line(milestones.review(_caller(user), report_id, "accept")))


@app.command("return")
def return_(
    report_id: int = typer.Argument(..., help="进展报告编号"),
    reason: str = typer.Option(..., "--reason", help="退回原因（必填）"),
    user: str = USER,
) -> None:
    """省级退回一份进展报告（须说明原因），责任单位修改后重新报送。"""
    console.print(_line(milestones.review(_caller(user), report_id, "return", reason)))


@app.command("list")
def list_(
    year: int = typer.Option(..., "--year", "-y", help="年度"),
    unit: str | None = typer.Option(None, "--unit", "-u", help="责任单位，如 省科技厅"),
    status: str | None = typer.Option(
        None,
        "--status",
        "-s",
        help="进展状态（not_started、in_progress、completed、delayed）"
        "或审核状态（submitted、accepted、returned）",
    ),
    fmt: Format = typer.Option(Format.table, "--format", "-f", help="输出格式 table|csv|json"),
) -> None:
    """工作任务进展报告列表（最新在前）。"""
    caller = context.console(workspace.current())
    rows = milestones.listing(caller, year, unit, status)
    for r in rows:
        r["evidence"] = len(r["evidence"])
    emit(
        rows,
        [*COLUMNS, "evidence"],
        fmt,
        title=f"{year} 年工作任务进展",
        table_columns=[*COLUMNS[:4], "status_zh", "review_zh", "reported_by"],
    )
