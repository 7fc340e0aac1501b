"""Energy → tce → CO₂ → L → K → grade, computed by hand (the arithmetic is in the tests)."""

from __future__ import annotations

from pathlib import Path

import pytest
from engine_helpers import code, facts, firm, method_file, methods_for, rows_by_uscc

from zhuansheng.engine import carbon_results

YEAR = 2022


def test_one_enterprise_by_hand_in_both_electricity_conventions(tmp_path: Path) -> None:
    # F1: 1 000 000 kWh of which 200 000 kWh own PV, 100 t raw coal, 10 000 m³ natural gas.
    # F2: 2 000 000 kWh grid electricity only. Both in 服装 (division 18), VA 1000 万元 each.
    rows = [
        firm(
            1,
            electricity_kwh=1_000_000.0,
            zero_carbon_kwh=200_000.0,
            coal_t=100.0,
            natural_gas_m3=10_000.0,
        ),
        firm(2, electricity_kwh=2_000_000.0, industry_code="1820"),
    ]
    t = facts(tmp_path, rows)
    m = methods_for("carbon")  # carbon-2022.yaml as shipped

    # 当量值 0.1229 kgce/kWh: 122.9 + coal 100 × 0.7143 + gas 10 000 × 0.0012143
    calorific = rows_by_uscc(carbon_results(t, m, YEAR, convention="calorific"))
    f1, f2 = calorific[code(1)], calorific[code(2)]
    assert f1["tce"] == pytest.approx(122.9 + 71.43 + 12.143)  # 206.473 tce
    assert f1["energy_intensity"] == pytest.approx(206.473 / 1000)

    # CO₂: grid (1 000 000 − 200 000) kWh × 0.5617 t/MWh (华东 2022) + coal 100 × 1.9003
    #      + gas 10 000 × 0.0021622
    co2_1 = 800 * 0.5617 + 190.03 + 21.622  # 449.36 + 190.03 + 21.622 = 661.012 t
    co2_2 = 2000 * 0.5617  # 1123.4 t
    assert f1["co2_t"] == pytest.approx(co2_1)
    assert f2["co2_t"] == pytest.approx(co2_2)
    assert f1["grid_region"] == "east_china"
    assert f1["factor_set"] == "carbon-2022@2022.2/calorific/east_china-2022"
    assert f1["carbon_fallback"] is None  # 2022 has its own 华东 factor

    # L = CO₂ / VA; industry average = Σ CO₂ / Σ VA (not the mean of the two L).
    l1, l2 = co2_1 / 1000, co2_2 / 1000  # 0.661012, 1.1234
    l_industry = (co2_1 + co2_2) / 2000  # 0.892206
    assert f1["carbon_intensity"] == pytest.approx(l1)
    assert f1["industry_carbon_intensity"] == pytest.approx(l_industry)
    assert f1["industry_firms"] == 2
    assert f1["carbon_ratio"] == pytest.approx(round(l1 / l_industry, 6))  # 0.740874 → grade 2
    assert f1["carbon_grade"] == 2
    assert f2["carbon_ratio"] == pytest.approx(round(l2 / l_industry, 6))  # 1.259126 → grade 4
    assert f2["carbon_grade"] == 4
    assert (f1["carbon_level"], f2["carbon_level"]) == ("medium", "medium")  # 0.6 < L ≤ 2.0

    # 等价值 (2022: 0.3007 kgce/kWh): only tce changes; CO₂ and the grade do not.
    equivalent = rows_by_uscc(carbon_results(t, m, YEAR, convention="equivalent"))
    e1 = equivalent[code(1)]
    assert e1["tce"] == pytest.approx(300.7 + 71.43 + 12.143)  # 384.273 tce
    assert e1["kgce_per_kwh"] == pytest.approx(0.3007)
    assert e1["co2_t"] == pytest.approx(co2_1)
    assert e1["carbon_grade"] == 2


@pytest.fixture
def unit_grid(tmp_path: Path) -> Path:
    """carbon-2022 with a grid factor of 1000 t/MWh, so CO₂ (t) = kWh: L is kWh / VA exactly."""
    return method_file(
        tmp_path,
        "carbon-2022",
        "carbon-unit-grid",
        grid={
            "default_region": "national",
            "factors": [
                {"year": 2022, "region": "national", "tco2_per_mwh": 1000, "source": "测试"}
            ],
        },
    )


