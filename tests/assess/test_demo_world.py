"""Assessment on a demo world: 11 cities, 90 counties, 48 pilots; stored runs; the CLI."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path

import fastexcel
import pytest
from typer.testing import CliRunner

from zhuansheng import assess, reference
from zhuansheng.cli import app

runner = CliRunner()
CITIES = {r.code for r in reference.regions() if r.level == "city"}
COUNTIES = {r.code for r in reference.regions() if r.level == "county"}

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module", autouse=True)
def _analyses_forgotten() -> Iterator[None]:
    # The monitoring analyses are cached by year and store URL, and the URL here is the default
    # (None), so one analysis serves every test's copy of the world: the copies hold the same
    # observations, and no test here changes them. Later modules must not be answered from it.
    yield
    assess.inputs.clear_cache()


def test_the_eleven_cities_are_ranked_for_2022q2(demo_world: Path) -> None:
    r = assess.run(period="2022Q2", level="city")
    assert {row.region for row in r.rows} == CITIES
    assert [row.rank for row in r.rows] == sorted(row.rank for row in r.rows)
    assert r.rows[0].rank == 1 and r.synthetic
    assert (r.scheme_id, r.scheme_version) == ("quarterly-2022", "2022.1")
    # a rank change against 2022Q1 for every city, and the changes cancel out overall
    changes = [row.rank_change for row in r.rows]
    assert None not in changes and sum(changes) == 0
    weights = {i.id: i.weight for i in r.indicators}
    assert sum(weights.values()) == pytest.approx(1.0)
    for row in r.rows:
        # additive: the indicators' points plus bonus minus penalty make the score
        total = sum(row.contributions.values()) + row.bonus - row.penalty
        assert row.score == pytest.approx(total, abs=1e-3)
        assert set(row.contributions) == set(weights)
        assert row.grade in assess.GRADES and row.rank_median is None


def test_counties_and_pilots_work(demo_world: Path) -> None:
    counties = assess.run("2022Q2", "county", sensitivity=200)
    assert {row.region for row in counties.rows} == COUNTIES
    assert all(row.rank_p05 <= row.rank_median <= row.rank_p95 for row in counties.rows)
    summary = counties.sensitivity_summary
    assert set(summary.shifts) == {"weights", "normalisation", "leave_one_out"}
    # the factor named as moving ranks most is the one with the largest mean shift
    assert summary.shifts[summary.dominant] == max(summary.shifts.values()) > 0
    pilots = assess.run("2022Q2", "pilot")
    assert len(pilots.rows) == 48
    assert {row.region for row in pilots.rows} == {p.pilot_id for p in reference.pilots()}
    assert set(pilots.rows[0].contributions) == {i.id for i in pilots.indicators}
    assert pilots.notes and "企业数据" in pilots.notes[0]
    annual = assess.run("2022", "city")
    assert annual.scheme_id == "annual-2022" and len(annual.rows) == 11
    assert [row.grade for row in annual.rows][:2] == ["优秀", "优秀"]  # top 20 % of 11: ranks 1–2


def test_a_stored_run_is_shown_and_reproduced(demo_world: Path) -> None:
    r = assess.run("2022Q2", "city", sensitivity=100, seed=11)
    stored = assess.load_run(r.run_id)
    assert stored.rows == r.rows
    assert stored.sensitivity_summary == r.sensitivity_summary
    again = assess.reproduce(r.run_id)
    assert again.rows == r.rows and again.scheme_sha256 == r.scheme_sha256
    assert any(x["run_id"] == r.run_id for x in assess.runs(period="2022Q2"))


def test_a_changed_scheme_changes_the_stored_version(demo_world: Path, tmp_path: Path) -> None:
    text = assess.scheme.shipped_path("quarterly-2022.yaml").read_text(encoding="utf-8")
    path = tmp_path / "mine.yaml"
    path.write_text(
        text.replace('version: "2022.1"', 'version: "2022.2-entropy"').replace(
            "weights: expert", "weights: entropy"
        ),
        encoding="utf-8",
    )
    r = assess.run("2022Q2", "city", scheme=path)
    assert r.scheme_version == "2022.2-entropy" and r.weights == "entropy"
    assert sum(i.weight for i in r.indicators) == pytest.approx(1.0)
    path.write_text("changed afterwards", encoding="utf-8")
    assert assess.reproduce(r.run_id).rows == r.rows  # the stored scheme text, not the file


def test_cli_json_csv_xlsx(demo_world: Path, tmp_path: Path) -> None:
    base = ["assess", "--period", "2022Q2", "--level", "city", "--sensitivity", "300"]
    out = runner.invoke(app, [*base, "--format", "json"])
    assert out.exit_code == 0, out.output
    rows = json.loads(out.stdout)
    assert len(rows) == 11
    need = {
        "region",
        "score",
        "rank",
        "rank_change",
        "grade",
        "rank_median",
        "rank_p05",
        "rank_p95",
    }
    assert need <= set(rows[0])
    assert all(r["rank_p05"] <= r["rank_p95"] for r in rows)
    out = runner.invoke(app, [*base, "--format", "csv", "--no-store"])
    assert out.exit_code == 0, out.output
    table = list(csv.DictReader(io.StringIO(out.stdout)))
    assert len(table) == 11 and "contribution_robots" in table[0]
    xlsx = tmp_path / "rank.xlsx"
    out = runner.invoke(
        app, ["assess", "-p", "2022", "-l", "county", "-f", "xlsx", "-o", str(xlsx)]
    )
    assert out.exit_code == 0, out.output
    sheet = fastexcel.read_excel(xlsx).load_sheet(0).to_pandas()
    assert len(sheet) == 90 and sheet["region"].astype(str).str.len().eq(6).all()
    out = runner.invoke(app, ["assess", "--period", "2022Q2"])
    assert out.exit_code == 0 and "合成演示数据" in out.stdout and "季度运行评价" in out.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--period", "2022-06"], "不是月份"),
        (["--period", "2022Q5"], "无法识别的期间"),
        (["--period", "2021Q4"], "没有 2021 年的默认季度运行评价方案"),
        (["--period", "2022Q2", "--level", "town"], "town"),
    ],
)
def test_cli_errors_are_clear(demo_world: Path, args: list[str], message: str) -> None:
    out = runner.invoke(app, ["assess", *args])
    assert out.exit_code == 2
    assert message in out.output


def test_cli_bad_scheme_names_the_line(demo_world: Path, tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    text = assess.scheme.shipped_path("quarterly-2022.yaml").read_text(encoding="utf-8")
    path.write_text(text.replace("weights: expert", "weights: experts"), encoding="utf-8")
    out = runner.invoke(app, ["assess", "--period", "2022Q2", "--scheme", str(path)])
    assert out.exit_code == 2
    line = next(i for i, t in enumerate(path.read_text().splitlines(), 1) if "experts" in t)
    assert f"第 {line} 行" in out.output and "experts" in out.output
