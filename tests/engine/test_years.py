"""Year-keyed method parameters: a year the file does not cover stops the run (naming the file
and the key), or follows the fallback the file states — recorded in the run, the results and on
screen. Never a silent change of factor. Values by hand."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from engine_helpers import code, facts, firm, method_file, methods_for, rows_by_uscc
from typer.testing import CliRunner

from zhuansheng.cli import app as cli_app
from zhuansheng.engine import carbon_results, evaluate, load_method, mujun_results
from zhuansheng.engine import years as yrs
from zhuansheng.engine.loader import resolve, validate_method_file
from zhuansheng.errors import Invalid

runner = CliRunner()


def flat(text: str) -> str:
    """Text without whitespace: the console wraps long lines wherever it likes."""
    return "".join(text.split())


def cli(*args: str) -> Any:
    return runner.invoke(cli_app, ["evaluate", *args])


SHIPPED_CARBON = str(resolve("carbon-2022"))
SHIPPED_MUJUN = str(resolve("mujun-huangyan-2022"))


def lake_input(tmp_path: Path, year: int, rows: list[dict[str, Any]]) -> Path:
    """A small facts file of ``year`` (what ``--input`` reads instead of the lake)."""
    facts(tmp_path, [{**r, "year": year} for r in rows], name=f"facts-{year}.parquet")
    return tmp_path / f"facts-{year}.parquet"


def two_firms() -> list[dict[str, Any]]:
    # 服装 (division 18), Zhejiang (西湖区 → 华东), VA 1000 万元 each; 1 000 and 2 000 MWh
    return [firm(1, electricity_kwh=1_000_000.0), firm(2, electricity_kwh=2_000_000.0)]


def carbon_with(tmp_path: Path, name: str, **grid: Any) -> Path:
    """carbon-2022 with grid keys changed (e.g. ``fallback``), as a county's own copy."""
    base = load_method("carbon-2022").method.grid.model_dump(mode="python", exclude_none=True)
    return method_file(tmp_path, "carbon-2022", name, grid={**base, **grid})


def test_2024_stops_and_names_the_file_and_the_key(tmp_path: Path) -> None:
    source = lake_input(tmp_path, 2024, two_firms())
    with pytest.raises(Invalid) as err:
        evaluate("carbon", 2024, input=source, lake=tmp_path / "lake", store=False)
    text = str(err.value)
    assert SHIPPED_CARBON in text
    assert "grid.factors 条目 {year: 2024, region: east_china" in text
    assert "fallback" in text and "不会自行改用" in text
    assert not (tmp_path / "lake" / "evaluations").exists()  # nothing computed, nothing written
    # the CLI: exit 2 with the same message
    res = cli("carbon", "--year", "2024", "--input", str(source), "--no-store",
              "--lake", str(tmp_path / "lake"))  # fmt: skip
    assert res.exit_code == 2
    assert flat("year: 2024, region: east_china") in flat(res.output)


def test_2024_with_a_stated_previous_year_fallback_is_recorded(tmp_path: Path) -> None:
    path = carbon_with(tmp_path, "carbon-fb", fallback="previous_year")
    source = lake_input(tmp_path, 2024, two_firms())
    r = evaluate("carbon", 2024, method=path, input=source, lake=tmp_path / "lake", store=False)
    # the run: both regions it may use took 2023's value, as grid.fallback says
    found = {(f["wanted"], f["used"], f["value"]) for f in r.summary["fallbacks"]}
    assert found == {("2024 east_china", "2023 east_china", 0.55),
                     ("2024 national", "2023 national", 0.5306)}  # fmt: skip
    assert all(f["rule"] == "grid.fallback: previous_year" for f in r.summary["fallbacks"])
    # the results: CO₂ = MWh × 0.5500 (华东 2023): 550 t and 1 100 t; L = 0.55 and 1.1 t/万元;
    # industry L = 1650 / 2000 = 0.825; K = 0.6667 (grade 2) and 1.3333 (grade 4)
    import pyarrow.parquet as pq

    rows = {x["uscc"]: x for x in pq.read_table(r.output_path).to_pylist()}
    f1, f2 = rows[code(1)], rows[code(2)]
    assert (f1["co2_t"], f2["co2_t"]) == (pytest.approx(550.0), pytest.approx(1100.0))
    assert float(f1["grid_tco2_per_mwh"]) == pytest.approx(0.55)
    assert f1["factor_set"] == "carbon-fb@2022.2/calorific/east_china-2023"
    assert f1["carbon_ratio"] == round(0.55 / 0.825, 6) and f1["carbon_grade"] == 2
    assert f2["carbon_ratio"] == round(1.1 / 0.825, 6) and f2["carbon_grade"] == 4
    assert "2024 east_china 无值" in f1["carbon_fallback"]
    assert "grid.fallback: previous_year" in f1["carbon_fallback"]
    assert "2023 east_china 的值 0.55" in f1["carbon_fallback"]
    # on screen: the table says so; JSON carries it and warns on stderr
    args = ["carbon", "--year", "2024", "--method", str(path), "--input", str(source),
            "--no-store", "--lake", str(tmp_path / "lake")]  # fmt: skip
    res = cli(*args)
    assert res.exit_code == 0, res.output
    assert flat("注意：2024 年有 2 项参数缺值") in flat(res.output)
    assert flat("grid.factors：2024 east_china 无值") in flat(res.output)
    res = cli(*args, "--format", "json")
    assert res.exit_code == 0, res.output
    assert len(json.loads(res.stdout)["fallbacks"]) == 2
    assert "注意" in res.stderr


