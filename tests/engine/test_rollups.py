"""Region roll-ups sum each numerator and denominator over the same firms (hand-computed)."""

from __future__ import annotations

from pathlib import Path

import pytest
from engine_helpers import facts, firm, methods_for

from zhuansheng.engine import rollups


def test_a_firm_missing_one_part_drops_out_of_that_ratio(tmp_path: Path) -> None:
    rows = [
        # firm 1 complete: 1 000 000 kWh, VA 1 000 万元, tax 100 万元, land 10 亩,
        # R&D 100 of revenue 5 000 万元
        firm(1, electricity_kwh=1_000_000.0),
        # firm 2 has energy and land but no value added and no tax: it must not weigh on
        # energy intensity, 亩均税收 or 亩均增加值
        firm(2, electricity_kwh=10_000_000.0, value_added_wan=None, tax_wan=None),
        # firm 3 reports revenue but no R&D: left out of R&D intensity only
        firm(3, rd_wan=None, revenue_wan=3000.0),
    ]
    table = facts(tmp_path, rows)
    carbon = methods_for("carbon").carbon
    sums = rollups.county_sums(table, 2022, carbon, "calorific").to_pyarrow().to_pylist()
    carbon_figures = rollups.figures(sums, "carbon")
    mujun_figures = rollups.figures(sums, "mujun")
    county = "330106"
    # energy intensity: firms 1 and 3 (VA known). tce = kWh × 0.1229 kgce/kWh ÷ 1000
    #   firm 1: 1 000 000 × 0.0001229 = 122.9 tce; firm 3: 100 000 × 0.0001229 = 12.29 tce
    #   (122.9 + 12.29) / (1000 + 1000) = 0.067595
    value, num, den = carbon_figures["energy_intensity"][county]
    assert (num, den) == (pytest.approx(135.19), pytest.approx(2000.0))
    assert value == pytest.approx(135.19 / 2000)
    # 亩均税收: firms 1 and 3 (tax known): (100 + 100) / (10 + 10) = 10 万元/亩, not 200 / 30
    assert mujun_figures["tax_per_mu"][county][0] == pytest.approx(10.0)
    # 亩均增加值: firms 1 and 3 (VA known): (1000 + 1000) / 20 = 100 万元/亩
    assert mujun_figures["va_per_mu"][county][0] == pytest.approx(100.0)
    # R&D intensity: firms 1 and 2 (R&D known): (100 + 100) / (5000 + 5000) = 2 %
    assert mujun_figures["rd_intensity"][county][0] == pytest.approx(2.0)


def test_state_listed_projects_are_left_out_of_energy_intensity(tmp_path: Path) -> None:
    # The 2022 target counts energy intensity 不含国家单列项目: their energy comes off the
    # numerator, the value added stays.
    rows = [
        firm(1, electricity_kwh=1_000_000.0, state_listed_tce=22.9),  # 122.9 tce, 22.9 listed
        firm(2, electricity_kwh=1_000_000.0),  # 122.9 tce, none listed
    ]
    carbon = methods_for("carbon").carbon
    table = facts(tmp_path, rows)
    sums = rollups.county_sums(table, 2022, carbon, "calorific").to_pyarrow().to_pylist()
    value, num, den = rollups.figures(sums, "carbon")["energy_intensity"]["330106"]
    # (122.9 − 22.9 + 122.9) / (1000 + 1000) = 222.9 / 2000 = 0.11145 tce/万元
    assert (num, den) == (pytest.approx(222.9), pytest.approx(2000.0))
    assert value == pytest.approx(0.11145)


def test_roll_up_definitions_come_from_the_data_file() -> None:
    spec = rollups.spec()
    by_id = {r.indicator: r for r in spec.rollups}
    assert spec.scales == ("above",)
    assert by_id["energy_intensity"].deduct == "state_listed_tce"
    assert (by_id["rd_intensity"].to_unit, by_id["rd_intensity"].scale) == (0.0001, 100.0)
    assert {r.indicator for r in spec.of_kind("mujun")} == {
        "tax_per_mu",
        "va_per_mu",
        "rd_intensity",
        "trad_share",
    }
