"""The REST API's documented shapes: a response model for every /api/v1 route, the error body
as a model on every error answer, the Allow header of a 405 and the period pattern."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from web_helpers import USERS

from zhuansheng.periods import parse_period
from zhuansheng.services import tokens
from zhuansheng.web import schemas

ERROR_REF = "#/components/schemas/ErrorBody"


def _auth(role: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {tokens.issue(USERS[role], 'test-secret')}"}


@pytest.fixture(scope="module")
def doc(app) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    return TestClient(app).get("/openapi.json").json()


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _operations(doc: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method.upper(), path, op)
        for path, item in doc["paths"].items()
        for method, op in item.items()
        if path.startswith("/api/v1/")
    ]


def test_every_route_names_its_response_model(doc: dict[str, Any]) -> None:
    operations = _operations(doc)
    # … and the cases' (with the board, outcomes, evidence, workbook and reopened dismissals)
    assert len(operations) == 26 + 17
    for method, path, op in operations:
        ok = next(op["responses"][c] for c in ("200", "201") if c in op["responses"])
        if path == "/api/v1/cases/evidence/{evidence_id}":  # a file as it was uploaded
            assert "application/octet-stream" in ok["content"]
            continue
        if path == "/api/v1/cases/template":  # the county's workbook
            assert XLSX in ok["content"]
            continue
        if path == "/api/v1/reports/{name}":  # a file download: the formats, as binary
            content = ok["content"]
            assert set(content) == {
                "application/pdf",
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            }
            assert all(
                c["schema"] == {"type": "string", "format": "binary"} for c in content.values()
            )
            continue
        schema = ok["content"]["application/json"]["schema"]
        assert "$ref" in schema, (method, path, schema)
        model = schema["$ref"].rsplit("/", 1)[1]
        assert doc["components"]["schemas"][model]["properties"], (method, path)


def test_the_documented_models_are_the_real_shapes(doc: dict[str, Any]) -> None:
    models = doc["components"]["schemas"]

    def props(name: str) -> set[str]:
        return set(models[name]["properties"])

    assert {"items", "page", "page_size", "total", "period"} <= props("MonitorPage")
    monitor = doc["paths"]["/api/v1/monitor"]["get"]["responses"]["200"]
    assert monitor["content"]["application/json"]["schema"]["$ref"].endswith("/MonitorPage")
    row = props("ProgressRowOut")
    assert {"target", "region", "status", "colour", "completion", "rule"} <= row
    assert {"from", "to", "action", "at"} <= props("SubmissionEventOut")  # "from", not "from_"
    assert {"score", "rank", "grade", "contributions"} <= props("AssessmentRowOut")
    assert {"scheme_sha256", "weights", "items"} <= props("AssessmentOut")
    assert {"written", "unchanged", "batch_id", "warnings"} <= props("ImportOut")
    assert props("ErrorBody") == {"error"}
    assert {"status", "message", "problems"} == props("ErrorDetail")


def test_errors_are_documented_with_the_error_model(doc: dict[str, Any]) -> None:
    for method, path, op in _operations(doc):
        for code in ("400", "401", "403", "404", "422"):
            body = op["responses"][code]["content"]["application/json"]["schema"]
            assert body == {"$ref": ERROR_REF}, (method, path, code)
    post = doc["paths"]["/api/v1/submissions/{region}/{period}/{action}"]["post"]
    assert post["responses"]["409"]["content"]["application/json"]["schema"] == {"$ref": ERROR_REF}


def test_period_parameters_carry_the_pattern(doc: dict[str, Any]) -> None:
    seen = []
    for method, path, op in _operations(doc):
        for p in op.get("parameters", []):
            if p["name"] == "period":
                seen.append((method, path, p["in"]))
                # beside anyOf [string, null] when optional: a pattern constrains strings only
                assert p["schema"]["pattern"] == schemas.PERIOD_PATTERN, (method, path)
    assert ("GET", "/api/v1/monitor", "query") in seen
    assert ("GET", "/api/v1/submissions/{region}/{period}", "path") in seen
    assert ("POST", "/api/v1/submissions/{region}/{period}/{action}", "path") in seen
    form = doc["components"]["schemas"]["Body_post_observations_api_v1_observations_post"]
    assert form["properties"]["period"]["pattern"] == schemas.PERIOD_PATTERN
    body = doc["components"]["schemas"]["ReportRequest"]
    assert body["properties"]["period"]["pattern"] == schemas.PERIOD_PATTERN


def test_local_times_are_not_documented_as_rfc3339(doc: dict[str, Any]) -> None:
    """The store's times carry no offset: a ``date-time`` format would promise one."""
    assert '"date-time"' not in json.dumps(doc)
    recorded = doc["components"]["schemas"]["ObservationOut"]["properties"]["recorded_at"]
    assert recorded["type"] == "string" and re.match(recorded["pattern"], "2022-07-10T09:00:00")


