"""Sentences in the register of a monthly analysis, from monitoring rows.

"1—6月，全省新增应用工业机器人7016台，完成年度目标的46.8%，快于序时进度1.1个百分点" — the
templates are in ``data/report.yaml``; this module only chooses one and fills in the numbers.
"""

from __future__ import annotations

from collections.abc import Iterable

from zhuansheng.formatting import pct, rate, rounded
from zhuansheng.monitor import ProgressRow, status
from zhuansheng.periods import Period

from .config import ReportConfig

ADDITIVE = ("count_new", "count_cumulative", "amount")
RATES = ("growth_pct", "decline_pct")


def span(period: Period, cfg: ReportConfig) -> str:
    """1—6月 for a month or a quarter (year to date), 全年 for a year."""
    if period.kind == "year":
        return cfg.phrases["span_year"]
    return cfg.phrases["span_month"].format(month=period.month)


def pace_points(row: ProgressRow) -> float | None:
    """Percentage points ahead of (+) or behind (−) the schedule: completion − schedule; for a
    cumulative target, the share of the year's needed increase done − schedule."""
    if row.schedule is None:
        return None
    if row.kind == "count_cumulative":
        if row.pace is None:
            return None
        return (row.pace - 1.0) * row.schedule * 100
    if row.completion is None:
        return None
    return (row.completion - row.schedule) * 100


def _pace(points: float | None, cfg: ReportConfig) -> str:
    p = cfg.phrases
    if points is None:
        return ""
    shown = f"{abs(points):.1f}"
    if shown == "0.0":
        return p["pace_even"]
    return (p["pace_ahead"] if points > 0 else p["pace_behind"]).format(points=shown)


def _compare(points: float, cfg: ReportConfig, digits: int = 1) -> str:
    p = cfg.phrases
    shown = f"{abs(points):.{digits}f}"
    if float(shown) == 0:
        return p["rate_even"]
    return (p["rate_above"] if points > 0 else p["rate_below"]).format(points=shown)


def _signed_name(name: str, value: float, kind: str) -> tuple[str, float]:
    """'…增长' with a fall reads '…下降 x%' (and the reverse), never '增长-2.0%'."""
    grows = kind == "growth_pct"
    if grows and value < 0 and name.endswith("增长"):
        return name[:-2] + "下降", -value
    if not grows and value > 0 and name.endswith("下降"):
        return name[:-2] + "上升", value
    return name, abs(value) if not grows else value


def sentence(row: ProgressRow, who: str, cfg: ReportConfig, *, year_end: bool = False) -> str:
    """One target's progress in one region, as a clause of a paragraph (no final stop). At the
    year's end an unfinished target is short of its target, not of a schedule."""
    p = cfg.phrases
    if row.kind == "milestone":
        return p["milestone"].format(name=row.name_zh, status=row.status_zh)
    if row.status == "no_data" or (row.actual is None and row.kind != "relative"):
        return p["no_data"].format(who=who, name=row.name_zh)
    if row.status == "insufficient_coverage":
        return p["coverage"].format(who=who, name=row.name_zh, coverage=f"（{row.coverage_zh}）")
    if row.kind in ADDITIVE:
        fields = {
            "who": who,
            "name": row.name_zh,
            "actual": rounded(row.actual),
            "unit": row.unit,
            "completion": pct(row.completion),
        }
        if row.status == "achieved":
            return p["additive_achieved"].format(**fields, achieved=p["achieved"])
        if year_end and row.completion is not None:
            short = p["year_short"].format(points=f"{(1 - row.completion) * 100:.1f}")
            return p["additive"].format(**fields, pace=short)
        template = p["cumulative"] if row.kind == "count_cumulative" else p["additive"]
        return template.format(**fields, pace=_pace(pace_points(row), cfg))
    assert row.actual is not None
    if row.kind in RATES:
        name, shown = _signed_name(row.name_zh, row.actual, row.kind)
        target = row.target_value or 0.0
        achieved = row.actual if row.kind == "growth_pct" else -row.actual
        return p["rate"].format(
            who=who,
            name=name,
            actual=rate(shown),
            target=rate(target),
            comparison=_compare(achieved - target, cfg),
        )
    if row.kind == "level":
        target = row.target_value or 0.0
        return p["level"].format(
            who=who,
            name=row.name_zh,
            actual=rate(row.actual, 2),
            target=rate(target, 2),
            comparison=_compare(row.actual - target, cfg, 2),
        )
    if row.kind == "share_about":
        return p["share"].format(
            who=who,
            name=row.name_zh,
            actual=rate(row.actual),
            target=rate(row.target_value, 0),
            status=row.status_zh,
        )
    return p["relative"].format(who=who, name=row.name_zh, status=row.status_zh)


def paragraph(clauses: Iterable[str], lead: str = "") -> str:
    """Clauses joined with ；, ending with 。"""
    body = "；".join(c for c in clauses if c)
    return f"{lead}{body}。" if body else lead


def counts_sentence(rows: Iterable[ProgressRow], cfg: ReportConfig) -> str:
    c = status.counts(rows)
    grey = cfg.phrases["counts_grey"].format(grey=c["grey"]) if c["grey"] else ""
    return cfg.phrases["counts"].format(
        total=sum(c.values()), green=c["green"], yellow=c["yellow"], red=c["red"], grey_text=grey
    )
