"""Schema migrations with Alembic, configured in code so they run from the installed package."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from zhuansheng.errors import ZhuanshengError

from .engine import engine

MIGRATIONS = Path(__file__).with_name("migrations")


def alembic_config(url: str | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["engine"] = engine(url)
    return cfg


def upgrade(url: str | None = None, revision: str = "head") -> str:
    """Bring the database to ``revision``; returns the revision it is at afterwards."""
    cfg = alembic_config(url)
    with cfg.attributes["engine"].begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)
    return current_revision(url) or ""


def current_revision(url: str | None = None) -> str | None:
    with engine(url).connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision() -> str:
    script = ScriptDirectory.from_config(alembic_config())
    return script.get_current_head() or ""


def known_revision(revision: str) -> bool:
    """Whether ``revision`` is one of this version's migrations."""
    script = ScriptDirectory.from_config(alembic_config())
    try:
        return script.get_revision(revision) is not None
    except Exception:  # alembic's resolution errors: not one of ours
        return False


def require_current(url: str | None = None) -> None:
    """Refuse a store that is not at the current schema, saying what to run: every page of a
    server on such a store would answer with an error."""
    current, head = current_revision(url), head_revision()
    if current != head:
        state = "尚未建表" if current is None else f"结构版本为 {current}，应为 {head}"
        raise ZhuanshengError(
            f"数据库 {url} {state}：请先运行 zhuansheng db upgrade（并 zhuansheng db seed 载入"
            "工作要点与行政区划），或用 zhuansheng demo build 生成合成演示数据 "
            "(the store is not at the current schema)"
        )