def test_2021_follows_the_fallback_stated_for_east_china(tmp_path: Path) -> None:
    # The 华东 2021 factor could not be confirmed: carbon-2022.yaml says, for that key only,
    # use the same year's national factor (0.5568) — and every row says it did.
    t = facts(tmp_path, [{**firm(1, electricity_kwh=1_000_000.0), "year": 2021}])
    m = methods_for("carbon")
    f1 = rows_by_uscc(carbon_results(t, m, 2021))[code(1)]
    assert f1["co2_t"] == pytest.approx(1000 * 0.5568)  # 556.8 t
    assert f1["grid_region"] == "national"
    assert float(f1["grid_tco2_per_mwh"]) == pytest.approx(0.5568)
    assert f1["factor_set"].endswith("/calorific/national-2021")
    assert "grid.factors[2021, east_china].fallback: default_region" in f1["carbon_fallback"]
    (fb,) = yrs.check(m, 2021, None)
    assert (fb.wanted, fb.used) == ("2021 east_china", "2021 national")


def test_shipped_factors_2021_to_2023_with_their_sources() -> None:
    grid = load_method("carbon-2022").method.grid
    values = {(f.year, f.region): f.tco2_per_mwh for f in grid.factors}
    assert values == {
        (2021, "national"): 0.5568,
        (2021, "east_china"): None,  # not confirmed: the stated fallback instead
        (2022, "national"): 0.5366,
        (2022, "east_china"): 0.5617,
        (2023, "national"): 0.5306,
        (2023, "east_china"): 0.55,
    }
    for f in grid.factors:
        assert f.source and (f.url or f.fallback), (f.year, f.region)
    assert grid.fallback == "none"  # other years stop


def test_a_fallback_goes_one_year_back_only(tmp_path: Path) -> None:
    path = carbon_with(tmp_path, "carbon-fb1", fallback="previous_year")
    with pytest.raises(Invalid) as err:
        yrs.check(methods_for("carbon", path), 2025, None)
    assert str(path.resolve()) in str(err.value)
    assert "转至 2024 年 east_china，也没有" in str(err.value)


def test_a_factor_is_a_value_or_a_fallback(tmp_path: Path) -> None:
    both = [{"year": 2022, "region": "national", "tco2_per_mwh": 0.5, "fallback": "previous_year",
             "source": "x"}]  # fmt: skip
    _, problems = validate_method_file(carbon_with(tmp_path, "carbon-both", factors=both))
    assert any("须写 tco2_per_mwh 或 fallback 之一" in str(p) for p in problems)
    circular = [{"year": 2022, "region": "national", "fallback": "default_region", "source": "x"}]
    _, problems = validate_method_file(carbon_with(tmp_path, "carbon-circ", factors=circular))
    assert any("默认区域 national" in str(p) for p in problems)


