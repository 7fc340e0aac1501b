"""The operational store: tables, migrations, sessions and repositories.

SQLite (WAL) under ``./var/`` by default; PostgreSQL when ``ZHUANSHENG_DATABASE_URL`` says so.
"""

from . import audit, observations, tables
from .engine import dispose_all, engine, session, table_counts
from .migrate import current_revision, head_revision, require_current, upgrade
from .sync import load_pilots, replace_pilots, seed, sync_programme, sync_reference

__all__ = [
    "audit",
    "current_revision",
    "dispose_all",
    "engine",
    "head_revision",
    "load_pilots",
    "observations",
    "replace_pilots",
    "require_current",
    "seed",
    "session",
    "sync_programme",
    "sync_reference",
    "table_counts",
    "tables",
    "upgrade",
]
