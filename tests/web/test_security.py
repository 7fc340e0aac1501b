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


def test_csrf_is_required_on_every_form(web_world: World, app, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    c = client_for(app, f"u{web_world.editable_county}")
    path = fill_template(
        blank_template(web_world, web_world.editable_county, tmp_path), tmp_path / "a.xlsx"
    )
    for token in ("", "forged-token"):
        r = _upload(c, path, "a.xlsx", web_world.editable_county, web_world.period, token=token)
        assert r.status_code == 403 and "CSRF" in r.text  # type: ignore[attr-defined]
    r = c.post(f"/submissions/{web_world.editable_county}/{web_world.period}/submit")
    assert r.status_code == 403
    with store.session(web_world.url) as s:
        assert (
            s.scalar(
                select(t.Submission).where(
                    t.Submission.region_code == web_world.editable_county,
                    t.Submission.period == web_world.period,
                )
            )
            is None
        )


def test_an_uploaded_name_is_escaped_on_every_page(web_world: World, app, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    county = web_world.editable_county
    c = client_for(app, f"u{county}")
    path = fill_template(blank_template(web_world, county, tmp_path), tmp_path / "x.xlsx")
    r = _upload(c, path, f"{XSS}.xlsx", county, web_world.period, comment=f"核实无误 {XSS}")
    assert r.status_code == 200 and "已接收" in r.text, r.text  # type: ignore[attr-defined]
    admin = client_for(app, USERS["province_admin"])
    escaped = f"{XSS}.xlsx".replace("<", "&lt;").replace(">", "&gt;")
    # every page here shows the uploaded name: HTML-escaped in the markup …
    pages = {
        "upload result": r.text,  # type: ignore[attr-defined]
        "submission (county)": c.get(f"/submissions/{county}/{web_world.period}").text,
        "submission (admin)": admin.get(f"/submissions/{county}/{web_world.period}").text,
    }
    for label, html in pages.items():
        assert XSS not in html, label
        assert escaped in html, label
    # … and JSON-escaped (``tojson``) in the detail column of the audit log
    audit = admin.get("/admin/audit?action=import.observations").text
    assert XSS not in audit
    assert f"{XSS}.xlsx".replace("<", "\\u003c").replace(">", "\\u003e") in audit
    # the JSON API returns the name as data, with a JSON content type
    api = admin.get(f"/api/v1/observations?region={county}&period={web_world.period}")
    assert api.headers["content-type"].startswith("application/json")
    assert {o["source_name"] for o in api.json()["items"]} == {f"{XSS}.xlsx"}
    # then the county submits, and the city above returns it with a reason
    token = csrf_of(c.get(f"/submissions/{county}/{web_world.period}").text)
    r = c.post(
        f"/submissions/{county}/{web_world.period}/submit",
        data={"csrf_token": token},
        follow_redirects=False,
    )
    assert r.status_code == 303
    city = client_for(app, "u" + county[:4] + "00")
    token = csrf_of(city.get(f"/submissions/{county}/{web_world.period}").text)
    r = city.post(
        f"/submissions/{county}/{web_world.period}/return",
        data={"csrf_token": token, "reason": "请核实"},
    )
    assert r.status_code == 200 and "已退回" in r.text


def test_an_error_in_the_upload_is_named_by_its_cell(web_world: World, app, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    c = client_for(app, USERS["county"])
    path = fill_template(
        blank_template(web_world, "330102", tmp_path), tmp_path / "bad.xlsx", bad_cell=True
    )
    r = _upload(c, path, "上城区-2022-12.xlsx", "330102", web_world.period)
    assert r.status_code == 200  # type: ignore[attr-defined]
    assert "未写入任何数据" in r.text and "本期值列（G5）" in r.text and "一百二十台" in r.text  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "q", ["' OR '1'='1", "%'; DROP TABLE enterprises; --", '" OR 1=1 --', "%", "_", "__%"]
)
def test_sql_metacharacters_in_search_are_plain_text(web_world: World, app, q: str) -> None:  # type: ignore[no-untyped-def]
    with store.session(web_world.url) as s:
        before = s.scalar(select(func.count()).select_from(t.Enterprise))
    c = client_for(app, USERS["province_admin"])
    r = c.get("/enterprises", params={"q": q})
    assert r.status_code == 200 and "0 条结果" in r.text
    r = c.get("/lists/registries", params={"q": q})
    assert r.status_code == 200 and "共 0 条" in r.text
    assert c.get("/api/v1/enterprises", params={"q": q}).json()["total"] == 0
    with store.session(web_world.url) as s:
        assert s.scalar(select(func.count()).select_from(t.Enterprise)) == before


def test_upload_size_limit(web_world: World) -> None:
    app = create_app(make_settings(web_world, max_upload_bytes=1000))
    c = client_for(app, USERS["county"])
    token = csrf_of(c.get("/submissions").text)
    data = {"region": "330102", "period": web_world.period, "csrf_token": token}
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


def test_api_reads_of_enterprise_data_are_audited(web_world: World, app) -> None:  # type: ignore[no-untyped-def]
    c = client_for(app, USERS["county"])
    run_id = c.get("/api/v1/evaluations").json()["items"][0]["run_id"]
    calls = {
        "export.api.screening": "/api/v1/screening",
        "export.api.evaluation_results": f"/api/v1/evaluations/{run_id}/results",
        "export.api.enterprise": f"/api/v1/enterprises/{web_world.own_uscc}",
        "export.api.observations": "/api/v1/observations?region=330102&period=2022-06",
    }

    def rows(action: str) -> int:
        with store.session(web_world.url) as s:
            return (
                s.scalar(
                    select(func.count())
                    .select_from(t.AuditLog)
                    .where(t.AuditLog.action == action, t.AuditLog.actor == USERS["county"])
                )
                or 0
            )

    for action, url in calls.items():
        before = rows(action)
        assert c.get(url).status_code == 200, url
        assert rows(action) == before + 1, action


def test_a_refused_upload_leaves_no_file(  # type: ignore[no-untyped-def]
    web_world: World, app, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tempfile

    uploads = tmp_path / "uploads"
    uploads.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(uploads))  # where the app saves uploads
    c = client_for(app, USERS["county"])  # 上城区 330102
    path = fill_template(blank_template(web_world, "330102", tmp_path), tmp_path / "ok.xlsx")
    other = _upload(c, path, "x.xlsx", "330603", web_world.period)  # another county: refused
    unknown = _upload(c, path, "x.xlsx", "339999", web_world.period)  # no such region
    assert other.status_code == 403 and unknown.status_code in (400, 404)  # type: ignore[attr-defined]
    assert list(uploads.iterdir()) == []


def test_a_bad_map_option_is_refused_with_what_to_choose(app) -> None:  # type: ignore[no-untyped-def]
    c = client_for(app, USERS["province_admin"])
    r = c.get("/map", params={"level": "county", "target": "robots_new", "by": "colour"})
    assert r.status_code == 400 and "completion（完成率）或 status（进度状态）" in r.text
    r = c.get("/map", params={"level": "county", "target": "robots_new", "by": "status"})
    assert r.status_code == 200 and 'data-by="status"' in r.text
    r = c.get("/map", params={"level": "county", "by": "status"})  # no target: share of green
    assert r.status_code == 200 and 'data-by="completion"' in r.text


@pytest.mark.parametrize("name", ["..", "../..", "..\\..", "/", "a\x00b.xlsx", "../../etc/x.xlsx"])
def test_an_upload_named_dot_dot_is_sanitised_and_leaves_no_folder(  # type: ignore[no-untyped-def]
    web_world: World, app, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    import tempfile

    uploads = tmp_path / "uploads"
    uploads.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(uploads))  # where the app saves uploads
    c = client_for(app, USERS["county"])  # 上城区 330102
    blank = blank_template(web_world, "330102", tmp_path)
    bad = fill_template(blank, tmp_path / "bad.xlsx", bad_cell=True)
    page = _upload(c, bad, name, "330102", web_world.period)
    assert page.status_code in (200, 400), page.text  # type: ignore[attr-defined]
    assert "未写入" in page.text or "不支持的文件类型" in page.text  # type: ignore[attr-defined]
    good = fill_template(blank, tmp_path / "ok.xlsx")
    token = csrf_of(c.get("/submissions").text)
    api = c.post(
        "/api/v1/observations",
        data={"region": "330102", "period": web_world.period, "dry_run": "true"},
        headers={"X-CSRF-Token": token},
        files={"file": (name, good.read_bytes(), XLSX)},
    )
    assert api.status_code in (200, 400), api.text
    assert list(uploads.iterdir()) == []


def test_stale_temporary_folders_are_removed_when_the_app_starts(
    web_world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os
    import tempfile
    import time

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    old = [tmp_path / "zs-upload-killed", tmp_path / "zs-template-killed"]
    for folder in old:
        folder.mkdir()
        (folder / "柯桥.xlsx").write_bytes(b"PK")
        then = time.time() - 2 * 3600
        os.utime(folder, (then, then))
    fresh = tmp_path / "zs-upload-in-use"  # a request of another server process, under way
    fresh.mkdir()
    someone_elses = tmp_path / "other-app-old"
    someone_elses.mkdir()
    os.utime(someone_elses, (time.time() - 7200,) * 2)
    create_app(make_settings(web_world))
    assert [p.exists() for p in old] == [False, False]
    assert fresh.exists() and someone_elses.exists()
