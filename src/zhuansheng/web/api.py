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
from sqlalchemy import func, select

from zhuansheng import programme, store
from zhuansheng.collect import workflow
from zhuansheng.errors import ZhuanshengError
from zhuansheng.periods import parse_period
from zhuansheng.store import tables as t

from . import access, offload, rankings, reports, schemas, services
from .deps import Ctx, api_ctx
from .pages import (
    _reporting,
    audit,
    audit_generated,
    enterprise_profile,
    ranking_for,
    report_file,
    run_import,
    save_upload,
)

ERRORS = schemas.errors(400, 401, 403, 404, 422)
CONFLICT = schemas.errors(409)
router = APIRouter(prefix="/api/v1", tags=["v1"], responses=ERRORS)
Api = Annotated[Ctx, Depends(api_ctx)]
PageNo = Annotated[int, Query(ge=1, le=1_000_000, description="页码，从 1 开始")]
PageSize = Annotated[int, Query(ge=1, le=1000, description="每页条数（最多 1000）")]
PERIOD = schemas.PERIOD_SCHEMA
PeriodQuery = Annotated[
    str | None, Query(description="2022-06、2022Q2 或 2022", json_schema_extra=PERIOD)
]
PeriodPath = Annotated[str, Path(description="2022-06、2022Q2 或 2022", json_schema_extra=PERIOD)]


def paged(items: list[Any], page: int, page_size: int, total: int | None = None) -> dict[str, Any]:
    if total is None:
        total = len(items)
        items = items[(page - 1) * page_size : page * page_size]
    return {"items": items, "page": page, "page_size": page_size, "total": total}


def _period(ctx: Ctx, period: str | None) -> str:
    if period:
        return parse_period(period).code
    with store.session(ctx.state.settings.database_url) as s:
        return services.latest_month(s)


@router.get("/programme", summary="年度工作要点的全部目标", response_model=schemas.ProgrammeOut)
def get_programme(
    ctx: Api, year: Annotated[int | None, Query(ge=2000, le=2100)] = None
) -> dict[str, Any]:
    years = programme.available_years()
    if year is not None and year not in years:
        raise services.NotFound(f"没有 {year} 年的工作要点；已有 {years}")
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
        for r in services.regions_by_code().values()
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
    period, m = await offload.monitor(ctx.state, period)
    if region is not None:
        services.region(region)
        access.require(access.can_see_region(ctx.actor, region, ctx.state.settings))
    scope = None if ctx.state.settings.all_regions_visible else access.scope_filter(ctx.actor)

    def body() -> bytes:
        rows = m.rows(level=level, region=region, target=target)
        rows = [
            r
            for r in rows
            if access.can_see_region(ctx.actor, r.region, ctx.state.settings)
            or r.level in ("group", "pilot", "province")
        ]
        out = paged(rows, page, page_size)
        out["items"] = [r.as_dict() if explain else _row(r) for r in out["items"]]
        out["period"] = period
        return json.dumps(out, ensure_ascii=False, default=str).encode()

    # The same question on the same data version is answered from memory (encoded once).
    key = (level, region, target, explain, page, page_size, scope)
    return Response(
        await offload.view(ctx.state.monitor, m, "api.monitor", body, *key),
        media_type="application/json",
    )


