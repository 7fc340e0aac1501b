"""Monitoring against hand-computed expectations, one small world per kind of target.

Each test writes a few registry entries, allocations or observations into a real store (SQLite
and PostgreSQL), runs the monthly analysis and checks the numbers worked out here by hand from
methods/monitoring.md: completion c = actual / target, schedule s(m) = m/12 unless the indicator
is seasonal, pace r = c / s(m), rate progress R = achieved change / target change.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from ruamel.yaml import YAML
from sqlalchemy import insert, select

import worlds
from zhuansheng import monitor, store
from zhuansheng.monitor.rows import ProgressRow
from zhuansheng.periods import parse_period
from zhuansheng.store import observations as obs
from zhuansheng.store import tables as t
from zhuansheng.workspace import at

# Values recorded directly, without a submission: the rules are checked on everything imported.
SRC = obs.Source(recorded_by="test", kind="api", name="hand-made")


@pytest.fixture
def url(store_url: str) -> Iterator[str]:
    worlds.seed_2022(store_url)
    yield store_url


def entries(url: str, registry: str, region: str, dates: list[dt.date]) -> None:
    with store.session(url) as s:
        s.execute(
            insert(t.RegistryEntry.__table__),
            [
                {
                    "registry_kind": registry,
                    "name": f"{registry}-{region}-{i}",
                    "uscc": None,
                    "region_code": region,
                    "recognised_on": d,
                    "batch": "",
                    "source": "test",
                    "synthetic": False,
                }
                for i, d in enumerate(dates)
            ],
        )


def allocate(url: str, target_id: str, values: dict[str, float]) -> None:
    with store.session(url) as s:
        pk = s.scalar(select(t.Target.id).where(t.Target.target_id == target_id))
        s.add_all(t.Allocation(target_pk=pk, region_code=r, value=v) for r, v in values.items())


def record(
    url: str,
    ind: str,
    region: str,
    period: str,
    value: float,
    num: float | None = None,
    den: float | None = None,
) -> None:
    with store.session(url) as s:
        obs.record(s, ind, region, period, value, SRC, numerator=num, denominator=den)


def row(url: str, period: str, target: str, region: str) -> ProgressRow:
    m = monitor.Monitor(
        monitor.analyse(2022, ws=at(url), count_from="imported"), parse_period(period)
    )
    (found,) = [r for r in m.rows(region=region, target=target)]
    return found


def june(n: int, day: int = 15) -> list[dt.date]:
    return [dt.date(2022, 1 + i % 6, day) for i in range(n)]  # spread over January–June


# -- counts and amounts ------------------------------------------------------------------------


def test_counts_ahead_slightly_behind_and_behind_schedule(url: str) -> None:
    # 未来工厂 15 家以上 allocated: 绍兴 4, 宁波 20, 杭州 6; linear schedule s(6) = 6/12 = 0.5
    allocate(url, "future_factory_new", {"330600": 4, "330200": 20, "330100": 6})
    entries(url, "future_factory", "330602", june(3))  # 越城区, in 绍兴
    entries(url, "future_factory", "330212", june(9))  # 鄞州区, in 宁波
    entries(url, "future_factory", "330109", june(1))  # 萧山区, in 杭州
    entries(url, "future_factory", "330109", [dt.date(2022, 7, 1)])  # after June: not counted
    m = monitor.Monitor(
        monitor.analyse(2022, ws=at(url), count_from="imported"), parse_period("2022-06")
    )
    got = {r.region: r for r in m.rows(level="city", target="future_factory_new")}
    # 绍兴: c = 3/4 = 0.75, r = 0.75/0.5 = 1.5 → ahead
    assert got["330600"].completion == pytest.approx(0.75)
    assert got["330600"].schedule == pytest.approx(0.5)
    assert got["330600"].pace == pytest.approx(1.5)
    assert got["330600"].status == "ahead" and got["330600"].colour == "green"
    # 宁波: c = 9/20 = 0.45, r = 0.9 → 0.9 ≤ r < 1 → slightly behind
    assert got["330200"].pace == pytest.approx(0.9)
    assert got["330200"].status == "slightly_behind" and got["330200"].colour == "yellow"
    # 杭州: c = 1/6, r = 1/3 → behind
    assert got["330100"].pace == pytest.approx(1 / 3)
    assert got["330100"].status == "behind" and got["330100"].colour == "red"
    # province: 13 of 15 by June: c = 13/15, r = (13/15)/0.5 = 1.733 → ahead
    assert got["330000"].actual == 13 and got["330000"].target_value == 15
    assert got["330000"].pace == pytest.approx(13 / 15 / 0.5)
    assert "r = c ÷ s" in got["330000"].rule
    # a county with no allocation of its own: 未分解
    assert row(url, "2022-06", "future_factory_new", "330602").status == "no_target"


def test_about_target_inside_and_outside_its_tolerance(url: str) -> None:
    # 省级智能工厂 150 家左右, tolerance 5 %: achieved at year end when c ≥ 0.95
    allocate(url, "smart_factory_new", {"330300": 20, "330400": 20})
    entries(url, "smart_factory", "330302", [dt.date(2022, 1 + i % 12, 10) for i in range(19)])
    entries(url, "smart_factory", "330402", [dt.date(2022, 1 + i % 12, 10) for i in range(18)])
    m = monitor.Monitor(
        monitor.analyse(2022, ws=at(url), count_from="imported"), parse_period("2022-12")
    )
    got = {r.region: r for r in m.rows(level="city", target="smart_factory_new")}
    # 温州: 19/20 = 0.95 ≥ 1 − 0.05 → achieved (inside the tolerance)
    assert got["330300"].completion == pytest.approx(0.95)
    assert got["330300"].status == "achieved"
    # 嘉兴: 18/20 = 0.90 < 0.95 → not achieved; r' = 0.90 / 0.95 = 0.947 → slightly behind
    assert got["330400"].completion == pytest.approx(0.90)
    assert got["330400"].status == "slightly_behind"
    assert "1 − 5%" in got["330400"].rule


def test_amount_from_monthly_investment(url: str) -> None:
    # 数字化技改完成投资 1800 亿元; 绍兴 allocated 10 亿元; six months of 1 亿元 (10 000 万元)
    allocate(url, "digital_renovation_investment", {"330600": 10})
    with store.session(url) as s:
        p = t.Project(
            project_kind="digital_renovation",
            code="P-1",
            name="技改项目",
            uscc=None,
            region_code="330602",
            status="started",
            started_on=dt.date(2022, 1, 5),
            planned_investment_wan=80000,
        )
        s.add(p)
        s.flush()
        s.add_all(
            t.ProjectInvestment(project_id=p.id, month=f"2022-{k:02d}", invested_wan=10000)
            for k in range(1, 7)
        )
    r = row(url, "2022-06", "digital_renovation_investment", "330600")
    # actual = 6 × 10 000 万元 = 6 亿元; c = 0.6; no 2021 pattern, so linear s = 0.5; r = 1.2
    assert r.actual == pytest.approx(6.0) and r.unit == "亿元"
    assert r.completion == pytest.approx(0.6)
    assert r.pace == pytest.approx(1.2) and r.status == "ahead"
    province = row(url, "2022-06", "digital_renovation_investment", "330000")
    assert province.completion == pytest.approx(6 / 1800)


def test_cumulative_target_counts_the_stock_and_paces_the_increment(url: str) -> None:
    # 累计制定“浙江制造”标准 3000 项以上: 2 800 before 2022, 100 in January–June 2022
    entries(
        url, "zj_standard", "330602", [dt.date(2020, 1 + i % 12, 1 + i % 28) for i in range(2800)]
    )
    entries(url, "zj_standard", "330602", june(100))
    r = row(url, "2022-06", "zj_standard_cumulative", "330000")
    # stock 2 900; c = 2900/3000; needed 3000 − 2800 = 200, done 100 → 0.5 of it; s = 0.5 → r = 1
    assert r.actual == 2900
    assert r.completion == pytest.approx(2900 / 3000)
    assert r.pace == pytest.approx(1.0)
    assert r.status == "ahead"


# -- rates ---------------------------------------------------------------------------------------


def test_growth_met_missed_and_deteriorating(url: str) -> None:
    # 规上工业亩均税收增长 8 %: tax / land by county, June 2021 and June 2022
    for county, current_tax in (("330602", 1100.0), ("330603", 1050.0), ("330604", 950.0)):
        record(url, "tax_per_mu", county, "2021-06", 10.0, 1000.0, 100.0)
        record(url, "tax_per_mu", county, "2022-06", current_tax / 100, current_tax, 100.0)
    m = monitor.Monitor(
        monitor.analyse(2022, ws=at(url), count_from="imported"), parse_period("2022-06")
    )
    got = {r.region: r for r in m.rows(level="county", region="330600", target="tax_per_mu_growth")}
    # 越城: 11/10 − 1 = +10 %; R = 10/8 = 1.25 → achieved pace
    assert got["330602"].actual == pytest.approx(10.0)
    assert got["330602"].progress_ratio == pytest.approx(1.25)
    assert got["330602"].status == "achieved_pace"
    # 柯桥: +5 %; R = 5/8 = 0.625 → acceleration needed
    assert got["330603"].progress_ratio == pytest.approx(0.625)
    assert got["330603"].status == "needs_acceleration"
    # 上虞: −5 %; R = −0.625 → deterioration
    assert got["330604"].progress_ratio == pytest.approx(-0.625)
    assert got["330604"].status == "deteriorating" and got["330604"].colour == "red"
    # 绍兴市 (only these three counties reported): (1100+1050+950)/300 ÷ (3000/300) − 1
    city = row(url, "2022-06", "tax_per_mu_growth", "330600")
    assert city.actual == pytest.approx((3100 / 300) / (3000 / 300) * 100 - 100)
    assert city.reporting_rate == pytest.approx(3 / 6)  # 绍兴 has six counties


def test_decline_target_is_met_by_a_decline(url: str) -> None:
    # 单位增加值能耗下降 3.4 %: 500 tce / 1000 万元 → 480 / 1000: −4 %; T = −3.4; R = 1.176
    record(url, "energy_intensity", "330602", "2021-06", 0.5, 500.0, 1000.0)
    record(url, "energy_intensity", "330602", "2022-06", 0.48, 480.0, 1000.0)
    r = row(url, "2022-06", "energy_intensity_decline", "330602")
    assert r.actual == pytest.approx(-4.0)
    assert r.progress_ratio == pytest.approx(4.0 / 3.4)
    assert r.status == "achieved_pace"
    # a rise instead: 520 / 1000 → +4 %; R = 4 / −3.4 < 0 → deterioration
    record(url, "energy_intensity", "330603", "2021-06", 0.5, 500.0, 1000.0)
    record(url, "energy_intensity", "330603", "2022-06", 0.52, 520.0, 1000.0)
    assert row(url, "2022-06", "energy_intensity_decline", "330603").status == "deteriorating"


def test_ratio_is_aggregated_from_parts_not_averaged(url: str) -> None:
    # R&D intensity: 越城 1 / 100 = 1 %, 柯桥 10 / 200 = 5 %; 绍兴 = 11 / 300 = 3.667 %, not 3 %
    record(url, "rd_intensity", "330602", "2022-06", 1.0, 1.0, 100.0)
    record(url, "rd_intensity", "330603", "2022-06", 5.0, 10.0, 200.0)
    r = row(url, "2022-06", "rd_intensity_level", "330600")
    assert r.actual == pytest.approx(11 / 300 * 100)
    assert r.actual != pytest.approx((1.0 + 5.0) / 2)


def test_level_target_progress_from_last_year_end(url: str) -> None:
    # 研发费用占营业收入比重达到 3.1 %: December 2021 2.9 % (29/1000), June 2022 3.0 % (30/1000)
    record(url, "rd_intensity", "330602", "2021-12", 2.9, 29.0, 1000.0)
    record(url, "rd_intensity", "330602", "2022-06", 3.0, 30.0, 1000.0)
    r = row(url, "2022-06", "rd_intensity_level", "330602")
    # R = (3.0 − 2.9) / (3.1 − 2.9) = 0.5 → limited progress (0 ≤ R < 0.6)
    assert r.progress_ratio == pytest.approx(0.5)
    assert r.status == "limited_progress"
    # the province has the same R, from 1 of its 90 counties: 1/90 < 0.9 → no colour
    province = row(url, "2022-06", "rd_intensity_level", "330000")
    assert province.progress_ratio == pytest.approx(0.5)
    assert province.status == "insufficient_coverage" and province.coverage_zh == "1/90 地区已报送"


def test_share_about_band(url: str) -> None:
    # 传统制造业比重 60 % 左右, ± 2 points: 59 within, 63 above, 57 near (≥ 56), 55 below
    for county, share in (("330602", 59.0), ("330603", 63.0), ("330604", 57.0), ("330624", 55.0)):
        record(url, "trad_share", county, "2022-06", share, share, 100.0)
    m = monitor.Monitor(
        monitor.analyse(2022, ws=at(url), count_from="imported"), parse_period("2022-06")
    )
    got = {r.region: r.status for r in m.rows(level="county", region="330600", target="trad_share")}
    assert got["330602"] == "within_band"
    assert got["330603"] == "above_band"
    assert got["330604"] == "near_band"
    assert got["330624"] == "below_band"
    assert got["330681"] == "no_data"  # 诸暨 did not report


def test_relative_target(url: str) -> None:
    # 制造业中长期贷款增速高于各项贷款增速: 100 → 130 (+30 %) against 1000 → 1140 (+14 %)
    for period, mfg, total in (("2021-06", 100.0, 1000.0), ("2022-06", 130.0, 1140.0)):
        record(url, "mfg_mid_long_loan", "330000", period, mfg)
        record(url, "total_loan", "330000", period, total)
    r = row(url, "2022-06", "mfg_loan_growth_above_total", "330000")
    assert r.actual == pytest.approx(30.0) and r.status == "met"
    # only the province reports loans: no city rows
    m = monitor.Monitor(
        monitor.analyse(2022, ws=at(url), count_from="imported"), parse_period("2022-06")
    )
    assert [x.region for x in m.rows(level="city", target="mfg_loan_growth_above_total")] == [
        "330000"
    ]
    record(url, "mfg_mid_long_loan", "330000", "2022-06", 110.0)  # a revision: +10 % < +14 %
    assert row(url, "2022-06", "mfg_loan_growth_above_total", "330000").status == "not_met"


def test_milestone_follows_the_latest_report(url: str) -> None:
    with store.session(url) as s:
        pk = s.scalar(select(t.Target.id).where(t.Target.target_id == "supply_chain_risk"))
        s.add(
            t.MilestoneReport(
                target_pk=pk,
                region_code="330000",
                period="2022-03",
                status="delayed",
                narrative="风险清单尚在梳理",
                reported_by="省经信厅",
                unit="省经信厅",
                review_status="accepted",  # only accepted reports count
            )
        )
        s.add(
            t.MilestoneReport(
                target_pk=pk,
                region_code="330000",
                period="2022-05",
                status="in_progress",
                narrative="已迭代断链断供风险清单",
                reported_by="省经信厅",
                unit="省经信厅",
                review_status="accepted",  # only accepted reports count
            )
        )
    assert row(url, "2022-02", "supply_chain_risk", "330000").status == "no_report"
    assert row(url, "2022-04", "supply_chain_risk", "330000").status == "delayed"
    june_row = row(url, "2022-06", "supply_chain_risk", "330000")
    assert june_row.status == "in_progress" and "已迭代" in june_row.rule


# -- missing reports -----------------------------------------------------------------------------


def test_a_missing_month_is_missing_not_zero(url: str) -> None:
    # 湖州 has five counties; four report robots for June, 长兴 (330522) does not
    for county, value in (("330502", 10), ("330503", 20), ("330521", 30), ("330523", 40)):
        record(url, "robots", county, "2022-06", value)
    m = monitor.Monitor(
        monitor.analyse(2022, ws=at(url), count_from="imported"), parse_period("2022-06")
    )
    city = next(r for r in m.rows(region="330500", target="robots_new"))
    assert city.actual == 100  # the sum of those who reported
    assert city.reporting_rate == pytest.approx(4 / 5)
    changxing = next(r for r in m.rows(region="330522", target="robots_new"))
    assert changxing.actual is None and changxing.status == "no_data"
    assert "缺报" in changxing.rule


# -- projection ----------------------------------------------------------------------------------


def test_on_schedule_but_projected_to_miss(url: str) -> None:
    # 2021 pattern (province): 6 of 10 未来工厂 by June → s_prev(6) = 0.6
    entries(
        url,
        "future_factory",
        "330602",
        [dt.date(2021, m, 1) for m in (1, 2, 3, 4, 5, 6, 9, 10, 11, 12)],
    )
    allocate(url, "future_factory_new", {"330600": 10})
    entries(url, "future_factory", "330603", june(5))
    r = row(url, "2022-06", "future_factory_new", "330600")
    # linear schedule: c = 0.5, s = 0.5, r = 1.0 → ahead; seasonal projection 5 / 0.6 = 8.33 < 10
    assert r.status == "ahead"
    assert r.projection == pytest.approx(5 / 0.6)
    assert r.projection_method == "seasonal"
    assert r.projected_status == "will_miss"
    assert r.flag == "on_schedule_projected_miss"


def test_behind_but_trend_says_it_will_be_met(url: str) -> None:
    # YTD growth of 亩均税收 in 越城: +2 %, +4 %, +6 % in April, May, June
    for month, growth in ((4, 2.0), (5, 4.0), (6, 6.0)):
        record(url, "tax_per_mu", "330602", f"2021-{month:02d}", 10.0, 1000.0, 100.0)
        tax = 1000.0 * (1 + growth / 100)
        record(url, "tax_per_mu", "330602", f"2022-{month:02d}", tax / 100, tax, 100.0)
    r = row(url, "2022-06", "tax_per_mu_growth", "330602")
    # R = 6 / 8 = 0.75 → acceleration needed; trend: mean month 5, mean 4 %, slope 2 per month
    # → December: 4 + 2 × (12 − 5) = 18 %; R = 18 / 8 ≥ 1 → will achieve
    assert r.status == "needs_acceleration"
    assert r.projection == pytest.approx(18.0)
    assert r.projected_status == "will_achieve"
    assert r.flag == "behind_projected_achieve"


def test_level_without_last_december_is_unknown_unless_reached(url: str) -> None:
    # no December 2021 value: 3.0 % < 3.1 % cannot be judged; 3.2 % is reached whatever the past
    record(url, "rd_intensity", "330602", "2022-06", 3.0, 30.0, 1000.0)
    record(url, "rd_intensity", "330603", "2022-06", 3.2, 32.0, 1000.0)
    assert row(url, "2022-06", "rd_intensity_level", "330602").status == "no_data"
    reached = row(url, "2022-06", "rd_intensity_level", "330603")
    assert reached.progress_ratio == 1.0 and reached.status == "achieved_pace"


def test_a_target_of_zero_is_met(url: str) -> None:
    allocate(url, "future_factory_new", {"330900": 0})  # 舟山: nothing to do this year
    r = row(url, "2022-06", "future_factory_new", "330900")
    assert r.target_value == 0 and r.status == "achieved"


def test_a_rules_file_changes_the_bands(url: str, tmp_path: Path) -> None:
    # shipped bands: r = 1.5 is ahead; a file with ahead at r ≥ 2 and slightly behind from 1.4
    # reads the same data as slightly behind
    allocate(url, "future_factory_new", {"330600": 4})
    entries(url, "future_factory", "330602", june(3))
    shipped = monitor.default_config().model_dump()
    shipped["pace_bands"] = {"ahead": 2.0, "slightly_behind": 1.4}
    rules_file = tmp_path / "rules.yaml"
    with rules_file.open("w", encoding="utf-8") as fh:
        YAML(typ="safe").dump(shipped, fh)
    strict = monitor.run("2022-06", ws=at(url), config=monitor.load_config(rules_file))
    (r,) = strict.rows(region="330600", target="future_factory_new")
    assert r.pace == pytest.approx(1.5) and r.status == "slightly_behind"
    assert "1.4 ≤ r < 2.0" in r.rule
