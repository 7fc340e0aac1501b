"""Shared fixtures: an isolated world per test (its own var/, store and lake) and store URLs.

The store tests run on SQLite and on PostgreSQL. PostgreSQL is reached through
ZHUANSHENG_TEST_POSTGRES_URL (``./run test`` sets it when a server answers); each test gets a
database of its own, dropped afterwards. Without a server those tests are skipped, and pytest's
summary says so.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from zhuansheng import store

PG_ENV = "ZHUANSHENG_TEST_POSTGRES_URL"


@pytest.fixture
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A fresh working area: settings point at tmp_path/var, nothing shared with other tests."""
    var = tmp_path / "var"
    monkeypatch.setenv("ZHUANSHENG_VAR", str(var))
    monkeypatch.setenv("ZHUANSHENG_DATABASE_URL", f"sqlite:///{var / 'zhuansheng.db'}")
    monkeypatch.setenv("ZHUANSHENG_LAKE", str(var / "lake"))
    monkeypatch.setenv("ZHUANSHENG_PROGRAMME_DIR", str(tmp_path / "programmes"))
    monkeypatch.delenv("ZHUANSHENG_CONFIG", raising=False)
    yield var
    store.dispose_all()


def _postgres_admin_url() -> str | None:
    return os.environ.get(PG_ENV)


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A new, empty PostgreSQL database for one test."""
    admin = _postgres_admin_url()
    if not admin:
        pytest.skip(f"no PostgreSQL server: set {PG_ENV} (./run test does when one answers)")
    import psycopg

    name = f"zs_test_{uuid.uuid4().hex[:12]}"
    url = make_url(admin.replace("postgresql://", "postgresql+psycopg://", 1))
    conninfo = url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        store.dispose_all()
        with psycopg.connect(conninfo, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest, world: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """The store's URL on each backend; also set as ZHUANSHENG_DATABASE_URL for the test."""
    if request.param == "sqlite":
        url = f"sqlite:///{world / 'store.db'}"
    else:
        url = request.getfixturevalue("postgres_url")
    monkeypatch.setenv("ZHUANSHENG_DATABASE_URL", url)
    return url
