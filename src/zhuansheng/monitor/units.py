"""The units monitoring reports on: the province, cities, counties, the 山区26县 and pilot groups,
and each pilot (its county's figures, labelled with its industry).

Every unit is a set of counties, so aggregation is one matrix product (units × counties).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from zhuansheng.reference import PROVINCE_CODE
from zhuansheng.store import tables as t

MOUNTAIN26 = "mountain26"
PILOTS = "pilots"
LEVELS = ("province", "city", "county", "group", "pilot")


@dataclass(frozen=True)
class ReportingUnit:
    code: str  # region code, a group code (mountain26, pilots) or a pilot id (P01)
    name_zh: str
    level: str  # province | city | county | group | pilot
    region_codes: tuple[str, ...]  # the region itself and its ancestors (for non-county entries)
    county: str | None = None  # the county a pilot or county unit stands for


@dataclass(frozen=True)
class UnitSet:
    units: list[ReportingUnit]
    counties: list[str]  # column order of the membership matrix
    membership: np.ndarray  # units × counties, 1.0 where the county belongs to the unit

    def index(self, code: str) -> int:
        return self.positions[code]

    @cached_property
    def positions(self) -> dict[str, int]:
        return {u.code: i for i, u in enumerate(self.units)}


def load_units(session: Session) -> UnitSet:
    regions = session.scalars(select(t.Region).order_by(t.Region.code)).all()
    by_code = {r.code: r for r in regions}
    counties = [r.code for r in regions if r.level == "county"]
    col = {c: i for i, c in enumerate(counties)}

    def ancestors(code: str) -> tuple[str, ...]:
        chain = [code]
        while by_code[chain[-1]].parent_code:
            chain.append(by_code[chain[-1]].parent_code)
        return tuple(chain)

    units: list[ReportingUnit] = []
    rows: list[list[int]] = []

    def add(unit: ReportingUnit, members: list[str]) -> None:
        units.append(unit)
        rows.append([col[m] for m in members])

    add(
        ReportingUnit(PROVINCE_CODE, by_code[PROVINCE_CODE].name_zh, "province", (PROVINCE_CODE,)),
        counties,
    )
    for city in (r for r in regions if r.level == "city"):
        members = [c for c in counties if by_code[c].parent_code == city.code]
        add(ReportingUnit(city.code, city.name_zh, "city", ancestors(city.code)), members)
    for c in counties:
        add(ReportingUnit(c, by_code[c].name_zh, "county", ancestors(c), county=c), [c])
    mountain = [c for c in counties if by_code[c].mountain26]
    add(ReportingUnit(MOUNTAIN26, "山区26县", "group", ()), mountain)
    pilots = session.scalars(select(t.Pilot).order_by(t.Pilot.pilot_id)).all()
    pilot_counties = sorted({p.county_code for p in pilots})
    add(ReportingUnit(PILOTS, "分行业省级试点县合计", "group", ()), pilot_counties)
    for p in pilots:
        label = f"{by_code[p.county_code].name_zh}·{p.industry_name}"
        if p.demo_only:
            label += "（示意）"
        add(ReportingUnit(p.pilot_id, label, "pilot", (), county=p.county_code), [p.county_code])

    membership = np.zeros((len(units), len(counties)))
    for i, members in enumerate(rows):
        membership[i, members] = 1.0
    return UnitSet(units, counties, membership)
