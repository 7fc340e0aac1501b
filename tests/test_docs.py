"""The docs cannot drift from the CLI: every command and option is in the CLI reference (zh, en)."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest
import typer.main

from zhuansheng.cli import app

DOCS = Path(__file__).resolve().parents[1] / "docs"


def _commands(group: object, prefix: tuple[str, ...] = ()) -> Iterator[tuple[str, list[str]]]:
    for name, sub in group.commands.items():  # type: ignore[attr-defined]
        if hasattr(sub, "commands"):
            # a group that runs by itself too (``assess --period …``) has options of its own
            own = [o for p in sub.params for o in p.opts if o.startswith("--") and o != "--help"]
            if own:
                yield " ".join(("zhuansheng", *prefix, name)), own
            yield from _commands(sub, (*prefix, name))
        else:
            options = [o for p in sub.params for o in p.opts if o.startswith("--")]
            yield " ".join(("zhuansheng", *prefix, name)), options


COMMANDS = list(_commands(typer.main.get_command(app)))


def test_the_cli_has_the_foundation_commands() -> None:
    names = {c for c, _ in COMMANDS}
    for expected in (
        "zhuansheng ref regions",
        "zhuansheng programme export",
        "zhuansheng db upgrade",
        "zhuansheng demo build",
        "zhuansheng import enterprises",
    ):
        assert expected in names


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize(("command", "options"), COMMANDS, ids=[c for c, _ in COMMANDS])
def test_every_command_and_option_is_documented(
    lang: str, command: str, options: list[str]
) -> None:
    text = (DOCS / lang / "cli.md").read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if f"`{command}" in line]
    assert lines, f"{command} is missing from docs/{lang}/cli.md"
    documented = " ".join(lines)
    for option in options:
        assert option in documented, f"{command} {option} is missing from docs/{lang}/cli.md"


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_doc_pages_exist_in_both_languages(lang: str) -> None:
    for page in ("data-model", "programme", "lake", "reference-data", "demo", "cli", "monitoring"):
        assert (DOCS / lang / f"{page}.md").is_file()


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_architecture_page_names_every_layer_of_the_contract(lang: str) -> None:
    root = DOCS.parent
    readme = (root / "README.md").read_text(encoding="utf-8")
    assert f"(docs/{lang}/architecture.md)" in readme
    text = (DOCS / lang / "architecture.md").read_text(encoding="utf-8")
    config = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    (contract,) = config["tool"]["importlinter"]["contracts"]
    for layer in contract["layers"]:
        for module in re.findall(r"zhuansheng\.(\w+)", layer):
            assert module in text, f"layer {module} is missing from docs/{lang}/architecture.md"
    assert "lint-imports" in text
    for error in ("NotFound", "Forbidden", "Invalid", "Conflict"):
        assert error in text
