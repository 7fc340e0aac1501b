"""Rows of the monthly analysis: one per target × unit for a month, each with the rule that
produced its status written out (inputs, arithmetic, band)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields
from typing import Any

import numpy as np

from zhuansheng.formatting import pct, trimmed
from zhuansheng.programme import KIND_LABELS_ZH, indicators

from . import rules
from .analysis import Analysis, TargetResult
from .config import MonitorConfig
from .status import LAGGING

SCHEDULE_ZH = {
    "linear": "线性 m/12",
    "previous_year": "上年同期累计进度",
    "profile": "设定的季节曲线",
}
PROJECTION_ZH = {
    "seasonal": "按上年进度外推（累计 ÷ 上年同期累计占比）",
    "run_rate": "按近几个月平均月增量外推",
    "trend": "按累计增速趋势外推",
}
PROJECTED_ZH = {"will_achieve": "预计完成", "will_miss": "预计难以完成", "": ""}
FLAG_ZH = {
    "on_schedule_projected_miss": "当前进度正常但预计全年难以完成",
    "behind_projected_achieve": "当前滞后但预计全年可以完成",
    "": "",
}
TARGET_SOURCE_ZH = {
    "programme": "工作要点",
    "allocation": "分解下达",
    "sum_of_counties": "所辖县（市、区）分解目标之和",
    "province": "沿用全省目标",
    "none": "未分解",
}


@dataclass(slots=True)
class ProgressRow:
    target: str
    clause: str
    name_zh: str
    kind: str
    indicator: str | None
    area: str | None
    task: int | None
    lead_units: str
    co_units: str
    region: str
    region_name: str
    level: str
    period: str
    actual: float | None
    unit: str
    target_value: float | None
    target_source: str
    completion: float | None
    schedule: float | None
    pace: float | None
    progress_ratio: float | None
    status: str
    status_zh: str
    colour: str
    severity: int
    projection: float | None
    projection_method: str
    projected_status: str
    flag: str
    reporting_rate: float | None
    reported: int | None  # counties whose report counts (statistics only)
    expected: int | None  # counties the unit adds up
    # (result, unit index, month index, config): the rule text is written only when asked for
    _source: tuple[Any, int, int, MonitorConfig] | None = field(
        default=None, repr=False, compare=False
    )

    @property
    def rule(self) -> str:
        """The inputs, the arithmetic and the band that produced the status, in Chinese."""
        if self._source is None:
            return ""
        result, i, m, cfg = self._source
        text = _rule(result, i, m, self, cfg)
        basis = result.extra.get("basis")  # what a figure from the cases counts
        return f"{text}；{basis}" if basis else text

    @property
    def coverage_zh(self) -> str:
        """``83/90 地区已报送`` for a total over several counties, else empty."""
        if self.reported is None or self.expected is None or self.expected <= 1:
            return ""
        return f"{self.reported}/{self.expected} 地区已报送"

    def as_dict(self) -> dict[str, object]:
        data = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "_source"}
        data["coverage_zh"] = self.coverage_zh
        data["rule"] = self.rule
        return data


def _num(x: float | np.floating | None) -> float | None:
    if x is None:
        return None
    x = float(x)
    return None if math.isnan(x) or math.isinf(x) else x


def _flag(status: str, colour: str, projected: str) -> str:
    if (
        colour == "green"
        and status not in ("achieved", "achieved_pace")
        and projected == "will_miss"
    ):
        return "on_schedule_projected_miss"
    if colour in LAGGING and projected == "will_achieve":
        return "behind_projected_achieve"
    return ""


def _rule(r: TargetResult, i: int, m: int, row: ProgressRow, cfg: MonitorConfig) -> str:
    """The inputs, the arithmetic and the band, in words an official reads."""
    kind = r.target.kind
    label = row.status_zh
    if row.status == "no_target":
        return "该地区未分解此项目标，只列实际值"
    if row.status == "no_data":
        return "本期数据缺报，不计为零"
    if row.status == "insufficient_coverage":
        return (
            f"{row.coverage_zh}（报送率 {pct(row.reporting_rate)}），低于 "
            f"{pct(cfg.coverage_threshold)}：合计不完整，不评定进度"
        )
    if kind in rules.ADDITIVE_KINDS:
        tol = r.extra.get("tolerance", 0.0)
        assert r.schedule is not None
        s = float(r.schedule[m])
        head = (
            f"完成率 c = {trimmed(row.actual)} ÷ {trimmed(row.target_value)} = "
            f"{pct(row.completion)}；"
            f"序时进度 s({m + 1}) = {pct(s)}（{SCHEDULE_ZH[r.schedule_method]}）"
        )
        if kind == "count_cumulative":
            head += "；累计目标按年初存量之后的新增部分计算进度"
        b = cfg.pace_bands
        bar = f"（左右目标按 1 − {tol:.0%} 放宽）" if tol else ""
        if row.status == "achieved":
            return f"{head}；c ≥ {1 - tol:.2f}{bar} → {label}"
        if row.status == "not_due":
            return f"{head}；本期尚无序时要求 → {label}"
        pace = f"r = c ÷ s = {trimmed(row.pace)}"
        band = {
            "ahead": f"r ≥ {b.ahead}",
            "slightly_behind": f"{b.slightly_behind} ≤ r < {b.ahead}",
            "behind": f"r < {b.slightly_behind}",
        }[row.status]
        return f"{head}；{pace}{bar}；{band} → {label}"
    if kind in ("growth_pct", "decline_pct"):
        cur = float(r.extra["current"][i, m])
        base = float(r.base[i, m]) if r.base is not None else float("nan")
        sign = "+" if kind == "growth_pct" else "−"
        return (
            f"同比 a = {trimmed(_num(cur), 4)} ÷ {trimmed(_num(base), 4)} − 1 = "
            f"{trimmed(row.actual)}%；目标 T = {sign}{trimmed(row.target_value)}%；"
            f"R = a ÷ T = {trimmed(row.progress_ratio)} → {label}"
            f"（R ≥ {cfg.rate_bands.achieved_pace} 达到进度，R < 0 为倒退）"
        )
    if kind == "level":
        base = _num(r.base[i, m]) if r.base is not None else None
        return (
            f"当前 {trimmed(row.actual)}%，上年末 {trimmed(base)}%，"
            f"目标 {trimmed(row.target_value)}%；"
            f"R = (当前 − 上年末) ÷ (目标 − 上年末) = {trimmed(row.progress_ratio)} → {label}"
        )
    if kind == "share_about":
        tol = r.extra.get("tolerance", 0.0)
        t = row.target_value or 0.0
        return (
            f"当前 {trimmed(row.actual)}%，目标区间 {trimmed(t - tol)}%–{trimmed(t + tol)}%"
            f"（{trimmed(t)}% 左右 ±{trimmed(tol)} 个百分点，高于区间亦为达标）→ {label}"
        )
    if kind == "relative":
        other = _num(r.other[i, m]) if r.other is not None else None
        return (
            f"{r.target.indicator} 同比 {trimmed(row.actual)}%，{r.target.compare_to} 同比 "
            f"{trimmed(other)}%；要求前者高于后者 → {label}"
        )
    note = r.notes[i, m] if r.notes is not None else ""
    text = f"{KIND_LABELS_ZH['milestone']}：{label}" + (f"；{note}" if note else "")
    if r.target.indicator and row.actual is not None:  # the register the task is followed by
        ind = indicators().get(r.target.indicator)
        name = ind.name_zh if ind else r.target.indicator
        text = text.rstrip("。") + f"；{name}（1—{m + 1}月）：{trimmed(row.actual)} {row.unit}"
    return text


def _column(arr: np.ndarray | None, m: int) -> list[float | None]:
    """A month's column as Python floats, with NaN and ±inf as None (one conversion per target)."""
    if arr is None:
        return []
    col = arr[:, m] if arr.ndim == 2 else arr
    col = np.where(np.isfinite(col), col, np.nan)
    return [None if x != x else x for x in col.tolist()]


