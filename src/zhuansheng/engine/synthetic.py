"""Synthetic enterprise-years for benchmarks and backend parity tests (not the demo world).

Fast (numpy, 10^6 rows in a few seconds), deterministic from a seed, in the lake contract, with
about 1.5 % deliberately bad rows (missing land, zero value added, negative energy, unknown
industry) so that every reason path is exercised at scale.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from zhuansheng import reference
from zhuansheng.lake import CONTRACT_VERSION, FACT_SCHEMA, META_PREFIX, ROW_GROUP_ROWS


def synthetic_facts(n: int, path: Path, seed: int = 1, year: int = 2022) -> Path:
    """N enterprise-years in the lake contract, with about 1.5 % deliberately bad rows."""
    rng = np.random.default_rng(seed)
    counties = [c.code for c in reference.counties()]
    divisions = [f"{d}" for d in range(13, 44) if d not in (16,)]
    county = np.array(counties)[rng.integers(0, len(counties), n)]
    division = np.array(divisions)[rng.integers(0, len(divisions), n)]
    klass = np.array(["10", "11", "20", "21", "90"])[rng.integers(0, 5, n)]
    industry = np.char.add(division, klass)
    above = rng.random(n) < 0.55
    revenue = rng.lognormal(np.where(above, 9.0, 6.5), 1.0)
    va = revenue * rng.uniform(0.15, 0.35, n)
    land = np.round(np.maximum(va / rng.lognormal(4.8, 0.6, n), np.where(above, 1.0, 2.5)), 2)
    tax = va * rng.lognormal(-1.6, 0.5, n)
    tce = va * rng.lognormal(-1.2, 0.7, n)
    elec = np.round(tce * rng.uniform(0.3, 0.9, n) / 1.229e-4)
    coal = np.where(rng.random(n) < 0.3, tce * 0.3 / 0.7143, 0.0)
    gas = np.where(rng.random(n) < 0.5, tce * 0.1 / 1.2143e-3, 0.0)
    bad = rng.random(n)
    va_out = np.where(above | (rng.random(n) < 0.5), va, np.nan)
    va_out = np.where((bad > 0.99) & (bad < 0.995), 0.0, va_out)  # zero value added
    land = np.where(bad > 0.995, np.nan, land)  # missing land
    coal = np.where(bad < 0.002, -1.0, coal)  # negative energy
    industry = np.where((bad >= 0.002) & (bad < 0.004), "9910", industry)  # unknown industry
    pollutant = np.where(rng.random(n) < 0.08, np.nan, va * rng.lognormal(-7.5, 0.8, n))
    cols = {
        "uscc": [f"91330000{i:010d}" for i in range(n)],
        "name": [f"企业{i}" for i in range(n)],
        "county_code": county,
        "industry_code": industry,
        "scale": np.where(above, "above", "below"),
        "year": np.full(n, year, dtype=np.int32),
        "land_mu": land,
        "tax_wan": np.round(tax, 2),
        "value_added_wan": np.round(va_out, 2),
        "revenue_wan": np.round(revenue, 2),
        "rd_wan": np.round(revenue * rng.uniform(0.0, 0.05, n), 2),
        "employees": np.maximum(5.0, np.round(va / rng.lognormal(2.9, 0.4, n))),
        "electricity_kwh": elec,
        "coal_t": np.round(coal, 3),
        "coke_t": np.zeros(n),
        "fuel_oil_t": np.zeros(n),
        "gasoline_t": np.zeros(n),
        "diesel_t": np.round(rng.uniform(0, 5, n), 2),
        "lpg_t": np.zeros(n),
        "natural_gas_m3": np.round(gas),
        "heat_gj": np.zeros(n),
        "zero_carbon_kwh": np.where(rng.random(n) < 0.15, np.round(elec * 0.1), 0.0),
        "pollutant_t": np.round(pollutant, 4),
        "state_listed_tce": np.zeros(n),
    }
    # NaN becomes NULL here (from_pandas), so the file is in the contract and says so, like a
    # lake file; it is laid out like one too
    meta = {f"{META_PREFIX}contract_version": CONTRACT_VERSION, f"{META_PREFIX}synthetic": "true"}
    fields = [f.with_nullable(True) for f in FACT_SCHEMA.remove_metadata()]
    schema = pa.schema(fields, metadata=meta)
    arrays = [pa.array(cols[f.name], type=f.type, from_pandas=True) for f in schema]
    table = pa.Table.from_arrays(arrays, schema=schema)
    pq.write_table(table, path, compression="zstd", row_group_size=ROW_GROUP_ROWS)
    return path
