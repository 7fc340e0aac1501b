"""What the 高耗低效 case pages show, gathered from ``services.cases``: a county's review of its
screening candidates (each row with the actions the caller may take on it, and a bulk confirm or
dismiss done row by row and reported row by row), and a region's board with its case and
outcome lists. Who may do what stays in ``zhuansheng.access`` and the rules in
``services.cases``; this module only asks them and puts the answers together."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from zhuansheng.errors import Invalid, ZhuanshengError

from . import cases, labels, regions
from .context import Caller

# screening candidate action -> (the permission it needs, the state it starts from)
CANDIDATE_ACTIONS = {
    "confirm": ("cases.edit", "candidate"),
    "dismiss": ("cases.edit", "candidate"),
    "reopen_dismissal": ("cases.reopen", "dismissed"),
}
BULK_ACTIONS = ("confirm", "dismiss")
MUJUN_CLASSES = ("A", "B", "C", "D")
CARBON_GRADES = (1, 2, 3, 4, 5)
PAGE_SIZE = 50
LEVELS = ("province", "city", "county")


def region_choices(caller: Caller) -> list[tuple[str, str, str]]:
    """(code, name, level) of every region whose cases the caller may see."""
    return [
        (code, r.name_zh, r.level)
        for code, r in regions.by_code().items()
        if r.level in LEVELS and caller.may("cases.view", code)
    ]


def candidate_may(caller: Caller, row: dict[str, Any]) -> list[str]:
    """The actions on a candidate (a row of ``cases.list_candidates``) the caller may take now."""
    return [
        action
        for action, (permission, state) in CANDIDATE_ACTIONS.items()
        if row["state"] == state and caller.may(permission, row["region"])
    ]


def may_add(caller: Caller) -> bool:
    """The caller may list a firm the screening did not flag (a county, in its own county)."""
    return caller.may("cases.edit", caller.home)


def review(caller: Caller, **filters: Any) -> dict[str, Any]:
    """The screening candidates for review (``filters``: those of ``cases.list_candidates``),
    each with ``may``, and the choices of the page."""
    rows = cases.list_candidates(caller, **filters)
    for row in rows:
        row["may"] = candidate_may(caller, row)
    return {
        "rows": rows,
        "may_review": any(set(BULK_ACTIONS) & set(r["may"]) for r in rows),
        "may_add": may_add(caller),
        "rules": labels.codes("screen_rule"),
        "states": labels.codes("screen_status"),
        "measures": labels.codes("case_measure"),
        "dismiss_reasons": labels.codes("dismiss_reason"),
        "mujun_classes": MUJUN_CLASSES,
        "carbon_grades": CARBON_GRADES,
        "region_choices": region_choices(caller),
    }


def bulk(
    caller: Caller,
    action: str,
    candidate_ids: Sequence[int],
    *,
    measure: str = "",
    note: str = "",
    reason: str = "",
    text: str = "",
) -> list[dict[str, Any]]:
    """Confirm (with ``measure``) or dismiss (with ``reason`` and ``text``) each ticked candidate
    through ``services.cases``, one at a time: each row says what happened to it, a refusal
    naming the firm and why (the rows before it stay done)."""
    if action not in BULK_ACTIONS:
        raise Invalid(f"未知的操作 '{action}'：可选 确认列入（confirm）、排除（dismiss）")
    if not candidate_ids:
        raise Invalid("请先勾选要确认列入或排除的企业")
    # names of the candidates the caller may see; another's is named by its number only
    names = {r["candidate_id"]: r["name"] for r in cases.list_candidates(caller)}
    out = []
    for candidate_id in dict.fromkeys(candidate_ids):
        row: dict[str, Any] = {
            "candidate_id": candidate_id,
            "name": names.get(candidate_id, f"候选企业 {candidate_id}"),
            "action": action,
        }
        try:
            if action == "confirm":
                row["case_id"] = cases.confirm(caller, candidate_id, measure, note)["case_id"]
            else:
                cases.dismiss(caller, candidate_id, reason, text)
        except ZhuanshengError as exc:
            row["error"] = str(exc)
        out.append(row)
    return out


def paged(rows: list[dict[str, Any]], page: int, size: int = PAGE_SIZE) -> dict[str, Any]:
    """One page of ``rows`` (1-based, clamped to the pages there are)."""
    pages = max(1, -(-len(rows) // size))
    page = min(max(page, 1), pages)
    return {
        "items": rows[(page - 1) * size : page * size],
        "total": len(rows),
        "page": page,
        "pages": pages,
    }


def board_page(
    caller: Caller,
    *,
    region: str = "",
    year: int | None = None,
    state: str = "",
    overdue: bool = False,
    still_poor: bool = False,
    page: int = 1,
    outcome_page: int = 1,
) -> dict[str, Any]:
    """A region's board (``cases.board``), its cases (by ``state``, overdue only) and the
    outcomes of its verified cases (the firms still class D or grade 5 first), a page of each."""
    board, found, outcomes = cases.region_view(caller, region=region, year=year, state=state)
    region = board["region"]
    if overdue:
        found = [r for r in found if r["overdue"]]
    if still_poor:
        outcomes = [r for r in outcomes if r["still_poor"]]
    outcomes.sort(key=lambda r: not r["still_poor"])
    return {
        "board": board,
        "region": region,
        "region_name": regions.name(region),
        "level": regions.region(region).level,
        "cases": paged(found, page),
        "outcomes": paged(outcomes, outcome_page),
        "states": list(cases.core.STATES),
        "region_choices": region_choices(caller),
    }
