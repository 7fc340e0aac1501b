"""Signing in and out: argon2 passwords, cookies, session rotation, CSRF, rate limit, idle
timeout, API tokens."""

from __future__ import annotations

import hashlib
import time

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from starlette.requests import Request
from web_helpers import PASSWORD, World, client_for, csrf_of, login, make_settings

from zhuansheng import store, users
from zhuansheng.services import sessions, tokens
from zhuansheng.services.sessions import COOKIE, LOGIN_COOKIE
from zhuansheng.store import tables as t
from zhuansheng.web import create_app
from zhuansheng.web import settings as web_settings
from zhuansheng.web.deps import client_address, proxy_networks


def test_passwords_are_stored_as_argon2_hashes(web_world: World) -> None:
    with store.session(web_world.url) as s:
        stored = s.scalar(select(t.User.password_hash).where(t.User.username == "admin"))
        assert stored.startswith("$argon2id$") and PASSWORD not in stored
        assert users.check_password(s, "admin", PASSWORD) is not None
        assert users.check_password(s, "admin", PASSWORD + "x") is None
        assert users.check_password(s, "nobody", PASSWORD) is None


def test_anonymous_pages_redirect_to_login_and_api_answers_401(app) -> None:  # type: ignore[no-untyped-def]
    c = client_for(app, None)
    r = c.get("/regions/330100?period=2022-06", follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"] == "/login?next=/regions/330100%3Fperiod%3D2022-06"
    r = c.get("/api/v1/monitor")
    assert r.status_code == 401
    assert r.json()["error"]["message"].startswith("未登录")


def test_cookie_flags_and_session_rotation_at_login(app) -> None:  # type: ignore[no-untyped-def]
    c = TestClient(app)
    page = c.get("/login")
    assert c.cookies.get(COOKIE) is None  # no session before signing in
    header = page.headers["set-cookie"].lower()  # the sign-in form's nonce
    assert header.startswith(LOGIN_COOKIE) and "httponly" in header and "samesite=lax" in header
    r = c.post(
        "/login",
        data={"username": "admin", "password": PASSWORD, "csrf_token": csrf_of(page.text)},
        follow_redirects=False,
    )
    assert r.status_code == 303
    (header,) = [h.lower() for h in r.headers.get_list("set-cookie") if h.startswith(COOKIE)]
    assert "httponly" in header and "samesite=lax" in header
    before = c.cookies.get(COOKIE)
    login(c, "admin")  # signing in again issues a new id and ends the old session
    after = c.cookies.get(COOKIE)
    assert before and after and after != before
    # an id planted before sign-in (session fixation) grants nothing afterwards
    attacker = TestClient(app)
    attacker.cookies.set(COOKIE, before)
    assert attacker.get("/", follow_redirects=False).status_code == 303
    assert c.get("/").status_code == 200


def test_wrong_password_and_rate_limit(web_world: World) -> None:
    app = create_app(make_settings(web_world, login_attempts=3))
    c = TestClient(app)
    for _ in range(3):
        page = c.get("/login")
        r = c.post(
            "/login",
            data={
                "username": "u330100",
                "password": "wrong-password!",
                "csrf_token": csrf_of(page.text),
            },
        )
        assert r.status_code == 401 and "用户名或密码错误" in r.text
    page = c.get("/login")
    r = c.post(
        "/login",
        data={"username": "u330100", "password": PASSWORD, "csrf_token": csrf_of(page.text)},
    )
    assert r.status_code == 429 and "登录失败次数过多" in r.text


def _sign_in(c: TestClient, username: str, password: str, **headers: str) -> int:
    page = c.get("/login")
    r = c.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": csrf_of(page.text)},
        headers=headers,
        follow_redirects=False,
    )
    return r.status_code


def test_guessing_unknown_names_does_not_lock_others_out_of_the_address(
    web_world: World,
) -> None:
    app = create_app(make_settings(web_world, login_attempts=3))
    c = TestClient(app, client=("192.0.2.7", 50000))
    assert [_sign_in(c, "nobody", "guess") for _ in range(5)] == [401, 401, 401, 429, 429]
    # the admin at the same address signs in, and so does the paused name from elsewhere
    assert _sign_in(c, "admin", PASSWORD) == 303
    assert _sign_in(TestClient(app, client=("192.0.2.8", 50000)), "nobody", "guess") == 401


def test_an_address_trying_many_names_is_paused(web_world: World) -> None:
    app = create_app(make_settings(web_world, login_attempts=3, login_address_attempts=6))
    c = TestClient(app, client=("192.0.2.9", 50000))
    assert [_sign_in(c, f"name{i}", "guess") for i in range(6)] == [401] * 6
    assert _sign_in(c, "admin", PASSWORD) == 429
    page = c.get("/login")
    r = c.post(
        "/login",
        data={"username": "admin", "password": PASSWORD, "csrf_token": csrf_of(page.text)},
    )
    assert r.status_code == 429 and "登录失败次数过多，请 15 分钟后再试" in r.text
    # other addresses are not affected
    assert _sign_in(TestClient(app, client=("192.0.2.10", 50000)), "admin", PASSWORD) == 303


