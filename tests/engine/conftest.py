"""The engine tests' marker (until pyproject.toml lists it, so ``--strict-markers`` accepts it)."""

from __future__ import annotations

import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "spark: runs on PySpark in local mode (needs pyspark and Java 17; else skipped)"
    )
