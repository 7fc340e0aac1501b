"""On the demo world: ``assess --explain`` exports what a ranking was computed from, and one
region's score is recomputed by hand from the exported sheets; a draft scheme in the programme
folder is refused without ``--draft`` and labelled with it, in the CLI and in a report."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import docx
import fastexcel
import pytest
from typer.testing import CliRunner

from zhuansheng import assess
from zhuansheng.assess import draft
from zhuansheng.cli import app
from zhuansheng.workspace import current

runner = CliRunner()

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module", autouse=True)
def _analyses_forgotten() -> Iterator[None]:
    yield
    assess.inputs.clear_cache()


def _sheets(path: Path) -> dict[str, list[dict]]:
    book = fastexcel.read_excel(path)
    return {
        name: book.load_sheet(name, dtypes={"region": "string"}).to_pandas().to_dict("records")
        if name != "说明"
        else book.load_sheet(name).to_pandas().to_dict("records")
        for name in book.sheet_names
    }


def test_explain_lets_an_office_recompute_a_rank_by_hand(
    module_demo_world: Path, tmp_path: Path
) -> None:
    path = tmp_path / "explain.xlsx"
    out = runner.invoke(
        app,
        ["assess", "--period", "2022Q2", "--explain", "-o", str(path), "-f", "json", "--no-store"],
    )
    assert out.exit_code == 0, out.output
    ranking = json.loads(out.stdout)  # the ranking itself still goes to the screen
    sheets = _sheets(path)
    assert list(sheets) == ["说明", "原始值", "目标值", "标准化值", "权重", "贡献分"]
    weights = {w["indicator"]: w for w in sheets["权重"]}
    # the shipped quarterly scheme's expert weights 10, 10, 10, 5, 5, 5, 10, 5, 5, 5, 10, 10, 10
    # (sum 100) for the 13 city indicators: robots 10 / 100 = 0.1, pinzibiao 5 / 100 = 0.05
    assert len(weights) == 13
    assert weights["robots"]["weight"] == pytest.approx(0.10)
    assert weights["pinzibiao"]["weight"] == pytest.approx(0.05)
    assert sum(w["weight"] for w in weights.values()) == pytest.approx(1.0)

    # one region, the third-ranked, by hand: every indicator is measure: pace with cap 1 and the
    # completion normalisation, so I = min(max(x ÷ t, 0), 1) with t = 1 (missing x → 0);
    # points = weight × I × 100; score = Σ points + bonus − penalty
    third = next(r for r in sheets["贡献分"] if r["rank"] == 3)
    code = third["region"]
    raw = next(r for r in sheets["原始值"] if r["region"] == code)
    own = next(r for r in sheets["目标值"] if r["region"] == code)
    norm = next(r for r in sheets["标准化值"] if r["region"] == code)
    total = 0.0
    for ind, w in weights.items():
        x, t = raw[ind], own[ind]
        assert w["measure"] == "pace" and w["normalisation"] == "completion" and w["cap"] == 1
        i = 0.0 if x != x else min(max(x / t, 0.0), 1.0)  # x != x: missing (NaN)
        assert norm[ind] == pytest.approx(i, abs=1e-6)
        points = w["weight"] * i * 100
        assert third[ind] == pytest.approx(points, abs=1e-5)
        total += points
    score = total + third["bonus"] - third["penalty"]
    assert third["score"] == pytest.approx(score, abs=1e-3)
    listed = next(r for r in ranking if r["region"] == code)
    assert (listed["rank"], listed["score"]) == (3, pytest.approx(score, abs=1e-3))
    # every region's rank follows from the scores (higher first)
    by_score = sorted(sheets["贡献分"], key=lambda r: -r["score"])
    assert [r["rank"] for r in by_score] == sorted(r["rank"] for r in by_score)
    about = {r["项目"]: r["内容"] for r in sheets["说明"]}
    assert about["方案状态"] == "已审定" and "quarterly-2022" in about["评价方案"]


def test_explain_needs_an_xlsx_file(module_demo_world: Path, tmp_path: Path) -> None:
    out = runner.invoke(app, ["assess", "--period", "2022Q2", "--explain", "--no-store"])
    assert out.exit_code == 2 and "--explain" in out.output
    out = runner.invoke(
        app, ["assess", "-p", "2022Q2", "--explain", "-o", str(tmp_path / "x.csv"), "--no-store"]
    )
    assert out.exit_code == 2 and ".xlsx" in out.output
    assert not (tmp_path / "x.csv").exists()


def test_a_draft_in_the_programme_folder_needs_draft_and_says_so(
    demo_world: Path, tmp_path: Path
) -> None:
    out = runner.invoke(app, ["assess", "scheme", "init", "--year", "2022", "--kind", "quarterly"])
    assert out.exit_code == 0, out.output
    path = current().programme_dir / "schemes" / "quarterly-2022.yaml"
    assert path.is_file()
    refused = runner.invoke(app, ["assess", "--period", "2022Q2"])
    assert refused.exit_code == 2
    message = " ".join(refused.output.split())
    assert "草案" in message and "status: approved" in message and "--draft" in message
    assert assess.runs(period="2022Q2") == []  # nothing stored for a refused run
    used = runner.invoke(app, ["assess", "--period", "2022Q2", "--draft"])
    assert used.exit_code == 0, used.output
    assert "评价方案为草案" in used.output and "2022.0-draft" in used.output
    (run,) = assess.runs(period="2022Q2")
    assert run["draft"] is True and run["scheme_version"] == "2022.0-draft"
    as_json = runner.invoke(app, ["assess", "-p", "2022Q2", "--draft", "-f", "json", "--no-store"])
    rows = json.loads(as_json.stdout)
    assert len(rows) == 11 and all(r["draft"] is True for r in rows)

    # a report built from it says so; without --draft its ranking section says why it is missing
    out = runner.invoke(
        app, ["report", "quarterly", "-p", "2022Q2", "-f", "docx", "-o", str(tmp_path / "d")]
    )
    assert out.exit_code == 0, out.output
    text = _docx_text(next((tmp_path / "d").glob("*.docx")))
    assert "排名从略" in text and "尚未审定" in text and "以下排名仅供试算" not in text
    out = runner.invoke(
        app,
        ["report", "quarterly", "-p", "2022Q2", "-f", "docx", "-o", str(tmp_path / "r"), "--draft"],
    )
    assert out.exit_code == 0, out.output
    text = _docx_text(next((tmp_path / "r").glob("*.docx")))
    assert "以下排名仅供试算" in text and "（评价方案为草案）" in text and "2022.0-draft" in text


def _docx_text(path: Path) -> str:
    doc = docx.Document(str(path))
    cells = [c.text for table in doc.tables for row in table.rows for c in row.cells]
    return "\n".join([p.text for p in doc.paragraphs] + cells)


def test_the_draft_defaults_file_names_its_source() -> None:
    text = assess.scheme.shipped_path("draft-defaults.yaml").read_text(encoding="utf-8")
    assert "来源" in text
    assert set(draft._defaults()) >= {"quarterly", "annual", "levels"}
