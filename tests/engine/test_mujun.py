"""亩均效益: scores, benchmarks, caps, ranks, ties, adjustments, exemptions — by hand."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import ibis
import pyarrow as pa
import pytest
from engine_helpers import code, facts, firm, method_file, methods_for, rows_by_uscc

from zhuansheng.engine import adjustments_table, mujun_results
from zhuansheng.errors import ZhuanshengError

YEAR = 2022
ONE_ITEM = {  # score = 100 × (tax / land) / 10
    "required": ["land_mu"],
    "items": [
        {
            "id": "tax_per_mu",
            "name_zh": "亩均税收",
            "unit": "万元/亩",
            "numerator": "tax_wan",
            "denominator": "land_mu",
            "weight": 100,
            "benchmark": {"kind": "fixed", "value": 10},
        }
    ],
    "classes": {
        "by": "rank",
        "bands": [
            {"class": "A", "to_pct": 20},
            {"class": "B", "to_pct": 80},
            {"class": "C", "to_pct": 95},
            {"class": "D", "to_pct": 100},
        ],
    },
}


def one_item(tmp_path: Path, name: str = "one-item", **changes: Any) -> Path:
    """Huangyan's file reduced to one 规上 item (亩均税收, weight 100, benchmark 10)."""
    sets = {"above": {**ONE_ITEM, **changes.pop("set", {})}}
    return method_file(
        tmp_path, "mujun-huangyan-2022", name, sets=sets, scope={"scales": ["above"]}, **changes
    )


def run(tmp_path: Path, rows: list[dict], method: Path | str | None = None, **kw: Any) -> dict:
    m = methods_for("mujun", method)
    return rows_by_uscc(mujun_results(facts(tmp_path, rows), m, YEAR, **kw))


def test_huangyan_score_by_hand(tmp_path: Path) -> None:
    f = firm(
        1,
        land_mu=10.0,
        tax_wan=300.0,
        value_added_wan=2000.0,
        revenue_wan=10000.0,
        rd_wan=400.0,
        employees=100.0,
        electricity_kwh=1_000_000.0,
        pollutant_t=0.5,
    )
    r = run(tmp_path, [f])[code(1)]
    # 等价值 electricity: 1 000 000 kWh × 0.3007 kgce/kWh = 300.7 tce
    assert r["mujun_tce"] == pytest.approx(300.7)
    expected = {  # weight × value / benchmark (黄岩 2022 规上)
        "tax_per_mu": 30 * (300 / 10) / 24.097,
        "va_per_mu": 20 * (2000 / 10) / 136.16,
        "va_per_tce": 20 * (2000 / 300.7) / 2.694,
        "va_per_pollutant": 10 * (2000 / 0.5) / 4929.81,
        "labour_productivity": 10 * (2000 / 100) / 18.14,
        "rd_intensity": 10 * (400 / 10000) / 0.0302,
    }
    for item, points in expected.items():
        assert r[f"{item}_points"] == pytest.approx(points), item
    assert r["tax_per_mu_value"] == pytest.approx(30.0)
    assert r["tax_per_mu_benchmark"] == 24.097
    assert r["tax_per_mu_ratio"] == pytest.approx(30 / 24.097)
    assert r["mujun_score"] == round(sum(expected.values()), 4)
    assert (r["mujun_rank"], r["mujun_group_size"], r["mujun_class"]) == (1, 1, "A")
    assert r["eval_group"] == "above/330106"
    assert r["mujun_reason"] is None


