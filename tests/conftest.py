"""Shared fixtures: an empty working area per test (its own var/, store and lake), the shared
demo world (built once per run, copied for each test or module) and store URLs.

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

import worlds
from zhuansheng import store

PG_ENV = "ZHUANSHENG_TEST_POSTGRES_URL"


@pytest.fixture
def empty_world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A fresh, empty working area: settings point at tmp_path/var (yielded), nothing shared with
    other tests."""
    var = tmp_path / "var"
    monkeypatch.setenv("ZHUANSHENG_VAR", str(var))
    monkeypatch.setenv("ZHUANSHENG_DATABASE_URL", f"sqlite:///{var / 'zhuansheng.db'}")
    monkeypatch.setenv("ZHUANSHENG_LAKE", str(var / "lake"))
    monkeypatch.setenv("ZHUANSHENG_PROGRAMME_DIR", str(tmp_path / "programmes"))
    monkeypatch.delenv("ZHUANSHENG_CONFIG", raising=False)
    yield var
    store.dispose_all()


@pytest.fixture(scope="session")
def demo_source(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The demo world (seed 5, 2 000 sample firms) as built, once per run. Never written to:
    tests use ``demo_world`` or ``module_demo_world``, which are copies."""
    with worlds.kept_unwritten(worlds.demo_source(tmp_path_factory)) as root:
        yield root


@pytest.fixture
def demo_world(demo_source: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A copy of the demo world for one test that writes into its store (its root is yielded);
    the settings point at it."""
    root = worlds.copy_world(demo_source, tmp_path_factory.mktemp("demo") / "world")
    with worlds.pointed_at(root):
        yield root


@pytest.fixture(scope="module")
def module_demo_world(
    demo_source: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Path]:
    """A copy of the demo world shared by one module's tests that only read its store (files
    they write go to folders of their own under it); module-scoped fixtures can compute
    something once from it. The settings point at it until the module ends; the module fails
    if its tests wrote into the store or the lake (they should use ``demo_world``)."""
    root = worlds.copy_world(demo_source, tmp_path_factory.mktemp("module-demo") / "world")
    with worlds.kept_unwritten(root / "var"), worlds.pointed_at(root):
        yield root


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
def store_url(
    request: pytest.FixtureRequest, empty_world: Path, monkeypatch: pytest.MonkeyPatch
) -> str:
    """The store's URL on each backend; also set as ZHUANSHENG_DATABASE_URL for the test."""
    if request.param == "sqlite":
        url = f"sqlite:///{empty_world / 'store.db'}"
    else:
        url = request.getfixturevalue("postgres_url")
    monkeypatch.setenv("ZHUANSHENG_DATABASE_URL", url)
    return url
