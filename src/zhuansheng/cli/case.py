"""``zhuansheng case``: the 高耗低效 rectification cases (整治提升) — the list and one case, a
county confirming, dismissing or adding a firm, planning, progress, completion, the city's
verification and the level above reopening (``zhuansheng.services.cases``)."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from .lazy import lazy
from .output import Format, console, emit

workspace = lazy("zhuansheng.workspace")
accounts = lazy("zhuansheng.services.accounts")
context = lazy("zhuansheng.services.context")
cases = lazy("zhuansheng.services.cases")
atomic = lazy("zhuansheng.atomic")

app = typer.Typer(
    help="高耗低效整治：确认或排除筛查候选、增列、方案、进展、完成、验收、重新打开。",
    no_args_is_help=True,
)
USER = typer.Option(None, "--user", help="操作人用户名（不给出：以控制台身份，即省级管理员）")
FMT = typer.Option(Format.table, "--format", "-f", help="table|json")
VERSION = typer.Option(
    ..., "--version", help="您所查看的案件版本号（case show 显示），防止覆盖他人修改"
)
MEASURE_HELP = (
    "整治措施：upgrade 提升改造、merger 兼并重组、land_recovered 腾笼换鸟/转型、"
    "relocated 搬迁、closed 关停淘汰"
)
CANDIDATE_COLUMNS = [
    "candidate_id", "uscc", "name", "region", "year", "state", "rules", "mujun_class",
    "carbon_grade", "expected_land_mu", "expected_energy_tce", "dismiss_reason", "note",
]  # fmt: skip
COLUMNS = [
    "case_id", "uscc", "name", "region", "year", "state", "state_zh", "measure", "overdue",
    "deadline", "version",
]  # fmt: skip


def _caller(user: str | None):  # type: ignore[no-untyped-def]
    ws = workspace.current()
    return context.Caller(ws, accounts.actor(ws, user)) if user else context.console(ws)


def _done(row: dict, fmt: Format, line: str) -> None:  # type: ignore[type-arg]
    if fmt is Format.json:
        typer.echo(json.dumps(row, ensure_ascii=False, default=str))
    else:
        console.print(line, highlight=False)


def _case_line(r: dict) -> str:  # type: ignore[type-arg]
    return (
        f"案件 {r['case_id']}：{r['name']}（{r['uscc']}）{r['year']} 年，{r['state_zh']}，"
        f"第 {r['version']} 版"
    )


@app.command("list")
def list_(
    region: str = typer.Option("", "--region", "-r", help="地区代码（含下辖地区）"),
    year: int | None = typer.Option(None, "--year", "-y", help="年度"),
    state: str = typer.Option("", "--state", help="状态：confirmed|planned|in_progress|…"),
    candidates: bool = typer.Option(
        False, "--candidates", help="列出筛查候选企业（状态 candidate|confirmed|dismissed）"
    ),
    rule: str = typer.Option("", "--rule", help="候选：命中的筛查规则"),
    mujun_class: str = typer.Option("", "--class", help="候选：亩均效益类别 A|B|C|D"),
    carbon_grade: int | None = typer.Option(None, "--grade", help="候选：碳效等级 1–5"),
    user: str | None = USER,
    fmt: Format = FMT,
) -> None:
    """整治案件列表（本辖区），或待核实的筛查候选企业。The cases (or candidates) of the area."""
    if candidates:
        found = cases.list_candidates(
            _caller(user),
            region=region,
            year=year,
            state=state,
            rule=rule,
            mujun_class=mujun_class,
            carbon_grade=carbon_grade,
        )
        flat = fmt is not Format.json  # a table or csv cell holds the rules as one text
        rows = [{**r, "rules": ";".join(r["rules"])} if flat else r for r in found]
        emit(
            rows,
            CANDIDATE_COLUMNS,
            fmt,
            title=f"筛查候选企业（{len(rows)} 家）",
            table_columns=["candidate_id", "name", "region", "state", "rules"],
        )
        return
    rows = cases.list_cases(_caller(user), region=region, year=year, state=state)
    emit(
        rows,
        COLUMNS,
        fmt,
        title=f"整治案件（{len(rows)} 个）",
        table_columns=["case_id", "name", "region", "year", "state_zh", "measure", "version"],
    )


@app.command("show")
def show(
    case_id: int = typer.Argument(..., help="案件编号"),
    user: str | None = USER,
    fmt: Format = FMT,
) -> None:
    """一个案件的方案、状态和全部变更记录。One case with its history."""
    r = cases.show(_caller(user), case_id)
    if fmt is Format.json:
        _done(r, fmt, "")
        return
    console.print(_case_line(r), highlight=False)
    if r["overdue"]:
        console.print(f"[red]已逾期：方案最后期限 {r['deadline']}[/red]")
    console.print(f"您可执行：{'、'.join(r['may']) or '无'}", highlight=False)
    for e in r["events"]:
        console.print(
            f"  {e['at']} {e['actor']} {e['action']}: {e['from_state']} → {e['to_state']} "
            f"{e['note']}",
            highlight=False,
        )
        for f in e["evidence"]:
            console.print(f"    佐证 {f['evidence_id']}：{f['file_name']}", highlight=False)
    if r["warning"]:
        console.print(f"[yellow]{r['warning']}[/yellow]")


@app.command("confirm")
def confirm(
    candidate_id: int = typer.Argument(..., help="筛查候选编号"),
    measure: str = typer.Option(..., "--measure", help=MEASURE_HELP),
    note: str = typer.Option("", "--note", help="说明"),
    user: str | None = USER,
    fmt: Format = FMT,
) -> None:
    """县级确认筛查候选，列入当年整治名单。Confirm a screening candidate onto the list."""
    r = cases.confirm(_caller(user), candidate_id, measure, note)
    _done(r, fmt, "已列入整治名单 — " + _case_line(r))


@app.command("dismiss")
def dismiss(
    candidate_id: int = typer.Argument(..., help="筛查候选编号"),
    reason: str = typer.Option(
        ...,
        "--reason",
        help="排除理由：new_plant 新建投产未满三年、data_error 数据有误、"
        "other_campaign 已列入其他整治、other 其他",
    ),
    text: str = typer.Option("", "--text", help="具体情况（理由为“其他”时必填）"),
    user: str | None = USER,
    fmt: Format = FMT,
) -> None:
    """县级排除筛查候选（说明理由）。Dismiss a screening candidate with a reason."""
    r = cases.dismiss(_caller(user), candidate_id, reason, text)
    _done(r, fmt, f"已排除候选企业 {r['candidate_id']}：{r['name']}（{r['uscc']}）")


@app.command("add")
def add(
    uscc: str = typer.Argument(..., help="企业统一社会信用代码"),
    year: int = typer.Option(..., "--year", "-y", help="整治名单年度"),
    measure: str = typer.Option(..., "--measure", help=MEASURE_HELP),
    reason: str = typer.Option(..., "--reason", help="增列理由"),
    user: str | None = USER,
    fmt: Format = FMT,
) -> None:
    """县级增列筛查未命中的企业。Add a firm the screening did not flag."""
    r = cases.add(_caller(user), uscc, year, measure, reason)
    _done(r, fmt, "已增列 — " + _case_line(r))


@app.command("plan")
def plan(
    case_id: int = typer.Argument(..., help="案件编号"),
    version: int = VERSION,
    measure: str = typer.Option(..., "--measure", help=MEASURE_HELP),
    action: list[str] = typer.Option(
        ..., "--action", help="整改措施及截止日期“内容@YYYY-MM-DD”（可多次给出）"
    ),
    responsible: str = typer.Option(..., "--responsible", help="整治责任人"),
    land: float | None = typer.Option(None, "--land", help="预计腾出用地（亩）"),
    energy: float | None = typer.Option(None, "--energy", help="预计腾出用能（吨标准煤）"),
    tax: float | None = typer.Option(None, "--tax", help="预计整治后亩均税收（万元/亩）"),
    user: str | None = USER,
    fmt: Format = FMT,
) -> None:
    """制定整治方案（一企一策）。Plan a case."""
    p = cases.PlanInput(
        measure=measure,
        responsible=responsible,
        actions=[cases.parse_action(a) for a in action],
        expected_land_mu=land,
        expected_energy_tce=energy,
        expected_tax_per_mu=tax,
    )
    r = cases.plan(_caller(user), case_id, version, p)
    _done(r, fmt, f"已制定方案 — {_case_line(r)}（{r['land_check']}）")


@app.command("update")
def update(
    case_id: int = typer.Argument(..., help="案件编号"),
    version: int = VERSION,
    progress: str = typer.Option(..., "--progress", help="本月整治进展"),
    evidence: list[Path] = typer.Option(
        [], "--evidence", help="佐证文件 pdf、docx、xlsx、png、jpg（可多次给出）"
    ),
    user: str | None = USER,
    fmt: Format = FMT,
) -> None:
    """报告整治进展（可附佐证文件）。Report progress on a case, with evidence files."""
    files = [(p, p.name) for p in evidence]
    r = cases.update(_caller(user), case_id, version, progress, evidence=files)
    _done(r, fmt, f"已报告进展 — {_case_line(r)}，佐证文件 {len(r['evidence'])} 个")


@app.command("complete")
def complete(
    case_id: int = typer.Argument(..., help="案件编号"),
    version: int = VERSION,
    land: float = typer.Option(..., "--land", help="实际腾出用地（亩）"),
    energy: float = typer.Option(..., "--energy", help="实际腾出用能（吨标准煤）"),
    land_use: str = typer.Option(
        "", "--land-use", help="腾出土地的用途（如“引进新项目”“政府收储”）"
    ),
    note: str = typer.Option("", "--note", help="说明"),
    user: str | None = USER,
    fmt: Format = FMT,
) -> None:
    """完成整治，填报实际腾出的用地和用能。Complete a case with the measured figures."""
    r = cases.complete(_caller(user), case_id, version, land, energy, note, land_use=land_use)
    _done(r, fmt, f"已完成整治 — {_case_line(r)}（{r['land_check']}）")


@app.command("verify")
def verify(
    case_id: int = typer.Argument(..., help="案件编号"),
    version: int = VERSION,
    passed: bool = typer.Option(..., "--pass/--fail", help="验收通过或不通过"),
    reason: str = typer.Option("", "--reason", help="不通过的理由（不通过时必填）"),
    user: str | None = USER,
    fmt: Format = FMT,
) -> None:
    """设区市验收：通过，或不通过并说明理由（案件重新打开）。Verify a completed case."""
    r = cases.verify(_caller(user), case_id, version, passed, reason)
    _done(r, fmt, ("验收通过 — " if passed else "验收不通过，已重新打开 — ") + _case_line(r))


@app.command("reopen")
def reopen(
    case_id: int = typer.Argument(..., help="案件编号（--candidate：筛查候选编号）"),
    reason: str = typer.Option(..., "--reason", help="重新打开的理由"),
    version: int | None = typer.Option(None, "--version", help="案件版本号（重新打开案件时必填）"),
    candidate: bool = typer.Option(False, "--candidate", help="重新打开一个被排除的筛查候选"),
    user: str | None = USER,
    fmt: Format = FMT,
) -> None:
    """上一级重新打开已完成或已验收的案件，或被排除的候选企业。Reopen a case or a dismissal."""
    if candidate:
        r = cases.reopen_dismissal(_caller(user), case_id, reason)
        _done(r, fmt, f"已重新打开候选企业 {r['candidate_id']}：{r['name']}（{r['uscc']}）")
        return
    if version is None:
        raise typer.BadParameter("重新打开案件须给出 --version（case show 显示的版本号）")
    r = cases.reopen(_caller(user), case_id, version, reason)
    _done(r, fmt, "已重新打开 — " + _case_line(r))


@app.command("template")
def template(
    region: str = typer.Option(..., "--region", "-r", help="县（市、区）代码"),
    year: int = typer.Option(..., "--year", "-y", help="整治名单年度"),
    output: Path = typer.Option(..., "--output", "-o", help="输出的 xlsx 文件"),
    user: str | None = USER,
    fmt: Format = FMT,
) -> None:
    """导出本县整治案件批量填报表（当前状态、版本和可填写的各列）。Export the county's cases."""
    out = cases.template(_caller(user), region, year, output)
    _done(
        {"region": region, "year": year, "path": str(out)},
        fmt,
        f"已导出整治案件批量填报表：{out}",
    )


