"""Submitted statistics as the API lists them: the newest revision of each value, within the
caller's scope, paged; every read is written to the audit log."""

from __future__ import annotations

from typing import Any

from zhuansheng import store
from zhuansheng.periods import parse_period
from zhuansheng.store import observations as obs

from . import audit, regions
from .context import Caller


def latest(
    caller: Caller,
    *,
    region: str | None = None,
    period: str | None = None,
    indicator: str | None = None,
    page: int = 1,
    page_size: int = 200,
) -> tuple[list[dict[str, Any]], int]:
    """One page of the newest revisions, and how many there are."""
    if region is not None:
        regions.region(region)
        caller.require("data.view", region, "无权查看该地区的填报数据")
    # the read-only provincial roles see every region's statistics
    scope = None if caller.actor.role in ("department", "viewer") else caller.scope
    codes = [region] if region else (regions.subtree(scope) if scope else None)
    code = parse_period(period).code if period else None
    with store.session(caller.ws.database_url) as s:
        rows, total = obs.latest_revisions(
            s,
            regions=codes,
            period=code,
            indicator=indicator,
            offset=(page - 1) * page_size,
            limit=page_size,
        )
        items = [
            {
                "indicator": x.indicator_id,
                "region": x.region_code,
                "period": x.period,
                "value": x.value,
                "numerator": x.numerator,
                "denominator": x.denominator,
                "revision": x.revision,
                "recorded_at": x.recorded_at,
                "recorded_by": x.recorded_by,
                "source_kind": x.source_kind,
                "source_name": x.source_name,
                "source_cell": x.source_cell,
                "synthetic": x.synthetic,
            }
            for x in rows
        ]
    audit.record(
        caller,
        "export.api.observations",
        "observations",
        region or "",
        period=period or "",
        indicator=indicator or "",
        rows=len(items),
    )
    return items, total