def test_below_scale_set_and_scope(tmp_path: Path) -> None:
    rows = [
        firm(1, scale="below", land_mu=5.0, tax_wan=50.0, electricity_kwh=1_000_000.0),
        firm(2, scale="below", land_mu=2.0, tax_wan=50.0, electricity_kwh=1000.0),  # < 3 亩
    ]
    out = run(tmp_path, rows)
    r = out[code(1)]
    # 规下: 50 × (50/5)/11.5932 + 50 × (50 万元 × 10 000 元/万元 / 1 000 000 kWh)/0.2352
    assert r["tax_per_kwh_value"] == pytest.approx(0.5)
    assert r["mujun_score"] == round(50 * 10 / 11.5932 + 50 * 0.5 / 0.2352, 4)
    assert r["va_per_mu_points"] is None  # not an item of the 规下 set
    assert out[code(2)]["mujun_reason"] == "out_of_scope"
    assert out[code(2)]["mujun_class"] is None


def test_rank_bands_with_ties(tmp_path: Path) -> None:
    # 20 firms, 1 亩 each: score = 10 × tax. Ties share the better rank (1, 2, 2, 4 …).
    taxes = [20, 19, 19, 18, 17, 16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 3]
    rows = [firm(n, land_mu=1.0, tax_wan=float(tax)) for n, tax in enumerate(taxes, start=1)]
    out = run(tmp_path, rows, one_item(tmp_path))
    ranks = [out[code(n)]["mujun_rank"] for n in range(1, 21)]
    classes = "".join(out[code(n)]["mujun_class"] for n in range(1, 21))
    assert ranks == [1, 2, 2, 4, *range(5, 19), 19, 19]
    assert {out[code(n)]["mujun_group_size"] for n in range(1, 21)} == {20}
    # A: (rank − 1) × 100 < 20 % × 20  → rank ≤ 4;   B: rank ≤ 16;   C: rank ≤ 19;   D: rank 20.
    # The tie at rank 2 puts both firms in A; the tie at rank 19 leaves the D band empty.
    assert classes == "AAAA" + "B" * 12 + "CCCC"
    assert out[code(1)]["mujun_score"] == 200.0
    assert out[code(1)]["mujun_band"] == "rank 0–20%"


@pytest.mark.parametrize("assign", ["share_ahead", "rounded_count"])
def test_rank_bands_in_a_small_group(tmp_path: Path, assign: str) -> None:
    # 19 firms, scores all different: ranks 1 … 19, n = 19.
    rows = [firm(n, land_mu=1.0, tax_wan=float(100 - n)) for n in range(1, 20)]
    classes = {**ONE_ITEM["classes"], "assign": assign}
    out = run(tmp_path, rows, one_item(tmp_path, set={"classes": classes}))
    got = "".join(out[code(n)]["mujun_class"] for n in range(1, 20))
    if assign == "share_ahead":
        # (r − 1) × 100 < 19 × p:  A  r − 1 < 3.8 → r ≤ 4;  B  r − 1 < 15.2 → r ≤ 16;
        # C  r − 1 < 18.05 → r ≤ 19: nobody is left for D.
        assert got == "AAAA" + "B" * 12 + "CCC"
    else:
        # r ≤ ⌊19 × p / 100 + ½⌋:  A ⌊3.8 + .5⌋ = 4;  B ⌊15.2 + .5⌋ = 15;  C ⌊18.05 + .5⌋ = 18;
        # D is rank 19.
        assert got == "AAAA" + "B" * 11 + "CCC" + "D"


# 亩均税收 (weight 50, benchmark 10) and 亩均增加值 (weight 50, benchmark 100)
TWO_ITEMS = [
    {**ONE_ITEM["items"][0], "weight": 50},
    {
        "id": "va_per_mu",
        "name_zh": "亩均增加值",
        "unit": "万元/亩",
        "numerator": "value_added_wan",
        "denominator": "land_mu",
        "weight": 50,
        "benchmark": {"kind": "fixed", "value": 100},
    },
]


