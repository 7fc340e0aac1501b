"""What the pages show equals what the services and the data hold: the overview, a target, a
county, enterprise search and profiles, the lists (filter, order, paging, formula-safe export),
a submission through the web (a warning held until explained, then approved), the reporting
board, an API upload, the audit of downloads, and disabling a user from the command line.

Expected values are computed here from ``monitor.run``, the programme, the store tables and the
lake, never read back from a page. The app is this module's own (fresh caches); the pages that
only read run before the tests that write (uploads, a renamed list entry, a new user)."""

from __future__ import annotations

import datetime as dt
import html
import io
import json
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import openpyxl
import pyarrow.parquet as pq
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner
from web_helpers import (
    OTHER_COUNTY,
    PASSWORD,
    USERS,
    World,
    blank_template,
    client_for,
    csrf_of,
    fill_template,
    login,
    make_settings,
)

from zhuansheng import collect, lake, monitor, programme, reference, store, users
from zhuansheng.cli import app as cli_app
from zhuansheng.formatting import number as num
from zhuansheng.formatting import pct
from zhuansheng.periods import parse_period
from zhuansheng.services import tokens
from zhuansheng.store import tables as t
from zhuansheng.web import create_app
from zhuansheng.workspace import at

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
STATUS_ZH = {  # the submission statuses as the pages name them (zh)
    "draft": "草稿",
    "submitted": "已上报",
    "returned": "已退回",
    "approved": "已审核",
    "accepted": "已确认",
}
RECEIVED = ("submitted", "approved", "accepted")
BEIJING = dt.timezone(dt.timedelta(hours=8))


# --- reading pages ----------------------------------------------------------------------------


@dataclass
class Row:
    attrs: dict[str, str]
    cells: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)  # hrefs inside the row, in order


class _Rows(HTMLParser):
    """The <tr> rows of a fragment: their attributes, cell texts and links."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.rows: list[Row] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "tr":
            self.rows.append(Row({k: v or "" for k, v in attrs}))
        elif tag in ("td", "th") and self.rows:
            self._cell = []
        elif tag == "a" and self.rows:
            self.rows[-1].links.append(dict(attrs).get("href") or "")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None:
            self.rows[-1].cells.append("".join(self._cell).strip())
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def rows_of(fragment: str) -> list[Row]:
    parser = _Rows()
    parser.feed(fragment)
    return parser.rows


def between(text: str, start: str, end: str) -> str:
    i = text.index(start)
    return text[i : text.index(end, i + len(start))]


def get(c: TestClient, path: str) -> str:
    r = c.get(path)
    assert r.status_code == 200, (path, r.status_code, r.text[:300])
    return r.text


def xlsx_rows(content: bytes) -> list[tuple[Any, ...]]:
    sheet = openpyxl.load_workbook(io.BytesIO(content), read_only=True).active
    return list(sheet.iter_rows(values_only=True))


def counties_of(code: str) -> set[str]:
    """The region itself and every region below it (from the reference data)."""
    parents = {r.code: r.parent_code for r in reference.regions()}

    def inside(c: str | None) -> bool:
        while c:
            if c == code:
                return True
            c = parents.get(c)
        return False

    return {c for c in parents if inside(c)}


def audit_rows(web_world: World, action: str) -> list[t.AuditLog]:
    with store.session(web_world.url) as s:
        return list(
            s.scalars(select(t.AuditLog).where(t.AuditLog.action == action).order_by(t.AuditLog.id))
        )


# --- fixtures ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def site(web_world: World) -> FastAPI:
    """This module's own app: its caches start empty, its login limiter is its own."""
    return create_app(make_settings(web_world))


@pytest.fixture(scope="module")
def admin(site: FastAPI) -> TestClient:
    return client_for(site, USERS["province_admin"])


@pytest.fixture(scope="module")
def county(site: FastAPI) -> TestClient:
    return client_for(site, USERS["county"])  # 上城区 330102


@pytest.fixture(scope="module")
def shown_period(web_world: World) -> str:
    """The period the pages show by default: the newest month with observations."""
    with store.session(web_world.url) as s:
        months = [p for (p,) in s.execute(select(t.Observation.period).distinct()) if len(p) == 7]
    return max(months)


@pytest.fixture(scope="module")
def analysis(web_world: World, shown_period: str) -> monitor.Monitor:
    return monitor.run(shown_period, ws=at(web_world.url))


# --- 1. the overview --------------------------------------------------------------------------

OVERVIEW_TARGETS = ["robots_new", "digital_renovation_investment", "freed_land", "trad_share"]