def test_grade_at_each_boundary_inclusive(tmp_path: Path, unit_grid: Path) -> None:
    # Division 18: L = 0.6, 0.8, 1.2, 2.0 (kWh 60, 80, 120, 200 over VA 100) and a filler with
    # 100 kWh over VA 160, so Σ CO₂ / Σ VA = 560 / 560 = 1.0 and K = L exactly.
    d18 = [
        (1, 60.0, 100.0),
        (2, 80.0, 100.0),
        (3, 120.0, 100.0),
        (4, 200.0, 100.0),
        (5, 100.0, 160.0),
    ]
    # Division 17: L = 0.61 and 1.39 over VA 100 each: average (61 + 139) / 200 = 1.0.
    d17 = [(6, 61.0, 100.0), (7, 139.0, 100.0)]
    # Division 19: L = 10/300 and 400/100: average 410 / 400 = 1.025; K = 3.902… → grade 5.
    d19 = [(8, 10.0, 300.0), (9, 400.0, 100.0)]
    rows = [
        firm(n, electricity_kwh=k, value_added_wan=va, industry_code=ind)
        for group, ind in ((d18, "1810"), (d17, "1713"), (d19, "1910"))
        for n, k, va in group
    ]
    out = rows_by_uscc(
        carbon_results(facts(tmp_path, rows), methods_for("carbon", unit_grid), 2022)
    )
    k = {n: out[code(n)]["carbon_ratio"] for n in range(1, 10)}
    g = {n: out[code(n)]["carbon_grade"] for n in range(1, 10)}
    assert [k[1], k[2], k[3], k[4]] == [0.6, 0.8, 1.2, 2.0]
    assert [g[1], g[2], g[3], g[4]] == [1, 2, 3, 4]  # upper bounds are inclusive
    assert (k[5], g[5]) == (0.625, 2)  # 100/160 = 0.625
    assert (k[6], g[6]) == (0.61, 2)  # just above 0.6
    assert (k[7], g[7]) == (1.39, 4)
    assert k[9] == round(4.0 / 1.025, 6) and g[9] == 5  # K > 2.0
    assert k[8] == round((10 / 300) / 1.025, 6) and g[8] == 1
    # low ≤ 0.6 < medium ≤ 2.0 < high, on L itself
    assert out[code(1)]["carbon_level"] == "low"
    assert out[code(4)]["carbon_level"] == "medium"
    assert out[code(9)]["carbon_level"] == "high"


def test_industry_level_class_uses_four_digit_averages(tmp_path: Path, unit_grid: Path) -> None:
    path = method_file(
        tmp_path,
        str(unit_grid),
        "carbon-class",
        industry_average={"level": "class", "scope": "all"},
    )
    rows = [
        firm(1, electricity_kwh=50.0, value_added_wan=100.0, industry_code="1810"),
        firm(2, electricity_kwh=200.0, value_added_wan=100.0, industry_code="1820"),
    ]
    out = rows_by_uscc(carbon_results(facts(tmp_path, rows), methods_for("carbon", path), 2022))
    # each firm is alone in its class: K = 1 → grade 3 (with divisions it would be 0.4 and 1.6)
    assert [out[code(n)]["carbon_ratio"] for n in (1, 2)] == [1.0, 1.0]
    assert out[code(1)]["industry_key"] == "1810"


def test_bad_data_gives_reasons_never_a_grade(tmp_path: Path) -> None:
    rows = [
        firm(1, electricity_kwh=1000.0),  # fine: the industry average comes from it
        firm(2, electricity_kwh=1000.0, value_added_wan=0.0),  # zero value added
        firm(3, electricity_kwh=1000.0, value_added_wan=None),  # absent value added
        firm(4, electricity_kwh=1000.0, coal_t=-5.0),  # negative energy
        firm(5, electricity_kwh=1000.0, industry_code="9999"),  # unknown industry
        firm(6, electricity_kwh=None),  # electricity missing
        firm(7, electricity_kwh=1000.0, scale="below"),  # 碳效码 grades 规上 only
        firm(8, electricity_kwh=100.0, zero_carbon_kwh=500.0),  # more PV than used
        firm(9, electricity_kwh=1000.0, coal_t=float("nan")),  # NaN in a file → NULL → no coal
    ]
    out = rows_by_uscc(carbon_results(facts(tmp_path, rows), methods_for("carbon"), 2022))
    reasons = {n: out[code(n)]["carbon_reason"] for n in range(1, 10)}
    assert reasons == {
        1: None,
        2: "missing:value_added_wan",
        3: "missing:value_added_wan",
        4: "negative:coal_t",
        5: "unknown_industry",
        6: "missing:electricity_kwh",
        7: "out_of_scope",
        8: "zero_carbon_exceeds_electricity",
        9: None,
    }
    for n in (2, 3, 4, 5, 6, 7, 8):
        assert out[code(n)]["carbon_grade"] is None
        assert out[code(n)]["carbon_reason_zh"]
    assert "增加值" in out[code(2)]["carbon_reason_zh"]
    assert out[code(4)]["tce"] is None  # nothing is computed from negative energy
    assert out[code(2)]["tce"] == pytest.approx(1000 * 0.1229 / 1000)  # energy is still known
    assert out[code(9)]["tce"] == pytest.approx(out[code(1)]["tce"])


def test_an_industry_without_emissions_has_no_average(tmp_path: Path) -> None:
    rows = [firm(1, electricity_kwh=0.0), firm(2, electricity_kwh=0.0)]
    out = rows_by_uscc(carbon_results(facts(tmp_path, rows), methods_for("carbon"), 2022))
    assert out[code(1)]["carbon_reason"] == "industry_average_unavailable"
    assert out[code(1)]["carbon_grade"] is None
