"""Region roll-ups of a run, for monitoring: county observations and province/city summaries.

Ratios are Σ numerator / Σ denominator over the above-scale firms of the region (as the indicator
catalogue defines them), never an average of firm ratios. Observations are written per county
only, for the catalogue's indicators: the monitor adds county figures up to cities and the
province itself, and a city figure recorded beside its counties would be counted twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

import ibis

from zhuansheng import reference

from .common import with_keys
from .energy import negative_code, tce
from .schema import NUMERIC_COLUMNS, CarbonMethod

if TYPE_CHECKING:
    import ibis.expr.types as ir


@dataclass(frozen=True)
class Rollup:
    indicator: str
    written_by: str  # the evaluation kind whose run writes it
    numerator: str  # a quantity of :func:`_quantities`
    denominator: str
    denominator_positive: bool
    to_unit: float  # numerator and denominator scaled to the catalogue's units (万元 → 亿元)
    scale: float  # 100 for a percentage
    deduct: str | None  # a fact column taken off the numerator (国家单列项目)


@dataclass(frozen=True)
class RollupSpec:
    version: str
    scales: tuple[str, ...]
    rollups: tuple[Rollup, ...]

    def of_kind(self, kind: str) -> tuple[Rollup, ...]:
        return tuple(r for r in self.rollups if r.written_by == kind)


QUANTITIES = ("tce", "traditional_va")  # besides the numeric fact columns


@cache
def spec() -> RollupSpec:
    """The roll-up definitions (``engine/data/rollups.yaml``)."""
    from zhuansheng.datafile import read_yaml

    data = read_yaml("zhuansheng.engine", "rollups.yaml")
    known = (*NUMERIC_COLUMNS, *QUANTITIES)
    rollups = []
    for x in data["indicators"]:
        for q in (x["numerator"], x["denominator"], x.get("deduct_from_numerator")):
            if q is not None and q not in known:
                raise ValueError(f"rollups.yaml: {x['id']} uses unknown quantity {q}")
        rollups.append(
            Rollup(
                indicator=x["id"],
                written_by=x["written_by"],
                numerator=x["numerator"],
                denominator=x["denominator"],
                denominator_positive=bool(x.get("denominator_positive", False)),
                to_unit=float(x.get("to_unit", 1.0)),
                scale=float(x.get("scale", 1.0)),
                deduct=x.get("deduct_from_numerator"),
            )
        )
    return RollupSpec(str(data["version"]), tuple(data["firms"]["scales"]), tuple(rollups))


@cache
def _traditional_branches() -> tuple[tuple[int, str, bool], ...]:
    """(code length, code, traditional) from the most specific entry to the least."""
    rows = [(len(i.code), i.code, i.traditional) for i in reference.industries()]
    return tuple(sorted(rows, key=lambda r: -r[0]))


def traditional(t: ir.Table) -> ir.BooleanValue:
    """Zhejiang traditional manufacturing, the most specific reference entry deciding."""
    pairs = [
        (t.industry_code.substr(0, n) == code, ibis.literal(flag))
        for n, code, flag in _traditional_branches()
    ]
    return ibis.cases(*pairs, else_=False)


def _quantities(
    t: ir.Table, year: int, energy: CarbonMethod | None, convention: str | None
) -> dict[str, ir.NumericValue]:
    """What a roll-up can sum, NULL where the firm lacks it (or its data are invalid)."""
    out: dict[str, ir.NumericValue] = {}
    if energy is not None:
        conv = convention or energy.electricity.convention
        valid = negative_code(t).isnull() & t.electricity_kwh.notnull()
        out["tce"] = ibis.ifelse(valid, tce(t, energy, year, conv), ibis.null("float64"))
    out["traditional_va"] = ibis.ifelse(traditional(t), t.value_added_wan, 0.0)
    return out


def county_sums(
    facts: ir.Table, year: int, energy: CarbonMethod | None, convention: str | None
) -> ir.Table:
    """Per county: for each roll-up, Σ numerator and Σ denominator over the same firms (the
    method's scales; both parts present, the denominator > 0 where the definition says so)."""
    sp = spec()
    t = with_keys(facts.filter((facts.year == year) & facts.scale.isin(list(sp.scales))))
    q = _quantities(t, year, energy, convention)
    cols: dict[str, Any] = {"firms": t.uscc.count()}
    for r in sp.rollups:
        if any(x in QUANTITIES and x not in q for x in (r.numerator, r.denominator)):
            continue  # e.g. energy without an energy method
        num = q[r.numerator] if r.numerator in q else t[r.numerator]
        den = q[r.denominator] if r.denominator in q else t[r.denominator]
        if r.deduct is not None:
            num = num - t[r.deduct].fill_null(0.0)
        ok = num.notnull() & den.notnull()
        if r.denominator_positive:
            ok = ok & (den > 0)
        ok = ok.fill_null(False)
        cols[f"{r.indicator}__num"] = ibis.ifelse(ok, num, 0.0).sum()
        cols[f"{r.indicator}__den"] = ibis.ifelse(ok, den, 0.0).sum()
    return t.group_by("county_code").aggregate(**cols)


def figures(sums: list[dict[str, Any]], kind: str) -> dict[str, dict[str, tuple[float, ...]]]:
    """indicator → county → (value, numerator, denominator) in the catalogue's units."""
    out: dict[str, dict[str, tuple[float, ...]]] = {}
    for r in spec().of_kind(kind):
        per: dict[str, tuple[float, ...]] = {}
        for row in sums:
            num, den = row.get(f"{r.indicator}__num"), row.get(f"{r.indicator}__den")
            if num is None or not den:
                continue
            num, den = float(num) * r.to_unit, float(den) * r.to_unit
            per[row["county_code"]] = (num / den * r.scale, num, den)
        out[r.indicator] = per
    return out


def totals(sums: list[dict[str, Any]], kind: str, key: Any = None) -> dict[str, float | None]:
    """Figures of a set of counties (all by default): Σ over the counties, then divided."""
    agg: dict[str, float] = {}
    for row in sums:
        if key is not None and not key(row["county_code"]):
            continue
        for k, v in row.items():
            if k != "county_code" and v is not None:
                agg[k] = agg.get(k, 0.0) + float(v)
    out: dict[str, float | None] = {}
    for r in spec().of_kind(kind):
        num, den = agg.get(f"{r.indicator}__num"), agg.get(f"{r.indicator}__den")
        out[r.indicator] = (num / den * r.scale) if num is not None and den else None
    return out


def city_of(county: str) -> str:
    try:
        return reference.region(county).parent_code or county[:4] + "00"
    except Exception:  # a county code outside the reference (only via --input)
        return county[:4] + "00"


__all__ = [
    "Rollup",
    "RollupSpec",
    "city_of",
    "county_sums",
    "figures",
    "spec",
    "totals",
    "traditional",
]
