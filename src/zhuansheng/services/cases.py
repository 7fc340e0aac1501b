"""The 高耗低效 case lifecycle as the faces call it: the list and one case, a county confirming
or dismissing its screening candidates (or adding a firm), planning, reporting progress and
completing its own cases, the city verifying its counties', the level above reopening.

Permissions (``zhuansheng.access``): ``cases.view`` (the actor's area), ``cases.edit`` (the
county's own), ``cases.verify`` (the city over its counties), ``cases.reopen`` (the level above:
the city for its counties, the province for all). Each write is one transaction with its case
event and audit entry; the rules of the data are in ``zhuansheng.collect.cases``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from zhuansheng import access, store
from zhuansheng.collect import case_bulk, case_outcomes
from zhuansheng.collect import cases as core
from zhuansheng.collect import evidence as evidence_files
from zhuansheng.errors import (
    Conflict,
    Forbidden,
    InputRejected,
    Invalid,
    NotFound,
    ZhuanshengError,
)
from zhuansheng.store import tables as t

from . import evaluations, labels
from .context import Caller

PlanInput = core.PlanInput
STATES = core.STATES
EVIDENCE_DIR = Path("cases") / "evidence"  # under the workspace's var/
EVIDENCE_SUFFIXES = evidence_files.SUFFIXES
parse_action = core.parse_action
OUT_OF_SCOPE = "无权操作该企业或案件：不在您的管辖范围内或超出您的角色权限"
# case action -> the permission it needs (``zhuansheng.access``)
PERMISSIONS = {
    "plan": "cases.edit",
    "update": "cases.edit",
    "complete": "cases.edit",
    "verify": "cases.verify",
    "reopen": "cases.reopen",
}


def firm_land_mu(caller: Caller, case: t.Case) -> float | None:
    """The case firm's land (亩) in its latest year of the lake, or None when the lake has
    none."""
    try:
        return evaluations.latest_land_mu(case.county_code, caller.ws.lake).get(case.uscc)
    except (OSError, ValueError):
        return None


def land_check(land_mu: float | None) -> str:
    """What the freed-land check could do, said to the user."""
    if land_mu is None:
        return "数据湖中没有该企业的用地面积，未核对腾出用地是否超过企业用地"
    return f"已核对：企业用地 {land_mu:g} 亩"


def _row(s: Session, c: t.Case, on: dt.date) -> dict[str, Any]:
    """One case as every face shows it; ``overdue`` as of ``on``."""
    state = core.state_of(c)
    measure = c.measure or c.outcome
    return {
        "case_id": c.id,
        "uscc": c.uscc,
        "name": _firm_name(s, c.uscc),
        "region": c.county_code,
        "year": c.year,
        "state": state,
        "state_zh": core.STATES.get(state, state),
        "measure": measure,
        "measure_zh": core.MEASURES.get(measure or "", ""),
        "overdue": core.is_overdue(state, c.actions, on),
        "deadline": core.last_deadline(c.actions),
        "opened_on": c.opened_on,
        "closed_on": c.closed_on,
        "verified_on": c.verified_on,
        "version": c.version,
        "responsible": c.responsible,
        "planned_on": c.planned_on,
        "actions": c.actions or [],
        "expected_land_mu": c.expected_land_mu,
        "expected_energy_tce": c.expected_energy_tce,
        "expected_tax_per_mu": c.expected_tax_per_mu,
        "freed_land_mu": c.freed_land_mu,
        "freed_energy_tce": c.freed_energy_tce,
        "progress": c.progress,
        "land_use": c.land_use,
        "reason": c.reason,
        "allowed": core.allowed_actions(state),
    }


def _firm_name(s: Session, uscc: str) -> str:
    """The firm's name, read once per session (a list or a batch names a firm many times)."""
    names: dict[str, str] = s.info.setdefault("firm_names", {})
    if uscc not in names:
        ent = s.get(t.Enterprise, uscc)
        names[uscc] = ent.name if ent else ""
    return names[uscc]


