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


@dataclass
class CaseWorld:
    cases: list[dict[str, Any]] = field(default_factory=list)  # scripts, see _case
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
    """The cases of 2021 and 2022 as scripts, for ``replay`` to put through the services."""
    cal = calibration()["cases"]
    world = CaseWorld()
    pool = _candidates(facts)
    land_of = _latest_land(facts)
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
        _scale_freed(rng, year_cases, land_target, energy_target, year, land_of)
        world.cases.extend(year_cases)
    return world


def _latest_land(facts: pa.Table) -> dict[str, float]:
    """Each firm's land (亩) in its latest year, as the freed-land check reads the lake."""
    out: dict[str, float] = {}
    order = np.argsort(facts["year"].to_numpy(), kind="stable")
    ids, lands = facts["uscc"].to_pylist(), facts["land_mu"].to_pylist()
    for i in order:
        if lands[i] is not None:
            out[ids[i]] = float(lands[i])
    return out


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
    """One case's script: when it was listed, planned, started, completed and verified (None:
    not reached), and what was planned. Every date stays within the list's year, except the
    verification of a previous year's case."""
    cal = calibration()["cases"]
    year_end = dt.date(year, 12, 31)
    opened = dt.date(year, int(rng.integers(1, 4)), int(rng.integers(1, 29)))
    # When the case closes follows the county's pace; some are still open at year end.
    u = rng.random() / cal["completed_share_by_year_end"]
    month = None if u > 1 else int(np.searchsorted(geo.schedule[county_index], u)) + 1
    planned = opened + dt.timedelta(days=int(rng.integers(15, 45)))
    started: dt.date | None = planned + dt.timedelta(days=int(rng.integers(10, 60)))
    if started is not None and started >= year_end:
        started = None
    closed = None
    if month is not None and started is not None:
        first = opened.month + 1 if year == 2021 else min(opened.month + 2, 12)
        closed = max(dt.date(year, max(month, first), 28), started + dt.timedelta(days=1))
        closed = closed if closed <= year_end else None
    # the plan's last deadline: the expected completion, met by most, missed by some
    slack = int(rng.integers(-20, 60))
    deadline = (closed or year_end) + dt.timedelta(days=slack)
    deadline = max(deadline, planned + dt.timedelta(days=30))
    verified = failed = None
    if closed is not None:
        v = cal["verification"]
        if year < 2022 or rng.random() < v["share_verified"]:
            verified = closed + dt.timedelta(days=int(rng.integers(*v["days_after"])))
        if year >= 2022 and rng.random() < v["share_failed_first"]:
            failed, verified = verified, None
            failed = failed or closed + dt.timedelta(days=int(rng.integers(*v["days_after"])))
        if year >= 2022 and verified is not None and verified > year_end:
            verified = None
        if failed is not None and failed > year_end:
            failed = None
    return {
        "uscc": uscc,
        "county_code": county,
        "year": year,
        "measure": outcomes[int(rng.choice(len(outcomes), p=probs / probs.sum()))],
        "opened": opened,
        "planned": planned,
        "started": started,
        "closed": closed,
        "failed": failed,
        "verified": verified,
        "deadline": deadline,
        "responsible": f"{place_of(county)}经信局（演示）",
        "freed_land_mu": 0.0,
        "freed_energy_tce": 0.0,
    }


def place_of(county: str) -> str:
    return next(c.name_zh for c in reference.counties() if c.code == county)


def _scale_freed(
    rng: np.random.Generator,
    cases: list[dict[str, Any]],
    land_target: float,
    energy_target: float,
    year: int,
    land_of: dict[str, float],
) -> None:
    """Freed land and energy of completed cases, scaled to land near the year's targets, and the
    figures every plan expects (the freed ones give or take a little); no firm frees or expects
    more land than it has (the surplus goes to the firms without a land figure)."""
    cal = calibration()["cases"]
    if not cases:
        return
    done = np.array([c["closed"] is not None for c in cases])
    land = cal["freed_land_mu_per_case"]
    energy = cal["freed_energy_tce_per_case"]
    raw_land = land["median"] * rng.lognormal(0.0, land["sigma"], len(cases))
    raw_energy = energy["median"] * rng.lognormal(0.0, energy["sigma"], len(cases))
    upgrade = np.array([c["measure"] == "upgrade" for c in cases])
    raw_land = np.where(upgrade, raw_land * 0.3, raw_land)  # upgrading in place frees less land
    factor = 0.9 if year == 2021 else rng.uniform(0.92, 1.08)
    if done.any():
        raw_land *= land_target * factor / raw_land[done].sum()
        raw_energy *= energy_target * factor / raw_energy[done].sum()
    cap = np.array([land_of.get(c["uscc"], np.inf) for c in cases]) * 0.95
    free = ~np.isfinite(cap) & done
    for _ in range(3):  # capped firms' surplus moves to the uncapped completed ones
        surplus = np.clip(raw_land - cap, 0, None)[done].sum()
        raw_land = np.minimum(raw_land, cap)
        if surplus <= 0 or not free.any():
            break
        raw_land[free] += surplus * raw_land[free] / raw_land[free].sum()
    planned = rng.uniform(0.9, 1.15, len(cases))  # what the plan expected, before measuring
    for i, c in enumerate(cases):
        c["expected_land_mu"] = float(np.floor(min(raw_land[i] * planned[i], cap[i]) * 100) / 100)
        c["expected_energy_tce"] = round(float(raw_energy[i] * planned[i]), 1)
        if done[i]:
            c["freed_land_mu"] = float(np.floor(raw_land[i] * 100) / 100)
            c["freed_energy_tce"] = round(float(raw_energy[i]), 1)
