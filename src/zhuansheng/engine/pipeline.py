"""The three evaluations as compositions of the pure functions, one relation each.

Each function takes the facts (an Ibis table in the lake contract, any years) and returns one row
per enterprise of ``year``. The screening pipeline computes carbon, 亩均 and the rules in a single
relation (no self-joins), which is what the benchmark times against hand-written SQL.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from . import carbon as _carbon
from . import mujun as _mujun
from . import screening as _screening
from .common import with_keys
from .schema import CarbonMethod, MujunMethod, ScreenMethod

if TYPE_CHECKING:
    import ibis.expr.types as ir

SCREEN_FACT_COLUMNS = ("tax_wan", "value_added_wan", "electricity_kwh")


@dataclass(frozen=True)
class Methods:
    """Everything one run needs: the method itself and the methods it refers to."""

    kind: str
    carbon: CarbonMethod | None = None
    mujun: MujunMethod | None = None
    energy: CarbonMethod | None = None  # the 亩均 method's coefficients
    screen: ScreenMethod | None = None
    files: dict[str, str] = field(default_factory=dict)  # method id → its file (for messages)


def _year(facts: ir.Table, year: int) -> ir.Table:
    return with_keys(facts.filter(facts.year == year))


def carbon_results(
    facts: ir.Table, m: Methods, year: int, *, convention: str | None = None
) -> ir.Table:
    assert m.carbon is not None
    t = _carbon.with_carbon(_year(facts, year), m.carbon, year, convention)
    return t.select(*_carbon.ID_COLUMNS, *_carbon.OUTPUT_COLUMNS)


def mujun_results(
    facts: ir.Table,
    m: Methods,
    year: int,
    *,
    adjustments: ir.Table | None = None,
    previous: ir.Table | None = None,
) -> ir.Table:
    assert m.mujun is not None and m.energy is not None
    prev = _year(previous, year - 1) if previous is not None else None
    t = _mujun.with_mujun(
        _year(facts, year), m.mujun, m.energy, year, adjustments=adjustments, previous=prev
    )
    return t.select(*_mujun.ID_COLUMNS, *_mujun.output_columns(m.mujun))


def screen_columns(m: Methods) -> list[str]:
    assert m.mujun is not None
    mujun_cols = [c for c in _mujun.output_columns(m.mujun) if c != "land_mu"]
    return [
        *_mujun.ID_COLUMNS,
        "land_mu",
        *SCREEN_FACT_COLUMNS,
        *_carbon.OUTPUT_COLUMNS,
        *mujun_cols,
        *_screening.OUTPUT_COLUMNS,
    ]


def screen_results(
    facts: ir.Table,
    m: Methods,
    year: int,
    *,
    convention: str | None = None,
    adjustments: ir.Table | None = None,
    previous: ir.Table | None = None,
) -> ir.Table:
    """Carbon + 碳效码 + 亩均 + screening for every enterprise of ``year``, in one relation."""
    assert m.carbon and m.mujun and m.energy and m.screen
    prev = _year(previous, year - 1) if previous is not None else None
    # the 亩均 energy figure first: the energy inputs then need not pass the carbon window
    t = _mujun.prepare(_year(facts, year), m.mujun, m.energy, year)
    t = _carbon.with_carbon(t, m.carbon, year, convention, grades=False)
    t = _mujun.with_mujun(
        t, m.mujun, m.energy, year, adjustments=adjustments, previous=prev, prepared=True
    )
    t = _carbon.with_grades(t, m.carbon)
    t = _screening.with_screening(t, m.screen)
    return t.select(*screen_columns(m))


def results(
    facts: ir.Table,
    m: Methods,
    year: int,
    *,
    convention: str | None = None,
    adjustments: ir.Table | None = None,
    previous: ir.Table | None = None,
) -> ir.Table:
    """The results of the run's kind."""
    if m.kind == "carbon":
        return carbon_results(facts, m, year, convention=convention)
    if m.kind == "mujun":
        return mujun_results(facts, m, year, adjustments=adjustments, previous=previous)
    return screen_results(
        facts, m, year, convention=convention, adjustments=adjustments, previous=previous
    )
