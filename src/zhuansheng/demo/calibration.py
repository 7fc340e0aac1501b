"""The demo's calibration file (``data/calibration.yaml``): magnitudes, shares, growth rates."""

from __future__ import annotations

from functools import cache
from typing import Any

from zhuansheng.datafile import read_yaml


@cache
def calibration() -> dict[str, Any]:
    return read_yaml(__package__, "calibration.yaml")
