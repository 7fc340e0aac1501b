"""The REST API under ``/api/v1``: the same services and the same checks as the pages.

Authentication: ``Authorization: Bearer <token>`` (``zhuansheng user token``) or the browser
session (then state-changing calls need the ``X-CSRF-Token`` header). Lists are paged
(``page``, ``page_size``); errors are ``{"error": {"status", "message", "problems"?}}``.
"""

from __future__ import annotations

import json
from dataclasses import fields
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, File, Form, Path, Query, Response, UploadFile
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from zhuansheng import programme
from zhuansheng.errors import NotFound
from zhuansheng.services import (
    audit,
    enterprises,
    evaluations,
    lists,
    major_projects,
    monitoring,
    observations,
    rankings,
    regions,
    reports,
    submissions,
)

from . import offload, schemas
from .deps import Ctx, api_ctx
from .files import MEDIA, read_upload, report_file

ERRORS = schemas.errors(400, 401, 403, 404, 422)
CONFLICT = schemas.errors(409)
router = APIRouter(prefix="/api/v1", tags=["v1"], responses=ERRORS)
Api = Annotated[Ctx, Depends(api_ctx)]
PageNo = Annotated[int, Query(ge=1, le=1_000_000, description="页码，从 1 开始")]
PageSize = Annotated[int, Query(ge=1, le=1000, description="每页条数（最多 1000）")]
PERIOD = schemas.PERIOD_SCHEMA
PATTERN = schemas.PERIOD_PATTERN
PeriodQuery = Annotated[
    str | None,
    Query(description="2022-06、2022Q2 或 2022", pattern=PATTERN, json_schema_extra=PERIOD),
]
PeriodPath = Annotated[
    str, Path(description="2022-06、2022Q2 或 2022", pattern=PATTERN, json_schema_extra=PERIOD)
]


def paged(items: list[Any], page: int, page_size: int, total: int | None = None) -> dict[str, Any]:
    if total is None:
        total = len(items)
        items = items[(page - 1) * page_size : page * page_size]
    return {"items": items, "page": page, "page_size": page_size, "total": total}


@router.get("/programme", summary="年度工作要点的全部目标", response_model=schemas.ProgrammeOut)
def get_programme(
    ctx: Api, year: Annotated[int | None, Query(ge=2000, le=2100)] = None
) -> dict[str, Any]:
    years = programme.available_years()
    if year is not None and year not in years:
        raise NotFound(f"没有 {year} 年的工作要点；已有 {years}")
    prog = programme.load(year)
    return {"year": prog.year, "title_zh": prog.title_zh, "targets": programme.export_rows(prog)}


@router.get(
    "/regions",
    summary="行政区划（省、设区市、县）",
    response_model=schemas.ItemList[schemas.RegionOut],
)
def get_regions(
    ctx: Api, level: Annotated[str | None, Query(pattern="^(province|city|county)$")] = None
) -> dict[str, Any]:
    rows = [
        {
            "code": r.code,
            "name_zh": r.name_zh,
            "level": r.level,
            "parent_code": r.parent_code,
            "mountain26": r.mountain26,
        }
        for r in regions.by_code().values()
        if level is None or r.level == level
    ]
    return {"items": rows, "total": len(rows)}