def test_tie_break_items(tmp_path: Path) -> None:
    two_items = {"items": TWO_ITEMS}
    # a: 50 × 20/10 + 50 × 100/100 = 150;  b: 50 × 10/10 + 50 × 200/100 = 150;  c: 25 + 25 = 50
    rows = [
        firm(1, land_mu=1.0, tax_wan=10.0, value_added_wan=200.0),
        firm(2, land_mu=1.0, tax_wan=20.0, value_added_wan=100.0),
        firm(3, land_mu=1.0, tax_wan=5.0, value_added_wan=50.0),
    ]
    classes = {**ONE_ITEM["classes"], "tie_break": ["tax_per_mu"]}
    broken = run(tmp_path, rows, one_item(tmp_path, "tb", set={**two_items, "classes": classes}))
    shared = run(tmp_path, rows, one_item(tmp_path, "shared", set=two_items))
    assert broken[code(1)]["mujun_score"] == broken[code(2)]["mujun_score"] == 150.0
    assert (broken[code(2)]["mujun_rank"], broken[code(1)]["mujun_rank"]) == (1, 2)  # higher tax
    assert (shared[code(1)]["mujun_rank"], shared[code(2)]["mujun_rank"]) == (1, 1)


def _two_sets(tmp_path: Path, name: str, below_tie_break: list[str]) -> Path:
    """规上 and 规下 on the same two items (亩均税收 w 50 / 10, 亩均增加值 w 50 / 100); 规上
    breaks ties on 亩均税收, 规下 on what the test says."""
    items, classes = TWO_ITEMS, ONE_ITEM["classes"]
    sets = {
        "above": {**ONE_ITEM, "items": items, "classes": {**classes, "tie_break": ["tax_per_mu"]}},
        "below": {**ONE_ITEM, "items": items, "classes": {**classes, "tie_break": below_tie_break}},
    }
    return method_file(
        tmp_path, "mujun-huangyan-2022", name, sets=sets, scope={"scales": ["above", "below"]}
    )


def test_each_set_breaks_ties_on_its_own_items(tmp_path: Path) -> None:
    rows = [
        # 规上 a: 50 × 20/10 + 50 × 100/100 = 150;  b: 50 × 10/10 + 50 × 200/100 = 150
        firm(1, land_mu=1.0, tax_wan=20.0, value_added_wan=100.0),
        firm(2, land_mu=1.0, tax_wan=10.0, value_added_wan=200.0),
        # 规下 (4 亩 ≥ 3) c: 50 × (80/4)/10 + 50 × (400/4)/100 = 150;  d: 50 × 10/10 + 50 × 2 = 150
        firm(3, scale="below", land_mu=4.0, tax_wan=80.0, value_added_wan=400.0),
        firm(4, scale="below", land_mu=4.0, tax_wan=40.0, value_added_wan=800.0),
    ]
    own = run(tmp_path, rows, _two_sets(tmp_path, "own", ["va_per_mu"]))
    assert {own[code(n)]["mujun_score"] for n in (1, 2, 3, 4)} == {150.0}
    rank = {n: own[code(n)]["mujun_rank"] for n in (1, 2, 3, 4)}
    # 规上 by 亩均税收 (20 > 10), 规下 by 亩均增加值 (200 > 100)
    assert rank == {1: 1, 2: 2, 3: 2, 4: 1}
    none = run(tmp_path, rows, _two_sets(tmp_path, "none", []))
    rank = {n: none[code(n)]["mujun_rank"] for n in (1, 2, 3, 4)}
    assert rank == {1: 1, 2: 2, 3: 1, 4: 1}  # 规下 without tie-break items: a shared rank


def test_a_cap_that_binds(tmp_path: Path) -> None:
    item = {**ONE_ITEM["items"][0], "cap": 3}
    rows = [firm(1, land_mu=1.0, tax_wan=50.0), firm(2, land_mu=1.0, tax_wan=20.0)]
    out = run(tmp_path, rows, one_item(tmp_path, "capped", set={"items": [item]}))
    # firm 1: ratio 50/10 = 5, capped at 3 → 100 × 3 = 300 points; firm 2: 2 < 3 → 200
    assert out[code(1)]["tax_per_mu_ratio"] == 5.0
    assert out[code(1)]["tax_per_mu_capped"] is True
    assert out[code(1)]["tax_per_mu_points"] == 300.0
    assert (out[code(2)]["tax_per_mu_capped"], out[code(2)]["mujun_score"]) == (False, 200.0)


