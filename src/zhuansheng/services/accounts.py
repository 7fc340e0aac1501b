"""Accounts as the faces use them: signing in (audited), API tokens (issued with an audit entry,
checked against the account on every call)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select

from zhuansheng import store, users
from zhuansheng.access import Actor
from zhuansheng.store import tables as t
from zhuansheng.workspace import Workspace

from . import tokens

# built once: building a statement costs more than running it
_TOKEN_USER = select(t.User.role, t.User.region_code, t.User.active, t.User.units)


def sign_in(ws: Workspace, username: str, password: str, client: str) -> Actor | None:
    """The actor when the name and password match an active account (the sign-in is audited),
    else None."""
    with store.session(ws.database_url) as s:
        actor = users.check_password(s, username, password)
        if actor is not None:
            store.audit.record(
                s, actor.username, "login", "user", actor.username, detail={"ip": client}
            )
    return actor


def issue_token(ws: Workspace, username: str, days: int) -> str:
    """A signed API token for an active user, recorded in the audit log."""
    with store.session(ws.database_url) as s:
        who = users.actor(s, username)
        store.audit.record(
            s, who.username, "user.token", "user", who.username, detail={"days": days}
        )
    return tokens.issue(who.username, tokens.secret_key(ws), days=days)


def token_actor(ws: Workspace, token: str, secret: str) -> Actor | None:
    """The actor of a valid token whose account is active; None otherwise.

    Every call reads the user (a disabled user's token stops at once), with a plain SELECT: an
    ORM session per API call would cost more than the cached answer itself."""
    username = tokens.verify(token, secret)
    if username is None:
        return None
    with store.engine(ws.database_url).connect() as conn:
        row = conn.execute(_TOKEN_USER.where(t.User.username == username)).first()
    if row is None or not row.active:
        return None
    return Actor(username, row.role, row.region_code, tuple(row.units or ()))


def actor(ws: Workspace, username: str) -> Actor:
    """The active user with this name (a clear error otherwise)."""
    with store.session(ws.database_url) as s:
        return users.actor(s, username)


def add(
    ws: Workspace,
    username: str,
    role: str,
    region: str | None,
    display_name: str = "",
    units: Sequence[str] = (),
    created_at: datetime | None = None,
) -> None:
    """A new account (a department account with the responsible units it speaks for);
    ``created_at`` defaults to now."""
    with store.session(ws.database_url) as s:
        users.add_user(s, username, role, region, display_name, units, created_at)


def listing(ws: Workspace) -> list[dict[str, object]]:
    """Every account: name, display name, role, region, active."""
    with store.session(ws.database_url) as s:
        return [
            {
                "username": u.username,
                "display_name": u.display_name,
                "role": u.role,
                "region": u.region_code or "",
                "units": "、".join(u.units or ()),
                "active": u.active,
            }
            for u in users.list_users(s)
        ]


def disable(ws: Workspace, username: str) -> None:
    with store.session(ws.database_url) as s:
        users.disable_user(s, username)


def set_password(ws: Workspace, username: str, password: str) -> None:
    with store.session(ws.database_url) as s:
        users.set_password(s, username, password)


def demo_passwords(ws: Workspace) -> int:
    """The documented demo password for every passwordless account of a synthetic world."""
    with store.session(ws.database_url) as s:
        return users.set_demo_passwords(s)