@pytest.mark.parametrize(("role", "region"), [("province_admin", "330000"), ("county", "330102")])
def test_the_overview_shows_the_monitoring_rows_of_the_users_region(
    site: FastAPI, analysis: monitor.Monitor, shown_period: str, role: str, region: str
) -> None:
    page = get(client_for(site, USERS[role]), "/")
    assert f'<option value="{shown_period}" selected>' in page
    assert '<p class="basis" id="basis">统计口径：已报送数据（已上报、已审核、已确认）</p>' in page
    expected = {r.target: r for r in analysis.rows(region=region)}
    main = between(page, '<div class="main-col">', '<aside class="side-col">')
    shown = {r.attrs["data-target"]: r for r in rows_of(main) if "data-target" in r.attrs}
    assert set(shown) == set(expected)  # every target of the region, once
    for target in OVERVIEW_TARGETS:
        want, row = expected[target], shown[target]
        clause, name, actual, target_value, completion, _, status, _ = row.cells
        assert (clause, name) == (want.clause, want.name_zh)
        assert actual == f"{num(want.actual)} {want.unit}".strip()
        assert target_value == num(want.target_value)
        assert completion == pct(want.completion)
        # a total says how many reported: 已完成 87/90 地区已报送
        assert status == " ".join(x for x in (want.status_zh, want.coverage_zh) if x)
        assert row.attrs["class"] == f"row-{want.colour}"
    colours = Counter(r.colour for r in expected.values())
    cards = dict(re.findall(r'<div class="card (\w+)"><b[^>]*>(\d+)</b>', page))
    assert {k: int(v) for k, v in cards.items()} == {
        c: colours.get(c, 0) for c in ("green", "yellow", "red", "grey")
    }
    assert re.search(rf'<b id="count-ahead">{colours["green"]}</b>', page)
    assert re.search(rf'<b id="count-behind">{colours["red"]}</b>', page)


# --- 2. a target ------------------------------------------------------------------------------


def _item_of(year: int, target_id: str) -> tuple[Any, Any]:
    for _, item in programme.load(year).items():
        for target in item.targets:
            if target.id == target_id:
                return item, target
    raise AssertionError(f"{target_id} not in the programme")


@pytest.mark.parametrize(("target_id", "level"), [("robots_new", "county"), ("freed_land", "city")])
def test_a_target_page_shows_its_clause_units_and_regions_by_completion(
    admin: TestClient, analysis: monitor.Monitor, shown_period: str, target_id: str, level: str
) -> None:
    year = int(shown_period[:4])
    item, target = _item_of(year, target_id)
    page = html.unescape(get(admin, f"/targets/{target_id}?level={level}"))
    assert f'<dd class="clause-text">{item.text_zh}</dd>' in page
    assert "统计口径：已报送数据" in page
    lead = target.lead_units if target.lead_units is not None else item.lead_units
    co = target.co_units if target.co_units is not None else item.co_units
    units = between(page, "<dt>责任单位</dt>", "</dd>")
    assert f"<dd>{'、'.join(lead)}" in units
    assert all(u in units for u in co)
    # the regions: the province first, then best completion first
    rows = analysis.rows(level=level, target=target_id)
    province = [r for r in rows if r.level == "province"]
    regions = sorted(
        (r for r in rows if r.level == level),
        key=lambda r: -(r.completion if r.completion is not None else -1.0),
    )
    assert len(province) == 1 and len(regions) > 10
    assert len({r.completion for r in regions}) > 5  # the order is not decided by ties alone
    table = between(page, "<th>地区</th>", "</table>")
    shown = [r for r in rows_of(table) if r.cells and r.links]
    assert [r.links[0].split("?")[0] for r in shown] == [
        f"/regions/{r.region}" for r in province + regions
    ]
    for row, want in zip(shown, province + regions, strict=True):
        assert row.cells[1:4] == [num(want.actual), num(want.target_value), pct(want.completion)]
        assert row.cells[5] == " ".join(x for x in (want.status_zh, want.coverage_zh) if x)
    # the download holds the same rows in the same order
    r = admin.get(f"/targets/{target_id}/export.xlsx?period={shown_period}&level={level}")
    assert r.status_code == 200 and r.headers["content-type"] == XLSX
    header, *data = xlsx_rows(r.content)
    col = {name: i for i, name in enumerate(header)}
    assert [d[col["region"]] for d in data] == [w.region for w in province + regions]
    for d, want in zip(data, province + regions, strict=True):
        assert d[col["target"]] == target_id and d[col["period"]] == shown_period
        assert d[col["actual"]] == pytest.approx(want.actual)
        assert d[col["target_value"]] == pytest.approx(want.target_value)
        assert d[col["completion"]] == pytest.approx(want.completion)
        assert d[col["status"]] == want.status