def test_a_cap_never_gives_points_to_a_missing_item(tmp_path: Path) -> None:
    item = {**ONE_ITEM["items"][0], "cap": 3, "missing": "zero"}
    rows = [firm(1, land_mu=1.0, tax_wan=None), firm(2, land_mu=1.0, tax_wan=20.0)]
    out = run(tmp_path, rows, one_item(tmp_path, "capzero", set={"items": [item]}))
    assert out[code(1)]["tax_per_mu_points"] == 0.0  # not 100 × cap
    assert out[code(1)]["tax_per_mu_imputed"] is True


def test_group_benchmark_is_a_ratio_of_sums(tmp_path: Path) -> None:
    item = {**ONE_ITEM["items"][0], "benchmark": {"kind": "group_mean", "over": ["county_code"]}}
    rows = [
        firm(1, tax_wan=100.0, land_mu=10.0),
        firm(2, tax_wan=10.0, land_mu=1.0),
        firm(3, tax_wan=30.0, land_mu=9.0),
        firm(4, tax_wan=99.0, land_mu=1.0, county_code="330603"),
    ]
    out = run(tmp_path, rows, one_item(tmp_path, "gm", set={"items": [item]}))
    # Σ tax / Σ land = 140 / 20 = 7.0 (the mean of the three ratios would be 7.78)
    assert out[code(1)]["tax_per_mu_benchmark"] == pytest.approx(7.0)
    assert out[code(3)]["tax_per_mu_points"] == pytest.approx(100 * (30 / 9) / 7.0)
    assert out[code(4, "330603")]["tax_per_mu_benchmark"] == pytest.approx(99.0)  # its county


def test_last_year_benchmark(tmp_path: Path) -> None:
    item = {**ONE_ITEM["items"][0], "benchmark": {"kind": "last_year", "factor": 2}}
    path = one_item(tmp_path, "ly", set={"items": [item]})
    rows = [
        firm(1, tax_wan=50.0, year=2021),
        firm(2, tax_wan=30.0, year=2021),
        firm(1, tax_wan=120.0),
    ]
    t = facts(tmp_path, rows)
    out = rows_by_uscc(mujun_results(t, methods_for("mujun", path), YEAR, previous=t))
    # 2 × (50 + 30) / (10 + 10) = 8.0;  12 / 8 × 100 = 150
    assert out[code(1)]["tax_per_mu_benchmark"] == pytest.approx(8.0)
    assert out[code(1)]["mujun_score"] == 150.0
    with pytest.raises(ZhuanshengError, match="2021"):
        mujun_results(t, methods_for("mujun", path), YEAR)


def test_missing_item_gets_the_group_average_points(tmp_path: Path) -> None:
    rows = [firm(1, pollutant_t=0.5), firm(2, pollutant_t=1.0), firm(3, pollutant_t=None)]
    out = run(tmp_path, rows)
    a = 10 * (1000 / 0.5) / 4929.81
    b = 10 * (1000 / 1.0) / 4929.81
    assert out[code(3)]["va_per_pollutant_points"] == pytest.approx((a + b) / 2)
    assert out[code(3)]["va_per_pollutant_imputed"] is True
    assert out[code(3)]["mujun_class"] is not None


def test_no_group_average_when_nobody_in_the_group_has_the_item(tmp_path: Path) -> None:
    # no firm of the group reports emissions: no average to give, so no silent 0 and no class
    rows = [firm(1, pollutant_t=None), firm(2, pollutant_t=None)]
    out = run(tmp_path, rows)
    for n in (1, 2):
        assert out[code(n)]["mujun_reason"] == "missing_item:va_per_pollutant"
        assert out[code(n)]["mujun_class"] is None


