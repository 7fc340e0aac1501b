"""A throw-away demo world for benchmarks (a temporary folder the settings point at), and the
median of repeated timings."""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def temporary_world() -> Iterator[Path]:
    """Point ZHUANSHENG_VAR at a new temporary folder (store and lake inside) and work there."""
    old = os.getcwd()
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["ZHUANSHENG_VAR"] = str(Path(tmp) / "var")
        for key in ("ZHUANSHENG_DATABASE_URL", "ZHUANSHENG_LAKE"):
            os.environ.pop(key, None)
        os.chdir(tmp)
        try:
            yield Path(tmp)
        finally:
            from zhuansheng import store

            store.dispose_all()
            os.chdir(old)


def median_time(fn: Callable[[], object], repeat: int) -> float:
    """The median wall time of ``fn()`` over ``repeat`` calls, after one warm-up call (imports,
    first-use caches)."""
    fn()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)
