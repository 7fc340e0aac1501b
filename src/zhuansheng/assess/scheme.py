"""Evaluation schemes (评价方案): YAML files saying what is scored, how, and with which weights.

A scheme is data, not code: the province revises it yearly and localities keep their own. Every
problem in a file is reported with its YAML path and line (``zhuansheng.yamlfile``).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from zhuansheng import programme, yamlfile
from zhuansheng.errors import InputRejected, Invalid, Problem, ZhuanshengError
from zhuansheng.periods import Period, parse_period
from zhuansheng.workspace import Workspace, resolve

Level = Literal["city", "county", "pilot"]
Normalisation = Literal["completion", "distance", "minmax", "zscore", "rank_points"]
LEVELS: tuple[str, ...] = ("city", "county", "pilot")
NORMALISATIONS: tuple[str, ...] = ("completion", "distance", "minmax", "zscore", "rank_points")
GRADES: tuple[str, ...] = ("优秀", "良好", "合格", "不合格")
# Region figures the lake gives for a pilot's own industry (see ``inputs.py``).
FIGURES: tuple[str, ...] = ("tax_per_mu", "va_per_mu", "rd_intensity", "energy_intensity")
LEVEL_ZH = {"city": "设区市", "county": "县（市、区）", "pilot": "分行业省级试点"}
DEFAULTS = {"quarter": "quarterly-{year}.yaml", "year": "annual-{year}.yaml"}
# The file names' kinds (``<programme dir>/schemes/<kind>-<year>.yaml``) and their periods.
KINDS = {"quarterly": "quarter", "annual": "year"}
KIND_ZH = {"quarter": "季度运行评价", "year": "年度综合评估"}
SCHEMES_DIR = "schemes"  # the folder of a year's schemes inside the programme folder
# Target kinds without a progress ratio R in monitoring: no pace to score.
NO_PACE_KINDS = ("share_about", "relative", "milestone")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class RankPoints(_Model):
    """Rank-to-points (按名次赋分): rank 1 gets ``first``, each next rank ``step`` less."""

    first: float = Field(60.0, gt=0)
    step: float = Field(3.0, ge=0)
    floor: float = Field(0.0, ge=0)


class Indicator(_Model):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name_zh: str = Field(min_length=1)
    levels: list[Level] = Field(min_length=1)
    source: Literal["target", "facts"] = "target"
    target: str = Field(min_length=1)  # programme target: the row (source target) or the goal
    figure: str | None = None  # source facts: one of FIGURES
    measure: Literal["actual", "pace", "growth", "decline", "level"] = "actual"
    direction: Literal["higher", "lower"] = "higher"
    normalisation: Normalisation | None = None  # default: the scheme's
    cap: float | None = Field(None, gt=0)
    weight: float = Field(1.0, ge=0)
    note: str = ""


class Adjustment(_Model):
    """A bonus (加分) or penalty (扣分) item: ``per_unit`` points per unit of its value, capped."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name_zh: str = Field(min_length=1)
    levels: list[Level] = Field(min_length=1)
    target: str | None = None  # value: the region's actual for this programme target
    colours: list[Literal["red", "yellow", "grey"]] | None = None  # value: its rows in colour
    per_unit: float = Field(gt=0)
    cap: float | None = Field(None, ge=0)


class Grades(_Model):
    """Cut-offs: a score (basis ``score``) or the share of regions ranked above (``rank_share``)."""

    basis: Literal["score", "rank_share"] = "score"
    excellent: float = Field(alias="优秀")
    good: float = Field(alias="良好")
    passing: float = Field(alias="合格")


class Sensitivity(_Model):
    weight_range: float = Field(0.2, ge=0, lt=1)  # weights × U(1 − r, 1 + r)
    normalisations: list[Normalisation] = ["minmax", "rank_points"]
    leave_one_out: bool = True