# --- 3. a county ------------------------------------------------------------------------------


def test_the_map_says_what_it_counts_and_who_has_not_reported(
    admin: TestClient, analysis: monitor.Monitor, shown_period: str
) -> None:
    page = html.unescape(get(admin, f"/map?period={shown_period}&level=county&target=robots_new"))
    assert '<p class="basis" id="basis">统计口径：已报送数据' in page
    counties = [
        r for r in analysis.rows(level="county", target="robots_new") if r.level == "county"
    ]
    missing = sum(r.status == "no_data" for r in counties)
    assert f"未报送（{missing} 个地区无计入的报送）" in between(page, 'id="map-legend"', "</p>")
    start = '<script type="application/json" id="map-data">'
    values = json.loads(between(page, start, "</script>").removeprefix(start))
    assert sum(not v["reported"] for v in values) == missing


def test_a_page_or_the_api_may_ask_for_another_basis(admin: TestClient) -> None:
    page = get(admin, "/?count_from=imported")
    assert '<p class="basis" id="basis">统计口径：全部已导入数据（含未上报的草稿）</p>' in page
    answer = admin.get("/api/v1/monitor?level=city&count_from=accepted&page_size=1").json()
    assert (answer["count_from"], answer["basis_zh"]) == (
        "accepted",
        "统计口径：已确认数据（省级确认）",
    )
    wrong = admin.get("/api/v1/monitor?count_from=drafts")
    assert wrong.status_code == 400 and "统计口径" in wrong.text


def test_a_county_page_shows_its_allocations_and_submissions(
    county: TestClient, web_world: World, shown_period: str
) -> None:
    code, year = "330102", int(shown_period[:4])
    page = html.unescape(get(county, f"/regions/{code}"))
    with store.session(web_world.url) as s:
        allocations = s.execute(
            select(t.Target.target_id, t.Target.name_zh, t.Allocation.value, t.Target.unit)
            .join(t.Target, t.Target.id == t.Allocation.target_pk)
            .where(t.Allocation.region_code == code, t.Target.year == year)
        ).all()
        subs = s.execute(
            select(t.Submission.period, t.Submission.status).where(
                t.Submission.region_code == code, t.Submission.period.like(f"{year}-%")
            )
        ).all()
    assert len(allocations) > 5 and len(subs) >= 6
    side = between(page, "<h2>分解目标</h2>", "</ul>")
    shown = re.findall(
        r'<li><a href="/targets/(\w+)\?period=[^"]+">([^<]+)</a>：([^<]+)</li>', side
    )
    assert sorted(shown) == sorted(
        (tid, name, f"{num(value)} {unit or ''}".strip()) for tid, name, value, unit in allocations
    )
    listed = re.findall(
        rf'<li><a href="/submissions/{code}/([\d-]+)">{code} \1</a> (\S+)</li>',
        between(page, '<ul class="subs">', "</ul>"),
    )
    assert sorted(listed) == sorted((p, STATUS_ZH[st]) for p, st in subs)
    # another county's submissions are not listed for this county's user
    other = get(county, f"/regions/{OTHER_COUNTY}")
    assert '<ul class="subs">' not in other


# --- 4. enterprises ---------------------------------------------------------------------------


def found(page: str) -> list[str]:
    body = between(page, "<tbody>", "</tbody>")
    return re.findall(r'<td><a href="/enterprises/(\w+)">', body)


def test_a_county_user_finds_its_own_firms_only(
    county: TestClient, admin: TestClient, web_world: World
) -> None:
    with store.session(web_world.url) as s:
        firms = {e.uscc: (e.name, e.county_code) for e in s.scalars(select(t.Enterprise))}
    own_name = firms[web_world.own_uscc][0]
    part = own_name.removeprefix("演示·")[2:6]  # part of the name, after the county's name
    assert part and part in own_name
    page = get(county, "/enterprises?q=" + part)
    want = sorted(u for u, (name, c) in firms.items() if part in name and c == "330102")
    assert found(page) == want and web_world.own_uscc in want
    assert f"{len(want)} 条结果" in page
    assert found(get(county, f"/enterprises?q={web_world.own_uscc}")) == [web_world.own_uscc]
    # a firm of 柯桥区: not for 上城区's user, by code or by name; the province finds it
    other_name = firms[web_world.other_uscc][0]
    other_part = other_name.removeprefix("演示·")[2:6]
    assert found(get(county, f"/enterprises?q={web_world.other_uscc}")) == []
    assert web_world.other_uscc not in found(get(county, "/enterprises?q=" + other_part))
    assert found(get(admin, f"/enterprises?q={web_world.other_uscc}")) == [web_world.other_uscc]
    assert web_world.other_uscc in found(get(admin, "/enterprises?q=" + other_part))


