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