@router.get(
    "/monitor",
    summary="月度监测分析：各目标在各地区的进度与状态",
    # answered as pre-encoded JSON (memoised per data version); the model documents it
    responses={200: {"model": schemas.MonitorPage, "description": "一页进度行"}},
)
async def get_monitor(
    ctx: Api,
    period: PeriodQuery = None,
    level: Annotated[str | None, Query(pattern="^(province|city|county|group|pilot)$")] = None,
    region: str | None = None,
    target: str | None = None,
    explain: bool = False,
    page: PageNo = 1,
    page_size: PageSize = 200,
) -> Response:
    caller = ctx.caller
    # a cache miss computes the monthly analysis: in the thread pool, never on the loop
    m = await run_in_threadpool(monitoring.open_period, caller, period, region)

    def body() -> bytes:
        rows = monitoring.visible_rows(caller, m, level=level, region=region, target=target)
        out = paged(rows, page, page_size)
        out["items"] = [r.as_dict() if explain else _row(r) for r in out["items"]]
        out["period"] = m.period.code
        out["count_from"] = m.analysis.count_from
        out["basis_zh"] = m.analysis.basis_zh
        return json.dumps(out, ensure_ascii=False, default=str).encode()

    # The same question on the same data version is answered from memory (encoded once).
    key = (level, region, target, explain, page, page_size, caller.scope_key)
    return Response(
        await offload.view(ctx.state.monitor, m, "api.monitor", body, *key),
        media_type="application/json",
    )


def _row(r: Any) -> dict[str, Any]:
    # Without the rule text unless asked (``explain=true``): writing it out costs time.
    out = {f.name: getattr(r, f.name) for f in fields(r) if not f.name.startswith("_")}
    out["coverage_zh"] = r.coverage_zh
    return out


@router.get(
    "/observations",
    summary="已报送的统计数据（每个值的最新修订）",
    response_model=schemas.Page[schemas.ObservationOut],
)
def get_observations(
    ctx: Api,
    region: str | None = None,
    period: PeriodQuery = None,
    indicator: str | None = None,
    page: PageNo = 1,
    page_size: PageSize = 200,
) -> dict[str, Any]:
    items, total = observations.latest(
        ctx.caller,
        region=region,
        period=period,
        indicator=indicator,
        page=page,
        page_size=page_size,
    )
    return paged(items, page, page_size, total)


@router.post(
    "/observations",
    summary="上传填好的填报模板（整份校验，整份写入或整份拒收）",
    response_model=schemas.ImportOut,
    responses=CONFLICT,
)
async def post_observations(
    ctx: Api,
    file: Annotated[UploadFile, File(description="填好的 xlsx 或 csv 模板")],
    region: Annotated[str, Form(description="地区代码")],
    period: Annotated[
        str, Form(description="填报期间，如 2022-06", pattern=PATTERN, json_schema_extra=PERIOD)
    ],
    comment: Annotated[str, Form()] = "",
    dry_run: Annotated[bool, Form()] = False,
) -> dict[str, Any]:
    ctx.caller.require("submission.upload")
    path = await read_upload(ctx, file)
    # the import reads and checks a whole workbook: in the thread pool, never on the loop
    result = await offload.imported(ctx.caller, path, region, period, comment, dry_run)
    return {
        "file_name": result.file_name,
        "region": result.region,
        "period": result.period,
        "written": result.written,
        "unchanged": result.unchanged,
        "dry_run": result.dry_run,
        "batch_id": result.batch_id,
        "warnings": [str(w) for w in result.warnings],
    }


@router.get(
    "/enterprises",
    summary="按统一社会信用代码或名称查找企业（限管辖范围）",
    response_model=schemas.Page[schemas.EnterpriseOut],
)
def search_enterprises(
    ctx: Api,
    q: Annotated[str, Query(min_length=1, max_length=100)],
    page: PageNo = 1,
    page_size: PageSize = 50,
) -> dict[str, Any]:
    items, total = enterprises.search(ctx.caller, q, page=page, page_size=page_size)
    return paged(items, page, page_size, total)


@router.get(
    "/enterprises/{uscc}",
    summary="企业档案：年度数据、亩均效益、碳效码、筛查、整治",
    response_model=schemas.EnterpriseProfile,
)
def get_enterprise(ctx: Api, uscc: str) -> dict[str, Any]:
    return enterprises.profile(ctx.caller, uscc, audited=True)


