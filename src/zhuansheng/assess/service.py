"""``run``: one regional evaluation — inputs, scheme, score, rank change, sensitivity, stored run.

The CLI, the web ranking page and the quarterly report all call :func:`run`.
"""

from __future__ import annotations

import datetime as dt
import tempfile
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import select

from zhuansheng import store
from zhuansheng.errors import ZhuanshengError
from zhuansheng.periods import Period, parse_period
from zhuansheng.store import tables as t
from zhuansheng.workspace import Workspace, database_url

from . import score as sc
from .inputs import Inputs, NoData, inputs
from .scheme import KIND_ZH, LEVEL_ZH, LEVELS, LoadedScheme, Scheme, check_draft, load_scheme
from .sensitivity import SensitivitySummary, monte_carlo

DEFAULT_SEED = 20220630
DRAFT_ZH = "评价方案为草案"  # shown wherever a result from a draft scheme appears


@dataclass(frozen=True)
class AssessmentRow:
    region: str  # region code; pilot id (P01) for a pilot
    name: str
    score: float
    rank: int
    rank_change: int | None  # previous period's rank − rank (+ = moved up); None if no previous
    grade: str  # 优秀 / 良好 / 合格 / 不合格
    contributions: dict[str, float]  # indicator id → points it adds
    rank_median: float | None = None
    rank_p05: float | None = None
    rank_p95: float | None = None
    bonus: float = 0.0  # after the bonus cap
    penalty: float = 0.0  # after the penalty cap (a positive number, subtracted)
    adjustments: dict[str, float] = field(default_factory=dict)  # item id → points (± before caps)


@dataclass(frozen=True)
class IndicatorInfo:
    id: str
    name_zh: str
    direction: str
    weight: float  # the weight used (expert, equal or entropy), summing to 1
    normalisation: str
    target: str
    measure: str


@dataclass(frozen=True)
class Explanation:
    """What a ranking was computed from, region by region (rows) and indicator by indicator
    (columns): raw values x and own targets t, the normalised values, the weights and the points
    each indicator adds. Kept with a fresh result only (not stored with the run)."""

    x: np.ndarray
    t: np.ndarray
    normalised: np.ndarray
    weights: np.ndarray
    contributions: np.ndarray
    scale: float
    caps: list[float | None]
    regions: list[str]


@dataclass
class Assessment:
    period: str
    level: str
    scheme_id: str
    scheme_version: str
    scheme_sha256: str
    rows: list[AssessmentRow]
    indicators: list[IndicatorInfo]
    sensitivity_summary: SensitivitySummary | None = None
    run_id: str | None = None
    synthetic: bool = False
    seed: int = DEFAULT_SEED
    draws: int = 0
    aggregation: str = "additive"
    weights: str = "expert"
    notes: list[str] = field(default_factory=list)
    draft: bool = False  # the scheme was a draft (status: draft), used with --draft
    explanation: Explanation | None = field(default=None, repr=False, compare=False)

    @property
    def title_zh(self) -> str:
        p = parse_period(self.period)
        title = f"{p.label_zh}{KIND_ZH[p.kind]} · {LEVEL_ZH[self.level]}"
        title += f"（{DRAFT_ZH}）" if self.draft else ""
        return title + ("（合成演示数据）" if self.synthetic else "")

    def row(self, region: str) -> AssessmentRow:
        for r in self.rows:
            if r.region == region:
                return r
        raise ZhuanshengError(f"评价结果中没有 '{region}'")

    def as_dicts(self) -> list[dict[str, Any]]:
        out = []
        for r in self.rows:
            d = asdict(r)
            d["synthetic"] = self.synthetic
            d["draft"] = self.draft  # 评价方案为草案
            out.append(d)
        return out

    def to_json(self) -> dict[str, Any]:
        return {
            "period": self.period,
            "level": self.level,
            "scheme_id": self.scheme_id,
            "scheme_version": self.scheme_version,
            "scheme_sha256": self.scheme_sha256,
            "rows": [asdict(r) for r in self.rows],
            "indicators": [asdict(i) for i in self.indicators],
            "sensitivity_summary": (
                asdict(self.sensitivity_summary) if self.sensitivity_summary else None
            ),
            "synthetic": self.synthetic,
            "seed": self.seed,
            "draws": self.draws,
            "aggregation": self.aggregation,
            "weights": self.weights,
            "notes": self.notes,
            "draft": self.draft,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any], run_id: str | None = None) -> Assessment:
        summary = data.get("sensitivity_summary")
        if summary:
            summary = SensitivitySummary(
                **{**summary, "normalisations": tuple(summary["normalisations"])}
            )
        return cls(
            period=data["period"],
            level=data["level"],
            scheme_id=data["scheme_id"],
            scheme_version=data["scheme_version"],
            scheme_sha256=data["scheme_sha256"],
            rows=[AssessmentRow(**r) for r in data["rows"]],
            indicators=[IndicatorInfo(**i) for i in data["indicators"]],
            sensitivity_summary=summary,
            run_id=run_id,
            synthetic=data["synthetic"],
            seed=data["seed"],
            draws=data["draws"],
            aggregation=data["aggregation"],
            weights=data["weights"],
            notes=data["notes"],
            draft=data.get("draft", False),
        )


