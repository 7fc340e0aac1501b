"""`zhuansheng monitor` on a demo world: views, formats, and clear errors."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import fastexcel
import pytest
from typer.testing import CliRunner

from zhuansheng.cli import app

runner = CliRunner()
REQUIRED = {
    "target",
    "clause",
    "region",
    "period",
    "actual",
    "target_value",
    "completion",
    "schedule",
    "pace",
    "status",
    "projection",
    "projected_status",
}


def _json(*args: str) -> list[dict]:
    out = runner.invoke(app, ["monitor", "--period", "2022-06", *args, "--format", "json"])
    assert out.exit_code == 0, out.output
    return json.loads(out.stdout)


def test_the_demo_shows_a_mix_of_statuses_across_regions(module_demo_world: Path) -> None:
    rows = _json()
    assert rows and set(rows[0]) >= REQUIRED
    assert {r["level"] for r in rows} == {"province", "city"}
    colours = {r["colour"] for r in rows}
    assert {"green", "yellow", "red"} <= colours
    statuses = {r["status"] for r in rows}
    assert {"ahead", "behind"} <= statuses and len(statuses) >= 6
    # one target, all cities: some ahead of schedule, some behind
    robots = [r for r in rows if r["target"] == "robots_new" and r["level"] == "city"]
    assert len(robots) == 11
    assert len({r["status"] for r in robots}) >= 2
    assert all(r["rule"] for r in rows)
    out = runner.invoke(app, ["monitor", "--period", "2022-06"])
    assert out.exit_code == 0
    assert "2022年1—6月 月度监测分析" in out.stdout  # the table (cells wrap on narrow terminals)


def test_views(module_demo_world: Path) -> None:
    region = _json("--by", "region", "--region", "330600")
    assert {r["region"] for r in region} == {"330600"}
    # 64 targets less the 14 milestones (reported by provincial units) and the bank-loan target
    # (reported for the province only)
    assert len(region) == 64 - 14 - 1
    target = _json("--by", "target", "--target", "robots_new", "--level", "county")
    assert [r["level"] for r in target].count("county") == 90
    assert target[0]["level"] == "province"
    warnings = _json("--by", "warnings")
    assert warnings and {r["colour"] for r in warnings} == {"red"}
    severities = [r["severity"] for r in warnings]
    assert severities == sorted(severities, reverse=True)
    led = _json("--by", "unit", "--unit", "省经信厅")
    assert led and all(
        "省经信厅" in r["lead_units"].split("、") + r["co_units"].split("、") for r in led
    )
    # a unit that leads nothing still sees the targets it works on as a co-unit (配合)
    co = _json("--by", "unit", "--unit", "省科技厅")
    assert co and all(
        "省科技厅" in r["co_units"].split("、") for r in co if "省科技厅" not in r["lead_units"]
    )
    assert any("省科技厅" not in r["lead_units"].split("、") for r in co)
    areas = _json("--by", "area")
    assert {a["area"] for a in areas} >= {"digital", "green", "goal", "safeguard"}
    assert sum(a["targets"] for a in areas) == 64
    pilots = _json("--level", "pilot", "--target", "robots_new")
    assert len(pilots) == 48 and "P01" in {p["region"] for p in pilots}
    groups = _json("--level", "group", "--target", "robots_new")
    assert {g["region"] for g in groups} == {"mountain26", "pilots"}


def test_csv_and_xlsx(module_demo_world: Path, tmp_path: Path) -> None:
    out = runner.invoke(app, ["monitor", "-p", "2022Q2", "-f", "csv"])
    assert out.exit_code == 0
    rows = list(csv.DictReader(io.StringIO(out.stdout)))
    assert set(rows[0]) >= REQUIRED and rows[0]["period"] == "2022-06"
    path = tmp_path / "m.xlsx"
    out = runner.invoke(app, ["monitor", "-p", "2022-06", "-f", "xlsx", "-o", str(path)])
    assert out.exit_code == 0, out.output
    sheet = fastexcel.read_excel(path).load_sheet(0)
    assert sheet.height == len(rows)
    table = sheet.to_arrow().to_pydict()
    assert set(table["period"]) == {"2022-06"}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--period", "2022-13"], "无法识别的期间"),
        (["--period", "2022-06", "--region", "339999"], "未知的地区或分组代码"),
        (["--period", "2022-06", "--target", "nope"], "没有目标 'nope'"),
        (["--period", "2022-06", "--level", "town"], "未知的层级"),
        (["--period", "2022-06", "--format", "xlsx"], "须用 -o"),
        (["--period", "2021-06"], "没有 2021 年的工作要点"),
    ],
)
def test_bad_input_is_a_clear_error(module_demo_world: Path, args: list[str], message: str) -> None:
    out = runner.invoke(app, ["monitor", *args])
    assert out.exit_code == 2
    assert message in out.output
