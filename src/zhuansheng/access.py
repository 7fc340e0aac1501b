"""Who may see and do what: the actor, its role and its scope, and one answer to "may this actor
do this action here" that the CLI, the web pages, the REST API, collection and reports all ask.

Scope: a county user's scope is its county; a city user's, the city and its counties; the
provincial office sees everything. Aggregated progress of any region is visible to every
signed-in user when ``all_regions_visible`` is set (rankings are public inside the platform);
enterprise data, the 高耗低效 list and submissions always stay within the scope. Departments and
viewers see aggregates and submitted statistics only.

Actions (``may(actor, action, region, ...)``; docs/*/architecture.md has the table):

- ``progress.view``: a region's aggregated progress (map, rankings, region pages);
- ``data.view``: a region's submitted statistics and their workflow;
- ``enterprises.view``: enterprise data, evaluation results, the 高耗低效 list;
- ``template.download``, ``observations.import``: a region's template; writing its statistics
  (its own users, the city for its counties (代报), the province);
- ``submission.view``, ``submission.board``, ``submission.upload``: the submissions page, the
  reporting board of the counties, uploading at all;
- ``submission.act``, ``submission.<step>``: taking part in a region's workflow at all; one step
  (submit, return, approve, accept, unlock);
- ``report.view``, ``report.generate``: a generated report of a region; generating one (``kind``);
- ``registers.import``: registries and project registers (the province; city and county users
  the rows of their own area);
- ``projects.view``: a major project of a region (its own users and those above it;
  departments and viewers);
- ``allocations.view``: a region's allocated targets (分解下达): the provincial roles every
  region, a city its own and its counties', a county its own;
- ``allocations.import``: setting allocations, for a region or (without one) at all: the
  province every city and county, a city its own counties; counties never.
- ``audit.view``: the audit log (the provincial administrator);
- ``milestone.view``: milestone reports and the responsible-unit pages (everyone signed in);
- ``milestone.report``: reporting progress on a milestone target (a department account bound to
  one of the target's lead or co-units, ``units=``; ``units=None``: reporting at all);
- ``milestone.review``: accepting or returning a milestone report (the province);
- ``cases.view``: the 高耗低效 cases and screening candidates of a region (its own users and those
  above it; without a region: seeing cases at all);
- ``cases.edit``: confirming, dismissing or adding a firm, planning, reporting progress and
  completing a case (the county's own users only);
- ``cases.verify``: verifying (验收) a completed case (the city over its counties);
- ``cases.reopen``: reopening a dismissal or a completed or verified case (the level above: the
  city for its counties, the province for every county).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from zhuansheng import reference
from zhuansheng.errors import Forbidden

PROVINCE = reference.PROVINCE_CODE
REGIONAL_ROLES = ("city", "county")
READ_ONLY_ROLES = ("department", "viewer")


@dataclass(frozen=True)
class Actor:
    """Who is acting, as every check sees it."""

    username: str
    role: str
    region_code: str | None
    units: tuple[str, ...] = ()  # the responsible units a department account speaks for

    @property
    def is_province(self) -> bool:
        return self.role in ("province_admin", "province_analyst")

    @property
    def is_regional(self) -> bool:
        return self.role in REGIONAL_ROLES and bool(self.region_code)


@cache
def _parents() -> dict[str, str | None]:
    return {r.code: r.parent_code for r in reference.regions()}


def parent(code: str) -> str | None:
    return _parents().get(code)


def known_region(code: str) -> bool:
    return code in _parents()


def chain(code: str) -> list[str]:
    """The region and the regions above it."""
    out, parents = [], _parents()
    cur: str | None = code
    while cur:
        out.append(cur)
        cur = parents.get(cur)
    return out


def home_region(actor: Actor) -> str:
    return actor.region_code if actor.is_regional and actor.region_code else PROVINCE


def in_scope(actor: Actor, region_code: str) -> bool:
    """The region lies inside the actor's own area."""
    if actor.is_province:
        return True
    return actor.is_regional and actor.region_code in chain(region_code)


def scope_root(actor: Actor) -> str | None:
    """A region code whose subtree limits what the actor sees in lists, or None for no limit."""
    return actor.region_code if actor.is_regional else None


def region_in(code: str, root: str | None) -> bool:
    """``code`` lies in the subtree of ``root`` (None or the province: everywhere)."""
    return root is None or root == PROVINCE or root in chain(code)


