"""高耗低效 screening: rules, combinations, missing data, freed land and energy."""

from __future__ import annotations

from pathlib import Path

import pytest
from engine_helpers import code, facts, firm, method_file, methods_for, rows_by_uscc
from ruamel.yaml import YAML

from zhuansheng.engine import loader, screen_results
from zhuansheng.errors import ZhuanshengError

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
    small = firm(2, industry_code="2614", tax_wan=1.0)  # also D-ish, but 12.29 tce only
    peers = [firm(n, industry_code="2614", tax_wan=500.0 + n) for n in range(3, 23)]
    rows = [big, small, *peers]
    out = rows_by_uscc(screen_results(facts(tmp_path, rows), methods_for("screen"), YEAR))
    r = out[code(1)]
    assert r["tce"] == pytest.approx(2800 * 0.7143 + 100_000 * 0.1229 / 1000)
    assert r["mujun_class"] == "D"
    # 萧山: an energy-intensive industry over 1 000 tce is listed whatever its 亩均 class
    assert r["screen_rules"] == "mujun_d,low_tax_above,energy_intensive_large"
    assert "energy_intensive_large" not in (out[code(2)]["screen_rules"] or "")
    # A county's own file combines the two screens: energy-intensive and 亩均 C or D.
    doc = YAML(typ="rt").load(loader.resolve("screening-default").read_text(encoding="utf-8"))
    rules = [x for x in doc["rules"] if x["id"] in ("energy_size",)]
    rules.append(
        {
            "id": "energy_intensive_c_d",
            "name_zh": "高耗能行业用能大户且亩均效益 C、D 类",
            "all": [
                {"rule": "energy_size"},
                {"field": "industry_division", "op": "in", "value": ["25", "26", "30", "31", "32"]},
                {"field": "mujun_class", "op": "in", "value": ["C", "D"]},
            ],
        }
    )
    own = method_file(tmp_path, "screening-default", "screening-own", rules=rules)
    out = rows_by_uscc(screen_results(facts(tmp_path, rows), methods_for("screen", own), YEAR))
    assert out[code(1)]["screen_rules"] == "energy_intensive_c_d"
    assert out[code(3)]["screen_rules"] is None  # energy-intensive, but 12.29 tce only


def test_fields_and_scope_come_from_the_file(tmp_path: Path) -> None:
    # A county screens 规上 firms only, on 单位用电税收 (元/kWh) = tax / electricity × 10 000.
    fields = {
        "tax_per_mu": {"name_zh": "亩均税收", "numerator": "tax_wan", "denominator": "land_mu"},
        "va_per_mu": {
            "name_zh": "亩均增加值",
            "numerator": "value_added_wan",
            "denominator": "land_mu",
        },
        "tax_per_10k_kwh": {
            "name_zh": "万千瓦时税收（万元）",
            "numerator": "tax_wan",
            "denominator": "electricity_kwh",
        },
    }
    scope = {"all": [{"field": "scale", "op": "eq", "value": "above"}]}
    rules = [
        {
            "id": "low_tax_per_kwh",
            "name_zh": "每万千瓦时税收低于 0.5 万元",
            # tax / kWh < 0.5 / 10 000  ⇔  tax per 10 000 kWh < 0.5 万元
            "all": [{"field": "tax_per_10k_kwh", "op": "lt", "value": 0.00005}],
        }
    ]
    own = method_file(
        tmp_path, "screening-default", "screening-kwh", fields=fields, scope=scope, rules=rules
    )
    rows = [
        firm(1, tax_wan=40.0, electricity_kwh=1_000_000.0),  # 40 / 10^6 = 4e-5 < 5e-5
        firm(2, tax_wan=60.0, electricity_kwh=1_000_000.0),  # 6e-5: not listed
        firm(3, scale="below", tax_wan=1.0, electricity_kwh=1_000_000.0),  # out of scope
        firm(4, tax_wan=40.0, electricity_kwh=0.0),  # no electricity: no conclusion
    ]
    out = rows_by_uscc(screen_results(facts(tmp_path, rows), methods_for("screen", own), YEAR))
    assert out[code(1)]["screen_rules"] == "low_tax_per_kwh"
    assert out[code(2)]["candidate"] is False
    assert out[code(3)]["screen_reason"] == "out_of_scope" and out[code(3)]["candidate"] is False
    assert out[code(4)]["candidate"] is False


def test_an_unknown_field_is_refused_with_its_rule(tmp_path: Path) -> None:
    rules = [
        {"id": "x", "name_zh": "x", "all": [{"field": "tax_per_acre", "op": "lt", "value": 1}]}
    ]
    own = method_file(tmp_path, "screening-default", "screening-bad", rules=rules)
    with pytest.raises(ZhuanshengError, match="tax_per_acre"):
        methods_for("screen", own)
