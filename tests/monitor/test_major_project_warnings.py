"""Major-project warnings (plan against actual, planned start passed) by hand-computed cases,
and the programme's major-project target read from the register on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import worlds
from zhuansheng import programme, store, users
from zhuansheng.collect.registers import import_register
from zhuansheng.monitor import analysis
from zhuansheng.monitor import major_projects as mp
from zhuansheng.monitor.sources import Loader
from zhuansheng.reference import PROVINCE_CODE
from zhuansheng.workspace import at

RULES = mp.WarningRules(lag_share=0.20, start_grace_days=0)
PLAN = {f"2022-{m:02d}": 1000.0 for m in range(1, 13)} | {"2021-12": 5000.0}


def test_the_shipped_setting_is_a_fifth_of_the_plan() -> None:
    assert mp.default_rules() == RULES


def test_lag_more_than_the_share_is_a_warning() -> None:
    # plan Jan–Jun 2022 = 6 × 1 000 = 6 000 (2021-12 is another year); actual 6 × 800 = 4 800:
    # lag = (6 000 − 4 800) ÷ 6 000 = 0.20, not more than 0.20 → no warning
    actual = {f"2022-{m:02d}": 800.0 for m in range(1, 7)}
    p = mp.progress("2022-06", plans=PLAN, actuals=actual, planned_start_on=None,
                    started_on=dt.date(2022, 1, 5), rules=RULES)  # fmt: skip
    assert (p.planned_ytd_wan, p.actual_ytd_wan) == (6000.0, 4800.0)
    assert abs(p.lag_share - 0.20) < 1e-12 and p.warnings == ()
    # June 700 instead of 800: actual 4 700, lag = 1 300 ÷ 6 000 = 0.2167 > 0.20 → warning
    actual["2022-06"] = 700.0
    p = mp.progress("2022-06", plans=PLAN, actuals=actual, planned_start_on=None,
                    started_on=dt.date(2022, 1, 5), rules=RULES)  # fmt: skip
    assert abs(p.lag_share - 1300 / 6000) < 1e-12 and p.warnings == ("investment_lag",)
    # investment July (after the month looked at) does not count
    actual["2022-07"] = 99_999.0
    assert mp.progress("2022-06", plans=PLAN, actuals=actual, planned_start_on=None,
                       started_on=None, rules=RULES).actual_ytd_wan == 4700.0  # fmt: skip


def test_nothing_planned_yet_is_no_lag() -> None:
    p = mp.progress("2022-03", plans={"2022-09": 500.0}, actuals={}, planned_start_on=None,
                    started_on=None, rules=RULES)  # fmt: skip
    assert (p.planned_ytd_wan, p.lag_share, p.warnings) == (0.0, None, ())


def test_a_planned_start_passed_without_a_start_is_a_warning() -> None:
    planned = dt.date(2022, 5, 10)

    def warnings(month: str, started: dt.date | None) -> tuple[str, ...]:
        return mp.progress(month, plans={}, actuals={}, planned_start_on=planned,
                           started_on=started, rules=RULES).warnings  # fmt: skip

    assert warnings("2022-04", None) == ()  # 10 May lies after 30 April
    assert warnings("2022-05", None) == ("start_overdue",)  # 10 May < 31 May, not started
    late = dt.date(2022, 6, 2)
    assert warnings("2022-05", late) == ("start_overdue",)  # not started by 31 May
    assert warnings("2022-06", late) == ()
    # a planned start on the month's last day has not passed yet at that month
    end_of_may = mp.progress("2022-05", plans={}, actuals={}, planned_start_on=dt.date(2022, 5, 31),
                             started_on=None, rules=RULES)  # fmt: skip
    assert end_of_may.warnings == ()
    # with 30 days' grace, 10 May has passed 31 May by only 21 days
    grace = mp.WarningRules(lag_share=0.2, start_grace_days=30)
    assert mp.progress("2022-05", plans={}, actuals={}, planned_start_on=planned,
                       started_on=None, rules=grace).warnings == ()  # fmt: skip


def test_plan_and_actual_by_month_add_up() -> None:
    rows = mp.by_month(2022, {"2022-01": 100.0, "2022-03": 50.5}, {"2022-01": 80.0})
    assert [r["planned_ytd_wan"] for r in rows[:4]] == [100.0, 100.0, 150.5, 150.5]
    assert rows[0]["actual_wan"] == 80.0 and rows[11]["actual_ytd_wan"] == 80.0


def test_the_major_project_target_counts_the_register(store_url: str, tmp_path: Path) -> None:
    worlds.seed_2022(store_url)
    with store.session(store_url) as s:
        users.add_user(s, "prov", "province_admin")
    f = tmp_path / "重大项目.csv"
    f.write_text(
        "project_kind,code,name,uscc,region_code,status,started_on,completed_on,"
        "planned_investment_wan,official_in_charge,official_post,planned_start_on,"
        "planned_completion_on\n"
        # exactly 10 亿元, started March 2022: counts as 10亿元以上 from March
        "major_project,A,甲,,330102,started,2022-03-15,,100000,张,局长,2022-03-01,2024-01-01\n"
        # 9.99 亿元, started February: 1亿元以上 only
        "major_project,B,乙,,330603,started,2022-02-01,,99900,李,局长,2022-02-01,2024-01-01\n"
        # 20 亿元 started in 2021: not a new start of 2022
        "major_project,C,丙,,330603,started,2021-11-01,,200000,王,局长,2021-11-01,2024-01-01\n"
        # 30 亿元, not started
        "major_project,D,丁,,330602,planned,,,300000,赵,局长,2022-06-01,2024-01-01\n",
        encoding="utf-8",
    )
    import_register("projects", f, user="prov", ws=at(store_url))
    result = analysis.analyse(2022, ws=at(store_url))
    row = result.units.index(PROVINCE_CODE)
    target = next(r for r in result.results if r.target.id == "major_projects")
    # Feb: none of 10亿以上 yet; March onwards: project A only
    assert target.actual[row, :4].tolist() == [0.0, 0.0, 1.0, 1.0]
    shaoxing = result.units.index("330600")
    assert target.actual[shaoxing, 11] == 0.0  # B is below 10 亿元, C started in 2021
    # 1亿元以上 counts both classes: B from February, A from March (C is of 2021, D not started)
    ind = programme.indicators()["major_projects_over_100m"]
    with store.session(store_url) as s:
        series = Loader(s, 2022, result.units.counties).series([ind])[ind.id]
    by_month = series.value.sum(axis=0)[12:16].tolist()
    assert by_month == [0.0, 1.0, 2.0, 2.0]
    assert series.stock.sum(axis=0).tolist() == [0.0, 1.0]  # C: started before 2022