def _latest_carbon(web_world: World) -> dict[str, Any]:
    with store.session(web_world.url) as s:
        run = s.scalar(
            select(t.EvaluationRun)
            .where(t.EvaluationRun.method == "carbon")
            .order_by(t.EvaluationRun.year.desc(), t.EvaluationRun.started_at.desc())
        )
    assert run is not None and run.output_path
    table = pq.read_table(run.output_path, columns=["uscc", "county_code", "carbon_grade"])
    return {r["uscc"]: r for r in table.to_pylist()}


def test_an_enterprise_profile_shows_the_lakes_facts_and_carbon_grade(
    county: TestClient, web_world: World
) -> None:
    carbon = _latest_carbon(web_world)
    graded = sorted(
        u for u, r in carbon.items() if r["county_code"] == "330102" and r["carbon_grade"]
    )
    assert graded, "the demo world has a graded firm in 上城区"
    facts = lake.facts()
    for uscc in (graded[0], web_world.own_uscc):
        page = html.unescape(get(county, f"/enterprises/{uscc}"))
        mine = facts.filter(facts.uscc == uscc).order_by("year").to_pyarrow().to_pylist()
        assert mine, uscc
        table = rows_of(between(page, "<h2>年度数据</h2>", "</table>"))
        shown = {r.cells[0]: r.cells[1:4] for r in table if r.cells and r.cells[0].isdigit()}
        assert shown == {
            str(f["year"]): [num(f["land_mu"]), num(f["tax_wan"]), num(f["value_added_wan"])]
            for f in mine
        }
        grade = carbon[uscc]["carbon_grade"]
        assert f"<dt>碳效码</dt><dd>等级 <b>{grade if grade is not None else '未评'}</b>" in page
    assert "<b>未评</b>" not in between(
        html.unescape(get(county, f"/enterprises/{graded[0]}")), "<dt>碳效码</dt>", "</dd>"
    )


# --- 5. lists ---------------------------------------------------------------------------------


def _latest_screen_run(web_world: World) -> str:
    with store.session(web_world.url) as s:
        run_id = s.scalar(
            select(t.EvaluationRun.run_id)
            .where(t.EvaluationRun.method == "screen")
            .order_by(t.EvaluationRun.year.desc(), t.EvaluationRun.started_at.desc())
        )
    assert run_id
    return run_id


def _store_rows(web_world: World, kind: str) -> list[dict[str, Any]]:
    """Every row of a list in the store, as plain values (with the id and the region)."""
    with store.session(web_world.url) as s:
        if kind == "registries":
            return [
                {
                    "id": r.id,
                    "region": r.region_code,
                    "key": (r.name, r.uscc or "", r.region_code, str(r.recognised_on)),
                    "name": r.name,
                    "recognised_on": r.recognised_on,
                }
                for r in s.scalars(select(t.RegistryEntry))
            ]
        if kind == "projects":
            return [
                {
                    "id": p.id,
                    "region": p.region_code,
                    "key": (p.code, p.name, p.region_code),
                    "planned_investment_wan": p.planned_investment_wan,
                }
                for p in s.scalars(select(t.Project))
            ]
        run_id = _latest_screen_run(web_world)
        return [
            {
                "id": c.id,
                "region": c.county_code,
                "key": (c.uscc, c.name, c.county_code),
                "freed_land_mu": c.freed_land_mu,
            }
            for c in s.scalars(
                select(t.ScreeningCandidate).where(t.ScreeningCandidate.run_id == run_id)
            )
        ]


# the columns of a page row that name it (matching "key" above)
KEY_CELLS = {"registries": (1, 2, 3, 5), "projects": (1, 2, 4), "screening": (0, 1, 2)}
REGION_CELL = {"registries": 3, "projects": 4, "screening": 2}


def _page_rows(c: TestClient, kind: str, query: str) -> tuple[list[tuple[str, ...]], int]:
    page = get(c, f"/lists/{kind}?{query}")
    total = int(re.search(r'<p id="total">共 (\d+) 条', page).group(1))  # type: ignore[union-attr]
    body = between(page, "<tbody>", "</tbody>")
    keys = [tuple(r.cells[i] for i in KEY_CELLS[kind]) for r in rows_of(body)]
    return keys, total