def _event(e: t.CaseEvent) -> dict[str, Any]:
    return {
        "at": e.at,
        "recorded_at": e.recorded_at,
        "action": e.action,
        "from_state": core.LEGACY_STATES.get(e.from_status or "", e.from_status),
        "to_state": e.to_status,
        "actor": e.actor,
        "note": e.note,
        "evidence": [
            {"evidence_id": f.id, "file_name": f.file_name, "size_bytes": f.size_bytes}
            for f in e.evidence
        ],
    }


def list_cases(
    caller: Caller, *, region: str = "", year: int | None = None, state: str = ""
) -> list[dict[str, Any]]:
    """The cases of the caller's area (narrowed to ``region``, ``year``, ``state``)."""
    caller.require("cases.view", region or None, OUT_OF_SCOPE)
    if state and state not in core.STATES:
        raise Invalid(f"未知的案件状态 '{state}'：可选 {'、'.join(core.STATES)}")
    with store.session(caller.ws.database_url) as s:
        # the firms in the session at once, so each row's name is no query of its own
        q = (
            select(t.Case, t.Enterprise)
            .join(t.Enterprise, t.Enterprise.uscc == t.Case.uscc)
            .order_by(t.Case.year, t.Case.county_code, t.Case.id)
        )
        if year is not None:
            q = q.where(t.Case.year == year)
        rows = []
        for c, _firm in s.execute(q):
            if region and region not in _chain(c.county_code):
                continue
            if not caller.may("cases.view", c.county_code):
                continue
            if state and core.state_of(c) != state:
                continue
            rows.append(_row(s, c, caller.today()))
    return rows


def list_candidates(
    caller: Caller,
    *,
    region: str = "",
    year: int | None = None,
    state: str = "",
    rule: str = "",
    mujun_class: str = "",
    carbon_grade: int | None = None,
) -> list[dict[str, Any]]:
    """The screening candidates of the caller's area for review, from the newest screening run
    of each year (``state``: candidate, confirmed or dismissed; ``rule``: a rule it hit;
    ``mujun_class``, ``carbon_grade``: its 亩均 class and 碳效 grade in that run), each with the
    rules it hit and its expected freed land and energy."""
    caller.require("cases.view", region or None, OUT_OF_SCOPE)
    if state and state not in labels.codes("screen_status"):
        known = "、".join(labels.codes("screen_status"))
        raise Invalid(f"未知的候选状态 '{state}'：可选 {known}")
    with store.session(caller.ws.database_url) as s:
        newest = _newest_screen_runs(s, year)
        q = (
            select(t.ScreeningCandidate)
            .where(t.ScreeningCandidate.run_id.in_(newest))
            .order_by(
                t.ScreeningCandidate.year, t.ScreeningCandidate.county_code, t.ScreeningCandidate.id
            )
        )
        if state:
            q = q.where(t.ScreeningCandidate.status == state)
        listed = _case_ids(s, year)
        rows = []
        for c in s.scalars(q):
            if region and region not in _chain(c.county_code):
                continue
            if not caller.may("cases.view", c.county_code) or (rule and rule not in c.rules):
                continue
            row = _candidate(c, newest[c.run_id], listed.get((c.uscc, c.year)))
            if mujun_class and row["mujun_class"] != mujun_class:
                continue
            if carbon_grade is not None and row["carbon_grade"] != carbon_grade:
                continue
            rows.append(row)
        return rows


def _case_ids(s: Session, year: int | None) -> dict[tuple[str, int], int]:
    """(firm, year) → its case on that year's list."""
    q = select(t.Case.uscc, t.Case.year, t.Case.id)
    if year is not None:
        q = q.where(t.Case.year == year)
    return {(uscc, y): cid for uscc, y, cid in s.execute(q)}


def _newest_screen_runs(s: Session, year: int | None) -> dict[str, case_outcomes.Standings]:
    """The newest screening run of each year (of ``year``), with its results by firm."""
    r = t.EvaluationRun
    q = select(r.run_id, r.year, r.output_path).where(r.method == "screen").order_by(r.started_at)
    if year is not None:
        q = q.where(r.year == year)
    by_year = {y: (run_id, path) for run_id, y, path in s.execute(q)}
    return {run_id: case_outcomes.standings(path) for run_id, path in by_year.values()}


