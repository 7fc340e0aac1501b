"""Small expression helpers every method uses: safe ratios, reasons, derived keys.

All helpers build Ibis expressions only, so the methods stay backend-neutral (DuckDB, PySpark).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import ibis

from zhuansheng import reference
from zhuansheng.lake.contract import COLUMNS

if TYPE_CHECKING:
    import ibis.expr.types as ir

_LABELS = {c.name: (c.zh, c.en) for c in COLUMNS}
_LABELS["tce"] = ("综合能耗", "energy use (tce)")

FIXED_REASONS: dict[str, tuple[str, str]] = {
    "unknown_industry": ("行业代码无法识别（不是制造业小类）", "unknown industry code"),
    "out_of_scope": ("不在本方法的评价范围内（规模或用地面积）", "outside the method's scope"),
    "zero_carbon_exceeds_electricity": (
        "零碳电力大于用电总量",
        "zero-carbon electricity exceeds electricity used",
    ),
    "industry_average_unavailable": (
        "所在行业没有可计算平均碳排放强度的企业（或行业排放为零）",
        "no industry average carbon intensity",
    ),
}


def reason_text(code: str) -> str:
    """The user-facing text of a reason code (Chinese, English gloss in brackets)."""
    kind, _, arg = code.partition(":")
    if code in FIXED_REASONS:
        zh, en = FIXED_REASONS[code]
    elif kind in ("missing", "negative"):
        zh_col, en_col = _LABELS.get(arg, (arg, arg))
        if kind == "missing":
            zh, en = f"缺少{zh_col}或不大于零", f"{en_col} missing or not positive"
        else:
            zh, en = f"{zh_col}为负数", f"negative {en_col}"
    elif kind == "missing_item":
        zh, en = f"缺少评价指标 {arg} 的数据", f"no data for item {arg}"
    elif kind == "exempt":
        zh, en = f"免评（{arg}）", f"exempt ({arg})"
    else:
        zh, en = code, code
    return f"{zh} ({en})"


class Reasons:
    """An ordered list of (condition, code): the first condition that holds gives the reason.

    A code is a literal or, for codes that name a column (``negative:coal_t``), an expression
    over an already computed column. Conditions should refer to computed columns too: a reason
    expression is inlined wherever it is used, so it must stay small.
    """

    def __init__(self) -> None:
        self.branches: list[tuple[ir.BooleanValue, ir.Value]] = []

    def add(self, condition: ir.BooleanValue, code: str | ir.StringValue) -> None:
        value = ibis.literal(code) if isinstance(code, str) else code
        self.branches.append((condition.fill_null(False), value))

    def code(self) -> ir.StringValue:
        if not self.branches:
            return ibis.null("string")
        return ibis.cases(*self.branches, else_=ibis.null("string"))


def reason_zh(code: ir.StringValue, codes: Sequence[str]) -> ir.StringValue:
    """The text of ``code`` for each row (``codes``: every code the column can hold)."""
    unique = list(dict.fromkeys(codes))
    if not unique:
        return ibis.null("string")
    return ibis.cases(*((code == c, reason_text(c)) for c in unique), else_=ibis.null("string"))


def positive(x: ir.NumericValue) -> ir.BooleanValue:
    """x > 0, false when x is missing (so that ``~positive(x)`` flags missing values too)."""
    return (x > 0).fill_null(False)


def isin(x: ir.Value, values: Sequence[object]) -> ir.BooleanValue:
    """x in values, false when x is missing."""
    return x.isin(list(values)).fill_null(False)


def ratio(num: ir.NumericValue, den: ir.NumericValue) -> ir.FloatingValue:
    """num / den when den > 0, else NULL: never a division by zero on any backend."""
    return ibis.ifelse(den > 0, num.cast("float64") / den.cast("float64"), ibis.null("float64"))


def with_keys(t: ir.Table) -> ir.Table:
    """Adds ``city_code``, ``industry_division`` and ``known_industry`` (4-digit manufacturing
    class code); the first two come from the codes themselves (GB/T 2260, GB/T 4754)."""
    division = t.industry_code.substr(0, 2)
    return t.mutate(
        city_code=t.county_code.substr(0, 4).concat("00"),
        industry_division=division,
        known_industry=(
            (t.industry_code.length() == 4)
            & t.industry_code.re_search(r"^[0-9]{4}$")
            & division.isin(list(reference.manufacturing_divisions()))
        ).fill_null(False),
    )


def first_true(pairs: Sequence[tuple[ir.BooleanValue, str]]) -> ir.StringValue:
    """The label of the first condition that holds (NULL if none)."""
    if not pairs:
        return ibis.null("string")
    return ibis.cases(*((c.fill_null(False), v) for c, v in pairs), else_=ibis.null("string"))


def join_labels(labels: Sequence[ir.StringValue]) -> ir.StringValue:
    """Comma-separated non-NULL labels, NULL when there are none."""
    if not labels:
        return ibis.null("string")
    return ibis.literal(",").join(list(labels)).nullif("")
