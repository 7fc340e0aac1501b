"""Rectification cases of 高耗低效 enterprises (整治提升), with their state history.

Case firms are the sample's least efficient firms of each county (lowest 亩均税收 with at least
3 亩), topped up with small below-scale firms that exist only in the store, as the real lists
draw mostly on firms outside any sample.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from zhuansheng import reference

from .calibration import calibration
from .names import firm_names, place, usccs
from .population import Geography

STATES = ("listed", "planned", "in_progress", "completed", "verified")


@dataclass
class CaseWorld:
    cases: list[dict[str, Any]] = field(default_factory=list)
    events: list[list[dict[str, Any]]] = field(default_factory=list)  # per case
    extra_firms: list[dict[str, Any]] = field(default_factory=list)


def _candidates(facts: pa.Table) -> dict[str, list[str]]:
    """USCCs by county, least tax per mu first (2021 facts, land ≥ 3 亩)."""
    t = facts.filter(pc.and_(pc.equal(facts["year"], 2021), pc.greater_equal(facts["land_mu"], 3)))
    ratio = pc.divide(t["tax_wan"], t["land_mu"]).to_numpy()
    order = np.argsort(ratio, kind="stable")
    out: dict[str, list[str]] = {}
    counties = t["county_code"].to_pylist()
    ids = t["uscc"].to_pylist()
    for i in order:
        out.setdefault(counties[i], []).append(ids[i])
    return out


def build_cases(
    rng: np.random.Generator,
    geo: Geography,
    facts: pa.Table,
    count_target: float,
    land_target: float,
    energy_target: float,
) -> CaseWorld:
    cal = calibration()["cases"]
    world = CaseWorld()
    pool = _candidates(facts)
    outcomes = list(cal["outcomes"])
    probs = np.array([cal["outcomes"][o] for o in outcomes], dtype=float)
    county_names = {c.code: c.name_zh for c in reference.counties()}
    extra_serial = 0
    for year in (2021, 2022):
        lo, hi = cal["yearly_vs_target"]
        total = round(count_target * (rng.uniform(lo, hi) if year == 2022 else 0.85))
        p = geo.weight**0.7
        counts = rng.multinomial(total, p / p.sum())
        year_cases: list[dict[str, Any]] = []
        for i, n in enumerate(counts):
            code = geo.county_codes[i]
            firms = pool.get(code, [])
            cap = len(firms) // 4
            taken = firms[:cap][: int(n)]
            del firms[: len(taken)]  # a firm is listed in one year only
            need = int(n) - len(taken)
            if need:
                names = firm_names(rng, [place(county_names[code])] * need, ["41"] * need)
                ids = usccs([code] * need, start=5_000_000 + extra_serial)
                extra_serial += need
                for uscc, name in zip(ids, names, strict=True):
                    world.extra_firms.append(
                        {
                            "uscc": uscc,
                            "name": name,
                            "county_code": code,
                            "industry_code": "4190",
                            "scale": "below",
                            "synthetic": True,
                        }
                    )
                taken = taken + ids
            for uscc in taken:
                year_cases.append(_case(rng, geo, i, uscc, code, year, outcomes, probs))
        _scale_freed(rng, year_cases, land_target, energy_target, year)
        for case in year_cases:
            world.events.append(case.pop("_events"))
            world.cases.append(case)
    return world


def _case(
    rng: np.random.Generator,
    geo: Geography,
    county_index: int,
    uscc: str,
    county: str,
    year: int,
    outcomes: list[str],
    probs: np.ndarray,
) -> dict[str, Any]:
    cal = calibration()["cases"]
    opened = dt.date(year, int(rng.integers(1, 4)), int(rng.integers(1, 29)))
    # When the case closes follows the county's pace; some are still open at year end.
    u = rng.random() / cal["completed_share_by_year_end"]
    month = None if u > 1 else int(np.searchsorted(geo.schedule[county_index], u)) + 1
    closed = None
    if month is not None and year == 2021:
        closed = dt.date(year, max(month, opened.month + 1), 28)
    elif month is not None:
        closed = dt.date(year, max(month, min(opened.month + 2, 12)), 28)
    planned = opened + dt.timedelta(days=int(rng.integers(15, 45)))
    started = planned + dt.timedelta(days=int(rng.integers(10, 60)))
    status = "in_progress"
    events = [("listed", opened), ("planned", planned)]
    if started < dt.date(year, 12, 31):
        events.append(("in_progress", started))
    else:
        status = "planned"
    if closed is not None:
        closed = max(closed, started + dt.timedelta(days=1))
        if closed.year > year:
            closed = None
    if closed is not None:
        events.append(("completed", closed))
        status = "completed"
        if year == 2021:
            events.append(("verified", closed + dt.timedelta(days=30)))
            status = "verified"
    outcome = outcomes[int(rng.choice(len(outcomes), p=probs / probs.sum()))]
    prev = None
    history = []
    for state, when in events:
        history.append(
            {
                "at": when,
                "from_status": prev,
                "to_status": state,
                "actor": f"demo:{county}",
                "note": "合成演示数据",
            }
        )
        prev = state
    return {
        "uscc": uscc,
        "county_code": county,
        "year": year,
        "status": status,
        "outcome": outcome if status in ("completed", "verified") else None,
        "reason": "亩均税收低、单位能耗高（演示）",
        "plan": "一企一方案（演示）",
        "opened_on": opened,
        "closed_on": closed if status in ("completed", "verified") else None,
        "freed_land_mu": 0.0,
        "freed_energy_tce": 0.0,
        "synthetic": True,
        "_events": history,
    }


def _scale_freed(
    rng: np.random.Generator,
    cases: list[dict[str, Any]],
    land_target: float,
    energy_target: float,
    year: int,
) -> None:
    """Freed land and energy of completed cases, scaled to land near the year's targets."""
    cal = calibration()["cases"]
    done = [c for c in cases if c["status"] in ("completed", "verified")]
    if not done:
        return
    land = cal["freed_land_mu_per_case"]
    energy = cal["freed_energy_tce_per_case"]
    raw_land = land["median"] * rng.lognormal(0.0, land["sigma"], len(done))
    raw_energy = energy["median"] * rng.lognormal(0.0, energy["sigma"], len(done))
    upgrade = np.array([c["outcome"] == "upgrade" for c in done])
    raw_land = np.where(upgrade, raw_land * 0.3, raw_land)  # upgrading in place frees less land
    factor = 0.9 if year == 2021 else rng.uniform(0.92, 1.08)
    raw_land *= land_target * factor / raw_land.sum()
    raw_energy *= energy_target * factor / raw_energy.sum()
    for c, fl, fe in zip(done, raw_land, raw_energy, strict=True):
        c["freed_land_mu"] = round(float(fl), 2)
        c["freed_energy_tce"] = round(float(fe), 1)