@pytest.mark.parametrize(
    ("kind", "region"), [("registries", "330100"), ("projects", "330102"), ("screening", "330200")]
)
def test_a_list_filtered_by_region_keeps_that_regions_rows(
    admin: TestClient, web_world: World, kind: str, region: str
) -> None:
    inside = counties_of(region)
    everything = _store_rows(web_world, kind)
    want = [r for r in everything if r["region"] in inside]
    assert 0 < len(want) < len(everything)
    keys, total = _page_rows(admin, kind, f"region={region}")
    assert total == len(want)
    assert keys and all(k[KEY_CELLS[kind].index(REGION_CELL[kind])] in inside for k in keys)
    assert set(keys) <= {r["key"] for r in want}
    _, unfiltered = _page_rows(admin, kind, "")
    assert unfiltered == len(everything)


@pytest.mark.parametrize(
    ("kind", "query", "column", "desc"),
    [
        ("registries", "region=330102", "name", False),
        ("projects", "region=330102", "planned_investment_wan", True),
        ("screening", "", "freed_land_mu", True),
    ],
)
def test_a_sorted_list_pages_in_order_without_overlap(
    admin: TestClient, web_world: World, kind: str, query: str, column: str, desc: bool
) -> None:
    region = dict(p.split("=") for p in query.split("&") if p).get("region")
    rows = [
        r
        for r in _store_rows(web_world, kind)
        if region is None or r["region"] in counties_of(region)
    ]
    assert len(rows) > 60 and all(r[column] is not None for r in rows)
    # the expected order: by the column, then by id (a stable sort keeps the id order)
    rows.sort(key=lambda r: r["id"])
    rows.sort(key=lambda r: r[column], reverse=desc)
    q = f"{query}&sort={column}&desc={int(desc)}".lstrip("&")
    first, total = _page_rows(admin, kind, q)
    second, _ = _page_rows(admin, kind, q + "&page=2")
    assert total == len(rows)
    assert first == [r["key"] for r in rows[:50]]
    assert second == [r["key"] for r in rows[50:100]]
    assert second and not set(first) & set(second)
    # the other direction starts where this one ends
    reverse, _ = _page_rows(admin, kind, f"{query}&sort={column}&desc={int(not desc)}".lstrip("&"))
    assert reverse[0] != first[0]


# --- 6. a submission through the web, and the reporting board -----------------------------------


def _board(page: str) -> dict[str, list[str]]:
    table = between(page, '<table class="grid small" id="board">', "</table>")
    return {r.cells[0]: r.cells[1:] for r in rows_of(table) if r.cells and r.cells[0] != "地区"}


@pytest.mark.parametrize("period", ["2022-06", "2022-11"])
def test_the_reporting_board_counts_the_stores_submissions(
    admin: TestClient, web_world: World, period: str
) -> None:
    page = get(admin, f"/submissions?period={period}")
    p_year, p_month = int(period[:4]), int(period[5:])
    y, m = (p_year + 1, 1) if p_month == 12 else (p_year, p_month + 1)
    due_day = collect.default_rules().due_day
    deadline = dt.datetime(y, m, due_day, 23, 59, 59, tzinfo=BEIJING)
    with store.session(web_world.url) as s:
        regions = list(s.scalars(select(t.Region)))
        subs = {
            x.region_code: x
            for x in s.scalars(select(t.Submission).where(t.Submission.period == period))
        }
    counties = [r for r in regions if r.level == "county"]
    cities = sorted((r.code, r.name_zh) for r in regions if r.level == "city")
    areas = [("浙江省", None), *((name, code) for code, name in cities)]
    expected = {}
    for name, code in areas:
        members = [c.code for c in counties if code is None or c.parent_code == code]
        got = [subs[c] for c in members if c in subs and subs[c].status in RECEIVED]
        on_time = [
            x
            for x in got
            if x.first_submitted_at
            and x.first_submitted_at.replace(tzinfo=x.first_submitted_at.tzinfo or BEIJING)
            <= deadline
        ]
        n = len(members)
        expected[name] = [
            str(n),
            str(len(got)),
            str(len(on_time)),
            pct(len(got) / n),
            pct(len(on_time) / n),
        ]
    assert _board(page) == expected
    assert any(v[1] != v[2] for v in expected.values())  # some came late: timeliness differs
    # the same figures as the collection module computes
    with store.session(web_world.url) as s:
        computed = collect.workflow.reporting(s, period, due_day)
    assert {
        r["region_name"]: [str(r["expected"]), str(r["received"]), str(r["on_time"])]
        for r in computed
    } == {k: v[:3] for k, v in expected.items()}


