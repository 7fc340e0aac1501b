"""What the case loop adds to a case: evidence files with a progress update, overdue from the
plan's deadlines, a region's board, and the firm's standing before and after rectification read
from evaluation results in Parquet — on SQLite and PostgreSQL."""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import uuid
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from case_helpers import FIRM_A, FIRM_C, SC, caller, candidate_id, plan_input, url
from sqlalchemy import func, select

from zhuansheng import store
from zhuansheng.errors import Forbidden, InputRejected
from zhuansheng.services import cases
from zhuansheng.store import tables as t

__all__ = ["url"]  # the fixture

RUNS = itertools.count()  # each run started after the one before
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64  # the PNG signature is what the content check reads


def on(c: cases.Caller, day: dt.date) -> cases.Caller:
    return dataclasses.replace(c, on=day)


def test_progress_with_evidence_kept_and_downloadable(url: str, tmp_path: Path) -> None:
    sc = caller(url, "sc")
    cid = cases.confirm(sc, candidate_id(url, FIRM_A), "upgrade")["case_id"]
    cases.plan(sc, cid, 1, plan_input())
    photo = tmp_path / "现场照片.png"
    photo.write_bytes(PNG)
    done = cases.update(sc, cid, 2, "旧设备已拆除", evidence=[(photo, "现场照片.png")])
    assert done["evidence"] == ["现场照片.png"]
    (event,) = [e for e in cases.show(sc, cid)["events"] if e["action"] == "update"]
    (f,) = event["evidence"]
    assert (f["file_name"], f["size_bytes"]) == ("现场照片.png", len(PNG))
    path, name = cases.evidence_file(caller(url, "hz"), f["evidence_id"])  # the city sees it
    assert (path.read_bytes(), name) == (PNG, "现场照片.png")
    with pytest.raises(Forbidden):
        cases.evidence_file(caller(url, "nb"), f["evidence_id"])  # another city does not

    # a file whose content is not what its name says: refused, nothing written
    fake = tmp_path / "验收报告.pdf"
    fake.write_bytes(b"MZ not a pdf")
    with pytest.raises(InputRejected):
        cases.update(sc, cid, 3, "补充材料", evidence=[(fake, "验收报告.pdf")])
    with store.session(url) as s:
        assert s.scalar(select(func.count()).select_from(t.CaseEvidence)) == 1
        assert s.get(t.Case, cid).version == 3


def test_overdue_from_the_last_deadline(url: str) -> None:
    sc = on(caller(url, "sc"), dt.date(2022, 3, 1))
    cid = cases.confirm(sc, candidate_id(url, FIRM_A), "upgrade")["case_id"]
    plan = plan_input(
        actions=[
            cases.parse_action("制定方案@2022-04-30"),
            cases.parse_action("完成改造@2022-09-30"),  # the last deadline
        ]
    )
    cases.plan(sc, cid, 1, plan)
    # on the last deadline itself the case is not yet overdue; the day after it is
    assert cases.show(on(sc, dt.date(2022, 9, 30)), cid)["overdue"] is False
    late = cases.show(on(sc, dt.date(2022, 10, 1)), cid)
    assert (late["overdue"], late["deadline"]) == (True, dt.date(2022, 9, 30))
    cases.update(on(sc, dt.date(2022, 10, 1)), cid, 2, "进度滞后，正在追赶")
    cases.complete(on(sc, dt.date(2022, 10, 20)), cid, 3, 5.0, 120.0, land_use="政府收储")
    done = cases.show(on(sc, dt.date(2022, 12, 1)), cid)
    assert (done["overdue"], done["land_use"], done["closed_on"]) == (
        False,
        "政府收储",
        dt.date(2022, 10, 20),
    )  # completed: no longer overdue


def test_board_counts_and_sums(url: str) -> None:
    sc, xh = caller(url, "sc"), caller(url, "xh")
    hz = on(caller(url, "hz"), dt.date(2022, 11, 15))
    a = cases.confirm(on(sc, dt.date(2022, 2, 1)), candidate_id(url, FIRM_A), "upgrade")
    c = cases.confirm(on(xh, dt.date(2022, 2, 1)), candidate_id(url, FIRM_C), "closed")
    # 上城: planned (expected 10 亩, 250 tce), then completed with 8 亩 and 200 tce, verified
    cases.plan(on(sc, dt.date(2022, 3, 1)), a["case_id"], 1, plan_input())
    cases.update(on(sc, dt.date(2022, 4, 1)), a["case_id"], 2, "改造中")
    cases.complete(on(sc, dt.date(2022, 10, 5)), a["case_id"], 3, 8.0, 200.0)
    cases.verify(hz, a["case_id"], 4, passed=True)
    # 西湖: planned with a deadline that passed (expected 4 亩, 90 tce)
    late = plan_input(
        actions=[cases.parse_action("关停@2022-06-30")],
        expected_land_mu=4.0,
        expected_energy_tce=90.0,
    )
    cases.plan(on(xh, dt.date(2022, 3, 1)), c["case_id"], 1, late)

    board = cases.board(hz, region="330100", year=2022)
    total = board["total"]
    assert total["cases"] == 2
    assert total["by_state"]["verified"] == 1 and total["by_state"]["planned"] == 1
    assert total["overdue"] == 1  # 西湖's deadline 2022-06-30 < 2022-11-15
    assert total["expected_land_mu"] == 10.0 + 4.0
    assert total["expected_energy_tce"] == 250.0 + 90.0
    assert (total["freed_land_mu"], total["verified_land_mu"]) == (8.0, 8.0)
    assert board["by_month"] == [{"month": "2022-10", "completed": 1, "verified": 0},
                                 {"month": "2022-11", "completed": 0, "verified": 1}]  # fmt: skip
    by_county = {r["region"]: r for r in board["counties"]}
    assert set(by_county) == {SC, "330106"}
    assert by_county[SC]["freed_energy_tce"] == 200.0 and by_county["330106"]["overdue"] == 1
    (city,) = board["cities"]  # 杭州市: the same sums as its two counties
    assert (city["region"], city["cases"], city["freed_land_mu"]) == ("330100", 2, 8.0)
    # a county sees its own board only
    assert [r["region"] for r in cases.board(xh, year=2022)["counties"]] == ["330106"]
    with pytest.raises(Forbidden):
        cases.board(caller(url, "nb"), region="330100")


