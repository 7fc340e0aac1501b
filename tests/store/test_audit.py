"""The audit trail: one entry per call, with its detail, time and actor."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from zhuansheng import store
from zhuansheng.store import audit
from zhuansheng.store import tables as t


def test_an_entry_is_written_with_the_transaction(store_url: str) -> None:
    store.upgrade(store_url)
    at = dt.datetime(2022, 7, 10, 9, 30, tzinfo=dt.UTC)
    with store.session(store_url) as s:
        audit.record(
            s,
            "county:330603",
            "submission.submit",
            "submission",
            "330603/2022-06",
            at=at,
            detail={"from": "draft", "to": "submitted"},
        )
        audit.record(s, "admin", "user.password", "user", "admin")
    with store.session(store_url) as s:
        rows = s.scalars(select(t.AuditLog).order_by(t.AuditLog.id)).all()
        first, second = rows[-2:]
        assert (first.actor, first.action, first.entity, first.entity_id) == (
            "county:330603",
            "submission.submit",
            "submission",
            "330603/2022-06",
        )
        assert first.detail == {"from": "draft", "to": "submitted"}
        assert first.at.replace(tzinfo=dt.UTC) == at
        assert (second.entity_id, second.detail) == ("admin", {})
        assert second.at is not None
