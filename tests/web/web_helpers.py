"""Helpers of the web tests: a small demo world (one copy per test process), the app over it,
signed-in clients per role, and a real uvicorn server for the browser tests. Kept out of
conftest.py under a unique module name (see tests/lake/lake_helpers.py)."""

from __future__ import annotations

import os
import re
import socket
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from worlds import copy_world, kept_unwritten, pointed_at, shared_world
from zhuansheng import demo, engine, programme, report, store, users
from zhuansheng.collect import templates
from zhuansheng.store import tables as t
from zhuansheng.web import WebSettings, create_app
from zhuansheng.workspace import at

ROOT = Path(__file__).resolve().parents[2]
# the checkout's node_modules unless ZHUANSHENG_NODE_MODULES names another (as the app does)
NODE_MODULES = Path(os.environ.get("ZHUANSHENG_NODE_MODULES") or ROOT / "node_modules")
PASSWORD = "correct-horse-battery"
# role → user name in the demo world (the analyst, department and viewer are added here)
USERS = {
    "province_admin": "admin",
    "province_analyst": "analyst",
    "city": "u330100",  # 杭州市
    "county": "u330102",  # 上城区 (杭州市)
    "department": "dept",
    "viewer": "viewer",
}
DEPARTMENT_UNIT = "省经信厅"  # the unit the department account speaks for
OTHER_COUNTY = "330603"  # 柯桥区 (绍兴市): outside 杭州's scope


@dataclass
class World:
    root: Path
    url: str
    editable_county: str  # a county with no submission yet for PERIOD
    own_uscc: str  # an enterprise in 上城区
    other_uscc: str  # an enterprise in 柯桥区
    period: str = "2022-12"

    @property
    def reports(self) -> Path:
        return self.root / "var" / "reports"


def _chosen_county(s: object) -> str:
    """The first county without a 2022-12 submission (the upload tests fill it in)."""
    done = {
        c
        for (c,) in s.execute(  # type: ignore[attr-defined]
            select(t.Submission.region_code).where(t.Submission.period == "2022-12")
        )
    }
    return s.scalar(  # type: ignore[attr-defined, no-any-return]
        select(t.Region.code)
        .where(t.Region.level == "county", t.Region.code.not_in(done))
        .order_by(t.Region.code)
    )


def _build_web_world() -> None:
    """A small demo world, evaluated, with the accounts the tests sign in as."""
    demo.build(seed=5, enterprises=600)
    for kind in ("carbon", "mujun", "screen"):
        engine.evaluate(kind, 2022)
    with store.session() as s:
        for role in ("province_analyst", "department", "viewer"):
            units = [DEPARTMENT_UNIT] if role == "department" else []
            users.add_user(s, USERS[role], role, units=units)
        users.set_demo_passwords(s)
        for name in USERS.values():
            users.set_password(s, name, PASSWORD)
        county = _chosen_county(s)
        users.set_password(s, f"u{county}", PASSWORD)
        users.set_password(s, f"u{county[:4]}00", PASSWORD)  # its city


def web_source(factory: pytest.TempPathFactory) -> Path:
    """The web tests' world (seed 5, 600 firms, evaluated, with accounts), built once per run."""
    return shared_world(factory, "web-seed5-600", _build_web_world)


@contextmanager
def private_world(factory: pytest.TempPathFactory, name: str) -> Iterator[World]:
    """A copy of the web tests' world for one module that writes (the shared one stays as it
    was); the World's enterprise and county fields are left empty."""
    source = web_source(factory)
    root = copy_world(source, factory.mktemp(name) / "world")
    with kept_unwritten(source), pointed_at(root):
        yield World(root, f"sqlite:///{root / 'var' / 'zhuansheng.db'}", "", "", "")


def _rehome_runs(root: Path) -> None:
    """Point the evaluation runs' result files into the copy (the runs store absolute paths)."""
    with store.session() as s:
        for run in s.scalars(select(t.EvaluationRun)):
            if run.output_path:
                inside = Path(run.output_path).as_posix().rsplit("/var/lake/", 1)[1]
                run.output_path = str(root / "var" / "lake" / inside)


@pytest.fixture(scope="session")
def web_world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """The web tests' world, one copy per test process of a world built once per run."""
    source = web_source(tmp_path_factory)
    root = copy_world(source, tmp_path_factory.mktemp("web-world") / "world")
    url = f"sqlite:///{root / 'var' / 'zhuansheng.db'}"
    with kept_unwritten(source), pointed_at(root):
        _rehome_runs(root)
        with store.session() as s:
            county = _chosen_county(s)
            own = s.scalar(select(t.Enterprise.uscc).where(t.Enterprise.county_code == "330102"))
            other = s.scalar(
                select(t.Enterprise.uscc).where(t.Enterprise.county_code == OTHER_COUNTY)
            )
        assert county and own and other
        yield World(root, url, county, own, other)


