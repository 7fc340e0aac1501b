"""Security: CSRF, escaping of an uploaded name on every page, SQL metacharacters in search,
upload size limits, and the submission round trip through the web."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from web_helpers import (
    USERS,
    World,
    blank_template,
    client_for,
    csrf_of,
    fill_template,
    make_settings,
)

from zhuansheng import store
from zhuansheng.store import tables as t
from zhuansheng.web import create_app

XSS = "<img src=x onerror=alert(1)>"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _upload(
    c: TestClient,
    path: Path,
    name: str,
    region: str,
    period: str,
    comment: str = "",
    token: str | None = None,
) -> object:
    token = token if token is not None else csrf_of(c.get(f"/submissions?period={period}").text)
    return c.post(
        "/submissions/upload",
        data={"region": region, "period": period, "comment": comment, "csrf_token": token},
        files={"file": (name, path.read_bytes(), XLSX)},
    )


def test_csrf_is_required_on_every_form(world: World, app, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    c = client_for(app, f"u{world.editable_county}")
    path = fill_template(
        blank_template(world, world.editable_county, tmp_path), tmp_path / "a.xlsx"
    )
    for token in ("", "forged-token"):
        r = _upload(c, path, "a.xlsx", world.editable_county, world.period, token=token)
        assert r.status_code == 403 and "CSRF" in r.text  # type: ignore[attr-defined]
    r = c.post(f"/submissions/{world.editable_county}/{world.period}/submit")
    assert r.status_code == 403
    with store.session(world.url) as s:
        assert (
            s.scalar(
                select(t.Submission).where(
                    t.Submission.region_code == world.editable_county,
                    t.Submission.period == world.period,
                )
            )
            is None
        )


def test_an_uploaded_name_is_escaped_on_every_page(world: World, app, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    county = world.editable_county
    c = client_for(app, f"u{county}")
    path = fill_template(blank_template(world, county, tmp_path), tmp_path / "x.xlsx")
    r = _upload(c, path, f"{XSS}.xlsx", county, world.period, comment=f"核实无误 {XSS}")
    assert r.status_code == 200 and "已接收" in r.text, r.text  # type: ignore[attr-defined]
    admin = client_for(app, USERS["province_admin"])
    pages = [
        r.text,  # type: ignore[attr-defined]
        c.get(f"/submissions/{county}/{world.period}").text,
        admin.get(f"/submissions/{county}/{world.period}").text,
        admin.get("/admin/audit").text,
        admin.get(f"/regions/{county}?period={world.period}").text,
        c.get(f"/submissions?period={world.period}").text,
    ]
    for html in pages:
        assert XSS not in html
    assert f"{XSS}.xlsx".replace("<", "&lt;").replace(">", "&gt;") in pages[1]
    # the JSON API returns the name as data, with a JSON content type
    api = admin.get(f"/api/v1/observations?region={county}&period={world.period}")
    assert api.headers["content-type"].startswith("application/json")
    assert {o["source_name"] for o in api.json()["items"]} == {f"{XSS}.xlsx"}
    # then the county submits, and the city above returns it with a reason
    token = csrf_of(c.get(f"/submissions/{county}/{world.period}").text)
    r = c.post(
        f"/submissions/{county}/{world.period}/submit",
        data={"csrf_token": token},
        follow_redirects=False,
    )
    assert r.status_code == 303
    city = client_for(app, "u" + county[:4] + "00")
    token = csrf_of(city.get(f"/submissions/{county}/{world.period}").text)
    r = city.post(
        f"/submissions/{county}/{world.period}/return",
        data={"csrf_token": token, "reason": "请核实"},
    )
    assert r.status_code == 200 and "已退回" in r.text


def test_an_error_in_the_upload_is_named_by_its_cell(world: World, app, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    c = client_for(app, USERS["county"])
    path = fill_template(
        blank_template(world, "330102", tmp_path), tmp_path / "bad.xlsx", bad_cell=True
    )
    r = _upload(c, path, "上城区-2022-12.xlsx", "330102", world.period)
    assert r.status_code == 200  # type: ignore[attr-defined]
    assert "未写入任何数据" in r.text and "本期值列（G5）" in r.text and "一百二十台" in r.text  # type: ignore[attr-defined]


@pytest.mark.parametrize("q", ["' OR '1'='1", "%'; DROP TABLE enterprises; --", '" OR 1=1 --'])
def test_sql_metacharacters_in_search_are_plain_text(world: World, app, q: str) -> None:  # type: ignore[no-untyped-def]
    with store.session(world.url) as s:
        before = s.scalar(select(func.count()).select_from(t.Enterprise))
    c = client_for(app, USERS["province_admin"])
    r = c.get("/enterprises", params={"q": q})
    assert r.status_code == 200 and "0 条结果" in r.text
    r = c.get("/lists/registries", params={"q": q})
    assert r.status_code == 200 and "共 0 条" in r.text
    assert c.get("/api/v1/enterprises", params={"q": q}).json()["total"] == 0
    with store.session(world.url) as s:
        assert s.scalar(select(func.count()).select_from(t.Enterprise)) == before


def test_upload_size_limit(world: World) -> None:
    app = create_app(make_settings(world, max_upload_bytes=1000))
    c = client_for(app, USERS["county"])
    token = csrf_of(c.get("/submissions").text)
    data = {"region": "330102", "period": world.period, "csrf_token": token}
    # over the limit but within the request allowance: refused when read
    r = c.post("/submissions/upload", data=data, files={"file": ("a.xlsx", b"x" * 2000, XLSX)})
    assert r.status_code == 400 and "上传文件过大" in r.text
    # far over: refused from the Content-Length header before the body is read
    r = c.post(
        "/submissions/upload", data=data, files={"file": ("a.xlsx", b"x" * (200 * 1024), XLSX)}
    )
    assert r.status_code == 413
    api = c.post(
        "/api/v1/observations",
        data=data,
        headers={"X-CSRF-Token": token},
        files={"file": ("a.xlsx", b"x" * (200 * 1024), XLSX)},
    )
    assert api.status_code == 413 and "error" in api.json()


def test_security_headers(app) -> None:  # type: ignore[no-untyped-def]
    r = client_for(app, None).get("/login")
    assert r.headers["x-frame-options"] == "DENY"
    assert "script-src 'self'" in r.headers["content-security-policy"]