@router.get(
    "/evaluations",
    summary="企业评价运行记录（碳效码、亩均效益、高耗低效筛查）",
    response_model=schemas.Page[schemas.EvaluationRunOut],
)
def list_evaluations(ctx: Api, page: PageNo = 1, page_size: PageSize = 50) -> dict[str, Any]:
    return paged(evaluations.runs(ctx.caller), page, page_size)


@router.get(
    "/evaluations/{run_id}",
    summary="一次评价运行及其汇总",
    response_model=schemas.EvaluationDetail,
)
def get_evaluation(ctx: Api, run_id: str) -> dict[str, Any]:
    return evaluations.run(ctx.caller, run_id)


@router.get(
    "/evaluations/{run_id}/results",
    summary="一次评价的企业结果（限管辖范围）",
    response_model=schemas.Page[schemas.ResultRow],
)
def get_evaluation_results(
    ctx: Api, run_id: str, region: str | None = None, page: PageNo = 1, page_size: PageSize = 100
) -> dict[str, Any]:
    rows = evaluations.results(ctx.caller, run_id, region)
    out = paged(rows, page, page_size)
    audit.record(
        ctx.caller,
        "export.api.evaluation_results",
        "evaluation",
        run_id,
        region=region or "",
        rows=len(out["items"]),
    )
    return out


@router.get(
    "/screening",
    summary="高耗低效企业名单（最近一次筛查，限管辖范围）",
    response_model=schemas.Page[schemas.ResultRow],
)
def get_screening(
    ctx: Api, q: str = "", region: str = "", page: PageNo = 1, page_size: PageSize = 100
) -> dict[str, Any]:
    _, rows, total, _ = lists.page(
        ctx.caller, "screening", lists.ListFilter(q=q, region=region), page, page_size
    )
    audit.record(
        ctx.caller, "export.api.screening", "list", "screening", q=q, region=region, rows=len(rows)
    )
    return paged(rows, page, page_size, total)


@router.get(
    "/major-projects",
    summary="重大项目库：规模档次、联系领导、计划与完成投资、预警（限管辖范围）",
    response_model=schemas.MajorProjectsOut,
)
def get_major_projects(
    ctx: Api,
    f: Annotated[major_projects.MajorFilter, Depends()],
    page: PageNo = 1,
    page_size: PageSize = 100,
) -> dict[str, Any]:
    found = major_projects.page(ctx.caller, f, page, page_size)
    return {**paged(found["rows"], page, page_size, found["total"]), "month": found["month"]}


@router.get(
    "/submissions",
    summary="报送情况：各市及全省应报、已报、按时县数",
    response_model=schemas.ReportingOut,
)
def get_reporting(ctx: Api, period: PeriodQuery = None) -> dict[str, Any]:
    period, rows = submissions.reporting_for(ctx.caller, period)
    return {"period": period, "items": rows, "total": len(rows)}


@router.get(
    "/submissions/{region}/{period}",
    summary="一个地区一期的填报状态与流转记录",
    response_model=schemas.SubmissionOut,
)
def get_submission(ctx: Api, region: str, period: PeriodPath) -> dict[str, Any]:
    return submissions.history(ctx.caller, region, period)


@router.post(
    "/submissions/{region}/{period}/{action}",
    summary="上报、审核通过、退回、确认、解锁",
    response_model=schemas.SubmissionState,
    responses=CONFLICT,
)
def post_submission_action(
    ctx: Api,
    region: str,
    period: PeriodPath,
    action: Literal["submit", "approve", "return", "accept", "unlock"],
    reason: Annotated[str, Form()] = "",
) -> dict[str, Any]:
    return submissions.act(ctx.caller, action, region, period, reason)


@router.get(
    "/audit", summary="操作日志（省级管理员）", response_model=schemas.Page[schemas.AuditEntryOut]
)
def get_audit(
    ctx: Api, action: str = "", page: PageNo = 1, page_size: PageSize = 100
) -> dict[str, Any]:
    items, total = audit.entries(ctx.caller, action, page, page_size)
    return paged(items, page, page_size, total)


