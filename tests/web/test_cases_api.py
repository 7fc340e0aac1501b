"""The 高耗低效 cases over real HTTP: a county confirms a screening candidate of its own and
dismisses another, plans, reports progress and completes; its city verifies (fail → reopened,
then pass) and the province reopens; a stale version is refused with 409 and changes nothing;
another county is refused (403); an unknown case is 404. On a copy of the web tests' world of
its own, since these tests write cases."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import openpyxl
import pytest
from web_helpers import OTHER_COUNTY, USERS, World, private_world, serving

from zhuansheng.collect import case_bulk
from zhuansheng.services import tokens


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    with private_world(tmp_path_factory, "cases-api") as w:
        yield w


@pytest.fixture(scope="module")
def api(world: World) -> Iterator[httpx.Client]:
    with serving(world) as url:
        yield httpx.Client(base_url=f"{url}/api/v1", timeout=60)


def _bearer(username: str) -> dict[str, str]:
    # signed with the test server's secret (web_helpers.make_settings)
    return {"Authorization": f"Bearer {tokens.issue(username, 'test-secret', days=1)}"}


def _ok(r: httpx.Response, status: int = 200) -> Any:
    assert r.status_code == status, r.text
    return r.json()


def test_a_county_works_a_case_through_and_its_city_verifies(api: httpx.Client) -> None:
    admin = _bearer(USERS["province_admin"])
    # a county of the province's list with a candidate, outside 柯桥区 (the stranger below)
    found = _ok(api.get("/cases/candidates", params={"year": 2022}, headers=admin))
    regions = [c["region"] for c in found["items"] if c["region"] != OTHER_COUNTY]
    assert regions, "the web world's screening found no candidate"
    county_code = max(sorted(set(regions)), key=regions.count)  # the county with the most
    cand, other, *_ = [c for c in found["items"] if c["region"] == county_code]
    county, city = _bearer(f"u{county_code}"), _bearer(f"u{county_code[:4]}00")
    stranger = _bearer(f"u{OTHER_COUNTY}")

    # the county sees its own candidates only
    mine = _ok(api.get("/cases/candidates", params={"year": 2022}, headers=county))["items"]
    assert {cand["candidate_id"], other["candidate_id"]} <= {c["candidate_id"] for c in mine}
    assert {c["region"] for c in mine} == {county_code}

    # the county takes a second candidate off the list; it leaves the review list
    gone = _ok(
        api.post(
            f"/cases/candidates/{other['candidate_id']}/dismiss",
            json={"reason": "data_error", "text": "能耗数据重复计入"},
            headers=county,
        )
    )
    assert (gone["state"], gone["dismiss_reason"]) == ("dismissed", "data_error")
    left = _ok(api.get("/cases/candidates", params={"year": 2022}, headers=county))["items"]
    assert other["candidate_id"] not in {c["candidate_id"] for c in left}

    # another county may not confirm it
    r = api.post(
        f"/cases/candidates/{cand['candidate_id']}/confirm",
        json={"measure": "upgrade"},
        headers=stranger,
    )
    assert r.status_code == 403, r.text

    made = _ok(
        api.post(
            f"/cases/candidates/{cand['candidate_id']}/confirm",
            json={"measure": "upgrade", "note": "列入整治"},
            headers=county,
        ),
        201,
    )
    case_id, v = made["case_id"], made["version"]
    assert (made["state"], made["region"], made["uscc"]) == ("confirmed", county_code, cand["uscc"])
    listed = _ok(
        api.get("/cases", params={"region": county_code, "state": "confirmed"}, headers=county)
    )
    assert case_id in {c["case_id"] for c in listed["items"]}

    shown = _ok(api.get(f"/cases/{case_id}", headers=county))
    assert shown["may"] == ["plan"]  # the county plans; verifying is its city's
    assert _ok(api.get(f"/cases/{case_id}", headers=city))["may"] == []

    planned = _ok(
        api.post(
            f"/cases/{case_id}/plan",
            json={
                "version": v,
                "measure": "upgrade",
                "action": ["更新电机@2099-06-30"],
                "responsible": "张三",
                "land": 0,
                "energy": 10,
            },
            headers=county,
        )
    )
    assert (planned["state"], planned["version"]) == ("planned", v + 1)
    assert planned["actions"] == [{"action": "更新电机", "deadline": "2099-06-30"}]

    # a stale version: 409, and the case is as it was
    r = api.post(
        f"/cases/{case_id}/update", json={"version": v, "progress": "旧版本"}, headers=county
    )
    assert r.status_code == 409, r.text
    again = _ok(api.get(f"/cases/{case_id}", headers=county))
    assert (again["version"], again["state"], again["progress"]) == (
        v + 1,
        "planned",
        planned["progress"],
    )

    updated = _ok(
        api.post(
            f"/cases/{case_id}/update",
            json={"version": v + 1, "progress": "电机已采购"},
            headers=county,
        )
    )
    assert (updated["state"], updated["progress"]) == ("in_progress", "电机已采购")
    done = _ok(
        api.post(
            f"/cases/{case_id}/complete",
            json={"version": v + 2, "land": 0, "energy": 8.5},
            headers=county,
        )
    )
    assert (done["state"], done["freed_energy_tce"]) == ("completed", 8.5)

    # the county does not verify its own case; the stranger does not even see it
    r = api.post(f"/cases/{case_id}/verify", json={"version": v + 3, "pass": True}, headers=county)
    assert r.status_code == 403, r.text
    assert api.get(f"/cases/{case_id}", headers=stranger).status_code == 403
    assert _ok(api.get(f"/cases/{case_id}", headers=city))["may"] == ["verify", "reopen"]

    failed = _ok(
        api.post(
            f"/cases/{case_id}/verify",
            json={"version": v + 3, "pass": False, "reason": "用能台账不全"},
            headers=city,
        )
    )
    assert (failed["state"], failed["version"]) == ("reopened", v + 4)
    history = _ok(api.get(f"/cases/{case_id}", headers=county))
    assert [e["action"] for e in history["events"]][-4:] == ["plan", "update", "complete", "verify"]
    assert history["may"] == ["plan", "update", "complete"]

    # completed again and verified; the province, the level above, reopens it with a reason
    redone = _ok(
        api.post(
            f"/cases/{case_id}/complete",
            json={"version": v + 4, "land": 0, "energy": 9, "note": "台账补齐"},
            headers=county,
        )
    )
    passed = _ok(
        api.post(
            f"/cases/{case_id}/verify",
            json={"version": redone["version"], "pass": True},
            headers=city,
        )
    )
    assert (passed["state"], passed["version"]) == ("verified", v + 6)
    reopened = _ok(
        api.post(
            f"/cases/{case_id}/reopen",
            json={"version": v + 6, "reason": "抽查发现复产"},
            headers=admin,
        )
    )
    assert (reopened["state"], reopened["version"]) == ("reopened", v + 7)


def test_refusals_without_change(api: httpx.Client) -> None:
    county = _bearer(USERS["county"])
    assert api.get("/cases/2147483647", headers=county).status_code == 404
    r = api.post("/cases/2147483647/update", json={"version": 1, "progress": "x"}, headers=county)
    assert r.status_code == 404, r.text
    assert api.get("/cases/2147483648", headers=county).status_code == 422  # beyond the ids
    assert api.get("/cases", headers=_bearer(USERS["viewer"])).status_code == 403
    assert api.get("/cases", params={"state": "nonsense"}, headers=county).status_code == 400


def test_the_level_above_reopens_a_dismissal_and_the_reason_stays_readable(
    api: httpx.Client,
) -> None:
    admin = _bearer(USERS["province_admin"])
    found = _ok(api.get("/cases/candidates", params={"year": 2022}, headers=admin))["items"]
    cand = next(c for c in found if c["region"] != OTHER_COUNTY)
    county, city = _bearer(f"u{cand['region']}"), _bearer(f"u{cand['region'][:4]}00")
    url = f"/cases/candidates/{cand['candidate_id']}"
    _ok(api.post(f"{url}/dismiss", json={"reason": "new_plant", "text": "2021 年投产"},
                 headers=county))  # fmt: skip
    # the county may not undo its own dismissal; its city may, with a reason
    assert api.post(f"{url}/reopen", json={"reason": "x"}, headers=county).status_code == 403
    assert api.post(f"{url}/reopen", json={"reason": " "}, headers=city).status_code == 400
    back = _ok(api.post(f"{url}/reopen", json={"reason": "投产日期有误"}, headers=city))
    assert back["state"] == "candidate"
    assert back["note"] == "重新打开：投产日期有误（原排除理由：新建投产未满三年：2021 年投产）"


def test_the_county_workbook_over_http(api: httpx.Client, tmp_path: Any) -> None:
    admin = _bearer(USERS["province_admin"])
    listed = _ok(api.get("/cases", params={"year": 2022, "state": "in_progress"}, headers=admin))
    target = next(c for c in listed["items"] if c["region"] != OTHER_COUNTY)
    code = target["region"]
    county = _bearer(f"u{code}")
    r = api.get("/cases/template", params={"region": code, "year": 2022}, headers=county)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert api.get("/cases/template", params={"region": code, "year": 2022},
                   headers=_bearer(f"u{OTHER_COUNTY}")).status_code == 403  # fmt: skip
    book = tmp_path / "cases.xlsx"
    book.write_bytes(r.content)
    ws_book = openpyxl.load_workbook(book)
    ws = ws_book[case_bulk.SHEET]
    header = [c.value for c in ws[2]]
    for row in ws.iter_rows(min_row=3):
        if row[header.index("案件编号")].value == str(target["case_id"]):
            row[header.index("操作")].value = "update"
            row[header.index("整治进展")].value = "（接口）设备已进场"
    ws_book.save(book)

    def upload(dry_run: bool) -> httpx.Response:
        return api.post(
            "/cases/import",
            files={"file": ("cases.xlsx", book.read_bytes())},
            data={"dry_run": str(dry_run).lower()},
            headers=county,
        )

    checked = _ok(upload(True))
    assert checked["dry_run"] is True and checked["total"] == 1
    assert (
        _ok(api.get(f"/cases/{target['case_id']}", headers=county))["version"] == target["version"]
    )  # a dry run writes nothing
    done = _ok(upload(False))
    (row,) = done["items"]
    assert (row["case_id"], row["version"]) == (target["case_id"], target["version"] + 1)
    assert row["progress"] == "（接口）设备已进场"
    again = upload(False)  # the same file again: its version is stale now
    assert again.status_code == 422, again.text
    assert "版本" in again.text
