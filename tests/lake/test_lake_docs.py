"""The lake docs cannot drift from the code: the column table is generated, options are listed."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import typer.main

from zhuansheng.cli import app as root_app
from zhuansheng.lake.contract import markdown_table

DOCS = Path(__file__).resolve().parents[2] / "docs"


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_column_table_is_the_generated_one(lang: str) -> None:
    text = (DOCS / lang / "lake.md").read_text(encoding="utf-8")
    block = re.search(r"<!-- contract:begin -->\n(.*?)\n<!-- contract:end -->", text, re.S)
    assert block, "docs must embed the table between contract:begin/end markers"
    assert block.group(1) == markdown_table(lang), (
        'regenerate with: python -c "from zhuansheng.lake.contract import markdown_table; '
        f"print(markdown_table('{lang}'))\""
    )


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_import_option_is_documented(lang: str) -> None:
    text = (DOCS / lang / "lake.md").read_text(encoding="utf-8")
    group = typer.main.get_command(root_app).commands["import"]  # type: ignore[attr-defined]
    command = group.commands["enterprises"]
    options = [o for p in command.params for o in p.opts if o.startswith("--")]
    assert options
    for option in options:
        assert option in text, f"{option} is not documented in docs/{lang}/lake.md"
