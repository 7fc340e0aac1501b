"""Every route × every role: the expected status, from one table.

Roles: A province_admin, N province_analyst, C city (杭州市), K county (上城区, in 杭州市),
D department, V viewer, - anonymous. "own" is an enterprise of 上城区, "other" one of 柯桥区
(绍兴市), outside 杭州's scope; the reports are the 2022Q2 briefings of the province, of 上城区
(own) and of 柯桥区 (other). Anonymous pages redirect to the login form (303); the API answers
401; a seventh status, where given, is the anonymous one instead (public routes). No request in
the table may write a report file or change a submission: the workflow actions are tried on
2020-06, which has no submission, so an allowed action fails on the state (400) and a refused
one on the scope or role (403). Every route of the app must have a row here or in EXEMPT.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from starlette.routing import Route
from web_helpers import USERS, Reports, World, client_for, csrf_of, make_settings

from zhuansheng import store
from zhuansheng.store import tables as t
from zhuansheng.web import create_app

ROLES = ["province_admin", "province_analyst", "city", "county", "department", "viewer", None]
ALL = "200 200 200 200 200 200"
ENTERPRISE = "200 200 200 200 403 403"
PROVINCE_ONLY = "200 200 403 403 403 403"
SCOPED_DATA = "200 200 403 403 200 200"
PUBLIC = "200 200 200 200 200 200 200"
NO_SUBMISSION = "2020-06"
# an upload that never reaches the store: the scope check refuses it, or the import rejects it
BAD_FILE = {"file": ("x.xlsx", b"not a workbook")}
NO_DATA_BRIEFING = {"kind": "quarterly", "period": "2021Q4", "formats": ["docx"]}
# a milestone target the department's unit (省经信厅) neither leads nor co-leads, and a year
NOT_OURS = {"target": "organisation_leadership", "period": "2022Q4", "status": "completed"}
A_YEAR = {"target": "cluster_ecosystem", "period": "2022", "status": "completed"}
CASES_VIEW = "200 200 200 200 403 403"
ALL_404 = "404 404 404 404 404 404"
NO_FIRM = {"uscc": "000000000000000000", "year": 2022, "measure": "upgrade", "reason": "矩阵"}
BAD_MEASURE = {**NO_FIRM, "measure": "nonsense"}
A_PLAN = {"version": 1, "measure": "upgrade", "action": ["矩阵@2099-01-01"], "responsible": "某"}
PROVINCE_CASES = "200 200 403 403 403 403"
NO_CANDIDATE = {"candidate": "999999", "measure": "upgrade", "reason": "data_error"}
STALE_UPDATE = {"version": 0, "progress": "矩阵"}
STALE_COMPLETE = {"version": 0, "land": "0", "energy": "0"}
STALE_VERIFY = {"version": 0, "result": "pass"}
STALE_REOPEN = {"version": 0, "reason": "矩阵"}
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
    # every list names firms: departments and viewers see aggregates only (docs/*/web.md)
    ("GET", "/lists/registries", ENTERPRISE),
    ("GET", "/lists/projects", ENTERPRISE),
    ("GET", "/lists/registries/export.xlsx", ENTERPRISE),
    ("GET", "/lists/projects/export.xlsx?sub_kind=waste_gas", ENTERPRISE),
    ("GET", "/major-projects?warning=any", ALL),  # rows limited to the scope
    ("GET", "/major-projects/export.xlsx?size_class=over_1bn", ALL),
    ("GET", "/major-projects/no-such-project", "404 404 404 404 404 404"),
    ("GET", "/api/v1/major-projects?region=330600", ALL),
    ("GET", "/lists/screening", ENTERPRISE),
    ("GET", "/lists/screening/export.xlsx", ENTERPRISE),
    ("GET", "/submissions?period=2022-06", ALL),
    ("GET", "/submissions/330102/2022-06", ALL),
    ("GET", "/submissions/330603/2022-06", "200 200 403 403 200 200"),
    ("GET", "/submissions/template?region=330102&period=2022-12", ENTERPRISE),
    ("GET", "/submissions/template?region=330603&period=2022-12", PROVINCE_ONLY),
    ("POST", "/submissions/330603/2022-06/approve", "400 400 403 403 403 403"),
    *[
        ("POST", f"/submissions/330603/{NO_SUBMISSION}/{action}", "400 400 403 403 403 403")
        for action in ("submit", "return", "accept", "unlock")
    ],
    *[
        ("POST", f"/submissions/330102/{NO_SUBMISSION}/{action}", "400 400 400 400 403 403")
        for action in ("submit", "return", "approve", "accept", "unlock")
    ],
    (
        "POST",
        "/submissions/upload",
        "200 200 403 403 403 403",
        {"region": "330603", "period": NO_SUBMISSION, **BAD_FILE},
    ),
    (
        "POST",
        "/submissions/upload",
        "200 200 200 200 403 403",
        {"region": "330102", "period": NO_SUBMISSION, **BAD_FILE},
    ),
    # allocations: seen within the scope (D, V: every region); set by the province and cities
    ("GET", "/allocations", ALL),
    ("GET", "/allocations?year=2022&target=robots_new&region=330603", SCOPED_DATA),
    ("GET", "/allocations/template?year=2022&level=county", "200 200 200 403 403 403"),
    ("GET", "/allocations/template?year=2022&level=city", "200 200 400 403 403 403"),
    ("GET", "/allocations/history?year=2022&target=robots_new&region=330102", ALL),
    ("GET", "/allocations/history?year=2022&target=robots_new&region=330603", SCOPED_DATA),
    ("POST", "/allocations/upload", "200 200 200 403 403 403", BAD_FILE),
    ("GET", "/api/v1/allocations?year=2022&target=robots_new", ALL),
    ("POST", "/api/v1/allocations", "422 422 422 403 403 403", {"dry_run": "true", **BAD_FILE}),
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
    ("GET", "/api/v1/evaluations/{run_id}", ALL),  # the run and its summary: aggregates only
    ("GET", "/api/v1/evaluations/{run_id}/results", ENTERPRISE),  # rows limited to the scope
    ("GET", "/api/v1/evaluations/{run_id}/results?region=330102", ENTERPRISE),
    ("GET", "/api/v1/evaluations/{run_id}/results?region=330603", PROVINCE_ONLY),
    ("GET", "/api/v1/evaluations/no-such-run", "404 404 404 404 404 404"),
    ("GET", "/api/v1/screening", ENTERPRISE),
    ("GET", "/api/v1/submissions?period=2022-06", "200 200 200 403 403 403"),
    ("GET", "/api/v1/submissions/330603/2022-06", "200 200 403 403 200 200"),
    ("POST", "/api/v1/submissions/330603/2022-06/approve", "400 400 403 403 403 403"),
    *[
        ("POST", f"/api/v1/submissions/330603/{NO_SUBMISSION}/{action}", "400 400 403 403 403 403")
        for action in ("submit", "return", "accept", "unlock")
    ],
    *[
        ("POST", f"/api/v1/submissions/330102/{NO_SUBMISSION}/{action}", "400 400 400 400 403 403")
        for action in ("submit", "return", "approve", "accept", "unlock")
    ],
    (
        "POST",
        "/api/v1/observations",
        "422 422 403 403 403 403",
        {"region": "330603", "period": NO_SUBMISSION, "dry_run": "true", **BAD_FILE},
    ),
    (
        "POST",
        "/api/v1/observations",
        "422 422 422 422 403 403",
        {"region": "330102", "period": NO_SUBMISSION, "dry_run": "true", **BAD_FILE},
    ),
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
    # milestone reports: everyone reads; the department (省经信厅) may report on its targets
    # only, the province reviews. No row writes: the periods or targets are refused first.
    ("GET", "/milestones?year=2022", ALL),
    ("GET", "/units?year=2022", ALL),
    ("GET", f"/units/{quote('省经信厅')}?year=2022", ALL),
    ("GET", "/milestones/evidence/999999", "404 404 404 404 404 404"),
    ("POST", "/milestones", "403 403 403 403 403 403", NOT_OURS),
    ("POST", "/milestones", "400 400 400 400 400 400", A_YEAR),
    ("POST", "/milestones/999999/accept", "404 404 403 403 403 403"),
    ("POST", "/milestones/999999/return", "404 404 403 403 403 403"),
    ("GET", "/api/v1/milestones?year=2022&unit=省经信厅", ALL),
    ("POST", "/api/v1/milestones", "403 403 403 403 403 403", NOT_OURS),
    ("POST", "/api/v1/milestones", "400 400 400 400 400 400", A_YEAR),
    ("POST", "/api/v1/milestones/999999/accept", "404 404 403 403 403 403"),
    ("POST", "/api/v1/milestones/999999/return", "404 404 403 403 403 403"),
    # 高耗低效 cases: the province and the regions read their scope; no row writes, for the
    # ids are unknown (404) or the measure or firm refused first (400, 404)
    ("GET", "/api/v1/cases?year=2022", CASES_VIEW),
    ("GET", "/api/v1/cases/candidates?year=2022", CASES_VIEW),
    ("GET", "/api/v1/cases/999999", ALL_404),
    ("GET", "/api/v1/cases/board?year=2022", CASES_VIEW),
    ("GET", "/api/v1/cases/outcomes?year=2022", CASES_VIEW),
    ("GET", "/api/v1/cases/evidence/999999", ALL_404),
    ("POST", "/api/v1/cases", "400 400 400 400 400 400", BAD_MEASURE),
    ("POST", "/api/v1/cases", ALL_404, NO_FIRM),
    ("POST", "/api/v1/cases/candidates/999999/confirm", ALL_404, {"measure": "upgrade"}),
    ("POST", "/api/v1/cases/candidates/999999/dismiss", ALL_404, {"reason": "data_error"}),
    ("POST", "/api/v1/cases/999999/plan", ALL_404, A_PLAN),
    ("POST", "/api/v1/cases/999999/update", ALL_404, {"version": 1, "progress": "矩阵"}),
    ("POST", "/api/v1/cases/999999/complete", ALL_404, {"version": 1, "land": 0, "energy": 0}),
    ("POST", "/api/v1/cases/999999/verify", ALL_404, {"version": 1, "pass": True}),
    ("POST", "/api/v1/cases/999999/reopen", ALL_404, {"version": 1, "reason": "矩阵"}),
    # the case pages: the same services, so the same answers; a refused action renders the page
    # again with its status. The actions on a real case carry version 0, which no case has: who
    # may take the action is refused for the stale version (409), nothing is written.
    ("GET", "/cases", CASES_VIEW),
    ("GET", "/cases?region=330603&year=2022&state=completed&overdue=true", PROVINCE_CASES),
    ("GET", "/cases/candidates?year=2022&state=candidate&mujun_class=D", CASES_VIEW),
    ("GET", "/cases/candidates?region=330603", PROVINCE_CASES),
    ("POST", "/cases/candidates?year=2022", CASES_VIEW, {"action": "confirm", **NO_CANDIDATE}),
    ("POST", "/cases/candidates", CASES_VIEW, {"action": "dismiss", **NO_CANDIDATE}),
    ("POST", "/cases/candidates/999999/reopen", "404 404 404 404 403 403"),
    ("POST", "/cases/add", "400 400 400 400 403 403", BAD_MEASURE),
    ("POST", "/cases/add", "404 404 404 404 403 403", NO_FIRM),
    ("GET", "/cases/evidence/999999", ALL_404),
    ("GET", "/cases/999999", ALL_404),
    ("GET", "/cases/{own_case}", CASES_VIEW),
    ("GET", "/cases/{other_case}", PROVINCE_CASES),
    ("POST", "/cases/999999/plan", ALL_404, A_PLAN),
    ("POST", "/cases/999999/update", ALL_404, {"version": 1, "progress": "矩阵"}),
    ("POST", "/cases/999999/complete", ALL_404, {"version": 1, "land": 0, "energy": 0}),
    ("POST", "/cases/999999/verify", ALL_404, {"version": 1, "result": "pass"}),
    ("POST", "/cases/999999/reopen", ALL_404, {"version": 1, "reason": "矩阵"}),
    ("POST", "/cases/{own_case}/plan", "403 403 403 409 403 403", {**A_PLAN, "version": 0}),
    ("POST", "/cases/{own_case}/update", "403 403 403 409 403 403", STALE_UPDATE),
    ("POST", "/cases/{own_case}/complete", "403 403 403 409 403 403", STALE_COMPLETE),
    ("POST", "/cases/{own_case}/verify", "403 403 409 403 403 403", STALE_VERIFY),
    ("POST", "/cases/{own_case}/reopen", "409 409 409 403 403 403", STALE_REOPEN),
    ("POST", "/cases/{other_case}/verify", "403 403 403 403 403 403", STALE_VERIFY),
    # signing in and out, language, health, map layers and the API's own description: public
    ("GET", "/login", PUBLIC),
    ("POST", "/login", "403 403 403 403 403 403 403"),  # no CSRF field in the form
    ("POST", "/logout", "303 303 303 303 303 303"),
    ("GET", "/lang/en?next=/reports", "303 303 303 303 303 303 303"),
    ("GET", "/healthz", PUBLIC),
    ("GET", "/geo/county.json", PUBLIC),
    ("GET", "/geo/city.json", PUBLIC),
    ("GET", "/geo/town.json", "404 404 404 404 404 404 404"),
    ("GET", "/openapi.json", PUBLIC),
    ("GET", "/api/docs", PUBLIC),
    ("GET", "/docs/oauth2-redirect", PUBLIC),
]
# (method, path template, why the route has no row in MATRIX)
EXEMPT: list[tuple[str, str, str]] = []
# these change the client's session or cookies: each case uses a client of its own
OWN_CLIENT = ("/login", "/logout", "/lang/")


def _expected(codes: str, i: int) -> int | None:
    parts = codes.split()
    return int(parts[i]) if i < len(parts) else None


CASES = [
    pytest.param(
        method,
        path,
        role,
        _expected(codes, i),
        body[0] if body else {"reason": "矩阵测试"},
        id=f"{method} {path}{' ' + str(body[0]) if body else ''} {role or 'anonymous'}",
    )
    for method, path, codes, *body in MATRIX
    for i, role in enumerate(ROLES)
]


@pytest.fixture(scope="module")
def run_id(web_world: World) -> str:
    with store.session(web_world.url) as s:
        run = s.scalar(
            select(t.EvaluationRun)
            .where(t.EvaluationRun.method == "screen")
            .order_by(t.EvaluationRun.started_at.desc())
        )
        assert run is not None
        return run.run_id


@pytest.fixture(scope="module")
def case_ids(web_world: World) -> dict[str, int]:
    """A case of 上城区 (own) and one of 柯桥区 (other)."""
    with store.session(web_world.url) as s:
        return {
            f"{key}_case": s.scalar(select(func.min(t.Case.id)).where(t.Case.county_code == code))
            for key, code in (("own", "330102"), ("other", "330603"))
        }


@pytest.fixture(scope="module")
def clients(app) -> dict[str | None, TestClient]:  # type: ignore[no-untyped-def]
    out: dict[str | None, TestClient] = {None: client_for(app, None)}
    for role, name in USERS.items():
        out[role] = client_for(app, name)
    return out


@pytest.mark.parametrize(("method", "path", "role", "expected", "body"), CASES)
def test_route_by_role(
    web_world: World,
    reports: Reports,
    app,  # type: ignore[no-untyped-def]
    run_id: str,
    case_ids: dict[str, int],
    clients: dict[str | None, TestClient],
    method: str,
    path: str,
    role: str | None,
    expected: int | None,
    body: dict[str, Any],
) -> None:
    own_client = path.startswith(OWN_CLIENT)
    c = client_for(app, role and USERS[role]) if own_client else clients[role]
    url = path.format(
        own=web_world.own_uscc,
        other=web_world.other_uscc,
        run_id=run_id,
        **case_ids,
        province_report=quote(reports.province),
        own_report=quote(reports.own),
        other_report=quote(reports.other),
    )
    before = sorted(p.name for p in web_world.reports.iterdir())
    if method == "GET":
        r = c.get(url, follow_redirects=False)
    else:
        page = c.get("/healthz") if role is None else c.get("/")
        token = re.search(r'value="([^"]+)"', page.text) if role else None
        as_json = url.startswith(("/api/v1/reports", "/api/v1/cases"))
        form = {k: v for k, v in body.items() if k != "file"}
        r = c.post(
            url,
            data=None if as_json else form,
            json=body if as_json else None,
            files={"file": body["file"]} if "file" in body else None,
            follow_redirects=False,
            headers={"X-CSRF-Token": csrf_of(page.text)} if token else {},
        )
    if expected is None:
        assert r.status_code == (401 if url.startswith("/api/") else 303)
    else:
        assert r.status_code == expected, r.text[:300]
    assert sorted(p.name for p in web_world.reports.iterdir()) == before  # no request wrote a file


def _template(row: tuple[Any, ...]) -> str:
    return row[1].split("?")[0]


def test_every_route_is_in_the_matrix(app) -> None:  # type: ignore[no-untyped-def]
    """A new route must get rows in MATRIX (or a reason in EXEMPT) before it ships."""
    rows = [(row[0], _template(row)) for row in MATRIX]
    exempt = {(m, p) for m, p, _ in EXEMPT}
    routes = [r for r in app.routes if isinstance(r, Route)]  # not the static mounts
    missing = []
    for route in routes:
        assert isinstance(route, APIRoute) or route.path in (
            app.openapi_url,
            app.docs_url,
            app.swagger_ui_oauth2_redirect_url,
        ), route.path
        for method in sorted((route.methods or set()) - {"HEAD"}):
            if (method, route.path) in exempt:
                continue
            if not any(m == method and route.path_regex.match(p) for m, p in rows):
                missing.append(f"{method} {route.path}")
    assert not missing, f"routes without a row in MATRIX or EXEMPT: {missing}"
    known = {(m, r.path) for r in routes for m in r.methods or ()}
    assert exempt <= known, f"EXEMPT names routes that do not exist: {exempt - known}"


def test_evaluation_results_stay_within_the_scope(
    clients: dict[str | None, TestClient], run_id: str
) -> None:
    url = f"/api/v1/evaluations/{run_id}/results?page_size=1000"
    everything = {r["county_code"] for r in clients["province_analyst"].get(url).json()["items"]}
    assert "330603" in everything
    assert {r["county_code"] for r in clients["county"].get(url).json()["items"]} <= {"330102"}
    city = {r["county_code"] for r in clients["city"].get(url).json()["items"]}
    assert city and all(c.startswith("3301") for c in city)


def test_region_pages_can_be_limited_to_the_users_scope(web_world: World) -> None:
    app = create_app(make_settings(web_world, all_regions_visible=False))
    county = client_for(app, USERS["county"])
    assert county.get("/regions/330102").status_code == 200
    assert county.get("/regions/330603").status_code == 403
    assert county.get("/api/v1/monitor?region=330603").status_code == 403
    rows = county.get("/api/v1/monitor?period=2022-06&level=county&page_size=1000").json()["items"]
    assert {r["region"] for r in rows if r["level"] == "county"} == {"330102"}
    assert client_for(app, USERS["viewer"]).get("/regions/330603").status_code == 200
