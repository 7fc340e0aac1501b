"""高耗低效 screening: rules, combinations, missing data, freed land and energy."""

from __future__ import annotations

from pathlib import Path

import pytest
from engine_helpers import code, facts, firm, methods_for, rows_by_uscc

from zhuansheng.engine import screen_results

YEAR = 2022


def test_rules_and_freed_land_and_energy(tmp_path: Path) -> None:
    rows = [
        firm(1, tax_wan=50.0, land_mu=10.0),  # 亩均税收 5 < 6: 湖州“三低”, 规上
        firm(2, scale="below", tax_wan=20.0, land_mu=12.0),  # 规下 1.67 < 3 and ≥ 10 亩
        firm(3, tax_wan=700.0, land_mu=10.0),  # 70 万元/亩: nothing
        # 非高耗能行业, 4 000 000 kWh ≥ 3 000 000 and 491.6 tce / 500 万元 = 0.98 > 0.6 (萧山)
        firm(4, tax_wan=700.0, electricity_kwh=4_000_000.0, value_added_wan=500.0),
        firm(5, scale="below", tax_wan=5.0, land_mu=2.0),  # 规下 < 3 亩: out of scope
        firm(6, tax_wan=None, land_mu=10.0),  # no tax figure: no conclusion on 亩均税收
    ]
    out = rows_by_uscc(screen_results(facts(tmp_path, rows), methods_for("screen"), YEAR))
    assert out[code(1)]["screen_rules"] == "low_tax_above"
    assert out[code(2)]["screen_rules"] == "low_tax_below,large_land_below"
    assert out[code(3)]["candidate"] is False and out[code(3)]["screen_rules"] is None
    assert out[code(4)]["tce"] == pytest.approx(4_000_000 * 0.1229 / 1000)  # 491.6 tce
    assert out[code(4)]["screen_rules"] == "other_high_intensity"
    assert out[code(5)]["candidate"] is False
    assert out[code(5)]["screen_reason"] == "out_of_scope"
    assert "low_tax_above" not in (out[code(6)]["screen_rules"] or "")
    # closure frees the evaluation year's land and energy
    assert out[code(2)]["freed_land_mu"] == 12.0
    assert out[code(2)]["freed_energy_tce"] == pytest.approx(100_000 * 0.1229 / 1000)
    assert out[code(3)]["freed_land_mu"] == 0.0
    # the carbon and 亩均 results travel with the candidate, to explain it
    assert out[code(1)]["carbon_grade"] is not None and out[code(1)]["mujun_class"] is not None


def test_combination_with_the_mujun_class(tmp_path: Path) -> None:
    # 26 化学原料 (energy-intensive), 2000 tce of coal, and the worst 亩均 result of 21 firms.
    big = firm(1, industry_code="2614", coal_t=2800.0, tax_wan=1.0, value_added_wan=100.0)
    peers = [firm(n, industry_code="2614", tax_wan=500.0 + n) for n in range(2, 22)]
    out = rows_by_uscc(screen_results(facts(tmp_path, [big, *peers]), methods_for("screen"), YEAR))
    r = out[code(1)]
    assert r["tce"] == pytest.approx(2800 * 0.7143 + 100_000 * 0.1229 / 1000)
    assert r["mujun_class"] == "D"
    assert r["screen_rules"] == "mujun_d,low_tax_above,energy_intensive_low_efficiency"