def test_forwarded_for_is_believed_only_from_trusted_proxies(web_world: World) -> None:
    # by default no proxy is trusted: the header is ignored, the peer is the address
    app = create_app(make_settings(web_world, login_attempts=2))
    direct = TestClient(app, client=("203.0.113.5", 50000))
    for forged in ("198.51.100.1", "198.51.100.2"):
        assert _sign_in(direct, "admin", "wrong", **{"X-Forwarded-For": forged}) == 401
    assert _sign_in(direct, "admin", PASSWORD, **{"X-Forwarded-For": "198.51.100.3"}) == 429
    # behind a configured proxy the client's address is the one the proxy forwards
    app = create_app(make_settings(web_world, login_attempts=2, trusted_proxies=("10.0.0.0/8",)))
    proxy = TestClient(app, client=("10.0.0.2", 50000))
    for _ in range(2):
        assert _sign_in(proxy, "admin", "wrong", **{"X-Forwarded-For": "198.51.100.1"}) == 401
    assert _sign_in(proxy, "admin", PASSWORD, **{"X-Forwarded-For": "198.51.100.1"}) == 429
    assert _sign_in(proxy, "admin", PASSWORD, **{"X-Forwarded-For": "198.51.100.2"}) == 303
    # an untrusted peer still cannot choose its address, even with the setting
    other = TestClient(app, client=("203.0.113.6", 50000))
    for _ in range(2):
        assert _sign_in(other, "admin", "wrong", **{"X-Forwarded-For": "198.51.100.4"}) == 401
    assert _sign_in(other, "admin", PASSWORD, **{"X-Forwarded-For": "198.51.100.5"}) == 429


@pytest.mark.parametrize(
    ("peer", "forwarded", "expected"),
    [
        ("203.0.113.5", "198.51.100.1", "203.0.113.5"),  # untrusted peer: header ignored
        ("10.0.0.2", "198.51.100.1", "198.51.100.1"),
        ("10.0.0.2", "6.6.6.6, 198.51.100.1, 10.0.0.9", "198.51.100.1"),  # a forged first hop
        ("10.0.0.2", "", "10.0.0.2"),
        ("::1", "198.51.100.1", "198.51.100.1"),
    ],
)
def test_client_address(web_world: World, peer: str, forwarded: str, expected: str) -> None:
    app = create_app(make_settings(web_world, trusted_proxies=("10.0.0.0/8", "::1")))
    headers = [(b"x-forwarded-for", forwarded.encode())] if forwarded else []
    scope = {"type": "http", "headers": headers, "client": (peer, 1), "app": app}
    assert client_address(Request(scope)) == expected


def test_anonymous_visitors_write_no_sessions(app, web_world: World) -> None:  # type: ignore[no-untyped-def]
    def rows() -> int:
        with store.session(web_world.url) as s:
            return s.scalar(select(func.count()).select_from(t.WebSession))  # type: ignore[no-any-return]

    before = rows()
    for _ in range(50):
        assert TestClient(app).get("/login").status_code == 200
    assert rows() == before
    # a failed sign-in writes none either; a successful one writes one
    c = TestClient(app)
    assert _sign_in(c, "admin", "wrong") == 401
    assert rows() == before
    assert _sign_in(c, "admin", PASSWORD) == 303
    assert rows() == before + 1


def test_a_tampered_expired_or_foreign_login_token_is_refused(app) -> None:  # type: ignore[no-untyped-def]
    c = TestClient(app)
    token = csrf_of(c.get("/login").text)
    issued, nonce, mac = token.split(".")
    old = sessions.login_token("test-secret", nonce, now=time.time() - 3 * 3600)
    foreign = sessions.login_token("another-secret", nonce)
    other_browser = csrf_of(TestClient(app).get("/login").text)  # bound to another nonce
    for bad in (
        f"{issued}.{nonce}.{mac[:-2]}AA",
        f"{int(issued) + 3600}.{nonce}.{mac}",
        old,
        foreign,
        other_browser,
        "",
    ):
        r = c.post("/login", data={"username": "admin", "password": PASSWORD, "csrf_token": bad})
        assert r.status_code == 403 and "CSRF" in r.text, bad
        assert c.cookies.get(COOKIE) is None
    # the refusal offers a fresh form that works
    r = c.post(
        "/login",
        data={"username": "admin", "password": PASSWORD, "csrf_token": csrf_of(r.text)},
        follow_redirects=False,
    )
    assert r.status_code == 303
    # signed in: the API answers with the session cookie (writes carry the session's token)
    assert c.get("/api/v1/regions?level=city").json()["total"] == 11


