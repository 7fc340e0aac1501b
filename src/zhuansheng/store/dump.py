"""A consistent copy of the store in one file, and putting such a copy back.

SQLite: the online backup API copies the database in one read transaction (in WAL mode writers
go on meanwhile); the copy is a SQLite file. PostgreSQL: ``pg_dump --format=custom`` of a snapshot
exported by a repeatable-read transaction, which also counts the rows and reads the schema
revision, so that the counts describe exactly what the dump holds; restored with ``pg_restore
--single-transaction`` (all or nothing).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import inspect, text
from sqlalchemy.engine import URL, make_url

from zhuansheng.errors import ZhuanshengError

from .engine import _normalise, dispose_all, engine

__all__ = [
    "DumpError",
    "StoreDump",
    "backend",
    "counts",
    "dump",
    "has_data",
    "restore",
    "safe_url",
    "sqlite_file_exists",
]


class DumpError(ZhuanshengError):
    """The store could not be dumped or restored (a missing tool, a failed dump)."""


@dataclass(frozen=True)
class StoreDump:
    """A written dump: its file, the backend it came from, the schema revision and the number
    of rows of every table as of the dump."""

    path: Path
    backend: str
    revision: str | None
    tables: dict[str, int]


def backend(url: str) -> str:
    """``sqlite`` or ``postgresql``."""
    return make_url(_normalise(url)).get_backend_name()


def _sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise DumpError(f"内存中的 SQLite 数据库无法备份或恢复 (no file behind {url})")
    return Path(database)


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def dump(url: str, path: Path) -> StoreDump:
    """Write a consistent copy of the store at ``url`` to ``path`` (a new file)."""
    url = _normalise(url)
    if backend(url) == "sqlite":
        return _dump_sqlite(url, path)
    if backend(url) == "postgresql":
        return _dump_postgres(url, path)
    raise DumpError(f"不支持备份此类数据库：{backend(url)} (unsupported backend)")


def restore(url: str, path: Path, source_backend: str) -> None:
    """Replace the store at ``url`` by the dump at ``path`` (made from ``source_backend``)."""
    url = _normalise(url)
    if source_backend != backend(url):
        raise DumpError(
            f"备份来自 {source_backend} 数据库，不能恢复到 {backend(url)} 数据库 "
            "(the backup's backend differs from the configured store)"
        )
    dispose_all()  # no pooled connection may hold the old content
    if source_backend == "sqlite":
        _restore_sqlite(url, path)
    else:
        _restore_postgres(url, path)
    dispose_all()


def has_data(url: str) -> bool:
    """Whether any table of the store (other than the schema revision) has a row."""
    eng = engine(url)
    with eng.connect() as conn:
        names = [n for n in inspect(conn).get_table_names() if n != "alembic_version"]
        for name in names:
            if conn.execute(text(f"SELECT 1 FROM {_quote(name)} LIMIT 1")).first() is not None:
                return True
    return False


def counts(url: str) -> dict[str, int]:
    """The number of rows of every table the store has (the schema revision's too)."""
    with engine(url).connect() as conn:
        return {
            name: int(conn.execute(text(f"SELECT count(*) FROM {_quote(name)}")).scalar_one())
            for name in sorted(inspect(conn).get_table_names())
        }


def safe_url(url: str) -> str:
    """The URL to show (no password)."""
    return make_url(_normalise(url)).render_as_string(hide_password=True)


def sqlite_file_exists(url: str) -> bool:
    return _sqlite_path(_normalise(url)).is_file()


# ---------------------------------------------------------------------------------------------
# SQLite


def _sqlite_counts(conn: sqlite3.Connection) -> tuple[str | None, dict[str, int]]:
    names = [
        r[0]
        for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "ORDER BY name"
        )
    ]
    tables = {n: conn.execute(f"SELECT count(*) FROM {_quote(n)}").fetchone()[0] for n in names}
    revision = None
    if "alembic_version" in names:
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        revision = row[0] if row else None
    return revision, tables


