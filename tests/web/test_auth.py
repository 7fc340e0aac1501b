"""Signing in and out: argon2 passwords, cookies, session rotation, CSRF, rate limit, idle
timeout, API tokens."""

from __future__ import annotations

import hashlib
import time

from fastapi.testclient import TestClient
from sqlalchemy import select
from web_helpers import PASSWORD, World, client_for, csrf_of, login, make_settings

from zhuansheng import store, users
from zhuansheng.services import tokens
from zhuansheng.services.sessions import COOKIE
from zhuansheng.store import tables as t
from zhuansheng.web import create_app


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
    before = c.cookies.get(COOKIE)
    header = page.headers["set-cookie"].lower()
    assert "httponly" in header and "samesite=lax" in header
    r = c.post(
        "/login",
        data={"username": "admin", "password": PASSWORD, "csrf_token": csrf_of(page.text)},
        follow_redirects=False,
    )
    after = c.cookies.get(COOKIE)
    assert r.status_code == 303 and before and after and after != before
    # the id planted before login (session fixation) grants nothing
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
