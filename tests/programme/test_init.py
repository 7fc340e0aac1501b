"""``programme init``: a new year drafted from the last one, refused until every value marked
待填写 is filled, then validated and loaded into the store like any programme file."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

import worlds
from zhuansheng import programme, store
from zhuansheng.cli import app
from zhuansheng.errors import InputRejected
from zhuansheng.store import tables as t

runner = CliRunner()


def init(out: Path, *extra: str) -> str:
    result = runner.invoke(app, ["programme", "init", "--year", "2023", *extra, "-o", str(out)])
    assert result.exit_code == 0, result.output
    return out.read_text(encoding="utf-8")


def line_of(text: str, needle: str) -> int:
    """1-based line of the only line containing ``needle``."""
    found = [i + 1 for i, line in enumerate(text.splitlines()) if needle in line]
    assert len(found) == 1, (needle, found)
    return found[0]


def test_init_keeps_the_structure_and_marks_every_value(tmp_path: Path) -> None:
    text = init(tmp_path / "draft.yaml", "--from", "2022")
    old = programme.load(2022)
    new = programme.read_draft(tmp_path / "draft.yaml")
    assert new is not None and new.year == 2023
    keep = ("id", "clause", "name_zh", "kind", "indicator", "unit", "qualifier", "compare_to")
    assert [[getattr(r, k) for k in keep] for r in new.targets()] == [
        [getattr(r, k) for k in keep] for r in old.targets()
    ]
    assert [(r.lead_units, r.co_units) for r in new.targets()] == [
        (r.lead_units, r.co_units) for r in old.targets()
    ]
    assert [(a.id, a.clause) for a in new.areas] == [(a.id, a.clause) for a in old.areas]
    assert new.tolerance_defaults == old.tolerance_defaults
    # every target with a number: its value to fill, the 2022 value beside it
    with_value = [r for r in old.targets() if r.value is not None]
    assert len(with_value) == 49  # 64 targets: 14 milestones and 1 relative have no number
    assert text.count("value: 待填写  # 2022: ") == 49
    assert "        value: 待填写  # 2022: 15000\n" in text  # robots_new, 1.5 万台
    assert "seed_text: 待填写  # 2022: 新增应用工业机器人 1.5 万台\n" in text
    assert "\nyear: 2023\n" in text and "document: 待填写  # 2022: 浙转升办〔2022〕5号" in text
    assert "issued: 待填写  # 2022: 2022-04-29" in text
    # the note that spoke of 到 2022 年累计 is marked too; a note without a year is kept
    assert "note: 待填写  # 2022: 与前一项同在“到 2022 年累计”之下" in text
    assert "note: 原文责任单位后注：各项任务都需市、县" in text
    # without --from: the latest year before 2023
    assert init(tmp_path / "again.yaml") == text


def test_validate_refuses_a_draft_naming_each_unfilled_value_unless_draft(
    tmp_path: Path,
) -> None:
    path = tmp_path / "draft.yaml"
    text = init(path)
    marked = text.count(": 待填写  # 2022: ")
    result = runner.invoke(app, ["programme", "validate", str(path)])
    assert result.exit_code == 2
    lines = result.stdout.splitlines()
    assert len(lines) == marked
    robots = line_of(text, "value: 待填写  # 2022: 15000")
    assert (
        f"tasks[0].targets[0].value (第 {robots} 行): 目标 robots_new 的 value 尚未填写"
        "（草稿占位“待填写”）（按新年度文件填写后再载入；行尾注释为上一年度的值）"
    ) in lines
    issued = line_of(text, "issued: 待填写")
    assert any(x.startswith(f"issued (第 {issued} 行): 印发日期 issued 尚未填写") for x in lines)
    goal = line_of(text, "text_zh: 待填写  # 2022: 以习近平")
    assert any(x.startswith(f"goals[0].text_zh (第 {goal} 行): 条款 一.(一) 的") for x in lines)

    result = runner.invoke(app, ["programme", "validate", "--draft", str(path)])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert len(lines) == marked + 1 and all(x.startswith("警告 ") for x in lines[:-1])
    assert lines[-1].startswith(f"OK {path}: 2023 年，2 项总体要求、6 个工程、19 项任务")
    assert lines[-1].endswith(f"草稿，尚有 {marked} 处待填写 (draft)")

    # a real mistake in a draft is still an error, --draft or not
    broken = tmp_path / "broken.yaml"
    broken.write_text(text.replace("indicator: robots\n", "indicator: robot\n"), encoding="utf-8")
    result = runner.invoke(app, ["programme", "validate", "--draft", str(broken)])
    assert result.exit_code == 2
    assert "未知的指标 'robot'" in result.stdout and "尚未填写" not in result.stdout


def test_init_refusals(tmp_path: Path) -> None:
    out = tmp_path / "d.yaml"
    result = runner.invoke(
        app, ["programme", "init", "--year", "2024", "--from", "2023", "-o", str(out)]
    )
    assert result.exit_code == 2
    assert "没有 2023 年的工作要点文件" in result.output and not out.exists()
    result = runner.invoke(app, ["programme", "init", "--year", "2021", "-o", str(out)])
    assert result.exit_code == 2
    assert "没有 2021 年之前的工作要点" in result.output and not out.exists()


def _targets(url: str, year: int) -> dict[str, float | None]:
    with store.session(url) as s:
        rows = s.execute(select(t.Target.target_id, t.Target.value).where(t.Target.year == year))
        return dict(rows.all())


def test_a_draft_never_enters_the_store_and_the_filled_file_loads(
    store_url: str, programme_dir: Path
) -> None:
    path = programme_dir / "2023.yaml"
    text = init(path)
    result = runner.invoke(app, ["db", "seed"])
    assert result.exit_code == 2
    out = " ".join(result.output.split())
    assert "目标 robots_new 的 value 尚未填写" in out, out
    assert _targets(store_url, 2023) == {} and _targets(store_url, 2022) == {}  # all or nothing
    with pytest.raises(InputRejected, match="尚未填写"):
        programme.load(2023)

    path.write_text(worlds.fill_programme_draft(text), encoding="utf-8")
    result = runner.invoke(app, ["programme", "validate", str(path)])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"OK {path}: 2023 年") and "草稿" not in result.stdout
    result = runner.invoke(app, ["db", "seed"])
    assert result.exit_code == 0, result.output
    assert "targets_2023 64" in result.output
    loaded = _targets(store_url, 2023)
    assert loaded["robots_new"] == 15001  # 15000 + 1
    assert loaded["tax_per_mu_growth"] == 9  # 8 + 1
    assert loaded["mfg_loan_growth_above_total"] is None  # relative: no number to fill
    assert len(loaded) == 64 and len(_targets(store_url, 2022)) == 64
    filled = programme.load(2023)
    assert filled.document == "浙转升办〔2022〕5号（2023 年）"
    assert str(filled.issued) == "2023-04-28"