def _dump_sqlite(url: str, path: Path) -> StoreDump:
    source_path = _sqlite_path(url)
    if not source_path.is_file():
        raise DumpError(f"数据库文件不存在：{source_path} (no store to back up)")
    source = sqlite3.connect(source_path, timeout=30)
    target = sqlite3.connect(path)
    try:
        # one step: the whole copy is read in one transaction, a snapshot of the database
        source.backup(target, pages=-1)
        target.execute("PRAGMA journal_mode=DELETE")  # the copy is one self-contained file
        revision, tables = _sqlite_counts(target)
    finally:
        target.close()
        source.close()
    return StoreDump(path, "sqlite", revision, tables)


def _restore_sqlite(url: str, path: Path) -> None:
    target_path = _sqlite_path(url)
    target_path.parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(path)
    target = sqlite3.connect(target_path, timeout=30)
    try:
        target.execute("PRAGMA journal_mode=WAL")
        source.backup(target, pages=-1)  # replaces the whole content in one transaction
    finally:
        target.close()
        source.close()


# ---------------------------------------------------------------------------------------------
# PostgreSQL


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise DumpError(
            f"未找到 {name}：请在本机安装 PostgreSQL 客户端工具（如 apt-get install "
            f"postgresql-client，版本不低于数据库服务器），再重试 ({name} is not installed)"
        )
    return found


def _libpq_env(url: URL) -> dict[str, str]:
    """The connection as libpq environment variables (the password never on a command line)."""
    env = dict(os.environ)
    for key, value in (
        ("PGHOST", url.host),
        ("PGPORT", str(url.port) if url.port else None),
        ("PGUSER", url.username),
        ("PGPASSWORD", url.password),
        ("PGDATABASE", url.database),
        ("PGSSLMODE", url.query.get("sslmode")),
    ):
        if value:
            env[key] = str(value)
    return env


def _run(argv: list[str], env: dict[str, str], what: str) -> None:
    try:
        done = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
    except OSError as exc:
        raise DumpError(f"{what}失败：无法运行 {argv[0]}（{exc}）") from exc
    if done.returncode != 0:
        detail = "\n".join(done.stderr.strip().splitlines()[-5:]) or f"退出码 {done.returncode}"
        raise DumpError(f"{what}失败（{Path(argv[0]).name} 报告）：{detail}")


def _dump_postgres(url: str, path: Path) -> StoreDump:
    pg_dump = _tool("pg_dump")
    parsed = make_url(url)
    # A repeatable-read transaction exports its snapshot; pg_dump dumps that very snapshot while
    # the transaction counts the rows, so the counts are those of the dump.
    with engine(url).connect() as conn:
        conn = conn.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin():
            snapshot = conn.execute(text("SELECT pg_export_snapshot()")).scalar_one()
            names = list(
                conn.execute(
                    text(
                        "SELECT table_name FROM information_schema.tables "
                        "WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' "
                        "ORDER BY table_name"
                    )
                ).scalars()
            )
            tables = {
                n: int(conn.execute(text(f"SELECT count(*) FROM {_quote(n)}")).scalar_one())
                for n in names
            }
            revision = None
            if "alembic_version" in names:
                revision = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
            _run(
                [pg_dump, "--format=custom", f"--snapshot={snapshot}", f"--file={path}"],
                _libpq_env(parsed),
                "数据库导出（pg_dump）",
            )
    return StoreDump(path, "postgresql", revision, tables)


def _restore_postgres(url: str, path: Path) -> None:
    pg_restore = _tool("pg_restore")
    parsed = make_url(url)
    env = _libpq_env(parsed)
    _run(
        [
            pg_restore,
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            f"--dbname={env.get('PGDATABASE', '')}",
            str(path),
        ],
        env,
        "数据库恢复（pg_restore）",
    )
