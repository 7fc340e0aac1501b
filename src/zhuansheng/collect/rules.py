"""Validation of submitted values against the rules file (``data/validation.yaml``).

Two levels, as in DHIS2: an error refuses the file, a warning is accepted only with a comment.
Every problem names the sheet, row and column and says what to do.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict

from zhuansheng.datafile import read_yaml
from zhuansheng.errors import Problem, ZhuanshengError
from zhuansheng.periods import Period
from zhuansheng.programme import Indicator

Level = Literal["error", "warning"]
PARTS = ("value", "numerator", "denominator")
LEVEL_ZH = {"error": "错误", "warning": "警告"}


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Range(_Model):
    min: float | None = None
    max: float | None = None


class Outlier(_Model):
    threshold: float
    min_history: int
    min_relative_mad: float = 0.0


class Cross(_Model):
    id: str
    left: str  # indicator.numerator | indicator.denominator | indicator.value
    right: str
    scale: float = 1.0
    tolerance: float
    message: str


class Levels(_Model):
    required: Level
    not_a_number: Level
    negative: Level
    range: Level
    ytd_decreasing: Level
    numerator_above_denominator: Level
    formula: Level
    outlier: Level
    cross: Level


class ValidationRules(_Model):
    version: int
    source: str
    due_day: int
    ranges: dict[str, Range]
    levels: Levels
    numerator_within_denominator: list[str]
    outlier: Outlier
    cross: list[Cross]


def load_rules(path: Path | None = None) -> ValidationRules:
    """The shipped rules, or a locality's file of the same shape; indicator ids must exist (a
    misspelt id would otherwise make its rule silently never fire)."""
    from zhuansheng.programme import indicators

    rules = ValidationRules.model_validate(read_yaml(__package__, "validation.yaml", path))
    named = [*rules.ranges, *rules.numerator_within_denominator]
    named += [ref.split(".")[0] for c in rules.cross for ref in (c.left, c.right)]
    unknown = sorted(set(named) - set(indicators()))
    bad_parts = [
        ref
        for c in rules.cross
        for ref in (c.left, c.right)
        if ref.count(".") != 1 or ref.split(".")[1] not in PARTS
    ]
    if unknown or bad_parts:
        where = f"校验规则文件 {path or 'validation.yaml'}"
        raise ZhuanshengError(
            f"{where}：未知的指标代码 {'、'.join(unknown) or '无'}；"
            f"写法不对的跨指标引用 {'、'.join(bad_parts) or '无'}"
            "（应为 指标代码.numerator / .denominator / .value）"
        )
    return rules


@cache
def default_rules() -> ValidationRules:
    return load_rules()


@dataclass
class Entry:
    """One indicator line as read from a file, before any rule is applied."""

    indicator: Indicator
    row: int
    value: float | None = None
    numerator: float | None = None
    denominator: float | None = None
    comment: str = ""
    refs: dict[str, str] = field(default_factory=dict)  # column → cell ref, e.g. 本期值 → G5
    unreadable: set[str] = field(default_factory=set)  # columns already reported as not numbers

    @property
    def is_ratio(self) -> bool:
        return self.indicator.aggregation in ("ratio", "share")

    def part(self, name: str) -> float | None:
        return {"value": self.value, "numerator": self.numerator, "denominator": self.denominator}[
            name
        ]


def _problem(level: Level, sheet: str, e: Entry, column: str, message: str, hint: str) -> Problem:
    ref = e.refs.get(column, "")
    where = f"工作表“{sheet}” 第 {e.row} 行 {column}列" + (f"（{ref}）" if ref else "")
    return Problem(
        f"[{LEVEL_ZH[level]}] {message}",
        where=where,
        hint=hint,
        sheet=sheet,
        row=e.row,
        column=column,
        level=level,
    )


def modified_z(value: float, history: list[float], min_relative_mad: float = 0.0) -> float | None:
    """0.6745 (x − median) / MAD, the MAD floored at ``min_relative_mad`` × |median|; None when
    the history cannot tell (MAD = 0)."""
    median = statistics.median(history)
    mad = max(statistics.median(abs(h - median) for h in history), min_relative_mad * abs(median))
    if mad == 0:
        return None
    return 0.6745 * (value - median) / mad


def check(
    entries: list[Entry],
    sheet: str,
    period: Period,
    history: dict[tuple[str, str], float],
    rules: ValidationRules,
) -> list[Problem]:
    """Apply every rule; ``history`` holds this region's current values by (indicator, period)."""
    lv = rules.levels
    out: list[Problem] = []
    by_id = {e.indicator.id: e for e in entries}
    for e in entries:
        ind = e.indicator
        value_col = "本期值"
        if e.is_ratio:
            for col, part in (("分子", e.numerator), ("分母", e.denominator)):
                if part is None and col not in e.unreadable:
                    out.append(
                        _problem(
                            lv.required,
                            sheet,
                            e,
                            col,
                            f"{ind.name_zh}的{col}未填写",
                            f"请填写{col}（比值类指标由分子、分母计算）",
                        )
                    )
            if e.denominator == 0:
                out.append(
                    _problem(lv.range, sheet, e, "分母", f"{ind.name_zh}的分母为 0", "分母须大于 0")
                )
            if (
                ind.id in rules.numerator_within_denominator
                and e.numerator is not None
                and e.denominator is not None
                and e.numerator > e.denominator
            ):
                out.append(
                    _problem(
                        lv.numerator_above_denominator,
                        sheet,
                        e,
                        "分子",
                        f"{ind.name_zh}的分子 {e.numerator:g} 大于分母 {e.denominator:g}",
                        "比重的分子是分母的一部分，请核对",
                    )
                )
        elif e.value is None and value_col not in e.unreadable:
            out.append(
                _problem(
                    lv.required,
                    sheet,
                    e,
                    value_col,
                    f"{ind.name_zh}未填写",
                    "请填写本期值；确实为 0 时填 0",
                )
            )
        for col, number in (("本期值", e.value), ("分子", e.numerator), ("分母", e.denominator)):
            if number is not None and number < 0:
                out.append(
                    _problem(
                        lv.negative,
                        sheet,
                        e,
                        col,
                        f"{ind.name_zh}的{col}为负数 {number:g}",
                        "请填写不小于 0 的数值",
                    )
                )
        value = e.value
        if value is not None and ind.id in rules.ranges:
            r = rules.ranges[ind.id]
            if (r.min is not None and value < r.min) or (r.max is not None and value > r.max):
                out.append(
                    _problem(
                        lv.range,
                        sheet,
                        e,
                        value_col if not e.is_ratio else "分子",
                        f"{ind.name_zh} {value:g}{ind.unit} 超出合理范围 {r.min:g}–{r.max:g}",
                        "请核对数值和计量单位",
                    )
                )
        if value is None:
            continue
        prev = history.get((ind.id, f"{period.year}-{period.month - 1:02d}"))
        additive = ind.aggregation == "sum"
        if additive and period.month > 1 and prev is not None and value < prev:
            out.append(
                _problem(
                    lv.ytd_decreasing,
                    sheet,
                    e,
                    value_col,
                    f"{ind.name_zh}累计值 {value:g} 小于上期累计值 {prev:g}",
                    "本期填 1 月至本期的累计数，不应小于上期；如上期有误请另行更正上期数据",
                )
            )
        own = _own_history(ind, period, history, additive)
        if prev is not None or not additive:
            current = value - (prev or 0.0) if additive and period.month > 1 else value
            if len(own) >= rules.outlier.min_history:
                z = modified_z(current, own, rules.outlier.min_relative_mad)
                if z is not None and abs(z) > rules.outlier.threshold:
                    out.append(
                        _problem(
                            lv.outlier,
                            sheet,
                            e,
                            value_col,
                            f"{ind.name_zh}本期{'增量' if additive else '数值'} "
                            f"{current:g} 明显偏离本地区历史水平（修正 z 分数 {z:.1f}，"
                            f"阈值 {rules.outlier.threshold:g}）",
                            "请核对；数值无误的，请填写说明",
                        )
                    )
    for rule in rules.cross:
        left = _resolve(rule.left, by_id)
        right = _resolve(rule.right, by_id)
        if left is None or right is None or right == 0:
            continue
        if abs(left - right * rule.scale) > rule.tolerance * abs(right * rule.scale):
            e = by_id[rule.left.split(".")[0]]
            col = {"numerator": "分子", "denominator": "分母"}.get(
                rule.left.split(".")[1], "本期值"
            )
            out.append(
                _problem(
                    lv.cross,
                    sheet,
                    e,
                    col,
                    f"{rule.message}：{left:g} 与 "
                    f"{right * rule.scale:g} 相差超过 {rule.tolerance:.0%}",
                    "请核对两处数据口径；无误的请填写说明",
                )
            )
    return out


def _resolve(expr: str, by_id: dict[str, Entry]) -> float | None:
    ind, part = expr.split(".")
    e = by_id.get(ind)
    return None if e is None else e.part(part)


def _own_history(
    ind: Indicator, period: Period, history: dict[tuple[str, str], float], additive: bool
) -> list[float]:
    """This region's earlier monthly values: flows for year-to-date sums, values otherwise."""
    values: list[float] = []
    for year in (period.year - 1, period.year):
        last = 12 if year < period.year else period.month - 1
        for m in range(1, last + 1):
            v = history.get((ind.id, f"{year}-{m:02d}"))
            if v is None:
                continue
            if additive and m > 1:
                before = history.get((ind.id, f"{year}-{m - 1:02d}"))
                if before is None:
                    continue
                v -= before
            values.append(v)
    return values
