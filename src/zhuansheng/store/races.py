"""Two writers of the same rows at once (two uploads of one region and period, two imports of
one register): the transaction that loses the race on a unique key — or finds the SQLite file
locked past its timeout — is rolled back whole and run again, when it reads what the winner
wrote and becomes a revision or an unchanged file. A race still lost after a few runs is a
``Conflict`` (409, exit 2) that says what to do; never a traceback, never half a file."""

from __future__ import annotations

import functools
import random
import time
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from sqlalchemy.exc import IntegrityError, OperationalError

from zhuansheng.errors import Conflict

P = ParamSpec("P")
R = TypeVar("R")
ATTEMPTS = 4


def _lost(exc: Exception) -> bool:
    if isinstance(exc, IntegrityError):
        return True  # a unique key the other writer took first
    text = str(getattr(exc, "orig", exc)).lower()
    return "database is locked" in text or "deadlock" in text or "could not serialize" in text


def run_again_on_race(what: str) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Run the decorated write (one whole transaction) again when it lost a race; ``what``
    names it in the conflict message (“导入填报数据”)."""

    def wrap(fn: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(fn)
        def run(*args: P.args, **kwargs: P.kwargs) -> R:
            for attempt in range(ATTEMPTS):
                try:
                    return fn(*args, **kwargs)
                except (IntegrityError, OperationalError) as exc:
                    if not _lost(exc):
                        raise
                    # the winner is committing: a short, spread wait before reading again
                    time.sleep(0.05 * (attempt + 1) + random.random() * 0.05)
            raise Conflict(
                f"{what}时有他人同时写入相同的数据，本次未保存任何内容；"
                "请稍后重新提交（重新提交不会重复写入已保存的数据）"
            )

        return run

    return wrap
