"""The 高耗低效 rectification lifecycle (整治提升闭环): a screening candidate confirmed onto the
year's list (or dismissed with a reason), and the case's states from plan to verification.

States: ``confirmed → planned → in_progress → completed → verified``; a failed verification or a
reopening by the level above puts a completed or verified case to ``reopened``, from which it is
planned, updated and completed again. Every change is one conditional UPDATE on the version the
caller read (a stale version is a ``Conflict``, nothing written) plus one ``case_events`` row.
Who may do what is the service's business (``zhuansheng.access``); this module holds the rules
of the data.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from zhuansheng.errors import Conflict, Invalid, NotFound
from zhuansheng.store import tables as t

# the measures of 一企一策, with the glossary's outcome identifiers
MEASURES = {
    "upgrade": "提升改造",
    "merger": "兼并重组",
    "land_recovered": "腾笼换鸟/转型",
    "relocated": "搬迁",
    "closed": "关停淘汰",
}
DISMISS_REASONS = {
    "new_plant": "新建投产未满三年",
    "data_error": "数据有误",
    "other_campaign": "已列入其他整治",
    "other": "其他",
}
STATES = {
    "confirmed": "已列入整治名单",
    "planned": "已制定整治方案",
    "in_progress": "整治中",
    "completed": "整治完成",
    "verified": "已验收",
    "reopened": "验收未通过/重新打开",
}
LEGACY_STATES = {"listed": "confirmed"}  # cases written before the lifecycle existed
ACTIONS = {
    "plan": "制定方案",
    "update": "报告进展",
    "complete": "完成整治",
    "verify": "验收",
    "reopen": "重新打开",
}
# action -> the states it may start from
ALLOWED_FROM = {
    "plan": ("confirmed", "planned", "reopened"),
    "update": ("planned", "in_progress", "reopened"),
    "complete": ("in_progress", "reopened"),
    "verify": ("completed",),
    "reopen": ("completed", "verified"),
}


# states in which a plan's deadlines run: a case here past its last deadline is overdue
RUNNING = ("planned", "in_progress", "reopened")
DONE = ("completed", "verified")


def state_of(case: t.Case) -> str:
    return LEGACY_STATES.get(case.status, case.status)


def last_deadline(actions: list[dict[str, Any]] | None) -> dt.date | None:
    """The plan's last deadline (None without a plan)."""
    dates = [dt.date.fromisoformat(a["deadline"]) for a in actions or [] if a.get("deadline")]
    return max(dates) if dates else None


def is_overdue(state: str, actions: list[dict[str, Any]] | None, on: dt.date) -> bool:
    """Overdue (逾期): planned, in progress or reopened, and the plan's last deadline has
    passed by ``on`` without the case being completed."""
    deadline = last_deadline(actions)
    return state in RUNNING and deadline is not None and deadline < on


def allowed_actions(state: str) -> list[str]:
    return [a for a, states in ALLOWED_FROM.items() if state in states]


def check_allowed(case: t.Case, action: str) -> str:
    """The case's state, or ``Invalid`` naming the state and what may be done from it."""
    state = state_of(case)
    if state in ALLOWED_FROM[action]:
        return state
    allowed = "、".join(f"{ACTIONS[a]}（{a}）" for a in allowed_actions(state)) or "无"
    raise Invalid(
        f"案件 {case.id} 当前状态为“{STATES.get(state, state)}”（{state}），"
        f"不能{ACTIONS[action]}（{action}）；当前可执行：{allowed}"
    )


def check_measure(measure: str) -> str:
    if measure not in MEASURES:
        known = "、".join(f"{k}（{v}）" for k, v in MEASURES.items())
        raise Invalid(f"未知的整治措施 '{measure}'：可选 {known}")
    return measure


def _not_negative(value: float | None, what: str) -> None:
    if value is not None and value < 0:
        raise Invalid(f"{what}不能为负数（填写的是 {value:g}）")


