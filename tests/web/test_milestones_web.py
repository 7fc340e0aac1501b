"""Milestone progress reports over real HTTP: a department's form with an evidence file, the
REST API (JSON and multipart, refusals), the province's review, and the responsible-unit pages.
On a copy of the web tests' world of its own, since these tests write reports."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from web_helpers import DEPARTMENT_UNIT, PASSWORD, USERS, World, csrf_of, private_world, serving

from zhuansheng.services import tokens

PNG = b"\x89PNG\r\n\x1a\n" + bytes(64)
LED = "cluster_ecosystem"  # lead 省经信厅 (the department account's unit)
NOT_OURS = "organisation_leadership"  # lead 省工业转型升级领导小组成员单位 only


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    with private_world(tmp_path_factory, "milestones-web") as w:
        yield w


@pytest.fixture(scope="module")
def base(world: World) -> Iterator[str]:
    with serving(world) as url:
        yield url


def _signed_in(base: str, username: str) -> httpx.Client:
    c = httpx.Client(base_url=base, timeout=60)
    page = c.get("/login")
    r = c.post(
        "/login",
        data={"username": username, "password": PASSWORD, "csrf_token": csrf_of(page.text)},
    )
    assert r.status_code == 303, r.text
    return c


def _bearer(username: str) -> dict[str, str]:
    # signed with the test server's secret (web_helpers.make_settings)
    return {"Authorization": f"Bearer {tokens.issue(username, 'test-secret', days=1)}"}


def test_a_department_reports_through_the_form(base: str) -> None:
    dept = _signed_in(base, USERS["department"])
    page = dept.get("/milestones?year=2022")
    assert page.status_code == 200
    assert f"本单位的工作任务（{DEPARTMENT_UNIT}）" in page.text
    assert f'data-target="{LED}"' in page.text and f'data-target="{NOT_OURS}"' not in page.text
    r = dept.post(
        "/milestones",
        data={
            "csrf_token": csrf_of(page.text),
            "target": LED,
            "period": "2022-11",
            "status": "in_progress",
            "text": "网页表单报送",
        },
        files=[("evidence", ("现场照片.png", PNG, "image/png"))],
    )
    assert r.status_code == 303, r.text
    report_id = int(r.headers["location"].rsplit("done=", 1)[1])
    listing = dept.get(r.headers["location"]).text
    assert f'data-id="{report_id}" data-review="submitted"' in listing
    assert "现场照片.png" in listing and "网页表单报送" in listing
    # the department cannot review: the form has no buttons and the route refuses
    assert f"/milestones/{report_id}/accept" not in listing
    refused = dept.post(f"/milestones/{report_id}/accept", data={"csrf_token": csrf_of(listing)})
    assert refused.status_code == 403 and "只有省级用户" in refused.text

    admin = _signed_in(base, USERS["province_admin"])
    review = admin.get("/milestones?year=2022&status=submitted").text
    assert f"/milestones/{report_id}/accept" in review
    r = admin.post(f"/milestones/{report_id}/accept", data={"csrf_token": csrf_of(review)})
    assert r.status_code == 303
    assert (
        f'data-id="{report_id}" data-review="accepted"' in admin.get("/milestones?year=2022").text
    )
    evidence = admin.get(f"/milestones?year=2022&unit={DEPARTMENT_UNIT}").text
    link = evidence.split('href="/milestones/evidence/', 1)[1].split('"', 1)[0]
    download = admin.get(f"/milestones/evidence/{link}")
    assert (download.status_code, download.content) == (200, PNG)


def test_the_api_reports_reviews_and_refuses(base: str) -> None:
    dept, office = _bearer(USERS["department"]), _bearer(USERS["province_admin"])
    api = httpx.Client(base_url=f"{base}/api/v1", timeout=60)
    r = api.post(
        "/milestones",
        json={"target": LED, "period": "2022Q4", "status": "completed", "text": "年度任务完成"},
        headers=dept,
    )
    assert r.status_code == 201, r.text
    made = r.json()
    assert (made["unit"], made["review_status"], made["status_zh"]) == (
        DEPARTMENT_UNIT,
        "submitted",
        "已完成",
    )
    r = api.post(
        "/milestones",
        data={"target": LED, "period": "2022Q4", "status": "delayed", "text": "附件"},
        files=[("evidence", ("说明.pdf", b"MZ\x90\x00" + bytes(64), "application/pdf"))],
        headers=dept,
    )
    assert r.status_code == 422
    assert "内容是二进制文件" in r.json()["error"]["problems"][0]["message"]
    r = api.post(
        "/milestones",
        data={"target": LED, "period": "2022Q4", "status": "delayed", "text": "附件"},
        files=[("evidence", ("照片.png", PNG, "image/png"))],
        headers=dept,
    )
    assert r.status_code == 201 and r.json()["evidence"][0]["file_name"] == "照片.png"
    r = api.post(
        "/milestones",
        json={"target": NOT_OURS, "period": "2022Q4", "status": "completed"},
        headers=dept,
    )
    assert r.status_code == 403 and "无权报送其进展" in r.json()["error"]["message"]
    r = api.post(
        "/milestones",
        json={"target": LED, "period": "2022Q4", "status": "completed", "text": "进" * 2001},
        headers=dept,
    )
    assert r.status_code == 400 and "text" in r.json()["error"]["message"]
    r = api.post(
        "/milestones", json={"target": LED, "period": "2022Q4", "status": "done"}, headers=dept
    )
    assert r.status_code == 400

    path = f"/milestones/{made['id']}"
    assert api.post(f"{path}/accept", headers=dept).status_code == 403
    r = api.post(f"{path}/return", data={"reason": ""}, headers=office)
    assert r.status_code == 400 and "须说明原因" in r.json()["error"]["message"]
    r = api.post(f"{path}/return", data={"reason": "请补充年度总结"}, headers=office)
    assert (r.status_code, r.json()["return_reason"]) == (200, "请补充年度总结")
    assert api.post(f"{path}/accept", headers=office).status_code == 409
    listed = api.get(
        "/milestones", params={"year": 2022, "unit": DEPARTMENT_UNIT, "status": "returned"},
        headers=dept,
    ).json()  # fmt: skip
    assert [r["id"] for r in listed["items"]] == [made["id"]]


def test_the_responsible_unit_pages(base: str) -> None:
    viewer = _signed_in(base, USERS["viewer"])
    overview = viewer.get("/units?year=2022")
    assert overview.status_code == 200
    assert (
        f'data-unit="{DEPARTMENT_UNIT}"' in overview.text
        and 'data-unit="省科技厅"' in overview.text
    )
    page = viewer.get(f"/units/{DEPARTMENT_UNIT}?year=2022")
    assert page.status_code == 200
    # its targets as lead and as co-unit, with the monitoring status; the milestone ones with
    # each quarter of 2022 and its deadline (the 5th of the month after: the shipped setting)
    assert f'data-target="{LED}"' in page.text and 'data-target="talent_programmes"' in page.text
    assert "2022Q1" in page.text and "截止日期 2022-04-05" in page.text
    assert viewer.get("/units/科技部?year=2022").status_code == 404
