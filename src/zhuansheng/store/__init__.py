"""The operational store: tables, migrations, sessions and repositories.

SQLite (WAL) under ``./var/`` by default; PostgreSQL when ``ZHUANSHENG_DATABASE_URL`` says so.
"""

from . import audit, observations, tables
from .engine import dispose_all, engine, session
from .migrate import current_revision, head_revision, upgrade
from .sync import replace_pilots, sync_programme, sync_reference

__all__ = [
    "audit",
    "current_revision",
    "dispose_all",
    "engine",
    "head_revision",
    "observations",
    "replace_pilots",
    "session",
    "sync_programme",
    "sync_reference",
    "tables",
    "upgrade",
]
