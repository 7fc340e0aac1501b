"""Milestone progress reports (工作任务进展) in the web app: the report form of a department
user, the province's review, the responsible-unit pages (``/units``), and the REST API
(``/api/v1/milestones``). Handlers parse and render; ``services.milestones`` does the rest."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, File, Form, Path, Query, Request, UploadFile
from fastapi.responses import FileResponse, RedirectResponse, Response
from pydantic import BaseModel, Field, ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile as StarletteUpload

from zhuansheng.errors import Invalid
from zhuansheng.services import milestones

from . import schemas
from .deps import Ctx, api_ctx, page_ctx
from .files import saved_uploads
from .pages import render

pages = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api/v1", tags=["v1"], responses=schemas.errors(400, 401, 403, 404, 422))
Page = Annotated[Ctx, Depends(page_ctx)]
Api = Annotated[Ctx, Depends(api_ctx)]
Year = Annotated[int | None, Query(ge=2000, le=2100, description="年度（默认最新工作要点）")]
ReportId = Annotated[int, Path(ge=1, le=milestones.MAX_ID, description="进展报告编号")]
StatusName = Literal["not_started", "in_progress", "completed", "delayed"]


async def _report(
    ctx: Ctx, target: str, period: str, status: str, text: str, uploads: list[StarletteUpload]
) -> dict[str, Any]:
    async with saved_uploads(ctx, uploads) as saved:
        return await run_in_threadpool(
            milestones.report, ctx.caller, target, period, status, text, saved
        )


# --- pages -------------------------------------------------------------------------------


@pages.get("/milestones")
def milestones_page(
    request: Request,
    ctx: Page,
    year: Year = None,
    unit: str | None = None,
    status: str | None = None,
    done: int | None = None,
) -> Response:
    """A department user's form (its items) and everyone's list; the province reviews here."""
    chosen = milestones.check_year(year)
    form = milestones.my_items(ctx.caller, chosen) if ctx.actor.role == "department" else None
    rows = milestones.listing(ctx.caller, chosen, unit or None, status or None)
    return render(
        request,
        ctx,
        "milestones.html",
        year=chosen,
        form=form,
        rows=rows,
        unit=unit or "",
        status_filter=status or "",
        done=done,
        statuses=milestones.STATUSES,
        review=milestones.REVIEW,
        may_review=ctx.caller.may("milestone.review"),
    )


@pages.post("/milestones")
async def milestones_post(
    ctx: Page,
    target: Annotated[str, Form()],
    period: Annotated[str, Form()],
    status: Annotated[str, Form()],
    text: Annotated[str, Form()] = "",
    evidence: Annotated[list[UploadFile] | None, File()] = None,
) -> Response:
    r = await _report(ctx, target, period, status, text, evidence or [])
    year = r["year"]
    return RedirectResponse(f"/milestones?year={year}&done={r['id']}", status_code=303)


@pages.post("/milestones/{report_id}/{action}")
def milestones_review(
    ctx: Page,
    report_id: ReportId,
    action: Literal["accept", "return"],
    reason: Annotated[str, Form()] = "",
) -> Response:
    r = milestones.review(ctx.caller, report_id, action, reason)
    return RedirectResponse(f"/milestones?year={r['year']}&done={r['id']}", status_code=303)


@pages.get("/milestones/evidence/{evidence_id}")
def evidence_download(
    ctx: Page, evidence_id: Annotated[int, Path(ge=1, le=milestones.MAX_ID)]
) -> Response:
    path, name = milestones.evidence_file(ctx.caller, evidence_id)
    return FileResponse(path, filename=name)


@pages.get("/units")
def units_page(
    request: Request, ctx: Page, year: Year = None, period: str | None = None
) -> Response:
    view = milestones.units_overview(ctx.caller, milestones.check_year(year), period=period)
    return render(request, ctx, "units.html", **view)


@pages.get("/units/{unit}")
def unit_page(
    request: Request, ctx: Page, unit: str, year: Year = None, period: str | None = None
) -> Response:
    view = milestones.unit_detail(ctx.caller, unit, milestones.check_year(year), period=period)
    return render(request, ctx, "unit.html", statuses=milestones.STATUSES, **view)


# --- REST API ----------------------------------------------------------------------------


class MilestoneIn(BaseModel):
    target: str = Field(max_length=60, description="目标代码（工作任务类目标）")
    period: str = Field(
        max_length=7,
        pattern=schemas.PERIOD_PATTERN,
        description="月 2023-03 或季 2023Q1",
        json_schema_extra={"examples": ["2023-03"]},
    )
    status: StatusName = Field(description="未启动、推进中、已完成、滞后")
    text: str = Field("", max_length=milestones.MAX_NARRATIVE, description="进展情况")


def _body(data: Any) -> MilestoneIn:
    try:
        return MilestoneIn.model_validate(data)
    except ValidationError as exc:
        where = "；".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise Invalid(f"请求内容有误：{where}（应有 target、period、status，可选 text）") from None


@api.post(
    "/milestones",
    status_code=201,
    summary="报送工作任务进展（JSON 或表单；multipart 可附佐证文件 evidence）",
    response_model=schemas.MilestoneReportOut,
    openapi_extra={
        "requestBody": {
            "content": {
                "application/json": {"schema": MilestoneIn.model_json_schema()},
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "required": ["target", "period", "status"],
                        "properties": {
                            "target": {"type": "string"},
                            "period": {"type": "string", **schemas.PERIOD_SCHEMA},
                            "status": {"type": "string", "enum": list(milestones.STATUSES)},
                            "text": {"type": "string"},
                            "evidence": {
                                "type": "array",
                                "items": {"type": "string", "format": "binary"},
                            },
                        },
                    }
                },
            },
            "required": True,
        }
    },
)
async def post_milestone(request: Request, ctx: Api) -> dict[str, Any]:
    """Only the target's lead and co-units may report (403 otherwise); the report awaits the
    province's review. Evidence files: pdf, docx, xlsx, png, jpg (content checked, 422)."""
    kind = request.headers.get("content-type", "")
    if kind.startswith(("multipart/form-data", "application/x-www-form-urlencoded")):
        form = await request.form()
        # the parsed form holds Starlette's upload objects (FastAPI's class derives from them)
        uploads = [f for f in form.getlist("evidence") if isinstance(f, StarletteUpload)]
        body = _body(
            {k: form.get(k) for k in ("target", "period", "status", "text") if form.get(k)}
        )
        return await _report(ctx, body.target, body.period, body.status, body.text, uploads)
    try:
        data = await request.json()
    except ValueError:
        raise Invalid("请求体应为 JSON 或表单（multipart/form-data）") from None
    body = _body(data)
    return await _report(ctx, body.target, body.period, body.status, body.text, [])


@api.get(
    "/milestones",
    summary="工作任务进展报告（按年度、责任单位、状态）",
    response_model=schemas.ItemList[schemas.MilestoneReportOut],
)
def get_milestones(
    ctx: Api,
    year: Year = None,
    unit: str | None = None,
    status: Annotated[
        str | None,
        Query(description="进展状态 not_started…delayed，或审核状态 submitted|accepted|returned"),
    ] = None,
) -> dict[str, Any]:
    rows = milestones.listing(ctx.caller, milestones.check_year(year), unit, status)
    return {"items": rows, "total": len(rows)}


@api.post(
    "/milestones/{report_id}/{action}",
    summary="省级确认或退回一份进展报告（退回须说明原因）",
    response_model=schemas.MilestoneReportOut,
    responses=schemas.errors(409),
)
def post_milestone_review(
    ctx: Api,
    report_id: ReportId,
    action: Literal["accept", "return"],
    reason: Annotated[str, Form(max_length=2000, description="退回原因（退回时必填）")] = "",
) -> dict[str, Any]:
    return milestones.review(ctx.caller, report_id, action, reason)
