"""The 高耗低效 case pages over HTTP: a county reviews its screening candidates (a bulk confirm
and dismiss, reported row by row), works a case through plan, progress with an evidence file and
completion; its city verifies; each user is shown exactly the actions they may take; a stale
form shows the conflict; another city is refused. On a copy of the web tests' world of its own,
since these tests write cases."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from web_helpers import (
    USERS,
    CaseAccounts,
    World,
    case_accounts,
    client_for,
    csrf_of,
    make_settings,
    private_world,
)

from zhuansheng import store
from zhuansheng.store import tables as t
from zhuansheng.web import create_app

PNG = b"\x89PNG\r\n\x1a\n" + bytes(64)
REVIEW = "/cases/candidates?year=2022&state=candidate"
ROW = re.compile(r'<tr data-candidate="(\d+)" data-state="(\w+)" data-region="(\d+)">')
FORMS = ("plan", "update", "complete", "verify", "reopen")


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    with private_world(tmp_path_factory, "case-pages") as w:
        yield w


@pytest.fixture(scope="module")
def accounts(world: World) -> CaseAccounts:
    return case_accounts(world)


@pytest.fixture(scope="module")
def case_app(world: World, accounts: CaseAccounts) -> FastAPI:
    return create_app(make_settings(world))


@pytest.fixture(scope="module")
def users(case_app: FastAPI, accounts: CaseAccounts) -> dict[str, TestClient]:
    names = {
        "county": accounts.county_user,
        "city": accounts.city_user,
        "stranger": accounts.stranger,
        "province": USERS["province_admin"],
        "viewer": USERS["viewer"],
        "department": USERS["department"],
    }
    return {role: client_for(case_app, name) for role, name in names.items()}


def text_of(r: object) -> str:
    return html.unescape(r.text)  # type: ignore[attr-defined]


def rows(page: str) -> list[tuple[int, str, str]]:
    """(candidate id, state, county) of each row of the review table."""
    return [(int(i), state, region) for i, state, region in ROW.findall(page)]


def forms(page: str) -> set[str]:
    """The case actions whose forms the page shows."""
    return {a for a in FORMS if f'id="form-{a}"' in page}


def confirm_one(county: TestClient) -> int:
    """Confirm the county's first open candidate through the review page; its new case."""
    page = county.get(REVIEW).text
    first = rows(page)[0][0]
    r = county.post(
        REVIEW,
        data={
            "csrf_token": csrf_of(page),
            "action": "confirm",
            "measure": "upgrade",
            "candidate": first,
        },
    )
    assert r.status_code == 200, r.text
    return int(re.search(r'<a href="/cases/(\d+)">', r.text).group(1))  # type: ignore[union-attr]


def act(c: TestClient, case_id: int, action: str, **fields: object) -> object:
    """Post one of the case's forms as the page rendered it (its CSRF token and version)."""
    page = c.get(f"/cases/{case_id}").text
    version = re.search(r'data-version="(\d+)"', page).group(1)  # type: ignore[union-attr]
    data = {"csrf_token": csrf_of(page), "version": version, **fields}
    files = data.pop("files", None)
    return c.post(f"/cases/{case_id}/{action}", data=data, files=files, follow_redirects=False)


def test_a_county_confirms_and_dismisses_in_bulk_and_its_city_reopens(
    users: dict[str, TestClient], accounts: CaseAccounts
) -> None:
    county, city = users["county"], users["city"]
    page = county.get(REVIEW)
    assert page.status_code == 200
    mine = rows(page.text)
    assert len(mine) >= 3 and {region for _, _, region in mine} == {accounts.county}
    assert 'name="action" value="confirm"' in page.text
    assert 'name="action" value="dismiss"' in page.text
    assert "reopen-dismissal" not in page.text
    foreign = next(
        i for i, _, region in rows(users["province"].get(REVIEW).text) if region != accounts.county
    )
    (first, *_), (second, *_), (third, *_) = mine[:3]

    # one POST for the ticked rows: each row reported, another county's refused by its number
    r = county.post(
        REVIEW,
        data={
            "csrf_token": csrf_of(page.text),
            "action": "confirm",
            "measure": "closed",
            "candidate": [first, second, foreign],
        },
    )
    assert r.status_code == 200
    result = text_of(r)
    assert "已办理 2 家，未办理 1 家" in result
    assert f'<tr data-candidate="{foreign}" class="refused"><td>候选企业 {foreign}</td>' in result
    assert "未办理：</span>无权操作该企业或案件" in result
    assert (
        len(
            re.findall(r'class="done"><td>[^<]+</td><td>已确认列入： <a href="/cases/\d+">', result)
        )
        == 2
    )
    left = {i for i, _, _ in rows(result)}
    assert first not in left and second not in left and third in left

    # 其他 needs the details: refused for the row, then done
    dismiss = {"csrf_token": csrf_of(result), "action": "dismiss", "candidate": third}
    r = county.post(REVIEW, data={**dismiss, "reason": "other"})
    assert "未办理：" in text_of(r) and "必须写明具体情况" in text_of(r)
    r = county.post(REVIEW, data={**dismiss, "reason": "other", "text": "已于2022年停产"})
    assert f'<tr data-candidate="{third}" class="done">' in r.text and "已排除" in r.text
    assert third not in {i for i, _, _ in rows(r.text)}

    # the city sees the reason and may reopen it (no bulk form: it does not review); the
    # county sees the reason and no reopening
    dismissed = "/cases/candidates?year=2022&state=dismissed"
    seen = text_of(city.get(dismissed))
    assert (third, "dismissed", accounts.county) in rows(seen)
    assert "其他：已于2022年停产" in seen and 'id="bulk"' not in seen
    assert f"/cases/candidates/{third}/reopen" in seen
    assert f"/cases/candidates/{third}/reopen" not in county.get(dismissed).text
    reopen = f"/cases/candidates/{third}/reopen?year=2022&state=dismissed"
    r = city.post(reopen, data={"csrf_token": csrf_of(seen), "reason": " "})
    assert r.status_code == 400 and "重新打开须说明理由" in text_of(r)
    r = city.post(reopen, data={"csrf_token": csrf_of(seen), "reason": "停产证明不全"})
    assert r.status_code == 200 and "退回县级重新核实" in text_of(r)
    assert third not in {i for i, _, _ in rows(r.text)}
    assert (third, "candidate", accounts.county) in rows(county.get(REVIEW).text)


