"""The county's case list as a workbook and its import: a good file applies every row in one
go, a file with bad rows names each row and column and writes nothing, a dry run writes nothing,
and a case changed since export is a conflict for its row — on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import func, select

import worlds
from zhuansheng import store, users
from zhuansheng.collect import case_bulk
from zhuansheng.errors import InputRejected
from zhuansheng.lake import uscc
from zhuansheng.services import cases
from zhuansheng.services.context import Caller
from zhuansheng.store import tables as t
from zhuansheng.workspace import at

SC = "330102"  # 上城区
FIRM_A, FIRM_B = (uscc.make("9", "1", SC, uscc.organization_code(f"{n:08d}")) for n in (1, 2))


@pytest.fixture
def url(store_url: str) -> Iterator[str]:
    """Two confirmed cases of 上城区 2022: A planned (version 2), B only confirmed (version 1)."""
    worlds.seed_2022(store_url)
    with store.session(store_url) as s:
        users.add_user(s, "sc", "county", SC)
        worlds.screening(s, [(FIRM_A, "上城甲厂", SC), (FIRM_B, "上城乙厂", SC)], [FIRM_A, FIRM_B])
        ids = list(s.scalars(select(t.ScreeningCandidate.id).order_by(t.ScreeningCandidate.id)))
    sc = caller(store_url, "sc")
    a = cases.confirm(sc, ids[0], "upgrade")
    cases.confirm(sc, ids[1], "closed")
    p = cases.PlanInput("upgrade", "张三", [cases.parse_action("更换电机@2099-06-30")])
    cases.plan(sc, a["case_id"], a["version"], p)
    yield store_url


def caller(url: str, name: str) -> Caller:
    with store.session(url) as s:
        return Caller(at(url), users.actor(s, name))


def snapshot(url: str) -> list[tuple[int, int, str]]:
    """(case, version, state) of every case and the number of events: what a refusal keeps."""
    with store.session(url) as s:
        events = s.scalar(select(func.count()).select_from(t.CaseEvent))
        rows = [(c.id, c.version, c.status) for c in s.scalars(select(t.Case).order_by(t.Case.id))]
    return [*rows, (0, events or 0, "events")]


def fill(path: Path, values: dict[str, dict[str, str]]) -> None:
    """Write ``values`` ({uscc: {column: text}}) into the exported workbook's rows."""
    book = openpyxl.load_workbook(path)
    ws = book[case_bulk.SHEET]
    header = [c.value for c in ws[2]]
    for row in ws.iter_rows(min_row=3):
        firm = row[header.index("统一社会信用代码")].value
        for column, text in values.get(firm, {}).items():
            row[header.index(column)].value = text
    book.save(path)


def exported(url: str, tmp_path: Path) -> Path:
    return cases.template(caller(url, "sc"), SC, 2022, tmp_path / "cases.xlsx")


def test_template_lists_the_county_cases(url: str, tmp_path: Path) -> None:
    ws = openpyxl.load_workbook(exported(url, tmp_path))[case_bulk.SHEET]
    header = [c.value for c in ws[2]]
    assert tuple(header) == case_bulk.COLUMNS
    rows = {r[2]: r for r in ws.iter_rows(min_row=3, values_only=True)}
    a, b = rows[FIRM_A], rows[FIRM_B]
    assert (a[1], a[4], a[7], a[8], a[9]) == ("2", "已制定整治方案", "upgrade", "张三",
                                              "更换电机@2099-06-30")  # fmt: skip
    assert (b[1], b[4], b[5]) == ("1", "已列入整治名单", "plan")
    assert ws.protection.sheet  # the locked columns cannot be typed over


def test_good_file_applies_every_row(url: str, tmp_path: Path) -> None:
    path = exported(url, tmp_path)
    fill(path, {
        FIRM_A: {"操作": "update", "整治进展": "电机已到货"},
        FIRM_B: {"操作": "plan", "整治措施": "closed", "整治责任人": "李四",
                 "整改措施": "停产@2099-03-31；拆除设备@2099-09-30", "腾出用地（亩）": "12.5"},
    })  # fmt: skip
    done = cases.import_file(caller(url, "sc"), path)
    assert [(r["row"], r["action"], r["state"], r["version"]) for r in done] == [
        (3, "update", "in_progress", 3),  # A: planned at version 2, +1
        (4, "plan", "planned", 2),  # B: confirmed at version 1, +1
    ]
    b = cases.show(caller(url, "sc"), done[1]["case_id"])
    assert (b["responsible"], b["expected_land_mu"]) == ("李四", 12.5)
    assert [x["action"] for x in b["actions"]] == ["停产", "拆除设备"]
    assert cases.show(caller(url, "sc"), done[0]["case_id"])["progress"] == "电机已到货"


