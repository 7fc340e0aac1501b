"""Versioned data files (rules, calibration, bands) shipped in a package's ``data/`` folder."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML


def read_yaml(package: str, name: str, path: Path | None = None) -> Any:
    """The shipped ``<package>/data/<name>``, or a user's file of the same shape at ``path``."""
    if path is None:
        text = resources.files(package).joinpath("data", name).read_text("utf-8")
    else:
        text = Path(path).read_text(encoding="utf-8")
    return YAML(typ="safe").load(text)