def _free_counties(web_world: World, period: str) -> list[str]:
    """Counties with no submission for the period, other than the one other tests use."""
    with store.session(web_world.url) as s:
        done = {
            c
            for (c,) in s.execute(
                select(t.Submission.region_code).where(t.Submission.period == period)
            )
        }
        counties = s.scalars(
            select(t.Region.code).where(t.Region.level == "county").order_by(t.Region.code)
        )
        return [c for c in counties if c not in done and c != web_world.editable_county]


def _upload(c: TestClient, path: Path, region: str, period: str, comment: str = "") -> str:
    token = csrf_of(get(c, f"/submissions?period={period}"))
    r = c.post(
        "/submissions/upload",
        data={"region": region, "period": period, "comment": comment, "csrf_token": token},
        files={"file": (path.name, path.read_bytes(), XLSX)},
    )
    assert r.status_code == 200, r.text[:300]
    return html.unescape(r.text)


def _observations(web_world: World, region: str, period: str) -> list[t.Observation]:
    with store.session(web_world.url) as s:
        return list(
            s.scalars(
                select(t.Observation).where(
                    t.Observation.region_code == region, t.Observation.period == period
                )
            )
        )


def _submission(web_world: World, region: str, period: str) -> t.Submission | None:
    with store.session(web_world.url) as s:
        return s.scalar(
            select(t.Submission).where(
                t.Submission.region_code == region, t.Submission.period == period
            )
        )


def test_a_held_upload_asks_for_a_comment_and_shows_no_error(
    county: TestClient, web_world: World, tmp_path: Path
) -> None:
    filled = fill_template(blank_template(web_world, "330102", tmp_path), tmp_path / "warn.xlsx")
    warnings = collect.import_observations(
        filled,
        user=USERS["county"],
        region="330102",
        period=web_world.period,
        ws=at(web_world.url),
        dry_run=True,
    ).warnings  # raises (and so fails this test) if the file had an error
    assert warnings
    held = _upload(county, filled, "330102", web_world.period)
    assert "未写入任何数据" in held
    assert "核实警告无误后，请在“说明”中写明理由并重新上传同一文件。" in held
    assert "<td>错误</td>" not in held


def test_a_warning_holds_the_upload_until_explained_then_the_province_approves(
    site: FastAPI, web_world: World, tmp_path: Path
) -> None:
    period = web_world.period
    code = _free_counties(web_world, period)[-1]
    c = login(TestClient(site, raise_server_exceptions=False), f"u{code}", users.DEMO_PASSWORD)
    filled = fill_template(blank_template(web_world, code, tmp_path), tmp_path / f"{code}.xlsx")
    # the filled template passes every error rule but warns (checked here, without writing)
    warnings = collect.import_observations(
        filled, user=f"u{code}", region=code, period=period, ws=at(web_world.url), dry_run=True
    ).warnings
    assert warnings and all(w.level == "warning" for w in warnings)
    # without a comment: held, nothing written
    held = _upload(c, filled, code, period)
    # every warning, and the line that asks for their comments, are warnings: none is an error
    assert "未写入任何数据" in held and held.count("<td>警告</td>") == len(warnings) + 1
    assert "<td>错误</td>" not in held
    assert all(w.message in held for w in warnings)
    assert f"有 {len(warnings)} 条警告未说明，须填写说明后才能接收" in held
    assert (
        _submission(web_world, code, period) is None
        and _observations(web_world, code, period) == []
    )
    # the same file with a comment: accepted, the comment kept with the values
    comment = "数据已与统计部门核对"
    accepted = _upload(c, filled, code, period, comment=comment)
    assert "已接收" in accepted and "未写入任何数据" not in accepted
    stored = _observations(web_world, code, period)
    assert stored and all(comment in o.comment and o.recorded_by == f"u{code}" for o in stored)
    written = int(re.search(r"写入 (\d+) 个数值", accepted).group(1))  # type: ignore[union-attr]
    assert written == len(stored)
    assert _submission(web_world, code, period).status == "draft"  # type: ignore[union-attr]
    # the county submits, the province approves through the forms
    token = csrf_of(get(c, f"/submissions/{code}/{period}"))
    r = c.post(
        f"/submissions/{code}/{period}/submit", data={"csrf_token": token}, follow_redirects=False
    )
    assert r.status_code == 303
    assert _submission(web_world, code, period).status == "submitted"  # type: ignore[union-attr]
    province = client_for(site, USERS["province_admin"])
    form = get(province, f"/submissions/{code}/{period}")
    assert f'action="/submissions/{code}/{period}/approve"' in form
    r = province.post(
        f"/submissions/{code}/{period}/approve",
        data={"csrf_token": csrf_of(form)},
        follow_redirects=False,
    )
    assert r.status_code == 303
    sub = _submission(web_world, code, period)
    assert sub is not None and sub.status == "approved" and sub.locked
    with store.session(web_world.url) as s:
        events = s.execute(
            select(t.SubmissionEvent.action, t.SubmissionEvent.actor)
            .where(t.SubmissionEvent.submission_id == sub.id)
            .order_by(t.SubmissionEvent.id)
        ).all()
    assert [tuple(e) for e in events] == [
        ("save", f"u{code}"),
        ("submit", f"u{code}"),
        ("approve", USERS["province_admin"]),
    ]
    assert "已审核" in get(province, f"/submissions/{code}/{period}")