def _row(r: Any) -> dict[str, Any]:
    # Without the rule text unless asked (``explain=true``): writing it out costs time.
    return {f.name: getattr(r, f.name) for f in fields(r) if not f.name.startswith("_")}


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
    scope = None if ctx.actor.role in ("department", "viewer") else access.scope_filter(ctx.actor)
    if region is not None:
        services.region(region)
        access.require(access.can_see_data(ctx.actor, region), "无权查看该地区的填报数据")
    o = t.Observation
    latest = select(o.indicator_id, o.region_code, o.period, func.max(o.revision).label("rev"))
    if region:
        latest = latest.where(o.region_code == region)
    elif scope:
        latest = latest.where(o.region_code.in_(services._subtree(scope)))
    if period:
        latest = latest.where(o.period == parse_period(period).code)
    if indicator:
        latest = latest.where(o.indicator_id == indicator)
    latest = latest.group_by(o.indicator_id, o.region_code, o.period).subquery()
    q = select(o).join(
        latest,
        (o.indicator_id == latest.c.indicator_id)
        & (o.region_code == latest.c.region_code)
        & (o.period == latest.c.period)
        & (o.revision == latest.c.rev),
    )
    with store.session(ctx.state.settings.database_url) as s:
        total = s.scalar(select(func.count()).select_from(q.subquery())) or 0
        rows = s.scalars(
            q.order_by(o.period, o.region_code, o.indicator_id)
            .offset((page - 1) * page_size)
            .limit(page_size)
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
    audit(
        ctx,
        "export.api.observations",
        "observations",
        region or "",
        period=period or "",
        indicator=indicator or "",
        rows=len(items),
    )
    return paged(items, page, page_size, total)


@router.post(
    "/observations",
    summary="上传填好的填报模板（整份校验，整份写入或整份拒收）",
    response_model=schemas.ImportOut,
    responses=CONFLICT,
)
def post_observations(
    ctx: Api,
    file: Annotated[UploadFile, File(description="填好的 xlsx 或 csv 模板")],
    region: Annotated[str, Form(description="地区代码")],
    period: Annotated[str, Form(description="填报期间，如 2022-06", json_schema_extra=PERIOD)],
    comment: Annotated[str, Form()] = "",
    dry_run: Annotated[bool, Form()] = False,
) -> dict[str, Any]:
    access.require(access.can_submit(ctx.actor))
    path = save_upload(ctx, file)
    result = offload.without_collector(run_import, ctx, path, region, period, comment, dry_run)
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
    access.require(access.can_see_enterprises(ctx.actor))
    scope = access.scope_filter(ctx.actor)
    e = t.Enterprise
    # autoescape: "%" and "_" in the query are characters, not wildcards
    query = select(e).where(
        e.uscc.contains(q, autoescape=True) | e.name.contains(q, autoescape=True)
    )
    if scope:
        query = query.where(e.county_code.in_(services._subtree(scope)))
    with store.session(ctx.state.settings.database_url) as s:
        total = s.scalar(select(func.count()).select_from(query.subquery())) or 0
        items = [
            {
                "uscc": x.uscc,
                "name": x.name,
                "county_code": x.county_code,
                "industry_code": x.industry_code,
                "scale": x.scale,
                "synthetic": x.synthetic,
            }
            for x in s.scalars(
                query.order_by(e.uscc).offset((page - 1) * page_size).limit(page_size)
            )
        ]
    return paged(items, page, page_size, total)


@router.get(
    "/enterprises/{uscc}",
    summary="企业档案：年度数据、亩均效益、碳效码、筛查、整治",
    response_model=schemas.EnterpriseProfile,
)
def get_enterprise(ctx: Api, uscc: str) -> dict[str, Any]:
    profile = enterprise_profile(ctx, uscc)
    audit(ctx, "export.api.enterprise", "enterprise", uscc)
    return profile


@router.get(
    "/evaluations",
    summary="企业评价运行记录（碳效码、亩均效益、高耗低效筛查）",
    response_model=schemas.Page[schemas.EvaluationRunOut],
)
def list_evaluations(ctx: Api, page: PageNo = 1, page_size: PageSize = 50) -> dict[str, Any]:
    with store.session(ctx.state.settings.database_url) as s:
        runs = s.scalars(select(t.EvaluationRun).order_by(t.EvaluationRun.started_at.desc()))
        items = [_run(r, summary=False) for r in runs]
    return paged(items, page, page_size)


def _run(r: t.EvaluationRun, summary: bool = True) -> dict[str, Any]:
    out = {
        "run_id": r.run_id,
        "method": r.method,
        "year": r.year,
        "engine": r.engine,
        "method_file": r.method_file,
        "method_version": r.method_version,
        "started_at": r.started_at,
        "finished_at": r.finished_at,
        "enterprises": r.enterprises,
        "synthetic": r.synthetic,
    }
    if summary:
        out["summary"] = r.summary
    return out


def _get_run(ctx: Ctx, run_id: str) -> t.EvaluationRun:
    with store.session(ctx.state.settings.database_url) as s:
        run = s.get(t.EvaluationRun, run_id)
    if run is None:
        raise services.NotFound(f"没有评价运行 '{run_id}'")
    return run


@router.get(
    "/evaluations/{run_id}",
    summary="一次评价运行及其汇总",
    response_model=schemas.EvaluationDetail,
)
def get_evaluation(ctx: Api, run_id: str) -> dict[str, Any]:
    return _run(_get_run(ctx, run_id))


@router.get(
    "/evaluations/{run_id}/results",
    summary="一次评价的企业结果（限管辖范围）",
    response_model=schemas.Page[schemas.ResultRow],
)
def get_evaluation_results(
    ctx: Api, run_id: str, region: str | None = None, page: PageNo = 1, page_size: PageSize = 100
) -> dict[str, Any]:
    access.require(access.can_see_enterprises(ctx.actor))
    run = _get_run(ctx, run_id)
    table = services.run_results(run)
    if table is None:
        raise services.NotFound(f"评价运行 {run_id} 的结果文件不存在")
    scope = access.scope_filter(ctx.actor)
    if region is not None:
        services.region(region)
        access.require(access.in_scope(ctx.actor, region))
    rows = [
        r
        for r in table.to_pylist()
        if access.region_in(r["county_code"], scope)
        and (region is None or access.region_in(r["county_code"], region))
    ]
    out = paged(rows, page, page_size)
    audit(
        ctx,
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
    access.require(access.can_see_enterprises(ctx.actor))
    with store.session(ctx.state.settings.database_url) as s:
        rows, total = services.list_rows(
            s,
            "screening",
            scope=access.scope_filter(ctx.actor),
            q=q,
            region=region,
            page=page,
            page_size=page_size,
        )
    audit(ctx, "export.api.screening", "list", "screening", q=q, region=region, rows=len(rows))
    return paged(rows, page, page_size, total)


@router.get(
    "/submissions",
    summary="报送情况：各市及全省应报、已报、按时县数",
    response_model=schemas.ReportingOut,
)
def get_reporting(ctx: Api, period: PeriodQuery = None) -> dict[str, Any]:
    access.require(ctx.actor.is_province or ctx.actor.role == "city")
    period = _period(ctx, period)
    with store.session(ctx.state.settings.database_url) as s:
        rows = _reporting(s, period)
    if ctx.actor.role == "city":
        rows = [r for r in rows if r["region"] == ctx.actor.region_code]
    return {"period": period, "items": rows, "total": len(rows)}


@router.get(
    "/submissions/{region}/{period}",
    summary="一个地区一期的填报状态与流转记录",
    response_model=schemas.SubmissionOut,
)
def get_submission(ctx: Api, region: str, period: PeriodPath) -> dict[str, Any]:
    services.region(region)
    access.require(access.can_see_data(ctx.actor, region), "无权查看该地区的填报数据")
    p = parse_period(period)
    with store.session(ctx.state.settings.database_url) as s:
        sub = workflow.get(s, region, p.code)
        if sub is None:
            raise services.NotFound(f"{region} {p.code} 尚无填报数据")
        return {
            "region": region,
            "period": p.code,
            "status": sub.status,
            "locked": sub.locked,
            "events": [
                {
                    "at": e.at,
                    "actor": e.actor,
                    "action": e.action,
                    "from": e.from_status,
                    "to": e.to_status,
                    "reason": e.reason,
                }
                for e in sub.events
            ],
        }


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
    services.region(region)
    access.require(access.can_submit(ctx.actor) and access.in_scope(ctx.actor, region))
    with store.session(ctx.state.settings.database_url) as s:
        try:
            sub = workflow.act(s, action, region, period, ctx.actor, reason)
        except ZhuanshengError as exc:
            if "无权" in str(exc):
                raise access.Forbidden(str(exc)) from exc
            raise
        return {"region": region, "period": sub.period, "status": sub.status}


@router.get(
    "/audit", summary="操作日志（省级管理员）", response_model=schemas.Page[schemas.AuditEntryOut]
)
def get_audit(
    ctx: Api, action: str = "", page: PageNo = 1, page_size: PageSize = 100
) -> dict[str, Any]:
    access.require(access.is_admin(ctx.actor), "只有省级管理员可以查看操作日志")
    items, total = services.audit_entries(ctx.state.settings.database_url, action, page, page_size)
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
    page: PageNo = 1,
    page_size: PageSize = 200,
) -> dict[str, Any]:
    """Rows by rank: ``region, name, score, rank, rank_change, grade, contributions, bonus,
    penalty`` and with ``sensitivity`` also ``rank_median, rank_p05, rank_p95``. With
    ``all_regions_visible`` off, city and county users get only the rows in their scope."""
    ranking = ranking_for(ctx, period, level, sensitivity)
    rows = rankings.visible_rows(ranking, ctx.actor, ctx.state.settings)
    return {**rankings.meta(ranking), **paged(rankings.api_rows(ranking, rows), page, page_size)}


@router.get(
    "/reports",
    summary="已生成的报告（全省报告与数据范围内地区的简报）",
    response_model=schemas.Page[schemas.ReportFileOut],
)
def get_reports(ctx: Api, page: PageNo = 1, page_size: PageSize = 100) -> dict[str, Any]:
    files = reports.visible(ctx.actor, ctx.state.settings)
    return paged([reports.as_dict(f) for f in files], page, page_size)


class ReportRequest(BaseModel):
    kind: Literal["monthly", "quarterly", "annual"] = Field(
        description="monthly 月度监测分析、quarterly 季度简报、annual 年度综合评估"
    )
    period: str = Field(
        max_length=20,
        description="2022-06（月度）、2022Q2（季度）或 2022（年度）",
        json_schema_extra=PERIOD,
    )
    region: str | None = Field(
        None, max_length=12, description="季度简报的地区代码（设区市或县）；不填为全省"
    )
    formats: list[Literal["docx", "pdf", "xlsx"]] = Field(
        default_factory=lambda: ["docx"], min_length=1, max_length=3
    )


@router.post(
    "/reports",
    status_code=201,
    summary="生成一份报告（限数据范围；PDF 需数秒）",
    response_model=schemas.ReportsWritten,
)
def post_reports(ctx: Api, body: ReportRequest) -> dict[str, Any]:
    written = reports.generate(
        ctx.actor, ctx.state.settings, body.kind, body.period, body.region, body.formats
    )
    audit_generated(ctx, body.kind, body.period, body.region or "", written)
    return {
        "kind": body.kind,
        "period": body.period,
        "region": body.region or access.PROVINCE,
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
                m: {"schema": {"type": "string", "format": "binary"}}
                for m in reports.MEDIA.values()
            },
        }
    },
)
def get_report_file(ctx: Api, name: str) -> Response:
    return report_file(ctx, name)
