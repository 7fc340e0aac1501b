"""The ranking page and /api/v1/assess against ``assess.run`` called here directly; the reports
page and /api/v1/reports: scope, downloads in the audit log, generation on request, and refusals
that write nothing."""

from __future__ import annotations

import io
import re
from urllib.parse import quote

import docx
import pytest
from sqlalchemy import func, select
from web_helpers import USERS, Reports, World, client_for, csrf_of, make_settings

from zhuansheng import assess, store
from zhuansheng.services import tokens
from zhuansheng.store import tables as t
from zhuansheng.web import create_app
from zhuansheng.workspace import at

CITIES = 11


def bearer(username: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {tokens.issue(username, 'test-secret')}"}


def audit_count(web_world: World, action: str, entity_id: str | None = None) -> int:
    with store.session(web_world.url) as s:
        q = select(func.count()).select_from(t.AuditLog).where(t.AuditLog.action == action)
        if entity_id is not None:
            q = q.where(t.AuditLog.entity_id == entity_id)
        return int(s.scalar(q) or 0)


# --- rankings ----------------------------------------------------------------------------------


def test_assess_api_agrees_with_assess_run(web_world: World, app) -> None:  # type: ignore[no-untyped-def]
    direct = assess.run(
        period="2022Q2", level="city", sensitivity=200, ws=at(web_world.url), save=False
    )
    c = client_for(app, None)
    r = c.get("/api/v1/assess?period=2022Q2&level=city&sensitivity=200", headers=bearer("admin"))
    assert r.status_code == 200
    body = r.json()
    assert body["total"] == CITIES and body["regions"] == CITIES and body["synthetic"] is True
    assert "合成演示数据" in body["title_zh"]
    first, top = body["items"][0], direct.rows[0]
    assert (first["region"], first["rank"], first["score"]) == (top.region, 1, top.score)
    assert [i["region"] for i in body["items"]] == [row.region for row in direct.rows]
    for item in body["items"]:
        assert item["rank_p05"] <= item["rank_median"] <= item["rank_p95"]
        # additive scheme: score = Σ contributions + bonus − penalty (rounded to 4 places)
        total = sum(item["contributions"].values()) + item["bonus"] - item["penalty"]
        assert abs(total - item["score"]) < 1e-3
    # without sensitivity the rows carry no interval; the same ranks
    plain = c.get("/api/v1/assess?period=2022Q2&level=city", headers=bearer("admin")).json()
    assert plain["items"][0]["rank_p05"] is None and plain["items"][0]["region"] == top.region


def test_assess_api_pages_and_errors(app) -> None:  # type: ignore[no-untyped-def]
    c = client_for(app, None)
    h = bearer("analyst")
    pages = [
        c.get(f"/api/v1/assess?period=2022Q2&level=county&page_size=40&page={n}", headers=h).json()
        for n in (1, 2, 3)
    ]
    assert [len(p["items"]) for p in pages] == [40, 40, 10]  # 90 counties = 40 + 40 + 10
    assert len({i["region"] for p in pages for i in p["items"]}) == 90
    assert pages[1]["items"][0]["rank"] >= pages[0]["items"][-1]["rank"]  # ranks continue
    for bad in ("2021Q4", "2022-06"):  # periods the evaluation cannot rank
        r = c.get(f"/api/v1/assess?period={bad}", headers=h)
        assert r.status_code == 400, bad
        message = r.json()["error"]["message"]
        assert bad in message and "无法评价" in message
    r = c.get("/api/v1/assess?period=2022Q9", headers=h)  # no period at all: the schema refuses
    assert r.status_code == 422 and "无法识别的期间 '2022Q9'" in r.json()["error"]["message"]
    assert (
        "可选期间为 2022Q1、2022Q2、2022Q3、2022Q4、2022"
        in c.get("/api/v1/assess?period=2021Q4", headers=h).json()["error"]["message"]
    )
    r = c.get("/api/v1/assess?level=province", headers=h)
    assert r.status_code == 422 and r.json()["error"]["problems"]
    assert c.get("/api/v1/assess?sensitivity=100000", headers=h).status_code == 422
    assert c.get("/api/v1/assess?period=2022Q2").status_code == 401


def test_ranking_page_shows_ranks_arrows_intervals_and_contributions(web_world: World, app) -> None:  # type: ignore[no-untyped-def]
    direct = assess.run(
        period="2022Q2", level="city", sensitivity=200, ws=at(web_world.url), save=False
    )
    c = client_for(app, USERS["county"])
    html = c.get("/rankings?period=2022Q2&level=city").text
    assert "2022年第二季度季度运行评价 · 设区市（合成演示数据）" in html
    rows = re.findall(r'<tr class="ranked" data-region="(\d+)" data-rank="(\d+)">', html)
    assert [code for code, _ in rows] == [r.region for r in direct.rows]
    assert len(rows) == CITIES
    for r in direct.rows:
        cells = html.split(f'data-region="{r.region}"')[1].split("</tr>")[0]
        assert f"/regions/{r.region}" in cells
        # the arrow: the previous quarter's rank minus this one
        change = r.rank_change
        if change is None:
            arrow = "—"
        else:
            arrow = f"↑{change}" if change > 0 else f"↓{-change}" if change < 0 else "→0"
        assert f">{arrow}</td>" in cells
        # the band starts at p05 on a 1…11 scale: left = 100 × (p05 − 1) / (11 − 1) %
        left = float(re.search(r'class="band" style="left: ([\d.]+)%', cells).group(1))
        assert left == pytest.approx(100 * (r.rank_p05 - 1) / (CITIES - 1), abs=0.01)
    # the drill-down: each indicator's points for the first city, as assess computed them
    top = direct.rows[0]
    part = c.get(f"/rankings/contributions?period=2022Q2&level=city&region={top.region}").text
    for ind in direct.indicators:
        cell = re.search(rf'data-indicator="{ind.id}">.*?class="n points">([\d.]+)', part)
        assert cell and float(cell.group(1)) == pytest.approx(top.contributions[ind.id], abs=0.005)
    assert c.get("/rankings/contributions?period=2022Q2&region=999999").status_code == 404
    assert c.get("/rankings?period=2021Q4").status_code == 400


def test_rankings_can_be_limited_to_the_users_scope(web_world: World) -> None:
    app = create_app(make_settings(web_world, all_regions_visible=False))
    county = client_for(app, USERS["county"])
    body = county.get("/api/v1/assess?period=2022Q2&level=county").json()
    assert [i["region"] for i in body["items"]] == ["330102"] and body["regions"] == 90
    html = county.get("/rankings?period=2022Q2&level=county").text
    assert re.findall(r'class="ranked" data-region="(\d+)"', html) == ["330102"]
    city = client_for(app, USERS["city"]).get("/api/v1/assess?period=2022Q2&level=county").json()
    assert {i["region"][:4] for i in city["items"]} == {"3301"}
    viewer = client_for(app, USERS["viewer"])
    assert viewer.get("/api/v1/assess?period=2022Q2&level=county").json()["total"] == 90


# --- reports ------------------------------------------------------------------------------------


def test_report_lists_are_scoped(app, reports: Reports) -> None:  # type: ignore[no-untyped-def]
    def names(user: str) -> set[str]:
        r = client_for(app, None).get("/api/v1/reports", headers=bearer(user))
        assert r.status_code == 200
        return {i["name"] for i in r.json()["items"]}

    for user in (USERS["county"], USERS["city"]):
        seen = names(user)
        assert {reports.province, reports.own} <= seen and reports.other not in seen
    for user in (USERS["province_admin"], USERS["department"], USERS["viewer"]):
        assert {reports.province, reports.own, reports.other} <= names(user)
    html = client_for(app, USERS["county"]).get("/reports").text
    assert "上城区（330102）" in html and "柯桥区（330603）" not in html
    assert "合成演示数据" in html
    # the form offers a county user its own county only, and a viewer no form at all
    form = html.split('id="report-form"')[1].split("</form>")[0]
    assert re.findall(r'<option value="(\d*)"', form.split('name="region"')[1]) == ["330102"]
    assert 'id="report-form"' not in client_for(app, USERS["viewer"]).get("/reports").text


def test_downloads_are_scoped_and_audited(web_world: World, app, reports: Reports) -> None:  # type: ignore[no-untyped-def]
    c = client_for(app, USERS["county"])
    before = audit_count(web_world, "export.report", reports.own)
    r = c.get(f"/reports/files/{quote(reports.own)}")
    assert r.status_code == 200 and r.content[:2] == b"PK"  # a docx is a zip
    assert "filename*=utf-8''" in r.headers["content-disposition"]
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(r.content)).paragraphs)
    assert "上城区" in text
    assert audit_count(web_world, "export.report", reports.own) == before + 1
    assert c.get(f"/reports/files/{quote(reports.other)}").status_code == 403
    assert c.get("/reports/files/..%2F..%2Fzhuansheng.db").status_code == 404
    api = client_for(app, None).get(
        f"/api/v1/reports/{quote(reports.other)}", headers=bearer(USERS["county"])
    )
    assert api.status_code == 403 and "无权" in api.json()["error"]["message"]
    assert audit_count(web_world, "export.report", reports.own) == before + 1


