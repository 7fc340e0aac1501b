"""Service modules imported on first use, so ``zhuansheng --help`` does not load Ibis, DuckDB,
SQLAlchemy and NumPy before it has anything to do."""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any


class LazyModule:
    def __init__(self, name: str) -> None:
        self._name = name
        self._module: ModuleType | None = None

    def __getattr__(self, attr: str) -> Any:
        if self._module is None:
            self._module = importlib.import_module(self._name)
        return getattr(self._module, attr)


def lazy(name: str) -> Any:
    """A stand-in for ``import name`` that imports when an attribute is first used."""
    return LazyModule(name)