def check_figures(
    land_mu: float | None, energy_tce: float | None, firm_land_mu: float | None, kind: str
) -> None:
    """Freed land and energy: not negative, land not more than the firm has (when known)."""
    _not_negative(land_mu, f"{kind}腾出用地（亩）")
    _not_negative(energy_tce, f"{kind}腾出用能（吨标准煤）")
    if land_mu is not None and firm_land_mu is not None and land_mu > firm_land_mu:
        raise Invalid(
            f"{kind}腾出用地 {land_mu:g} 亩大于企业用地面积 {firm_land_mu:g} 亩，请核对后重填"
        )


@dataclass
class PlanInput:
    measure: str
    responsible: str
    actions: list[dict[str, Any]] = field(default_factory=list)  # {"action", "deadline"}
    expected_land_mu: float | None = None
    expected_energy_tce: float | None = None
    planned_on: dt.date | None = None
    expected_tax_per_mu: float | None = None  # 预计整治后亩均税收（万元/亩）


def parse_action(text: str) -> dict[str, str]:
    """``整改内容@2023-06-30`` → one action with its deadline."""
    what, sep, deadline = text.rpartition("@")
    if not sep or not what.strip():
        raise Invalid(f"整改措施 '{text}' 的格式应为 “内容@截止日期”，如 “更新电机@2023-06-30”")
    try:
        dt.date.fromisoformat(deadline.strip())
    except ValueError:
        raise Invalid(f"整改措施 '{text}' 的截止日期 '{deadline}' 不是日期（YYYY-MM-DD）") from None
    return {"action": what.strip(), "deadline": deadline.strip()}


def check_plan(p: PlanInput, firm_land_mu: float | None, today: dt.date) -> dt.date:
    check_measure(p.measure)
    if not p.responsible.strip():
        raise Invalid("请填写整治责任人")
    if not p.actions:
        raise Invalid("整治方案至少要有一项整改措施（内容和截止日期）")
    check_figures(p.expected_land_mu, p.expected_energy_tce, firm_land_mu, "预计")
    _not_negative(p.expected_tax_per_mu, "预计整治后亩均税收（万元/亩）")
    planned_on = p.planned_on or today
    for a in p.actions:
        deadline = dt.date.fromisoformat(a["deadline"])
        if deadline < planned_on:
            raise Invalid(
                f"整改措施“{a['action']}”的截止日期 {deadline} 早于方案制定日期 {planned_on}"
            )
    return planned_on


def get_case(s: Session, case_id: int) -> t.Case:
    case = s.get(t.Case, case_id)
    if case is None:
        raise NotFound(f"没有编号为 {case_id} 的整治案件")
    return _held(s, case)


def _held(s: Session, case: t.Case) -> t.Case:
    # the session's identity map holds objects weakly: kept here, a case moved several times in
    # one transaction (a workbook, the demo) is read once
    s.info.setdefault("cases", {})[case.id] = case
    return case


def get_candidate(s: Session, candidate_id: int) -> t.ScreeningCandidate:
    cand = s.get(t.ScreeningCandidate, candidate_id)
    if cand is None:
        raise NotFound(f"没有编号为 {candidate_id} 的筛查候选企业")
    return cand


def change(
    s: Session,
    case: t.Case,
    version: int,
    action: str,
    to_state: str,
    actor: str,
    note: str,
    today: dt.date,
    recorded_at: dt.datetime | None = None,
    **values: Any,
) -> int:
    """Move ``case`` on the version the caller read: one conditional UPDATE and one event
    (recorded now, or at ``recorded_at``); the event's id."""
    from_state = state_of(case)
    cases = t.Case.__table__
    s.flush()  # what the session holds goes first, then the statements on its connection
    done = s.connection().execute(
        update(cases)
        .where(cases.c.id == case.id, cases.c.version == version)
        .values(status=to_state, version=version + 1, **values)
    )
    if done.rowcount != 1:
        raise Conflict(
            f"案件 {case.id} 已被他人修改（您读取的是第 {version} 版），"
            "本次修改未保存；请重新打开案件查看最新内容后再提交"
        )
    event = _event(s, case.id, action, from_state, to_state, actor, note, today, recorded_at)
    # the row now holds what was written: say so to the loaded case without reading it back
    for key, value in {"status": to_state, "version": version + 1, **values}.items():
        set_committed_value(case, key, value)
    return event


