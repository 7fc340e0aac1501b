"""What monitoring counts (count_from) and totals with too few reports (coverage), on hand-made
worlds with the arithmetic written out, and a draft upload in the demo world."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import select
from typer.testing import CliRunner

import worlds
from zhuansheng import monitor, programme, store, users, workspace
from zhuansheng.cli import app
from zhuansheng.collect import workflow
from zhuansheng.monitor.rows import ProgressRow
from zhuansheng.services import accounts, monitoring, submissions
from zhuansheng.services.context import Caller
from zhuansheng.store import observations as obs
from zhuansheng.store import tables as t
from zhuansheng.workspace import at

HUZHOU = "330500"  # five counties: 吴兴 330502, 南浔 330503, 德清 330521, 长兴 330522, 安吉 330523
WUXING, NANXUN, DEQING, CHANGXING, ANJI = "330502", "330503", "330521", "330522", "330523"
UPLOAD = obs.Source(recorded_by="test", kind="file", name="hand-made.xlsx")


@pytest.fixture
def url(store_url: str) -> Iterator[str]:
    worlds.seed_2022(store_url)
    with store.session(store_url) as s:
        pk = s.scalar(select(t.Target.id).where(t.Target.target_id == "robots_new"))
        s.add(t.Allocation(target_pk=pk, region_code=HUZHOU, value=1000))
        for county in (WUXING, NANXUN, DEQING, CHANGXING, ANJI):
            users.add_user(s, f"u{county}", "county", county)
        users.add_user(s, "huzhou", "city", HUZHOU)
        users.add_user(s, "prov", "province_admin")
    yield store_url


def upload(url: str, county: str, value: float) -> None:
    """A county's robots for 1—6月 saved into its draft, as an import does."""
    with store.session(url) as s:
        workflow.ensure_draft(s, county, "2022-06", users.actor(s, f"u{county}"))
        obs.record(s, "robots", county, "2022-06", value, UPLOAD)


def step(url: str, action: str, county: str, user: str, reason: str = "") -> None:
    with store.session(url) as s:
        workflow.act(s, action, county, "2022-06", users.actor(s, user), reason)


def row(url: str, region: str, count_from: str | None = None, **cfg: object) -> ProgressRow:
    config = monitor.default_config().model_copy(update=cfg) if cfg else None
    m = monitor.run("2022-06", ws=at(url), count_from=count_from, config=config)
    (found,) = m.rows(region=region, target="robots_new")
    return found


def test_a_draft_counts_only_when_imported_is_asked_for(url: str) -> None:
    for county, value in ((WUXING, 10), (NANXUN, 20), (DEQING, 30), (ANJI, 40)):
        upload(url, county, value)
        step(url, "submit", county, f"u{county}")
    upload(url, CHANGXING, 500)  # saved, never submitted
    # submitted (the default): 10 + 20 + 30 + 40 = 100 from 4 of 5 counties; 4/5 = 0.8 < 0.9
    city = row(url, HUZHOU)
    assert city.actual == 100
    assert (city.reported, city.expected) == (4, 5)
    assert city.coverage_zh == "4/5 地区已报送"
    assert city.status == "insufficient_coverage" and city.colour == "grey"
    assert city.status_zh == "报送不足" and "4/5 地区已报送" in city.rule
    draft = row(url, CHANGXING)
    assert draft.actual is None and draft.status == "no_data"
    # the province adds 90 counties, 4 of which count: no colour either
    province = row(url, "330000")
    assert (province.reported, province.expected) == (4, 90)
    assert province.status == "insufficient_coverage"
    # imported: the draft counts; 600 of 1000 by June, linear s(6) = 6/12 (no 2021 pattern):
    # pace r = (600 / 1000) / 0.5 = 1.2 ≥ 1.0 → ahead, from 5/5 counties
    every = row(url, HUZHOU, "imported")
    assert every.actual == 600 and (every.reported, every.expected) == (5, 5)
    assert every.pace == pytest.approx(1.2) and every.status == "ahead"
    assert every.coverage_zh == "5/5 地区已报送"


def test_the_coverage_threshold_is_a_setting(url: str) -> None:
    for county, value in ((WUXING, 10), (NANXUN, 20), (DEQING, 30), (ANJI, 40)):
        upload(url, county, value)
        step(url, "submit", county, f"u{county}")
    # with 80 %, 4/5 is enough: c = 100 / 1000 = 0.1, r = 0.1 / 0.5 = 0.2 < 0.9 → behind
    city = row(url, HUZHOU, coverage_threshold=0.8)
    assert city.status == "behind" and city.pace == pytest.approx(0.2)
    # a single county is never withheld: 吴兴 has no allocation of its own → no_target
    assert row(url, WUXING).coverage_zh == ""