def test_login_and_logout_need_the_csrf_token(app) -> None:  # type: ignore[no-untyped-def]
    c = TestClient(app)
    c.get("/login")
    r = c.post("/login", data={"username": "admin", "password": PASSWORD})
    assert r.status_code == 403
    login(c, "admin")
    assert c.post("/logout", follow_redirects=False).status_code == 403
    r = c.post("/logout", data={"csrf_token": csrf_of(c.get("/").text)}, follow_redirects=False)
    assert r.status_code == 303
    assert c.get("/", follow_redirects=False).status_code == 303


def test_idle_timeout(web_world: World) -> None:
    c = TestClient(create_app(make_settings(web_world, idle_timeout_s=1)))
    login(c, "admin")
    assert c.get("/healthz").status_code == 200
    time.sleep(1.2)
    assert c.get("/", follow_redirects=False).status_code == 303


def test_api_tokens(web_world: World, app) -> None:  # type: ignore[no-untyped-def]
    c = TestClient(app)
    token = tokens.issue("u330100", "test-secret", days=1)
    ok = c.get("/api/v1/regions?level=city", headers={"Authorization": f"Bearer {token}"})
    assert ok.status_code == 200 and ok.json()["total"] == 11
    forged = tokens.issue("admin", "another-secret", days=1)
    assert (
        c.get("/api/v1/regions", headers={"Authorization": f"Bearer {forged}"}).status_code == 401
    )
    expired = tokens.issue("admin", "test-secret", days=1, now=time.time() - 2 * 86400)
    assert (
        c.get("/api/v1/regions", headers={"Authorization": f"Bearer {expired}"}).status_code == 401
    )
    # a cookie-authenticated API write needs the CSRF header
    browser = client_for(app, "admin")
    r = browser.post("/api/v1/submissions/330102/2022-06/unlock", data={"reason": "x"})
    assert r.status_code == 403


def test_a_disabled_users_token_stops_working(web_world: World, app) -> None:  # type: ignore[no-untyped-def]
    with store.session(web_world.url) as s:
        users.add_user(s, "leaver", "viewer")
    token = tokens.issue("leaver", "test-secret")
    c = TestClient(app)
    assert c.get("/api/v1/regions", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    with store.session(web_world.url) as s:
        users.disable_user(s, "leaver")
    assert c.get("/api/v1/regions", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_sessions_live_in_the_store_and_outlast_the_process(web_world: World) -> None:
    first = create_app(make_settings(web_world))
    c = TestClient(first)
    login(c, "admin")
    sid = c.cookies.get(COOKIE)
    with store.session(web_world.url) as s:
        kept = s.scalars(select(t.WebSession.id_hash)).all()
    # the store holds the id's SHA-256, never the id the cookie carries
    assert hashlib.sha256(sid.encode()).hexdigest() in kept and sid not in kept
    # a second server process (or the same one restarted) knows the session …
    second = TestClient(create_app(make_settings(web_world)))
    second.cookies.set(COOKIE, sid)
    assert second.get("/", follow_redirects=False).status_code == 200
    # … and signing out in one ends it in the other
    r = c.post("/logout", data={"csrf_token": csrf_of(c.get("/").text)}, follow_redirects=False)
    assert r.status_code == 303
    assert second.get("/", follow_redirects=False).status_code == 303
    with store.session(web_world.url) as s:
        assert (
            hashlib.sha256(sid.encode()).hexdigest()
            not in s.scalars(select(t.WebSession.id_hash)).all()
        )


def test_a_disabled_users_session_ends_at_once(web_world: World, app) -> None:  # type: ignore[no-untyped-def]
    with store.session(web_world.url) as s:
        users.add_user(s, "mover", "viewer")
        users.set_password(s, "mover", PASSWORD)
    c = TestClient(app)
    login(c, "mover")
    assert c.get("/", follow_redirects=False).status_code == 200
    with store.session(web_world.url) as s:
        users.disable_user(s, "mover")
    assert c.get("/", follow_redirects=False).status_code == 303


def test_sign_in_settings_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ZHUANSHENG_WEB_LOGIN_ATTEMPTS", "4")
    monkeypatch.setenv("ZHUANSHENG_WEB_LOGIN_ADDRESS_ATTEMPTS", "40")
    monkeypatch.setenv("ZHUANSHENG_WEB_LOGIN_WINDOW", "600")
    monkeypatch.setenv("ZHUANSHENG_WEB_TRUSTED_PROXIES", "127.0.0.1, 10.0.0.0/8")
    s = web_settings.from_env()
    assert (s.login_attempts, s.login_address_attempts, s.login_window_s) == (4, 40, 600)
    assert s.trusted_proxies == ("127.0.0.1", "10.0.0.0/8")
    assert web_settings.WebSettings().trusted_proxies == ()  # default: no proxy trusted
    with pytest.raises(ValueError, match="TRUSTED_PROXIES"):
        proxy_networks(["10.0.0.0/8", "proxy.example"])
