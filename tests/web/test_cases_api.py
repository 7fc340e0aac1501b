"""The 高耗低效 cases over real HTTP: a county confirms a screening candidate of its own and
dismisses another, plans, reports progress and completes; its city verifies (fail → reopened,
then pass) and the province reopens; a stale version is refused with 409 and changes nothing;
another county is refused (403); an unknown case is 404. On a copy of the web tests' world of
its own, since these tests write cases."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from web_helpers import OTHER_COUNTY, USERS, World, private_world, serving

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