# --- 7. an upload through the API -----------------------------------------------------------------


def test_an_api_upload_by_a_county_lands_in_the_store(
    site: FastAPI, web_world: World, tmp_path: Path
) -> None:
    period = web_world.period
    code = _free_counties(web_world, period)[0]
    filled = fill_template(blank_template(web_world, code, tmp_path), tmp_path / "api.xlsx")
    wb = openpyxl.load_workbook(filled)
    ws = wb["填报"]
    row = next(r for r in ws.iter_rows(min_row=5) if r[1].value == "robots")
    value = (row[4].value if isinstance(row[4].value, int | float) else 0) + 7
    row[6].value = value
    wb.save(filled)
    auth = {"Authorization": f"Bearer {tokens.issue(f'u{code}', 'test-secret')}"}
    c = TestClient(site, raise_server_exceptions=False)
    r = c.post(
        "/api/v1/observations",
        data={"region": code, "period": period, "comment": "经核实无误"},
        files={"file": ("api.xlsx", filled.read_bytes(), XLSX)},
        headers=auth,
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["region"], body["period"], body["dry_run"]) == (code, period, False)
    assert body["written"] > 0 and body["batch_id"]
    stored = {o.indicator_id: o for o in _observations(web_world, code, period)}
    assert stored["robots"].value == pytest.approx(value)
    assert stored["robots"].source_name == "api.xlsx"
    assert stored["robots"].recorded_by == f"u{code}"
    assert len(stored) == body["written"]
    # out of scope: another county's token is refused and writes nothing
    stranger = {"Authorization": f"Bearer {tokens.issue(USERS['county'], 'test-secret')}"}
    r = c.post(
        "/api/v1/observations",
        data={"region": code, "period": period, "comment": "x"},
        files={"file": ("api.xlsx", filled.read_bytes(), XLSX)},
        headers=stranger,
    )
    assert r.status_code == 403
    assert len(_observations(web_world, code, period)) == len(stored)


# --- 5 (end). a list export is formula-safe ------------------------------------------------------

FORMULA = '=HYPERLINK("http://example.invalid/","点击")'


@pytest.fixture
def formula_name(web_world: World) -> Iterator[tuple[int, str]]:
    """One registry entry of 上城区 renamed to a formula, renamed back afterwards."""
    with store.session(web_world.url) as s:
        entry = s.scalar(
            select(t.RegistryEntry)
            .where(t.RegistryEntry.region_code == "330102")
            .order_by(t.RegistryEntry.id)
        )
        assert entry is not None
        entry_id, old = entry.id, entry.name
        entry.name = FORMULA
    try:
        yield entry_id, old
    finally:
        with store.session(web_world.url) as s:
            s.get(t.RegistryEntry, entry_id).name = old  # type: ignore[union-attr]


def test_the_list_export_writes_a_formula_like_name_as_text(
    admin: TestClient, web_world: World, formula_name: tuple[int, str]
) -> None:
    r = admin.get("/lists/registries/export.xlsx?region=330102")
    assert r.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(r.content)).active
    header = [c.value for c in sheet[1]]
    cells = [row[header.index("名称")] for row in sheet.iter_rows(min_row=2)]
    hits = [c for c in cells if c.value == FORMULA]
    assert len(hits) == 1
    assert hits[0].data_type == "s"  # text, not a formula
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)


# --- 8. downloads are audited ---------------------------------------------------------------------