class Scheme(_Model):
    id: str = Field(pattern=r"^[a-z][a-z0-9_-]*$")
    version: str = Field(min_length=1)
    # ``draft``: written by ``assess scheme init``, used only when asked for (``--draft``) until
    # the office approves it by changing this to ``approved``.
    status: Literal["draft", "approved"] = "approved"
    name_zh: str = Field(min_length=1)
    source: str = Field(min_length=1)
    year: int = Field(ge=2000, le=2100)
    period_kind: Literal["quarter", "year"]
    levels: list[Level] = Field(min_length=1)
    normalisation: Normalisation = "completion"
    weights: Literal["expert", "equal", "entropy"] = "expert"
    aggregation: Literal["additive", "geometric", "topsis"] = "additive"
    scale: float = Field(100.0, gt=0)
    missing: Literal["zero", "mean"] = "zero"
    geometric_floor: float = Field(0.01, gt=0, le=1)
    rank_points: RankPoints = RankPoints()
    indicators: list[Indicator] = Field(min_length=1)
    bonus: list[Adjustment] = []
    penalties: list[Adjustment] = []
    bonus_cap: float | None = Field(None, ge=0)
    penalty_cap: float | None = Field(None, ge=0)
    grades: Grades
    sensitivity: Sensitivity = Sensitivity()

    def indicators_for(self, level: str) -> list[Indicator]:
        return [i for i in self.indicators if level in i.levels]

    def method_of(self, ind: Indicator) -> str:
        return ind.normalisation or self.normalisation

    @property
    def draft(self) -> bool:
        return self.status == "draft"


@dataclass(frozen=True)
class LoadedScheme:
    scheme: Scheme
    path: Path
    text: str  # the file as read: stored with every run so the ranking can be reproduced
    sha256: str


