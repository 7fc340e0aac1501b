"""A small hand-made world for the case tests: a screening of 2022 in 上城区 and 西湖区 (杭州市),
the province, two cities and two counties, and one way to put a firm's land in the lake."""

from __future__ import annotations

from collections.abc import Iterator

import pyarrow as pa
import pytest
from sqlalchemy import select

import worlds
from zhuansheng import store, users
from zhuansheng.lake import uscc, write_facts
from zhuansheng.services import cases
from zhuansheng.services.context import Caller
from zhuansheng.store import tables as t
from zhuansheng.workspace import at

SC, XH = "330102", "330106"  # 上城区, 西湖区 (杭州市)
FIRM_A, FIRM_B, FIRM_C = (
    uscc.make("9", "1", county, uscc.organization_code(f"{n:08d}"))
    for n, county in ((1, SC), (2, SC), (3, XH))
)


def lake_land(firm: str, county: str, land_mu: float) -> None:
    """One enterprise-year in the lake (2022) with the firm's land."""
    zero = ("coal_t", "coke_t", "fuel_oil_t", "gasoline_t", "diesel_t", "lpg_t", "heat_gj")
    row = {
        "uscc": firm, "name": "上城甲厂", "county_code": county, "industry_code": "1711",
        "scale": "above", "year": 2022, "land_mu": land_mu, "tax_wan": 5.0,
        "value_added_wan": 100.0, "revenue_wan": 500.0, "rd_wan": 1.0, "employees": 20.0,
        "electricity_kwh": 100000.0, "natural_gas_m3": 0.0, "zero_carbon_kwh": 0.0,
        "pollutant_t": 0.1, "state_listed_tce": 0.0, **dict.fromkeys(zero, 0.0),
    }  # fmt: skip
    write_facts(pa.Table.from_pylist([row]), source="test")


@pytest.fixture
def url(store_url: str) -> Iterator[str]:
    worlds.seed_2022(store_url)
    with store.session(store_url) as s:
        users.add_user(s, "prov", "province_admin")
        users.add_user(s, "hz", "city", "330100")  # 杭州市
        users.add_user(s, "nb", "city", "330200")  # 宁波市
        users.add_user(s, "sc", "county", SC)
        users.add_user(s, "xh", "county", XH)
        firms = [(FIRM_A, "上城甲厂", SC), (FIRM_B, "上城乙厂", SC), (FIRM_C, "西湖丙厂", XH)]
        worlds.screening(s, firms, [FIRM_A, FIRM_C])
    yield store_url


def caller(url: str, name: str) -> Caller:
    with store.session(url) as s:
        return Caller(at(url), users.actor(s, name))


def candidate_id(url: str, uscc: str) -> int:
    with store.session(url) as s:
        return s.scalar(select(t.ScreeningCandidate.id).where(t.ScreeningCandidate.uscc == uscc))


def plan_input(**kw: object) -> cases.PlanInput:
    args: dict = {
        "measure": "upgrade",
        "responsible": "张三（上城区经信局）",
        "actions": [cases.parse_action("更换高效电机@2099-06-30")],
        "expected_land_mu": 10.0,
        "expected_energy_tce": 250.0,
    }
    args.update(kw)
    return cases.PlanInput(**args)  # type: ignore[arg-type]
