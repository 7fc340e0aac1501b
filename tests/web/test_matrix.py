"""Every route × every role: the expected status, from one table.

Roles: A province_admin, N province_analyst, C city (杭州市), K county (上城区, in 杭州市),
D department, V viewer, - anonymous. "own" is an enterprise of 上城区, "other" one of 柯桥区
(绍兴市), outside 杭州's scope; the reports are the 2022Q2 briefings of the province, of 上城区
(own) and of 柯桥区 (other). Anonymous pages redirect to the login form (303); the API answers
401. No request in the table may write a report file.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from web_helpers import USERS, Reports, World, client_for, csrf_of, make_settings

from zhuansheng.web import create_app

ROLES = ["province_admin", "province_analyst", "city", "county", "department", "viewer", None]
ALL = "200 200 200 200 200 200"
ENTERPRISE = "200 200 200 200 403 403"
PROVINCE_ONLY = "200 200 403 403 403 403"
SCOPED_DATA = "200 200 403 403 200 200"
NO_DATA_BRIEFING = {"kind": "quarterly", "period": "2021Q4", "formats": ["docx"]}
# (method, path, statuses for A N C K D V[, body of a POST])
MATRIX = [
    ("GET", "/", ALL),
    ("GET", "/?period=2022-06&screen=1", ALL),
    ("GET", "/map?level=county&target=robots_new", ALL),
    ("GET", "/targets/robots_new?period=2022-06", ALL),
    ("GET", "/targets/robots_new/export.xlsx?period=2022-06", ALL),
    ("GET", "/regions/330100", ALL),
    ("GET", "/regions/330603", ALL),
    ("GET", "/enterprises?q=演示", ENTERPRISE),
    ("GET", "/enterprises/{own}", ENTERPRISE),
    ("GET", "/enterprises/{other}", PROVINCE_ONLY),
    ("GET", "/lists/registries", ALL),
    ("GET", "/lists/projects/export.xlsx?sub_kind=waste_gas", ALL),
    ("GET", "/lists/screening", ENTERPRISE),
    ("GET", "/lists/screening/export.xlsx", ENTERPRISE),
    ("GET", "/submissions?period=2022-06", ALL),
    ("GET", "/submissions/330102/2022-06", ALL),
    ("GET", "/submissions/330603/2022-06", "200 200 403 403 200 200"),
    ("GET", "/submissions/template?region=330102&period=2022-12", ENTERPRISE),
    ("GET", "/submissions/template?region=330603&period=2022-12", PROVINCE_ONLY),
    ("POST", "/submissions/330603/2022-06/approve", "400 400 403 403 403 403"),
    ("GET", "/admin/audit", "200 403 403 403 403 403"),
    ("GET", "/api/v1/programme", ALL),
    ("GET", "/api/v1/regions?level=county", ALL),
    ("GET", "/api/v1/monitor?period=2022-06&level=city", ALL),
    ("GET", "/api/v1/observations?region=330102&period=2022-06", ALL),
    ("GET", "/api/v1/observations?region=330603&period=2022-06", "200 200 403 403 200 200"),
    ("GET", "/api/v1/enterprises?q=演示", ENTERPRISE),
    ("GET", "/api/v1/enterprises/{own}", ENTERPRISE),
    ("GET", "/api/v1/enterprises/{other}", PROVINCE_ONLY),
    ("GET", "/api/v1/evaluations", ALL),
    ("GET", "/api/v1/screening", ENTERPRISE),
    ("GET", "/api/v1/submissions?period=2022-06", "200 200 200 403 403 403"),
    ("GET", "/api/v1/submissions/330603/2022-06", "200 200 403 403 200 200"),
    ("POST", "/api/v1/submissions/330603/2022-06/approve", "400 400 403 403 403 403"),
    ("GET", "/api/v1/audit", "200 403 403 403 403 403"),
    # rankings: every role sees every region (all_regions_visible, the default)
    ("GET", "/rankings?period=2022Q2&level=city", ALL),
    ("GET", "/rankings?period=2022&level=pilot&draws=0", ALL),
    ("GET", "/rankings/contributions?period=2022Q2&level=city&region=330600", ALL),
    ("GET", "/api/v1/assess?period=2022Q2&level=city", ALL),
    ("GET", "/api/v1/assess?period=2022Q2&level=county&sensitivity=100&page_size=10", ALL),
    # reports: province-wide for all; a region's briefing within the scope (and D, V)
    ("GET", "/reports", ALL),
    ("GET", "/reports/files/{province_report}", ALL),
    ("GET", "/reports/files/{own_report}", ALL),
    ("GET", "/reports/files/{other_report}", SCOPED_DATA),
    ("GET", "/api/v1/reports", ALL),
    ("GET", "/api/v1/reports/{own_report}", ALL),
    ("GET", "/api/v1/reports/{other_report}", SCOPED_DATA),
    # generating: 2021Q4 has no programme, so a request that passes the scope check is refused
    # for its period (400) and nothing is written
    ("POST", "/reports", "400 400 403 403 403 403", {**NO_DATA_BRIEFING, "region": "330603"}),
    ("POST", "/reports", "400 400 400 400 403 403", {**NO_DATA_BRIEFING, "region": "330102"}),
    (
        "POST",
        "/reports",
        "400 400 403 403 403 403",
        {**NO_DATA_BRIEFING, "kind": "monthly", "period": "2021-06"},
    ),
    (
        "POST",
        "/api/v1/reports",
        "400 400 403 403 403 403",
        {**NO_DATA_BRIEFING, "region": "330603"},
    ),
    (
        "POST",
        "/api/v1/reports",
        "400 400 400 400 403 403",
        {**NO_DATA_BRIEFING, "region": "330102"},
    ),
]
CASES = [
    pytest.param(
        method,
        path,
        role,
        None if role is None else int(codes.split()[i]),
        body[0] if body else {"reason": "矩阵测试"},
        id=f"{method} {path}{' ' + str(body[0]) if body else ''} {role or 'anonymous'}",
    )
    for method, path, codes, *body in MATRIX
    for i, role in enumerate(ROLES)
]


@pytest.fixture(scope="module")
def clients(app) -> dict[str | None, TestClient]:  # type: ignore[no-untyped-def]
    out: dict[str | None, TestClient] = {None: client_for(app, None)}
    for role, name in USERS.items():
        out[role] = client_for(app, name)
    return out


@pytest.mark.parametrize(("method", "path", "role", "expected", "body"), CASES)
def test_route_by_role(
    world: World,
    reports: Reports,
    clients: dict[str | None, TestClient],
    method: str,
    path: str,
    role: str | None,
    expected: int | None,
    body: dict[str, Any],
) -> None:
    c = clients[role]
    url = path.format(
        own=world.own_uscc,
        other=world.other_uscc,
        province_report=quote(reports.province),
        own_report=quote(reports.own),
        other_report=quote(reports.other),
    )
    before = sorted(p.name for p in world.reports.iterdir())
    if method == "GET":
        r = c.get(url, follow_redirects=False)
    else:
        page = c.get("/healthz") if role is None else c.get("/lists/registries")
        token = re.search(r'value="([^"]+)"', page.text) if role else None
        as_json = url.startswith("/api/v1/reports")
        r = c.post(
            url,
            data=None if as_json else body,
            json=body if as_json else None,
            follow_redirects=False,
            headers={"X-CSRF-Token": csrf_of(page.text)} if token else {},
        )
    if expected is None:
        assert r.status_code == (401 if url.startswith("/api/") else 303)
    else:
        assert r.status_code == expected, r.text[:300]
    assert sorted(p.name for p in world.reports.iterdir()) == before  # no request wrote a file


def test_region_pages_can_be_limited_to_the_users_scope(world: World) -> None:
    app = create_app(make_settings(world, all_regions_visible=False))
    county = client_for(app, USERS["county"])
    assert county.get("/regions/330102").status_code == 200
    assert county.get("/regions/330603").status_code == 403
    assert county.get("/api/v1/monitor?region=330603").status_code == 403
    rows = county.get("/api/v1/monitor?period=2022-06&level=county&page_size=1000").json()["items"]
    assert {r["region"] for r in rows if r["level"] == "county"} == {"330102"}
    assert client_for(app, USERS["viewer"]).get("/regions/330603").status_code == 200
