"""The section 高耗低效企业整治提升 (二.(五).14): the rectification targets as monitoring counts
them, with the counting basis (``case_counts_from``); the cases overdue or awaiting
verification at the period's end (the counties with the most, and the firms named up to
``cases.list_limit`` before “等 N 户”); and the verified cases whose firm is still class D or
grade 5 (``collect.case_outcomes``). Every list is whole in the annex. Wording:
``data/report.yaml``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from zhuansheng.collect import case_outcomes
from zhuansheng.collect.case_warnings import CaseWarnings, Flagged
from zhuansheng.formatting import rounded
from zhuansheng.monitor import ProgressRow

from . import narrative
from .content import Paragraph, Sheet

if TYPE_CHECKING:
    from .build import _Builder

FLAGGED_SHEET = "整治预警"
POOR_SHEET = "整治成效存疑"
FLAGGED_COLUMNS = [
    "序号", "企业名称", "统一社会信用代码", "县（市、区）", "状态", "预警", "整治期限",
    "完成整治日期",
]  # fmt: skip
POOR_COLUMNS = [
    "序号", "企业名称", "统一社会信用代码", "县（市、区）", "验收日期", "列入年度",
    "列入时亩均类别", "列入时碳效等级", "最近评价年度", "亩均类别", "碳效等级", "说明",
]  # fmt: skip


def day(d: dt.date | None) -> str:
    return "—" if d is None else f"{d.year}年{d.month}月{d.day}日"


def add(b: _Builder) -> None:
    """The section's paragraphs (after its heading) and its two annex sheets."""
    flagged, poor = b.src.cases(b.region)
    rows = [b.by_id[t] for t in b.cfg.cases.targets if t in b.by_id]
    if rows:
        clauses = [_progress(b, row) for row in rows]
        b.report.add(Paragraph(narrative.paragraph(clauses, lead=f"{b.span}，")))
        basis = b.src.monitor.analysis.case_basis_zh
        b.report.add(Paragraph(b.cfg.phrases["case_basis"].format(basis=basis), note=True))
    _warnings(b, flagged)
    _still_poor(b, poor)
    b.report.sheets.append(_flagged_sheet(flagged))
    b.report.sheets.append(_poor_sheet(poor))


def _progress(b: _Builder, row: ProgressRow) -> str:
    """A target's clause; a region without an allocation has its figure only."""
    if row.target_value is None and row.actual is not None:
        return b.cfg.phrases["case_no_target"].format(
            who=b.who, name=row.name_zh, actual=rounded(row.actual), unit=row.unit
        )
    return b.compared(row)


def _counts(b: _Builder, overdue: int, awaiting: int) -> str:
    p = b.cfg.phrases
    parts = [(p["case_overdue"], overdue), (p["case_awaiting"], awaiting)]
    return "，".join(text.format(n=n) for text, n in parts if n)


def _warnings(b: _Builder, flagged: CaseWarnings) -> None:
    p, on = b.cfg.phrases, day(flagged.on)
    if not flagged.cases:
        b.report.add(Paragraph(p["case_none"].format(day=on, who=b.who)))
        return
    counts = _counts(b, flagged.overdue, flagged.awaiting_verification)
    text = p["case_warnings"].format(day=on, who=b.who, counts=counts)
    counties = flagged.counties()
    if len(counties) > 1:  # a county's own briefing has nothing to compare
        top = counties[: b.cfg.cases.top_counties]
        items = "、".join(
            p["case_county"].format(
                county=c.region_name, counts=_counts(b, c.overdue, c.awaiting_verification)
            )
            for c in top
        )
        text += p["case_counties"].format(items=items)
    asks = [(p["case_request_overdue"], flagged.overdue)]
    asks.append((p["case_request_awaiting"], flagged.awaiting_verification))
    request = p["case_request"].format(asks="，".join(ask for ask, n in asks if n))
    b.report.add(Paragraph(text + request))
    lists = (
        ("case_overdue_list", flagged.of("overdue"), _overdue_item),
        ("case_awaiting_list", flagged.of("awaiting_verification"), _awaiting_item),
    )
    for phrase, cases, item in lists:
        if cases:
            b.report.add(Paragraph(_listed(b, phrase, cases, item, FLAGGED_SHEET)))


def _where(b: _Builder, county: str) -> str:
    """“上城区，” before a firm's details; nothing in the county's own briefing."""
    return "" if b.level == "county" else b.cfg.phrases["case_where"].format(county=county)


def _overdue_item(b: _Builder, c: Flagged) -> str:
    return b.cfg.phrases["case_overdue_item"].format(
        name=c.name, where=_where(b, c.county_name), state=c.state_zh, deadline=day(c.deadline)
    )


def _awaiting_item(b: _Builder, c: Flagged) -> str:
    return b.cfg.phrases["case_awaiting_item"].format(
        name=c.name, where=_where(b, c.county_name), closed=day(c.closed_on)
    )


def _listed(
    b: _Builder,
    phrase: str,
    items: Sequence[Any],
    item: Callable[[_Builder, Any], str],
    sheet: str,
    **fields: object,
) -> str:
    """A list sentence naming the first ``list_limit`` items, then “等 N 户” when there are more."""
    limit = b.cfg.cases.list_limit
    named = "、".join(item(b, x) for x in items[:limit])
    more = (
        b.cfg.phrases["case_more"].format(total=len(items), sheet=sheet)
        if len(items) > limit
        else ""
    )
    return b.cfg.phrases[phrase].format(items=named, more=more, **fields)


def _poor_item(b: _Builder, row: dict[str, Any]) -> str:
    return b.cfg.phrases["case_still_poor_item"].format(
        name=row["name"],
        where=_where(b, row["region_name"]),
        verified=day(row["verified_on"]),
        year=row["after"]["year"],
        what=row["still_poor_zh"],
    )


def _still_poor(b: _Builder, poor: list[dict[str, Any]]) -> None:
    if not poor:
        return
    rule = case_outcomes.still_poor_rule()
    what = b.cfg.phrases["case_still_poor_what"].format(
        classes="、".join(rule.mujun_classes), grades="、".join(map(str, rule.carbon_grades))
    )
    text = _listed(b, "case_still_poor", poor, _poor_item, POOR_SHEET, count=len(poor), what=what)
    b.report.add(Paragraph(text))


def _flagged_sheet(flagged: CaseWarnings) -> Sheet:
    rows = []
    for i, c in enumerate(flagged.cases, start=1):
        values = [
            i, c.name, c.uscc, c.county_name, c.state_zh, c.kind_zh, c.deadline, c.closed_on,
        ]  # fmt: skip
        rows.append(dict(zip(FLAGGED_COLUMNS, values, strict=True)))
    return Sheet(FLAGGED_SHEET, FLAGGED_COLUMNS, rows)


def _poor_sheet(poor: list[dict[str, Any]]) -> Sheet:
    rows = []
    for i, r in enumerate(poor, start=1):
        before, after = r["before"], r["after"]
        values = [
            i, r["name"], r["uscc"], r["region_name"], r["verified_on"], before["year"],
            before["mujun_class"], before["carbon_grade"], after["year"], after["mujun_class"],
            after["carbon_grade"], r["warning"],
        ]  # fmt: skip
        rows.append(dict(zip(POOR_COLUMNS, values, strict=True)))
    return Sheet(POOR_SHEET, POOR_COLUMNS, rows)
