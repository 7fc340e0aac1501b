"""``zhuansheng demo``: build the synthetic demo world and run everything on it."""

from __future__ import annotations

import datetime as dt
import json

import typer
from rich.panel import Panel
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from zhuansheng import tabular, workspace

from .lazy import lazy
from .monitor import table
from .output import Format, console

demo = lazy("zhuansheng.demo")
monitor = lazy("zhuansheng.monitor")

app = typer.Typer(help="合成演示数据 (synthetic demo world).", no_args_is_help=True)

SEED = typer.Option(42, "--seed", help="随机种子：同一种子生成完全相同的数据 (seed)")
ENTERPRISES = typer.Option(20000, "--enterprises", help="演示企业数 (number of enterprises)")


def _build(seed: int, enterprises: int, show: bool) -> demo.Summary:
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TimeElapsedColumn(),
        console=console,
        disable=not show,
        transient=False,
    ) as bar:
        task = bar.add_task("合成演示数据", total=demo.STEPS)

        done = 0

        def step(name: str) -> None:
            # Each call starts a stage, so the bar shows the stages already finished.
            nonlocal done
            bar.update(task, description=name, completed=done)
            done += 1

        summary = demo.build(seed=seed, enterprises=enterprises, progress=step)
        bar.update(task, completed=demo.STEPS, description="完成")
    return summary


LABELS = {
    "regions": "行政区划",
    "industries": "行业",
    "pilots": "试点",
    "programmes": "工作要点",
    "programme_items": "要点条目",
    "indicators": "指标",
    "targets": "目标",
    "allocations": "目标分解",
    "allocation_revisions": "目标分解修订记录",
    "observations": "月度统计数据",
    "enterprises": "企业",
    "registry_entries": "认定名单条目",
    "projects": "项目",
    "project_investments": "项目逐月投资",
    "project_plans": "重大项目逐月投资计划",
    "cases": "整治案例",
    "case_events": "案例状态记录",
    "case_evidence": "整治进展佐证文件",
    "milestone_reports": "工作任务进展报告",
    "milestone_evidence": "工作任务进展佐证文件",
    "submissions": "填报上报记录",
    "submission_events": "上报流转记录",
    "import_batches": "导入文件记录",
    "evaluation_runs": "评价运行记录",
    "assessment_runs": "地区评价运行记录",
    "screening_candidates": "高耗低效筛查名单",
    "users": "用户",
    "web_sessions": "网页登录会话",
    "audit_log": "操作日志",
    "lake_rows": "数据湖企业年度记录",
    "sample_va_per_mu_2021": "样本规上亩均增加值 2021（万元/亩）",
    "sample_va_per_mu_2022": "样本规上亩均增加值 2022（万元/亩）",
    "sample_tax_per_mu_2021": "样本规上亩均税收 2021（万元/亩）",
    "sample_tax_per_mu_2022": "样本规上亩均税收 2022（万元/亩）",
    "sample_rd_intensity_pct_2021": "样本规上研发强度 2021（%）",
    "sample_rd_intensity_pct_2022": "样本规上研发强度 2022（%）",
}


def _print(summary: demo.Summary, fmt: Format) -> None:
    if fmt is Format.json:
        console.print_json(json.dumps(summary.__dict__, ensure_ascii=False, default=str))
        return
    lines = [
        f"[bold]合成演示数据（SYNTHETIC，非官方统计）[/] seed={summary.seed}，"
        f"企业 {summary.enterprises} 家，用时 {summary.seconds} 秒",
        f"数据库 {summary.database}",
        f"数据湖 {summary.lake}",
        "",
        *(f"  {LABELS.get(k, k)}：{v:,}" for k, v in summary.counts.items()),
        "",
        *(f"  {LABELS.get(k, k)}：{v}" for k, v in summary.province.items()),
    ]
    console.print(Panel("\n".join(lines), title="演示数据已生成 (demo world built)"))


@app.command()
def build(
    seed: int = SEED,
    enterprises: int = ENTERPRISES,
    fmt: Format = typer.Option(Format.table, "--format", "-f", help="table|json"),
) -> None:
    """从零生成合成演示数据：2021、2022 年企业数据、月度统计、认定名单、项目库、目标分解、整治案例。

    Builds a complete synthetic world in ZHUANSHENG_DATABASE_URL and ZHUANSHENG_LAKE (default
    ./var/). Refuses to touch a store or lake that holds non-synthetic data.
    """
    summary = _build(seed, enterprises, show=fmt is Format.table)
    _print(summary, fmt)


DEMO_PERIOD = "2022-06"


@app.command()
def run(seed: int = SEED, enterprises: int = ENTERPRISES) -> None:
    """主任务：生成演示数据，并运行已有的全部环节（月度监测等）。

    The main job behind `./run demo`: builds the demo world, then runs every stage that exists
    on it and writes the outputs under ZHUANSHENG_VAR/outputs.
    """
    summary = _build(seed, enterprises, show=True)
    _print(summary, Format.table)
    out = workspace.current().outputs
    out.mkdir(parents=True, exist_ok=True)
    m = monitor.run(DEMO_PERIOD)
    path = out / f"月度监测-{DEMO_PERIOD}（合成演示数据）.xlsx"
    rows = [r.as_dict() for r in m.rows(level="county")]
    tabular.write_xlsx(rows, path, monitor.ROW_COLUMNS, sheet="月度监测", colour_column="colour")
    counts = m.status_counts
    console.print(
        f"月度监测 {m.period.label_zh}（合成演示数据）：各市目标状态 绿 {counts.get('green', 0)}、"
        f"黄 {counts.get('yellow', 0)}、红 {counts.get('red', 0)}、灰 {counts.get('grey', 0)}；"
        f"全部县级结果已写入 {path}"
    )
    console.print(table(m.warnings()[:10], f"{m.period.label_zh} 预警（前 10 项，红色）"))
    from zhuansheng import engine

    for kind, label in (
        ("carbon", "碳效码"),
        ("mujun", "亩均效益评价"),
        ("screen", "高耗低效筛查"),
    ):
        run = engine.evaluate(kind, 2022)
        console.print(
            f"{label}（合成演示数据）：{run.enterprises} 家企业，{run.seconds:.1f} 秒，"
            f"结果 {run.output_path}"
        )
    reviewed = demo.review_candidates(seed, 2022, dt.date(2022, 6, 30))
    console.print(
        f"高耗低效筛查候选（合成演示数据）：各县确认列入 {reviewed['confirmed']} 家、"
        f"排除 {reviewed['dismissed']} 家，{reviewed['left']} 家留待核实"
    )
    _assess_and_report()


def _assess_and_report() -> None:
    """The quarterly evaluation of the cities, and the reports the web app lists."""
    from zhuansheng import assess, report

    quarter = f"{DEMO_PERIOD[:4]}Q{(int(DEMO_PERIOD[5:]) - 1) // 3 + 1}"
    result = assess.run(period=quarter, level="city", sensitivity=1000)
    top = ", ".join(f"{r.rank}. {r.name} {r.score:.2f}" for r in result.rows[:3])
    console.print(f"{result.title_zh}：前三名 {top}")
    out = workspace.current().reports
    written = [
        *report.generate("monthly", DEMO_PERIOD, formats=("docx", "pdf", "xlsx"), out_dir=out),
        *report.generate("quarterly", quarter, formats=("docx", "pdf"), out_dir=out),
    ]
    console.print(f"报告（合成演示数据）已写入 {out}：{'、'.join(p.name for p in written)}")