@app.command("import")
def import_(
    path: Path = typer.Argument(..., exists=True, dir_okay=False, help="填好的 xlsx 文件"),
    user: str | None = USER,
    dry_run: bool = typer.Option(False, "--dry-run", help="只检查，不写入"),
    fmt: Format = FMT,
) -> None:
    """导入批量填报表：全部行一并写入或全部不写入。Apply many case updates at once."""
    rows = cases.import_file(_caller(user), path, dry_run=dry_run)
    if fmt is Format.json:
        typer.echo(json.dumps(rows, ensure_ascii=False, default=str))
        return
    head = "检查通过，未写入（--dry-run）" if dry_run else "已导入"
    console.print(f"{head}：{len(rows)} 个案件", highlight=False)
    for r in rows:
        console.print(f"  第 {r['row']} 行 {r['action']} — {_case_line(r)}", highlight=False)


@app.command("evidence")
def evidence(
    evidence_id: int = typer.Argument(..., help="佐证文件编号（case show 显示）"),
    output: Path = typer.Option(..., "--output", "-o", help="保存到的文件"),
    user: str | None = USER,
    fmt: Format = FMT,
) -> None:
    """下载进展报告的佐证文件。Save a progress update's evidence file."""
    path, name = cases.evidence_file(_caller(user), evidence_id)
    atomic.write_bytes(output, path.read_bytes())
    line = f"已保存佐证文件“{name}”：{output}"
    _done({"evidence_id": evidence_id, "file_name": name, "path": str(output)}, fmt, line)


