"""Recording a run in the operational store: the run, its candidates, its county roll-ups."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import TYPE_CHECKING, Any

from sqlalchemy import insert, select
from sqlalchemy.exc import OperationalError, ProgrammingError

from zhuansheng import programme, store
from zhuansheng.errors import ZhuanshengError
from zhuansheng.store import observations
from zhuansheng.store import tables as t

from . import rollups

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from .result import RunResult

CANDIDATE_COLUMNS = (
    "uscc",
    "name",
    "county_code",
    "industry_code",
    "year",
    "screen_rules",
    "freed_land_mu",
    "freed_energy_tce",
)


def _candidates(result_table: ir.Table) -> list[dict[str, Any]]:
    cand = result_table.filter(result_table.candidate).select(*CANDIDATE_COLUMNS)
    return cand.order_by("uscc").to_pyarrow().to_pylist()


def record_run(
    result: RunResult,
    result_table: ir.Table,
    sums: list[dict[str, Any]],
    started: dt.datetime,
    *,
    recorded_by: str = "engine",
) -> None:
    """Insert the run, its candidates (screen) and its county observations, in one transaction."""
    candidates = _candidates(result_table) if result.kind == "screen" else []
    catalogue = programme.indicators()
    try:
        with store.session() as s:
            regions = set(s.scalars(select(t.Region.code)))
            known_indicators = set(s.scalars(select(t.Indicator.id)))
            kept = [c for c in candidates if c["county_code"] in regions]
            rules = Counter(r for c in kept for r in (c["screen_rules"] or "").split(",") if r)
            result.summary["candidates_recorded"] = len(kept)
            if len(kept) < len(candidates):
                result.summary["candidates_skipped_unknown_county"] = len(candidates) - len(kept)
            if rules:
                result.summary["rules_matched"] = dict(rules.most_common())
            written = _observations(
                s, result, sums, catalogue, known_indicators, regions, recorded_by
            )
            result.summary["observations_written"] = written
            s.add(
                t.EvaluationRun(
                    run_id=result.run_id,
                    method=result.kind,
                    year=result.year,
                    method_file=result.method["path"],
                    method_version=f"{result.method['id']}@{result.method['version']}"[:40],
                    method_sha256=result.method["sha256"],
                    engine=result.engine,
                    started_at=started,
                    finished_at=dt.datetime.now().astimezone(),
                    enterprises=result.enterprises,
                    output_path=result.output_path,
                    summary=result.summary,
                    synthetic=result.synthetic,
                )
            )
            s.flush()
            rows = [
                {
                    "run_id": result.run_id,
                    "uscc": c["uscc"],
                    "name": c["name"] or "",
                    "county_code": c["county_code"],
                    "industry_code": c["industry_code"],
                    "year": int(c["year"]),
                    "rules": (c["screen_rules"] or "").split(","),
                    "freed_land_mu": float(c["freed_land_mu"] or 0.0),
                    "freed_energy_tce": float(c["freed_energy_tce"] or 0.0),
                    "status": "candidate",
                    "note": "",
                    "dismiss_reason": None,
                    "reviewed_by": None,
                    "synthetic": result.synthetic,
                }
                for c in kept
            ]
            _carry_decisions(s, rows, result.year)
            stmt = insert(t.ScreeningCandidate.__table__)
            for start in range(0, len(rows), 5000):
                s.execute(stmt, rows[start : start + 5000])
    except (OperationalError, ProgrammingError) as exc:
        raise ZhuanshengError(
            "数据库尚未初始化或版本过旧，请先运行 `zhuansheng db upgrade`；"
            f"评价结果已写入 {result.output_path} (store not ready: {exc.orig})"
        ) from exc


def _carry_decisions(s: Any, rows: list[dict[str, Any]], year: int) -> None:
    """A new screening of a year keeps what the counties decided on the earlier ones: a firm
    already on the year's list stays confirmed, a dismissed one stays dismissed (reason and
    note kept), so a rerun never puts a reviewed firm back in front of its county."""
    listed = set(s.scalars(select(t.Case.uscc).where(t.Case.year == year)))
    c = t.ScreeningCandidate
    newest: dict[str, tuple[str, str | None, str, str | None]] = {}
    for uscc, status, reason, note, who in s.execute(
        select(c.uscc, c.status, c.dismiss_reason, c.note, c.reviewed_by)
        .where(c.year == year)
        .order_by(c.id)  # a later run's rows come later: the last one per firm stands
    ):
        newest[uscc] = (status, reason, note, who)
    dismissed = {u: v[1:] for u, v in newest.items() if v[0] == "dismissed"}
    for row in rows:
        if row["uscc"] in listed:
            row["status"] = "confirmed"
        elif row["uscc"] in dismissed:
            reason, note, who = dismissed[row["uscc"]]
            row.update(status="dismissed", dismiss_reason=reason, note=note, reviewed_by=who)


def _observations(
    s: Any,
    result: RunResult,
    sums: list[dict[str, Any]],
    catalogue: dict[str, Any],
    known_indicators: set[str],
    regions: set[str],
    recorded_by: str,
) -> int:
    """County roll-ups as observations of the catalogue's indicators (none for other ids)."""
    source = observations.Source(
        recorded_by=recorded_by,
        kind="engine",
        name=f"zhuansheng evaluate {result.kind} run={result.run_id}",
        sha256=result.method["sha256"],
        comment=f"{result.method['id']}@{result.method['version']}",
        synthetic=result.synthetic,
    )
    written = 0
    for indicator, per_county in rollups.figures(sums, result.kind).items():
        if indicator not in catalogue or indicator not in known_indicators:
            continue
        for county, (value, num, den) in sorted(per_county.items()):
            if county not in regions:
                continue
            _, added = observations.record(
                s,
                indicator,
                county,
                str(result.year),
                round(value, 6),
                source,
                numerator=num,
                denominator=den,
            )
            written += int(added)
    return written