def _chain(code: str) -> list[str]:
    return access.chain(code)


def _load(s: Session, caller: Caller, case_id: int, action: str) -> t.Case:
    case = core.get_case(s, case_id)
    caller.require(action, case.county_code, OUT_OF_SCOPE)
    return case


def show(caller: Caller, case_id: int) -> dict[str, Any]:
    """One case with its history and ``may``: the actions allowed now that the caller may take."""
    with store.session(caller.ws.database_url) as s:
        case = _load(s, caller, case_id, "cases.view")
        out = _row(s, case, caller.today())
        out["events"] = [_event(e) for e in case.events]
        verified = core.state_of(case) == "verified"
        results = case_outcomes.Results(s)
        out.update(case_outcomes.outcome(results, case.uscc, case.year, verified=verified))
        out["may"] = [a for a in out["allowed"] if caller.may(PERMISSIONS[a], case.county_code)]
    return out


def _audit(
    s: Session,
    caller: Caller,
    action: str,
    case_id: int,
    entity: str = "case",
    **detail: Any,
) -> None:
    store.audit.record(
        s,
        caller.actor.username,
        f"case.{action}",
        entity,
        str(case_id),
        at=caller.now(),
        detail=detail,
    )


@contextlib.contextmanager
def _transaction(caller: Caller, session: Session | None) -> Iterator[Session]:
    """The caller's open transaction, or a new one."""
    if session is not None:
        yield session
        return
    with store.session(caller.ws.database_url) as s:
        yield s


def _move(
    caller: Caller,
    case_id: int,
    version: int,
    action: str,
    permission: str,
    to_state: str | None,
    note: str,
    prepare: Any = None,
    session: Session | None = None,
    after: Any = None,
) -> dict[str, Any]:
    """Check scope, version and state, then change the case; ``prepare(case)`` checks the input
    and returns the columns to set (and may name the target state); ``after(session, case,
    event id)`` writes what belongs to the change (its evidence files). Every check comes before the
    first write, so a refusal leaves ``session`` (the caller's transaction, if given) clean."""
    with _transaction(caller, session) as s:
        case = _load(s, caller, case_id, permission)
        if case.version != version:
            raise Conflict(
                f"案件 {case_id} 已被他人修改（您读取的是第 {version} 版，当前为第 "
                f"{case.version} 版），本次修改未保存；请重新查看案件后再提交"
            )
        state = core.check_allowed(case, action)
        values = prepare(case) if prepare else {}
        target = values.pop("_to", None) or to_state or state
        event_id = core.change(
            s,
            case,
            version,
            action,
            target,
            caller.actor.username,
            note,
            caller.today(),
            caller.now(),
            **values,
        )
        _audit(s, caller, action, case_id, version=version + 1, to_state=target, note=note)
        if after:
            after(s, case, event_id)
        out = _row(s, case, caller.today())
    return out


def confirm(
    caller: Caller,
    candidate_id: int,
    measure: str,
    note: str = "",
    session: Session | None = None,
) -> dict[str, Any]:
    """The county puts its screening candidate onto the year's list with a measure."""
    with _transaction(caller, session) as s:
        cand = _reviewable(s, caller, candidate_id)
        core.check_measure(measure)
        if cand.status != "candidate":
            raise Invalid(f"候选企业 {candidate_id} 已{_screen_zh(cand.status)}，不能再确认")
        core.review_candidate(s, cand, "candidate", "confirmed", reviewed_by=caller.actor.username)
        if s.get(t.Enterprise, cand.uscc) is None:
            # screened firms come from the lake of 规上 firms; the register learns them here
            s.add(
                t.Enterprise(
                    uscc=cand.uscc,
                    name=cand.name,
                    county_code=cand.county_code,
                    industry_code=cand.industry_code,
                    scale="above",
                    synthetic=cand.synthetic,
                )
            )
            s.flush()
        hit = "、".join(labels.label("screen_rule", r) for r in cand.rules if r)
        reason = note or f"{cand.year} 年高耗低效筛查命中：{hit}"
        case = core.open_case(
            s,
            uscc=cand.uscc,
            county_code=cand.county_code,
            year=cand.year,
            measure=measure,
            reason=reason,
            actor=caller.actor.username,
            today=caller.today(),
            recorded_at=caller.now(),
            synthetic=cand.synthetic,
        )
        case.expected_land_mu = cand.freed_land_mu
        case.expected_energy_tce = cand.freed_energy_tce
        s.flush()
        _audit(s, caller, "confirm", case.id, candidate=candidate_id, measure=measure)
        return _row(s, case, caller.today())


