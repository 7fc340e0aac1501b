"""Compiled plans: the SQL an evaluation compiles to, kept and reused like a prepared statement.

Building the Ibis expressions of a full screening run and compiling them to SQL costs about half a
second of Python whatever the number of enterprises — as long as DuckDB needs for Zhejiang's 10^5
firms. The SQL depends only on what goes into the key: the methods' content, the kind, year and
options, the names and column types of the inputs, and the source of the engine and the versions of
Ibis, sqlglot and DuckDB. The inputs are bound by name when the plan runs (temporary views with
fixed names, see :func:`bind_parquet`), so a plan is valid for any data of the same shape.

Plans are kept in memory and under ``<var>/cache/plans`` (written atomically; a damaged or
unreadable cache only means compiling again). ``ZHUANSHENG_PLAN_CACHE=off`` turns caching off.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from collections.abc import Callable, Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from zhuansheng import atomic, workspace

from .backends import unfused

if TYPE_CHECKING:
    import ibis
    import ibis.expr.types as ir

ENV = "ZHUANSHENG_PLAN_CACHE"
_MEMORY: dict[str, str] = {}
# What the SQL depends on besides the key's parts: the code that builds it.
_SOURCES = ("engine", "lake", "reference")


def enabled() -> bool:
    return os.environ.get(ENV, "").strip().lower() not in ("0", "off", "false", "no")


@cache
def _code_version() -> str:
    import duckdb
    import ibis
    import sqlglot

    h = hashlib.sha256(f"{ibis.__version__}/{sqlglot.__version__}/{duckdb.__version__}".encode())
    package = Path(__file__).resolve().parents[1]
    for sub in _SOURCES:
        for path in sorted((package / sub).rglob("*")):
            if path.is_file() and path.suffix in (".py", ".yaml", ".csv", ".json"):
                h.update(path.relative_to(package).as_posix().encode())
                h.update(path.read_bytes())
    return h.hexdigest()


def plan_key(parts: Mapping[str, Any]) -> str:
    """A key for the plan ``parts`` describe (JSON-able values; models via ``model_dump``)."""
    blob = json.dumps(parts, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(f"{_code_version()}\n{blob}".encode()).hexdigest()[:40]


def cache_dir() -> Path:
    return workspace.current().var / "cache" / "plans"


def compile_sql(con: ibis.BaseBackend, expr: ir.Table) -> str:
    with unfused():
        return str(con.compile(expr))


def sql_for(key: str, con: ibis.BaseBackend, build: Callable[[], ir.Table]) -> tuple[str, bool]:
    """The plan's SQL and whether it came from the cache (else ``build()`` is compiled now)."""
    if not enabled():
        return compile_sql(con, build()), False
    if key in _MEMORY:
        return _MEMORY[key], True
    path = cache_dir() / f"{key}.sql"
    try:
        sql = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        sql = ""
    if sql.strip():
        _MEMORY[key] = sql
        return sql, True
    sql = compile_sql(con, build())
    _MEMORY[key] = sql
    store_text(path, sql)
    return sql, False


def store_text(path: Path, text: str) -> None:
    """Keep ``text`` at ``path`` atomically; when caching is off or var/ is read-only, don't
    (that only costs the work again next time)."""
    if not enabled():
        return
    with contextlib.suppress(OSError):
        # a cache: losing the newest entry in a crash costs only a compilation
        atomic.write_text(path, text, durable=False)


def forget(key: str) -> None:
    """Drop the plan under ``key`` (memory and disk)."""
    _MEMORY.pop(key, None)
    (cache_dir() / f"{key}.sql").unlink(missing_ok=True)


def clear_memory() -> None:
    _MEMORY.clear()


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def bind_parquet(con: ibis.BaseBackend, name: str, files: str | Sequence[str]) -> ir.Table:
    """Parquet file(s) as the table ``name``: a fixed name the compiled SQL can refer to.

    DuckDB gets a temporary view; other backends read the files under a name of their own (their
    plans are not cached)."""
    paths = [files] if isinstance(files, str) else list(files)
    if con.name != "duckdb":
        return con.read_parquet(paths[0] if len(paths) == 1 else paths)
    listing = "[" + ", ".join(_quote(p) for p in paths) + "]"
    con.raw_sql(f'CREATE OR REPLACE TEMP VIEW "{name}" AS SELECT * FROM read_parquet({listing})')
    return con.table(name)


def copy_to_parquet(con: ibis.BaseBackend, sql: str, target: Path) -> None:
    """Run ``sql`` on DuckDB, streaming the rows into the Parquet file ``target``."""
    con.raw_sql(f"COPY ({sql}) TO {_quote(str(target))} (FORMAT parquet, COMPRESSION zstd)")


def schema_of(table: ir.Table) -> list[list[str]]:
    return [[name, str(dtype)] for name, dtype in table.schema().items()]