def test_out_of_scope_or_wrong_requests_write_nothing(
    web_world: World, app, reports: Reports
) -> None:  # type: ignore[no-untyped-def]
    before = sorted(p.name for p in web_world.reports.iterdir())
    c = client_for(app, None)
    county = bearer(USERS["county"])
    other = {"kind": "quarterly", "period": "2022Q2", "region": "330603", "formats": ["docx"]}
    r = c.post("/api/v1/reports", json=other, headers=county)
    assert r.status_code == 403 and "市、县用户只能生成本地区" in r.json()["error"]["message"]
    r = c.post("/api/v1/reports", json={**other, "kind": "monthly", "period": "2022-06"})
    assert r.status_code == 401
    own = {**other, "region": "330102"}
    r = c.post("/api/v1/reports", json={**own, "period": "2022-06"}, headers=county)
    assert r.status_code == 400 and "2022Q2 这样的形式" in r.json()["error"]["message"]
    r = c.post("/api/v1/reports", json={**own, "formats": ["doc"]}, headers=county)
    assert r.status_code == 422
    # the page form: without the CSRF token refused; a wrong period shown in the HTMX fragment
    page = client_for(app, USERS["county"])
    r = page.post("/reports", data={k: v for k, v in own.items() if k != "formats"})
    assert r.status_code == 403 and "CSRF" in r.text
    token = csrf_of(page.get("/reports").text)
    r = page.post(
        "/reports",
        data={**own, "period": "2022Q9", "csrf_token": token},
        headers={"HX-Request": "true"},
    )
    assert r.status_code == 400 and r.text.startswith('<p class="error"')
    assert "无法识别的期间 &#39;2022Q9&#39;" in r.text
    r = page.post("/reports", data={**other, "csrf_token": token})
    assert r.status_code == 403 and "无权生成该报告" in r.text and "<h1>" in r.text
    assert sorted(p.name for p in web_world.reports.iterdir()) == before


