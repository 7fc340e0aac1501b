"""Server-side sessions kept in memory (one server process), and the login rate limiter.

The cookie holds only a random id. Every session, signed in or not, carries its own CSRF token;
signing in discards the old session and issues a new id (no session fixation). A session unused
for ``idle_timeout_s`` is gone.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections import deque
from dataclasses import dataclass, field

from zhuansheng.users import Actor

COOKIE = "zs_session"


@dataclass
class Session:
    id: str
    csrf: str
    actor: Actor | None = None
    last_seen: float = field(default_factory=time.monotonic)


class SessionStore:
    def __init__(self, idle_timeout_s: int) -> None:
        self.idle_timeout_s = idle_timeout_s
        self._sessions: dict[str, Session] = {}
        self._lock = threading.Lock()

    def new(self, actor: Actor | None = None) -> Session:
        s = Session(secrets.token_urlsafe(32), secrets.token_urlsafe(32), actor)
        with self._lock:
            self._sessions[s.id] = s
            if len(self._sessions) % 256 == 0:
                self._sweep()
        return s

    def get(self, sid: str | None) -> Session | None:
        if not sid:
            return None
        now = time.monotonic()
        with self._lock:
            s = self._sessions.get(sid)
            if s is None:
                return None
            if now - s.last_seen > self.idle_timeout_s:
                del self._sessions[sid]
                return None
            s.last_seen = now
            return s

    def drop(self, sid: str | None) -> None:
        with self._lock:
            self._sessions.pop(sid or "", None)

    def drop_user(self, username: str) -> None:
        with self._lock:
            for sid in [
                k for k, s in self._sessions.items() if s.actor and s.actor.username == username
            ]:
                del self._sessions[sid]

    def _sweep(self) -> None:
        now = time.monotonic()
        for sid in [
            k for k, s in self._sessions.items() if now - s.last_seen > self.idle_timeout_s
        ]:
            del self._sessions[sid]


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
