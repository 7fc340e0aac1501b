"""One region as its page shows it: progress by engineering area, the targets allocated to it,
its submissions, its firms' 亩均 and 碳效 classes, and its 高耗低效 cases."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from zhuansheng import store
from zhuansheng.store import tables as t

from . import evaluations, monitoring, regions
from .context import Caller


def detail(caller: Caller, code: str, period: str | None) -> dict[str, Any]:
    reg = regions.region(code)
    caller.require("progress.view", code)
    period = monitoring.period_or_latest(caller.ws, period)
    m = caller.analysis(period)
    year = m.analysis.year
    county_codes = regions.subtree(code)
    with store.session(caller.ws.database_url) as s:
        allocations = s.execute(
            select(
                t.Target.target_id,
                t.Target.name_zh,
                t.Allocation.value,
                t.Target.unit,
                t.Allocation.synthetic,
            )
            .join(t.Target, t.Target.id == t.Allocation.target_pk)
            .where(t.Allocation.region_code == code, t.Target.year == year)
            .order_by(t.Target.id)
        ).all()
        subs = []
        if caller.may("data.view", code):
            q = select(t.Submission).where(t.Submission.period.like(f"{year}-%"))
            if reg.level == "county":
                q = q.where(t.Submission.region_code == code)
            else:
                members = [r.code for r in regions.children(code)] if reg.level == "city" else []
                q = q.where(t.Submission.region_code.in_(members))
            subs = list(s.scalars(q.order_by(t.Submission.period.desc(), t.Submission.region_code)))
        mujun = evaluations.class_distribution(s, code, "mujun", "mujun_class")
        carbon = evaluations.class_distribution(s, code, "carbon", "carbon_grade")
        fallbacks = {k: evaluations.latest_fallbacks(s, k) for k in ("mujun", "carbon")}
        case_counts = dict(
            s.execute(
                select(t.Case.status, func.count())
                .where(t.Case.county_code.in_(county_codes))
                .group_by(t.Case.status)
            ).all()
        )
        cases: list[Any] = []
        if caller.may("enterprises.view", code):
            cases = list(
                s.execute(
                    select(t.Case, t.Enterprise.name)
                    .join(t.Enterprise, t.Enterprise.uscc == t.Case.uscc)
                    .where(t.Case.county_code.in_(county_codes))
                    .order_by(t.Case.opened_on.desc())
                    .limit(30)
                ).all()
            )
    return {
        "period": period,
        "periods": monitoring.months(period),
        "region": reg,
        "groups": monitoring.grouped_rows(m, code),
        "allocations": allocations,
        "subs": subs,
        "mujun": mujun,
        "carbon": carbon,
        "evaluation_fallbacks": fallbacks,
        "case_counts": case_counts,
        "cases": cases,
        "children": regions.children(code),
        "label": m.period.label_zh,
    }