def _events(*rows: tuple[str, str, float]) -> pa.Table:
    return pa.table(
        {
            "uscc": [r[0] for r in rows],
            "year": [YEAR] * len(rows),
            "event": [r[1] for r in rows],
            "count": [r[2] for r in rows],
        }
    )


def _adjusted(tmp_path: Path, rows: list[dict], events: pa.Table, path: Path | None = None) -> dict:
    m = methods_for("mujun", path)
    adj = ibis.memtable(adjustments_table(events, m.mujun, YEAR))
    return rows_by_uscc(mujun_results(facts(tmp_path, rows), m, YEAR, adjustments=adj))


def test_veto_takes_the_lowest_class_and_ranks_last(tmp_path: Path) -> None:
    rows = [firm(n, land_mu=1.0, tax_wan=float(t)) for n, t in enumerate([50, 40, 30, 20], 1)]
    events = _events((code(1), "major_safety_accident", 1))
    out = _adjusted(tmp_path, rows, events, one_item(tmp_path))
    assert out[code(1)]["vetoed"] is True
    assert (out[code(1)]["mujun_class"], out[code(1)]["mujun_rank"]) == ("D", 4)
    assert out[code(1)]["mujun_band"] == "veto"
    assert [out[code(n)]["mujun_rank"] for n in (2, 3, 4)] == [1, 2, 3]
    assert out[code(1)]["adjustments"] == "major_safety_accident"


def test_veto_holds_even_when_the_firm_has_data_gaps(tmp_path: Path) -> None:
    # firm 1 reported falsely and also has no tax figure: still the veto class, not "no class"
    rows = [firm(1, land_mu=1.0, tax_wan=None), firm(2, land_mu=1.0, tax_wan=20.0)]
    events = _events((code(1), "major_safety_accident", 1))
    out = _adjusted(tmp_path, rows, events, one_item(tmp_path))
    assert out[code(1)]["mujun_reason"] is not None  # the gap is still explained
    assert (out[code(1)]["mujun_class"], out[code(1)]["mujun_band"]) == ("D", "veto")


def test_bonus_and_deduction_with_caps(tmp_path: Path) -> None:
    rows = [firm(1, land_mu=1.0, tax_wan=10.0), firm(2, land_mu=1.0, tax_wan=10.0)]
    events = _events((code(1), "green_factory", 3), (code(2), "extra_tenant", 2))
    out = _adjusted(tmp_path, rows, events, one_item(tmp_path))
    # firm 1: 100 + min(3 × 2, cap 5) = 105;  firm 2: 100 − 2 × 5 = 90
    assert (out[code(1)]["bonus"], out[code(1)]["mujun_score"]) == (5.0, 105.0)
    assert (out[code(2)]["deduction"], out[code(2)]["mujun_score"]) == (10.0, 90.0)
    assert out[code(1)]["adjustments"] == "green_factory×3"


def test_exempt_enterprises(tmp_path: Path) -> None:
    rows = [firm(n, land_mu=1.0, tax_wan=float(t)) for n, t in enumerate([50, 40, 30], 1)]
    events = _events((code(1), "new_firm", 1))
    out = _adjusted(tmp_path, rows, events)  # 黄岩: exempt firms get no class
    assert out[code(1)]["mujun_class"] is None
    assert out[code(1)]["mujun_reason"] == "exempt:new_firm"
    assert "免评" in out[code(1)]["mujun_reason_zh"]
    assert out[code(2)]["mujun_group_size"] == 2  # not counted in the group
    wenling = _adjusted(tmp_path, rows, events, Path(str(methods_path("mujun-wenling-2022"))))
    assert wenling[code(1)]["mujun_class"] == "B"  # 参照 B 类
    assert wenling[code(1)]["mujun_band"] == "exempt"


def methods_path(name: str) -> Path:
    from zhuansheng.engine.loader import resolve

    return resolve(name)


def test_unknown_event_is_an_error(tmp_path: Path) -> None:
    m = methods_for("mujun")
    with pytest.raises(ZhuanshengError, match="major_acident"):
        adjustments_table(_events((code(1), "major_acident", 1)), m.mujun, YEAR)