def _reviewable(
    s: Session, caller: Caller, candidate_id: int, permission: str = "cases.edit"
) -> t.ScreeningCandidate:
    """A candidate the caller may act on (by default the county's own), from the newest
    screening of its year."""
    cand = core.get_candidate(s, candidate_id)
    caller.require(permission, cand.county_code, OUT_OF_SCOPE)
    if cand.run_id not in _newest_screen_runs(s, cand.year):
        raise Invalid(
            f"候选企业 {candidate_id} 来自 {cand.year} 年较早的一次筛查，已被最新筛查取代；"
            "请在最新筛查名单中核实该企业"
        )
    return cand


def _not_screened(s: Session, uscc: str, year: int) -> None:
    """A firm the newest screening of ``year`` flagged is confirmed or dismissed on that list,
    not added beside it."""
    c = t.ScreeningCandidate
    found = s.execute(
        select(c.id, c.status).where(
            c.uscc == uscc, c.year == year, c.run_id.in_(_newest_screen_runs(s, year))
        )
    ).first()
    if found is not None and found.status != "confirmed":
        raise Invalid(
            f"企业 {uscc} 在 {year} 年高耗低效筛查名单中（候选编号 {found.id}，"
            f"{labels.label('screen_status', found.status)}），请在核实名单中确认列入，不必增列"
        )


def _screen_zh(status: str) -> str:
    return labels.label("screen_status", status)


def dismiss(
    caller: Caller,
    candidate_id: int,
    reason: str,
    text: str = "",
    session: Session | None = None,
) -> dict[str, Any]:
    """The county takes its candidate off the list with a reason (free text for 其他)."""
    with _transaction(caller, session) as s:
        cand = _reviewable(s, caller, candidate_id)
        key = core.check_dismissal(reason, text)
        if cand.status != "candidate":
            raise Invalid(f"候选企业 {candidate_id} 已{_screen_zh(cand.status)}，不能再排除")
        core.review_candidate(
            s,
            cand,
            "candidate",
            "dismissed",
            dismiss_reason=key,
            note=text.strip(),
            reviewed_by=caller.actor.username,
        )
        _audit(
            s, caller, "dismiss", candidate_id, "screening_candidate", reason=key, text=text.strip()
        )
        return _candidate(cand)


def reopen_dismissal(caller: Caller, candidate_id: int, reason: str) -> dict[str, Any]:
    """The level above puts a dismissed candidate back for the county to review."""
    if not reason.strip():
        raise Invalid("重新打开须说明理由（--reason）")
    with store.session(caller.ws.database_url) as s:
        cand = _reviewable(s, caller, candidate_id, "cases.reopen")
        if cand.status != "dismissed":
            raise Invalid(f"候选企业 {candidate_id} 未被排除，无需重新打开")
        # the dismissal stays readable on the candidate (and in the audit log)
        was = core.DISMISS_REASONS.get(cand.dismiss_reason or "", "")
        was += f"：{cand.note}" if cand.note else ""
        core.review_candidate(
            s,
            cand,
            "dismissed",
            "candidate",
            dismiss_reason=None,
            note=f"重新打开：{reason.strip()}（原排除理由：{was}）",
            reviewed_by=caller.actor.username,
        )
        _audit(
            s,
            caller,
            "reopen_dismissal",
            candidate_id,
            "screening_candidate",
            reason=reason.strip(),
        )
        return _candidate(cand)


