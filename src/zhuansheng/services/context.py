"""The caller of a service: the workspace, the actor, the platform's visibility policy and the
process's caches. Every face builds one per request or command and passes it down."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from zhuansheng import access
from zhuansheng.access import Actor
from zhuansheng.workspace import Workspace

if TYPE_CHECKING:
    from zhuansheng.monitor.views import Monitor

    from .monitoring import MonitorCache
    from .rankings import RankingCache


BEIJING = dt.timezone(dt.timedelta(hours=8))


@dataclass(frozen=True)
class Caller:
    ws: Workspace
    actor: Actor
    # Aggregated progress of every region visible to every signed-in user (rankings are public
    # inside the platform); enterprise data and submissions stay within the scope regardless.
    all_regions_visible: bool = True
    monitor: MonitorCache | None = None
    rankings: RankingCache | None = None
    reports_dir: Path | None = None  # generated reports; None: the workspace's reports folder
    count_from: str | None = None  # what monitoring counts; None: the rules file's count_from
    # the day the caller acts on (None: today); the demo replays its synthetic year with it
    on: dt.date | None = None

    def today(self) -> dt.date:
        """The day in Zhejiang (deadlines fall due at midnight Beijing time, whatever the
        server's zone)."""
        return self.on or dt.datetime.now(BEIJING).date()

    def now(self) -> dt.datetime | None:
        """When the caller acts: None for now, or nine in the morning (Beijing time) of ``on``."""
        if self.on is None:
            return None
        return dt.datetime.combine(self.on, dt.time(9), tzinfo=BEIJING)

    def may(self, action: str, region: str | None = None, **context: object) -> bool:
        context.setdefault("all_regions_visible", self.all_regions_visible)
        return access.may(self.actor, action, region, **context)  # type: ignore[arg-type]

    def require(
        self, action: str, region: str | None = None, message: str = "", **context: object
    ) -> None:
        context.setdefault("all_regions_visible", self.all_regions_visible)
        access.require(self.actor, action, region, message, **context)

    def analysis(self, period: str) -> Monitor:
        """The monitoring analysis of the period's year, cached when the caller has a cache,
        counting what the caller asked for (``count_from``) or the rules' own."""
        from .monitoring import MonitorCache

        cache = self.monitor or MonitorCache(self.ws)
        return cache.get(period, self.count_from)

    @property
    def home(self) -> str:
        return access.home_region(self.actor)

    @property
    def scope(self) -> str | None:
        return access.scope_root(self.actor)

    @property
    def scope_key(self) -> str | None:
        """What a cached aggregate view depends on: nothing when every region is visible."""
        return None if self.all_regions_visible else self.scope


def console(ws: Workspace) -> Caller:
    """The command line's own authority where a command names no user: whoever runs it on the
    server holds the store, as the provincial administrator does."""
    return Caller(ws, Actor("console", "province_admin", None))
