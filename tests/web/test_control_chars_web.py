"""A NUL or another control character in any query parameter: 400 naming the parameter, in the
error body every other 400 has, before any service or database sees it (PostgreSQL refuses NUL,
SQLite would search for it), on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from web_helpers import NODE_MODULES, PASSWORD, login

import worlds
from zhuansheng import store, users
from zhuansheng.web import WebSettings, create_app


@pytest.fixture
def client(store_url: str, tmp_path: Path) -> Iterator[TestClient]:
    worlds.seed_2022(store_url)
    with store.session(store_url) as s:
        users.add_user(s, "prov", "province_admin")
        users.set_password(s, "prov", PASSWORD)
    settings = WebSettings(database_url=store_url, secret="test", node_modules=NODE_MODULES)
    with TestClient(create_app(settings), raise_server_exceptions=False) as c:
        yield login(c, "prov")


@pytest.mark.parametrize("query", ["q=%00", "q=%E6%BC%94%E7%A4%BAA%00B", "q=a%1Bb"])
def test_a_control_character_in_a_query_parameter_is_a_400(client: TestClient, query: str) -> None:
    page = client.get(f"/enterprises?{query}")
    assert page.status_code == 400, page.text
    assert "查询参数 q 含有不可见的控制字符" in page.text
    for path in ("/api/v1/enterprises", "/api/v1/screening", "/api/v1/major-projects"):
        r = client.get(f"{path}?page=1&{query}")
        assert r.status_code == 400, (path, r.text)
        error = r.json()["error"]
        assert error["status"] == 400 and "查询参数 q" in error["message"]


def test_tab_and_plain_text_still_search(client: TestClient) -> None:
    assert client.get("/enterprises?q=%09").status_code == 200
    r = client.get("/api/v1/enterprises?q=%E6%BC%94%E7%A4%BA")
    assert r.status_code == 200 and r.json()["total"] == 0
