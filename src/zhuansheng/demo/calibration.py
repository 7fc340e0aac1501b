"""The demo's calibration file (``data/calibration.yaml``): magnitudes, shares, growth rates."""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

from ruamel.yaml import YAML


@cache
def calibration() -> dict[str, Any]:
    text = resources.files(__package__).joinpath("data", "calibration.yaml").read_text("utf-8")
    return YAML(typ="safe").load(text)
