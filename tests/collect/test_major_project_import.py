"""The major-project register from files: size class, official in charge, planned dates and
yearly plans by month; every problem located by sheet, row and column, nothing half written."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import func, select

import worlds
from zhuansheng import programme, store, users
from zhuansheng.collect.registers import import_register
from zhuansheng.errors import InputRejected
from zhuansheng.store import tables as t
from zhuansheng.workspace import at

HEADER = (
    "project_kind,code,name,uscc,region_code,status,started_on,completed_on,"
    "planned_investment_wan,official_in_charge,official_post,planned_start_on,"
    "planned_completion_on\n"
)


@pytest.fixture
def url(store_url: str) -> Iterator[str]:
    worlds.seed_2022(store_url)
    with store.session(store_url) as s:
        users.add_user(s, "prov", "province_admin")
        users.add_user(s, "hz", "city", "330100")
    yield store_url


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_size_class_boundaries_are_inclusive() -> None:
    # 1 亿元 = 10 000 万元, 10 亿元 = 100 000 万元; 以上 includes the number itself
    assert programme.size_class(9_999.99) == "under_100m"
    assert programme.size_class(10_000) == "over_100m"
    assert programme.size_class(99_999.99) == "over_100m"
    assert programme.size_class(100_000) == "over_1bn"
    assert programme.size_class(None) == "under_100m"


def test_major_projects_with_plans_and_actuals(url: str, tmp_path: Path) -> None:
    projects = write(
        tmp_path / "重大项目.csv",
        HEADER + "major_project,ZD-1,某新材料项目,,330102,started,2022-02-10,,100000,"
        "张三,上城区经信局局长,2022-02-01,2024-06-30\n"
        "major_project,ZD-2,某装备项目,,330106,planned,,,10000,李四,西湖区发改局局长,"
        "2022-05-01,2023-12-31\n"
        "major_project,ZD-3,某小项目,,330106,planned,,,9999.99,王五,西湖区经信局副局长,"
        "2022-09-01,2023-12-31\n",
    )
    result = import_register("projects", projects, user="prov", ws=at(url))
    assert (result.rows, result.written) == (3, 3)
    plans = write(
        tmp_path / "计划.csv",
        "code,month,planned_wan\nZD-1,2022-02,1000\nZD-1,2022-03,1500\nZD-2,2022-05,800\n",
    )
    assert import_register("plans", plans, user="hz", ws=at(url)).written == 3
    money = write(tmp_path / "完成.csv", "code,month,invested_wan\nZD-1,2022-02,900\n")
    assert import_register("investments", money, user="prov", ws=at(url)).written == 1
    with store.session(url) as s:
        got = {
            p.code: (p.size_class, p.official_in_charge, p.official_post, str(p.planned_start_on))
            for p in s.scalars(select(t.Project))
        }
        plan_total = s.scalar(select(func.sum(t.ProjectPlan.planned_wan)))
        synthetic = set(s.scalars(select(t.Project.synthetic)))
    assert got == {
        "ZD-1": ("over_1bn", "张三", "上城区经信局局长", "2022-02-01"),
        "ZD-2": ("over_100m", "李四", "西湖区发改局局长", "2022-05-01"),
        "ZD-3": ("under_100m", "王五", "西湖区经信局副局长", "2022-09-01"),
    }
    assert plan_total == 1000 + 1500 + 800
    assert synthetic == {False}
    # the same plan file twice changes nothing; a changed month is updated and logged
    assert import_register("plans", plans, user="prov", ws=at(url)).written == 0
    changed = write(tmp_path / "计划2.csv", "code,month,planned_wan\nZD-1,2022-03,1200\n")
    assert import_register("plans", changed, user="prov", ws=at(url)).written == 1
    with store.session(url) as s:
        log = s.scalars(select(t.AuditLog).where(t.AuditLog.action == "plan.update")).one()
        assert (log.entity_id, log.detail["before"]) == ("ZD-1/2022-03", 1500.0)


def test_the_old_project_columns_still_import(url: str, tmp_path: Path) -> None:
    old = write(
        tmp_path / "p.csv",
        "project_kind,code,name,uscc,region_code,status,started_on,completed_on,"
        "planned_investment_wan\n"
        "digital_renovation,SZH-1,某技改项目,,330603,started,2022-03-01,,12000\n",
    )
    assert import_register("projects", old, user="prov", ws=at(url)).written == 1
    with store.session(url) as s:
        p = s.scalars(select(t.Project)).one()
    assert (p.size_class, p.official_in_charge) == ("over_100m", None)


def test_major_project_problems_name_sheet_row_and_column(url: str, tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    sheet = wb.active
    sheet.title = "重大项目"
    sheet.append(HEADER.strip().split(","))
    rows = [
        # row 2: no official, no post
        ["major_project", "ZD-1", "甲", None, "330102", "planned", None, None, 200000, None,
         None, "2022-03-01", "2023-03-01"],
        # row 3: a planned date that is no date, completion before start (row 4)
        ["major_project", "ZD-2", "乙", None, "330102", "planned", None, None, 50000, "赵",
         "局长", "三月", "2023-03-01"],
        ["major_project", "ZD-3", "丙", None, "330102", "planned", None, None, 50000, "钱",
         "局长", "2023-03-01", "2022-03-01"],
        # row 5: started without a start date, no total investment
        ["major_project", "ZD-4", "丁", None, "330102", "started", None, None, None, "孙",
         "局长", "2022-03-01", "2023-03-01"],
    ]  # fmt: skip
    for r in rows:
        sheet.append(r)
    path = tmp_path / "bad.xlsx"
    wb.save(path)
    with pytest.raises(InputRejected) as err:
        import_register("projects", path, user="prov", ws=at(url))
    where = {(p.sheet, p.row, p.column) for p in err.value.problems}
    assert where == {
        ("重大项目", 2, "official_in_charge"),
        ("重大项目", 2, "official_post"),
        ("重大项目", 3, "planned_start_on"),
        ("重大项目", 4, "planned_completion_on"),
        ("重大项目", 5, "started_on"),
        ("重大项目", 5, "planned_investment_wan"),
    }
    text = str(err.value)
    assert "一局长一项目" in text and "“三月”不是日期" in text
    assert "计划竣工日期早于计划开工日期" in text
    with store.session(url) as s:
        assert s.scalar(select(func.count()).select_from(t.Project)) == 0


def test_a_major_file_without_the_official_columns_is_refused(url: str, tmp_path: Path) -> None:
    f = write(
        tmp_path / "p.csv",
        "project_kind,code,name,uscc,region_code,status,started_on,completed_on,"
        "planned_investment_wan\n"
        "major_project,ZD-1,某项目,,330102,planned,,,200000\n",
    )
    with pytest.raises(InputRejected) as err:
        import_register("projects", f, user="prov", ws=at(url))
    (p,) = err.value.problems
    assert p.row == 1
    assert p.message == (
        "缺少列：official_in_charge、official_post、planned_start_on、planned_completion_on"
    )


def test_plan_rows_are_checked_and_scoped(url: str, tmp_path: Path) -> None:
    projects = write(
        tmp_path / "p.csv",
        HEADER + "major_project,ZD-9,某项目,,330603,planned,,,200000,周,柯桥区经信局局长,"
        "2022-03-01,2024-03-01\n",
    )
    import_register("projects", projects, user="prov", ws=at(url))
    plans = write(
        tmp_path / "plan.csv",
        "code,month,planned_wan\nZD-9,2022-13,100\nZD-0,2022-03,100\nZD-9,2022-04,-5\n",
    )
    with pytest.raises(InputRejected) as err:
        import_register("plans", plans, user="prov", ws=at(url))
    assert {(p.row, p.column) for p in err.value.problems} == {
        (2, "month"),
        (3, "code"),
        (4, "planned_wan"),
    }
    # 330603 (绍兴市柯桥区) is outside 杭州市's area
    ok = write(tmp_path / "ok.csv", "code,month,planned_wan\nZD-9,2022-03,100\n")
    with pytest.raises(InputRejected, match="超出用户 hz 的数据范围"):
        import_register("plans", ok, user="hz", ws=at(url))
    with store.session(url) as s:
        assert s.scalar(select(func.count()).select_from(t.ProjectPlan)) == 0