def test_bad_data_gives_reasons_never_a_class(tmp_path: Path) -> None:
    rows = [
        firm(1),
        firm(2, land_mu=None),  # missing land
        firm(3, land_mu=0.0),  # no land
        firm(4, value_added_wan=0.0),  # zero value added
        firm(5, value_added_wan=None),  # absent value added
        firm(6, coal_t=-1.0),  # negative energy
        firm(7, industry_code="0610"),  # not manufacturing
        firm(8, employees=None),  # an item without its data (rule: no class)
    ]
    out = run(tmp_path, rows)
    reasons = {n: out[code(n)]["mujun_reason"] for n in range(1, 9)}
    assert reasons == {
        1: None,
        2: "missing:land_mu",
        3: "missing:land_mu",
        4: "missing:value_added_wan",
        5: "missing:value_added_wan",
        6: "negative:coal_t",
        7: "unknown_industry",
        8: "missing_item:labour_productivity",
    }
    for n in range(2, 9):
        assert out[code(n)]["mujun_class"] is None and out[code(n)]["mujun_score"] is None
        assert out[code(n)]["mujun_reason_zh"]
    assert out[code(1)]["mujun_group_size"] == 1


def test_score_cutoffs(tmp_path: Path) -> None:
    classes = {
        "by": "score",
        "cutoffs": [
            {"class": "A", "min_score": 150},
            {"class": "B", "min_score": 100},
            {"class": "C", "min_score": 60},
            {"class": "D"},
        ],
    }
    rows = [firm(n, land_mu=1.0, tax_wan=float(t)) for n, t in enumerate([15, 14.9, 10, 6, 5], 1)]
    out = run(tmp_path, rows, one_item(tmp_path, "cut", set={"classes": classes}))
    assert "".join(out[code(n)]["mujun_class"] for n in range(1, 6)) == "ABBCD"
    assert out[code(1)]["mujun_band"] == "score ≥ 150"


def test_huangyan_items_are_not_capped_only_the_bonus_is(tmp_path: Path) -> None:
    # 黄岩's published 计算说明 divides each item by its benchmark with no cap: a firm far above
    # the benchmarks scores well over 100. Only the bonus total is capped (5, illustrative).
    m = methods_for("mujun")
    assert all(i.cap is None for s in m.mujun.sets.values() for i in s.items)  # type: ignore[union-attr]
    f = firm(
        1,
        land_mu=10.0,
        tax_wan=1000.0,  # 100 万元/亩
        value_added_wan=5000.0,  # 500 万元/亩
        revenue_wan=10000.0,
        rd_wan=400.0,  # 0.04
        employees=100.0,  # 50 万元/人
        electricity_kwh=1_000_000.0,  # 等价值 300.7 tce
        pollutant_t=0.5,  # 10 000 万元/t
    )
    out = _adjusted(tmp_path, [f], _events((code(1), "green_factory", 3)))
    r = out[code(1)]
    points = {
        "tax_per_mu": 30 * 100 / 24.097,  # 124.4968
        "va_per_mu": 20 * 500 / 136.16,  # 73.4430
        "va_per_tce": 20 * (5000 / 300.7) / 2.694,  # 123.4437
        "va_per_pollutant": 10 * 10000 / 4929.81,  # 20.2848
        "labour_productivity": 10 * 50 / 18.14,  # 27.5634
        "rd_intensity": 10 * 0.04 / 0.0302,  # 13.2450
    }
    for item, p in points.items():
        assert r[f"{item}_points"] == pytest.approx(p), item
        assert r[f"{item}_capped"] is False, item
    # Σ points ≈ 382.48, + bonus min(3 × 2, 5) = 5: about 387.48 — no cap on the items
    assert r["bonus"] == 5.0
    assert r["mujun_score"] == round(sum(points.values()) + 5, 4)
    assert r["mujun_score"] > 380
