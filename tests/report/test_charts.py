"""Charts: the map from a boundary GeoJSON when one is installed, tiles otherwise; same data,
same bytes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from zhuansheng.report import charts
from zhuansheng.report.config import city_tiles

NAMES = {code: f"市{code[-3:]}" for code in city_tiles()}
VALUES = {code: i / 10 for i, code in enumerate(sorted(NAMES))}


def _square_map(folder: Path) -> None:
    """Eleven unit squares standing in for the cities' boundaries."""
    features = []
    for i, code in enumerate(sorted(NAMES)):
        x, y = 118 + i % 4, 28 + i // 4
        ring = [[x, y], [x + 1, y], [x + 1, y + 1], [x, y + 1], [x, y]]
        features.append(
            {
                "type": "Feature",
                "properties": {
                    "adcode": int(code),
                    "name": NAMES[code],
                    "center": [x + 0.5, y + 0.5],
                },
                "geometry": {"type": "Polygon", "coordinates": [ring]},
            }
        )
    (folder / "330000.json").write_text(
        json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8"
    )


def test_tiles_without_boundaries(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ZHUANSHENG_MAP_DIR", str(tmp_path))  # an empty folder
    assert charts.find_geojson() is None
    png, note = charts.region_map(VALUES, NAMES, "标题", "图例", highlight="330600")
    assert png.startswith(b"\x89PNG") and note.startswith("示意图")


def test_boundaries_when_installed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _square_map(tmp_path)
    monkeypatch.setenv("ZHUANSHENG_MAP_DIR", str(tmp_path))
    assert charts.find_geojson() == tmp_path / "330000.json"
    png, note = charts.region_map(VALUES, NAMES, "标题", "图例", highlight="330600")
    assert note.startswith("底图")
    again, _ = charts.region_map(VALUES, NAMES, "标题", "图例", highlight="330600")
    assert png == again  # deterministic bytes
    other, _ = charts.region_map(VALUES, NAMES, "标题", "图例", highlight="330100")
    assert other != png


def test_trend_and_bars_are_deterministic() -> None:
    args = ([1, 2, 3], {"全市": [0.1, 0.3, 0.5], "全省": [0.1, 0.2, None]}, [0.25, 0.5, 0.75], "t")
    assert charts.trend(*args) == charts.trend(*args)
    bars = charts.ranked_bars(VALUES, NAMES, "t", "l", highlight="330600")
    assert bars.startswith(b"\x89PNG") and bars == charts.ranked_bars(
        VALUES, NAMES, "t", "l", highlight="330600"
    )
