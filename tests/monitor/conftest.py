"""The monitor tests' shared fixtures."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from zhuansheng import store
from zhuansheng.monitor.units import UnitSet, load_units


@pytest.fixture(scope="module")
def units(tmp_path_factory: pytest.TempPathFactory) -> Iterator[UnitSet]:
    url = f"sqlite:///{tmp_path_factory.mktemp('units') / 'u.db'}"
    store.upgrade(url)
    with store.session(url) as s:
        store.sync_reference(s)
        yield load_units(s)
    store.dispose_all()
