"""Slow work off the event loop: imports and the monthly analysis run in the thread pool, views
are computed there on a cache miss and answered on the loop (no thread hop) when in memory."""

from __future__ import annotations

import gc
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from starlette.concurrency import run_in_threadpool

from zhuansheng.collect import ImportResult
from zhuansheng.monitor.views import Monitor
from zhuansheng.services import monitoring, submissions
from zhuansheng.services.context import Caller

T = TypeVar("T")
_paused = 0  # imports running with the cyclic collector paused
_lock = threading.Lock()


async def view(
    cache: monitoring.MonitorCache, m: Monitor, name: str, fn: Callable[[], T], *args: Any
) -> T:
    """``cache.view(m, name, fn, *args)``, computed in a thread when it is not memoised."""
    hit = cache.cached_view(m, name, *args)
    if hit is not monitoring.MISSING:
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


async def imported(
    caller: Caller, path: Path, region: str, period: str, comment: str, dry_run: bool
) -> ImportResult:
    """``submissions.import_upload`` in the thread pool, with the collector paused."""
    return await run_in_threadpool(
        without_collector,
        submissions.import_upload,
        caller,
        path,
        region,
        period,
        comment,
        dry_run,
    )