def _candidate(
    c: t.ScreeningCandidate,
    standings: case_outcomes.Standings | None = None,
    case_id: int | None = None,
) -> dict[str, Any]:
    """One candidate as every face shows it; ``case_id``: its case once on the list."""
    standing = (standings or {}).get(c.uscc, {})
    return {
        "candidate_id": c.id,
        "case_id": case_id,
        "uscc": c.uscc,
        "name": c.name,
        "region": c.county_code,
        "year": c.year,
        "state": c.status,
        "measure": None,
        "rules": c.rules,
        "expected_land_mu": c.freed_land_mu,
        "expected_energy_tce": c.freed_energy_tce,
        "industry_code": c.industry_code,
        "mujun_class": standing.get("mujun_class"),
        "mujun_score": standing.get("mujun_score"),
        "carbon_grade": standing.get("carbon_grade"),
        "dismiss_reason": c.dismiss_reason,
        "dismiss_reason_zh": core.DISMISS_REASONS.get(c.dismiss_reason or "", ""),
        "note": c.note,
        "reviewed_by": c.reviewed_by,
    }


def add(
    caller: Caller,
    uscc: str,
    year: int,
    measure: str,
    reason: str,
    session: Session | None = None,
) -> dict[str, Any]:
    """The county lists a firm the rules did not flag (reason required)."""
    if not reason.strip():
        raise Invalid("自行增列企业须说明理由（--reason）")
    core.check_measure(measure)
    with _transaction(caller, session) as s:
        ent = s.get(t.Enterprise, uscc)
        if ent is None:
            raise NotFound(f"没有统一社会信用代码为 '{uscc}' 的企业")
        caller.require("cases.edit", ent.county_code, OUT_OF_SCOPE)
        _not_screened(s, uscc, year)
        case = core.open_case(
            s,
            uscc=uscc,
            county_code=ent.county_code,
            year=year,
            measure=measure,
            reason=f"县级增列：{reason.strip()}",
            actor=caller.actor.username,
            today=caller.today(),
            recorded_at=caller.now(),
            synthetic=ent.synthetic,
        )
        _audit(s, caller, "add", case.id, uscc=uscc, measure=measure, reason=reason.strip())
        return _row(s, case, caller.today())


def plan(
    caller: Caller,
    case_id: int,
    version: int,
    p: core.PlanInput,
    session: Session | None = None,
) -> dict[str, Any]:
    """The county's plan (一企一策): measure, actions with deadlines, who, expected figures."""

    land: list[float | None] = []

    def prepare(case: t.Case) -> dict[str, Any]:
        land.append(firm_land_mu(caller, case))
        planned_on = core.check_plan(p, land[0], caller.today())
        return {
            "measure": p.measure,
            "responsible": p.responsible.strip(),
            "actions": p.actions,
            "planned_on": planned_on,
            "expected_land_mu": p.expected_land_mu,
            "expected_energy_tce": p.expected_energy_tce,
            "expected_tax_per_mu": p.expected_tax_per_mu,
        }

    out = _move(
        caller, case_id, version, "plan", "cases.edit", "planned", "制定整治方案", prepare, session
    )
    return {**out, "land_check": land_check(land[0])}


def update(
    caller: Caller,
    case_id: int,
    version: int,
    progress: str,
    session: Session | None = None,
    evidence: Sequence[tuple[Path, str]] = (),
) -> dict[str, Any]:
    """The county's progress report (monthly text), with evidence files as (path, file name):
    checked like every upload before anything is written, kept by their SHA-256."""
    if not progress.strip():
        raise Invalid("请填写整治进展（--progress）")
    files: list[evidence_files.Evidence] = []

    def prepare(case: t.Case) -> dict[str, Any]:
        # read only once the caller may act on this case in this state
        files.extend(evidence_files.check_files(evidence, EVIDENCE_DIR, "整治进展"))
        return {"progress": progress.strip()}

    def keep(s: Session, case: t.Case, event_id: int) -> None:
        if not files:
            return
        for f in files:
            s.add(
                t.CaseEvidence(
                    case_id=case.id,
                    event_id=event_id,
                    file_name=f.file_name[-200:],
                    stored_name=f.stored_name,
                    sha256=f.sha256,
                    size_bytes=f.size_bytes,
                )
            )
        s.flush()
        evidence_files.keep(caller.ws.var, files)

    out = _move(
        caller,
        case_id,
        version,
        "update",
        "cases.edit",
        "in_progress",
        progress.strip(),
        prepare,
        session,
        keep,
    )
    return {**out, "evidence": [f.file_name for f in files]}


