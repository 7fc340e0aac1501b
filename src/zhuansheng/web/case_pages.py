"""The 高耗低效 rectification cases in the web pages: a county's review of its screening
candidates (bulk confirm or dismiss, adding a firm the rules did not flag; the level above
reopens a dismissal), a region's case board, and one case with the forms of exactly the actions
its reader may take now. Handlers parse and render; ``services.cases`` and
``services.case_views`` check and do the rest.

Every form works without JavaScript (a refusal renders the page again with its message and its
status, a success redirects); with HTMX the review table and the case are swapped in place, and
their containers take 4xx answers too (``data-swap-errors``), so no refusal goes unseen."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Form, Path, Query, Request
from fastapi.responses import FileResponse, RedirectResponse, Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile as StarletteUpload

from zhuansheng.errors import Invalid, ZhuanshengError
from zhuansheng.services import case_views, cases, labels, regions

from .deps import Ctx, page_ctx
from .files import saved_uploads
from .pages import render

router = APIRouter(include_in_schema=False)
Page = Annotated[Ctx, Depends(page_ctx)]
MAX_ID = 2**31 - 1  # ids beyond the store's integers are refused before reaching it
YEAR = r"^(\d{4})?$"  # a year, or blank for every year (a filter form's empty field)
CaseId = Annotated[int, Path(ge=1, le=MAX_ID)]
CandidateId = Annotated[int, Path(ge=1, le=MAX_ID)]
Version = Annotated[int, Form(ge=0, le=MAX_ID)]
Text = Annotated[str, Form(max_length=2000)]
Figure = Annotated[str, Form(max_length=40)]
PageNo = Annotated[int, Query(ge=1, le=100_000)]
DONE = ("confirm", *cases.PERMISSIONS)  # the actions a case page reports as just done


def _htmx(request: Request) -> bool:
    return bool(request.headers.get("hx-request"))


def _page_or_part(
    request: Request, ctx: Ctx, part: str, page: str, status: int, **data: Any
) -> Response:
    """The whole page, or for HTMX the part of it the form replaces."""
    return render(request, ctx, part if _htmx(request) else page, status=status, **data)


def _year(text: str) -> int | None:
    return int(text) if text else None


def _figure(text: str, what: str) -> float | None:
    """A number typed into a form (blank: None)."""
    text = text.strip()
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise Invalid(f"{what}应为数字（填写的是“{text}”）")
    return value


def _required(text: str, what: str) -> float:
    value = _figure(text, what)
    if value is None:
        raise Invalid(f"请填写{what}")
    return value


# --- screening candidates: the county's review ---------------------------------------------


class ReviewFilter(BaseModel):
    """The review page's filters; the POSTs carry them in their URL so that the page they
    render again shows the same rows."""

    year: str = Field("", pattern=YEAR)
    region: str = Field("", max_length=12)
    state: str = Field("", max_length=20)
    rule: str = Field("", max_length=60)
    mujun_class: str = Field("", max_length=2)
    carbon_grade: str = Field("", pattern=r"^[1-5]?$")

    def args(self) -> dict[str, Any]:
        return {
            **self.model_dump(),
            "year": _year(self.year),
            "carbon_grade": int(self.carbon_grade) if self.carbon_grade else None,
        }


Filters = Annotated[ReviewFilter, Query()]


def _review(
    request: Request, ctx: Ctx, f: ReviewFilter, status: int = 200, **outcome: Any
) -> Response:
    """The review page (or, for HTMX, its table with what was just done)."""
    data = case_views.review(ctx.caller, **f.args())
    return _page_or_part(
        request,
        ctx,
        "_case_review.html",
        "case_candidates.html",
        status,
        f=f,
        region_name=regions.name,
        **data,
        **outcome,
    )


@router.get("/cases/candidates")
def candidates_page(request: Request, ctx: Page, f: Filters) -> Response:
    return _review(request, ctx, f)


@router.post("/cases/candidates")
def candidates_bulk(
    request: Request,
    ctx: Page,
    f: Filters,
    action: Annotated[Literal["confirm", "dismiss"], Form()],
    candidate: Annotated[list[int] | None, Form()] = None,
    measure: Annotated[str, Form(max_length=20)] = "",
    note: Text = "",
    reason: Annotated[str, Form(max_length=20)] = "",
    text: Text = "",
) -> Response:
    """Confirm or dismiss every ticked candidate; the page reports each row."""
    try:
        done = case_views.bulk(
            ctx.caller,
            action,
            candidate or [],
            measure=measure,
            note=note,
            reason=reason,
            text=text,
        )
    except ZhuanshengError as exc:
        return _review(request, ctx, f, exc.status, error=str(exc))
    return _review(request, ctx, f, results=done)


@router.post("/cases/candidates/{candidate_id}/reopen")
def candidate_reopen(
    request: Request, ctx: Page, f: Filters, candidate_id: CandidateId, reason: Text = ""
) -> Response:
    """The level above puts a dismissed candidate back for its county's review."""
    try:
        row = cases.reopen_dismissal(ctx.caller, candidate_id, reason)
    except ZhuanshengError as exc:
        return _review(request, ctx, f, exc.status, error=str(exc))
    return _review(request, ctx, f, reopened=row)


