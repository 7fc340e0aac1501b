"""Codes are shown as labels: list headers and values (pages and xlsx rows), 亩均 items,
screening rules and statuses, case statuses, and the ranking scheme's weights and aggregation."""

from __future__ import annotations

import html
import re

from sqlalchemy import select
from web_helpers import USERS, World, client_for

from zhuansheng import engine, store
from zhuansheng.services import evaluations, lists
from zhuansheng.store import tables as t
from zhuansheng.web import i18n


def test_registries_list_has_chinese_headers_and_kind_names(app) -> None:  # type: ignore[no-untyped-def]
    c = client_for(app, USERS["province_admin"])
    page = c.get("/lists/registries").text
    assert "名单类型" in page and "认定日期" in page
    assert ">registry_kind<" not in page and ">recognised_on<" not in page
    assert ">chain_leader<" not in page and "Registry" not in page


def test_projects_list_shows_kind_and_status_labels(app) -> None:  # type: ignore[no-untyped-def]
    c = client_for(app, USERS["province_admin"])
    page = c.get("/lists/projects").text
    assert "计划投资（万元）" in page and ">planned_investment_wan<" not in page
    for code in ("digital_renovation", "in_progress", "completed", "delayed"):
        assert f">{code}<" not in page


def test_list_export_rows_use_chinese_headers_and_labels() -> None:
    spec = lists.LISTS["projects"]
    rows, headers = spec.export(
        [{"project_kind": "digital_renovation", "status": "in_progress", "name": "x"}]
    )
    assert headers[0] == "项目类型" and "project_kind" not in headers
    assert rows[0]["项目类型"] == "重点数字化技改项目"
    assert rows[0]["状态"] == "推进中"


def test_enterprise_page_names_screening_rules_and_mujun_items(app, web_world: World) -> None:  # type: ignore[no-untyped-def]
    rules = {r.id: r.name_zh for r in engine.load_method("screening-default").method.rules}
    with store.session(web_world.url) as s:
        hit = next(c for c in s.scalars(select(t.ScreeningCandidate)) if c.rules)
        uscc, rule = hit.uscc, hit.rules[0]
        muj = evaluations.enterprise_result(s, "mujun", uscc)
    c = client_for(app, USERS["province_admin"])
    page = html.unescape(c.get(f"/enterprises/{uscc}").text)
    assert rules[rule] in page
    assert rule not in page
    assert "待核实" in page or "已确认" in page or "已排除" in page
    if muj is not None and muj.get("tax_per_mu_points") is not None:
        assert "亩均税收" in page and ">tax_per_mu<" not in page
        assert "<td>base</td>" not in page


def test_region_page_counts_cases_by_chinese_status(app) -> None:  # type: ignore[no-untyped-def]
    c = client_for(app, USERS["province_admin"])
    page = c.get("/regions/330000").text
    for code in ("listed", "planned", "in_progress", "verified"):
        assert f"<li>{code}：" not in page


def test_rankings_page_names_weights_and_aggregation(app) -> None:  # type: ignore[no-untyped-def]
    c = client_for(app, USERS["province_admin"])
    page = c.get("/rankings?period=2022Q2&level=city&draws=0").text
    assert "权重 专家赋权" in page and "聚合 加权求和" in page
    assert "expert" not in page and "additive" not in page


def test_labels_fall_back_to_the_code_and_speak_english() -> None:
    assert i18n.translate("case_status:in_progress", "zh") == "整治中"
    assert i18n.translate("case_status:in_progress", "en") == "in progress"
    assert i18n.translate("case_status:somewhere_else", "zh") == "somewhere_else"
    assert i18n.translate("registry_kind:chain_leader", "zh") == "“链主”企业"


def test_the_list_workbook_has_the_pages_headers_and_labels(app) -> None:  # type: ignore[no-untyped-def]
    import io

    import openpyxl

    c = client_for(app, USERS["province_admin"])
    r = c.get("/lists/registries/export.xlsx")
    assert r.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(r.content), read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    header = [h for h in rows[0] if h]
    assert "名单类型" in header and "registry_kind" not in header
    kinds = {row[header.index("名单类型")] for row in rows[1:]}
    assert kinds and not any(k and k.isascii() for k in kinds)  # names, not codes


def test_list_numbers_are_shown_rounded(app) -> None:  # type: ignore[no-untyped-def]
    c = client_for(app, USERS["province_admin"])
    page = c.get("/lists/screening").text
    cells = re.findall(r"<td>([^<]*)</td>", page)
    numbers = [x for x in cells if re.fullmatch(r"[\d,]+(\.\d+)?", x)]
    assert numbers  # freed land and energy are listed
    assert not [x for x in numbers if re.search(r"\.\d{3,}$", x)]  # no 1827.0625166000002