def rows_for(
    analysis: Analysis,
    month: int,
    *,
    units: list[int] | None = None,
    targets: list[str] | None = None,
) -> list[ProgressRow]:
    """Rows for a month (1–12), for the given unit positions and target ids (default: all)."""
    cfg = analysis.config
    m = month - 1
    period = f"{analysis.year}-{month:02d}"
    unit_idx = range(len(analysis.units.units)) if units is None else units
    wanted = None if targets is None else set(targets)
    out: list[ProgressRow] = []
    expected = analysis.units.membership.sum(axis=1).astype(int).tolist()
    for r in analysis.results:
        tr = r.target
        if wanted is not None and tr.id not in wanted:
            continue
        actual, target_value = _column(r.actual, m), _column(r.target_value, m)
        completion, pace = _column(r.completion, m), _column(r.pace, m)
        ratio, projection = _column(r.ratio, m), _column(r.projection, m)
        reporting = _column(r.reporting, m)
        reported = r.reported[:, m].tolist() if r.reported is not None else []
        schedule = _num(r.schedule[m]) if r.schedule is not None else None
        status_col = r.status[:, m].tolist()
        projected_col = r.projected_status[:, m].tolist() if r.projected_status is not None else []
        method_col = r.projection_method[:, m].tolist() if r.projection_method is not None else []
        additive = tr.kind in rules.ADDITIVE_KINDS
        shared = {
            "target": tr.id,
            "clause": ";".join(tr.clause),
            "name_zh": tr.name_zh,
            "kind": tr.kind,
            "indicator": tr.indicator,
            "area": tr.area,
            "task": tr.task,
            "lead_units": "、".join(tr.lead_units),
            "co_units": "、".join(tr.co_units),
            "period": period,
            "unit": (tr.unit or "") if additive or tr.kind == "milestone" else "%",
            "schedule": schedule,
        }
        for i in unit_idx:
            if not r.applicable[i]:
                continue
            u = analysis.units.units[i]
            status = status_col[i]
            label = cfg.statuses[status]
            projected = projected_col[i] if projected_col else ""
            row = ProgressRow(
                **shared,
                region=u.code,
                region_name=u.name_zh,
                level=u.level,
                actual=actual[i],
                target_value=target_value[i],
                target_source=r.target_source[i],
                completion=completion[i] if completion else None,
                pace=pace[i] if pace else None,
                progress_ratio=ratio[i] if ratio else None,
                status=status,
                status_zh=label.zh,
                colour=label.colour,
                severity=label.severity,
                projection=projection[i] if projection else None,
                projection_method=method_col[i] if method_col else "",
                projected_status=projected,
                flag=_flag(status, label.colour, projected),
                reporting_rate=reporting[i] if reporting else None,
                reported=reported[i] if reported else None,
                expected=expected[i],
                _source=(r, i, m, cfg),
            )
            out.append(row)
    return out