def test_two_bad_rows_are_named_and_nothing_is_written(url: str, tmp_path: Path) -> None:
    path = exported(url, tmp_path)
    fill(path, {
        FIRM_A: {"操作": "complete", "腾出用地（亩）": "3"},  # energy missing
        FIRM_B: {"操作": "update", "整治进展": "已停产"},  # confirmed: must be planned first
    })  # fmt: skip
    before = snapshot(url)
    with pytest.raises(InputRejected) as refused:
        cases.import_file(caller(url, "sc"), path)
    located = [(p.sheet, p.row, p.column) for p in refused.value.problems]
    assert located == [(case_bulk.SHEET, 3, "腾出用能（吨标准煤）"), (case_bulk.SHEET, 4, "操作")]
    assert "制定方案（plan）" in refused.value.problems[1].message
    assert snapshot(url) == before


def test_dry_run_writes_nothing(url: str, tmp_path: Path) -> None:
    path = exported(url, tmp_path)
    fill(path, {FIRM_A: {"操作": "update", "整治进展": "电机已到货"}})
    before = snapshot(url)
    done = cases.import_file(caller(url, "sc"), path, dry_run=True)
    assert [(r["row"], r["state"], r["version"]) for r in done] == [(3, "in_progress", 3)]
    assert snapshot(url) == before


def test_stale_version_is_refused_for_its_row(url: str, tmp_path: Path) -> None:
    path = exported(url, tmp_path)  # A exported at version 2
    sc = caller(url, "sc")
    a = next(r for r in cases.list_cases(sc) if r["uscc"] == FIRM_A)
    cases.update(sc, a["case_id"], 2, "另一人先报了进展")  # A is now version 3
    fill(path, {
        FIRM_A: {"操作": "update", "整治进展": "电机已到货"},
        FIRM_B: {"操作": "plan", "整治措施": "closed", "整治责任人": "李四",
                 "整改措施": "停产@2099-03-31"},
    })  # fmt: skip
    before = snapshot(url)
    with pytest.raises(InputRejected) as refused:
        cases.import_file(sc, path)
    [p] = refused.value.problems
    assert (p.row, p.column) == (3, "版本")
    assert "第 2 版" in p.message and "第 3 版" in p.message
    assert snapshot(url) == before  # B's good row is not written either


def test_unknown_and_repeated_cases_are_named(url: str, tmp_path: Path) -> None:
    path = exported(url, tmp_path)
    fill(path, {FIRM_A: {"操作": "update", "整治进展": "电机已到货"}})
    book = openpyxl.load_workbook(path)
    ws = book[case_bulk.SHEET]
    header = [c.value for c in ws[2]]
    first = [c.value for c in ws[3]]
    ws.append(first)  # row 5: case A again
    ws.append(first)  # row 6: an unknown case
    ws.cell(6, header.index("案件编号") + 1).value = "99"
    book.save(path)
    before = snapshot(url)
    with pytest.raises(InputRejected) as refused:
        cases.import_file(caller(url, "sc"), path)
    assert [(p.row, p.column) for p in refused.value.problems] == [(5, "案件编号"), (6, "案件编号")]
    assert "与第 3 行重复" in refused.value.problems[0].message
    assert "没有编号为 99" in refused.value.problems[1].message
    assert snapshot(url) == before


def test_a_completion_row_keeps_what_uses_the_freed_land(url: str, tmp_path: Path) -> None:
    sc = caller(url, "sc")
    a = next(r for r in cases.list_cases(sc, year=2022) if r["uscc"] == FIRM_A)
    cases.update(sc, a["case_id"], a["version"], "设备已更换")
    path = exported(url, tmp_path)
    fill(path, {FIRM_A: {"操作": "complete", "腾出用地（亩）": "2.5",
                         "腾出用能（吨标准煤）": "60", "腾出土地用途": "引进新项目"}})  # fmt: skip
    (done,) = cases.import_file(sc, path)
    shown = cases.show(sc, done["case_id"])
    assert (shown["state"], shown["freed_land_mu"], shown["land_use"]) == (
        "completed",
        2.5,
        "引进新项目",
    )
