"""An output path that cannot be written is a message and exit 2, never a traceback."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from zhuansheng.cli import app

runner = CliRunner()
UNWRITABLE = "/proc/zhuansheng-test.xlsx"  # /proc takes no new files, not even for root


def test_templates_to_an_unwritable_place_say_so(empty_world: Path) -> None:
    for args in (["db", "upgrade"], ["db", "seed"]):
        assert runner.invoke(app, args).exit_code == 0
    for command in (
        ["template", "--region", "330603", "--period", "2022-06", "-o", UNWRITABLE],
        ["allocation", "template", "--year", "2022", "-o", UNWRITABLE],
    ):
        out = runner.invoke(app, command)
        assert out.exit_code == 2, out.output
        assert "无法写入或读取文件" in out.output and "Traceback" not in out.output
        assert not Path(UNWRITABLE).exists()