@router.post("/cases/add")
def case_add(
    request: Request,
    ctx: Page,
    f: Filters,
    uscc: Annotated[str, Form(max_length=18)],
    year: Annotated[int, Form(ge=2000, le=2100)],
    measure: Annotated[str, Form(max_length=20)],
    reason: Text = "",
) -> Response:
    """A county lists a firm the screening did not flag; its new case opens."""
    try:
        case = cases.add(ctx.caller, uscc.strip(), year, measure, reason)
    except ZhuanshengError as exc:
        added = {"uscc": uscc, "year": year, "measure": measure, "reason": reason}
        return _review(request, ctx, f, exc.status, add_error=str(exc), added=added)
    # the new case's first event is its listing, as for a confirmed candidate
    return RedirectResponse(f"/cases/{case['case_id']}?done=confirm", status_code=303)


# --- a region's board ----------------------------------------------------------------------


@router.get("/cases")
def case_board(
    request: Request,
    ctx: Page,
    region: Annotated[str, Query(max_length=12)] = "",
    year: Annotated[str, Query(pattern=YEAR)] = "",
    state: Annotated[str, Query(max_length=20)] = "",
    overdue: bool = False,
    still_poor: bool = False,
    page: PageNo = 1,
    opage: PageNo = 1,
) -> Response:
    data = case_views.board_page(
        ctx.caller,
        region=region,
        year=_year(year),
        state=state,
        overdue=overdue,
        still_poor=still_poor,
        page=page,
        outcome_page=opage,
    )
    return render(
        request,
        ctx,
        "case_board.html",
        year=year,
        state=state,
        overdue=overdue,
        still_poor=still_poor,
        region_of=regions.name,
        **data,
    )


# --- one case ------------------------------------------------------------------------------


@router.get("/cases/evidence/{evidence_id}")
def evidence_download(ctx: Page, evidence_id: Annotated[int, Path(ge=1, le=MAX_ID)]) -> Response:
    path, name = cases.evidence_file(ctx.caller, evidence_id)
    return FileResponse(path, filename=name)


def _case(request: Request, ctx: Ctx, case_id: int, status: int = 200, **outcome: Any) -> Response:
    """The case page (or, for HTMX, the case itself) with what was just done or refused."""
    case = cases.show(ctx.caller, case_id)
    return _page_or_part(
        request,
        ctx,
        "_case_body.html",
        "case.html",
        status,
        case=case,
        region_name=regions.name(case["region"]),
        measures=labels.codes("case_measure"),
        suffixes=cases.EVIDENCE_SUFFIXES,
        **{"failed": "", "form": {}, **outcome},
    )


@router.get("/cases/{case_id}")
def case_page(request: Request, ctx: Page, case_id: CaseId, done: str = "") -> Response:
    # ?done= names what was just done (after a redirect); anything else is not shown
    return _case(request, ctx, case_id, done=done if done in DONE else "")


