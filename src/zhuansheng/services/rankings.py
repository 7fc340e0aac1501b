"""The regional assessment (``zhuansheng.assess``) as the ranking page and ``/api/v1/assess``
show it: the periods that have a scheme (the programme folder's or a shipped one, as
``assess.find_scheme`` finds them), the default period, results cached per period, level, number
of Monte Carlo draws and draft permission until the data or the scheme file changes, and the
table rows cut for one user. A draft scheme is used only when asked for (``draft``)."""

from __future__ import annotations

import threading
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select

from zhuansheng import assess, programme, store
from zhuansheng.errors import NotFound, ZhuanshengError
from zhuansheng.periods import parse_period
from zhuansheng.store import tables as t
from zhuansheng.workspace import Workspace

from . import monitoring
from .context import Caller
from .monitoring import MonitorCache

LEVELS = ("city", "county", "pilot")
DraftScheme = assess.DraftScheme  # the period's scheme is a draft and no draft was asked for
DEFAULT_DRAWS = 200  # enough for a stable 5–95 % interval on the page, well under a second
MAX_DRAWS = 5000
NORMALISATION_ZH = {
    "completion": "完成率",
    "distance": "距目标距离",
    "minmax": "极差标准化",
    "zscore": "Z 分数",
    "rank_points": "按名次赋分",
}


def periods(ws: Workspace) -> tuple[str, ...]:
    """Quarters and years of the programme years that have a scheme (looked up each time: a
    scheme dropped into the programme folder counts at once)."""
    return tuple(assess.scheme_periods(programme.available_years(), ws))


def check_period(text: str, ws: Workspace) -> str:
    """The period's code, or a clear error naming the periods that can be assessed."""
    p = parse_period(text)
    available = periods(ws)
    if p.code not in available:
        raise ZhuanshengError(
            f"期间 '{text}' 无法评价：区域评价按季度（季度运行评价）或年度（年度综合评估）进行，"
            f"可选期间为 {'、'.join(available) or '（无）'}"
            f"（评价方案放在 {assess.scheme.programme_schemes(ws)}）"
        )
    return p.code


def check_level(level: str) -> str:
    if level not in LEVELS:
        raise ZhuanshengError(
            f"未知的评价层级 '{level}'，应为 city（设区市）、county（县）或 pilot（试点）"
        )
    return level


def default_period(latest_month: str, ws: Workspace) -> str:
    """The last quarter completed by the newest month with data (2022-12 → 2022Q4)."""
    m = parse_period(latest_month)
    quarter = m.month // 3
    code = f"{m.year}Q{quarter}" if quarter else f"{m.year - 1}Q4"
    available = periods(ws)
    if code in available or not available:
        return code
    return available[-1]


@dataclass(frozen=True)
class Ranking:
    result: assess.Assessment
    adjustments: dict[str, str]  # bonus or penalty item id → its name
    pilot_county: dict[str, str]  # pilot id → county code (pilots are ranked, counties shown)
    scale: float  # the scheme's full score
    scheme_path: Path  # the file the ranking's scheme came from

    def county_of(self, region: str) -> str:
        return self.pilot_county.get(region, region)


def _stamp(path: Path | None) -> tuple[str, int, int] | None:
    if path is None:
        return None
    st = path.stat()
    return (str(path), st.st_mtime_ns, st.st_size)


class RankingCache:
    """``assess.run`` per (period, level, draws, draft), reused until the monitoring data
    version changes (the same version the monitoring cache watches) or the scheme file does
    (an approved draft, a scheme put into the programme folder)."""

    def __init__(self, ws: Workspace, monitor: MonitorCache, size: int = 64) -> None:
        self.ws = ws
        self.monitor = monitor
        self.size = size
        self._lock = threading.Lock()
        self._hits: dict[tuple[str, str, int, bool], tuple[tuple, Ranking]] = {}

    def get(self, period: str, level: str, draws: int, draft: bool = False) -> Ranking:
        period, level = check_period(period, self.ws), check_level(level)
        if not 0 <= draws <= MAX_DRAWS:
            raise ZhuanshengError(f"蒙特卡洛次数应在 0 到 {MAX_DRAWS} 之间，而不是 {draws}")
        version = (
            self.monitor.version(),
            _stamp(assess.find_scheme(parse_period(period), self.ws)),
        )
        key = (period, level, draws, draft)
        hit = self._hits.get(key)
        if hit is None or hit[0] != version:
            with self._lock:  # one assessment at a time: the second caller reuses the first's
                hit = self._hits.get(key)
                if hit is None or hit[0] != version:
                    hit = (version, self._compute(period, level, draws, draft))
                    if len(self._hits) >= self.size:
                        self._hits.clear()
                    self._hits[key] = hit
        return hit[1]

    def _compute(self, period: str, level: str, draws: int, draft: bool) -> Ranking:
        loaded = assess.load_scheme(period=parse_period(period), ws=self.ws)
        result = assess.run(
            period=period,
            level=level,
            scheme=loaded.path,
            sensitivity=draws,
            ws=self.ws,
            save=False,
            draft=draft,
        )
        scheme = loaded.scheme
        items = {a.id: a.name_zh for a in (*scheme.bonus, *scheme.penalties)}
        pilots: dict[str, str] = {}
        if level == "pilot":
            with store.session(self.ws.database_url) as s:
                pilots = dict(s.execute(select(t.Pilot.pilot_id, t.Pilot.county_code)).all())
        return Ranking(result, items, pilots, scheme.scale, loaded.path)