BOARD_COLUMNS = [
    "region", "cases", "overdue", "awaiting_verification", "expected_land_mu",
    "expected_energy_tce", "freed_land_mu", "freed_energy_tce", "verified_land_mu",
    "verified_energy_tce",
]  # fmt: skip


@app.command("board")
def board(
    region: str = typer.Option("", "--region", "-r", help="地区代码（不给出：本辖区）"),
    year: int | None = typer.Option(None, "--year", "-y", help="整治名单年度"),
    user: str | None = USER,
    fmt: Format = FMT,
) -> None:
    """整治工作看板：各状态户数、逾期、待验收、腾出用地和用能，分县汇总。A region's board."""
    b = cases.board(_caller(user), region=region, year=year)
    if fmt is Format.json:
        _done(b, fmt, "")
        return
    # the cities first when there are several, then the counties, then the total
    cities = b["cities"] if len(b["cities"]) > 1 else []
    rows = [_flat(r) for r in [*cities, *b["counties"], {"region": "合计", **b["total"]}]]
    emit(
        rows,
        [*BOARD_COLUMNS, *(f"state_{s}" for s in cases.STATES)],  # one column per state
        fmt,
        title=f"{b['region'] or '全省'} 整治案件看板（截至 {b['on']}）",
        table_columns=["region", "cases", "overdue", "awaiting_verification",
                       "freed_land_mu", "freed_energy_tce"],
    )  # fmt: skip


