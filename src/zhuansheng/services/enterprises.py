"""Enterprises as the pages and the API show them: search by USCC or name within the caller's
scope, and one firm's profile (yearly facts, 亩均效益, 碳效码, screening, rectification)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, func, or_, select

from zhuansheng import store
from zhuansheng.collect import cases as case_rules
from zhuansheng.errors import NotFound
from zhuansheng.store import tables as t

from . import audit, evaluations, regions
from .context import Caller


def _search(caller: Caller, q: str) -> Select[tuple[t.Enterprise]]:
    e = t.Enterprise
    # autoescape: "%" and "_" in the query are characters, not wildcards
    query = select(e).where(
        or_(e.uscc.contains(q, autoescape=True), e.name.contains(q, autoescape=True))
    )
    if caller.scope:
        query = query.where(e.county_code.in_(regions.subtree(caller.scope)))
    return query.order_by(e.uscc)


def _row(x: t.Enterprise) -> dict[str, Any]:
    return {
        "uscc": x.uscc,
        "name": x.name,
        "county_code": x.county_code,
        "county_name": regions.name(x.county_code),
        "industry_code": x.industry_code,
        "scale": x.scale,
        "synthetic": x.synthetic,
    }


def search(
    caller: Caller, q: str, *, page: int = 1, page_size: int = 100
) -> tuple[list[dict[str, Any]], int]:
    """Enterprises whose USCC or name contains ``q``, in the caller's scope, by USCC; and how
    many match."""
    caller.require("enterprises.view")
    q = q.strip()
    if not q:
        return [], 0
    query = _search(caller, q)
    with store.session(caller.ws.database_url) as s:
        total = s.scalar(select(func.count()).select_from(query.subquery())) or 0
        rows = s.scalars(query.offset((page - 1) * page_size).limit(page_size))
        return [_row(x) for x in rows], int(total)


def _case(c: t.Case) -> dict[str, Any]:
    """One of the firm's rectification cases with its timeline (``status`` as stored, ``state``
    and ``measure`` as the case pages name them)."""
    return {
        "case_id": c.id,
        "year": c.year,
        "status": c.status,
        "state": case_rules.state_of(c),
        "measure": c.measure or c.outcome,
        "outcome": c.outcome,
        "reason": c.reason,
        "plan": c.plan,
        "opened_on": c.opened_on,
        "closed_on": c.closed_on,
        "events": [
            {
                "at": e.at,
                "from": e.from_status,
                "to": e.to_status,
                "action": e.action,
                "actor": e.actor,
                "note": e.note,
            }
            for e in c.events
        ],
    }


def profile(caller: Caller, uscc: str, *, audited: bool = False) -> dict[str, Any]:
    """Everything shown about one enterprise; ``NotFound`` when unknown, ``Forbidden`` outside
    the scope. ``audited``: the read is written to the audit log (API reads of enterprise data)."""
    caller.require("enterprises.view")
    with store.session(caller.ws.database_url) as s:
        ent = s.get(t.Enterprise, uscc)
        if ent is None:
            raise NotFound(f"没有统一社会信用代码为 '{uscc}' 的企业")
        caller.require("enterprises.view", ent.county_code, "无权查看该企业：不在您的管辖范围内")
        candidates = list(
            s.scalars(select(t.ScreeningCandidate).where(t.ScreeningCandidate.uscc == uscc))
        )
        cases = list(s.scalars(select(t.Case).where(t.Case.uscc == uscc).order_by(t.Case.year)))
        out = {
            "enterprise": _row(ent),
            "facts": evaluations.enterprise_facts(uscc),
            "mujun": evaluations.enterprise_result(s, "mujun", uscc),
            "carbon": evaluations.enterprise_result(s, "carbon", uscc),
            "screening": [
                {
                    "run_id": c.run_id,
                    "year": c.year,
                    "rules": c.rules,
                    "status": c.status,
                    "freed_land_mu": c.freed_land_mu,
                    "freed_energy_tce": c.freed_energy_tce,
                }
                for c in candidates
            ],
            "cases": [_case(c) for c in cases],
        }
    if audited:
        audit.record(caller, "export.api.enterprise", "enterprise", uscc)
    return out