@router.get(
    "/assess",
    summary="区域综合评价：季度运行评价或年度综合评估的得分与排名",
    response_model=schemas.AssessmentOut,
)
def get_assess(
    ctx: Api,
    period: Annotated[
        str | None,
        Query(
            description="2022Q2（季度运行评价）或 2022（年度综合评估）；默认为最近季度",
            pattern=PATTERN,
            json_schema_extra=PERIOD,
        ),
    ] = None,
    level: Annotated[
        Literal["city", "county", "pilot"], Query(description="设区市、县（市、区）或试点")
    ] = "city",
    sensitivity: Annotated[
        int,
        Query(
            ge=0,
            le=rankings.MAX_DRAWS,
            description="蒙特卡洛次数；大于 0 时各行附名次中位数与 5%–95% 区间",
        ),
    ] = 0,
    draft: Annotated[
        bool,
        Query(description="允许按草案方案（status: draft）试算；结果的 draft 为 true"),
    ] = False,
    page: PageNo = 1,
    page_size: PageSize = 200,
) -> dict[str, Any]:
    """Rows by rank: ``region, name, score, rank, rank_change, grade, contributions, bonus,
    penalty`` and with ``sensitivity`` also ``rank_median, rank_p05, rank_p95``. With
    ``all_regions_visible`` off, city and county users get only the rows in their scope. A
    period whose scheme is a draft answers 400 unless ``draft=true``."""
    ranking = rankings.ranking(ctx.caller, period, level, sensitivity, draft)
    rows = rankings.visible_rows(ranking, ctx.caller)
    return {**rankings.meta(ranking), **paged(rankings.api_rows(ranking, rows), page, page_size)}


@router.get(
    "/reports",
    summary="已生成的报告（全省报告与数据范围内地区的简报）",
    response_model=schemas.Page[schemas.ReportFileOut],
)
def get_reports(ctx: Api, page: PageNo = 1, page_size: PageSize = 100) -> dict[str, Any]:
    files = reports.visible(ctx.caller)
    return paged([reports.as_dict(f) for f in files], page, page_size)


class ReportRequest(BaseModel):
    kind: Literal["monthly", "quarterly", "annual"] = Field(
        description="monthly 月度监测分析、quarterly 季度简报、annual 年度综合评估"
    )
    period: str = Field(
        max_length=20,
        description="2022-06（月度）、2022Q2（季度）或 2022（年度）",
        pattern=PATTERN,
        json_schema_extra=PERIOD,
    )
    region: str | None = Field(
        None, max_length=12, description="季度简报的地区代码（设区市或县）；不填为全省"
    )
    formats: list[Literal["docx", "pdf", "xlsx"]] = Field(
        default_factory=lambda: ["docx"], min_length=1, max_length=3
    )
    draft: bool = Field(
        False, description="排名可按草案评价方案（status: draft）试算；报告标明“评价方案为草案”"
    )


@router.post(
    "/reports",
    status_code=201,
    summary="生成一份报告（限数据范围；PDF 需数秒）",
    response_model=schemas.ReportsWritten,
)
def post_reports(ctx: Api, body: ReportRequest) -> dict[str, Any]:
    written = reports.generate(
        ctx.caller, body.kind, body.period, body.region, body.formats, draft=body.draft
    )
    return {
        "kind": body.kind,
        "period": body.period,
        "region": body.region or regions.PROVINCE,
        "files": [reports.as_dict(f) for f in written],
    }


@router.get(
    "/reports/{name}",
    summary="下载一份报告（记入操作日志）",
    response_class=Response,
    responses={
        200: {
            "description": "报告文件（docx、pdf 或 xlsx）",
            "content": {
                m: {"schema": {"type": "string", "format": "binary"}} for m in MEDIA.values()
            },
        }
    },
)
def get_report_file(ctx: Api, name: str) -> Response:
    return report_file(ctx, name)  # the same download as the page's
