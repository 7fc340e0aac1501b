"""Backend parity: the same expressions on DuckDB and on PySpark (local mode) give the same
classes, grades, ranks and candidates, and the same numbers to 1e-9 relative.

Marked ``spark``; skipped, with the reason, when pyspark or a Java runtime is not available.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import ibis
import pyarrow as pa
import pytest

from zhuansheng.engine import adjustments_table, results
from zhuansheng.engine.backends import connect, spark_available, unfused
from zhuansheng.engine.inputs import conform
from zhuansheng.engine.run import load_methods
from zhuansheng.engine.synthetic import synthetic_facts

pytestmark = [
    pytest.mark.spark,
    # pyspark 4.0 asks pandas 3 for a deprecated keyword; harmless, not ours to fix
    pytest.mark.filterwarnings("ignore:The copy keyword is deprecated"),
]
YEAR = 2022
N = 3000
EXACT_KINDS = ("string", "bool", "int")


@pytest.fixture(scope="module")
def spark() -> Iterator[ibis.BaseBackend]:
    why = spark_available()
    if why:
        pytest.skip(f"Spark 不可用 (Spark unavailable): {why}")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ZHUANSHENG_SPARK_MASTER", "local[2]")
        con = connect("spark")
    yield con


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return synthetic_facts(N, tmp_path_factory.mktemp("parity") / "facts.parquet", seed=3)


def _events(source: Path) -> pa.Table:
    import pyarrow.parquet as pq

    ids = pq.read_table(source, columns=["uscc"])["uscc"].to_pylist()
    rows = [(ids[5], "major_safety_accident", 1), (ids[8], "green_factory", 3),
            (ids[13], "extra_tenant", 2), (ids[21], "new_firm", 1)]  # fmt: skip
    return pa.table(
        {
            "uscc": [r[0] for r in rows],
            "year": [YEAR] * len(rows),
            "event": [r[1] for r in rows],
            "count": [float(r[2]) for r in rows],
        }
    )


def _run(con: ibis.BaseBackend, kind: str, method: str | None, source: Path) -> pa.Table:
    m, _ = load_methods(kind, method)
    facts = conform(con.read_parquet(str(source)), YEAR)
    adj = ibis.memtable(adjustments_table(_events(source), m.mujun, YEAR)) if m.mujun else None
    with unfused():
        return results(facts, m, YEAR, adjustments=adj).to_pyarrow().sort_by("uscc")


def _same(a: Any, b: Any, kind: str) -> bool:
    if a is None or b is None:
        return a is None and b is None
    if kind == "float":
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)
    return a == b


@pytest.mark.parametrize(
    ("kind", "method"),
    [("screen", None), ("carbon", None), ("mujun", "mujun-wenling-2022")],
    ids=["screen-default", "carbon", "mujun-wenling"],
)
def test_duckdb_and_spark_agree(
    spark: ibis.BaseBackend, source: Path, kind: str, method: str | None
) -> None:
    duck = _run(connect("duckdb"), kind, method, source)
    started = time.perf_counter()
    spk = _run(spark, kind, method, source)
    print(f"\nSpark local mode, {kind}, {N} enterprises: {time.perf_counter() - started:.1f} s")
    assert duck.num_rows == spk.num_rows == N
    assert duck.column_names == spk.column_names
    for name in duck.column_names:
        t = duck.schema.field(name).type
        kind_ = "float" if pa.types.is_floating(t) else "other"
        a, b = duck[name].to_pylist(), spk[name].to_pylist()
        bad = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if not _same(x, y, kind_)]
        assert not bad, f"{name}: {len(bad)} rows differ, e.g. {a[bad[0]]!r} vs {b[bad[0]]!r}"
    if "mujun_class" in duck.column_names:
        assert set(duck["mujun_class"].to_pylist()) >= {"A", "B", "C", "D", None}
    if "carbon_grade" in duck.column_names:
        assert set(duck["carbon_grade"].to_pylist()) >= {1, 2, 3, 4, 5, None}


def test_a_spark_run_writes_the_lake_file(
    spark: ibis.BaseBackend, source: Path, tmp_path: Path
) -> None:
    from zhuansheng.engine import evaluate

    lake = tmp_path / "lake"
    duck = evaluate("carbon", YEAR, input=source, lake=lake, store=False)
    spk = evaluate("carbon", YEAR, input=source, lake=lake, store=False, engine="spark", con=spark)
    assert Path(spk.output_path).is_file() and spk.engine == "spark"
    assert spk.summary["province"] == duck.summary["province"]
    assert spk.summary["reasons"] == duck.summary["reasons"]


def test_a_stated_fallback_is_the_same_on_both_backends(
    spark: ibis.BaseBackend, source: Path, tmp_path: Path
) -> None:
    """The fallback column and the factor it names agree on DuckDB and Spark."""
    from ruamel.yaml import YAML

    from zhuansheng.engine.loader import resolve

    yaml = YAML(typ="rt")
    doc = yaml.load(resolve("carbon-2022").read_text(encoding="utf-8"))
    doc["id"] = "carbon-spark-fallback"
    for f in doc["grid"]["factors"]:
        if (f["year"], f["region"]) == (YEAR, "east_china"):
            del f["tco2_per_mwh"], f["url"]
            f["fallback"] = "default_region"
    path = tmp_path / "carbon-spark-fallback.yaml"
    with path.open("w", encoding="utf-8") as fh:
        yaml.dump(doc, fh)
    duck = _run(connect("duckdb"), "carbon", str(path), source)
    spk = _run(spark, "carbon", str(path), source)
    for name in ("carbon_fallback", "factor_set", "carbon_grade"):
        assert duck[name].to_pylist() == spk[name].to_pylist(), name
    zhejiang = [
        fb
        for code_, fb in zip(
            duck["county_code"].to_pylist(), duck["carbon_fallback"].to_pylist(), strict=True
        )
        if code_.startswith("33")
    ]
    assert zhejiang and all("2022 east_china 无值" in fb for fb in zhejiang)
    assert {float(x) for x in spk["grid_tco2_per_mwh"].to_pylist()} == {0.5366}
