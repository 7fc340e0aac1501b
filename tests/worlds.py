"""A demo world shared by the tests of one module: its own var/, store and lake."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from zhuansheng import demo, store


def point_at(mp: pytest.MonkeyPatch, root: Path) -> None:
    """Settings for a world under ``root`` (var/, its store and lake; an empty programme dir)."""
    mp.setenv("ZHUANSHENG_VAR", str(root / "var"))
    mp.setenv("ZHUANSHENG_DATABASE_URL", f"sqlite:///{root / 'var' / 'zhuansheng.db'}")
    mp.setenv("ZHUANSHENG_LAKE", str(root / "var" / "lake"))
    mp.setenv("ZHUANSHENG_PROGRAMME_DIR", str(root / "programmes"))
    mp.delenv("ZHUANSHENG_CONFIG", raising=False)


@contextmanager
def demo_world(
    factory: pytest.TempPathFactory, name: str, *, seed: int, enterprises: int
) -> Iterator[Path]:
    """A demo world built once under a new temporary folder; the settings point at it while
    the context lasts."""
    root = factory.mktemp(name)
    with pytest.MonkeyPatch.context() as mp:
        point_at(mp, root)
        demo.build(seed=seed, enterprises=enterprises)
        try:
            yield root
        finally:
            store.dispose_all()