def _run(url: str, tmp: Path, method: str, year: int, rows: list[dict]) -> None:
    """An evaluation run of ``year`` whose results file holds ``rows``."""
    path = tmp / f"{method}-{year}.parquet"
    pq.write_table(pa.Table.from_pylist(rows), path)
    with store.session(url) as s:
        s.add(
            t.EvaluationRun(
                run_id=f"{method}-{year}-{uuid.uuid4().hex[:6]}",
                method=method,
                year=year,
                method_file=f"{method}.yaml",
                method_sha256="0" * 64,
                engine="duckdb",
                output_path=str(path),
                started_at=dt.datetime(2030, 1, 1, tzinfo=dt.UTC) + dt.timedelta(hours=next(RUNS)),
            )
        )


def test_outcomes_before_and_after_and_the_still_poor_warning(url: str, tmp_path: Path) -> None:
    sc, hz = caller(url, "sc"), caller(url, "hz")
    cid = cases.confirm(sc, candidate_id(url, FIRM_A), "upgrade")["case_id"]
    cases.plan(sc, cid, 1, plan_input())
    cases.update(sc, cid, 2, "改造中")
    cases.complete(sc, cid, 3, 8.0, 200.0)
    cases.verify(hz, cid, 4, passed=True)
    assert cases.outcomes(hz, year=2022)[0]["after"]["year"] is None  # no later evaluation yet

    # 2022 (the list's year): class D, score 41.5, grade 5; 2023: class D still, grade 3
    _run(
        url,
        tmp_path,
        "screen",
        2022,
        [{"uscc": FIRM_A, "mujun_score": 41.5, "mujun_class": "D", "carbon_grade": 5}],
    )
    _run(url, tmp_path, "mujun", 2023, [{"uscc": FIRM_A, "mujun_score": 55.25, "mujun_class": "D"}])
    _run(url, tmp_path, "carbon", 2023, [{"uscc": FIRM_A, "carbon_grade": 3}])  # fmt: skip
    (o,) = cases.outcomes(hz, year=2022)
    assert o["before"] == {"year": 2022, "mujun_score": 41.5, "mujun_class": "D", "carbon_grade": 5}
    assert o["after"] == {"year": 2023, "mujun_score": 55.25, "mujun_class": "D", "carbon_grade": 3}
    assert o["still_poor"] is True
    assert o["warning"] == "已验收为整治完成，但 2023 年亩均效益仍为 D 类，请核实整治成效"
    assert [r["case_id"] for r in cases.outcomes(hz, still_poor=True)] == [cid]
    assert cases.show(sc, cid)["warning"] == o["warning"]

    # a later 2023 亩均 run moves the firm to class C: no longer still poor
    _run(url, tmp_path, "mujun", 2023, [{"uscc": FIRM_A, "mujun_score": 63.0, "mujun_class": "C"}])
    (o,) = cases.outcomes(hz, year=2022)
    assert (o["after"]["mujun_class"], o["still_poor"], o["warning"]) == ("C", False, "")
    assert cases.outcomes(hz, still_poor=True) == []


def test_no_still_poor_warning_before_verification(url: str, tmp_path: Path) -> None:
    sc = caller(url, "sc")
    cid = cases.confirm(sc, candidate_id(url, FIRM_A), "upgrade")["case_id"]
    poor = {"uscc": FIRM_A, "mujun_score": 30.0, "mujun_class": "D", "carbon_grade": 5}
    _run(url, tmp_path, "screen", 2023, [poor])
    shown = cases.show(sc, cid)  # still confirmed: the standing shows, no warning
    assert (shown["after"]["mujun_class"], shown["still_poor"], shown["warning"]) == (
        "D",
        False,
        "",
    )


def test_a_stranger_uploading_a_bad_file_is_refused_for_scope_first(
    url: str, tmp_path: Path
) -> None:
    sc = caller(url, "sc")
    cid = cases.confirm(sc, candidate_id(url, FIRM_A), "upgrade")["case_id"]
    cases.plan(sc, cid, 1, plan_input())
    fake = tmp_path / "x.pdf"
    fake.write_bytes(b"not a pdf")
    with pytest.raises(Forbidden):  # not a content error: the file is not even read
        cases.update(caller(url, "xh"), cid, 2, "进展", evidence=[(fake, "x.pdf")])
