"""Server-side sessions kept in the store, and the login rate limiter.

The cookie holds only a random id; the store keeps its SHA-256 (``web_sessions``), so sessions
survive a restart and every server process (``zhuansheng serve --workers N``) shares them. Every
session, signed in or not, carries its own CSRF token; signing in discards the old session and
issues a new id (no session fixation). A session unused for ``idle_timeout_s`` is gone. The
user is read with the session on every request, so a disabled account or a changed role takes
effect at once.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from collections import deque
from contextlib import AbstractContextManager
from dataclasses import dataclass, field

from sqlalchemy import Connection, bindparam, delete, insert, select, update

from zhuansheng import store
from zhuansheng.access import Actor
from zhuansheng.store import tables as t
from zhuansheng.workspace import Workspace

COOKIE = "zs_session"
SWEEP_EVERY = 256  # new sessions between two deletions of the expired ones


@dataclass
class Session:
    id: str
    csrf: str
    actor: Actor | None = None
    last_seen: float = field(default_factory=time.time)


def _hash(sid: str) -> str:
    return hashlib.sha256(sid.encode()).hexdigest()


class SessionStore:
    def __init__(self, ws: Workspace, idle_timeout_s: int) -> None:
        self.url = ws.database_url
        self.idle_timeout_s = idle_timeout_s
        # last_seen is written at most this often per session: a page view is then a read
        self.touch_s = min(30.0, idle_timeout_s / 10)
        self._created = 0
        self._lock = threading.Lock()
        w, u = t.WebSession, t.User
        # built once: building a statement costs more than running it
        self._lookup = (
            select(w.csrf, w.username, w.last_seen, u.role, u.region_code, u.active, u.units)
            .outerjoin(u, u.username == w.username)
            .where(w.id_hash == bindparam("id_hash"))
        )

    def _connect(self) -> AbstractContextManager[Connection]:
        """A connection in a transaction, committed when the block ends."""
        return store.engine(self.url).begin()

    def new(self, actor: Actor | None = None) -> Session:
        s = Session(secrets.token_urlsafe(32), secrets.token_urlsafe(32), actor)
        row = {
            "id_hash": _hash(s.id),
            "csrf": s.csrf,
            "username": actor.username if actor else None,
            "last_seen": s.last_seen,
        }
        with self._lock:
            self._created += 1
            sweep = self._created % SWEEP_EVERY == 0
        with self._connect() as conn:
            conn.execute(insert(t.WebSession).values(**row))
            if sweep:
                conn.execute(
                    delete(t.WebSession).where(
                        t.WebSession.last_seen < s.last_seen - self.idle_timeout_s
                    )
                )
        return s

    def get(self, sid: str | None) -> Session | None:
        if not sid:
            return None
        now, key, w = time.time(), _hash(sid), t.WebSession
        with store.engine(self.url).connect() as conn:
            row = conn.execute(self._lookup, {"id_hash": key}).first()
        if row is None:
            return None
        gone = row.username is not None and not row.active  # removed or disabled
        if gone or now - row.last_seen > self.idle_timeout_s:
            with self._connect() as conn:
                conn.execute(delete(w).where(w.id_hash == key))
            return None
        if now - row.last_seen > self.touch_s:
            with self._connect() as conn:
                conn.execute(update(w).where(w.id_hash == key).values(last_seen=now))
        actor = (
            Actor(row.username, row.role, row.region_code, tuple(row.units or ()))
            if row.username
            else None
        )
        return Session(sid, row.csrf, actor, now)

    def drop(self, sid: str | None) -> None:
        if sid:
            with self._connect() as conn:
                conn.execute(delete(t.WebSession).where(t.WebSession.id_hash == _hash(sid)))


class LoginLimiter:
    """At most ``attempts`` failed logins per key (user name, client address) per window."""

    def __init__(self, attempts: int, window_s: int) -> None:
        self.attempts = attempts
        self.window_s = window_s
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque[float]:
        q = self._failures.setdefault(key, deque())
        while q and now - q[0] > self.window_s:
            q.popleft()
        return q

    def blocked(self, *keys: str) -> bool:
        now = time.monotonic()
        with self._lock:
            return any(len(self._recent(k, now)) >= self.attempts for k in keys)

    def failed(self, *keys: str) -> None:
        now = time.monotonic()
        with self._lock:
            for k in keys:
                self._recent(k, now).append(now)

    def succeeded(self, key: str) -> None:
        with self._lock:
            self._failures.pop(key, None)