def test_a_county_works_a_case_through_and_its_city_verifies(
    users: dict[str, TestClient], world: World
) -> None:
    county, city, province = users["county"], users["city"], users["province"]
    case_id = confirm_one(county)
    path = f"/cases/{case_id}"
    assert forms(county.get(path).text) == {"plan"}
    assert forms(city.get(path).text) == set() and 'id="case-nothing"' in city.get(path).text

    r = act(
        county,
        case_id,
        "plan",
        measure="closed",
        responsible="经信局 张三",
        actions="拆除高耗能生产线@2099-06-30\n土地收储@2099-12-31",
        land="3.5",
        energy="120",
        tax="",
    )
    assert r.status_code == 303 and r.headers["location"] == f"{path}?done=plan"  # type: ignore[attr-defined]
    page = text_of(county.get(f"{path}?done=plan"))
    assert "已办理：制定方案。" in page and "<td>拆除高耗能生产线</td><td>2099-06-30</td>" in page
    assert "<dd>关停淘汰</dd>" in page and "<dd>经信局 张三</dd>" in page
    assert forms(page) == {"plan", "update"}

    files = [("evidence", ("现场照片.png", PNG, "image/png"))]
    r = act(county, case_id, "update", progress="生产线已停产，设备拆除中", files=files)
    assert r.status_code == 303  # type: ignore[attr-defined]
    page = county.get(path).text
    evidence = re.search(r'href="/cases/evidence/(\d+)">现场照片.png</a>', page)
    assert evidence, "the timeline links the evidence file"
    link = f"/cases/evidence/{evidence.group(1)}"
    for who in (county, city, province):
        download = who.get(link)
        assert (download.status_code, download.content) == (200, PNG)
    assert users["stranger"].get(link).status_code == 403

    r = act(county, case_id, "complete", land="3.5", energy="120", land_use="新引进智能装备项目")
    assert r.status_code == 303  # type: ignore[attr-defined]
    page = text_of(county.get(path))
    assert 'id="case-state">整治完成<' in page and "<dd>新引进智能装备项目</dd>" in page
    # the county has nothing left to do; its city verifies (and may reopen); no plan for it
    assert forms(page) == set()
    assert forms(city.get(path).text) == {"verify", "reopen"}
    assert forms(province.get(path).text) == {"reopen"}
    assert users["stranger"].get(path).status_code == 403

    r = act(city, case_id, "verify", result="fail", reason="")
    assert r.status_code == 400 and "验收不通过时必须说明理由" in text_of(r)  # type: ignore[attr-defined]
    r = act(city, case_id, "verify", result="fail", reason="腾出土地尚未收储")
    assert r.status_code == 303  # type: ignore[attr-defined]
    page = text_of(city.get(path))
    assert 'id="case-state">验收未通过/重新打开<' in page
    assert "验收不通过：腾出土地尚未收储" in page

    # the firm's profile shows the case's timeline with a link to it
    with store.session(world.url) as s:
        uscc = s.scalar(select(t.Case.uscc).where(t.Case.id == case_id))
    profile = text_of(county.get(f"/enterprises/{uscc}"))
    assert f'<a href="/cases/{case_id}">整治案件 {case_id}</a>' in profile
    assert "制定方案" in profile and "验收未通过/重新打开" in profile


