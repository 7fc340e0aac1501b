"""高耗低效 screening: rules from the method file over the carbon and 亩均 results.

A rule is a conjunction (``all``) and/or a disjunction (``any``) of conditions on an enterprise's
figures or on earlier rules; a condition on a missing figure is false. A firm in scope is a
candidate when any rule marked ``candidate`` matches; the candidate list records the rules that
matched and the land and energy a closure would free (the evaluation year's land and energy use:
the counting rule ``closure`` of ``docs/*/evaluation.md``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import ibis

from .common import join_labels, ratio
from .schema import Condition, ScreenMethod

if TYPE_CHECKING:
    import ibis.expr.types as ir

OUTPUT_COLUMNS = (
    "tax_per_mu",
    "va_per_mu",
    "candidate",
    "screen_rules",
    "freed_land_mu",
    "freed_energy_tce",
    "screen_reason",
    "screen_method",
)
_OPS = {
    "lt": "__lt__",
    "le": "__le__",
    "gt": "__gt__",
    "ge": "__ge__",
    "eq": "__eq__",
    "ne": "__ne__",
}


def _field(t: ir.Table, name: str, method: ScreenMethod) -> ir.Value:
    f = method.fields.get(name)
    return ratio(t[f.numerator], t[f.denominator]) if f is not None else t[name]


def _literal(value: Any, column: ir.Value) -> Any:
    if column.type().is_string():
        return str(value)
    return value


def _condition(
    t: ir.Table, c: Condition, rules: dict[str, ir.BooleanValue], method: ScreenMethod
) -> ir.BooleanValue:
    if c.rule is not None:
        return rules[c.rule]
    assert c.field is not None and c.op is not None
    col = _field(t, c.field, method)
    if c.op in ("in", "not_in"):
        values = [_literal(v, col) for v in c.value]  # type: ignore[union-attr]
        expr = col.isin(values) if c.op == "in" else col.notin(values)
    else:
        expr = getattr(col, _OPS[c.op])(_literal(c.value, col))
    # A condition on a missing figure is false: nothing is concluded from absent data.
    return (col.notnull() & expr).fill_null(False)


def _conjunction(
    t: ir.Table,
    all_: list[Condition],
    any_: list[Condition],
    rules: dict[str, ir.BooleanValue],
    method: ScreenMethod,
) -> ir.BooleanValue:
    expr = ibis.literal(True)
    for c in all_:
        expr = expr & _condition(t, c, rules, method)
    if any_:
        either = ibis.literal(False)
        for c in any_:
            either = either | _condition(t, c, rules, method)
        expr = expr & either
    return expr


def with_screening(t: ir.Table, method: ScreenMethod) -> ir.Table:
    """``t`` with the carbon and 亩均 columns, plus the screening columns."""
    scope = _conjunction(t, method.scope.all, method.scope.any, {}, method).fill_null(False)
    # Rules are small boolean expressions: an earlier rule is inlined where a later one uses it,
    # and every rule lands in one projection.
    rules: dict[str, ir.BooleanValue] = {}
    for rule in method.rules:
        rules[rule.id] = _conjunction(t, rule.all, rule.any, rules, method)
    labels = [
        ibis.ifelse(scope & rules[r.id], ibis.literal(r.id), ibis.null("string"))
        for r in method.rules
        if r.candidate
    ]
    t = t.mutate(
        screen_rules=join_labels(labels),
        _s_scope=scope,
        tax_per_mu=_field(t, "tax_per_mu", method),
        va_per_mu=_field(t, "va_per_mu", method),
    )
    candidate = t.screen_rules.notnull()
    return t.mutate(
        candidate=candidate,
        freed_land_mu=ibis.ifelse(candidate, t.land_mu.fill_null(0.0), 0.0),
        freed_energy_tce=ibis.ifelse(candidate, t.tce.fill_null(0.0), 0.0),
        screen_reason=ibis.ifelse(t._s_scope, ibis.null("string"), "out_of_scope"),
        screen_method=ibis.literal(f"{method.id}@{method.version}"),
    )
