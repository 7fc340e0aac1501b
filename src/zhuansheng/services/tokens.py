"""API tokens for machine clients: ``zst_<user>.<expiry>.<HMAC-SHA256>``, signed with the
server's secret. A token stops working when it expires, when the secret changes, or when its
user is disabled (the account is checked on every call)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
import time
from pathlib import Path

from zhuansheng import atomic
from zhuansheng.config import ENV_PREFIX
from zhuansheng.workspace import Workspace

PREFIX = "zst_"


def _sign(secret: str, body: str) -> str:
    mac = hmac.new(secret.encode(), body.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).decode().rstrip("=")


def issue(username: str, secret: str, days: int = 90, now: float | None = None) -> str:
    expiry = int((now or time.time()) + days * 86400)
    user = base64.urlsafe_b64encode(username.encode()).decode().rstrip("=")
    body = f"{user}.{expiry}"
    return f"{PREFIX}{body}.{_sign(secret, body)}"


def verify(token: str, secret: str, now: float | None = None) -> str | None:
    """The user name of a valid, unexpired token; None otherwise."""
    if not token.startswith(PREFIX):
        return None
    try:
        user, expiry, mac = token[len(PREFIX) :].split(".")
        username = base64.urlsafe_b64decode(user + "=" * (-len(user) % 4)).decode()
        expires = int(expiry)
    except ValueError:
        return None
    if not hmac.compare_digest(mac, _sign(secret, f"{user}.{expiry}")):
        return None
    return username if expires > (now or time.time()) else None


def secret_key(ws: Workspace) -> str:
    """The secret that signs tokens: ``ZHUANSHENG_SECRET_KEY`` or, failing that,
    ``<var>/secret_key``, created once with owner-only permissions."""
    key = os.environ.get(f"{ENV_PREFIX}SECRET_KEY")
    if key:
        return key
    path = Path(ws.var) / "secret_key"
    if not path.is_file():
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic.write_text(path, secrets.token_urlsafe(48), mode=0o600)
    return path.read_text().strip()
