"""A pilot's figures count only its own industry's above-scale firms in its own county.

A tiny lake of hand-made firms, so every expected value is written out as arithmetic:
P03 柯桥区 纺织 (codes 17) and P12 诸暨市 袜业 (also 17) share an industry in different counties;
柯桥区 also has a chemical firm (26) and a below-scale textile firm, neither of which may count.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from zhuansheng import lake, reference
from zhuansheng.assess.inputs import pilot_figures
from zhuansheng.engine.energy import kgce_per_kwh
from zhuansheng.engine.loader import load_default
from zhuansheng.engine.schema import ENERGY_COLUMNS
from zhuansheng.lake import uscc

YEAR = 2022
KEQIAO, ZHUJI, ANJI = "330603", "330681", "330523"  # 柯桥区, 诸暨市, 安吉县
FUELS = (*ENERGY_COLUMNS[1:], "zero_carbon_kwh", "state_listed_tce")  # all zero here


def firm(n: int, county: str, industry: str, **values: float | str) -> dict[str, Any]:
    """One above-scale enterprise-year; energy is electricity only (every fuel zero)."""
    row: dict[str, Any] = {
        "uscc": uscc.make("9", "1", county, uscc.organization_code(f"{n:08d}")),
        "name": f"测试企业{n}有限公司",
        "county_code": county,
        "industry_code": industry,
        "scale": "above",
        "year": YEAR,
        "employees": 50.0,
        "pollutant_t": 1.0,
        **dict.fromkeys(FUELS, 0.0),
    }
    row.update(values)
    return row


def money(
    land: float, tax: float, va: float, revenue: float, rd: float, kwh: float
) -> dict[str, float]:
    return {
        "land_mu": land,
        "tax_wan": tax,
        "value_added_wan": va,
        "revenue_wan": revenue,
        "rd_wan": rd,
        "electricity_kwh": kwh,
    }


FIRMS = [
    # P03's own: textile (17xx) firms in 柯桥区
    firm(1, KEQIAO, "1711", **money(10.0, 120.0, 900.0, 6000.0, 150.0, 200_000.0)),
    firm(2, KEQIAO, "1751", **money(5.0, 80.0, 600.0, 4000.0, 50.0, 100_000.0)),
    # the same industry in another county: P12 诸暨市's, never P03's
    firm(3, ZHUJI, "1762", **money(20.0, 100.0, 1000.0, 5000.0, 250.0, 300_000.0)),
    # another industry (化工 2614) in P03's county: nobody's
    firm(4, KEQIAO, "2614", **money(25.0, 500.0, 2000.0, 10000.0, 50.0, 1_000_000.0)),
    # P03's industry and county but below scale: the roll-ups count above-scale firms only
    {
        **firm(5, KEQIAO, "1713", **money(4.0, 400.0, 100.0, 800.0, 40.0, 50_000.0)),
        "scale": "below",
        "value_added_wan": None,
    },
    # P02 安吉县 家具及竹木制品 has two codes (20;21): one firm under each, one 服装 firm
    firm(6, ANJI, "2011", **money(8.0, 40.0, 300.0, 2000.0, 30.0, 60_000.0)),
    firm(7, ANJI, "2110", **money(12.0, 90.0, 500.0, 3000.0, 90.0, 140_000.0)),
    firm(8, ANJI, "1810", **money(30.0, 30.0, 200.0, 1000.0, 10.0, 20_000.0)),
]


def _pilots(*ids: str) -> list[tuple[str, str, str, tuple[str, ...]]]:
    """The shipped pilots as ``pilot_figures`` takes them (id, label, county, codes)."""
    by_id = {p.pilot_id: p for p in reference.pilots()}
    return [(i, by_id[i].industry_name, by_id[i].county_code, by_id[i].industry_codes) for i in ids]


@pytest.fixture
def figures(empty_world: Path) -> dict[str, dict[str, float]]:
    lake.write_facts(pa.Table.from_pylist(FIRMS), source="test", synthetic=True)
    # P32 上虞区 化工: a chemical pilot in another county, so 柯桥区's chemical firm is not its
    return pilot_figures(_pilots("P02", "P03", "P12", "P32"), YEAR)


def _tce_per_kwh() -> float:
    energy = load_default("carbon").method
    return kgce_per_kwh(energy, YEAR, energy.electricity.convention) / 1000.0


def test_the_pilots_are_the_ones_the_test_means() -> None:
    pilots = {p[0]: p for p in _pilots("P02", "P03", "P12", "P32")}
    assert pilots["P03"][2:] == (KEQIAO, ("17",))
    assert pilots["P12"][2:] == (ZHUJI, ("17",))
    assert pilots["P02"][2:] == (ANJI, ("20", "21"))
    assert pilots["P32"][3] == ("26",) and pilots["P32"][2] != KEQIAO


def test_a_pilot_counts_only_its_industry_in_its_county(
    figures: dict[str, dict[str, float]],
) -> None:
    k = _tce_per_kwh()
    # P03: firms 1 and 2 only (not 3: other county; not 4: other industry; not 5: below scale)
    assert figures["tax_per_mu"]["P03"] == pytest.approx((120.0 + 80.0) / (10.0 + 5.0))
    assert figures["va_per_mu"]["P03"] == pytest.approx((900.0 + 600.0) / (10.0 + 5.0))
    assert figures["rd_intensity"]["P03"] == pytest.approx((150.0 + 50.0) / (6000.0 + 4000.0) * 100)
    assert figures["energy_intensity"]["P03"] == pytest.approx(
        k * (200_000.0 + 100_000.0) / (900.0 + 600.0)
    )
    assert figures["trad_share"]["P03"] == pytest.approx(100.0)  # 纺织 is traditional
    # P12: firm 3 alone
    assert figures["tax_per_mu"]["P12"] == pytest.approx(100.0 / 20.0)
    assert figures["va_per_mu"]["P12"] == pytest.approx(1000.0 / 20.0)
    assert figures["rd_intensity"]["P12"] == pytest.approx(250.0 / 5000.0 * 100)
    assert figures["energy_intensity"]["P12"] == pytest.approx(k * 300_000.0 / 1000.0)
    # P32 has no chemical firm in 上虞区: no figure at all (not firm 4 of 柯桥区)
    assert all("P32" not in per for per in figures.values())


def test_a_pilot_with_two_codes_counts_the_firms_of_both(
    figures: dict[str, dict[str, float]],
) -> None:
    # P02: firms 6 (20xx) and 7 (21xx); not 8 (18xx) in the same county
    assert figures["tax_per_mu"]["P02"] == pytest.approx((40.0 + 90.0) / (8.0 + 12.0))
    assert figures["va_per_mu"]["P02"] == pytest.approx((300.0 + 500.0) / (8.0 + 12.0))
    assert figures["rd_intensity"]["P02"] == pytest.approx((30.0 + 90.0) / (2000.0 + 3000.0) * 100)
