"""NUL and other control characters in a text cell: refused by the shared readers with the cell
named, after the first 4 KB too (where the content check does not look), nothing written, on
SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import xlsxwriter
from sqlalchemy import func, select

import worlds
from zhuansheng import store, users
from zhuansheng.collect.registers import import_register
from zhuansheng.errors import InputRejected
from zhuansheng.store import tables as t
from zhuansheng.uploads import read_table
from zhuansheng.workspace import at

HEADER = ["registry_kind", "name", "uscc", "region_code", "recognised_on", "batch"]


@pytest.fixture
def url(store_url: str) -> Iterator[str]:
    worlds.seed_2022(store_url)
    with store.session(store_url) as s:
        users.add_user(s, "prov", "province_admin")
    yield store_url


def rows(bad: str, at_row: int = 150) -> list[list[str]]:
    """150 registry rows (well over 4 KB); data row ``at_row`` has ``bad`` inside its name."""
    out = []
    for i in range(1, 151):
        name = f"演示·未来工厂{i:03d}号"
        if i == at_row:
            name = f"演示·A{bad}B"
        out.append(["future_factory", name, "", "330603", "2022-06-15", "2022年第一批"])
    return out


def write_csv(path: Path, bad: str) -> Path:
    lines = [",".join(HEADER)] + [",".join(r) for r in rows(bad)]
    path.write_bytes("\n".join(lines).encode("utf-8"))
    assert path.read_bytes().index(bad.encode()) > 4096
    return path


def write_xlsx(path: Path, bad: str) -> Path:
    wb = xlsxwriter.Workbook(str(path))  # writes a control character as _xHHHH_, as Excel does
    ws = wb.add_worksheet("名单")
    ws.write_row(0, 0, HEADER)
    for i, r in enumerate(rows(bad), start=1):
        ws.write_row(i, 0, r)
    wb.close()
    return path


def entries(url: str) -> int:
    with store.session(url) as s:
        return s.scalar(select(func.count()).select_from(t.RegistryEntry)) or 0


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
@pytest.mark.parametrize(("bad", "named"), [("\x00", "NUL"), ("\x1b", "U+001B")])
def test_a_control_character_in_a_text_cell_is_refused_with_the_cell_named(
    url: str, tmp_path: Path, kind: str, bad: str, named: str
) -> None:
    writer = write_csv if kind == "csv" else write_xlsx
    path = writer(tmp_path / f"未来工厂.{kind}", bad)
    with pytest.raises(InputRejected) as err:
        import_register("registry", path, user="prov", ws=at(url))
    (problem,) = err.value.problems
    assert (problem.row, problem.column) == (151, "B")
    assert problem.sheet == ("未来工厂.csv" if kind == "csv" else "名单")
    assert named in problem.message and "控制字符" in problem.message
    assert "第 151 行 B 列" in problem.where
    assert entries(url) == 0


def test_tab_and_line_breaks_stay_and_excel_escapes_are_decoded(tmp_path: Path) -> None:
    path = tmp_path / "ok.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("表")
    ws.write_string(0, 0, "甲\t乙\r\n丙")
    ws.write_string(1, 0, "_x0041_ 是字面文字")  # written as _x005F_x0041_
    wb.close()
    sheet = read_table(path)
    assert sheet.cell("A1").value == "甲\t乙\r\n丙"
    assert sheet.cell("A2").value == "_x0041_ 是字面文字"
    csv = tmp_path / "ok.csv"
    csv.write_text('a,b\n"甲\t乙","丙\r\n丁"\n', encoding="utf-8")
    assert read_table(csv).cell("A2").value == "甲\t乙"