def test_the_pattern_is_the_one_parse_period_accepts() -> None:
    pattern = re.compile(schemas.PERIOD_PATTERN)
    for good in ("2022-01", "2022-06", "2022-12", "2022Q1", "2022Q4", "2022"):
        assert pattern.match(good) and parse_period(good).code == good
    for bad in ("2022-13", "2022-00", "2022Q5", "2022-6", "22-06", "2022q2"):
        assert not pattern.match(bad)
        with pytest.raises(Exception, match="无法识别的期间"):
            parse_period(bad)


def _error_body(r: Any, status: int) -> schemas.ErrorBody:
    assert r.status_code == status, r.text[:300]
    body = r.json()
    assert set(body) == {"error"} and set(body["error"]) <= {"status", "message", "problems"}
    parsed = schemas.ErrorBody.model_validate(body)
    assert parsed.error.status == status and parsed.error.message
    return parsed


def test_real_error_answers_match_the_model(app) -> None:  # type: ignore[no-untyped-def]
    c = TestClient(app, raise_server_exceptions=False)
    admin = _auth("province_admin")
    bad = _error_body(c.get("/api/v1/assess?period=2021Q4", headers=admin), 400)
    assert "无法评价" in bad.error.message
    period = _error_body(c.get("/api/v1/monitor?period=2022-13", headers=admin), 422)
    assert "无法识别的期间" in period.error.message
    assert period.error.problems and period.error.problems[0].where == "query.period"
    _error_body(c.get("/api/v1/regions"), 401)
    _error_body(c.get("/api/v1/audit", headers=_auth("county")), 403)
    _error_body(c.get("/api/v1/enterprises/000000000000000000", headers=admin), 404)
    invalid = _error_body(c.get("/api/v1/monitor?page=0", headers=admin), 422)
    assert invalid.error.problems and invalid.error.problems[0].where == "query.page"
    _error_body(c.delete("/api/v1/regions", headers=admin), 405)


def test_method_not_allowed_names_the_allowed_methods(app) -> None:  # type: ignore[no-untyped-def]
    c = TestClient(app, raise_server_exceptions=False)
    r = c.delete("/api/v1/regions", headers=_auth("province_admin"))
    assert r.status_code == 405 and r.headers["allow"] == "GET"
    r = c.put("/api/v1/reports", headers=_auth("province_admin"))
    assert r.status_code == 405
    assert {m.strip() for m in r.headers["allow"].split(",")} == {"GET", "POST"}


BAD_PERIODS = ("2022-13", "2022Q5", "22-06", "June", "2022-06x")


@pytest.mark.parametrize("bad", BAD_PERIODS)
def test_a_bad_period_is_refused_before_any_service_runs(  # type: ignore[no-untyped-def]
    app, monkeypatch: pytest.MonkeyPatch, bad: str
) -> None:
    """Query, path, form and JSON periods: 422 naming the parameter, and no service called
    (a county's upload for another county is refused for its period, not its scope)."""
    from zhuansheng.services import monitoring, reports, submissions

    def never(*args: object, **kwargs: object) -> None:
        raise AssertionError("a service ran")

    for module, name in (
        (monitoring, "open_period"),
        (submissions, "import_upload"),
        (submissions, "history"),
        (submissions, "act"),
        (submissions, "reporting_for"),
        (reports, "generate"),
    ):
        monkeypatch.setattr(module, name, never)
    c = TestClient(app, raise_server_exceptions=False)
    admin, county = _auth("province_admin"), _auth("county")
    calls = [
        (c.get(f"/api/v1/monitor?period={bad}", headers=admin), "query.period"),
        (c.get(f"/api/v1/observations?period={bad}", headers=admin), "query.period"),
        (c.get(f"/api/v1/submissions?period={bad}", headers=admin), "query.period"),
        (c.get(f"/api/v1/assess?period={bad}", headers=admin), "query.period"),
        (c.get(f"/api/v1/submissions/330102/{bad}", headers=admin), "path.period"),
        (c.post(f"/api/v1/submissions/330102/{bad}/submit", headers=county), "path.period"),
        (
            c.post(
                "/api/v1/observations",
                headers=county,
                data={"region": "330603", "period": bad},
                files={"file": ("x.xlsx", b"not a workbook", XLSX)},
            ),
            "body.period",
        ),
        (
            c.post("/api/v1/reports", headers=admin, json={"kind": "monthly", "period": bad}),
            "body.period",
        ),
    ]
    for r, where in calls:
        error = _error_body(r, 422).error
        assert f"无法识别的期间 '{bad}'" in error.message and where in error.message, r.url
        assert error.problems and error.problems[0].where == where, r.url
        assert error.problems[0].hint == schemas.PERIOD_HINT


def test_a_bad_milestone_period_is_refused_naming_it(app) -> None:  # type: ignore[no-untyped-def]
    c = TestClient(app, raise_server_exceptions=False)
    body = {"target": "cluster_ecosystem", "period": "2023-3", "status": "completed"}
    r = c.post("/api/v1/milestones", headers=_auth("department"), json=body)
    assert r.status_code == 400 and "period" in r.json()["error"]["message"]