def _period(text: str) -> Period:
    p = parse_period(text)
    if p.kind == "month":
        raise ZhuanshengError(
            f"评价期间应为季度（如 2022Q2，季度运行评价）或年度（如 2022，年度综合评估），"
            f"而不是月份 '{text}'；月度进度请用 zhuansheng monitor"
        )
    return p


def previous(period: Period, level: str) -> Period:
    """The period a rank change is measured against: the previous quarter (Q1: last year's Q4)
    or year. Pilots are scored on yearly enterprise facts, so theirs is the same period a year
    earlier (quarters of one year share the same facts)."""
    if period.kind == "year" or level == "pilot":
        return Period(period.year - 1, period.month, period.kind)
    if period.month == 3:
        return Period(period.year - 1, 12, "quarter")
    return Period(period.year, period.month - 3, "quarter")


def _rank_change(
    scheme: Scheme, level: str, period: Period, ws: Workspace | None
) -> dict[str, int]:
    try:
        before = inputs(scheme, level, previous(period, level), ws)
    except NoData:
        return {}
    scored = sc.score(scheme, level, before.x, before.t, before.bonus, before.penalties)
    return {code: int(r) for code, r in zip(before.regions, scored.rank, strict=True)}


def _stack(scheme: Scheme, level: str, data: Inputs) -> tuple[np.ndarray, np.ndarray, tuple]:
    """The normalised matrices the Monte Carlo chooses between, and each one's weights."""
    inds = scheme.indicators_for(level)
    options = [None, *dict.fromkeys(scheme.sensitivity.normalisations)]
    mats = [sc.normalised(scheme, inds, data.x, data.t, how) for how in options]
    weights = [sc.weights_for(scheme, inds, m) for m in mats]
    names = ("方案设定", *[o for o in options[1:] if o])
    return np.stack(mats), np.stack(weights), names


def evaluate(
    loaded: LoadedScheme,
    period: Period,
    level: str,
    *,
    sensitivity: int = 0,
    seed: int = DEFAULT_SEED,
    ws: Workspace | None = None,
    draft: bool = False,
) -> Assessment:
    """The evaluation without storing it (``run`` stores it). A draft scheme only with
    ``draft=True``."""
    check_draft(loaded, draft)
    scheme = loaded.scheme
    if level not in LEVELS:
        raise ZhuanshengError(
            f"未知的评价层级 '{level}'，应为 city（设区市）、county（县）或 pilot（试点）"
        )
    if level not in scheme.levels:
        raise ZhuanshengError(
            f"评价方案 {scheme.id} 不含 {level} 层级（方案层级：{'、'.join(scheme.levels)}）"
        )
    if scheme.period_kind != period.kind or scheme.year != period.year:
        raise ZhuanshengError(
            f"评价方案 {scheme.id} 用于 {scheme.year} 年{KIND_ZH[scheme.period_kind]}，"
            f"不适用于期间 {period.code}；请用 --scheme 指定相应方案"
        )
    if sensitivity < 0:
        raise ZhuanshengError("蒙特卡洛次数 --sensitivity 不能为负数")
    try:
        data = inputs(scheme, level, period, ws)
    except NoData as exc:
        raise ZhuanshengError(f"{period.label_zh}无法评价：{exc}") from None
    scored = sc.score(scheme, level, data.x, data.t, data.bonus, data.penalties)
    before = _rank_change(scheme, level, period, ws)
    inds = scheme.indicators_for(level)
    items = [b.id for b in scheme.bonus] + [p.id for p in scheme.penalties]
    intervals = None
    if sensitivity > 0:
        stack, base_weights, names = _stack(scheme, level, data)
        intervals = monte_carlo(
            stack,
            base_weights,
            method=scheme.aggregation,
            floor=scheme.geometric_floor,
            scale=scheme.scale,
            adjust=scored.bonus - scored.penalty,
            draws=sensitivity,
            seed=seed,
            weight_range=scheme.sensitivity.weight_range,
            leave_one_out=scheme.sensitivity.leave_one_out,
            normalisations=names,
        )
    rows = []
    for i, code in enumerate(data.regions):
        rank = int(scored.rank[i])
        rows.append(
            AssessmentRow(
                region=code,
                name=data.names[i],
                score=round(float(scored.score[i]), 4),
                rank=rank,
                rank_change=(before[code] - rank) if code in before else None,
                grade=scored.grades[i],
                contributions={
                    ind.id: round(float(scored.contributions[i, j]), 4)
                    for j, ind in enumerate(inds)
                },
                rank_median=None if intervals is None else round(float(intervals.median[i]), 2),
                rank_p05=None if intervals is None else round(float(intervals.p05[i]), 2),
                rank_p95=None if intervals is None else round(float(intervals.p95[i]), 2),
                bonus=round(float(scored.bonus[i]), 4),
                penalty=round(float(scored.penalty[i]), 4),
                adjustments={
                    item: round(float(scored.adjustments[i, k]), 4)
                    for k, item in enumerate(items)
                    if scored.adjustments[i, k]
                },
            )
        )
    rows.sort(key=lambda r: (r.rank, r.region))
    return Assessment(
        period=period.code,
        level=level,
        scheme_id=scheme.id,
        scheme_version=scheme.version,
        scheme_sha256=loaded.sha256,
        rows=rows,
        indicators=[
            IndicatorInfo(
                ind.id,
                ind.name_zh,
                ind.direction,
                float(scored.weights[j]),
                scheme.method_of(ind),
                ind.target,
                ind.measure,
            )
            for j, ind in enumerate(inds)
        ],
        sensitivity_summary=None if intervals is None else intervals.summary,
        synthetic=data.synthetic,
        seed=seed,
        draws=sensitivity,
        aggregation=scheme.aggregation,
        weights=scheme.weights,
        notes=([f"{DRAFT_ZH}（status: draft），尚未审定，结果仅供试算"] if scheme.draft else [])
        + data.notes,
        draft=scheme.draft,
        explanation=Explanation(
            x=data.x,
            t=data.t,
            normalised=scored.normalised,
            weights=scored.weights,
            contributions=scored.contributions,
            scale=scheme.scale,
            caps=[ind.cap for ind in inds],
            regions=list(data.regions),
        ),
    )