def _check(data: dict[str, Any], tree: Any) -> list[Problem]:
    """Rules across fields: unique ids, known targets, each level scored, sound options."""
    out: list[Problem] = []
    if not isinstance(data.get("indicators"), list):
        return out
    year = data.get("year")
    known: dict[str, str] | None = None  # target id → kind
    if isinstance(year, int) and year in programme.available_years():
        known = {t.id: t.kind for t in programme.load(year).targets()}
    elif isinstance(year, int):
        out.append(yamlfile.problem(tree, ("year",), f"没有 {year} 年的工作要点，无法对应目标"))
    geometric = data.get("aggregation") == "geometric"
    default_norm = data.get("normalisation", "completion")
    seen: set[str] = set()
    for section in ("indicators", "bonus", "penalties"):
        items = data.get(section) or []
        if not isinstance(items, list):
            continue
        for k, item in enumerate(items):
            if not isinstance(item, dict):
                continue
            iid = item.get("id")
            if iid in seen:
                out.append(yamlfile.problem(tree, (section, k, "id"), f"编号 '{iid}' 重复"))
            seen.add(iid)
            target = item.get("target")
            if known is not None and isinstance(target, str) and target not in known:
                hint = yamlfile.did_you_mean(target, sorted(known))
                out.append(
                    yamlfile.problem(
                        tree,
                        (section, k, "target"),
                        f"{year} 年工作要点中没有目标 '{target}'",
                        hint,
                    )
                )
            if section != "indicators":
                if (target is None) == (item.get("colours") is None):
                    out.append(
                        yamlfile.problem(
                            tree,
                            (section, k),
                            "加分/扣分项须且只能写 target（按实际值）或 colours（按状态计数）之一",
                        )
                    )
                continue
            source, measure = item.get("source", "target"), item.get("measure", "actual")
            if source == "facts":
                if item.get("figure") not in FIGURES:
                    out.append(
                        yamlfile.problem(
                            tree,
                            (section, k, "figure"),
                            f"企业数据指标 figure 应为 {', '.join(FIGURES)}",
                        )
                    )
                if measure not in ("growth", "decline", "level"):
                    out.append(
                        yamlfile.problem(
                            tree,
                            (section, k, "measure"),
                            "企业数据指标的 measure 应为 growth、decline 或 level，"
                            f"实际为 '{measure}'",
                        )
                    )
                if set(item.get("levels") or []) - {"pilot"}:
                    out.append(
                        yamlfile.problem(
                            tree,
                            (section, k, "levels"),
                            "企业数据指标（source: facts）只用于 pilot 层级",
                        )
                    )
            elif measure not in ("actual", "pace"):
                out.append(
                    yamlfile.problem(
                        tree,
                        (section, k, "measure"),
                        f"目标类指标的 measure 应为 actual 或 pace，实际为 '{measure}'",
                    )
                )
            elif measure == "pace" and known and known.get(target) in NO_PACE_KINDS:
                out.append(
                    yamlfile.problem(
                        tree,
                        (section, k, "measure"),
                        f"目标 '{target}'（类型 {known[target]}）没有序时进度或进度比 R，"
                        "不能用 measure: pace",
                        "改用 measure: actual",
                    )
                )
            if "pilot" in (item.get("levels") or []) and source != "facts":
                out.append(
                    yamlfile.problem(
                        tree,
                        (section, k, "levels"),
                        "试点按本行业企业数据评价，pilot 层级的指标须为 source: facts",
                    )
                )
            if geometric and item.get("normalisation", default_norm) == "zscore":
                out.append(
                    yamlfile.problem(
                        tree,
                        (section, k, "normalisation"),
                        "几何加总要求正值，不能与 z-score 标准化同用",
                        "改用 minmax、completion 等非负的标准化方法",
                    )
                )
    for level in data.get("levels") or []:
        inds = [
            i for i in data["indicators"] if isinstance(i, dict) and level in i.get("levels", [])
        ]
        if not inds:
            out.append(yamlfile.problem(tree, ("levels",), f"层级 {level} 没有任何评价指标"))
        elif data.get("weights", "expert") == "expert" and not sum(
            float(i.get("weight", 1.0))
            for i in inds
            if isinstance(i.get("weight", 1.0), int | float)
        ):
            out.append(yamlfile.problem(tree, ("indicators",), f"层级 {level} 的专家权重之和为 0"))
    g = data.get("grades")
    if isinstance(g, dict) and all(isinstance(g.get(k), int | float) for k in GRADES[:3]):
        a, b, c = (g[k] for k in GRADES[:3])
        rising = g.get("basis", "score") == "rank_share"
        if (rising and not a <= b <= c) or (not rising and not a >= b >= c):
            order = "优秀 ≤ 良好 ≤ 合格（排名比例）" if rising else "优秀 ≥ 良好 ≥ 合格（分数线）"
            out.append(yamlfile.problem(tree, ("grades",), f"等级分档线次序不对，应为 {order}"))
    sens = data.get("sensitivity")
    if geometric and isinstance(sens, dict) and "zscore" in (sens.get("normalisations") or []):
        out.append(
            yamlfile.problem(
                tree, ("sensitivity", "normalisations"), "几何加总的敏感性分析不能包含 zscore"
            )
        )
    return out


def _read(path: Path) -> LoadedScheme:
    parsed, problems = yamlfile.validated(path, Scheme, _check)
    if problems or parsed is None:
        raise InputRejected(f"评价方案 {path}", problems)
    text = path.read_text(encoding="utf-8")
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return LoadedScheme(parsed, path, text, digest)  # type: ignore[arg-type]


def validate_scheme_file(path: Path) -> tuple[Scheme | None, list[Problem]]:
    """The scheme in ``path`` and every problem found (for a check command or the web upload)."""
    parsed, problems = yamlfile.validated(Path(path), Scheme, _check)
    return parsed, problems  # type: ignore[return-value]


def shipped_path(name: str) -> Path:
    return Path(str(resources.files(__package__).joinpath("data", name)))


