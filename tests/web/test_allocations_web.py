"""The allocations page and API: what each role sees, and an upload that monitoring uses at
once (on a copy of the demo world of its own, as it writes)."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi.testclient import TestClient
from web_helpers import NODE_MODULES, PASSWORD, USERS, client_for, csrf_of

from zhuansheng import store, users
from zhuansheng.services import tokens
from zhuansheng.web import WebSettings, create_app

UPLOAD_FORM = 'id="alloc-upload-form"'


def regions_shown(html: str, section: str) -> set[str]:
    table = html.split(f'id="{section}"', 1)[1].split("</table>", 1)[0]
    return set(re.findall(r'data-region="(\d{6})"', table))


def test_the_province_sees_every_city_the_sums_and_the_upload(app) -> None:  # type: ignore[no-untyped-def]
    c = client_for(app, USERS["province_admin"])
    page = c.get("/allocations?year=2022&target=future_factory_new")
    assert page.status_code == 200
    html = page.text
    cities = regions_shown(html, "alloc-target-rows")
    assert len(cities) == 11 and "330100" in cities  # 15 未来工厂: split to the cities only
    assert 'id="alloc-sums"' in html and "浙江省" in html  # the cities added up against 15
    assert UPLOAD_FORM in html and "level=city" in html and "level=county" in html
    assert 'href="/allocations"' in html  # the navigation link


def test_a_city_sees_itself_and_its_counties(app) -> None:  # type: ignore[no-untyped-def]
    c = client_for(app, USERS["city"])
    html = c.get("/allocations?year=2022&target=robots_new").text
    shown = regions_shown(html, "alloc-target-rows")
    assert "330100" in shown and len(shown) > 1
    assert all(code.startswith("3301") for code in shown)  # 杭州市 and its counties only
    # it allocates to its counties: the county template only
    assert UPLOAD_FORM in html and "level=county" in html and "level=city" not in html
    assert c.get("/allocations?year=2022&region=330603").status_code == 403  # 柯桥区


def test_a_county_sees_its_own_read_only(app) -> None:  # type: ignore[no-untyped-def]
    c = client_for(app, USERS["county"])
    html = c.get("/allocations?year=2022&target=robots_new").text
    assert regions_shown(html, "alloc-target-rows") == {"330102"}
    assert UPLOAD_FORM not in html and "分解目标由上级下达，本页只读" in html
    assert 'id="alloc-region-rows"' in html  # its own targets, by region
    token = {"Authorization": f"Bearer {tokens.issue(USERS['county'], 'test-secret')}"}
    api = TestClient(app).get("/api/v1/allocations?year=2022", headers=token).json()
    assert api["year"] == 2022 and api["total"] > 5
    assert {r["region"] for r in api["items"]} == {"330102"}


def test_an_upload_is_monitored_at_once(demo_world: Path) -> None:
    url = f"sqlite:///{demo_world / 'var' / 'zhuansheng.db'}"
    with store.session(url) as s:
        users.set_password(s, "admin", PASSWORD)
    settings = WebSettings(
        database_url=url, secret="test-secret", node_modules=NODE_MODULES,
        reports_dir=demo_world / "var" / "reports",
    )  # fmt: skip
    c = client_for(create_app(settings), "admin")
    rows = c.get("/api/v1/allocations?year=2022&target=future_factory_new").json()["items"]
    before = {r["region"]: r["value"] for r in rows}
    new = before["330600"] + 2  # 绍兴 two more: the sum stays above the province's 15
    csrf = csrf_of(c.get("/allocations").text)
    body = f"year,target,region,value\n2022,future_factory_new,330600,{new:g}\n".encode()
    r = c.post(
        "/api/v1/allocations",
        files={"file": ("sx.csv", body, "text/csv")},
        headers={"X-CSRF-Token": csrf},
    )
    assert r.status_code == 200, r.text
    assert (r.json()["written"], r.json()["unchanged"]) == (1, 0)
    monitored = c.get(
        "/api/v1/monitor?period=2022-06&region=330600&target=future_factory_new"
    ).json()["items"]
    (sx,) = [x for x in monitored if x["region"] == "330600"]
    assert (sx["target_source"], sx["target_value"]) == ("allocation", new)
    # the page: the value at revision 2, its history naming the file
    page = c.get("/allocations?year=2022&target=future_factory_new").text
    assert re.search(r'data-region="330600">[^\n]*?<td class="n">2</td>', page)
    history = c.get("/allocations/history?year=2022&target=future_factory_new&region=330600")
    assert "sx.csv" in history.text and "admin" in history.text
    api = c.get(
        "/api/v1/allocations/history?year=2022&target=future_factory_new&region=330600"
    ).json()
    assert [(x["revision"], x["value"], x["source_name"]) for x in api["items"]] == [
        (2, new, "sx.csv"),
        (1, before["330600"], api["items"][1]["source_name"]),
    ]
    assert api["items"][0]["recorded_by"] == "admin" and len(api["items"][0]["source_sha256"]) == 64
    # the page's own form: a refused file lists its problems, nothing written
    bad = c.post(
        "/allocations/upload",
        data={"csrf_token": csrf},
        files={"file": ("bad.csv", b"year,target,region,value\n2022,robots_new,330600,-1\n")},
    )
    assert bad.status_code == 200 and "负数" in bad.text and "第 2 行, 列 value" in bad.text
