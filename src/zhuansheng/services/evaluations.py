"""Enterprise evaluation runs (碳效码, 亩均效益, 高耗低效 screening) and their results in the lake,
as the pages and the API show them: the newest run, class distributions, one firm's results."""

from __future__ import annotations

from collections import Counter
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from sqlalchemy import select
from sqlalchemy.orm import Session

from zhuansheng import access, lake, store
from zhuansheng.errors import NotFound
from zhuansheng.store import tables as t

from . import regions
from .context import Caller


def latest_run(session: Session, kind: str, year: int | None = None) -> t.EvaluationRun | None:
    q = select(t.EvaluationRun).where(t.EvaluationRun.method == kind)
    if year is not None:
        q = q.where(t.EvaluationRun.year == year)
    return session.scalar(
        q.order_by(t.EvaluationRun.year.desc(), t.EvaluationRun.started_at.desc())
    )


@cache
def _result_table(path: str) -> pa.Table:
    # Result files are immutable (written once under a new run id), so caching by path is safe.
    return pq.read_table(path)


def run_results(run: t.EvaluationRun) -> pa.Table | None:
    if not run.output_path or not Path(run.output_path).is_file():
        return None
    return _result_table(run.output_path)


def class_distribution(
    session: Session, region_code: str, kind: str, column: str
) -> dict[str, int]:
    run = latest_run(session, kind)
    table = run_results(run) if run else None
    if table is None:
        return {}
    codes = table.column("county_code").to_pylist()
    values = table.column(column).to_pylist()
    c: Counter[str] = Counter()
    for code, v in zip(codes, values, strict=True):
        if access.region_in(code, region_code):
            c["未评" if v is None else str(v)] += 1
    return dict(sorted(c.items()))


def latest_fallbacks(session: Session, kind: str) -> list[str]:
    """What the newest run of ``kind`` took from another key, as its method file states."""
    run = latest_run(session, kind)
    return [f["text"] for f in ((run.summary or {}).get("fallbacks") or [])] if run else []


def enterprise_result(session: Session, kind: str, uscc: str) -> dict[str, Any] | None:
    run = latest_run(session, kind)
    table = run_results(run) if run else None
    if table is None:
        return None
    hit = table.filter(pc.equal(table.column("uscc"), uscc))
    if hit.num_rows == 0:
        return None
    row = hit.slice(0, 1).to_pylist()[0]
    row["run_id"] = run.run_id  # type: ignore[union-attr]
    return row


def enterprise_facts(uscc: str) -> list[dict[str, Any]]:
    out = []
    for path in lake.fact_files():
        table = pq.read_table(path, filters=[("uscc", "=", uscc)])
        year = int(path.parent.name.split("=")[1])
        out.extend({"year": year, **row} for row in table.to_pylist())
    return sorted(out, key=lambda r: r["year"])


def latest_land_mu(county: str, root: Path | None = None) -> dict[str, float]:
    """The land (亩) of every firm of ``county`` in its latest year of the lake (``root``: the
    workspace's) with a figure: one county's rows read, whatever the size of the lake."""
    files = tuple(
        (str(p), p.stat().st_mtime_ns, int(p.parent.name.split("=")[1]))
        for p in lake.fact_files(root)
    )
    return _land_by_firm(files, county)


@lru_cache(maxsize=128)
def _land_by_firm(files: tuple[tuple[str, int, int], ...], county: str) -> dict[str, float]:
    # keyed by the files and their times: a re-imported year is a new key
    out: dict[str, float] = {}
    for path, _mtime, _year in sorted(files, key=lambda f: f[2]):
        table = pq.read_table(
            path, columns=["uscc", "land_mu"], filters=[("county_code", "=", county)]
        )
        for uscc, land in zip(
            table.column("uscc").to_pylist(), table.column("land_mu").to_pylist(), strict=True
        ):
            if land is not None:
                out[uscc] = float(land)
    return out


def _run(r: t.EvaluationRun, summary: bool = True) -> dict[str, Any]:
    out = {
        "run_id": r.run_id,
        "method": r.method,
        "year": r.year,
        "engine": r.engine,
        "method_file": r.method_file,
        "method_version": r.method_version,
        "started_at": r.started_at,
        "finished_at": r.finished_at,
        "enterprises": r.enterprises,
        "synthetic": r.synthetic,
        # year-keyed parameters taken from another key, as the method file states (see engine.years)
        "fallbacks": list((r.summary or {}).get("fallbacks", [])),
    }
    if summary:
        out["summary"] = r.summary
    return out


def runs(caller: Caller) -> list[dict[str, Any]]:
    """Every evaluation run, newest first (without their summaries)."""
    with store.session(caller.ws.database_url) as s:
        found = s.scalars(select(t.EvaluationRun).order_by(t.EvaluationRun.started_at.desc()))
        return [_run(r, summary=False) for r in found]


def _get(caller: Caller, run_id: str) -> t.EvaluationRun:
    with store.session(caller.ws.database_url) as s:
        run = s.get(t.EvaluationRun, run_id)
    if run is None:
        raise NotFound(f"没有评价运行 '{run_id}'")
    return run


def run(caller: Caller, run_id: str) -> dict[str, Any]:
    """One run with its summary."""
    return _run(_get(caller, run_id))


def results(caller: Caller, run_id: str, region: str | None = None) -> list[dict[str, Any]]:
    """A run's enterprise results within the caller's scope (and ``region``, when given)."""
    caller.require("enterprises.view")
    found = _get(caller, run_id)
    table = run_results(found)
    if table is None:
        raise NotFound(f"评价运行 {run_id} 的结果文件不存在")
    if region is not None:
        regions.region(region)
        caller.require("enterprises.view", region)
    return [
        r
        for r in table.to_pylist()
        if access.region_in(r["county_code"], caller.scope)
        and access.region_in(r["county_code"], region)
    ]