def evidence_file(caller: Caller, evidence_id: int) -> tuple[Path, str]:
    """A progress update's evidence file to download (its path under var/, its file name),
    for those who may see the case."""
    with store.session(caller.ws.database_url) as s:
        e = s.get(t.CaseEvidence, evidence_id) if 0 < evidence_id < 2**31 else None
        if e is None:
            raise NotFound(f"没有编号为 {evidence_id} 的佐证文件")
        case = core.get_case(s, e.case_id)
        caller.require("cases.view", case.county_code, OUT_OF_SCOPE)
        return evidence_files.stored(caller.ws.var, e.stored_name, evidence_id), e.file_name


def complete(
    caller: Caller,
    case_id: int,
    version: int,
    land_mu: float,
    energy_tce: float,
    note: str = "",
    session: Session | None = None,
    land_use: str = "",
) -> dict[str, Any]:
    """The county reports the case done with the measured freed land and energy, and what
    now uses the freed land."""

    land: list[float | None] = []

    def prepare(case: t.Case) -> dict[str, Any]:
        land.append(firm_land_mu(caller, case))
        core.check_figures(land_mu, energy_tce, land[0], "实际")
        return {
            "freed_land_mu": land_mu,
            "freed_energy_tce": energy_tce,
            "closed_on": caller.today(),
            "land_use": land_use.strip(),
        }

    out = _move(
        caller,
        case_id,
        version,
        "complete",
        "cases.edit",
        "completed",
        note or f"腾出用地 {land_mu:g} 亩、用能 {energy_tce:g} 吨标准煤",
        prepare,
        session,
    )
    return {**out, "land_check": land_check(land[0])}


def verify(
    caller: Caller,
    case_id: int,
    version: int,
    passed: bool,
    reason: str = "",
    session: Session | None = None,
) -> dict[str, Any]:
    """The city's 验收: pass (verified) or fail with a reason (reopened)."""
    if not passed and not reason.strip():
        raise Invalid("验收不通过时必须说明理由（--reason）")
    note = reason.strip() or "验收通过"
    return _move(
        caller,
        case_id,
        version,
        "verify",
        "cases.verify",
        "verified" if passed else "reopened",
        note if passed else f"验收不通过：{note}",
        lambda case: {"verified_on": caller.today() if passed else None},
        session,
    )


def reopen(caller: Caller, case_id: int, version: int, reason: str) -> dict[str, Any]:
    """The level above reopens a completed or verified case (reason required)."""
    if not reason.strip():
        raise Invalid("重新打开须说明理由（--reason）")
    return _move(
        caller,
        case_id,
        version,
        "reopen",
        "cases.reopen",
        "reopened",
        reason.strip(),
        lambda case: {"verified_on": None},
    )


# --- the county's list as one workbook, and many updates at once -------------------------------


def template(caller: Caller, region: str, year: int, output: Path) -> Path:
    """The cases of ``region`` and ``year`` in one workbook, to fill in and import at once."""
    caller.require("cases.edit", region, OUT_OF_SCOPE)
    if Path(output).suffix.lower() != ".xlsx":
        raise Invalid(f"整治案件批量填报表为 xlsx 工作簿，输出文件应以 .xlsx 结尾（不是 {output}）")
    rows = list_cases(caller, region=region, year=year)
    if not rows:
        raise NotFound(f"{region} 在 {year} 年的整治名单上没有案件")
    return case_bulk.write_template(output, f"{region} {year} 年整治案件批量填报表", rows)


