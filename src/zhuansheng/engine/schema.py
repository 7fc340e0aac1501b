"""Pydantic models of the method files (carbon, 亩均 mujun, screening).

Every parameter of a method lives in its YAML file; these models only say what a valid file looks
like. Unknown keys are errors (a misspelt key must never be silently ignored), and checks that
span several fields (bounds in order, bands ending at 100 %, rules defined before use) are made
here so a file is refused as a whole, with every problem and its line, before anything runs.
"""

from __future__ import annotations

from itertools import pairwise
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from zhuansheng.lake.contract import COLUMNS

Slug = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]
MethodId = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_.-]*$")]
Text = Annotated[str, Field(min_length=1)]
Positive = Annotated[float, Field(gt=0)]
NonNegative = Annotated[float, Field(ge=0)]
Scale = Literal["above", "below"]
Convention = Literal["calorific", "equivalent"]

# Numbers of the lake contract an item or a rule may use, plus the engine's derived energy.
NUMERIC_COLUMNS: tuple[str, ...] = tuple(c.name for c in COLUMNS if c.kind == "number")
ENERGY_COLUMNS: tuple[str, ...] = (
    "electricity_kwh",
    "coal_t",
    "coke_t",
    "fuel_oil_t",
    "gasoline_t",
    "diesel_t",
    "lpg_t",
    "natural_gas_m3",
    "heat_gj",
)
QUANTITIES: tuple[str, ...] = (*NUMERIC_COLUMNS, "tce")
GROUP_KEYS = ("county_code", "city_code", "industry_group")


def _fail(code: str, message: str, **ctx: Any) -> PydanticCustomError:
    return PydanticCustomError(code, message, ctx)


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Source(_Model):
    """Where a number comes from: a document, optionally its address and a remark."""

    title: Text
    url: str | None = None
    note: str | None = None


class _Method(_Model):
    id: MethodId
    version: Text
    name_zh: Text
    name_en: Text
    locality: str | None = None
    sources: Annotated[list[Source], Field(min_length=1)]
    note: str | None = None


def _increasing(values: list[float], what: str) -> None:
    if any(b <= a for a, b in pairwise(values)):
        raise _fail("not_increasing", "{what} 必须严格递增：{values}", what=what, values=values)


# -- carbon --------------------------------------------------------------------------------------


class Fuel(_Model):
    """Coefficients per unit of the lake column (t, m³ or GJ as the contract says)."""

    name_zh: Text
    tce_per_unit: NonNegative
    tco2_per_unit: NonNegative
    source: str | None = None


# What a year-keyed parameter does for a year the file has no value for: ``none`` stops the run
# (naming the key to add); ``previous_year`` takes the value of the year before, and the run
# records that it did. Nothing else is ever chosen in its place.
YearFallback = Literal["none", "previous_year"]
Year = Annotated[int, Field(ge=2000, le=2100)]


class Electricity(_Model):
    convention: Convention
    calorific_kgce_per_kwh: Positive
    # 等价值: the year's thermal-power coal use per kWh supplied, a yearly setting.
    equivalent_kgce_per_kwh: dict[Year, Positive] = {}
    equivalent_fallback: YearFallback = "none"
    source: str | None = None


class GridFactor(_Model):
    """A published factor for (year, region), or — where none could be confirmed — the
    fallback the file states for that key: the previous year's factor of the region, or the
    same year's factor of ``default_region``."""

    year: Year
    region: Slug
    tco2_per_mwh: NonNegative | None = None
    fallback: Literal["previous_year", "default_region"] | None = None
    source: Text
    url: str | None = None

    @model_validator(mode="after")
    def _value_or_fallback(self) -> GridFactor:
        if (self.tco2_per_mwh is None) == (self.fallback is None):
            raise _fail(
                "factor_or_fallback",
                "电网排放因子 {year} 年 {region}：须写 tco2_per_mwh 或 fallback 之一"
                "（不能都写或都不写）",
                year=self.year,
                region=self.region,
            )
        return self


