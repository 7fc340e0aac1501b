"""Allocations (分解下达) from a filled template or a CSV: checked whole, every changed value a
revision, monitoring using them at once — on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import func, insert, select

import worlds
from zhuansheng import monitor, programme, store, users
from zhuansheng.errors import Forbidden, InputRejected
from zhuansheng.periods import parse_period
from zhuansheng.services import allocations
from zhuansheng.services.context import Caller
from zhuansheng.services.monitoring import MonitorCache
from zhuansheng.store import tables as t
from zhuansheng.workspace import at

CITIES = [
    "330100", "330200", "330300", "330400", "330500", "330600",
    "330700", "330800", "330900", "331000", "331100",
]  # fmt: skip
HEADER = "year,target,region,value"


@pytest.fixture
def url(store_url: str) -> Iterator[str]:
    worlds.seed_2022(store_url)
    with store.session(store_url) as s:
        users.add_user(s, "prov", "province_admin")
        users.add_user(s, "hz", "city", "330100")  # 杭州市
        users.add_user(s, "sc", "county", "330102")  # 上城区 (杭州市)
    yield store_url


def caller(url: str, name: str) -> Caller:
    with store.session(url) as s:
        return Caller(at(url), users.actor(s, name))


def csv_file(path: Path, *lines: str) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def count(url: str, table: type[t.Base]) -> int:
    with store.session(url) as s:
        return s.scalar(select(func.count()).select_from(table)) or 0


def current(url: str, target: str) -> dict[str, float]:
    rows = allocations.listing(caller(url, "prov"), 2022, target)
    return {r["region"]: r["value"] for r in rows}


def fill(template: Path, out: Path, values: dict[tuple[str, str], object], **comments: str) -> Path:
    """The template with 分解值 (column M) and 说明 (column N) filled for (target, region)."""
    book = openpyxl.load_workbook(template)
    sheet = book["分解下达"]
    for row in sheet.iter_rows(min_row=4):
        key = (row[1].value, row[9].value)
        if key in values:
            row[12].value = values[key]
        if row[9].value in comments and row[1].value == key[0]:
            row[13].value = comments[row[9].value]
    book.save(out)
    return out


# 未来工厂 15 家以上: a split of the cities that adds up to exactly 15
FUTURE = dict(zip(CITIES, [4, 2, 2, 1, 1, 2, 1, 1, 0, 1, 0], strict=True))


def test_template_import_revisions_and_history(url: str, tmp_path: Path) -> None:
    prov = caller(url, "prov")
    blank = allocations.write_template(
        prov, 2022, tmp_path / "city.xlsx", target="future_factory_new", level="city"
    )
    sheet = openpyxl.load_workbook(blank)["分解下达"]
    rows = list(sheet.iter_rows(min_row=4, values_only=True))
    assert len(rows) == 11  # one row per city of this one target
    assert {r[9] for r in rows} == set(CITIES)
    assert all(r[6] == 15 and r[8] == 15 and r[11] == "设区市" for r in rows)

    filled = fill(
        blank, tmp_path / "filled.xlsx", {("future_factory_new", c): v for c, v in FUTURE.items()}
    )
    result = allocations.import_file(prov, filled)
    assert (result.rows, result.written, result.unchanged) == (11, 11, 0)
    assert result.warnings == []
    assert current(url, "future_factory_new") == {c: float(v) for c, v in FUTURE.items()}

    # the same file again changes nothing
    again = allocations.import_file(prov, filled)
    assert (again.written, again.unchanged, again.batch_id) == (0, 11, None)
    assert count(url, t.AllocationRevision) == 11

    # a new template shows the current values; changing one cell writes one revision
    second = allocations.write_template(
        prov, 2022, tmp_path / "second.xlsx", target="future_factory_new"
    )
    prefilled = list(
        openpyxl.load_workbook(second)["分解下达"].iter_rows(min_row=4, values_only=True)
    )
    assert {r[9]: r[12] for r in prefilled} == FUTURE
    changed = fill(second, tmp_path / "changed.xlsx", {("future_factory_new", "330900"): 1})
    result = allocations.import_file(prov, changed)
    assert (result.written, result.unchanged) == (1, 10)
    history = allocations.history(prov, 2022, "future_factory_new", "330900")
    assert [(h["revision"], h["value"]) for h in history] == [(2, 1.0), (1, 0.0)]
    row = 4 + CITIES.index("330900")  # header on row 3, cities in code order
    sha = hashlib.sha256(changed.read_bytes()).hexdigest()
    assert history[0]["source_cell"] == f"M{row}"
    assert (history[0]["source_name"], history[0]["source_sha256"]) == ("changed.xlsx", sha)
    assert history[0]["recorded_by"] == "prov" and history[0]["source_kind"] == "file"


def test_csv_import_by_a_city_for_its_counties(url: str, tmp_path: Path) -> None:
    hz = caller(url, "hz")
    f = csv_file(
        tmp_path / "hz.csv", HEADER, "2022,robots_new,330102,120", "2022,robots_new,330105,80"
    )
    result = allocations.import_file(hz, f)
    assert (result.written, result.unchanged) == (2, 0)
    assert current(url, "robots_new") == {"330102": 120.0, "330105": 80.0}
    # the city sees its own counties in the list, the county only itself
    assert {r["region"] for r in allocations.listing(hz, 2022)} == {"330102", "330105"}
    assert {r["region"] for r in allocations.listing(caller(url, "sc"), 2022)} == {"330102"}


def test_every_problem_is_located_and_nothing_is_written(url: str, tmp_path: Path) -> None:
    f = csv_file(
        tmp_path / "bad.csv",
        HEADER,
        "2022,future_factory_new,330100,4",  # row 2: fine
        "2022,no_such_target,330100,4",  # row 3: unknown target
        "2022,future_factory_new,339999,4",  # row 4: unknown region
        "2022,future_factory_new,330000,15",  # row 5: the province is no allocation
        "2022,future_factory_new,330200,-2",  # row 6: negative
        "2022,future_factory_new,330300,四",  # row 7: not a number
        "2022,future_factory_new,330100,5",  # row 8: duplicate of row 2
        "2031,future_factory_new,330400,1",  # row 9: no programme for 2031
        "2022,manager_training_note,330400,1",  # row 10: unknown target again
        "2022x,future_factory_new,330500,1",  # row 11: not a year
        ",future_factory_new,330600,1",  # row 12: no year
        "99999999999999999999,future_factory_new,330700,1",  # row 13: no year a store can hold
    )
    with pytest.raises(InputRejected) as err:
        allocations.import_file(caller(url, "prov"), f)
    got = {(p.row, p.column) for p in err.value.problems}
    assert got == {
        (3, "target"),
        (4, "region"),
        (5, "region"),
        (6, "value"),
        (7, "value"),
        (8, "region"),
        (9, "year"),
        (10, "target"),
        (11, "year"),
        (12, "year"),
        (13, "year"),
    }
    text = {p.row: p.message for p in err.value.problems}
    assert "no_such_target" in text[3] and "339999" in text[4] and "全省" in text[5]
    assert "负数" in text[6] and "不是数值" in text[7] and "第 2 行重复" in text[8]
    assert all(p.level == "error" for p in err.value.problems)
    assert count(url, t.Allocation) == 0 and count(url, t.AllocationRevision) == 0


def test_a_target_without_a_number_is_not_allocated(url: str, tmp_path: Path) -> None:
    milestone = next(r.id for r in programme.load(2022).targets() if r.kind == "milestone")
    f = csv_file(tmp_path / "m.csv", HEADER, f"2022,{milestone},330100,1")
    with pytest.raises(InputRejected) as err:
        allocations.import_file(caller(url, "prov"), f)
    (p,) = err.value.problems
    assert (p.row, p.column) == (2, "target") and "没有可分解的数值" in p.message


def test_csv_columns_are_exactly_the_four(url: str, tmp_path: Path) -> None:
    f = csv_file(tmp_path / "cols.csv", "year,target,region,amount", "2022,robots_new,330100,1")
    with pytest.raises(InputRejected) as err:
        allocations.import_file(caller(url, "prov"), f)
    (p,) = err.value.problems
    assert p.row == 1 and "缺少列 value" in p.message and "多出列 amount" in p.message
    # a column twice, or a row wider than the header, is refused rather than read one way
    twice = csv_file(tmp_path / "twice.csv", f"{HEADER},value", "2022,robots_new,330100,1,2")
    with pytest.raises(InputRejected) as err:
        allocations.import_file(caller(url, "prov"), twice)
    assert "列 value 重复" in err.value.problems[0].message
    wide = csv_file(
        tmp_path / "wide.csv", HEADER, "2022,robots_new,330100,1", "2022,robots_new,330200,1,500"
    )
    with pytest.raises(InputRejected) as err:
        allocations.import_file(caller(url, "prov"), wide)
    (p,) = err.value.problems
    assert p.row == 3 and "多出 1 列" in p.message
    assert count(url, t.Allocation) == 0


def test_a_county_code_on_a_city_row_is_the_wrong_level(url: str, tmp_path: Path) -> None:
    prov = caller(url, "prov")
    blank = allocations.write_template(prov, 2022, tmp_path / "c.xlsx", target="robots_new")
    book = openpyxl.load_workbook(blank)
    sheet = book["分解下达"]
    sheet["J4"].value = "330102"  # 上城区 on the first city row
    sheet["M4"].value = 10
    book.save(tmp_path / "wrong.xlsx")
    with pytest.raises(InputRejected) as err:
        allocations.import_file(prov, tmp_path / "wrong.xlsx")
    (p,) = err.value.problems
    assert (p.sheet, p.row, p.column) == ("分解下达", 4, "地区代码")
    assert "层级不符" in p.message and "J4" in p.where


def test_dry_run_writes_nothing(url: str, tmp_path: Path) -> None:
    f = csv_file(tmp_path / "d.csv", HEADER, "2022,robots_new,330100,500")
    result = allocations.import_file(caller(url, "prov"), f, dry_run=True)
    assert (result.dry_run, result.written, result.batch_id) == (True, 1, None)
    assert count(url, t.Allocation) == 0 and count(url, t.AllocationRevision) == 0
    assert count(url, t.ImportBatch) == 0


def test_a_sum_below_the_province_needs_a_comment(url: str, tmp_path: Path) -> None:
    prov = caller(url, "prov")
    short = dict(FUTURE, **{"330100": 1})  # 15 − 4 + 1 = 12 < 15
    lines = [f"2022,future_factory_new,{c},{v}" for c, v in short.items()]
    f = csv_file(tmp_path / "short.csv", HEADER, *lines)
    with pytest.raises(InputRejected) as err:
        allocations.import_file(prov, f)
    (p,) = err.value.problems
    assert p.level == "warning" and "future_factory_new" in p.message
    assert "合计 12" in p.message and "目标 15" in p.message
    assert count(url, t.Allocation) == 0

    explained = csv_file(
        tmp_path / "explained.csv",
        HEADER + ",comment",
        *(f"{line}," for line in lines[:-1]),
        f"{lines[-1]},其余 3 家由省级统筹",
    )
    result = allocations.import_file(prov, explained)
    assert result.written == 11 and len(result.warnings) == 1
    history = allocations.history(prov, 2022, "future_factory_new", CITIES[-1])
    assert history[0]["comment"] == "其余 3 家由省级统筹"


def test_a_sum_above_is_fine_and_rates_are_not_added_up(url: str, tmp_path: Path) -> None:
    above = [f"2022,future_factory_new,{c},3" for c in CITIES]  # 33 ≥ 15
    # 研发费用支出增长 10 %: each city's own rate, 11 × 8 = 88 is no sum of anything
    rates = [f"2022,trad_rd_expense_growth,{c},8" for c in CITIES]
    f = csv_file(tmp_path / "ok.csv", HEADER, *above, *rates)
    result = allocations.import_file(caller(url, "prov"), f)
    assert result.written == 22 and result.warnings == []


def test_counties_are_added_up_against_their_city(url: str, tmp_path: Path) -> None:
    prov = caller(url, "prov")
    allocations.import_file(
        prov, csv_file(tmp_path / "c.csv", HEADER, "2022,robots_new,330600,600")
    )
    # 绍兴市: 越城区, 柯桥区, 上虞区, 新昌县, 诸暨市, 嵊州市 — 6 × 90 = 540 < 600
    counties = ["330602", "330603", "330604", "330624", "330681", "330683"]
    f = csv_file(tmp_path / "sx.csv", HEADER, *(f"2022,robots_new,{c},90" for c in counties))
    with pytest.raises(InputRejected) as err:
        allocations.import_file(prov, f)
    (p,) = err.value.problems
    assert "绍兴市" in p.message and "合计 540" in p.message and "目标 600" in p.message
    f = csv_file(tmp_path / "sx2.csv", HEADER, *(f"2022,robots_new,{c},100" for c in counties))
    assert allocations.import_file(prov, f).warnings == []  # 600 = 600


def test_scope_county_refused_city_limited_to_its_counties(url: str, tmp_path: Path) -> None:
    f = csv_file(tmp_path / "s.csv", HEADER, "2022,robots_new,330102,10")
    with pytest.raises(Forbidden):
        allocations.import_file(caller(url, "sc"), f)
    with pytest.raises(Forbidden):
        allocations.write_template(caller(url, "sc"), 2022, tmp_path / "t.xlsx", level="county")
    g = csv_file(
        tmp_path / "g.csv",
        HEADER,
        "2022,robots_new,330100,10",  # its own city: set by the province
        "2022,robots_new,330603,10",  # 柯桥区, in 绍兴
    )
    with pytest.raises(InputRejected) as err:
        allocations.import_file(caller(url, "hz"), g)
    assert {(p.row, p.column) for p in err.value.problems} == {(2, "region"), (3, "region")}
    assert all("超出用户 hz 的分解范围" in p.message for p in err.value.problems)
    # the city's county template lists its own counties only
    path = allocations.write_template(
        caller(url, "hz"), 2022, tmp_path / "hz.xlsx", target="robots_new", level="county"
    )
    codes = {
        r[9]
        for r in openpyxl.load_workbook(path)["分解下达"].iter_rows(min_row=4, values_only=True)
    }
    assert codes and all(c.startswith("3301") for c in codes)


def test_monitoring_uses_an_import_at_once(url: str, tmp_path: Path) -> None:
    prov = caller(url, "prov")
    cache = MonitorCache(at(url), recheck_s=0.0)
    before = cache.version()
    f = csv_file(
        tmp_path / "ff.csv",
        HEADER,
        *(f"2022,future_factory_new,{c},{v}" for c, v in FUTURE.items()),
    )
    allocations.import_file(prov, f)
    with store.session(url) as s:
        s.execute(
            insert(t.RegistryEntry.__table__),
            [
                {
                    "registry_kind": "future_factory",
                    "name": f"绍兴未来工厂{i}",
                    "uscc": None,
                    "region_code": "330602",  # 越城区, in 绍兴
                    "recognised_on": dt.date(2022, 1 + i, 15),
                    "batch": "",
                    "source": "test",
                    "synthetic": False,
                }
                for i in range(3)
            ],
        )
    m = cache.get("2022-06")
    (sx,) = m.rows(region="330600", target="future_factory_new")
    assert (sx.target_source, sx.target_value) == ("allocation", 2.0)
    # 绍兴 allocated 2, 3 by June: c = 3/2 = 1.5 ≥ 1 → the year's number is already reached
    assert sx.completion == pytest.approx(1.5)
    assert sx.status == "achieved"
    # changing an allocation that exists keeps its row (and id) but changes the data version
    version = cache.version()
    assert version != before
    allocations.import_file(
        prov,
        csv_file(
            tmp_path / "ff2.csv", HEADER + ",comment", "2022,future_factory_new,330600,6,加码"
        ),
    )
    assert cache.version() != version
    (sx,) = cache.get("2022-06").rows(region="330600", target="future_factory_new")
    # 绍兴 now 6: c = 3/6 = 0.5, s(6) = 0.5, r = 1.0 → on schedule
    assert sx.target_value == 6.0 and sx.pace == pytest.approx(1.0)
    analysis = monitor.Monitor(monitor.analyse(2022, ws=at(url)), parse_period("2022-06"))
    (fresh,) = analysis.rows(region="330600", target="future_factory_new")
    assert fresh.target_value == 6.0