def test_equivalent_electricity_for_an_uncovered_year_stops(tmp_path: Path) -> None:
    # 等价值 is given for 2022 only; --electricity equivalent for 2023 names the key
    with pytest.raises(Invalid, match=r"electricity\.equivalent_kgce_per_kwh\.2023"):
        yrs.check(methods_for("carbon"), 2023, "equivalent")
    path = method_file(
        tmp_path,
        "carbon-2022",
        "carbon-eq",
        electricity={**load_method("carbon-2022").method.electricity.model_dump(
            exclude_none=True), "equivalent_fallback": "previous_year"},
    )  # fmt: skip
    (fb,) = yrs.check(methods_for("carbon", path), 2023, "equivalent")
    assert (fb.parameter, fb.used, fb.value) == ("electricity.equivalent_kgce_per_kwh", "2022",
                                                 0.3007)  # fmt: skip


# -- 亩均: benchmarks by year ---------------------------------------------------------------------


def huangyan_calorific(tmp_path: Path, name: str, fallback: str | None = None) -> Path:
    """黄岩 with 当量值 energy (so that 等价值 years do not matter) and, optionally, a stated
    fallback on every fixed benchmark."""
    m = load_method("mujun-huangyan-2022").method
    sets = {sc: s.model_dump(mode="python", by_alias=True, exclude_none=True)
            for sc, s in m.sets.items()}  # fmt: skip
    if fallback:
        for s in sets.values():
            for item in s["items"]:
                item["benchmark"]["fallback"] = fallback
    energy = {"coefficients": "carbon-2022", "electricity_convention": "calorific"}
    return method_file(tmp_path, "mujun-huangyan-2022", name, energy=energy, sets=sets)


def test_huangyan_uses_each_years_published_benchmark(tmp_path: Path) -> None:
    path = huangyan_calorific(tmp_path, "hy-cal")
    rows = [{**firm(1, tax_wan=300.0), "year": 2021}]
    out = rows_by_uscc(mujun_results(facts(tmp_path, rows), methods_for("mujun", path), 2021))
    r = out[code(1)]
    # 2021 亩均税收 benchmark 26.01 (not 2022's 24.097): 30 × (300 / 10) / 26.01
    assert r["tax_per_mu_benchmark"] == 26.01
    assert r["tax_per_mu_points"] == pytest.approx(30 * 30 / 26.01)
    assert r["mujun_fallback"] is None


def test_huangyan_for_2023_stops_naming_the_benchmark(tmp_path: Path) -> None:
    path = huangyan_calorific(tmp_path, "hy-cal23")
    with pytest.raises(Invalid) as err:
        yrs.check(methods_for("mujun", path), 2023, None)
    assert str(path.resolve()) in str(err.value)
    assert "sets.above.items[tax_per_mu].benchmark.by_year.2023" in str(err.value)
    # as shipped (等价值), 2021 stops first on the energy file's missing 等价值
    with pytest.raises(Invalid) as err:
        yrs.check(methods_for("mujun"), 2021, None)
    assert SHIPPED_CARBON in str(err.value)
    assert "electricity.equivalent_kgce_per_kwh.2021" in str(err.value)


def test_a_stated_benchmark_fallback_is_recorded_on_every_row(tmp_path: Path) -> None:
    path = huangyan_calorific(tmp_path, "hy-fb", fallback="previous_year")
    rows = [{**firm(1, tax_wan=300.0), "year": 2023}]
    m = methods_for("mujun", path)
    r = rows_by_uscc(mujun_results(facts(tmp_path, rows), m, 2023))[code(1)]
    assert r["tax_per_mu_benchmark"] == 24.097  # 2022's, as the file allows
    assert r["tax_per_mu_points"] == pytest.approx(30 * 30 / 24.097)
    assert "sets.above.items[tax_per_mu].benchmark.fallback: previous_year" in r["mujun_fallback"]
    found = yrs.check(m, 2023, None)
    assert len(found) == 8  # six 规上 and two 规下 benchmarks
    assert {f.used for f in found} == {"2022"}


def test_mujun_refuses_electricity_instead_of_ignoring_it(tmp_path: Path) -> None:
    source = lake_input(tmp_path, 2022, two_firms())
    with pytest.raises(Invalid, match="亩均效益评价不接受 --electricity"):
        evaluate("mujun", 2022, input=source, convention="calorific", store=False,
                 lake=tmp_path / "lake")  # fmt: skip
    res = cli("mujun", "--year", "2022", "--input", str(source), "--no-store",
              "--lake", str(tmp_path / "lake"), "--electricity", "equivalent")  # fmt: skip
    assert res.exit_code == 2
    assert "energy.electricity_convention" in flat(res.output)
