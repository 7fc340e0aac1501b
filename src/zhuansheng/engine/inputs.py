"""Reading the enterprise facts a run evaluates: the lake (default) or a Parquet file or URL.

A file given with ``--input`` is conformed to the lake contract on the way in: absent optional
columns become NULL, numbers become float64 and NaN becomes NULL (NaN would stay NaN on Spark but
turn NULL on DuckDB; the contract stores only NULL). Without a ``year`` column the file is taken to
be the evaluated year. Data problems are left to the methods, which give per-enterprise reasons.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import ibis
import pyarrow.parquet as pq

from zhuansheng.errors import ZhuanshengError
from zhuansheng.lake import COLUMNS, FACT_COLUMNS, fact_files, lake_info, lake_root

from .backends import is_url
from .plans import bind_parquet, schema_of

if TYPE_CHECKING:
    import ibis.expr.types as ir

_TYPES = {
    c.name: ("float64" if c.kind == "number" else "int32" if c.kind == "year" else "string")
    for c in COLUMNS
}
REQUIRED_FOR_RUN = ("uscc", "county_code", "industry_code", "scale")


@dataclass(frozen=True)
class Facts:
    table: ir.Table  # the year and, when available, the year before
    source: str  # lake path or input file
    years: tuple[int, ...]
    synthetic: bool
    # the bound input tables and their columns: what a compiled plan depends on
    shape: dict[str, Any] = field(default_factory=dict)


def conform(raw: ir.Table, year: int) -> ir.Table:
    """``raw`` in contract order and types; absent optional columns as NULL."""
    missing = [c for c in REQUIRED_FOR_RUN if c not in raw.columns]
    if missing:
        raise ZhuanshengError(
            f"输入文件缺少列 {', '.join(missing)}，无法评价 (input lacks required columns)"
        )
    cols = {}
    for name in FACT_COLUMNS:
        kind = _TYPES[name]
        if name not in raw.columns:
            cols[name] = ibis.literal(year, type="int32") if name == "year" else ibis.null(kind)
            continue
        col = raw[name].cast(kind)
        if kind == "float64":
            col = ibis.ifelse(col.isnan(), ibis.null("float64"), col)
        cols[name] = col
    return raw.select(**cols)


def _lake_years(root: Path) -> dict[int, bool]:
    return {p.year: p.synthetic for p in lake_info(root)}


def read_facts(
    con: ibis.BaseBackend,
    year: int,
    *,
    lake: Path | None = None,
    input: str | Path | None = None,
    with_previous: bool = True,
) -> Facts:
    """The facts of ``year`` (and of ``year - 1`` when present and wanted)."""
    if input is not None:
        text = str(input)
        if not is_url(text) and not Path(text).exists():
            raise ZhuanshengError(f"输入文件不存在：{text} (input not found)")
        raw = bind_parquet(con, "zs_input", text)
        table = conform(raw, year)
        synthetic = False
        if not is_url(text) and Path(text).is_file():
            meta = pq.read_metadata(text).metadata or {}
            synthetic = meta.get(b"zhuansheng.synthetic") == b"true"
        return Facts(table, text, (year,), synthetic, {"zs_input": schema_of(raw)})
    root = lake_root(lake)
    on_disk = _lake_years(root)
    if year not in on_disk:
        have = ", ".join(map(str, sorted(on_disk))) or "无"
        raise ZhuanshengError(
            f"数据湖 {root} 中没有 {year} 年的企业数据；现有年度：{have} (year not in the lake)"
        )
    years = (year - 1, year) if with_previous and (year - 1) in on_disk else (year,)
    parts, shape = [], {}
    for y in years:
        files = [str(f.resolve()) for f in fact_files(root, [y])]
        raw = bind_parquet(con, f"zs_facts_{y}", files)
        shape[f"zs_facts_{y}"] = schema_of(raw)
        parts.append(conform(raw.mutate(year=ibis.literal(y, type="int32")), y))
    table = parts[0] if len(parts) == 1 else parts[0].union(parts[1])
    return Facts(table, str(root), years, on_disk[year], shape)
