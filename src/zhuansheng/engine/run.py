"""One evaluation run: read the facts, compute, write the results, record the run.

Results land in the lake as ``<lake>/evaluations/<kind>/year=YYYY/run=<id>.parquet``, written to a
temporary name in the same directory and renamed (readers never see half a file), and optionally
at ``--output``. The store gets an ``evaluation_runs`` row, the screening candidates and the
county roll-ups as observations (``source_kind`` ``engine``); with ``store=False`` nothing is
written to the store (ad-hoc runs on a file).
"""

from __future__ import annotations

import datetime as dt
import shutil
import time
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import ibis
import pyarrow as pa
import pyarrow.parquet as pq

from zhuansheng import atomic
from zhuansheng.errors import Invalid, ZhuanshengError
from zhuansheng.lake import lake_root

from . import loader, plans, rollups, years
from .backends import backend_of, connect, is_url, unfused
from .events import adjustments_table, read_events
from .inputs import read_facts
from .pipeline import Methods, results
from .result import RunResult
from .schema import LastYearBenchmark, MujunMethod
from .summary import summarise

if TYPE_CHECKING:
    import ibis.expr.types as ir

KINDS = ("carbon", "mujun", "screen")
EVALUATIONS_DIR = "evaluations"
Progress = Callable[[str], None]
STEPS = 6  # calls to progress() in evaluate()


def new_run_id() -> str:
    now = dt.datetime.now(dt.UTC)
    return f"{now:%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:8]}"


def load_methods(kind: str, method: str | Path | None = None) -> tuple[Methods, loader.Loaded]:
    """The run's method (default for the kind) and the methods it refers to."""
    if kind not in KINDS:
        raise ZhuanshengError(f"未知的评价类型 {kind}，应为 carbon、mujun 或 screen")
    main = loader.load(method, kind=kind) if method is not None else loader.load_default(kind)
    m = main.method

    def files(*loaded: loader.Loaded) -> dict[str, str]:
        return {x.method.id: str(x.path) for x in loaded}

    if kind == "carbon":
        return Methods(kind, carbon=m, files=files(main)), main  # type: ignore[arg-type]
    if kind == "mujun":
        energy = loader.carbon_for(m, main.path)  # type: ignore[arg-type]
        return (
            Methods(kind, mujun=m, energy=energy.method, files=files(main, energy)),  # type: ignore[arg-type]
            main,
        )
    carbon = loader.carbon_for(m, main.path)  # type: ignore[arg-type]
    mj = loader.mujun_for(m, main.path)  # type: ignore[arg-type]
    energy = loader.carbon_for(mj.method, mj.path)  # type: ignore[arg-type]
    return (
        Methods(
            kind,
            carbon=carbon.method,
            mujun=mj.method,  # type: ignore[arg-type]
            energy=energy.method,
            screen=m,  # type: ignore[arg-type]
            files=files(main, carbon, mj, energy),
        ),
        main,
    )


def refuse_options(m: Methods, convention: str | None) -> None:
    """Options a method does not take are refused, never ignored."""
    if m.kind == "mujun" and convention is not None and m.mujun is not None:
        own = m.mujun.energy.electricity_convention
        raise Invalid(
            f"亩均效益评价不接受 --electricity：方法 {m.mujun.id} 的电力折标口径由方法文件 "
            f"energy.electricity_convention 规定（{own}），其基准值按该口径计算。"
            "如需改用其他口径，请复制方法文件、修改该项及相应基准值后用 --method 指定；"
            "--electricity 只用于碳效码（carbon）和筛查中的碳效部分（screen） "
            "(--electricity does not apply to the 亩均 method)"
        )


def needs_last_year(m: Methods) -> bool:
    mj: MujunMethod | None = m.mujun
    return mj is not None and any(
        isinstance(i.benchmark, LastYearBenchmark) for s in mj.sets.values() for i in s.items
    )


def run_path(kind: str, year: int, run_id: str, lake: Path | None = None) -> Path:
    return lake_root(lake) / EVALUATIONS_DIR / kind / f"year={year}" / f"run={run_id}.parquet"


