"""The 高耗低效 rectification cases in the REST API (``/api/v1/cases``): the list, the screening
candidates, one case, and the county's, city's and level above's actions. Handlers parse and
render; ``services.cases`` checks scope, state and version (409 on a stale ``version``)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query
from pydantic import BaseModel, Field

from zhuansheng.services import cases

from . import schemas
from .deps import Ctx, api_ctx

MAX_ID = 2**31 - 1  # ids beyond the store's integers are refused before reaching it
CaseOut = schemas.RectificationCaseOut
api = APIRouter(
    prefix="/api/v1/cases", tags=["v1"], responses=schemas.errors(400, 401, 403, 404, 422)
)
Api = Annotated[Ctx, Depends(api_ctx)]
Region = Annotated[str, Query(max_length=12, description="地区代码（含下辖地区）")]
Year = Annotated[int | None, Query(ge=2000, le=2100, description="整治名单年度")]
CaseId = Annotated[int, Path(ge=1, le=MAX_ID, description="案件编号")]
CandidateId = Annotated[int, Path(ge=1, le=MAX_ID, description="筛查候选编号")]
MEASURE = "整治措施：upgrade、merger、land_recovered、relocated、closed"
Version = Annotated[int, Field(ge=0, le=MAX_ID, description="您所查看的案件版本号")]
Figure = Annotated[float, Field(ge=0, le=1e9)]
WRITE = schemas.errors(409)


class ConfirmIn(BaseModel):
    measure: str = Field(max_length=20, description=MEASURE)
    note: str = Field("", max_length=2000, description="说明")


class DismissIn(BaseModel):
    reason: str = Field(
        max_length=20, description="排除理由：new_plant、data_error、other_campaign、other"
    )
    text: str = Field("", max_length=2000, description="具体情况（理由为 other 时必填）")


class AddIn(BaseModel):
    uscc: str = Field(max_length=18, description="企业统一社会信用代码")
    year: int = Field(ge=2000, le=2100, description="整治名单年度")
    measure: str = Field(max_length=20, description=MEASURE)
    reason: str = Field(max_length=2000, description="增列理由")


class PlanIn(BaseModel):
    version: Version
    measure: str = Field(max_length=20, description=MEASURE)
    action: list[Annotated[str, Field(max_length=500)]] = Field(
        max_length=100, description="整改措施及截止日期“内容@YYYY-MM-DD”"
    )
    responsible: str = Field(max_length=200, description="整治责任人")
    land: Figure | None = Field(None, description="预计腾出用地（亩）")
    energy: Figure | None = Field(None, description="预计腾出用能（吨标准煤）")


class UpdateIn(BaseModel):
    version: Version
    progress: str = Field(max_length=2000, description="本月整治进展")


class CompleteIn(BaseModel):
    version: Version
    land: Figure = Field(description="实际腾出用地（亩）")
    energy: Figure = Field(description="实际腾出用能（吨标准煤）")
    note: str = Field("", max_length=2000, description="说明")


class VerifyIn(BaseModel):
    version: Version
    passed: bool = Field(alias="pass", description="验收通过（true）或不通过（false）")
    reason: str = Field("", max_length=2000, description="不通过的理由（不通过时必填）")


class ReopenIn(BaseModel):
    version: Version
    reason: str = Field(max_length=2000, description="重新打开的理由")


@api.get("", summary="高耗低效整治案件（本辖区）", response_model=schemas.ItemList[CaseOut])
def get_cases(
    ctx: Api,
    region: Region = "",
    year: Year = None,
    state: Annotated[str, Query(max_length=20, description="案件状态")] = "",
) -> dict[str, Any]:
    rows = cases.list_cases(ctx.caller, region=region, year=year, state=state)
    return {"items": rows, "total": len(rows)}


@api.get(
    "/candidates",
    summary="待审核的筛查候选企业（本辖区）",
    response_model=schemas.ItemList[schemas.CandidateOut],
)
def get_candidates(ctx: Api, region: Region = "", year: Year = None) -> dict[str, Any]:
    rows = cases.list_candidates(ctx.caller, region=region, year=year, state="candidate")
    return {"items": rows, "total": len(rows)}


@api.get(
    "/{case_id}",
    summary="一个案件：方案、状态、全部变更记录和本调用者可执行的操作",
    response_model=schemas.RectificationCaseDetailOut,
)
def get_case(ctx: Api, case_id: CaseId) -> dict[str, Any]:
    return cases.show(ctx.caller, case_id)


@api.post(
    "/candidates/{candidate_id}/confirm",
    status_code=201,
    summary="县级确认筛查候选，列入当年整治名单",
    response_model=CaseOut,
)
def post_confirm(ctx: Api, candidate_id: CandidateId, body: ConfirmIn) -> dict[str, Any]:
    return cases.confirm(ctx.caller, candidate_id, body.measure, body.note)


@api.post(
    "/candidates/{candidate_id}/dismiss",
    summary="县级排除筛查候选（说明理由）",
    response_model=schemas.CandidateOut,
)
def post_dismiss(ctx: Api, candidate_id: CandidateId, body: DismissIn) -> dict[str, Any]:
    return cases.dismiss(ctx.caller, candidate_id, body.reason, body.text)


@api.post(
    "",
    status_code=201,
    summary="县级增列筛查未命中的企业（须说明理由）",
    response_model=CaseOut,
)
def post_case(ctx: Api, body: AddIn) -> dict[str, Any]:
    return cases.add(ctx.caller, body.uscc, body.year, body.measure, body.reason)


@api.post(
    "/{case_id}/plan",
    summary="制定整治方案（一企一策）",
    response_model=CaseOut,
    responses=WRITE,
)
def post_plan(ctx: Api, case_id: CaseId, body: PlanIn) -> dict[str, Any]:
    p = cases.PlanInput(
        measure=body.measure,
        responsible=body.responsible,
        actions=[cases.parse_action(a) for a in body.action],
        expected_land_mu=body.land,
        expected_energy_tce=body.energy,
    )
    return cases.plan(ctx.caller, case_id, body.version, p)


@api.post("/{case_id}/update", summary="报告整治进展", response_model=CaseOut, responses=WRITE)
def post_update(ctx: Api, case_id: CaseId, body: UpdateIn) -> dict[str, Any]:
    return cases.update(ctx.caller, case_id, body.version, body.progress)


@api.post(
    "/{case_id}/complete",
    summary="完成整治，填报实际腾出的用地和用能",
    response_model=CaseOut,
    responses=WRITE,
)
def post_complete(ctx: Api, case_id: CaseId, body: CompleteIn) -> dict[str, Any]:
    return cases.complete(ctx.caller, case_id, body.version, body.land, body.energy, body.note)


@api.post(
    "/{case_id}/verify",
    summary="设区市验收：通过，或不通过并说明理由（案件重新打开）",
    response_model=CaseOut,
    responses=WRITE,
)
def post_verify(ctx: Api, case_id: CaseId, body: VerifyIn) -> dict[str, Any]:
    return cases.verify(ctx.caller, case_id, body.version, body.passed, body.reason)


@api.post(
    "/{case_id}/reopen",
    summary="上一级重新打开已完成或已验收的案件（须说明理由）",
    response_model=CaseOut,
    responses=WRITE,
)
def post_reopen(ctx: Api, case_id: CaseId, body: ReopenIn) -> dict[str, Any]:
    return cases.reopen(ctx.caller, case_id, body.version, body.reason)
