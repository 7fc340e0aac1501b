"""`zhuansheng serve` refuses a store without the current schema, before listening."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from zhuansheng.cli import app

runner = CliRunner()


def test_serve_refuses_a_store_without_tables(world: Path) -> None:
    # `world` (tests/conftest.py) points at a fresh var/ whose store has never been created
    # an address nothing can listen on: were the check missing, uvicorn would fail at once
    # instead of listening, and the assertions below would catch it
    out = runner.invoke(app, ["serve", "--host", "256.256.256.256", "--port", "8000"])
    assert out.exit_code == 2
    assert "尚未建表" in out.output and "zhuansheng db upgrade" in out.output
