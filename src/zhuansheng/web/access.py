"""Who may see and do what — every page and API call asks here, nowhere else.

Scope: a county user's scope is its county; a city user's, the city and its counties; the
provincial office sees everything. Aggregated progress of any region is visible to every
signed-in user when ``all_regions_visible`` is set (rankings are public inside the platform);
enterprise data, the 高耗低效 list and submissions always stay within the scope. Departments
and viewers see aggregates only.
"""

from __future__ import annotations

from functools import cache

from zhuansheng import reference
from zhuansheng.users import Actor

from .settings import WebSettings

PROVINCE = "330000"


class Forbidden(Exception):
    """The signed-in user may not see or do this (HTTP 403)."""

    def __init__(self, message: str = "无权访问：超出您的数据范围或角色权限") -> None:
        super().__init__(message)
        self.message = message


@cache
def _parents() -> dict[str, str | None]:
    return {r.code: r.parent_code for r in reference.regions()}


def _chain(code: str) -> list[str]:
    """The region and the regions above it."""
    out, parents = [], _parents()
    cur: str | None = code
    while cur:
        out.append(cur)
        cur = parents.get(cur)
    return out


def home_region(actor: Actor) -> str:
    return actor.region_code if actor.role in ("city", "county") and actor.region_code else PROVINCE


def in_scope(actor: Actor, region_code: str) -> bool:
    """The region lies inside the user's own area (for enterprise data and submissions)."""
    if actor.is_province:
        return True
    if actor.role in ("city", "county") and actor.region_code:
        return actor.region_code in _chain(region_code)
    return False


def can_see_region(actor: Actor, region_code: str, settings: WebSettings) -> bool:
    if region_code not in _parents():
        return False
    return (
        settings.all_regions_visible
        or actor.role not in ("city", "county")
        or in_scope(actor, region_code)
    )


def can_see_enterprises(actor: Actor) -> bool:
    return actor.is_province or actor.role in ("city", "county")


def can_submit(actor: Actor) -> bool:
    return actor.is_province or actor.role in ("city", "county")


def is_admin(actor: Actor) -> bool:
    return actor.role == "province_admin"


def require(allowed: bool, message: str | None = None) -> None:
    if not allowed:
        raise Forbidden(message) if message else Forbidden()


def scope_filter(actor: Actor) -> str | None:
    """A region code whose subtree limits list rows, or None for no limit."""
    return None if actor.is_province or actor.role not in ("city", "county") else actor.region_code


def region_in(code: str, scope: str | None) -> bool:
    return scope is None or scope in _chain(code)


def can_see_data(actor: Actor, region_code: str) -> bool:
    """Submitted statistics of one region: the region's own users, those above, and the
    read-only provincial roles (departments, viewers)."""
    return in_scope(actor, region_code) or actor.role in ("department", "viewer")


def can_see_report(actor: Actor, region_code: str) -> bool:
    """A generated report: the province-wide ones for every signed-in user; a region's briefing
    for the users whose scope includes the region and the read-only provincial roles. A briefing
    is addressed to that region's government, so ``all_regions_visible`` does not widen this."""
    return region_code == PROVINCE or can_see_data(actor, region_code)


def can_generate_report(actor: Actor, kind: str, region_code: str | None) -> bool:
    """Province roles generate any report; a city user the quarterly briefing of its city or
    one of its counties; a county user its own county's. Departments and viewers generate none
    (``zhuansheng.report`` checks the same again when it writes)."""
    if actor.is_province:
        return True
    if actor.role not in ("city", "county") or kind != "quarterly":
        return False
    return bool(region_code) and region_code != PROVINCE and in_scope(actor, region_code or "")