def _own(actor: Actor, region_code: str) -> bool:
    return actor.is_province or (actor.is_regional and actor.region_code == region_code)


def _above(actor: Actor, region_code: str) -> bool:
    """The level above a region: its city for a county, or the province."""
    if actor.is_province:
        return True
    return actor.role == "city" and _parents().get(region_code) == actor.region_code


def _submission_step(actor: Actor, step: str, region: str, status: str | None) -> bool:
    if step == "submit":
        return _own(actor, region)
    if step in ("return", "approve"):
        return _above(actor, region)
    if step == "accept":
        return actor.is_province
    if step == "unlock":
        return actor.is_province or (status == "approved" and _above(actor, region))
    return False


def may(
    actor: Actor,
    action: str,
    region: str | None = None,
    *,
    kind: str | None = None,
    status: str | None = None,
    all_regions_visible: bool = True,
    units: Sequence[str] | None = (),
) -> bool:
    """May ``actor`` take ``action`` (see the module's table) on ``region``?

    ``kind`` is the report kind for ``report.generate``, ``status`` a submission's current
    status for ``submission.unlock``; ``all_regions_visible`` widens ``progress.view``;
    ``units`` are a target's lead and co-units for ``milestone.report``."""
    code = region or PROVINCE
    if action == "progress.view":
        return known_region(code) and (
            all_regions_visible or not actor.is_regional or in_scope(actor, code)
        )
    if action == "data.view":
        return in_scope(actor, code) or actor.role in READ_ONLY_ROLES
    if action == "enterprises.view":
        return (actor.is_province or actor.is_regional) and (
            region is None or in_scope(actor, code)
        )
    if action in ("template.download", "submission.act", "observations.import"):
        return (actor.is_province or actor.is_regional) and in_scope(actor, code)
    if action == "submission.view":
        return actor.is_province or actor.is_regional or actor.role in READ_ONLY_ROLES
    if action == "submission.board":
        return actor.is_province or actor.role == "city"
    if action == "submission.upload":
        return actor.is_province or actor.is_regional
    if action.startswith("submission."):
        return _submission_step(actor, action.removeprefix("submission."), code, status)
    if action == "report.view":
        # A briefing is addressed to its region's government: all_regions_visible does not
        # widen this; province-wide reports are for everyone signed in.
        return code == PROVINCE or in_scope(actor, code) or actor.role in READ_ONLY_ROLES
    if action == "report.generate":
        if actor.is_province:
            return True
        return (
            kind == "quarterly" and code != PROVINCE and actor.is_regional and in_scope(actor, code)
        )
    if action == "registers.import":
        return actor.is_province or actor.is_regional
    if action == "projects.view":
        return in_scope(actor, code) or actor.role in READ_ONLY_ROLES
    if action == "allocations.view":
        return actor.is_province or actor.role in READ_ONLY_ROLES or in_scope(actor, code)
    if action == "allocations.import":
        if region is None:
            return actor.is_province or (actor.role == "city" and actor.is_regional)
        return code != PROVINCE and known_region(code) and _above(actor, code)
    if action == "audit.view":
        return actor.role == "province_admin"
    if action == "milestone.view":
        return True
    if action == "milestone.report":
        # units None: may this account report on any milestone at all (a bound department)
        wanted = actor.units if units is None else units
        return actor.role == "department" and bool(set(actor.units) & set(wanted))
    if action == "milestone.review":
        return actor.is_province
    if action == "cases.view":
        return (actor.is_province or actor.is_regional) and (
            region is None or in_scope(actor, code)
        )
    if action == "cases.edit":
        return actor.role == "county" and actor.is_regional and actor.region_code == code
    if action == "cases.verify":
        return actor.role == "city" and actor.is_regional and parent(code) == actor.region_code
    if action == "cases.reopen":
        return code != PROVINCE and known_region(code) and _above(actor, code)
    raise ValueError(f"unknown action {action!r}")


def require(
    actor: Actor,
    action: str,
    region: str | None = None,
    message: str = "",
    **context: object,
) -> None:
    """``may(...)`` or ``Forbidden`` with ``message`` (a default one when empty)."""
    if not may(actor, action, region, **context):  # type: ignore[arg-type]
        raise Forbidden(message)