def test_downloads_write_audit_rows(
    admin: TestClient, county: TestClient, web_world: World, shown_period: str
) -> None:
    before = len(audit_rows(web_world, "export.target"))
    r = admin.get(f"/targets/robots_new/export.xlsx?period={shown_period}")
    assert r.status_code == 200
    after = audit_rows(web_world, "export.target")
    assert len(after) == before + 1
    entry = after[-1]
    assert (entry.actor, entry.entity, entry.entity_id) == ("admin", "target", "robots_new")
    assert entry.detail["period"] == shown_period
    assert entry.detail["rows"] == len(xlsx_rows(r.content)) - 1

    before = len(audit_rows(web_world, "export.list"))
    r = county.get("/lists/projects/export.xlsx?region=330102")
    assert r.status_code == 200
    after = audit_rows(web_world, "export.list")
    assert len(after) == before + 1
    entry = after[-1]
    assert (entry.actor, entry.entity, entry.entity_id) == (USERS["county"], "list", "projects")
    assert entry.detail["region"] == "330102"
    assert entry.detail["rows"] == len(xlsx_rows(r.content)) - 1 > 0

    before = len(audit_rows(web_world, "export.template"))
    r = county.get(f"/submissions/template?region=330102&period={web_world.period}")
    assert r.status_code == 200 and r.content[:2] == b"PK"
    after = audit_rows(web_world, "export.template")
    assert len(after) == before + 1
    entry = after[-1]
    assert (entry.actor, entry.entity, entry.entity_id) == (
        USERS["county"],
        "submission",
        f"330102/{web_world.period}",
    )


# --- 9. users from the command line ---------------------------------------------------------------


def test_a_user_disabled_from_the_command_line_can_no_longer_sign_in(
    site: FastAPI, web_world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ZHUANSHENG_DATABASE_URL", web_world.url)
    runner = CliRunner()
    name = "cli-viewer"
    out = runner.invoke(
        cli_app, ["user", "add", name, "--role", "viewer", "--display-name", "临时"]
    )
    assert out.exit_code == 0, out.output
    with store.session(web_world.url) as s:
        users.set_password(s, name, PASSWORD)
        accounts = {u.username: u for u in s.scalars(select(t.User))}
    out = runner.invoke(cli_app, ["user", "list", "-f", "json"])
    assert out.exit_code == 0, out.output
    listed = {u["username"]: u for u in json.loads(out.stdout)}
    assert set(listed) == set(accounts)
    for username, account in accounts.items():
        assert (listed[username]["role"], listed[username]["active"]) == (
            account.role,
            account.active,
        )
        assert listed[username]["region"] == (account.region_code or "")
    assert listed[name]["display_name"] == "临时" and listed[name]["active"] is True
    # signed in before …
    assert login(TestClient(site), name).get("/").status_code == 200
    out = runner.invoke(cli_app, ["user", "disable", name])
    assert out.exit_code == 0 and name in out.output
    with store.session(web_world.url) as s:
        assert s.scalar(select(t.User.active).where(t.User.username == name)) is False
    # … refused after
    c = TestClient(site, raise_server_exceptions=False)
    token = csrf_of(get(c, "/login"))
    r = c.post(
        "/login",
        data={"username": name, "password": PASSWORD, "csrf_token": token},
        follow_redirects=False,
    )
    assert r.status_code == 401 and "账号已停用" in r.text
    assert c.get("/", follow_redirects=False).status_code == 303  # still signed out
    out = runner.invoke(cli_app, ["user", "list", "-f", "json"])
    assert {u["username"]: u["active"] for u in json.loads(out.stdout)}[name] is False


def test_the_overview_names_the_counties_with_cases_to_follow_up(
    admin: TestClient, web_world: World, shown_period: str
) -> None:
    """The side column lists, after the red targets, the counties with overdue cases or
    completions awaiting verification as of the period's last day, most first."""
    page = get(admin, "/")
    side = page[page.index('<aside class="side-col">') :]
    assert "高耗低效整治预警" in side
    last_day = parse_period(shown_period).last_day
    with store.session(web_world.url) as s:
        awaiting: dict[str, int] = {}
        for county, closed in s.execute(
            select(t.Case.county_code, t.Case.closed_on).where(t.Case.status == "completed")
        ):
            if closed <= last_day:
                awaiting[county] = awaiting.get(county, 0) + 1
    assert awaiting, "the demo world has completions awaiting verification"
    cases_part = side[side.index("高耗低效整治预警") :]
    listed = re.findall(
        r'href="/regions/(\d{6})\?period=[^"]*">[^<]*</a> · ([^<]*)</li>', cases_part
    )
    assert listed
    for county, text in listed:  # each county's count as the store has it
        if county in awaiting:
            assert f"{awaiting[county]} 户已完成待验收" in text, (county, text)
        else:
            assert "已完成待验收" not in text, (county, text)