class Grid(_Model):
    # Province (first two digits of the county code) → grid region; others use default_region.
    region_of_province: dict[str, Slug] = {}
    default_region: Slug
    factors: Annotated[list[GridFactor], Field(min_length=1)]
    fallback: YearFallback = "none"  # for a (year, region) that has no entry at all
    deduct_zero_carbon: bool = True

    @model_validator(mode="after")
    def _unique(self) -> Grid:
        seen = [(f.year, f.region) for f in self.factors]
        dupes = sorted({k for k in seen if seen.count(k) > 1})
        if dupes:
            raise _fail("duplicate_factor", "电网排放因子重复（年度, 区域）：{d}", d=dupes)
        circular = [
            f.year
            for f in self.factors
            if f.region == self.default_region and f.fallback == "default_region"
        ]
        if circular:
            raise _fail(
                "default_region_fallback",
                "默认区域 {r} 的因子不能写 fallback: default_region（{y} 年）",
                r=self.default_region,
                y=circular,
            )
        return self


class IndustryAverage(_Model):
    level: Literal["division", "class"]  # 2-digit 大类 or 4-digit 小类 of GB/T 4754
    scope: Literal["all", "city", "county"] = "all"  # over the whole input, or per city/county


class LevelBand(_Model):
    level: Slug
    upper: Positive | None = None  # inclusive upper bound of L; the last band has none


class CarbonScope(_Model):
    scales: Annotated[list[Scale], Field(min_length=1)]


class CarbonMethod(_Method):
    kind: Literal["carbon"]
    scope: CarbonScope
    electricity: Electricity
    fuels: dict[str, Fuel]
    grid: Grid
    industry_average: IndustryAverage
    decimals: Annotated[int, Field(ge=0, le=12)]
    grade_upper_bounds: Annotated[list[Positive], Field(min_length=1)]
    levels: Annotated[list[LevelBand], Field(min_length=2)]

    @model_validator(mode="after")
    def _check(self) -> CarbonMethod:
        unknown = sorted(set(self.fuels) - set(ENERGY_COLUMNS) - {"electricity_kwh"})
        if unknown or "electricity_kwh" in self.fuels:
            raise _fail(
                "unknown_fuel",
                "fuels 中的列 {cols} 不是数据湖的燃料列；可用：{allowed}（电力在 electricity 下）",
                cols=unknown or ["electricity_kwh"],
                allowed=", ".join(ENERGY_COLUMNS[1:]),
            )
        _increasing(self.grade_upper_bounds, "grade_upper_bounds")
        uppers = [b.upper for b in self.levels]
        if uppers[-1] is not None or any(u is None for u in uppers[:-1]):
            raise _fail("level_bands", "levels：除最后一档外每档须有 upper，最后一档不得有 upper")
        _increasing([u for u in uppers if u is not None], "levels.upper")
        return self


# -- 亩均 mujun ------------------------------------------------------------------------------------


class FixedBenchmark(_Model):
    """One value for every year, or a published value per evaluation year (``by_year``)."""

    kind: Literal["fixed"]
    value: Positive | None = None
    by_year: dict[Year, Positive] = {}
    fallback: YearFallback = "none"  # for a year ``by_year`` does not list

    @model_validator(mode="after")
    def _value_or_years(self) -> FixedBenchmark:
        if (self.value is None) == (not self.by_year):
            raise _fail("fixed_benchmark", "fixed 基准值须写 value 或 by_year 之一")
        if self.value is not None and self.fallback != "none":
            raise _fail("fixed_benchmark", "只有按年度给出的基准值（by_year）才能写 fallback")
        return self


class GroupMeanBenchmark(_Model):
    """Σ numerator / Σ denominator over the firms evaluated with the item, × factor."""

    kind: Literal["group_mean"]
    over: list[Literal["county_code", "city_code", "industry_group"]] = []
    factor: Positive = 1.0


class LastYearBenchmark(_Model):
    """The same group mean, computed on last year's facts, × factor (e.g. 2 × 上年平均)."""

    kind: Literal["last_year"]
    over: list[Literal["county_code", "city_code", "industry_group"]] = []
    factor: Positive = 1.0


Benchmark = Annotated[
    FixedBenchmark | GroupMeanBenchmark | LastYearBenchmark, Field(discriminator="kind")
]