def template_file(caller: Caller, region: str, year: int) -> tuple[Path, str]:
    """The workbook of ``template`` in a private temporary folder, and the name to offer it as
    (for a download: the caller removes the folder)."""
    name = f"整治案件批量填报表-{region}-{year}.xlsx"
    folder = Path(tempfile.mkdtemp(prefix="zs-cases-"))
    try:
        return template(caller, region, year, folder / name), name
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise


class _DryRun(Exception):
    """Raised inside the transaction to roll a checked dry run back."""


REEXPORT = "请重新导出（zhuansheng case template）后按最新内容填写"
# which column a refusal of the row names
_COLUMN_OF = {Conflict: "版本", NotFound: "案件编号", Forbidden: "案件编号"}


def _apply(caller: Caller, b: case_bulk.BulkRow, s: Session) -> dict[str, Any]:
    if b.action == "plan":
        case = core.get_case(s, b.case_id)
        p = PlanInput(
            measure=b.measure,
            responsible=b.responsible,
            actions=b.actions,
            # blank figures keep what the case expected
            expected_land_mu=case.expected_land_mu if b.land_mu is None else b.land_mu,
            expected_energy_tce=case.expected_energy_tce if b.energy_tce is None else b.energy_tce,
            expected_tax_per_mu=case.expected_tax_per_mu,
        )
        return plan(caller, b.case_id, b.version, p, session=s)
    if b.action == "update":
        return update(caller, b.case_id, b.version, b.progress, session=s)
    assert b.land_mu is not None and b.energy_tce is not None
    return complete(
        caller, b.case_id, b.version, b.land_mu, b.energy_tce, b.progress, s, b.land_use
    )


def import_file(
    caller: Caller, path: Path, source: str | None = None, dry_run: bool = False
) -> list[dict[str, Any]]:
    """Every row of the workbook with an action, through ``plan``/``update``/``complete`` in one
    transaction: all rows or none, every problem named by row and column; ``dry_run`` checks
    everything and writes nothing."""
    name = source or Path(path).name
    rows, problems = case_bulk.read_template(path, source)
    unreadable = {p.row for p in problems}
    out: list[dict[str, Any]] = []
    try:
        with store.session(caller.ws.database_url) as s:
            for b in rows:
                if b.row in unreadable:
                    continue
                try:
                    out.append({"row": b.row, "action": b.action, **_apply(caller, b, s)})
                except ZhuanshengError as exc:
                    column = _COLUMN_OF.get(type(exc), "操作")
                    hint = REEXPORT if isinstance(exc, Conflict) else ""
                    problems.append(case_bulk.located(str(exc), b.row, column, hint))
            if problems:
                raise InputRejected(name, sorted(problems, key=lambda p: p.row or 0))
            if not out:
                raise Invalid(f"{name} 中没有任何一行选择了操作（plan、update 或 complete）")
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    return out


# --- a region's board: counts by state, overdue, outcomes, by month ------------------------------


def _visible_cases(s: Session, caller: Caller, region: str, year: int | None) -> list[t.Case]:
    """The cases the caller may see (of ``region`` and ``year``), their firms' names read in
    the same query for the rows to come."""
    q = (
        select(t.Case, t.Enterprise.name)
        .join(t.Enterprise, t.Enterprise.uscc == t.Case.uscc)
        .order_by(t.Case.county_code, t.Case.id)
    )
    if year is not None:
        q = q.where(t.Case.year == year)
    names: dict[str, str] = s.info.setdefault("firm_names", {})
    out = []
    for c, name in s.execute(q):
        if (not region or access.region_in(c.county_code, region)) and caller.may(
            "cases.view", c.county_code
        ):
            names[c.uscc] = name
            out.append(c)
    return out


def board(caller: Caller, *, region: str = "", year: int | None = None) -> dict[str, Any]:
    """A region's cases at a glance: counts by state, overdue, completions awaiting
    verification, expected and freed land and energy (completed and verified), completions and
    verifications by month, and one row per city and per county below ``region``."""
    region = region or caller.home
    caller.require("cases.view", region or None, OUT_OF_SCOPE)
    with store.session(caller.ws.database_url) as s:
        return _board(_visible_cases(s, caller, region, year), region, year, caller.today())


