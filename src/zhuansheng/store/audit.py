"""The audit trail: one way to say who did what to which record."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from . import tables as t

__all__ = ["record"]


def record(
    session: Session,
    actor: str,
    action: str,
    entity: str,
    entity_id: str = "",
    *,
    at: dt.datetime | None = None,
    detail: Mapping[str, Any] | None = None,
) -> t.AuditLog:
    """Add one audit entry to ``session`` (written with its transaction); ``actor`` is the user
    name (or ``demo``/``engine`` for the system), ``at`` defaults to now."""
    entry = t.AuditLog(actor=actor, action=action, entity=entity, entity_id=entity_id)
    if at is not None:
        entry.at = at
    entry.detail = dict(detail or {})
    session.add(entry)
    return entry