def test_levels_return_and_unlock(url: str) -> None:
    upload(url, WUXING, 10)
    step(url, "submit", WUXING, f"u{WUXING}")
    assert row(url, WUXING).actual == 10
    assert row(url, WUXING, "approved").actual is None  # submitted, not yet approved
    step(url, "approve", WUXING, "huzhou")
    assert row(url, WUXING, "approved").actual == 10
    assert row(url, WUXING, "accepted").actual is None
    step(url, "accept", WUXING, "prov")
    assert row(url, WUXING, "accepted").actual == 10
    # unlocked for a correction, a new value drafted: what was accepted keeps counting, as of
    # its last submit (10), at the level it had reached, until it is submitted again
    step(url, "unlock", WUXING, "prov", "漏报一家企业")
    upload(url, WUXING, 12)
    assert row(url, WUXING).actual == 10
    assert row(url, WUXING, "accepted").actual == 10
    assert row(url, WUXING, "imported").actual == 12
    step(url, "submit", WUXING, f"u{WUXING}")
    assert row(url, WUXING).actual == 12
    assert row(url, WUXING, "approved").actual is None  # re-submitted: approved again first
    # a return rejects what was sent: nothing of 南浔 counts until it is submitted again
    upload(url, NANXUN, 20)
    step(url, "submit", NANXUN, f"u{NANXUN}")
    step(url, "return", NANXUN, "huzhou", "口径有误")
    assert row(url, NANXUN).actual is None
    assert row(url, NANXUN, "imported").actual == 20


def test_engine_values_need_no_submission(url: str) -> None:
    with store.session(url) as s:
        engine = obs.Source(recorded_by="engine", kind="engine", name="evaluate run=1")
        obs.record(s, "robots", ANJI, "2022-06", 7, engine)
    assert row(url, ANJI, "accepted").actual == 7


def test_a_status_change_changes_the_cache_key(url: str) -> None:
    upload(url, WUXING, 10)
    cache = monitoring.MonitorCache(at(url), recheck_s=0)
    before = cache.get("2022-06")
    step(url, "submit", WUXING, f"u{WUXING}")
    after = cache.get("2022-06")
    assert after.analysis is not before.analysis
    assert after.rows(region=WUXING, target="robots_new")[0].actual == 10
    assert before.rows(region=WUXING, target="robots_new")[0].actual is None


# -- a draft upload in the demo world -------------------------------------------------------------


def _fill(blank: Path, out: Path) -> Path:
    """This period = the previous period's value (ratios as numerator over 1000)."""
    catalogue = programme.indicators()
    wb = openpyxl.load_workbook(blank)
    sheet = wb["填报"]
    for line in sheet.iter_rows(min_row=5):
        ind = catalogue.get(line[1].value)
        if ind is None:
            continue
        previous = line[4].value if isinstance(line[4].value, int | float) else 1.0
        if ind.aggregation in ("ratio", "share"):
            line[7].value, line[9].value = previous * 1000 / (ind.scale or 1), 1000
        else:
            line[6].value = previous * 1.1
    wb.save(out)
    return out


def _statuses(m: monitor.Monitor) -> dict[tuple[str, str], str]:
    return {
        (r.target, r.region): r.status
        for level in ("province", "city", "county", "group", "pilot")
        for r in m.rows(level=level)
    }


def test_a_draft_upload_changes_no_status_until_it_is_submitted(
    demo_world: Path, tmp_path: Path
) -> None:
    ws = workspace.current()
    period = "2022-12"
    with store.session(ws.database_url) as s:
        sent = set(s.scalars(select(t.Submission.region_code).where(t.Submission.period == period)))
        county = next(
            r.code
            for r in s.scalars(select(t.Region).where(t.Region.level == "county"))
            if r.code not in sent
        )  # a late reporter: nothing of it counts for December
    caller = Caller(ws, accounts.actor(ws, f"u{county}"))
    before = _statuses(monitor.run(period, ws=ws))
    blank, _ = submissions.template(caller, county, period)
    (tmp_path / "upload").mkdir()  # import_upload removes the upload's folder
    path = _fill(blank, tmp_path / "upload" / f"{county}-{period}.xlsx")
    shutil.rmtree(blank.parent)
    result = submissions.import_upload(caller, path, county, period, "核实无误", False)
    assert result.written > 0
    with store.session(ws.database_url) as s:
        assert workflow.get(s, county, period).status == "draft"
    assert _statuses(monitor.run(period, ws=ws)) == before
    drafted = _statuses(monitor.run(period, ws=ws, count_from="imported"))
    assert any(drafted[k] != v for k, v in before.items() if k[1] == county)
    submissions.act(caller, "submit", county, period)
    after = _statuses(monitor.run(period, ws=ws))
    changed = {k for k, v in before.items() if after[k] != v}
    assert any(region == county for _, region in changed)
    assert all(before[k] == "no_data" for k in changed if k[1] == county)


def test_the_command_line_takes_count_from(url: str) -> None:
    upload(url, WUXING, 10)
    step(url, "submit", WUXING, f"u{WUXING}")
    upload(url, NANXUN, 20)  # a draft
    args = ["monitor", "-p", "2022-06", "-r", HUZHOU, "-t", "robots_new", "-f", "json"]
    runner = CliRunner()
    (submitted,) = json.loads(runner.invoke(app, args).stdout)
    assert submitted["actual"] == 10 and submitted["coverage_zh"] == "1/5 地区已报送"
    assert submitted["status"] == "insufficient_coverage"
    (every,) = json.loads(runner.invoke(app, [*args, "--count-from", "imported"]).stdout)
    assert every["actual"] == 10 + 20 and every["reported"] == 2
    table = runner.invoke(app, [*args[:-2], "--count-from", "accepted"])
    assert table.exit_code == 0 and "统计口径：已确认数据" in table.stdout
    wrong = runner.invoke(app, [*args, "--count-from", "drafts"])
    assert wrong.exit_code == 2
