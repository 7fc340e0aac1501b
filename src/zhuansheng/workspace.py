"""The workspace: one world's database, lake, working folder and programme folder, built from
the configuration once (``current()``) and passed down to the services, so that no layer below
reads the environment on its own behalf."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from zhuansheng.config import settings


@dataclass(frozen=True)
class Workspace:
    database_url: str
    lake: Path
    var: Path
    programme_dir: Path

    @property
    def reports(self) -> Path:
        """Generated reports (briefings and analyses)."""
        return self.var / "reports"

    @property
    def outputs(self) -> Path:
        """Analysis tables written by the CLI's stages."""
        return self.var / "outputs"


def current() -> Workspace:
    """The workspace the configuration describes now (environment, TOML file, defaults)."""
    s = settings()
    return Workspace(s.database_url, s.lake, s.var, s.programme_dir)


def resolve(ws: Workspace | None) -> Workspace:
    """The workspace given, or the configured one (for callers that pass none)."""
    return ws if ws is not None else current()


def database_url(ws: Workspace | None) -> str:
    return resolve(ws).database_url


def at(database_url: str) -> Workspace:
    """The configured workspace with another database (a second store beside the first)."""
    return replace(current(), database_url=database_url)