def _event(
    s: Session,
    case_id: int,
    action: str,
    from_state: str | None,
    to_state: str,
    actor: str,
    note: str,
    today: dt.date,
    recorded_at: dt.datetime | None = None,
) -> int:
    """One history row, written straight on the session's connection (no unit of work: the
    demo replays tens of thousands); its id."""
    events = t.CaseEvent.__table__
    row = {
        "case_id": case_id,
        "at": today,
        "from_status": from_state,
        "to_status": to_state,
        "actor": actor,
        "note": note,
        "action": action,
        "recorded_at": recorded_at or dt.datetime.now(dt.UTC),
    }
    return int(s.connection().execute(insert(events).values(row)).inserted_primary_key[0])


def open_case(
    s: Session,
    *,
    uscc: str,
    county_code: str,
    year: int,
    measure: str,
    reason: str,
    actor: str,
    today: dt.date,
    recorded_at: dt.datetime | None = None,
    synthetic: bool = False,
) -> t.Case:
    """A new case in ``confirmed`` (one per firm and year), with its first event; a case of a
    synthetic (demo) firm is synthetic too."""
    check_measure(measure)
    exists = s.scalar(select(t.Case.id).where(t.Case.uscc == uscc, t.Case.year == year))
    if exists is not None:
        raise Conflict(f"企业 {uscc} 已列入 {year} 年整治名单（案件 {exists}）")
    case = t.Case(
        uscc=uscc,
        county_code=county_code,
        year=year,
        status="confirmed",
        outcome=None,
        measure=measure,
        reason=reason,
        opened_on=today,
        freed_land_mu=0.0,
        freed_energy_tce=0.0,
        actions=[],
        version=1,
        synthetic=synthetic,
    )
    s.add(case)
    try:
        s.flush()
    except IntegrityError:  # listed by someone else between the check above and now
        raise Conflict(f"企业 {uscc} 已由他人列入 {year} 年整治名单，请刷新后查看") from None
    _event(s, case.id, "confirm", None, "confirmed", actor, reason, today, recorded_at)
    return _held(s, case)


def review_candidate(
    s: Session, cand: t.ScreeningCandidate, from_state: str, to_state: str, **values: Any
) -> None:
    """Move a screening candidate on the state the caller read (one conditional UPDATE): of
    two officials deciding on one candidate at once, one wins, the other gets a ``Conflict``."""
    table = t.ScreeningCandidate.__table__
    s.flush()
    done = s.connection().execute(
        update(table)
        .where(table.c.id == cand.id, table.c.status == from_state)
        .values(status=to_state, **values)
    )
    if done.rowcount != 1:
        raise Conflict(f"候选企业 {cand.id} 已被他人处理，本次操作未保存；请刷新核实名单后再办理")
    for key, value in {"status": to_state, **values}.items():
        set_committed_value(cand, key, value)


def check_dismissal(reason: str, text: str) -> str:
    """The reason's identifier (the id or its Chinese label); free text required for 其他."""
    by_label = {v: k for k, v in DISMISS_REASONS.items()}
    key = by_label.get(reason, reason)
    if key not in DISMISS_REASONS:
        known = "、".join(f"{k}（{v}）" for k, v in DISMISS_REASONS.items())
        raise Invalid(f"未知的排除理由 '{reason}'：可选 {known}")
    if key == "other" and not text.strip():
        raise Invalid("排除理由为“其他”时必须写明具体情况（--text）")
    return key
