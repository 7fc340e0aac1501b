"""The major-project list over real HTTP on SQLite and PostgreSQL: filters by size class,
region, status and warning, the scope of city and county users, the xlsx export and the page
per project — on a small register whose every number is computed by hand below."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import httpx
import openpyxl
import pytest
from web_helpers import NODE_MODULES, PASSWORD, csrf_of, serving_app

import worlds
from zhuansheng import store, users
from zhuansheng.collect.registers import import_register
from zhuansheng.web import WebSettings, create_app
from zhuansheng.workspace import at

PROJECTS = (
    "project_kind,code,name,uscc,region_code,status,started_on,completed_on,"
    "planned_investment_wan,official_in_charge,official_post,planned_start_on,"
    "planned_completion_on\n"
    "major_project,ZD-A,上城新材料项目,,330102,started,2022-01-10,,100000,张三,上城区经信局局长,"
    "2022-01-01,2024-12-31\n"
    "major_project,ZD-B,西湖装备项目,,330106,planned,,,50000,李四,西湖区发改局局长,"
    "2022-04-01,2024-12-31\n"
    "major_project,ZD-C,柯桥印染项目,,330603,started,2022-02-01,,20000,王五,柯桥区经信局局长,"
    "2022-02-01,2023-12-31\n"
    "major_project,ZD-D,柯桥化纤项目,,330603,planned,,,150000,赵六,柯桥区商务局局长,"
    "2022-09-01,2025-06-30\n"
)
# A: plan Jan–Jun 6 × 1 000 = 6 000, actual 6 × 700 = 4 200 → lag 1 800 ÷ 6 000 = 30 % > 20 %
# B: planned start 1 April, not started by 30 June; its plan begins in July → start warning only
# C: plan Feb–Jun 5 × 400 = 2 000, actual 5 × 380 = 1 900 → lag 5 % → no warning
# D: planned start 1 September → nothing due by June
PLANS = "code,month,planned_wan\n" + "".join(
    [f"ZD-A,2022-{m:02d},1000\n" for m in range(1, 7)]
    + [f"ZD-B,2022-{m:02d},2500\n" for m in range(7, 13)]
    + [f"ZD-C,2022-{m:02d},400\n" for m in range(2, 7)]
)
ACTUALS = "code,month,invested_wan\n" + "".join(
    [f"ZD-A,2022-{m:02d},700\n" for m in range(1, 7)]
    + [f"ZD-C,2022-{m:02d},380\n" for m in range(2, 7)]
)


@pytest.fixture
def site(store_url: str, tmp_path: Path) -> Iterator[str]:
    worlds.seed_2022(store_url)
    with store.session(store_url) as s:
        for name, role, region in (
            ("prov", "province_admin", None),
            ("hz", "city", "330100"),
            ("sc", "county", "330102"),
        ):
            users.add_user(s, name, role, region)
            users.set_password(s, name, PASSWORD)
    for kind, name, text in (
        ("projects", "p.csv", PROJECTS),
        ("plans", "plan.csv", PLANS),
        ("investments", "inv.csv", ACTUALS),
    ):
        (tmp_path / name).write_text(text, encoding="utf-8")
        import_register(kind, tmp_path / name, user="prov", ws=at(store_url))
    settings = WebSettings(database_url=store_url, secret="test", node_modules=NODE_MODULES)
    with serving_app(create_app(settings)) as base:
        yield base


def signed_in(base: str, username: str) -> httpx.Client:
    c = httpx.Client(base_url=base, timeout=60)
    page = c.get("/login")
    r = c.post(
        "/login",
        data={"username": username, "password": PASSWORD, "csrf_token": csrf_of(page.text)},
    )
    assert r.status_code in (200, 303), r.text
    return c


def codes(c: httpx.Client, query: str = "") -> list[str]:
    r = c.get(f"/major-projects?month=2022-06&{query}")
    assert r.status_code == 200, r.text
    return sorted(code for code in ("ZD-A", "ZD-B", "ZD-C", "ZD-D") if f">{code}</a>" in r.text)


def test_filters_scope_export_and_project_page(site: str) -> None:
    prov = signed_in(site, "prov")
    assert codes(prov) == ["ZD-A", "ZD-B", "ZD-C", "ZD-D"]
    assert codes(prov, "size_class=over_1bn") == ["ZD-A", "ZD-D"]
    assert codes(prov, "size_class=over_100m") == ["ZD-B", "ZD-C"]
    assert codes(prov, "region=330600") == ["ZD-C", "ZD-D"]
    assert codes(prov, "status=planned") == ["ZD-B", "ZD-D"]
    assert codes(prov, "warning=any") == ["ZD-A", "ZD-B"]
    assert codes(prov, "warning=investment_lag") == ["ZD-A"]
    assert codes(prov, "warning=start_overdue") == ["ZD-B"]
    assert codes(prov, "warning=none") == ["ZD-C", "ZD-D"]
    assert codes(prov, "warning=start_overdue&size_class=over_1bn") == []
    page = prov.get("/major-projects?month=2022-06").text
    # plan to June 6 000 (A) + 0 (B) + 2 000 (C) + 0 (D) = 8 000; actual 4 200 + 1 900 = 6 100
    assert "年度计划累计 8,000 万元，实际完成 6,100 万元" in page
    assert "投资进度滞后 1 个，逾期未开工 1 个" in page
    # in March A is 3 000 planned against 2 100 (30 % behind), B not yet due to start
    march = prov.get("/major-projects?month=2022-03&warning=any").text
    assert ">ZD-A</a>" in march and ">ZD-B</a>" not in march
    assert prov.get("/major-projects?size_class=huge").status_code == 400

    # city and county users see their own area only
    hz, sc = signed_in(site, "hz"), signed_in(site, "sc")
    assert codes(hz) == ["ZD-A", "ZD-B"]
    assert codes(hz, "region=330600") == []
    assert codes(sc) == ["ZD-A"]
    assert hz.get("/major-projects/ZD-C").status_code == 403
    assert hz.get("/major-projects/ZD-A").status_code == 200

    # the export holds the filtered rows with the page's headers and labels
    r = prov.get("/major-projects/export.xlsx?month=2022-06&warning=any")
    assert r.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(r.content), read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    header = list(rows[0])
    got = {
        row[header.index("项目代码")]: (
            row[header.index("规模档次")],
            row[header.index("联系领导（一局长一项目）")],
            row[header.index("滞后于计划（%）")],
            row[header.index("预警")],
        )
        for row in rows[1:]
    }
    assert got == {
        "ZD-A": ("10亿元以上", "张三", 30.0, "投资进度滞后于计划"),
        "ZD-B": ("1亿元以上（不足10亿元）", "李四", None, "逾期未开工"),
    }
    hz_rows = list(
        openpyxl.load_workbook(
            io.BytesIO(hz.get("/major-projects/export.xlsx?month=2022-06").content),
            read_only=True,
        ).active.iter_rows(values_only=True)
    )
    assert sorted(r[0] for r in hz_rows[1:]) == ["ZD-A", "ZD-B"]

    # the project's page: plan against actual by month, year to date
    detail = prov.get("/major-projects/ZD-A?month=2022-06").text
    assert "<td>2022-06</td><td>1,000</td><td>700</td><td>6,000</td><td>4,200</td>" in detail
    assert "<td>2022-07</td><td>0</td><td></td><td>6,000</td><td></td>" in detail
    assert "张三" in detail and "上城区经信局局长" in detail
    assert prov.get("/major-projects/ZD-X").status_code == 404

    # the API answers as the list does, within the caller's scope
    api = hz.get("/api/v1/major-projects?month=2022-06&warning=any").json()
    assert api["month"] == "2022-06" and api["total"] == 2
    assert {i["code"]: i["warnings"] for i in api["items"]} == {
        "ZD-A": ["investment_lag"],
        "ZD-B": ["start_overdue"],
    }
    assert prov.get("/api/v1/major-projects?warning=late").status_code == 400