class Item(_Model):
    id: Slug
    name_zh: Text
    unit: Text
    numerator: str
    denominator: str
    multiplier: Positive = 1.0  # unit conversion, e.g. 10000 for 万元/kWh → 元/kWh
    weight: Positive
    benchmark: Benchmark
    cap: Positive | None = None  # the ratio to the benchmark counts at most this much
    missing: Literal["no_class", "group_average", "zero"] = "no_class"

    @model_validator(mode="after")
    def _quantities(self) -> Item:
        bad = [q for q in (self.numerator, self.denominator) if q not in QUANTITIES]
        if bad:
            raise _fail(
                "unknown_quantity",
                "指标 {item} 的分子/分母 {bad} 不是数据湖的数值列；可用：{allowed}",
                item=self.id,
                bad=bad,
                allowed=", ".join(QUANTITIES),
            )
        return self


class RankBand(_Model):
    class_: Annotated[str, Field(alias="class", min_length=1)]
    to_pct: Annotated[float, Field(gt=0, le=100)]


class ScoreCutoff(_Model):
    class_: Annotated[str, Field(alias="class", min_length=1)]
    min_score: float | None = None  # the last class has none


class RankClasses(_Model):
    by: Literal["rank"]
    bands: Annotated[list[RankBand], Field(min_length=1)]
    # How a rank meets a band (to_pct = p, group size n, rank r, 1 = best):
    #   share_ahead   — the share of firms ranked ahead is below p: (r − 1) / n < p %;
    #   rounded_count — the band's last rank is p % of n rounded half up: r ≤ ⌊n·p/100 + ½⌋.
    # In groups under 20 firms share_ahead leaves a 5 % band empty; rounded_count fills it from
    # 11 firms on. Ties share a rank, hence a class, under both.
    assign: Literal["share_ahead", "rounded_count"] = "share_ahead"
    tie_break: list[Slug] = []  # items compared (higher first) when scores are equal

    @model_validator(mode="after")
    def _ends_at_100(self) -> RankClasses:
        pcts = [b.to_pct for b in self.bands]
        _increasing(pcts, "bands.to_pct")
        if pcts[-1] != 100:
            raise _fail("bands_end", "最后一档的 to_pct 必须为 100（实为 {p}）", p=pcts[-1])
        return self


class ScoreClasses(_Model):
    by: Literal["score"]
    cutoffs: Annotated[list[ScoreCutoff], Field(min_length=1)]
    tie_break: list[Slug] = []

    @model_validator(mode="after")
    def _descending(self) -> ScoreClasses:
        mins = [c.min_score for c in self.cutoffs]
        if mins[-1] is not None or any(m is None for m in mins[:-1]):
            raise _fail("cutoffs", "cutoffs：除最后一类外每类须有 min_score，最后一类不得有")
        _increasing([-m for m in mins if m is not None], "cutoffs.min_score（从高到低）")
        return self


Classes = Annotated[RankClasses | ScoreClasses, Field(discriminator="by")]


class IndicatorSet(_Model):
    required: list[str] = []  # inputs that must be present and > 0, else no class
    items: Annotated[list[Item], Field(min_length=1)]
    classes: Classes

    @model_validator(mode="after")
    def _check(self) -> IndicatorSet:
        ids = [i.id for i in self.items]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        bad_req = [q for q in self.required if q not in QUANTITIES]
        bad_tie = [i for i in self.classes.tie_break if i not in ids]
        if dupes:
            raise _fail("duplicate_item", "指标重复：{d}", d=dupes)
        if bad_req:
            raise _fail("unknown_quantity", "required 中 {bad} 不是数据湖的数值列", bad=bad_req)
        if bad_tie:
            raise _fail("unknown_item", "tie_break 中的 {bad} 不是本组的指标", bad=bad_tie)
        return self

    @property
    def class_names(self) -> list[str]:
        c = self.classes
        return (
            [b.class_ for b in c.bands]
            if isinstance(c, RankClasses)
            else [x.class_ for x in c.cutoffs]
        )


class IndustryGroup(_Model):
    id: Slug
    name_zh: Text
    divisions: Annotated[list[Annotated[str, Field(pattern=r"^\d{2}$")]], Field(min_length=1)]


class IndustryGroups(_Model):
    groups: Annotated[list[IndustryGroup], Field(min_length=1)]
    default: Slug  # divisions no group lists

    @model_validator(mode="after")
    def _disjoint(self) -> IndustryGroups:
        seen = [d for g in self.groups for d in g.divisions]
        dupes = sorted({d for d in seen if seen.count(d) > 1})
        if dupes:
            raise _fail("duplicate_division", "行业大类 {d} 出现在多个行业组中", d=dupes)
        return self