@dataclass
class CaseAccounts:
    county: str  # the county with the most screening candidates, outside 绍兴市 …
    county_user: str  # … its user …
    city_user: str  # … its city's user …
    stranger: str  # … and the user of 绍兴市, another city


def case_accounts(world: World) -> CaseAccounts:
    """The accounts the case page tests sign in as, with the test password, in ``world`` (a
    private copy: the county is chosen among the candidates the copy still has)."""
    stranger_city = OTHER_COUNTY[:4] + "00"
    with store.session(world.url) as s:
        q = select(t.ScreeningCandidate.county_code).where(
            t.ScreeningCandidate.status == "candidate"
        )
        found = Counter(c for c in s.scalars(q) if not c.startswith(stranger_city[:4]))
        county = max(sorted(found), key=found.__getitem__)
        accounts = CaseAccounts(county, f"u{county}", f"u{county[:4]}00", f"u{stranger_city}")
        for name in (accounts.county_user, accounts.city_user, accounts.stranger):
            users.set_password(s, name, PASSWORD)
    return accounts


def make_settings(web_world: World, **changes: object) -> WebSettings:
    return WebSettings(
        database_url=web_world.url,
        secret="test-secret",
        node_modules=NODE_MODULES,
        reports_dir=web_world.reports,
        **changes,
    )  # type: ignore[arg-type]


@dataclass
class Reports:
    province: str  # file names in web_world.reports: the province's quarterly briefing …
    own: str  # … 上城区's (the county user's own) …
    other: str  # … and 柯桥区's, outside 杭州's scope


@pytest.fixture(scope="session")
def reports(web_world: World) -> Reports:
    """Three real quarterly briefings (docx) of 2022Q2, sharing one read of the store."""
    sources = report.Sources("2022Q2", ws=at(web_world.url))
    names = [
        report.generate(
            "quarterly", "2022Q2", region=code, out_dir=web_world.reports, sources=sources
        )[0].name
        for code in (None, "330102", OTHER_COUNTY)
    ]
    return Reports(*names)


@pytest.fixture(scope="session")
def app(web_world: World):  # type: ignore[no-untyped-def]
    return create_app(make_settings(web_world))


CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(html: str) -> str:
    m = CSRF.search(html)
    assert m, "no CSRF field on the page"
    return m.group(1)


def login(client: TestClient, username: str, password: str = PASSWORD) -> TestClient:
    page = client.get("/login")
    r = client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": csrf_of(page.text)},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    return client


def client_for(app, username: str | None) -> TestClient:  # type: ignore[no-untyped-def]
    c = TestClient(app, raise_server_exceptions=False)
    return login(c, username) if username else c


def fill_template(blank: Path, out: Path, *, bad_cell: bool = False) -> Path:
    """Fill a template as a county would: this period = last period's value (ratios as a
    numerator over 1000). With ``bad_cell`` the first 本期值 holds text instead of a number."""
    catalogue = programme.indicators()
    wb = openpyxl.load_workbook(blank)
    ws = wb["填报"]
    first = True
    for row in ws.iter_rows(min_row=5):
        code = row[1].value
        if code not in catalogue:
            continue
        previous = row[4].value if isinstance(row[4].value, int | float) else 1.0
        ind = catalogue[code]
        if ind.aggregation in ("ratio", "share"):
            row[7].value, row[9].value = previous * 1000 / (ind.scale or 1), 1000
        else:
            row[6].value = "一百二十台" if bad_cell and first else previous
            first = False
    wb.save(out)
    return out


def blank_template(web_world: World, region: str, folder: Path) -> Path:
    return templates.write_template(
        region, web_world.period, folder / f"blank-{region}.xlsx", ws=at(web_world.url)
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(web_world: World) -> Iterator[str]:
    """A real uvicorn server on a free loopback port, in a thread of this process."""
    with serving(web_world) as base:
        yield base


@contextmanager
def serving(world: World) -> Iterator[str]:
    """A real uvicorn server over ``world`` on a free loopback port, in a thread."""
    with serving_app(create_app(make_settings(world))) as base:
        yield base


@contextmanager
def serving_app(app: FastAPI) -> Iterator[str]:
    """A real uvicorn server for ``app`` on a free loopback port, in a thread."""
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 180  # generous for a busy machine; polled, not waited
    while not srv.started:
        assert time.monotonic() < deadline, "server did not start"
        assert thread.is_alive(), "the server stopped before it started"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(60)
