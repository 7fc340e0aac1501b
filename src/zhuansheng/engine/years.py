"""Year-keyed method parameters: the value an evaluation year uses, and only what the file states.

A grid emission factor, the electricity 等价值 or a benchmark given per year is looked up for the
evaluation year. When the method file has no value for that year the run stops, naming the file
and the key to add — unless the file states a fallback for that parameter (``fallback:
previous_year``, or for a grid factor ``fallback: default_region``). A fallback followed is a
:class:`Fallback`: the run records it in its summary, the results carry it in a column, and the
CLI and the web pages show it. No other value is ever put in the place of a missing one.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from zhuansheng.errors import Invalid

from .schema import CarbonMethod, FixedBenchmark, MujunMethod

if TYPE_CHECKING:
    from .pipeline import Methods


@dataclass(frozen=True)
class Fallback:
    """One year-keyed parameter for which the run used another key's value, as the file says."""

    method: str  # method id
    parameter: str  # the key in the method file, e.g. grid.factors
    wanted: str  # the key the year asked for, e.g. "2024 east_china"
    used: str  # the key whose value was used, e.g. "2023 east_china"
    value: float
    rule: str  # the file's words that allow it, e.g. "grid.fallback: previous_year"

    def text(self) -> str:
        return (
            f"{self.method} {self.parameter}：{self.wanted} 无值，按方法文件 {self.rule} "
            f"使用 {self.used} 的值 {self.value:g}"
        )

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "text": self.text()}


class MissingYearValue(Invalid):
    """The method file has no value for the year and states no fallback for the key."""

    def __init__(self, method: str, what: str, add: str) -> None:
        self.method, self.what, self.add = method, what, add
        super().__init__(self._message())

    def _message(self, path: str | Path | None = None) -> str:
        where = f"方法文件 {path}" if path else f"方法 {self.method}"
        return (
            f"{where} 没有{self.what}：请在方法文件中补充 {self.add}，或为该参数写明 fallback"
            "（如 fallback: previous_year，用上一年的值并在运行记录中注明）；"
            "系统不会自行改用其他因子 (no value for this year in the method file)"
        )

    def in_file(self, path: str | Path | None) -> Invalid:
        return Invalid(self._message(path))


def _region_label(region: str) -> str:
    return {"east_china": "华东", "national": "全国"}.get(region, region)


def grid_factor(method: CarbonMethod, year: int, region: str) -> tuple[float, str, Fallback | None]:
    """(tCO₂/MWh, the key used as ``region-year``, the fallback followed or None)."""
    entries = {(f.year, f.region): f for f in method.grid.factors}
    rules: list[str] = []

    def find(y: int, r: str, grid_level: bool) -> tuple[int, str, float]:
        f = entries.get((y, r))
        if f is None:
            if grid_level and method.grid.fallback == "previous_year":
                rules.append("grid.fallback: previous_year")
                return find(y - 1, r, False)
            reached = f"（按 {'; '.join(rules)} 转至 {y} 年 {r}，也没有）" if rules else ""
            raise MissingYearValue(
                method.id,
                f" {year} 年 {_region_label(region)}（{region}）的电网排放因子{reached}",
                f"grid.factors 条目 {{year: {year}, region: {region}, tco2_per_mwh: …, "
                "source: …, url: …}（发布文件及其地址）",
            )
        if f.tco2_per_mwh is not None:
            return y, r, f.tco2_per_mwh
        rules.append(f"grid.factors[{y}, {r}].fallback: {f.fallback}")
        if f.fallback == "previous_year":
            return find(y - 1, r, False)
        return find(y, method.grid.default_region, False)

    y, r, value = find(year, region, True)
    fallback = None
    if rules:
        fallback = Fallback(
            method.id, "grid.factors", f"{year} {region}", f"{y} {r}", value, "; ".join(rules)
        )
    return value, f"{r}-{y}", fallback


