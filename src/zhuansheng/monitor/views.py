"""The views of the monthly analysis: by target, by region, by engineering area, by responsible
unit, and the warning list."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from functools import cached_property

from zhuansheng.errors import ZhuanshengError
from zhuansheng.periods import Period, parse_period
from zhuansheng.reference import PROVINCE_CODE
from zhuansheng.workspace import Workspace

from .analysis import Analysis, analyse, unit
from .areas import area_key, area_names
from .config import MonitorConfig
from .rows import ProgressRow, rows_for
from .status import COLOURS, LAGGING
from .units import LEVELS


@dataclass
class Monitor:
    """The analysis of one period, with its views."""

    analysis: Analysis
    period: Period

    @property
    def month(self) -> int:
        return self.period.month

    def _units(self, level: str | None, region: str | None) -> list[int]:
        """Unit positions: a region alone, the units of a level inside a region, or a level."""
        units = self.analysis.units
        if level is not None and level not in LEVELS:
            raise ZhuanshengError(f"未知的层级 '{level}'，应为 {'、'.join(LEVELS)}")
        if region is not None:
            unit(self.analysis, region)  # a clear error for an unknown code
            r = units.index(region)
            if level is None:
                return [r]
            inside = (units.membership <= units.membership[r]).all(axis=1)
            return [i for i, u in enumerate(units.units) if u.level == level and inside[i]]
        level = level or "city"
        keep = {level, "province"} if level in ("city", "county") else {level}
        return [i for i, u in enumerate(units.units) if u.level in keep]

    def rows(
        self, *, level: str | None = None, region: str | None = None, target: str | None = None
    ) -> list[ProgressRow]:
        if target is not None and target not in {r.target.id for r in self.analysis.results}:
            raise ZhuanshengError(f"{self.analysis.year} 年工作要点中没有目标 '{target}'")
        return rows_for(
            self.analysis,
            self.month,
            units=self._units(level, region),
            targets=None if target is None else [target],
        )

    def by_target(self, target: str, *, level: str | None = None) -> list[ProgressRow]:
        """One target in every unit of a level, best progress first: the pace against the
        schedule where the target has one, else the progress towards it, else completion."""
        rows = self.rows(level=level or "county", target=target)
        return sorted(rows, key=lambda r: (r.level != "province", -_progress(r)))

    def by_region(self, region: str = PROVINCE_CODE) -> list[ProgressRow]:
        """Every target for one region, in programme order."""
        return self.rows(region=region)

    def by_area(self, region: str = PROVINCE_CODE) -> list[dict[str, object]]:
        """Per engineering area (and the goals and safeguards): how many targets are where."""
        rows = self.by_region(region)
        names = area_names(self.analysis.year)
        order: dict[str, Counter[str]] = {}
        for r in rows:
            order.setdefault(area_key(r), Counter())[r.colour] += 1
        return [
            {
                "area": k,
                "area_zh": names.get(k, k),
                "targets": sum(c.values()),
                **{col: c[col] for col in COLOURS},
            }
            for k, c in order.items()
        ]

    def by_unit(self, unit_name: str | None = None) -> list[ProgressRow]:
        """Province rows of the targets each responsible unit leads, lagging ones first; for one
        unit, those it leads or works on as a co-unit (配合)."""
        rows = self.by_region(PROVINCE_CODE)
        if unit_name is not None:
            rows = [
                r for r in rows if unit_name in (*r.lead_units.split("、"), *r.co_units.split("、"))
            ]
            if not rows:
                raise ZhuanshengError(f"没有由“{unit_name}”牵头或配合的目标")
        return sorted(rows, key=lambda r: (r.lead_units, -r.severity))

    def units_summary(self) -> list[dict[str, object]]:
        """Per lead unit: targets led, and how many are behind (yellow or red)."""
        out: dict[str, Counter[str]] = {}
        for r in self.by_region(PROVINCE_CODE):
            for name in r.lead_units.split("、") if r.lead_units else ["（未列责任单位）"]:
                out.setdefault(name, Counter())[r.colour] += 1
        return sorted(
            (
                {"unit": k, "targets": sum(c.values()), **{col: c[col] for col in COLOURS}}
                for k, c in out.items()
            ),
            key=lambda d: (-sum(d[c] for c in LAGGING), d["unit"]),  # type: ignore[misc]
        )

    def warnings(self, *, level: str | None = None) -> list[ProgressRow]:
        """Red items, worst first: by severity, then by how far behind (pace or R)."""
        rows = [r for r in self.rows(level=level) if r.colour == "red"]
        return sorted(rows, key=lambda r: (-r.severity, _progress(r), r.target, r.region))

    def overdue_milestones(self) -> list[ProgressRow]:
        """Province rows of milestone targets whose latest report due has not arrived."""
        return [r for r in self.rows(level="province") if r.status == "overdue"]

    @cached_property
    def status_counts(self) -> dict[str, int]:
        return dict(Counter(r.colour for r in self.rows(level="city")))


def _progress(r: ProgressRow) -> float:
    for value in (r.pace, r.progress_ratio, r.completion):
        if value is not None:
            return value
    return 0.0


def run(
    period: str,
    *,
    ws: Workspace | None = None,
    config: MonitorConfig | None = None,
    count_from: str | None = None,
) -> Monitor:
    """The monthly analysis for a period: ``2022-06`` (1—6月), ``2022Q2`` or ``2022``; ``config``
    replaces the shipped rules (``load_config(path)``); ``count_from`` what counts (default: the
    rules' ``count_from``)."""
    p = parse_period(period)
    return Monitor(analyse(p.year, ws=ws, config=config, count_from=count_from), p)