def region_view(
    caller: Caller, *, region: str = "", year: int | None = None, state: str = ""
) -> tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]]]:
    """The board, the case rows (of ``state``) and the verified cases' outcomes of a region,
    its cases read once (the board page shows all three)."""
    region = region or caller.home
    caller.require("cases.view", region or None, OUT_OF_SCOPE)
    if state and state not in core.STATES:
        raise Invalid(f"未知的案件状态 '{state}'：可选 {'、'.join(core.STATES)}")
    on = caller.today()
    with store.session(caller.ws.database_url) as s:
        found = _visible_cases(s, caller, region, year)
        rows = [_row(s, c, on) for c in found if not state or core.state_of(c) == state]
        return _board(found, region, year, on), rows, _outcomes(s, found, on)


def _board(found: list[t.Case], region: str, year: int | None, on: dt.date) -> dict[str, Any]:
    counties: dict[str, dict[str, Any]] = {}
    cities: dict[str, dict[str, Any]] = {}
    total = _tally()
    months: dict[str, dict[str, int]] = {}
    for c in found:
        state = core.state_of(c)
        county = counties.setdefault(c.county_code, _tally())
        city = cities.setdefault(access.parent(c.county_code), _tally())
        for tally in (county, city, total):
            _count(tally, c, state, on)
        for when, key in ((c.closed_on, "completed"), (c.verified_on, "verified")):
            if when is not None and state in core.DONE:
                month = months.setdefault(f"{when:%Y-%m}", {"completed": 0, "verified": 0})
                month[key] += 1
    return {
        "region": region,
        "year": year,
        "on": on,
        "total": total,
        "by_month": [{"month": m, **v} for m, v in sorted(months.items())],
        "cities": [{"region": code, **v} for code, v in sorted(cities.items())],
        "counties": [{"region": code, **v} for code, v in sorted(counties.items())],
    }


def _tally() -> dict[str, Any]:
    return {
        "cases": 0,
        "by_state": dict.fromkeys(core.STATES, 0),
        "overdue": 0,
        "awaiting_verification": 0,
        "expected_land_mu": 0.0,
        "expected_energy_tce": 0.0,
        "freed_land_mu": 0.0,
        "freed_energy_tce": 0.0,
        "verified_land_mu": 0.0,
        "verified_energy_tce": 0.0,
    }


def _count(tally: dict[str, Any], c: t.Case, state: str, on: dt.date) -> None:
    tally["cases"] += 1
    tally["by_state"][state] = tally["by_state"].get(state, 0) + 1
    tally["overdue"] += core.is_overdue(state, c.actions, on)
    tally["awaiting_verification"] += state == "completed"
    tally["expected_land_mu"] += c.expected_land_mu or 0.0
    tally["expected_energy_tce"] += c.expected_energy_tce or 0.0
    if state in core.DONE:
        tally["freed_land_mu"] += c.freed_land_mu or 0.0
        tally["freed_energy_tce"] += c.freed_energy_tce or 0.0
    if state == "verified":
        tally["verified_land_mu"] += c.freed_land_mu or 0.0
        tally["verified_energy_tce"] += c.freed_energy_tce or 0.0


def outcomes(
    caller: Caller, *, region: str = "", year: int | None = None, still_poor: bool = False
) -> list[dict[str, Any]]:
    """Verified cases with the firm's 亩均 score and class and 碳效 grade before (the year the
    case was listed) and after (the latest evaluated year); ``still_poor``: only those whose
    firm is still class D or grade 5."""
    caller.require("cases.view", region or None, OUT_OF_SCOPE)
    with store.session(caller.ws.database_url) as s:
        found = _outcomes(s, _visible_cases(s, caller, region, year), caller.today())
    return [o for o in found if o["still_poor"] or not still_poor]


def _outcomes(s: Session, found: list[t.Case], on: dt.date) -> list[dict[str, Any]]:
    """The verified ones of ``found`` with their firms' standing before and after."""
    results = case_outcomes.Results(s)
    return [
        {**_row(s, c, on), **case_outcomes.outcome(results, c.uscc, c.year)}
        for c in found
        if core.state_of(c) == "verified"
    ]
