"""The submission workflow (多级上报): county drafts → submits → city approves or returns with a
reason → province accepts. Approved data is locked until the level above unlocks it. Every step
is recorded twice: as a submission event (the form's history) and in the audit log.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from zhuansheng import access
from zhuansheng.access import Actor
from zhuansheng.errors import ZhuanshengError
from zhuansheng.periods import parse_period
from zhuansheng.reference import PROVINCE_CODE
from zhuansheng.store import audit
from zhuansheng.store import tables as t

STATUS_ZH = {
    "draft": "草稿",
    "submitted": "已上报",
    "returned": "已退回",
    "approved": "已审核",
    "accepted": "已确认",
}
EDITABLE = ("draft", "returned")
RECEIVED = ("submitted", "approved", "accepted")
TZ = dt.timezone(dt.timedelta(hours=8))


@dataclass(frozen=True)
class Step:
    action: str
    zh: str
    from_states: tuple[str, ...]
    to_state: str
    needs_reason: bool = False


STEPS = {
    "submit": Step("submit", "上报", ("draft", "returned"), "submitted"),
    "return": Step("return", "退回", ("submitted",), "returned", needs_reason=True),
    "approve": Step("approve", "审核通过", ("submitted",), "approved"),
    "accept": Step("accept", "确认", ("approved",), "accepted"),
    "unlock": Step("unlock", "解锁退回", ("approved", "accepted"), "returned", needs_reason=True),
}


def _now() -> dt.datetime:
    return dt.datetime.now(TZ)


def beijing(ts: dt.datetime) -> dt.datetime:
    """A stored timestamp in Beijing time (SQLite keeps the wall-clock time without its zone)."""
    return ts.replace(tzinfo=TZ) if ts.tzinfo is None else ts.astimezone(TZ)


def _region(session: Session, code: str) -> t.Region:
    region = session.get(t.Region, code)
    if region is None:
        raise ZhuanshengError(f"未知的地区代码 '{code}'")
    return region


def get(session: Session, region_code: str, period: str) -> t.Submission | None:
    return session.scalar(
        select(t.Submission).where(
            t.Submission.region_code == region_code, t.Submission.period == period
        )
    )


def record(
    session: Session, sub: t.Submission, actor: Actor, action: str, to_status: str, reason: str = ""
) -> None:
    """Change a submission's state and write the history and the audit log."""
    before = sub.status if sub.id is not None else None
    now = _now()
    sub.status = to_status
    sub.updated_at = now
    sub.locked = to_status in ("approved", "accepted")
    if to_status == "submitted" and sub.first_submitted_at is None:
        sub.first_submitted_at = now
    session.add(sub)
    session.flush()
    session.add(
        t.SubmissionEvent(
            submission_id=sub.id,
            at=now,
            actor=actor.username,
            action=action,
            from_status=before,
            to_status=to_status,
            reason=reason,
            observation_mark=session.scalar(select(func.max(t.Observation.id))),
        )
    )
    audit.record(
        session,
        actor.username,
        f"submission.{action}",
        "submission",
        f"{sub.region_code}/{sub.period}",
        at=now,
        detail={"from": before, "to": to_status, "reason": reason},
    )


def ensure_draft(session: Session, region_code: str, period: str, actor: Actor) -> t.Submission:
    """The submission an import writes into; refuses when it is not editable."""
    sub = get(session, region_code, period)
    if sub is None:
        sub = t.Submission(region_code=region_code, period=period, status="draft")
        record(session, sub, actor, "save", "draft")
        return sub
    if sub.status not in EDITABLE:
        who = (
            "请联系上级单位退回或解锁后再修改"
            if sub.locked
            else "已上报待审核，请由市级退回后再修改"
        )
        raise ZhuanshengError(
            f"{region_code} {period} 的数据状态为“{STATUS_ZH[sub.status]}”，不能导入：{who}"
        )
    return sub


def act(
    session: Session, action: str, region_code: str, period: str, actor: Actor, reason: str = ""
) -> t.Submission:
    """Apply one workflow step, checking the state and who may take it."""
    parse_period(period)
    step = STEPS.get(action)
    if step is None:
        raise ZhuanshengError(f"未知的操作 '{action}'，应为 {'、'.join(STEPS)}")
    region = _region(session, region_code)
    refused = f"用户 {actor.username} 无权对 {region.name_zh} 的数据执行“{step.zh}”"
    # Who may take part in this region's workflow at all is said before anything about its data.
    access.require(actor, "submission.act", region_code, refused)
    sub = get(session, region_code, period)
    if sub is None:
        raise ZhuanshengError(f"{region.name_zh} {period} 尚无填报数据，无法{step.zh}")
    if sub.status not in step.from_states:
        raise ZhuanshengError(
            f"{region.name_zh} {period} 当前为“{STATUS_ZH[sub.status]}”，不能{step.zh}"
            f"（只有“{'、'.join(STATUS_ZH[s] for s in step.from_states)}”状态可以）"
        )
    access.require(actor, f"submission.{action}", region_code, refused, status=sub.status)
    if step.needs_reason and not reason.strip():
        raise ZhuanshengError(f"{step.zh}须说明原因（--reason）")
    record(session, sub, actor, action, step.to_state, reason)
    return sub


def due(period: str, due_day: int) -> dt.datetime:
    """End of the due day in the month after the period (Beijing time)."""
    p = parse_period(period)
    y, m = (p.year + 1, 1) if p.month == 12 else (p.year, p.month + 1)
    return dt.datetime(y, m, due_day, 23, 59, 59, tzinfo=TZ)


def reporting(session: Session, period: str, due_day: int) -> list[dict[str, object]]:
    """Per city and for the province: counties expected, received (上报及以后), on time."""
    deadline = due(period, due_day)
    subs = {
        s.region_code: s
        for s in session.scalars(select(t.Submission).where(t.Submission.period == period))
    }
    counties = session.scalars(select(t.Region).where(t.Region.level == "county")).all()
    cities = session.scalars(
        select(t.Region).where(t.Region.level == "city").order_by(t.Region.code)
    ).all()
    rows = []
    for area in [None, *cities]:
        members = [c for c in counties if area is None or c.parent_code == area.code]
        got = [subs[c.code] for c in members if c.code in subs and subs[c.code].status in RECEIVED]
        on_time = [
            s for s in got if s.first_submitted_at and beijing(s.first_submitted_at) <= deadline
        ]
        rows.append(
            {
                "region": PROVINCE_CODE if area is None else area.code,
                "region_name": "浙江省" if area is None else area.name_zh,
                "period": period,
                "expected": len(members),
                "received": len(got),
                "on_time": len(on_time),
                "reporting_rate": len(got) / len(members) if members else None,
                "timeliness": len(on_time) / len(members) if members else None,
                "due": deadline.isoformat(),
            }
        )
    return rows
