"""Slow work off the event loop: the monthly analysis and its views are computed in the thread
pool on a cache miss, and answered on the loop (no thread hop) when they are in memory."""

from __future__ import annotations

import gc
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from starlette.concurrency import run_in_threadpool

from zhuansheng import store
from zhuansheng.monitor.views import Monitor
from zhuansheng.periods import parse_period

from . import services

if TYPE_CHECKING:
    from .app import WebState

T = TypeVar("T")
_paused = 0  # imports running with the cyclic collector paused
_lock = threading.Lock()


def _monitor(web: WebState, period: str | None) -> tuple[str, Monitor]:
    with store.session(web.settings.database_url) as s:
        code = parse_period(period).code if period else services.latest_month(s)
        return code, web.monitor.get(s, code)


async def monitor(web: WebState, period: str | None) -> tuple[str, Monitor]:
    """The period's code (the newest month when none is given) and its analysis."""
    if period:
        code = parse_period(period).code
        hit = web.monitor.cached(code)
        if hit is not None:
            return code, hit
    return await run_in_threadpool(_monitor, web, period)


async def view(
    cache: services.MonitorCache, m: Monitor, name: str, fn: Callable[[], T], *args: Any
) -> T:
    """``cache.view(m, name, fn, *args)``, computed in a thread when it is not memoised."""
    hit = cache.cached_view(m, name, *args)
    if hit is not services.MISSING:
        return hit  # type: ignore[no-any-return]
    return await run_in_threadpool(cache.view, m, name, fn, *args)


def without_collector(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """``fn(*args, **kwargs)`` with the cyclic garbage collector paused until the last such call
    ends. An import builds a workbook's cells (10^5–10^6 objects) that reference counting
    frees; full collections walking them, each holding the GIL for a few hundred
    milliseconds, would stall the event loop in the middle of the upload."""
    global _paused
    with _lock:
        _paused += 1
        if _paused == 1:
            gc.disable()
    try:
        return fn(*args, **kwargs)
    finally:
        with _lock:
            _paused -= 1
            if _paused == 0:
                gc.enable()
