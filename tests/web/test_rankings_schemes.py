"""The ranking page and /api/v1/assess with a scheme from the programme folder: a draft is not
ranked officially, is shown on request and says so; once approved (the file changed) the page
ranks by it without a restart."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import docx
import pytest
from web_helpers import USERS, World, client_for, make_settings

from zhuansheng import assess
from zhuansheng.assess import draft
from zhuansheng.services import tokens
from zhuansheng.web import create_app
from zhuansheng.workspace import at

ADMIN = {"Authorization": f"Bearer {tokens.issue('admin', 'test-secret')}"}


@pytest.fixture
def draft_scheme(web_world: World) -> Iterator[Path]:
    """A draft quarterly scheme for 2022 in the world's programme folder, removed afterwards
    (the world is shared by the other web tests, which rank by the shipped scheme)."""
    path = draft.write_draft(2022, "quarterly", ws=at(web_world.url))
    try:
        yield path
    finally:
        path.unlink()
        assess.inputs.clear_cache()


def test_a_draft_scheme_is_offered_as_a_trial_and_says_so(
    web_world: World, draft_scheme: Path
) -> None:
    app = create_app(make_settings(web_world))
    c = client_for(app, USERS["province_admin"])
    page = c.get("/rankings?period=2022Q2&level=city")
    assert page.status_code == 200
    assert 'id="draft-refused"' in page.text and 'class="ranked"' not in page.text
    assert "status: approved" in page.text and str(draft_scheme) in page.text
    link = re.search(r'id="draft-try" href="([^"]+)"', page.text)
    assert link and "draft=true" in link.group(1)

    trial = c.get(link.group(1).replace("&amp;", "&"))
    assert trial.status_code == 200
    assert 'id="draft-scheme"' in trial.text and "评价方案为草案" in trial.text
    assert "2022.0-draft" in trial.text
    direct = assess.run("2022Q2", "city", ws=at(web_world.url), save=False, draft=True)
    assert "（评价方案为草案）" in direct.title_zh and direct.title_zh in trial.text
    rows = re.findall(r'<tr class="ranked" data-region="(\d+)"', trial.text)
    assert rows == [r.region for r in direct.rows]
    # the drill-down keeps the trial (its links carry draft=true)
    top = direct.rows[0].region
    assert f"draft=true&region={top}" in trial.text
    part = c.get(f"/rankings/contributions?period=2022Q2&level=city&draft=true&region={top}")
    assert part.status_code == 200 and "robots_new" in part.text

    api = client_for(app, None)
    refused = api.get("/api/v1/assess?period=2022Q2", headers=ADMIN)
    assert refused.status_code == 400 and "status: approved" in refused.json()["error"]["message"]
    body = api.get("/api/v1/assess?period=2022Q2&draft=true", headers=ADMIN).json()
    assert body["draft"] is True and body["scheme_version"] == "2022.0-draft"
    assert [i["region"] for i in body["items"]] == [r.region for r in direct.rows]
    assert len(body["indicators"]) == len(direct.indicators)

    # approved: the same app ranks by the changed file at once, and no longer says draft
    text = draft_scheme.read_text(encoding="utf-8")
    draft_scheme.write_text(text.replace("status: draft", "status: approved"), encoding="utf-8")
    official = c.get("/rankings?period=2022Q2&level=city")
    assert official.status_code == 200 and 'class="ranked"' in official.text
    assert 'id="draft-scheme"' not in official.text and 'id="draft-refused"' not in official.text
    assert "2022.0-draft" in official.text  # the programme folder's scheme, not the shipped one
    ok = api.get("/api/v1/assess?period=2022Q2", headers=ADMIN).json()
    assert ok["draft"] is False and ok["scheme_version"] == "2022.0-draft"


def test_the_shipped_scheme_is_not_a_draft(web_world: World, app) -> None:  # type: ignore[no-untyped-def]
    body = client_for(app, None).get("/api/v1/assess?period=2022Q2", headers=ADMIN).json()
    assert body["draft"] is False and body["scheme_version"] == "2022.1"


@pytest.mark.slow
def test_a_report_from_the_api_ranks_by_a_draft_only_when_asked(
    web_world: World, draft_scheme: Path
) -> None:
    app = create_app(make_settings(web_world))
    api = client_for(app, None)
    request = {"kind": "quarterly", "period": "2022Q1", "formats": ["docx"]}
    made: list[Path] = []
    try:
        for draft_wanted, expected, absent in (
            (False, "尚未审定", "以下排名仅供试算"),
            (True, "（评价方案为草案）", "排名从略"),
        ):
            r = api.post("/api/v1/reports", json={**request, "draft": draft_wanted}, headers=ADMIN)
            assert r.status_code == 201, r.text
            path = web_world.reports / r.json()["files"][0]["name"]
            made.append(path)
            doc = docx.Document(str(path))
            text = "\n".join(
                [p.text for p in doc.paragraphs]
                + [c.text for t in doc.tables for row in t.rows for c in row.cells]
            )
            assert expected in text and absent not in text
    finally:
        for path in made:
            path.unlink(missing_ok=True)