def _flat(row: dict) -> dict:  # type: ignore[type-arg]
    states = {f"state_{k}": v for k, v in row["by_state"].items()}
    return {**{k: v for k, v in row.items() if k != "by_state"}, **states}


OUTCOME_COLUMNS = [
    "case_id", "uscc", "name", "region", "year", "measure", "class_before", "class_after",
    "grade_before", "grade_after", "freed_land_mu", "freed_energy_tce", "warning",
]  # fmt: skip


@app.command("outcomes")
def outcomes(
    region: str = typer.Option("", "--region", "-r", help="地区代码（含下辖地区）"),
    year: int | None = typer.Option(None, "--year", "-y", help="整治名单年度"),
    still_poor: bool = typer.Option(
        False, "--still-poor", help="只列验收通过但仍为 D 类或碳效 5 级的企业"
    ),
    user: str | None = USER,
    fmt: Format = FMT,
) -> None:
    """已验收案件的整治成效：整治前后的亩均效益类别和碳效等级。Outcomes of verified cases."""
    found = cases.outcomes(_caller(user), region=region, year=year, still_poor=still_poor)
    if fmt is Format.json:
        typer.echo(json.dumps(found, ensure_ascii=False, default=str))
        return
    rows = [
        {
            **r,
            "class_before": r["before"]["mujun_class"],
            "class_after": r["after"]["mujun_class"],
            "grade_before": r["before"]["carbon_grade"],
            "grade_after": r["after"]["carbon_grade"],
        }
        for r in found
    ]
    emit(
        rows,
        OUTCOME_COLUMNS,
        fmt,
        title=f"已验收案件整治成效（{len(rows)} 户）",
        table_columns=["case_id", "name", "region", "class_before", "class_after",
                       "grade_before", "grade_after", "warning"],
    )  # fmt: skip
