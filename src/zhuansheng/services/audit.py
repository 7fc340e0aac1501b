"""The audit log as the services write and read it: one entry per export, sign-in, generated
report or workflow step, and the administrator's paged view of it."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from zhuansheng import store
from zhuansheng.store import tables as t

from .context import Caller


def record(caller: Caller, action: str, entity: str, entity_id: str = "", **detail: Any) -> None:
    """One entry for what the caller did, in a transaction of its own."""
    with store.session(caller.ws.database_url) as s:
        store.audit.record(s, caller.actor.username, action, entity, entity_id, detail=detail)


def entries(
    caller: Caller, action: str, page: int, page_size: int
) -> tuple[list[dict[str, Any]], int]:
    """One page of the audit log, newest first (``action``: a prefix such as ``export.``), and
    the number of entries that match; for the provincial administrator only."""
    caller.require("audit.view", message="只有省级管理员可以查看操作日志")
    with store.session(caller.ws.database_url) as s:
        q = select(t.AuditLog)
        if action:
            q = q.where(t.AuditLog.action.startswith(action, autoescape=True))
        total = s.scalar(select(func.count()).select_from(q.subquery())) or 0
        rows = s.scalars(
            q.order_by(t.AuditLog.id.desc()).offset((page - 1) * page_size).limit(page_size)
        )
        items = [
            {
                "id": r.id,
                "at": r.at,
                "actor": r.actor,
                "action": r.action,
                "entity": r.entity,
                "entity_id": r.entity_id,
                "detail": r.detail,
            }
            for r in rows
        ]
    return items, total
