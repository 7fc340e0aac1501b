"""A run that followed a fallback its method file states says so where runs are shown: the
enterprise page, the region page's class distributions and the API's evaluation runs."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from ruamel.yaml import YAML
from sqlalchemy import select
from web_helpers import NODE_MODULES, PASSWORD, login

from zhuansheng import engine, store, users
from zhuansheng.engine.loader import resolve
from zhuansheng.services import tokens
from zhuansheng.store import tables as t
from zhuansheng.web import WebSettings, create_app


def east_china_2022_as_national(folder: Path) -> Path:
    """carbon-2022 where the 华东 2022 entry states ``fallback: default_region``."""
    yaml = YAML(typ="rt")
    doc = yaml.load(resolve("carbon-2022").read_text(encoding="utf-8"))
    doc["id"] = "carbon-fallback-2022"
    for f in doc["grid"]["factors"]:
        if (f["year"], f["region"]) == (2022, "east_china"):
            del f["tco2_per_mwh"], f["url"]
            f["fallback"] = "default_region"
    path = folder / "carbon-fallback-2022.yaml"
    with path.open("w", encoding="utf-8") as fh:
        yaml.dump(doc, fh)
    return path


def test_a_fallback_is_shown_on_the_pages_and_in_the_api(demo_world: Path, tmp_path: Path) -> None:
    plain = engine.evaluate("carbon", 2022)  # the shipped file has 华东 2022: no fallback
    run = engine.evaluate("carbon", 2022, method=east_china_2022_as_national(tmp_path))
    (fb,) = run.summary["fallbacks"]
    assert (fb["wanted"], fb["used"], fb["value"]) == ("2022 east_china", "2022 national", 0.5366)
    with store.session() as s:
        users.set_password(s, "admin", PASSWORD)
        uscc = s.scalar(select(t.Enterprise.uscc).where(t.Enterprise.county_code == "330102"))
        recorded = s.get(t.EvaluationRun, run.run_id)
        assert recorded is not None and recorded.summary["fallbacks"] == run.summary["fallbacks"]
    app = create_app(WebSettings(secret="test-secret", node_modules=NODE_MODULES))
    client = login(TestClient(app), "admin")
    page = client.get(f"/enterprises/{uscc}")
    assert page.status_code == 200
    assert "按方法文件规定使用了替代值" in page.text
    assert "2022 east_china 无值" in page.text and "default_region" in page.text
    region = client.get("/regions/330102")  # the class distributions of the newest runs
    assert region.status_code == 200
    assert "按方法文件规定使用了替代值" in region.text and "2022 east_china 无值" in region.text
    auth = {"Authorization": f"Bearer {tokens.issue('admin', 'test-secret')}"}
    listed = client.get("/api/v1/evaluations", headers=auth).json()["items"]
    ours = next(r for r in listed if r["run_id"] == run.run_id)
    assert [f["used"] for f in ours["fallbacks"]] == ["2022 national"]
    assert next(r for r in listed if r["run_id"] == plain.run_id)["fallbacks"] == []
    detail = client.get(f"/api/v1/evaluations/{run.run_id}", headers=auth).json()
    assert detail["summary"]["fallbacks"][0]["rule"] == (
        "grid.factors[2022, east_china].fallback: default_region"
    )
