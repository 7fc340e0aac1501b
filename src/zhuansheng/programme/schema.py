"""Pydantic models of the programme file and its two catalogues (indicators, responsible units).

The models check one value at a time (types, allowed words, ranges, clause format); checks that
need the whole file or the catalogues (duplicate ids, unknown units, value rules per kind) live in
``loader`` so that every problem of a file is reported at once with its YAML line.
All models forbid unknown keys: a misspelt key must be an error, not silently ignored data.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from .sizes import size_classes

# -- closed vocabularies (GLOSSARY.md, methods/monitoring.md) ------------------------------------

TargetKind = Literal[
    "count_new",
    "count_cumulative",
    "amount",
    "growth_pct",
    "decline_pct",
    "level",
    "share_about",
    "relative",
    "milestone",
]
TARGET_KINDS: tuple[str, ...] = TargetKind.__args__
Qualifier = Literal["at_least", "about"]
QUALIFIERS: tuple[str, ...] = Qualifier.__args__
ToleranceBasis = Literal["relative_pct", "points"]
Source = Literal["registry", "project", "statistic", "enterprise", "cases"]
Aggregation = Literal["sum", "ratio", "growth", "share", "last"]
Measure = Literal["count", "investment", "freed_land_mu", "freed_energy_tce"]
ReportedBy = Literal["county", "province"]
UnitKind = Literal["department", "collective"]

# Kinds whose target is an additive number in the indicator's own unit.
ADDITIVE_KINDS = frozenset({"count_new", "count_cumulative", "amount"})
# Kinds whose target is a rate in percent (or percentage points).
PERCENT_KINDS = frozenset({"growth_pct", "decline_pct", "level", "share_about"})
# Kinds with no number of their own.
VALUELESS_KINDS = frozenset({"milestone", "relative"})

KIND_LABELS_ZH: dict[str, str] = {
    "count_new": "新增数",
    "count_cumulative": "累计数",
    "amount": "总量",
    "growth_pct": "增长率",
    "decline_pct": "下降率",
    "level": "达到水平",
    "share_about": "比重（左右）",
    "relative": "相对比较",
    "milestone": "工作任务（无量化目标）",
}
QUALIFIER_LABELS_ZH: dict[str, str] = {"at_least": "以上", "about": "左右"}

# -- clause references ---------------------------------------------------------------------------

CLAUSE_RE = re.compile(r"^[一二三四五六七八九十]+(\.\([一二三四五六七八九十]+\)(\.\d+)?)?$")


def clause_problem(text: str) -> str | None:
    """Why ``text`` is not a clause reference such as ``二.(五).14`` (None when it is one).

    The diagnosis names the usual slips (full-width brackets, Arabic numerals in the brackets,
    the 、 of the printed document) so the author knows what to change, not just that it is wrong.
    """
    if CLAUSE_RE.match(text):
        return None
    if any(c in text for c in "（）"):
        why = "括号应为半角 ( )，不是全角（ ）"
    elif "、" in text:
        why = "层级之间用半角句点 . 分隔，不用顿号 、"
    elif re.search(r"\(\d+\)", text):
        why = "括号内应为汉字序号，如 (五)，不是阿拉伯数字"
    elif text[:1].isdigit():
        why = "第一级应为汉字序号 一/二/三"
    elif re.search(r"[^.]\(", text):
        why = "层级之间缺少半角句点，如 二.(五)"
    elif re.search(r"\)\.[^\d]", text):
        why = "任务号应为阿拉伯数字，如 .14"
    else:
        why = "应为 一级、一级.(二级) 或 一级.(二级).任务号"
    return f"条款编号 '{text}' 格式不正确：{why}（示例：一.(二)、二.(五).14、三.(七)）"


def _check_clause(text: str) -> str:
    why = clause_problem(text)
    if why:
        raise PydanticCustomError("clause_format", why)
    return text


Clause = Annotated[str, AfterValidator(_check_clause)]
Slug = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]
Text = Annotated[str, Field(min_length=1)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# -- indicator catalogue --------------------------------------------------------------------------


class Quantity(_Model):
    """Numerator or denominator of a ratio indicator (summed separately when aggregating)."""

    name_zh: Text
    unit: Text


class Indicator(_Model):
    """A measurable quantity, reused across years; its ``source`` says where values come from."""

    id: Slug
    name_zh: Text
    name_en: Text
    unit: Text
    source: Source
    aggregation: Aggregation
    higher_is_better: bool
    registry: Slug | None = None  # registry kind counted (source registry)
    project_kind: Slug | None = None  # project register kind (source project)
    measure: Measure | None = None  # what is counted or summed (project, cases)
    size_classes: list[Slug] | None = None  # project: only these size classes (None: all)
    numerator: Quantity | None = None  # ratio / share
    denominator: Quantity | None = None
    scale: int | None = None  # 1, or 100 for a percentage
    reported_by: ReportedBy | None = None  # statistic: lowest level that reports it
    note: str | None = None

    @model_validator(mode="after")
    def _fields_for_source(self) -> Indicator:
        # Each source needs its own locating fields; a field that belongs to another source is
        # almost always a copy-paste slip, so it is refused rather than ignored.
        needs: dict[str, tuple[str, ...]] = {
            "registry": ("registry",),
            "project": ("project_kind", "measure"),
            "statistic": ("reported_by",),
            "cases": ("measure",),
            "enterprise": (),
        }
        missing = [f for f in needs[self.source] if getattr(self, f) is None]
        if self.aggregation in ("ratio", "share"):
            missing += [
                f for f in ("numerator", "denominator", "scale") if getattr(self, f) is None
            ]
        if missing:
            raise PydanticCustomError(
                "indicator_fields",
                "来源 {source}、汇总方式 {agg} 的指标缺少字段：{fields}",
                {"source": self.source, "agg": self.aggregation, "fields": ", ".join(missing)},
            )
        owned = {"registry": "registry", "project_kind": "project", "reported_by": "statistic"}
        stray = [
            f for f, src in owned.items() if getattr(self, f) is not None and src != self.source
        ]
        if self.measure is not None and self.source not in ("project", "cases"):
            stray.append("measure")
        if self.size_classes is not None and self.source != "project":
            stray.append("size_classes")
        if stray:
            raise PydanticCustomError(
                "indicator_fields",
                "字段 {fields} 不适用于来源为 {source} 的指标",
                {"fields": ", ".join(stray), "source": self.source},
            )
        allowed = {
            "project": ("count", "investment"),
            "cases": ("count", "freed_land_mu", "freed_energy_tce"),
        }
        if self.measure is not None and self.measure not in allowed[self.source]:
            raise PydanticCustomError(
                "indicator_fields",
                "来源 {source} 的 measure 应为 {allowed}，不是 '{measure}'",
                {
                    "source": self.source,
                    "allowed": ", ".join(allowed[self.source]),
                    "measure": self.measure,
                },
            )
        known = {c.id for c in size_classes()}
        unknown = [c for c in self.size_classes or () if c not in known]
        if unknown:
            raise PydanticCustomError(
                "indicator_fields",
                "未知的规模档次 {unknown}（应为 project_sizes.yaml 中的 {known}）",
                {"unknown": ", ".join(unknown), "known": ", ".join(sorted(known))},
            )
        if self.scale is not None and self.scale not in (1, 100):
            raise PydanticCustomError("indicator_fields", "scale 应为 1 或 100（百分比）")
        return self


class IndicatorCatalogue(_Model):
    indicators: list[Indicator]


# -- responsible units ---------------------------------------------------------------------------


class Unit(_Model):
    """A responsible unit (责任单位) as the programme names it, with the other spellings used."""

    name_zh: Text
    kind: UnitKind
    aliases: list[Text] = []
    name_en: str | None = None
    in_attachment2: bool = False  # listed in attachment 2 (省级有关单位名单)
    note: str | None = None


class UnitList(_Model):
    units: list[Unit]


# -- the programme ------------------------------------------------------------------------------


class Tolerance(_Model):
    """What 左右 allows: ``relative_pct`` = ± % of the value, ``points`` = ± percentage points."""

    value: Annotated[float, Field(ge=0, strict=True)]
    basis: ToleranceBasis


class Target(_Model):
    id: Slug
    clause: Annotated[list[Clause], Field(min_length=1)]
    name_zh: Text
    kind: TargetKind
    indicator: Slug | None = None
    value: Annotated[float | None, Field(ge=0, strict=True)] = None
    unit: Text | None = None
    qualifier: Qualifier | None = None
    tolerance: Tolerance | None = None
    compare_to: Slug | None = None
    seed_text: Text
    lead_units: list[Text] | None = None  # None: the item's units
    co_units: list[Text] | None = None
    note: str | None = None


class Item(_Model):
    """A goal, task or safeguard: clause, the seed's wording, responsible units, targets."""

    clause: Clause
    title_zh: Text
    text_zh: Text
    lead_units: list[Text] = []
    co_units: list[Text] = []
    note: str | None = None
    targets: list[Target] = []