def write_parquet(con: ibis.BaseBackend, expr: ir.Table, final: Path) -> None:
    """Write ``expr`` to ``final`` atomically. DuckDB streams the query into the file; Spark
    collects to Arrow first (local mode)."""
    with atomic.replacing(final) as tmp:
        if backend_of(con) == "duckdb":
            con.to_parquet(expr, str(tmp), compression="zstd")
        else:
            pq.write_table(expr.to_pyarrow(), tmp, compression="zstd")


def plan_parts(
    m: Methods,
    year: int,
    *,
    convention: str | None,
    inputs: dict[str, Any],
    previous: bool,
    columns: Sequence[str] | None = None,
) -> dict[str, Any]:
    """What the compiled SQL of a run depends on besides the code (see ``plans``)."""
    methods = {
        name: method.model_dump(mode="json")
        for name in ("carbon", "mujun", "energy", "screen")
        if (method := getattr(m, name)) is not None
    }
    return {
        "kind": m.kind,
        "year": year,
        "convention": convention,
        "methods": methods,
        "inputs": inputs,
        "previous": previous,
        "columns": list(columns) if columns is not None else None,
    }


def compute_to_parquet(
    con: ibis.BaseBackend,
    build: Callable[[], ir.Table],
    final: Path,
    parts: dict[str, Any],
) -> bool:
    """Compute the results on DuckDB into ``final`` (atomically) with the compiled plan for
    ``parts``, compiling ``build()`` only when no plan is kept. Returns whether one was."""
    key = plans.plan_key(parts)
    with atomic.replacing(final) as tmp:
        sql, hit = plans.sql_for(key, con, build)
        try:
            plans.copy_to_parquet(con, sql, tmp)
        except Exception:
            if not hit:
                raise
            # a kept plan that no longer runs (e.g. edited by hand): compile afresh
            plans.forget(key)
            sql, hit = plans.sql_for(key, con, build)
            plans.copy_to_parquet(con, sql, tmp)
    return hit


def copy_atomic(source: Path, final: Path) -> None:
    with atomic.replacing(final) as tmp:
        shutil.copyfile(source, tmp)


def _write(
    con: ibis.BaseBackend,
    build: Callable[[], ir.Table],
    parts: dict[str, Any],
    output: str | Path | None,
    run_id: str,
    lake: Path | None,
) -> tuple[str, bool]:
    """Write the results: to the lake (local), or straight to a remote URL with Spark.
    Returns the path and whether a kept plan was used."""
    backend = backend_of(con)
    if output is not None and is_url(output):
        if backend != "spark":
            raise ZhuanshengError("写入 HDFS/S3 等远程地址须用 --engine spark (remote output)")
        with unfused():
            build().to_parquet(str(output))
        return str(output), False
    path = run_path(parts["kind"], parts["year"], run_id, lake)
    if backend == "duckdb":
        return str(path), compute_to_parquet(con, build, path, parts)
    with unfused():
        write_parquet(con, build(), path)
    return str(path), False


def _adjustments(
    con: ibis.BaseBackend, events: str | Path | pa.Table | None, m: Methods, year: int
) -> ir.Table | None:
    if events is None or m.mujun is None:
        return None
    table = events if isinstance(events, pa.Table) else read_events(events)
    adj = adjustments_table(table, m.mujun, year)
    if not adj.num_rows:
        return None
    if backend_of(con) == "duckdb":  # a fixed name, so that the compiled plan can be kept
        return con.create_table("zs_adjustments", adj, temp=True, overwrite=True)
    return ibis.memtable(adj)


