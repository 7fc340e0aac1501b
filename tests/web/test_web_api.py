"""The REST API: JSON shapes, paging, errors as JSON, and schemathesis over /openapi.json."""

from __future__ import annotations

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import positive_data_acceptance
from web_helpers import World, make_settings

from zhuansheng.services import tokens
from zhuansheng.web import create_app


def test_openapi_lists_the_v1_routes(app) -> None:  # type: ignore[no-untyped-def]
    paths = TestClient(app).get("/openapi.json").json()["paths"]
    for p in (
        "/api/v1/programme",
        "/api/v1/regions",
        "/api/v1/monitor",
        "/api/v1/observations",
        "/api/v1/enterprises/{uscc}",
        "/api/v1/evaluations",
        "/api/v1/evaluations/{run_id}",
        "/api/v1/assess",
        "/api/v1/reports",
        "/api/v1/reports/{name}",
    ):
        assert p in paths
    assert not any(not p.startswith("/api/") for p in paths)  # pages stay out of the API document


def test_paging_and_errors(app) -> None:  # type: ignore[no-untyped-def]
    c = TestClient(app)
    auth = {"Authorization": f"Bearer {tokens.issue('admin', 'test-secret')}"}
    first = c.get("/api/v1/monitor?period=2022-06&level=city&page_size=7", headers=auth).json()
    second = c.get(
        "/api/v1/monitor?period=2022-06&level=city&page_size=7&page=2", headers=auth
    ).json()
    assert len(first["items"]) == 7 and first["total"] == second["total"] > 14
    assert first["items"][0] != second["items"][0]
    bad = c.get("/api/v1/monitor?period=2022-13", headers=auth)
    assert bad.status_code == 422 and "无法识别的期间 '2022-13'" in bad.json()["error"]["message"]
    assert bad.json()["error"]["problems"][0]["where"] == "query.period"
    missing = c.get("/api/v1/enterprises/000000000000000000", headers=auth)
    assert missing.status_code == 404 and missing.json()["error"]["status"] == 404
    invalid = c.get("/api/v1/monitor?page=0", headers=auth)
    assert invalid.status_code == 422 and invalid.json()["error"]["problems"]


@pytest.mark.slow
def test_generated_requests_get_answers_the_document_describes(web_world: World) -> None:
    """schemathesis generates requests for every operation of /openapi.json (in-process ASGI,
    signed in as the provincial admin) and runs all its checks on every answer: no 5xx, only
    documented statuses, content types and headers (the Allow of a 405), bodies matching the
    documented models, requests that break the schema refused, authentication not ignored.

    One check is left out: ``positive_data_acceptance`` wants every schema-valid request
    accepted, but a well-formed request can still be refused by the domain with 400 (a period
    that cannot be assessed, a case action its state does not allow, a reason left empty, a
    control character in a query parameter); each such 400 is documented with its body."""
    schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(make_settings(web_world)))
    headers = {"Authorization": f"Bearer {tokens.issue('admin', 'test-secret')}"}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 18
    # Left out: POST /api/v1/reports renders a real Word/PDF/Excel report (seconds each) into the
    # reports folder for every accepted example; its refusals and its success are asserted in
    # test_rankings_reports.py and the authorisation matrix.
    operations = [
        op for op in operations if (op.method.upper(), op.path) != ("POST", "/api/v1/reports")
    ]
    for op in operations:

        @given(case=op.as_strategy())
        @settings(
            max_examples=12, deadline=None, database=None, suppress_health_check=list(HealthCheck)
        )
        def check(case) -> None:  # type: ignore[no-untyped-def]
            case.call_and_validate(headers=headers, excluded_checks=[positive_data_acceptance])

        check()
