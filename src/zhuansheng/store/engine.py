"""Database connections: a SQLite file in WAL mode by default, PostgreSQL by URL."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from zhuansheng import workspace


def _normalise(url: str) -> str:
    # psycopg 3 is the driver we ship; accept the plain postgresql:// form people type.
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


_ENGINES: dict[str, Engine] = {}


def _create(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record) -> None:  # type: ignore[no-untyped-def]
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        return engine
    return create_engine(url, pool_pre_ping=True)


def engine(url: str | None = None) -> Engine:
    """The engine for ``url`` or for ``ZHUANSHENG_DATABASE_URL`` (one per URL, reused)."""
    key = _normalise(url or workspace.current().database_url)
    if key not in _ENGINES:
        _ENGINES[key] = _create(key)
    return _ENGINES[key]


@contextmanager
def session(url: str | None = None) -> Iterator[Session]:
    """A transaction: committed when the block ends normally, rolled back on any error."""
    maker = sessionmaker(engine(url), expire_on_commit=False)
    with maker.begin() as s:
        yield s


def dispose_all() -> None:
    """Close every pooled connection and forget the engines (before dropping a database)."""
    for eng in _ENGINES.values():
        eng.dispose()
    _ENGINES.clear()


def table_counts(url: str | None = None) -> dict[str, int]:
    """The number of rows of every table, in dependency order."""
    from sqlalchemy import func, select

    from .tables import Base

    with session(url) as s:
        return {
            table.name: int(s.scalar(select(func.count()).select_from(table)) or 0)
            for table in Base.metadata.sorted_tables
        }