def evaluate(
    kind: str,
    year: int,
    *,
    method: str | Path | None = None,
    input: str | Path | None = None,
    output: str | Path | None = None,
    engine: str = "duckdb",
    events: str | Path | pa.Table | None = None,
    convention: str | None = None,
    lake: Path | None = None,
    store: bool = True,
    recorded_by: str = "engine",
    progress: Progress | None = None,
    con: ibis.BaseBackend | None = None,
) -> RunResult:
    """Run one evaluation of ``year`` and record it; see the module docstring."""
    step = progress or (lambda _name: None)
    started = dt.datetime.now().astimezone()
    clock = time.perf_counter()
    timings: dict[str, float] = {}

    step("读取方法文件")
    m, main = load_methods(kind, method)
    refuse_options(m, convention)
    # every year-keyed value exists, or the file states the fallback used (else: stop here)
    fallbacks = years.check(m, year, convention)
    con = con or connect(engine)
    engine = backend_of(con)  # a connection given decides, whatever ``engine`` says

    step("读取企业数据")
    facts = read_facts(con, year, lake=lake, input=input)
    # Last year's facts feed last-year benchmarks; without them the method says what is missing.
    previous = facts.table if (year - 1) in facts.years else None
    adjustments = _adjustments(con, events, m, year)

    step("计算")
    inputs = dict(facts.shape)
    if adjustments is not None:
        inputs["zs_adjustments"] = plans.schema_of(adjustments)
    parts = plan_parts(m, year, convention=convention, inputs=inputs, previous=previous is not None)

    def build() -> ir.Table:
        return results(
            facts.table,
            m,
            year,
            convention=convention,
            adjustments=adjustments,
            previous=previous,
        )

    run_id = new_run_id()
    remote = output is not None and is_url(output)
    t0 = time.perf_counter()
    written, kept = _write(con, build, parts, output, run_id, lake)
    timings["compute_and_write"] = time.perf_counter() - t0
    timings["plan_kept"] = float(kept)

    step("汇总")
    result_table = con.read_parquet(written)
    summary = summarise(result_table, kind)
    summary["fallbacks"] = [f.as_dict() for f in fallbacks]
    sums = (
        rollups.county_sums(
            facts.table, year, m.carbon or m.energy, convention if m.carbon else None
        )
        .to_pyarrow()
        .to_pylist()
    )
    summary["rollups"] = _rollup_summary(facts, m, year, convention, sums, con)
    extra = None
    if output is not None and not remote:
        copy_atomic(Path(written), Path(output))
        extra = str(output)

    result = RunResult(
        run_id=run_id,
        kind=kind,
        year=year,
        engine=engine,
        method=loader.describe(main),
        output_path=written,
        enterprises=int(summary["enterprises"]),
        summary=summary,
        seconds=0.0,
        extra_output=extra,
        synthetic=facts.synthetic,
        timings=timings,
    )
    step("写入数据库")
    if store:
        from .record import record_run

        record_run(result, result_table, sums, started, recorded_by=recorded_by)
    result.seconds = round(time.perf_counter() - clock, 3)
    return result


def _rollup_summary(
    facts: Any,
    m: Methods,
    year: int,
    convention: str | None,
    sums: list[dict[str, Any]],
    con: ibis.BaseBackend,
) -> dict[str, Any]:
    """Province and city roll-ups, with last year's and the growth when last year is there."""
    kind = "carbon" if m.kind == "carbon" else "mujun" if m.kind == "mujun" else None
    if kind is None:
        return {}
    out: dict[str, Any] = {"province": rollups.totals(sums, kind)}
    cities = sorted({rollups.city_of(r["county_code"]) for r in sums})
    out["cities"] = {
        c: rollups.totals(sums, kind, key=lambda x, c=c: rollups.city_of(x) == c) for c in cities
    }
    if (year - 1) in facts.years:
        energy = m.carbon or m.energy
        try:
            prev = rollups.county_sums(facts.table, year - 1, energy, convention)
            prev_totals = rollups.totals(prev.to_pyarrow().to_pylist(), kind)
            conv = convention or (energy.electricity.convention if energy else None)
            if energy is not None and conv == "equivalent":
                # last year's 等价值 may itself be a stated fallback: the summary says so
                fb = years.equivalent_kgce(energy, year - 1)[1]
                out["previous_fallbacks"] = [fb.as_dict()] if fb else []
        except ZhuanshengError:  # e.g. no coefficients for last year: no growth, not a failure
            prev_totals = {}
        out["previous"] = prev_totals
        out["change_pct"] = {
            k: (v / prev_totals[k] - 1) * 100 if v and prev_totals.get(k) else None
            for k, v in out["province"].items()
        }
    return out