def _new_run_id() -> str:
    now = dt.datetime.now(dt.UTC)
    return f"{now:%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:8]}"


def run(
    period: str,
    level: str = "city",
    scheme: Path | str | None = None,
    sensitivity: int = 0,
    seed: int = DEFAULT_SEED,
    ws: Workspace | None = None,
    *,
    save: bool = True,
    created_by: str = "",
    draft: bool = False,
) -> Assessment:
    """Evaluate ``level`` for ``period`` (``2022Q2`` quarterly, ``2022`` annual) with ``scheme``
    (default: the programme folder's scheme of the period's kind and year, else the shipped one;
    ``scheme.find_scheme``) and store the run. A draft scheme is refused unless ``draft``."""
    p = _period(period)
    loaded = load_scheme(scheme, period=p, ws=ws)
    result = evaluate(loaded, p, level, sensitivity=sensitivity, seed=seed, ws=ws, draft=draft)
    if save:
        result.run_id = _new_run_id()
        with store.session(database_url(ws)) as s:
            s.add(
                t.AssessmentRun(
                    run_id=result.run_id,
                    period=result.period,
                    level=level,
                    scheme_id=result.scheme_id,
                    scheme_version=result.scheme_version,
                    scheme_sha256=loaded.sha256,
                    scheme_text=loaded.text,
                    seed=seed,
                    sensitivity=sensitivity,
                    created_by=created_by,
                    result=result.to_json(),
                    synthetic=result.synthetic,
                    draft=result.draft,
                )
            )
    return result


def load_run(run_id: str, ws: Workspace | None = None) -> Assessment:
    """A stored run exactly as it was published."""
    with store.session(database_url(ws)) as s:
        row = s.get(t.AssessmentRun, run_id)
        if row is None:
            raise ZhuanshengError(f"没有编号为 {run_id} 的评价记录")
        return Assessment.from_json(row.result, run_id)


def runs(ws: Workspace | None = None, *, period: str | None = None) -> list[dict[str, Any]]:
    """Stored runs, newest first (without their rows)."""
    with store.session(database_url(ws)) as s:
        q = select(t.AssessmentRun).order_by(t.AssessmentRun.created_at.desc())
        if period is not None:
            q = q.where(t.AssessmentRun.period == period)
        return [
            {
                "run_id": r.run_id,
                "period": r.period,
                "level": r.level,
                "scheme_id": r.scheme_id,
                "scheme_version": r.scheme_version,
                "scheme_sha256": r.scheme_sha256,
                "sensitivity": r.sensitivity,
                "seed": r.seed,
                "created_at": r.created_at,
                "synthetic": r.synthetic,
                "draft": r.draft,
            }
            for r in s.scalars(q)
        ]


def reproduce(run_id: str, ws: Workspace | None = None) -> Assessment:
    """Run a stored evaluation again with the scheme text it used (not today's file); on the
    same data the rows equal the stored ones."""
    with store.session(database_url(ws)) as s:
        row = s.get(t.AssessmentRun, run_id)
        if row is None:
            raise ZhuanshengError(f"没有编号为 {run_id} 的评价记录")
        text, period, level = row.scheme_text, row.period, row.level
        seed, draws, draft = row.seed, row.sensitivity, row.draft
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "scheme.yaml"
        path.write_text(text, encoding="utf-8")
        loaded = load_scheme(path)
    return evaluate(
        loaded, _period(period), level, sensitivity=draws, seed=seed, ws=ws, draft=draft
    )