class Adjustment(_Model):
    id: Slug
    name_zh: Text
    kind: Literal["bonus", "deduction", "veto"]
    points: NonNegative | None = None  # per occurrence (the events table's count)
    source: str | None = None

    @model_validator(mode="after")
    def _points(self) -> Adjustment:
        if (self.kind == "veto") != (self.points is None):
            raise _fail("points", "加分、扣分项须有 points；一票否决项（veto）不得有 points")
        return self


class AdjustmentCaps(_Model):
    bonus: NonNegative | None = None
    deduction: NonNegative | None = None


class Exemption(_Model):
    id: Slug
    name_zh: Text
    class_: Annotated[str | None, Field(alias="class")] = None  # e.g. 参照 B 类; none: no class
    source: str | None = None


class MujunEnergy(_Model):
    coefficients: MethodId  # the carbon method whose GB/T 2589 coefficients are used
    electricity_convention: Convention


class MujunScope(_Model):
    scales: Annotated[list[Scale], Field(min_length=1)]
    below_min_land_mu: NonNegative = 0.0


class MujunMethod(_Method):
    kind: Literal["mujun"]
    energy: MujunEnergy
    scope: MujunScope
    groups: list[Literal["county_code", "city_code", "industry_group"]] = []
    industry_groups: IndustryGroups | None = None
    score_decimals: Annotated[int, Field(ge=0, le=12)]
    sets: dict[Scale, IndicatorSet]
    adjustments: list[Adjustment] = []
    adjustment_caps: AdjustmentCaps = AdjustmentCaps()
    veto_class: str
    exemptions: list[Exemption] = []

    @model_validator(mode="after")
    def _check(self) -> MujunMethod:
        missing = [s for s in self.scope.scales if s not in self.sets]
        if missing:
            raise _fail("missing_set", "scope 包含 {m}，但 sets 中没有对应的指标组", m=missing)
        uses_groups = "industry_group" in self.groups or any(
            "industry_group" in getattr(i.benchmark, "over", [])
            for s in self.sets.values()
            for i in s.items
        )
        if uses_groups and self.industry_groups is None:
            raise _fail("industry_groups", "按行业组评价或计算基准值时须定义 industry_groups")
        for scale, s in self.sets.items():
            if self.veto_class not in s.class_names:
                raise _fail(
                    "veto_class",
                    "veto_class {c} 不是 {s} 组的类别之一：{names}",
                    c=self.veto_class,
                    s=scale,
                    names=s.class_names,
                )
            for e in self.exemptions:
                if e.class_ is not None and e.class_ not in s.class_names:
                    raise _fail("exempt_class", "免评项 {e} 的类别 {c} 不存在", e=e.id, c=e.class_)
        ids = [a.id for a in self.adjustments] + [e.id for e in self.exemptions]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise _fail("duplicate_event", "加减分项与免评项的编号重复：{d}", d=dupes)
        return self

    def item_ids(self) -> list[str]:
        """Every item id across the sets, in first-seen order."""
        out: list[str] = []
        for s in self.sets.values():
            out += [i.id for i in s.items if i.id not in out]
        return out


# -- screening -----------------------------------------------------------------------------------

SCREEN_FIELDS: tuple[str, ...] = (
    *NUMERIC_COLUMNS,
    "scale",
    "county_code",
    "city_code",
    "industry_code",
    "industry_division",
    "tce",
    "co2_t",
    "energy_intensity",
    "carbon_intensity",
    "carbon_ratio",
    "carbon_grade",
    "carbon_level",
    "mujun_score",
    "mujun_class",
)


class Condition(_Model):
    """``{field, op, value}`` on one enterprise's figure, or ``{rule: id}`` for an earlier rule.

    A condition on a missing figure is false (nothing is concluded from absent data).
    """

    field: str | None = None
    op: Literal["lt", "le", "gt", "ge", "eq", "ne", "in", "not_in"] | None = None
    value: float | str | list[float | str] | None = None
    rule: Slug | None = None

    @model_validator(mode="after")
    def _shape(self) -> Condition:
        if self.rule is not None:
            if self.field is not None or self.op is not None or self.value is not None:
                raise _fail("condition", "条件要么写 rule，要么写 field/op/value，不能同时写")
            return self
        if self.field is None or self.op is None or self.value is None:
            raise _fail("condition", "条件须有 field、op、value（或只写 rule）")
        if (self.op in ("in", "not_in")) != isinstance(self.value, list):
            raise _fail("condition_value", "op 为 in/not_in 时 value 须为列表，否则须为单个值")
        return self