@pytest.mark.slow
def test_a_county_user_generates_its_own_briefing(web_world: World, app, reports: Reports) -> None:  # type: ignore[no-untyped-def]
    c = client_for(app, None)
    before = audit_count(web_world, "report.generate", "quarterly/2022Q3/330102")
    request = {"kind": "quarterly", "period": "2022Q3", "region": "330102", "formats": ["docx"]}
    r = c.post("/api/v1/reports", json=request, headers=bearer(USERS["county"]))
    assert r.status_code == 201, r.text
    files = r.json()["files"]
    assert [(f["kind"], f["period"], f["region"], f["format"]) for f in files] == [
        ("quarterly", "2022Q3", "330102", "docx")
    ]
    path = web_world.reports / files[0]["name"]
    assert path.is_file() and files[0]["synthetic"] is True
    assert "上城区" in "\n".join(p.text for p in docx.Document(str(path)).paragraphs)
    assert audit_count(web_world, "report.generate", "quarterly/2022Q3/330102") == before + 1
    assert not [p for p in web_world.reports.iterdir() if p.name.startswith(".~")]  # no temp left
    # it is listed for the county and its city, not for another county
    listed = client_for(app, USERS["city"]).get("/api/v1/reports?page_size=1000").json()["items"]
    assert files[0]["name"] in {i["name"] for i in listed}
    assert web_world.editable_county != "330102"
    stranger = bearer(f"u{web_world.editable_county}")
    listed = c.get("/api/v1/reports?page_size=1000", headers=stranger).json()["items"]
    assert files[0]["name"] not in {i["name"] for i in listed}
