"""What rectification changed (整治成效): a case firm's 亩均 score and class and its 碳效 grade in
the year it was put on the list and in the latest evaluated year, read from the newest
evaluation runs in the lake; and the warning for a case verified as rectified whose firm is still
class D or grade 5. Used by the case pages, the API and the briefings alike."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
from sqlalchemy import select
from sqlalchemy.orm import Session

from zhuansheng.datafile import read_yaml
from zhuansheng.store import tables as t

# runs whose results carry the columns: 亩均 (mujun), 碳效 (carbon) or both (screen)
_KINDS = {"mujun_score": ("mujun", "screen"), "mujun_class": ("mujun", "screen")}
_KINDS["carbon_grade"] = ("carbon", "screen")


@dataclass(frozen=True)
class StillPoor:
    """What still counts as not rectified after a verified case (``data/case_outcomes.yaml``)."""

    mujun_classes: tuple[str, ...]
    carbon_grades: tuple[int, ...]


@cache
def still_poor_rule() -> StillPoor:
    rule = read_yaml(__package__, "case_outcomes.yaml")["still_poor"]
    return StillPoor(tuple(rule["mujun_classes"]), tuple(int(g) for g in rule["carbon_grades"]))


@dataclass(frozen=True)
class Standing:
    """A firm's results of one year (None where no run of that year has the firm)."""

    year: int | None
    mujun_score: float | None = None
    mujun_class: str | None = None
    carbon_grade: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "year": self.year,
            "mujun_score": self.mujun_score,
            "mujun_class": self.mujun_class,
            "carbon_grade": self.carbon_grade,
        }


Standings = dict[str, dict[str, Any]]  # uscc → its 亩均 score and class, 碳效 grade


def standings(path: str | None) -> Standings:
    """One run's results by firm (empty when its file is gone)."""
    if not path or not Path(path).is_file():
        return {}
    return _results(path, Path(path).stat().st_mtime_ns)


@lru_cache(maxsize=16)
def _results(path: str, mtime: int) -> Standings:
    # result files are written once under a new run id; the time guards a rewritten path
    table = pq.read_table(path)
    wanted = [c for c in ("uscc", *_KINDS) if c in table.column_names]
    return {r["uscc"]: r for r in table.select(wanted).to_pylist()}


def _runs(s: Session) -> dict[tuple[str, int], str]:
    """(method, year) → the newest run's result file."""
    out: dict[tuple[str, int], str] = {}
    r = t.EvaluationRun
    q = select(r.method, r.year, r.output_path).order_by(r.started_at)
    for method, year, path in s.execute(q):
        if path and Path(path).is_file():
            out[(method, year)] = path
    return out


class Results:
    """The newest evaluation results by year, read once per use."""

    def __init__(self, s: Session) -> None:
        self.runs = _runs(s)
        self.years = sorted({y for _, y in self.runs})
        self.read: dict[tuple[str, int], Standings] = {}

    def _of(self, kind: str, year: int) -> Standings:
        # each run's results looked up once per use, not once per firm
        key = (kind, year)
        if key not in self.read:
            self.read[key] = standings(self.runs.get(key))
        return self.read[key]

    def _value(self, column: str, uscc: str, year: int) -> Any:
        for kind in _KINDS[column]:
            row = self._of(kind, year).get(uscc)
            if row is not None and row.get(column) is not None:
                return row[column]
        return None

    def standing(self, uscc: str, year: int | None) -> Standing:
        if year is None:
            return Standing(None)
        grade = self._value("carbon_grade", uscc, year)
        score = self._value("mujun_score", uscc, year)
        return Standing(
            year,
            None if score is None else round(float(score), 2),
            self._value("mujun_class", uscc, year),
            None if grade is None else int(grade),
        )

    def latest_year(self) -> int | None:
        return self.years[-1] if self.years else None


def outcome(
    results: Results, uscc: str, listed_year: int, *, verified: bool = True
) -> dict[str, Any]:
    """Before (the year the case was listed) and after (the latest evaluated year), and, for a
    case verified as rectified, the warning when the firm still stands at a class or grade of
    the still-poor rule after."""
    before = results.standing(uscc, listed_year)
    latest = results.latest_year()
    after = results.standing(uscc, latest) if latest and latest > listed_year else Standing(None)
    rule = still_poor_rule()
    warn = verified and (
        after.mujun_class in rule.mujun_classes or after.carbon_grade in rule.carbon_grades
    )
    return {
        "before": before.as_dict(),
        "after": after.as_dict(),
        "still_poor": warn,
        "warning": still_poor_text(after) if warn else "",
    }


def still_poor_what(after: Standing) -> str:
    """亩均效益仍为 D 类、碳效仍为 5 级 — what is still poor (empty when nothing is)."""
    what = []
    rule = still_poor_rule()
    if after.mujun_class in rule.mujun_classes:
        what.append(f"亩均效益仍为 {after.mujun_class} 类")
    if after.carbon_grade in rule.carbon_grades:
        what.append(f"碳效仍为 {after.carbon_grade} 级")
    return "、".join(what)


def still_poor_text(after: Standing) -> str:
    return f"已验收为整治完成，但 {after.year} 年{still_poor_what(after)}，请核实整治成效"