class Rule(_Model):
    id: Slug
    name_zh: Text
    candidate: bool = True  # false: a building block other rules refer to, not a finding
    all: list[Condition] = []  # every condition holds
    any: list[Condition] = []  # at least one holds
    source: str | None = None

    @model_validator(mode="after")
    def _not_empty(self) -> Rule:
        if not self.all and not self.any:
            raise _fail("empty_rule", "规则 {r} 没有任何条件（all 或 any）", r=self.id)
        return self


class ScreenUses(_Model):
    carbon: MethodId
    mujun: MethodId


class ScreenRatio(_Model):
    """A figure the rules use: numerator / denominator (missing when the denominator is not > 0)."""

    name_zh: Text
    numerator: str
    denominator: str

    @model_validator(mode="after")
    def _known(self) -> ScreenRatio:
        for q in (self.numerator, self.denominator):
            if q not in SCREEN_FIELDS:
                raise _fail("unknown_field", "未知字段 {f}；可用：{allowed}", f=q, allowed=_FIELDS)
        return self


class ScreenScope(_Model):
    """Which firms are screened: ``all`` conditions hold and, if given, one of ``any``."""

    all: Annotated[list[Condition], Field(min_length=1)]
    any: list[Condition] = []


_FIELDS = ", ".join(SCREEN_FIELDS)


class ScreenMethod(_Method):
    kind: Literal["screen"]
    uses: ScreenUses
    # tax_per_mu and va_per_mu go into the candidate list, so every file defines them
    fields: dict[Slug, ScreenRatio]
    scope: ScreenScope
    freed: Literal["closure"]  # closure frees the evaluation year's land and energy
    rules: Annotated[list[Rule], Field(min_length=1)]

    @model_validator(mode="after")
    def _fields(self) -> ScreenMethod:
        lacking = [f for f in ("tax_per_mu", "va_per_mu") if f not in self.fields]
        if lacking:
            raise _fail("fields", "fields 须定义 {f}（候选名单列出这两项）", f=", ".join(lacking))
        clash = [f for f in self.fields if f in SCREEN_FIELDS]
        if clash:
            raise _fail("fields", "fields 不能重新定义已有字段 {f}", f=", ".join(clash))
        known = (*SCREEN_FIELDS, *self.fields)
        where = [("scope", c) for c in (*self.scope.all, *self.scope.any)] + [
            (r.id, c) for r in self.rules for c in (*r.all, *r.any)
        ]
        for rule, c in where:
            if c.field is not None and c.field not in known:
                raise _fail(
                    "unknown_field",
                    "{r} 中的未知字段 {f}；可用：{allowed}",
                    r=rule,
                    f=c.field,
                    allowed=", ".join(known),
                )
            if c.rule is not None and rule == "scope":
                raise _fail("scope_rule", "scope 中不能引用规则（{x}）", x=c.rule)
        return self

    @model_validator(mode="after")
    def _order(self) -> ScreenMethod:
        seen: set[str] = set()
        for r in self.rules:
            if r.id in seen:
                raise _fail("duplicate_rule", "规则编号重复：{r}", r=r.id)
            refs = [c.rule for c in (*r.all, *r.any) if c.rule is not None]
            later = [x for x in refs if x not in seen]
            if later:
                raise _fail("rule_order", "规则 {r} 引用的 {x} 须在它之前定义", r=r.id, x=later)
            seen.add(r.id)
        if not any(r.candidate for r in self.rules):
            raise _fail("no_candidate_rule", "至少要有一条 candidate: true 的规则")
        return self


Method = CarbonMethod | MujunMethod | ScreenMethod
MODELS: dict[str, type[BaseModel]] = {
    "carbon": CarbonMethod,
    "mujun": MujunMethod,
    "screen": ScreenMethod,
}
