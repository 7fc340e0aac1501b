"""Request context: who is asking (session cookie or API token), in which language, and the
CSRF check for every state-changing request made with a cookie."""

from __future__ import annotations

import hmac
import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from fastapi import Request

from zhuansheng.access import Actor
from zhuansheng.services import accounts
from zhuansheng.services.context import Caller
from zhuansheng.services.sessions import COOKIE, Session

from . import i18n

if TYPE_CHECKING:
    from .app import WebState

UNSAFE = ("POST", "PUT", "PATCH", "DELETE")
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class LoginRequired(Exception):
    """No signed-in user (pages redirect to the login form; the API answers 401)."""


class CsrfRejected(Exception):
    """A state-changing request without the session's CSRF token (HTTP 403)."""


@dataclass
class Ctx:
    actor: Actor
    session: Session | None  # None for API token calls
    lang: str
    state: WebState
    count_from: str | None = None  # ?count_from=… on monitoring pages; None: the rules file's

    @property
    def csrf(self) -> str:
        return self.session.csrf if self.session else ""

    @property
    def caller(self) -> Caller:
        """The services' view of this request: workspace, actor, policy and caches."""
        return self.state.caller(self.actor, self.count_from)


def state(request: Request) -> WebState:
    return request.app.state.web


def lang(request: Request) -> str:
    value = request.cookies.get(i18n.COOKIE, "zh")
    return value if value in i18n.LANGS else "zh"


def count_from(request: Request) -> str | None:
    """What monitoring counts for this request (checked where the analysis runs)."""
    return request.query_params.get("count_from") or None


def proxy_networks(entries: Iterable[str]) -> tuple[Network, ...]:
    """The trusted proxies' networks; an entry that is no address or network is refused."""
    out = []
    for entry in entries:
        try:
            out.append(ipaddress.ip_network(entry.strip(), strict=False))
        except ValueError as exc:
            message = f"ZHUANSHENG_WEB_TRUSTED_PROXIES: '{entry}' 不是 IP 地址或网段"
            raise ValueError(message) from exc
    return tuple(out)


def _trusted(host: str, proxies: tuple[Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(host.strip())
    except ValueError:
        return False
    return any(ip in net for net in proxies)


def client_address(request: Request) -> str:
    """The client's address: the connection's peer, unless the peer is a trusted proxy; then
    the nearest address in X-Forwarded-For that is not itself a trusted proxy."""
    peer = request.client.host if request.client else "?"
    proxies = state(request).proxies
    if not proxies or not _trusted(peer, proxies):
        return peer
    hops = [h.strip() for h in ",".join(request.headers.getlist("x-forwarded-for")).split(",")]
    hops = [h for h in hops if h]
    for hop in reversed(hops):  # appended by each proxy: the right-most are the nearest
        if not _trusted(hop, proxies):
            return hop
    return hops[0] if hops else peer


def browser_session(request: Request) -> Session | None:
    return state(request).sessions.get(request.cookies.get(COOKIE))


async def _check_csrf(request: Request, session: Session) -> None:
    if request.method not in UNSAFE:
        return
    sent = request.headers.get(CSRF_HEADER)
    if sent is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        form = await request.form()  # cached by Starlette; handlers read the same form
        value = form.get(CSRF_FIELD)
        sent = value if isinstance(value, str) else None
    if not sent or not hmac.compare_digest(sent, session.csrf):
        raise CsrfRejected()


async def page_ctx(request: Request) -> Ctx:
    """A signed-in browser user; state-changing requests must carry the CSRF token."""
    session = browser_session(request)
    if session is None or session.actor is None:
        raise LoginRequired()
    await _check_csrf(request, session)
    return Ctx(session.actor, session, lang(request), state(request), count_from(request))


async def api_ctx(request: Request) -> Ctx:
    """An API caller: ``Authorization: Bearer <token>``, or the browser session (with CSRF)."""
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        web = state(request)
        actor = accounts.token_actor(web.ws, auth[7:].strip(), web.secret)
        if actor is None:
            raise LoginRequired()
        return Ctx(actor, None, lang(request), web, count_from(request))
    return await page_ctx(request)
