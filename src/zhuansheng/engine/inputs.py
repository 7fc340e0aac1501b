"""Reading the enterprise facts a run evaluates: the lake (default) or a Parquet file or URL.

A file given with ``--input`` is conformed to the lake contract on the way in: absent optional
columns become NULL, numbers become float64 and NaN becomes NULL (the contract stores only NULL,
and a NaN compares as larger than any number). Lake files, and files that carry the lake's
contract stamp, hold no NaN and skip that check, which costs a tenth of a run. Without a
``year`` column the file is taken to be the evaluated year. Data problems are left to the
methods, which give per-enterprise reasons.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import ibis
import pyarrow.parquet as pq

from zhuansheng.errors import ZhuanshengError
from zhuansheng.lake import (
    COLUMNS,
    CONTRACT_VERSION,
    FACT_COLUMNS,
    META_PREFIX,
    fact_files,
    lake_info,
    lake_root,
)

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
    conformed: Callable[[], ir.Table]  # builds :attr:`table` (a run with a kept plan never does)
    source: str  # lake path or input file
    years: tuple[int, ...]
    synthetic: bool
    # the bound input tables, their columns and whether NaN is checked: what a plan depends on
    shape: dict[str, Any] = field(default_factory=dict)

    @cached_property
    def table(self) -> ir.Table:
        """The year and, when available, the year before, in the contract."""
        return self.conformed()


def conform(raw: ir.Table, year: int, *, nan_free: bool = False) -> ir.Table:
    """``raw`` in contract order and types; absent optional columns as NULL. ``nan_free``: the
    table is known to hold no NaN (a lake file)."""
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
        source = raw[name].type()
        if kind == "float64" and not nan_free and not (source.is_integer() or source.is_boolean()):
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
        synthetic = conformed = False
        if not is_url(text) and Path(text).is_file():
            meta = pq.read_metadata(text).metadata or {}
            synthetic = meta.get(f"{META_PREFIX}synthetic".encode()) == b"true"
            stamp = meta.get(f"{META_PREFIX}contract_version".encode())
            conformed = stamp == CONTRACT_VERSION.encode()
        shape = {"zs_input": {"columns": schema_of(raw), "nan_free": conformed}}
        return Facts(
            lambda: conform(raw, year, nan_free=conformed), text, (year,), synthetic, shape
        )
    root = lake_root(lake)
    on_disk = _lake_years(root)
    if year not in on_disk:
        have = ", ".join(map(str, sorted(on_disk))) or "无"
        raise ZhuanshengError(
            f"数据湖 {root} 中没有 {year} 年的企业数据；现有年度：{have} (year not in the lake)"
        )
    years = (year - 1, year) if with_previous and (year - 1) in on_disk else (year,)
    raws, shape = {}, {}
    for y in years:
        files = [str(f.resolve()) for f in fact_files(root, [y])]
        raws[y] = bind_parquet(con, f"zs_facts_{y}", files)
        shape[f"zs_facts_{y}"] = {"columns": schema_of(raws[y]), "nan_free": True}

    def conformed() -> ir.Table:
        parts = [
            conform(raw.mutate(year=ibis.literal(y, type="int32")), y, nan_free=True)
            for y, raw in raws.items()
        ]
        return parts[0] if len(parts) == 1 else parts[0].union(parts[1])

    return Facts(conformed, str(root), years, on_disk[year], shape)
