"""Helpers for the engine tests: tiny fact tables written as Parquet and read by real DuckDB,
and method files derived from the shipped ones with a few parameters changed.

Kept out of conftest.py under a unique module name (see tests/lake/lake_helpers.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import ibis
import pyarrow as pa
import pyarrow.parquet as pq
from ruamel.yaml import YAML

from zhuansheng.engine import Methods, load_method, loader
from zhuansheng.engine.inputs import conform
from zhuansheng.engine.schema import ENERGY_COLUMNS
from zhuansheng.lake import FACT_SCHEMA, connect, uscc

YEAR = 2022
# every energy carrier but electricity, and own zero-carbon generation, start at zero
ZERO_FUELS = (*(c for c in ENERGY_COLUMNS if c != "electricity_kwh"), "zero_carbon_kwh")


def code(n: int, county: str = "330106") -> str:
    return uscc.make("9", "1", county, uscc.organization_code(f"{n:08d}"))


def firm(n: int, **values: Any) -> dict[str, Any]:
    """One enterprise-year: an above-scale firm in 1810 (服装) in 西湖区 unless told otherwise;
    100 000 kWh and every fuel zero, so a test states exactly the energy it means."""
    row: dict[str, Any] = {
        "uscc": code(n, values.get("county_code", "330106")),
        "name": f"测试企业{n}",
        "county_code": "330106",
        "industry_code": "1810",
        "scale": "above",
        "year": YEAR,
        "land_mu": 10.0,
        "tax_wan": 100.0,
        "value_added_wan": 1000.0,
        "revenue_wan": 5000.0,
        "rd_wan": 100.0,
        "employees": 50.0,
        "electricity_kwh": 100_000.0,
        "pollutant_t": 1.0,
        **{f: 0.0 for f in ZERO_FUELS},
    }
    row.update(values)
    return row


def facts(tmp_path: Path, rows: list[dict[str, Any]], name: str = "facts.parquet") -> ibis.Table:
    """The rows as a Parquet file, read back through DuckDB like a lake partition."""
    # Every field nullable: the tests feed the gaps a real file can have (no land, no VA …).
    schema = pa.schema([f.with_nullable(True) for f in FACT_SCHEMA.remove_metadata()])
    table = pa.Table.from_pylist(rows, schema=schema)
    path = tmp_path / name
    pq.write_table(table, path)
    con = connect()
    return conform(con.read_parquet(str(path)), YEAR)


def method_file(tmp_path: Path, base: str, name: str, **changes: Any) -> Path:
    """A copy of a shipped method with top-level keys replaced; written as YAML and loaded back
    through validation, as a county's own file would be."""
    yaml = YAML(typ="rt")
    doc = yaml.load(loader.resolve(base).read_text(encoding="utf-8"))
    doc["id"] = name
    for key, value in changes.items():
        doc[key] = value
    path = tmp_path / f"{name}.yaml"
    with path.open("w", encoding="utf-8") as fh:
        yaml.dump(doc, fh)
    return path


def methods_for(kind: str, path: Path | str | None = None) -> Methods:
    from zhuansheng.engine.run import load_methods

    return load_methods(kind, path)[0]


def rows_by_uscc(table: ibis.Table) -> dict[str, dict[str, Any]]:
    return {r["uscc"]: r for r in table.to_pyarrow().to_pylist()}


__all__ = [
    "YEAR",
    "code",
    "facts",
    "firm",
    "load_method",
    "method_file",
    "methods_for",
    "rows_by_uscc",
]
