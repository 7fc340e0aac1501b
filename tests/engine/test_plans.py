"""Compiled plans are kept and reused only for the same methods, inputs and options."""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from worlds import built_demo_world
from zhuansheng.engine import evaluate, plans
from zhuansheng.engine.loader import load_default
from zhuansheng.engine.synthetic import synthetic_facts
from zhuansheng.lake import ROW_GROUP_ROWS


@pytest.fixture(scope="module")
def plans_world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv(plans.ENV, raising=False)
        with built_demo_world(tmp_path_factory, "engine-plans", seed=11, enterprises=500) as root:
            plans.clear_memory()
            yield root


def _rows(path: str) -> list[dict]:
    return pq.read_table(path).sort_by("uscc").to_pylist()


def _same(u: object, v: object) -> bool:
    # DuckDB sums windows in parallel: the last bit of a group average may differ between runs
    if isinstance(u, float) and isinstance(v, float):
        return math.isclose(u, v, rel_tol=1e-12)
    return u == v


def _diff(a: list[dict], b: list[dict]) -> list[tuple]:
    pairs = enumerate(zip(a, b, strict=True))
    return [(i, k, x[k], y[k]) for i, (x, y) in pairs for k in x if not _same(x[k], y[k])]


def test_the_second_run_reuses_the_plan_with_the_same_results(plans_world: Path) -> None:
    first = evaluate("screen", 2022, store=False)
    kept = list((plans_world / "var" / "cache" / "plans").glob("*.sql"))
    second = evaluate("screen", 2022, store=False)
    assert first.timings["plan_kept"] == 0.0 and second.timings["plan_kept"] == 1.0
    assert len(kept) == 1 and kept[0].read_text().lstrip().upper().startswith("SELECT")
    assert _diff(_rows(first.output_path), _rows(second.output_path)) == []
    plans.clear_memory()  # a new process: the plan comes from var/cache/plans
    third = evaluate("screen", 2022, store=False)
    assert third.timings["plan_kept"] == 1.0
    assert _diff(_rows(third.output_path), _rows(first.output_path)) == []


def test_another_method_file_is_another_plan(plans_world: Path, tmp_path: Path) -> None:
    evaluate("carbon", 2022, store=False)
    # the same carbon method with a different East China grid factor for 2022
    default = load_default("carbon")
    text = default.path.read_text(encoding="utf-8")
    assert "0.5617" in text
    changed = tmp_path / "carbon-own.yaml"
    changed.write_text(text.replace("0.5617", "0.6000"), encoding="utf-8")
    a = evaluate("carbon", 2022, store=False)
    b = evaluate("carbon", 2022, method=changed, store=False)
    assert a.timings["plan_kept"] == 1.0 and b.timings["plan_kept"] == 0.0
    ra, rb = _rows(a.output_path), _rows(b.output_path)
    # a firm with electricity from the grid: CO2 from electricity scales with the factor
    firm = next(
        i
        for i, r in enumerate(ra)
        if r["co2_t"] and r["county_code"].startswith("33") and r["carbon_reason"] is None
    )
    assert rb[firm]["co2_t"] > ra[firm]["co2_t"]


def test_a_damaged_plan_is_compiled_again(plans_world: Path) -> None:
    good = evaluate("mujun", 2022, store=False)
    for path in (plans_world / "var" / "cache" / "plans").glob("*.sql"):
        path.write_text("SELECT broken FROM nowhere", encoding="utf-8")
    plans.clear_memory()
    again = evaluate("mujun", 2022, store=False)
    assert again.timings["plan_kept"] == 0.0
    assert _diff(_rows(again.output_path), _rows(good.output_path)) == []


def test_caching_can_be_turned_off(plans_world: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    evaluate("carbon", 2022, store=False)
    monkeypatch.setenv(plans.ENV, "off")
    assert evaluate("carbon", 2022, store=False).timings["plan_kept"] == 0.0


def test_a_file_without_the_contract_stamp_is_checked_for_nan(
    plans_world: Path, tmp_path: Path
) -> None:
    """A stamped file skips the NaN check, so an unstamped file of the same columns must not
    reuse its plan: there a NaN is a missing value, as NULL is in the stamped file."""
    stamped = synthetic_facts(200, tmp_path / "stamped.parquet", seed=3)
    table = pq.read_table(stamped)
    coal = table["coal_t"].to_numpy(zero_copy_only=False).copy()
    coal[0] = np.nan
    foreign = table.set_column(
        table.schema.get_field_index("coal_t"), "coal_t", pa.array(coal, from_pandas=False)
    ).replace_schema_metadata(None)
    assert pa.compute.is_nan(foreign["coal_t"])[0].as_py()
    pq.write_table(foreign, tmp_path / "foreign.parquet")
    coal[0] = 0.0  # the same firm with no coal at all, in a stamped file
    zero = table.set_column(table.schema.get_field_index("coal_t"), "coal_t", pa.array(coal))
    pq.write_table(zero, tmp_path / "zero.parquet")

    a = evaluate("carbon", 2022, input=tmp_path / "zero.parquet", store=False)
    b = evaluate("carbon", 2022, input=tmp_path / "foreign.parquet", store=False)
    assert a.timings["plan_kept"] == 0.0 and b.timings["plan_kept"] == 0.0
    ra, rb = _rows(a.output_path), _rows(b.output_path)
    uscc = table["uscc"][0].as_py()
    first_a = next(r for r in ra if r["uscc"] == uscc)
    first_b = next(r for r in rb if r["uscc"] == uscc)
    assert first_b["tce"] == pytest.approx(first_a["tce"])  # NaN coal counted as none, not NaN
    assert not math.isnan(first_b["tce"])
    assert _diff(ra, rb) == []


def test_synthetic_files_are_stamped_and_in_row_groups(tmp_path: Path) -> None:
    path = synthetic_facts(ROW_GROUP_ROWS + 5, tmp_path / "f.parquet", seed=2)
    meta = pq.read_metadata(path)
    assert meta.num_row_groups == 2 and meta.row_group(1).num_rows == 5
    stamp = meta.metadata or {}
    assert stamp[b"zhuansheng.contract_version"] and stamp[b"zhuansheng.synthetic"] == b"true"