def equivalent_kgce(method: CarbonMethod, year: int) -> tuple[float, Fallback | None]:
    """The year's electricity 等价值 (kgce/kWh) and the fallback followed, if any."""
    e = method.electricity
    values = e.equivalent_kgce_per_kwh
    if year in values:
        return values[year], None
    if e.equivalent_fallback == "previous_year" and (year - 1) in values:
        rule = "electricity.equivalent_fallback: previous_year"
        used = values[year - 1]
        key = "electricity.equivalent_kgce_per_kwh"
        return used, Fallback(method.id, key, str(year), str(year - 1), used, rule)
    raise MissingYearValue(
        method.id,
        f" {year} 年的电力等价值折标系数",
        f"electricity.equivalent_kgce_per_kwh.{year}（当年火电供电标准煤耗，注明来源）",
    )


def fixed_benchmark(
    method: MujunMethod, scale: str, item: str, b: FixedBenchmark, year: int
) -> tuple[float, Fallback | None]:
    """A fixed benchmark's value for ``year`` and the fallback followed, if any."""
    if b.value is not None:
        return b.value, None
    key = f"sets.{scale}.items[{item}].benchmark.by_year"
    if year in b.by_year:
        return b.by_year[year], None
    if b.fallback == "previous_year" and (year - 1) in b.by_year:
        used = b.by_year[year - 1]
        rule = f"sets.{scale}.items[{item}].benchmark.fallback: previous_year"
        return used, Fallback(method.id, key, str(year), str(year - 1), used, rule)
    raise MissingYearValue(
        method.id, f" {year} 年{scale}组指标 {item} 的基准值", f"{key}.{year}（当年公布的基准值）"
    )


def uses_tce(method: MujunMethod) -> bool:
    return "tce" in {
        q for s in method.sets.values() for i in s.items for q in (i.numerator, i.denominator)
    } | {q for s in method.sets.values() for q in s.required}


def carbon_fallbacks(method: CarbonMethod, year: int, convention: str) -> list[Fallback]:
    """Every fallback a carbon computation for ``year`` follows (raises when one is missing)."""
    out = []
    regions = [*method.grid.region_of_province.values(), method.grid.default_region]
    for region in dict.fromkeys(regions):
        fb = grid_factor(method, year, region)[2]
        if fb is not None:
            out.append(fb)
    if convention == "equivalent":
        fb = equivalent_kgce(method, year)[1]
        if fb is not None:
            out.append(fb)
    return out


def mujun_fallbacks(method: MujunMethod, energy: CarbonMethod, year: int) -> list[Fallback]:
    """Every fallback a 亩均 computation for ``year`` follows (raises when one is missing)."""
    out = []
    if uses_tce(method) and method.energy.electricity_convention == "equivalent":
        fb = equivalent_kgce(energy, year)[1]
        if fb is not None:
            out.append(fb)
    for scale, s in method.sets.items():
        for i in s.items:
            if isinstance(i.benchmark, FixedBenchmark):
                fb = fixed_benchmark(method, scale, i.id, i.benchmark, year)[1]
                if fb is not None:
                    out.append(fb)
    return out


def check(m: Methods, year: int, convention: str | None) -> list[Fallback]:
    """Before a run: every year-keyed value it needs exists or has a stated fallback. Raises
    :class:`Invalid` naming the method file and the key to add; returns the fallbacks."""
    try:
        out: list[Fallback] = []
        if m.carbon is not None:
            out += carbon_fallbacks(m.carbon, year, convention or m.carbon.electricity.convention)
        if m.mujun is not None and m.energy is not None:
            out += mujun_fallbacks(m.mujun, m.energy, year)
        return list(dict.fromkeys(out))
    except MissingYearValue as exc:
        raise exc.in_file(m.files.get(exc.method)) from None


def column_text(fallbacks: list[Fallback]) -> str | None:
    """What a result row's fallback column holds (None: the year's own values throughout)."""
    return "；".join(f.text() for f in fallbacks) or None
