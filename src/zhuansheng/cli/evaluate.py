"""``zhuansheng evaluate``: enterprise evaluations (碳效码, 亩均效益, 高耗低效筛查)."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from zhuansheng.reference import PROVINCE_CODE

from .lazy import lazy
from .output import Format, console

service = lazy("zhuansheng.engine")

app = typer.Typer(
    help="企业评价：碳效码、亩均效益 A/B/C/D、高耗低效筛查 (enterprise evaluations).",
    no_args_is_help=True,
)


class Engine(StrEnum):
    duckdb = "duckdb"
    spark = "spark"


class Electricity(StrEnum):
    calorific = "calorific"
    equivalent = "equivalent"


Year = Annotated[int, typer.Option("--year", "-y", help="评价年度，如 2022 (year evaluated)")]
MethodOpt = Annotated[
    str | None,
    typer.Option("--method", "-m", help="方法文件路径或编号（默认用系统自带方法）(method file)"),
]
InputOpt = Annotated[
    str | None,
    typer.Option("--input", "-i", help="企业数据 Parquet 文件（默认读数据湖）(input Parquet)"),
]
OutputOpt = Annotated[
    str | None,
    typer.Option("--output", "-o", help="另存一份结果 Parquet（数据湖中总会有一份）(output)"),
]
EngineOpt = Annotated[Engine, typer.Option("--engine", "-e", help="计算引擎 duckdb|spark (engine)")]
EventsOpt = Annotated[
    Path | None,
    typer.Option(
        "--events",
        exists=True,
        dir_okay=False,
        help="加减分、一票否决、免评事件表（Parquet/CSV：uscc, year, event[, count]）",
    ),
]
ElectricityOpt = Annotated[
    Electricity | None,
    typer.Option(
        "--electricity",
        help="碳效码电力折标：calorific 当量值 | equivalent 等价值（默认按方法文件；"
        "亩均评价的口径由其方法文件规定，mujun 不接受此项）",
    ),
]
LakeOpt = Annotated[
    Path | None, typer.Option("--lake", help="数据湖目录（默认 $ZHUANSHENG_LAKE 或 ./var/lake）")
]
NoStore = Annotated[
    bool, typer.Option("--no-store", help="不写数据库（只写结果文件）(do not record the run)")
]
Fmt = Annotated[Format, typer.Option("--format", "-f", help="输出格式 table|csv|json")]

TITLES = {"carbon": "碳效码等级", "mujun": "亩均效益类别", "screen": "高耗低效筛查"}
COLUMNS = {
    "carbon": ["1", "2", "3", "4", "5", "none"],
    "mujun": ["A", "B", "C", "D", "none"],
    "screen": ["true", "false"],
}
HEADERS = {"none": "未评（见原因）", "true": "候选", "false": "未列入"}


def _run(kind: str, year: int, **options: Any) -> service.RunResult:
    show = options.pop("show")
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TimeElapsedColumn(),
        console=console,
        disable=not show,
        transient=True,
    ) as bar:
        task = bar.add_task(f"{TITLES[kind]} {year}", total=service.run.STEPS)
        done = 0

        def step(name: str) -> None:
            nonlocal done
            bar.update(task, description=f"{TITLES[kind]} {year}：{name}", completed=done)
            done += 1

        return service.evaluate(kind, year, progress=step, **options)


def _rows(result: service.RunResult) -> list[dict[str, Any]]:
    s = result.summary
    rows = []
    for city, counts in s["cities"].items():
        row: dict[str, Any] = {"city_code": city, "city": s["city_names"].get(city, city)}
        for col in COLUMNS[result.kind]:
            row[col] = counts.get(col, 0)
        if result.kind == "screen":
            freed = s.get("freed", {}).get(city, {})
            row["freed_land_mu"] = round(freed.get("freed_land_mu") or 0.0, 2)
            row["freed_energy_tce"] = round(freed.get("freed_energy_tce") or 0.0, 1)
        rows.append(row)
    total: dict[str, Any] = {"city_code": PROVINCE_CODE, "city": "合计"}
    for key in rows[0] if rows else []:
        if key not in ("city_code", "city"):
            total[key] = round(sum(r[key] for r in rows), 2)
    return [*rows, total] if rows else rows


def _fallback_lines(result: service.RunResult) -> list[str]:
    """Year-keyed parameters the run took from another key, as the method file states."""
    found = result.summary.get("fallbacks") or []
    if not found:
        return []
    head = (
        f"注意：{result.year} 年有 {len(found)} 项参数缺值，"
        "已按方法文件的规定使用替代值 (fallbacks)："
    )
    return [head, *(f"  - {f['text']}" for f in found)]


def _print(result: service.RunResult, fmt: Format) -> None:
    rows = _rows(result)
    warn = _fallback_lines(result)
    if fmt is not Format.table and warn:
        typer.echo("\n".join(warn), err=True)  # stdout stays a clean CSV / JSON document
    if fmt is Format.json:
        payload = {
            "run_id": result.run_id,
            "kind": result.kind,
            "year": result.year,
            "engine": result.engine,
            "method": result.method,
            "output_path": result.output_path,
            "extra_output": result.extra_output,
            "enterprises": result.enterprises,
            "seconds": result.seconds,
            "synthetic": result.synthetic,
            "fallbacks": result.summary.get("fallbacks") or [],
            "by_city": rows,
            "summary": result.summary,
        }
        typer.echo(json.dumps(payload, ensure_ascii=False, indent=2, default=str))
        return
    if fmt is Format.csv:
        from zhuansheng import tabular

        typer.echo(tabular.to_csv(rows, list(rows[0]) if rows else []), nl=False)
        return
    table = Table(
        title=f"{result.year} 年{TITLES[result.kind]}（按设区市）· 运行 {result.run_id}",
        header_style="bold",
    )
    for col in rows[0] if rows else []:
        table.add_column(HEADERS.get(col, col), justify="left" if col == "city" else "right")
    for row in rows:
        table.add_row(*(str(v) for v in row.values()))
    console.print(table)
    reasons = result.summary.get("reasons") or {}
    if reasons:
        console.print("未评原因 (reasons)：")
        for code, n in reasons.items():
            console.print(f"  {n:>7}  {service.reason_text(code)}")
    for i, line in enumerate(warn):
        console.print(line, style="bold yellow" if i == 0 else "yellow", markup=False)
    console.print(
        f"方法 {result.method['id']}@{result.method['version']} · 引擎 {result.engine} · "
        f"{result.enterprises} 家企业 · {result.seconds:.2f} 秒\n结果：{result.output_path}"
        + (f"\n另存：{result.extra_output}" if result.extra_output else "")
    )


def _command(kind: str):  # type: ignore[no-untyped-def]
    def command(
        year: Year,
        method: MethodOpt = None,
        input: InputOpt = None,
        output: OutputOpt = None,
        engine: EngineOpt = Engine.duckdb,
        events: EventsOpt = None,
        electricity: ElectricityOpt = None,
        lake: LakeOpt = None,
        no_store: NoStore = False,
        fmt: Fmt = Format.table,
    ) -> None:
        result = _run(
            kind,
            year,
            method=method,
            input=input,
            output=output,
            engine=engine.value,
            events=events,
            convention=electricity.value if electricity else None,
            lake=lake,
            store=not no_store,
            show=fmt is Format.table,
        )
        _print(result, fmt)

    return command


app.command(
    "carbon",
    help="能耗、碳排放与碳效码：每家企业的 tce、CO₂、碳排放强度 L、碳效值 K、等级 1–5。",
)(_command("carbon"))
app.command(
    "mujun",
    help="亩均效益综合评价：各项指标值、基准值、比值、得分、排名与 A/B/C/D 类。",
)(_command("mujun"))
app.command(
    "screen",
    help="高耗低效企业筛查：按规则列出候选企业、命中规则与预计腾出用地、用能。",
)(_command("screen"))