def resolved_period(caller: Caller, period: str | None) -> str:
    """The period asked for, or the last quarter completed by the data."""
    return period or default_period(monitoring.latest_month(caller.ws), caller.ws)


def ranking(
    caller: Caller, period: str | None, level: str, draws: int, draft: bool = False
) -> Ranking:
    """The (cached) assessment; without a period, the last quarter completed by the data. A
    draft scheme raises ``assess.DraftScheme`` unless ``draft``."""
    period = resolved_period(caller, period)
    cache = caller.rankings or RankingCache(caller.ws, caller.monitor or MonitorCache(caller.ws))
    return cache.get(period, level, draws, draft)


def visible_rows(ranking: Ranking, caller: Caller) -> list[assess.AssessmentRow]:
    """The rows this user may see: all of them when ``all_regions_visible`` is set, else those
    in the user's scope (a pilot by its county). Ranks stay those among all regions."""
    return [
        r for r in ranking.result.rows if caller.may("progress.view", ranking.county_of(r.region))
    ]


def visible_row(ranking: Ranking, caller: Caller, region: str) -> assess.AssessmentRow:
    """One region's row, if the caller may see it; ``NotFound`` otherwise."""
    for r in visible_rows(ranking, caller):
        if r.region == region:
            return r
    raise NotFound(f"{ranking.result.title_zh}中没有您可查看的 '{region}'")


def arrow(change: int | None) -> tuple[str, str]:
    """The rank change as an arrow and a CSS class: ↑ moved up, ↓ down, → unchanged."""
    if change is None:
        return "—", "none"
    if change > 0:
        return f"↑{change}", "up"
    if change < 0:
        return f"↓{-change}", "down"
    return "→0", "same"


def table(ranking: Ranking, rows: list[assess.AssessmentRow]) -> list[dict[str, Any]]:
    """The page's rows: the result's fields, the arrow, and where the rank interval is drawn
    (percentages of a scale from rank 1 to the last rank)."""
    n = len(ranking.result.rows)
    span = max(n - 1, 1)

    def at(rank: float) -> float:
        return round(100 * (rank - 1) / span, 2)

    out = []
    for r in rows:
        text, cls = arrow(r.rank_change)
        interval = None
        if r.rank_p05 is not None and r.rank_p95 is not None and r.rank_median is not None:
            interval = {
                "left": at(r.rank_p05),
                "width": max(at(r.rank_p95) - at(r.rank_p05), 1.5),
                "median": at(r.rank_median),
                "rank": at(r.rank),
            }
        out.append(
            {
                **asdict(r),
                "arrow": text,
                "arrow_class": cls,
                "interval": interval,
                "link": ranking.county_of(r.region),
            }
        )
    return out


def contributions(ranking: Ranking, row: assess.AssessmentRow) -> list[dict[str, Any]]:
    """Each indicator's points for one region, with its weight and (additive schemes) the
    most it could add."""
    additive = ranking.result.aggregation == "additive"
    out = []
    for ind in ranking.result.indicators:
        points = row.contributions.get(ind.id, 0.0)
        most = ind.weight * ranking.scale if additive else None
        out.append(
            {
                "id": ind.id,
                "name_zh": ind.name_zh,
                "weight": ind.weight,
                "normalisation": NORMALISATION_ZH.get(ind.normalisation, ind.normalisation),
                "direction": "越高越好" if ind.direction == "higher" else "越低越好",
                "points": points,
                "most": most,
                "share": round(100 * points / most, 1) if most else None,
            }
        )
    return out


def api_rows(ranking: Ranking, rows: list[assess.AssessmentRow]) -> list[dict[str, Any]]:
    synthetic = ranking.result.synthetic
    out = []
    for r in rows:
        d = asdict(r)
        d["synthetic"] = synthetic
        if ranking.result.level == "pilot":
            d["county"] = ranking.county_of(r.region)
        out.append(d)
    return out


def meta(ranking: Ranking) -> dict[str, Any]:
    res = ranking.result
    return {
        "period": res.period,
        "level": res.level,
        "title_zh": res.title_zh,
        "scheme_id": res.scheme_id,
        "scheme_version": res.scheme_version,
        "scheme_sha256": res.scheme_sha256,
        "aggregation": res.aggregation,
        "weights": res.weights,
        "seed": res.seed,
        "draws": res.draws,
        "synthetic": res.synthetic,
        "draft": res.draft,
        "regions": len(res.rows),
        "indicators": [asdict(i) for i in res.indicators],
        "sensitivity_summary": (
            asdict(res.sensitivity_summary) if res.sensitivity_summary else None
        ),
        "notes": res.notes,
    }