def file_name(period_kind: str, year: int) -> str:
    """``quarterly-2023.yaml`` / ``annual-2023.yaml``."""
    return DEFAULTS[period_kind].format(year=year)


def programme_schemes(ws: Workspace | None = None) -> Path:
    """The folder of the programme's own schemes: ``<programme dir>/schemes``."""
    return resolve(ws).programme_dir / SCHEMES_DIR


def find_scheme(period: Period, ws: Workspace | None = None) -> Path | None:
    """The scheme file for a period's kind and year: the programme folder's
    (``schemes/<kind>-<year>.yaml``) first, then the one shipped with the package; None if
    neither exists. The CLI, the reports and the web rankings all look schemes up here."""
    if period.kind not in DEFAULTS:
        return None
    name = file_name(period.kind, period.year)
    for found in (programme_schemes(ws) / name, shipped_path(name)):
        if found.is_file():
            return found
    return None


def scheme_periods(years: list[int], ws: Workspace | None = None) -> list[str]:
    """The quarters and years among ``years`` that have a scheme (``find_scheme``)."""
    out: list[str] = []
    for year in years:
        if find_scheme(Period(year, 3, "quarter"), ws) is not None:
            out += [f"{year}Q{q}" for q in range(1, 5)]
        if find_scheme(Period(year, 12, "year"), ws) is not None:
            out.append(str(year))
    return out


def load_scheme(
    path: Path | str | None = None, *, period: Period | None = None, ws: Workspace | None = None
) -> LoadedScheme:
    """A scheme file, or the one ``find_scheme`` finds for the period's kind and year."""
    if path is not None:
        return _read(Path(path))
    if period is None or period.kind not in DEFAULTS:
        raise ZhuanshengError("请指定评价期间（如 2022Q2 或 2022）或评价方案文件")
    found = find_scheme(period, ws)
    if found is None:
        name = file_name(period.kind, period.year)
        kind = KIND_ZH[period.kind]
        raise ZhuanshengError(
            f"没有 {period.year} 年的默认{kind}方案（{name}）：请把方案放入 "
            f"{programme_schemes(ws) / name}（可用 zhuansheng assess scheme init --year "
            f"{period.year} --kind {_kind_word(period.kind)} 生成草案），或用 --scheme 指定方案文件"
        )
    return _read(found)


def _kind_word(period_kind: str) -> str:
    return next(k for k, v in KINDS.items() if v == period_kind)


class DraftScheme(Invalid):
    """A draft scheme asked for without ``--draft`` (the web: ``draft=1``)."""

    def __init__(self, scheme_id: str, path: Path) -> None:
        self.scheme_id, self.path = scheme_id, path
        super().__init__(
            f"评价方案 {scheme_id}（{path}）为草案（status: draft），尚未审定，"
            "不能用于正式评价：请省转升办审定方案后将 status: draft 改为 status: approved；"
            "如仅需按草案试算，请加 --draft（结果将标明“评价方案为草案”）"
        )


def check_draft(loaded: LoadedScheme, draft: bool) -> None:
    """A draft scheme is used only when asked for (``--draft``); say how to approve it."""
    if loaded.scheme.draft and not draft:
        raise DraftScheme(loaded.scheme.id, loaded.path)


def scheme_targets(year: int, ws: Workspace | None = None) -> set[str]:
    """Programme targets that the year's schemes (quarterly and annual) score or adjust for.
    A kind without a usable scheme for the year (none, a draft, a broken file) adds nothing: a
    scheme may only name the year's own targets, whose indicators are collected anyway, and the
    assessment itself reports a broken scheme when it is run."""
    found: set[str] = set()
    for code in (f"{year}Q1", str(year)):
        try:
            loaded = load_scheme(period=parse_period(code), ws=ws)
        except ZhuanshengError:
            continue
        s = loaded.scheme
        found |= {i.target for i in s.indicators}
        found |= {a.target for a in (*s.bonus, *s.penalties) if a.target is not None}
    return found