def test_a_stale_form_shows_the_conflict_and_a_wrong_state_the_allowed_actions(
    users: dict[str, TestClient],
) -> None:
    county, city = users["county"], users["city"]
    case_id = confirm_one(county)
    path = f"/cases/{case_id}"
    stale = county.get(path).text
    plan = {"measure": "upgrade", "responsible": "李四", "actions": "更新电机@2099-06-30"}
    assert act(county, case_id, "plan", **plan).status_code == 303  # type: ignore[attr-defined]

    # the page read before the plan still carries version 1
    form = {"csrf_token": csrf_of(stale), "version": "1", "progress": "电机已招标"}
    r = county.post(f"{path}/update", data=form)
    assert r.status_code == 409
    page = text_of(r)
    assert "已被他人修改" in page and 'id="case-state">已制定整治方案<' in page
    assert ">电机已招标</textarea>" in page  # what was typed is kept
    # the same through HTMX: the case itself comes back with the message, status 409
    r = county.post(f"{path}/update", data=form, headers={"HX-Request": "true"})
    assert r.status_code == 409 and r.text.lstrip().startswith(
        '<div id="case" data-swap-errors="1"'
    )
    assert "已被他人修改" in text_of(r)

    r = act(city, case_id, "verify", result="pass")
    assert r.status_code == 400  # type: ignore[attr-defined]
    assert "不能验收" in text_of(r) and "当前可执行" in text_of(r)


def test_a_refused_evidence_file_is_explained_and_nothing_is_written(
    users: dict[str, TestClient],
) -> None:
    county = users["county"]
    case_id = confirm_one(county)
    plan = {"measure": "upgrade", "responsible": "王五", "actions": "更换锅炉@2099-06-30"}
    act(county, case_id, "plan", **plan)
    before = county.get(f"/cases/{case_id}").text.count("<tr data-action=")
    fake = [("evidence", ("说明.pdf", b"MZ\x90\x00" + bytes(64), "application/pdf"))]
    r = act(county, case_id, "update", progress="附件", files=fake)
    assert r.status_code == 422  # type: ignore[attr-defined]
    assert "说明.pdf" in text_of(r) and "未写入任何数据" in text_of(r)
    assert county.get(f"/cases/{case_id}").text.count("<tr data-action=") == before


def test_a_county_adds_a_firm_the_screening_did_not_flag(
    users: dict[str, TestClient], accounts: CaseAccounts, world: World
) -> None:
    county = users["county"]
    with store.session(world.url) as s:
        own = s.scalar(select(t.Enterprise.uscc).where(t.Enterprise.county_code == accounts.county))
        other = s.scalar(
            select(t.Enterprise.uscc).where(t.Enterprise.county_code != accounts.county)
        )
    page = county.get("/cases/candidates")
    assert 'id="add-form"' in page.text
    assert 'id="add-form"' not in users["city"].get("/cases/candidates").text
    add = {"csrf_token": csrf_of(page.text), "year": "2023", "measure": "relocated"}
    r = county.post(
        "/cases/add",
        data={**add, "uscc": own, "reason": "群众举报能耗异常"},
        follow_redirects=False,
    )
    assert r.status_code == 303
    page = text_of(county.get(r.headers["location"]))
    assert "已办理：列入整治名单。" in page and "县级增列：群众举报能耗异常" in page
    r = county.post("/cases/add", data={**add, "uscc": other, "reason": "越界"})
    assert r.status_code == 403 and 'id="add-error"' in r.text
    assert f'value="{other}"' in r.text  # the form keeps what was typed


def test_the_board_counts_a_regions_cases_for_those_who_may_see_them(
    users: dict[str, TestClient], accounts: CaseAccounts
) -> None:
    county = text_of(users["county"].get("/cases?year=2022"))
    assert 'id="case-counties"' not in county and 'id="case-months-data"' in county
    assert '<a href="/cases">整治提升</a>' in county
    city = text_of(users["city"].get("/cases?year=2022"))
    assert f'<tr data-region="{accounts.county}">' in city
    assert int(re.search(r'id="count-cases">(\d+)<', city).group(1)) > 0  # type: ignore[union-attr]
    done = users["city"].get("/cases?year=2022&state=completed").text
    states = re.findall(r'<tr data-case="\d+" data-state="(\w+)"', done)
    assert states and set(states) == {"completed"}
    province = text_of(users["province"].get("/cases"))
    assert "整治成效" in province and re.search(
        r'<tr data-case="\d+"( class="still-poor")?>', province
    )
    assert users["viewer"].get("/cases").status_code == 403
    assert "/cases" not in users["department"].get("/milestones").text


def test_the_case_pages_speak_english(case_app: FastAPI, accounts: CaseAccounts) -> None:
    en = client_for(case_app, accounts.county_user)
    en.get("/lang/en?next=/")
    review = text_of(en.get("/cases/candidates"))
    assert "<h1>Candidate review</h1>" in review and "<th>Expected freed land (mu)</th>" in review
    assert "筛查候选核实" not in review and "预计腾出用地" not in review
    board = text_of(en.get("/cases"))
    assert "Completions and verifications by month" in board and "逐月完成" not in board
