"""Server-side sessions kept in the store, the sign-in form's token, and the login rate limiter.

The cookie holds only a random id; the store keeps its SHA-256 (``web_sessions``), so sessions
survive a restart and every server process (``zhuansheng serve --workers N``) shares them. A
session is created only at sign-in and carries its own CSRF token; signing in discards any old
session and issues a new id (no session fixation). A session unused for ``idle_timeout_s`` is
gone. The user is read with the session on every request, so a disabled account or a changed
role takes effect at once.

Anonymous visitors write nothing: the sign-in form carries a stateless token,
``<timestamp>.<nonce>.<HMAC-SHA256>`` signed with the server's secret, which expires and must
name the nonce the browser holds in a cookie (``zs_login``), so a page elsewhere cannot sign a
visitor into its own account.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
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
LOGIN_COOKIE = "zs_login"  # the nonce the sign-in form's token must name
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


_NONCE_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def _login_mac(secret: str, body: str) -> str:
    mac = hmac.new(secret.encode(), f"login-form.{body}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).decode().rstrip("=")


def login_nonce(kept: str | None = None) -> str:
    """The browser's nonce when it holds a well-formed one, else a new one."""
    if kept and 16 <= len(kept) <= 64 and all(c in _NONCE_CHARS for c in kept):
        return kept
    return secrets.token_urlsafe(18)


def login_token(secret: str, nonce: str, now: float | None = None) -> str:
    """The sign-in form's CSRF token: a timestamp and the browser's nonce, signed."""
    body = f"{int(now if now is not None else time.time())}.{nonce}"
    return f"{body}.{_login_mac(secret, body)}"


def login_token_ok(
    token: str, nonce: str | None, secret: str, max_age_s: int, now: float | None = None
) -> bool:
    """The token is ours, not older than ``max_age_s`` and names the browser's nonce."""
    try:
        issued, sent_nonce, mac = token.split(".")
        age = (now if now is not None else time.time()) - int(issued)
    except ValueError:
        return False
    if not hmac.compare_digest(mac, _login_mac(secret, f"{issued}.{sent_nonce}")):
        return False
    if not nonce or not hmac.compare_digest(sent_nonce, nonce):
        return False
    return -60 <= age <= max_age_s  # a minute of clock skew between server processes


class LoginLimiter:
    """Failed sign-ins counted per (user name, client address) and per client address.

    ``attempts`` failures for one user name from one address within ``window_s`` pause that
    name at that address only, so guessing at names that do not exist locks nobody else out;
    ``address_attempts`` failures from one address, whatever the names, pause that address.
    """

    def __init__(self, attempts: int, address_attempts: int, window_s: int) -> None:
        self.attempts = attempts
        self.address_attempts = address_attempts
        self.window_s = window_s
        self._failures: dict[tuple[str, ...], deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: tuple[str, ...], now: float) -> deque[float]:
        q = self._failures.setdefault(key, deque())
        while q and now - q[0] > self.window_s:
            q.popleft()
        return q

    def blocked(self, username: str, address: str) -> bool:
        now = time.monotonic()
        with self._lock:
            return (
                len(self._recent(("user", username, address), now)) >= self.attempts
                or len(self._recent(("address", address), now)) >= self.address_attempts
            )

    def failed(self, username: str, address: str) -> None:
        now = time.monotonic()
        with self._lock:
            self._recent(("user", username, address), now).append(now)
            self._recent(("address", address), now).append(now)
            if len(self._failures) > 100_000:  # forget the keys whose failures have expired
                for key in [k for k, q in self._failures.items() if not self._recent(k, now)]:
                    del self._failures[key]

    def succeeded(self, username: str, address: str) -> None:
        with self._lock:
            self._failures.pop(("user", username, address), None)
