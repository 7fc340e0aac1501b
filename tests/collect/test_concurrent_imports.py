"""Two uploads of the same region and period at once, twenty times over, on SQLite and
PostgreSQL: each either lands (the later one as a revision) or is refused with a conflict that
says to submit again — never a traceback — and every accepted file's values are in the store,
none half-written."""

from __future__ import annotations

import threading
from pathlib import Path

from sqlalchemy import select
from test_import import GOOD, KEQIAO, filled, url

from zhuansheng import store
from zhuansheng.collect import import_observations
from zhuansheng.errors import Conflict
from zhuansheng.store import tables as t
from zhuansheng.workspace import at

__all__ = ["url"]  # the fixture
PAIRS = 20


def test_twenty_concurrent_pairs_of_one_region_and_period(url: str, tmp_path: Path) -> None:
    accepted: list[str] = []
    refused: list[str] = []
    failed: list[BaseException] = []
    for i in range(PAIRS):
        files = [
            filled(url, tmp_path, {**GOOD, "robots": 100 + 2 * i + k}, name=f"柯桥-{i}-{k}.xlsx")
            for k in (0, 1)
        ]
        start = threading.Barrier(2)

        def upload(path: Path, start: threading.Barrier = start) -> None:
            start.wait()
            try:
                import_observations(path, user="keqiao", ws=at(url), comment="并发提交")
                accepted.append(path.name)
            except Conflict:
                refused.append(path.name)
            except BaseException as exc:  # what must not happen: anything else
                failed.append(exc)

        threads = [threading.Thread(target=upload, args=(p,)) for p in files]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
    assert failed == [], failed
    assert len(accepted) + len(refused) == 2 * PAIRS
    with store.session(url) as s:
        sources = set(
            s.scalars(
                select(t.Observation.source_name).where(
                    t.Observation.indicator_id == "robots",
                    t.Observation.region_code == KEQIAO,
                    t.Observation.period == "2022-06",
                )
            )
        )
        batches = set(s.scalars(select(t.ImportBatch.file_name)))
    # every accepted file left its robots revision (its value differs from every other file's)
    # and its import record; a refused one left nothing
    assert set(accepted) <= sources and set(accepted) <= batches
    assert not (set(refused) & (sources | batches))
