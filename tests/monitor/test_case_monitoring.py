"""Task 14 (二.(五).14) monitored from the rectification cases, on a small hand-made world driven
through the case services day by day: the county's firms, freed land and energy against its
allocation under both counting bases (case_counts_from), a reopened case dropping out, the
overdue and awaiting-verification warnings, and the briefing's 高耗低效企业整治提升 section — on
SQLite and PostgreSQL.

The world (上城区 SC and 西湖区 XH of 杭州市; allocations to 上城区 only):

    firm  county  plan deadline  story (dates in 2022)
    A     SC      04-30          completed 03-20 (8 亩, 200 tce); verification fails 07-05;
                                 completed again 08-10 (8 亩, 210 tce)
    B     SC      05-31          in progress, never completed → overdue from June
    C     XH      12-31          completed 05-10 (5 亩, 120 tce), verified 06-15; still class D
    D     XH      04-30          in progress → overdue from May
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from docx import Document
from sqlalchemy import select
from typer.testing import CliRunner

import worlds
from zhuansheng import report, store, users
from zhuansheng.cli import app
from zhuansheng.lake import uscc
from zhuansheng.monitor import analysis, default_config
from zhuansheng.monitor.views import Monitor
from zhuansheng.periods import parse_period
from zhuansheng.services import allocations, cases, monitoring
from zhuansheng.services.context import Caller
from zhuansheng.store import tables as t
from zhuansheng.workspace import at

SC, XH, HZ = "330102", "330106", "330100"  # 上城区, 西湖区, 杭州市
A, B, C, D = (
    uscc.make("9", "1", county, uscc.organization_code(f"{n:08d}"))
    for n, county in ((11, SC), (12, SC), (13, XH), (14, XH))
)
NAMES = {A: "上城甲厂", B: "上城乙厂", C: "西湖丙厂", D: "西湖丁厂"}
TASK14 = ("low_efficiency_rectified", "freed_land", "freed_energy")
runner = CliRunner()


def day(month: int, d: int) -> dt.date:
    return dt.date(2022, month, d)


def caller(url: str, name: str, on: dt.date) -> Caller:
    with store.session(url) as s:
        return Caller(at(url), users.actor(s, name), on=on)


def plan(url: str, name: str, case_id: int, version: int, deadline: str, on: dt.date) -> None:
    p = cases.PlanInput(
        measure="upgrade",
        responsible="经信局",
        actions=[cases.parse_action(f"更换高效电机@{deadline}")],
        expected_land_mu=10.0,
        expected_energy_tce=250.0,
    )
    cases.plan(caller(url, name, on), case_id, version, p)


@pytest.fixture
def world(store_url: str) -> Iterator[tuple[str, dict[str, int]]]:
    """The four cases as of 20 March 2022 (A just completed); the rest is up to each test."""
    worlds.seed_2022(store_url)
    with store.session(store_url) as s:
        for name, role, region in (("prov", "province_admin", None), ("hz", "city", HZ),
                                   ("sc", "county", SC), ("xh", "county", XH)):  # fmt: skip
            users.add_user(s, name, role, region)
        firms = [(f, NAMES[f], SC if f in (A, B) else XH) for f in (A, B, C, D)]
        worlds.screening(s, firms, [A, B, C, D])
    # the province allocates the three targets to 上城区: 4 firms, 40 亩, 1 000 tce
    prov = caller(store_url, "prov", day(1, 20))
    allocated = [
        (2022, "low_efficiency_rectified", SC, 4.0),
        (2022, "freed_land", SC, 40.0),
        (2022, "freed_energy", SC, 1000.0),
    ]
    allocations.import_values(prov, allocated, source_name="2022年分解下达（测试）")
    ids: dict[str, int] = {}
    with store.session(store_url) as s:
        cands = dict(s.execute(select(t.ScreeningCandidate.uscc, t.ScreeningCandidate.id)).all())
    for firm, who, deadline in ((A, "sc", "2022-04-30"), (B, "sc", "2022-05-31"),
                                (C, "xh", "2022-12-31"), (D, "xh", "2022-04-30")):  # fmt: skip
        cid = cases.confirm(caller(store_url, who, day(2, 10)), cands[firm], "upgrade")["case_id"]
        plan(store_url, who, cid, 1, deadline, day(2, 15))
        cases.update(caller(store_url, who, day(3, 1)), cid, 2, "设备已采购")
        ids[firm] = cid
    cases.complete(caller(store_url, "sc", day(3, 20)), ids[A], 3, 8.0, 200.0)
    yield store_url, ids


def run(url: str, period: str, counts_from: str = "completed") -> Monitor:
    cfg = default_config().model_copy(update={"case_counts_from": counts_from})
    p = parse_period(period)
    return Monitor(analysis.analyse(p.year, ws=at(url), config=cfg), p)


def figures(m: Monitor, region: str) -> tuple[float | None, ...]:
    """(firms, 亩, tce) of the region, year to date at the period."""
    rows = {r.target: r for r in m.by_region(region)}
    return tuple(rows[target].actual for target in TASK14)


def test_the_shipped_basis_is_completion() -> None:
    assert default_config().case_counts_from == "completed"


def test_a_completed_case_counts_in_its_month_against_the_allocation(
    world: tuple[str, dict[str, int]],
) -> None:
    url, ids = world
    # A completed 20 March: nothing in February, 1 firm, 8 亩, 200 tce from March
    assert figures(run(url, "2022-02"), SC) == (0.0, 0.0, 0.0)
    m = run(url, "2022-03")
    assert figures(m, SC) == (1.0, 8.0, 200.0)
    rows = {r.target: r for r in m.by_region(SC)}
    firms = rows["low_efficiency_rectified"]
    # 上城区's own allocation is its target: completion 1 ÷ 4 = 25 %, 8 ÷ 40 = 20 %,
    # 200 ÷ 1 000 = 20 %
    assert (firms.target_source, firms.target_value, firms.completion) == ("allocation", 4.0, 0.25)
    assert rows["freed_land"].completion == pytest.approx(8 / 40)
    assert rows["freed_energy"].completion == pytest.approx(200 / 1000)
    assert "按整治完成（含已验收）计入完成当月" in firms.rule
    # C completes 10 May in 西湖区: 西湖区 and 杭州市 move by 1 firm, 5 亩, 120 tce; 上城区 not
    cases.complete(caller(url, "xh", day(5, 10)), ids[C], 3, 5.0, 120.0)
    m = run(url, "2022-05")
    assert figures(m, XH) == (1.0, 5.0, 120.0)
    assert figures(m, SC) == (1.0, 8.0, 200.0)
    assert figures(m, HZ) == (1.0 + 1.0, 8.0 + 5.0, 200.0 + 120.0)
    # 西湖区 has no allocation: its row has the figure and no target
    xh = {r.target: r for r in m.by_region(XH)}["low_efficiency_rectified"]
    assert (xh.target_value, xh.status) == (None, "no_target")


def test_with_the_verified_basis_only_verified_cases_count_in_their_month(
    world: tuple[str, dict[str, int]],
) -> None:
    url, ids = world
    cases.complete(caller(url, "xh", day(5, 10)), ids[C], 3, 5.0, 120.0)
    # completed, not verified: nothing counts in either county
    assert figures(run(url, "2022-05", "verified"), SC) == (0.0, 0.0, 0.0)
    assert figures(run(url, "2022-05", "verified"), XH) == (0.0, 0.0, 0.0)
    cases.verify(caller(url, "hz", day(6, 15)), ids[C], 4, passed=True)
    # verified 15 June: counts in June, not in May (when it was completed)
    assert figures(run(url, "2022-05", "verified"), XH) == (0.0, 0.0, 0.0)
    m = run(url, "2022-06", "verified")
    assert figures(m, XH) == (1.0, 5.0, 120.0)
    assert figures(m, SC) == (0.0, 0.0, 0.0)  # A is completed, still awaiting verification
    firms = next(r for r in m.by_region(XH) if r.target == "low_efficiency_rectified")
    assert "按验收通过计入验收当月" in firms.rule
    # the completed basis counts both: A in March, C in May
    assert figures(run(url, "2022-06"), HZ) == (2.0, 8.0 + 5.0, 200.0 + 120.0)


def test_a_reopened_case_stops_counting_until_completed_again(
    world: tuple[str, dict[str, int]],
) -> None:
    url, ids = world
    assert figures(run(url, "2022-06"), SC) == (1.0, 8.0, 200.0)
    cases.verify(caller(url, "hz", day(7, 5)), ids[A], 4, passed=False, reason="能耗未核实")
    # reopened: A counts in no month any more
    assert figures(run(url, "2022-06"), SC) == (0.0, 0.0, 0.0)
    assert figures(run(url, "2022-12"), SC) == (0.0, 0.0, 0.0)
    cases.complete(caller(url, "sc", day(8, 10)), ids[A], 5, 8.0, 210.0)
    # completed again 10 August: counts from August with the new figures, not from March
    assert figures(run(url, "2022-07"), SC) == (0.0, 0.0, 0.0)
    assert figures(run(url, "2022-08"), SC) == (1.0, 8.0, 210.0)


def test_overdue_and_awaiting_verification_warnings(world: tuple[str, dict[str, int]]) -> None:
    url, ids = world
    prov = caller(url, "prov", day(7, 1))
    # 30 April: no deadline has passed yet (A's and D's are 30 April itself); A (completed
    # 20 March) awaits verification
    april = monitoring.case_warnings(prov, "2022-04")
    assert (april["overdue"], april["awaiting_verification"]) == (0, 1)
    # 31 May: D (in progress, deadline 30 April) is overdue; B's deadline is 31 May itself
    may = monitoring.case_warnings(prov, "2022-05")
    assert (may["overdue"], may["awaiting_verification"]) == (1, 1)
    assert [c["name"] for c in may["cases"] if c["warning"] == "overdue"] == ["西湖丁厂"]
    # 30 June: B and D overdue, A awaiting verification
    june = monitoring.case_warnings(prov, "2022-06")
    assert (june["overdue"], june["awaiting_verification"]) == (2, 1)
    assert june["warning_zh"] == "2 户整治企业逾期未完成，1 户已完成待验收"
    # by county, the most first: 上城区 B + A = 2, 西湖区 D = 1
    assert [(c["region_name"], c["overdue"], c["awaiting_verification"], c["warning_zh"])
            for c in june["counties"]] == [
        ("上城区", 1, 1, "1 户整治企业逾期未完成，1 户已完成待验收"),
        ("西湖区", 1, 0, "1 户整治企业逾期未完成"),
    ]  # fmt: skip
    # the quarter ends on the same day as June
    assert monitoring.case_warnings(prov, "2022Q2")["counties"] == june["counties"]
    # a county sees its own; the city verifies A, and 上城区 has only B left
    sc = monitoring.case_warnings(caller(url, "sc", day(7, 1)), "2022-06", SC)
    assert [(c["name"], c["warning"]) for c in sc["cases"]] == [
        ("上城乙厂", "overdue"), ("上城甲厂", "awaiting_verification"),
    ]  # fmt: skip
    cases.verify(caller(url, "hz", day(7, 2)), ids[A], 4, passed=True)
    sc = monitoring.case_warnings(prov, "2022-06", SC)
    assert (sc["overdue"], sc["awaiting_verification"]) == (1, 0)
    # D completed: no longer overdue
    cases.complete(caller(url, "xh", day(7, 3)), ids[D], 3, 1.0, 10.0)
    xh = monitoring.case_warnings(prov, "2022-06", XH)
    assert (xh["overdue"], xh["awaiting_verification"]) == (0, 0)


def test_the_cli_lists_the_case_warnings(world: tuple[str, dict[str, int]]) -> None:
    out = runner.invoke(app, ["monitor", "--period", "2022-06", "--by", "warnings"])
    assert out.exit_code == 0, out.output
    text = "".join(out.stdout.split())  # table cells wrap on a narrow terminal
    assert "高耗低效整治预警" in text and "上城区" in text and "西湖区" in text
    assert "2户整治企业逾期未完成，1户已完成待验收" in text
    # one county; a group has no cases of its own, and the province's are shown
    args = ["monitor", "--period", "2022-06", "--by", "warnings", "-r"]
    out = runner.invoke(app, [*args, SC])
    text = "".join(out.stdout.split())
    assert out.exit_code == 0 and "上城区高耗低效整治预警" in text and "西湖区" not in text
    out = runner.invoke(app, [*args, "mountain26"])
    assert out.exit_code == 0 and "浙江省高耗低效整治预警" in "".join(out.stdout.split())
    out = runner.invoke(app, ["monitor", "--period", "2022-06", "--by", "cases", "-f", "csv"])
    assert out.exit_code == 0, out.output
    lines = out.stdout.splitlines()
    assert lines[0].startswith("case_id,uscc,name,region")
    assert [line.split(",")[2] for line in lines[1:]] == ["西湖丁厂", "上城乙厂", "上城甲厂"]


def evaluation(url: str, tmp: Path, year: int, rows: list[dict[str, object]]) -> None:
    """An evaluation run of ``year`` with 亩均 classes and 碳效 grades by firm."""
    path = tmp / f"mujun-{year}.parquet"
    pq.write_table(pa.Table.from_pylist(rows), path)
    with store.session(url) as s:
        s.add(
            t.EvaluationRun(
                run_id=f"mujun-{year}-test", method="mujun", year=year, method_file="m.yaml",
                method_sha256="0" * 64, engine="duckdb", output_path=str(path),
            )
        )  # fmt: skip


def standing(firm: str, mujun_class: str, carbon_grade: int) -> dict[str, object]:
    return {"uscc": firm, "mujun_class": mujun_class, "carbon_grade": carbon_grade}


def briefing_text(path: Path) -> str:
    return "\n".join(p.text for p in Document(str(path)).paragraphs)


def test_the_briefing_states_the_cases(world: tuple[str, dict[str, int]], tmp_path: Path) -> None:
    url, ids = world
    cases.complete(caller(url, "xh", day(5, 10)), ids[C], 3, 5.0, 120.0)
    cases.verify(caller(url, "hz", day(6, 15)), ids[C], 4, passed=True)
    # C was class D when listed (2022) and still is in 2023; A improved to C
    evaluation(url, tmp_path, 2022, [standing(C, "D", 4), standing(A, "D", 5)])
    evaluation(url, tmp_path, 2023, [standing(C, "D", 4), standing(A, "C", 3)])
    paths = report.generate(
        "quarterly", "2022Q2", formats=("docx", "xlsx"), out_dir=tmp_path / "out",
        generated_on=day(7, 8),
    )  # fmt: skip
    docx, xlsx = sorted(paths, key=lambda p: p.suffix)
    text = briefing_text(docx)
    assert "四、高耗低效企业整治提升" in text
    # 1—6月: A (March) and C (May) completed: 2 firms, 8 + 5 = 13 亩, 200 + 120 = 320 tce
    assert "全省整治提升高耗低效企业2家" in text
    assert "腾出用地13亩" in text and "腾出用能320吨标煤" in text
    assert "统计口径：整治企业数和腾出用地、用能按整治完成（含已验收）计入完成当月" in text
    # 30 June: B (上城区) and D (西湖区) overdue, A awaiting verification; C verified
    assert "截至2022年6月30日，全省有2户整治企业逾期未完成，1户已完成待验收" in text
    assert (
        "逾期未完成的整治企业：西湖丁厂（西湖区，整治中，整治期限2022年4月30日）、"
        "上城乙厂（上城区，整治中，整治期限2022年5月31日）。"
    ) in text
    assert "已完成待验收的整治企业：上城甲厂（上城区，2022年3月20日完成整治）。" in text
    assert (
        "户数较多的是上城区（1户整治企业逾期未完成，1户已完成待验收）、西湖区（1户整治企业逾期未完成）。"
        "请督促逾期企业加快整治，对已完成整治的企业及时组织验收。"
    ) in text
    # C verified 15 June and still class D in 2023; A is not verified, so not listed
    assert "有1户在最近一年的评价中仍为亩均效益D类或碳效5级" in text
    assert "西湖丙厂（西湖区，2022年6月15日验收，2023年亩均效益仍为 D 类）" in text
    # 上城区's own briefing: its two cases, without naming the county again
    (own,) = report.generate(
        "quarterly", "2022Q2", region=SC, formats=("docx",), out_dir=tmp_path / "sc",
        generated_on=day(7, 8),
    )  # fmt: skip
    text = briefing_text(own)
    text = text[text.index("四、高耗低效企业整治提升") : text.index("五、")]
    assert "截至2022年6月30日，全区有1户整治企业逾期未完成，1户已完成待验收。请督促" in text
    assert "逾期未完成的整治企业：上城乙厂（整治中，整治期限2022年5月31日）。" in text
    assert "户数较多" not in text and "西湖" not in text
    book = openpyxl.load_workbook(xlsx, read_only=True)
    flagged = list(book["整治预警"].iter_rows(values_only=True))
    assert [r[1] for r in flagged[1:]] == ["西湖丁厂", "上城乙厂", "上城甲厂"]
    assert flagged[1][3:7] == ("西湖区", "整治中", "逾期未完成", "2022-04-30")
    poor = list(book["整治成效存疑"].iter_rows(values_only=True))
    assert [(r[1], r[9]) for r in poor[1:]] == [("西湖丙厂", "D")]


@pytest.mark.usefixtures("world")
def test_a_long_list_is_cut_with_its_total() -> None:
    cfg = report.load_config()
    one = cfg.model_copy(update={"cases": cfg.cases.model_copy(update={"list_limit": 1})})
    src = report.Sources("2022Q2")
    content = report.build("quarterly", src, config=one, generated_on=day(7, 8))
    text = "\n".join(getattr(b, "text", "") for b in content.blocks)
    # two overdue firms, one named: “等2户”
    assert "逾期未完成的整治企业：西湖丁厂（西湖区，整治中，整治期限2022年4月30日）等2户" in text