def _act(
    request: Request,
    ctx: Ctx,
    case_id: int,
    action: str,
    form: dict[str, Any],
    call: Callable[[], object],
) -> Response:
    """Run one action of the case; a refusal shows the case again with its message, its status
    and what was typed; a success redirects (or, for HTMX, shows the case as it now is)."""
    try:
        call()
    except ZhuanshengError as exc:
        return _case(request, ctx, case_id, exc.status, error=str(exc), failed=action, form=form)
    if _htmx(request):
        return _case(request, ctx, case_id, done=action)
    return RedirectResponse(f"/cases/{case_id}?done={action}", status_code=303)


@router.post("/cases/{case_id}/plan")
def case_plan(
    request: Request,
    ctx: Page,
    case_id: CaseId,
    version: Version,
    measure: Annotated[str, Form(max_length=20)] = "",
    responsible: Annotated[str, Form(max_length=200)] = "",
    actions: Annotated[str, Form(max_length=20_000)] = "",
    land: Figure = "",
    energy: Figure = "",
    tax: Figure = "",
) -> Response:
    def plan() -> object:
        p = cases.PlanInput(
            measure=measure,
            responsible=responsible,
            # one action a line: 内容@YYYY-MM-DD
            actions=[cases.parse_action(a) for a in actions.splitlines() if a.strip()],
            expected_land_mu=_figure(land, "预计腾出用地（亩）"),
            expected_energy_tce=_figure(energy, "预计腾出用能（吨标准煤）"),
            expected_tax_per_mu=_figure(tax, "预计整治后亩均税收（万元/亩）"),
        )
        return cases.plan(ctx.caller, case_id, version, p)

    typed = {
        "measure": measure,
        "responsible": responsible,
        "actions": actions,
        "land": land,
        "energy": energy,
        "tax": tax,
    }
    return _act(request, ctx, case_id, "plan", typed, plan)


@router.post("/cases/{case_id}/update")
async def case_update(
    request: Request,
    ctx: Page,
    case_id: CaseId,
    version: Version,
    progress: Text = "",
) -> Response:
    # the evidence files from the parsed form: an empty file field comes as an empty string
    # from HTMX (as a nameless file from a plain form), which a typed parameter would refuse
    form = await request.form()
    files = [f for f in form.getlist("evidence") if isinstance(f, StarletteUpload)]
    async with saved_uploads(ctx, files) as saved:
        return await run_in_threadpool(
            _act,
            request,
            ctx,
            case_id,
            "update",
            {"progress": progress},
            lambda: cases.update(ctx.caller, case_id, version, progress, evidence=saved),
        )


@router.post("/cases/{case_id}/complete")
def case_complete(
    request: Request,
    ctx: Page,
    case_id: CaseId,
    version: Version,
    land: Figure = "",
    energy: Figure = "",
    land_use: Annotated[str, Form(max_length=500)] = "",
    note: Text = "",
) -> Response:
    def complete() -> object:
        land_mu = _required(land, "实际腾出用地（亩）")
        energy_tce = _required(energy, "实际腾出用能（吨标准煤）")
        return cases.complete(
            ctx.caller, case_id, version, land_mu, energy_tce, note, land_use=land_use
        )

    typed = {"land": land, "energy": energy, "land_use": land_use, "note": note}
    return _act(request, ctx, case_id, "complete", typed, complete)


@router.post("/cases/{case_id}/verify")
def case_verify(
    request: Request,
    ctx: Page,
    case_id: CaseId,
    version: Version,
    result: Annotated[str, Form(max_length=4)] = "",
    reason: Text = "",
) -> Response:
    def verify() -> object:
        if result not in ("pass", "fail"):
            raise Invalid("请选择验收结果：通过或不通过")
        return cases.verify(ctx.caller, case_id, version, result == "pass", reason)

    return _act(request, ctx, case_id, "verify", {"result": result, "reason": reason}, verify)


@router.post("/cases/{case_id}/reopen")
def case_reopen(
    request: Request, ctx: Page, case_id: CaseId, version: Version, reason: Text = ""
) -> Response:
    return _act(
        request,
        ctx,
        case_id,
        "reopen",
        {"reason": reason},
        lambda: cases.reopen(ctx.caller, case_id, version, reason),
    )