class Goal(Item):
    pass


class Safeguard(Item):
    pass


class Task(Item):
    number: Annotated[int, Field(ge=1, strict=True)]
    area: Slug


class Area(_Model):
    id: Slug
    clause: Clause
    title_zh: Text
    title_en: str | None = None


class Programme(_Model):
    year: Annotated[int, Field(ge=2000, le=2100, strict=True)]
    title_zh: Text
    document: Text
    issued: dt.date
    issuer_zh: str | None = None
    source: Text
    tolerance_defaults: dict[TargetKind, Tolerance] = {}
    goals: list[Goal]
    areas: list[Area]
    tasks: list[Task]
    safeguards: list[Safeguard]

    def items(self) -> list[tuple[str, Item]]:
        """Every item in document order with its section (goal | task | safeguard)."""
        return [
            *(("goal", g) for g in self.goals),
            *(("task", t) for t in self.tasks),
            *(("safeguard", s) for s in self.safeguards),
        ]

    def area(self, area_id: str) -> Area | None:
        return next((a for a in self.areas if a.id == area_id), None)

    def task(self, number: int) -> Task | None:
        return next((t for t in self.tasks if t.number == number), None)

    def targets(self) -> list[TargetRow]:
        """All targets, flattened, each with its item's context and effective responsible units."""
        rows = []
        for section, item in self.items():
            for t in item.targets:
                rows.append(
                    TargetRow(
                        **t.model_dump(exclude={"lead_units", "co_units"}),
                        lead_units=item.lead_units if t.lead_units is None else t.lead_units,
                        co_units=item.co_units if t.co_units is None else t.co_units,
                        section=section,
                        item_clause=item.clause,
                        item_title_zh=item.title_zh,
                        task=item.number if isinstance(item, Task) else None,
                        area=item.area if isinstance(item, Task) else None,
                    )
                )
        return rows

    def target(self, target_id: str) -> TargetRow | None:
        return next((r for r in self.targets() if r.id == target_id), None)

    def indicator_ids(self, target_ids: Collection[str] | None = None) -> set[str]:
        """The indicators the targets (all, or those named) are measured with: each target's
        indicator and, for a ``relative`` target, the indicator it is compared with."""
        rows = [r for r in self.targets() if target_ids is None or r.id in target_ids]
        return {i for r in rows for i in (r.indicator, r.compare_to) if i is not None}


class TargetRow(_Model):
    """One target with its context, as monitoring and exports use it."""

    id: str
    clause: list[str]
    name_zh: str
    kind: TargetKind
    indicator: str | None
    value: float | None
    unit: str | None
    qualifier: Qualifier | None
    tolerance: Tolerance | None
    compare_to: str | None
    seed_text: str
    note: str | None
    lead_units: list[str]
    co_units: list[str]
    section: Literal["goal", "task", "safeguard"]
    item_clause: str
    item_title_zh: str
    task: int | None
    area: str | None

    @property
    def quantitative(self) -> bool:
        return self.kind != "milestone"
