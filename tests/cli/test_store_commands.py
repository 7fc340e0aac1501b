"""The `db` and `demo` commands, end to end on a fresh world (real SQLite, real Parquet)."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from zhuansheng import reference
from zhuansheng.cli import app

runner = CliRunner()


def _info(var: Path) -> dict[str, int]:
    out = runner.invoke(app, ["db", "info", "--format", "json"])
    assert out.exit_code == 0, out.output
    return {r["table"]: r["rows"] for r in json.loads(out.stdout)}


def test_upgrade_seed_and_info(empty_world: Path) -> None:
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    assert (empty_world / "zhuansheng.db").is_file()
    for _ in range(2):  # seeding twice changes nothing
        out = runner.invoke(app, ["db", "seed"])
        assert out.exit_code == 0, out.output
    counts = _info(empty_world)
    assert counts["regions"] == 102
    assert counts["pilots"] == 48
    assert counts["targets"] == 64
    assert counts["observations"] == 0


def test_load_pilots_refuses_a_bad_file_and_keeps_the_list(
    empty_world: Path, tmp_path: Path
) -> None:
    runner.invoke(app, ["db", "seed"])
    bad = tmp_path / "pilots.csv"
    bad.write_text(
        ",".join(reference.PILOT_COLUMNS) + "\nA01,330382,乐清市,低压电气,382,2018,官方,0,,\n",
        encoding="utf-8",
    )
    out = runner.invoke(app, ["db", "load-pilots", str(bad)])
    assert out.exit_code == 2
    assert "第 2 行, 列 verification" in out.output
    assert _info(empty_world)["pilots"] == 48
    bad.write_text(
        ",".join(reference.PILOT_COLUMNS) + "\nA01,330382,乐清市,低压电气,382,2018,official,0,,\n",
        encoding="utf-8",
    )
    out = runner.invoke(app, ["db", "load-pilots", str(bad)])
    assert out.exit_code == 0, out.output
    assert _info(empty_world)["pilots"] == 1


def test_demo_build_command(empty_world: Path) -> None:
    out = runner.invoke(
        app, ["demo", "build", "--seed", "3", "--enterprises", "600", "--format", "json"]
    )
    assert out.exit_code == 0, out.output
    summary = json.loads(out.stdout)
    assert summary["seed"] == 3 and summary["enterprises"] == 600
    assert summary["counts"]["observations"] > 0
    assert _info(empty_world)["observations"] == summary["counts"]["observations"]
    out = runner.invoke(app, ["demo", "build", "--enterprises", "10"])
    assert out.exit_code == 2 and "至少为 500" in out.output


def test_every_table_has_a_chinese_label_in_the_demo_summary() -> None:
    from zhuansheng.cli.demo import LABELS
    from zhuansheng.store import tables as t

    unlabelled = sorted(set(t.Base.metadata.tables) - set(LABELS))
    assert unlabelled == [], f"add these tables to zhuansheng.cli.demo.LABELS: {unlabelled}"
