"""Fixtures for the enterprise-lake tests (helpers live in ``lake_helpers``)."""

from __future__ import annotations

from pathlib import Path

import pytest
from lake_helpers import Row, sample_rows


@pytest.fixture
def rows() -> list[Row]:
    return sample_rows()


@pytest.fixture
def lake(tmp_path: Path) -> Path:
    """A lake directory that does not exist yet."""
    return tmp_path / "lake"
