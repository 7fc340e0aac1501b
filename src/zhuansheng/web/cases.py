"""The 高耗低效 rectification cases in the REST API (``/api/v1/cases``): the list, the screening
candidates, one case, and the county's, city's and level above's actions. Handlers parse and
render; ``services.cases`` checks scope, state and version (409 on a stale ``version``)."""

from __future__ import annotations

import shutil
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, File, Form, Path, Query, Request, UploadFile
from fastapi.responses import FileResponse
from pydantic import BaseModel, Field, ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile as StarletteUpload

from zhuansheng.errors import Invalid
from zhuansheng.services import cases

from . import files, schemas
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
EvidenceId = Annotated[int, Path(ge=1, le=MAX_ID, description="佐证文件编号")]
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
    tax: Figure | None = Field(None, description="预计整治后亩均税收（万元/亩）")


class UpdateIn(BaseModel):
    version: Version
    progress: str = Field(max_length=2000, description="本月整治进展")


class CompleteIn(BaseModel):
    version: Version
    land: Figure = Field(description="实际腾出用地（亩）")
    energy: Figure = Field(description="实际腾出用能（吨标准煤）")
    land_use: str = Field("", max_length=500, description="腾出土地的用途")
    note: str = Field("", max_length=2000, description="说明")


class VerifyIn(BaseModel):
    version: Version
    passed: bool = Field(alias="pass", description="验收通过（true）或不通过（false）")
    reason: str = Field("", max_length=2000, description="不通过的理由（不通过时必填）")


class ReopenDismissalIn(BaseModel):
    reason: str = Field(max_length=2000, description="重新打开的理由")


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
    summary="筛查候选企业（本辖区，最新一次筛查）：待核实、已确认或已排除",
    response_model=schemas.ItemList[schemas.CandidateOut],
)
def get_candidates(
    ctx: Api,
    region: Region = "",
    year: Year = None,
    state: Annotated[
        Literal["candidate", "confirmed", "dismissed"], Query(description="候选状态")
    ] = "candidate",
    rule: Annotated[str, Query(max_length=60, description="命中的筛查规则")] = "",
    mujun_class: Annotated[str, Query(max_length=2, description="亩均效益类别 A–D")] = "",
    carbon_grade: Annotated[int | None, Query(ge=1, le=5, description="碳效等级 1–5")] = None,
) -> dict[str, Any]:
    rows = cases.list_candidates(
        ctx.caller,
        region=region,
        year=year,
        state=state,
        rule=rule,
        mujun_class=mujun_class,
        carbon_grade=carbon_grade,
    )
    return {"items": rows, "total": len(rows)}


@api.get(
    "/board",
    summary="整治工作看板：各状态户数、逾期、待验收、腾出用地和用能、逐月完成和验收、分县汇总",
    response_model=schemas.CaseBoardOut,
)
def get_board(ctx: Api, region: Region = "", year: Year = None) -> dict[str, Any]:
    return cases.board(ctx.caller, region=region, year=year)


@api.get(
    "/outcomes",
    summary="已验收案件的整治成效：整治前后的亩均效益类别和碳效等级",
    response_model=schemas.ItemList[schemas.CaseOutcomeOut],
)
def get_outcomes(
    ctx: Api,
    region: Region = "",
    year: Year = None,
    still_poor: Annotated[bool, Query(description="只列仍为 D 类或碳效 5 级的企业")] = False,
) -> dict[str, Any]:
    rows = cases.outcomes(ctx.caller, region=region, year=year, still_poor=still_poor)
    return {"items": rows, "total": len(rows)}


@api.get(
    "/evidence/{evidence_id}",
    summary="下载整治进展的佐证文件",
    response_class=FileResponse,
    responses={200: {"content": {"application/octet-stream": {}}}},
)
def get_evidence(ctx: Api, evidence_id: EvidenceId) -> FileResponse:
    path, name = cases.evidence_file(ctx.caller, evidence_id)
    return FileResponse(path, filename=name)


@api.get(
    "/template",
    summary="导出本县整治案件批量填报表（xlsx）",
    response_class=FileResponse,
    responses={200: {"content": {files.XLSX: {}}}},
)
def get_template(ctx: Api, region: Region, year: Annotated[int, Query(ge=2000, le=2100)]) -> Any:
    path, name = cases.template_file(ctx.caller, region, year)
    return files.temporary_download(path, name)


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
    "/candidates/{candidate_id}/reopen",
    summary="上一级重新打开被排除的筛查候选（须说明理由）",
    response_model=schemas.CandidateOut,
)
def post_reopen_dismissal(
    ctx: Api, candidate_id: CandidateId, body: ReopenDismissalIn
) -> dict[str, Any]:
    return cases.reopen_dismissal(ctx.caller, candidate_id, body.reason)


@api.post(
    "/import",
    summary="导入整治案件批量填报表：整份写入或整份拒收，问题注明工作表、行和列",
    response_model=schemas.CaseImportOut,
    responses=WRITE,
)
async def post_import(
    ctx: Api,
    file: Annotated[UploadFile, File(description="case template 导出并填好的 xlsx")],
    dry_run: Annotated[bool, Form(description="只检查，不写入")] = False,
) -> dict[str, Any]:
    path = await files.read_upload(ctx, file)
    try:
        rows = await run_in_threadpool(
            cases.import_file, ctx.caller, path, source=file.filename, dry_run=dry_run
        )
    finally:
        shutil.rmtree(path.parent, ignore_errors=True)
    return {"dry_run": dry_run, "items": rows, "total": len(rows)}


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
        expected_tax_per_mu=body.tax,
    )
    return cases.plan(ctx.caller, case_id, body.version, p)


@api.post(
    "/{case_id}/update",
    summary="报告整治进展（JSON 或表单；multipart 可附佐证文件 evidence）",
    response_model=CaseOut,
    responses=WRITE,
    openapi_extra={
        "requestBody": {
            "content": {
                "application/json": {"schema": UpdateIn.model_json_schema()},
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "required": ["version", "progress"],
                        "properties": {
                            "version": {"type": "integer"},
                            "progress": {"type": "string"},
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
async def post_update(request: Request, ctx: Api, case_id: CaseId) -> dict[str, Any]:
    """Evidence files: pdf, docx, xlsx, png, jpg (content checked, 422)."""
    kind = request.headers.get("content-type", "")
    uploads: list[StarletteUpload] = []
    if kind.startswith(("multipart/form-data", "application/x-www-form-urlencoded")):
        form = await request.form()
        uploads = [f for f in form.getlist("evidence") if isinstance(f, StarletteUpload)]
        data: Any = {k: form.get(k) for k in ("version", "progress") if form.get(k) is not None}
    else:
        try:
            data = await request.json()
        except ValueError:
            raise Invalid("请求体应为 JSON 或表单（multipart/form-data）") from None
    try:
        body = UpdateIn.model_validate(data)
    except ValidationError as exc:
        where = "；".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise Invalid(f"请求内容有误：{where}（应有 version、progress，可附 evidence）") from None
    async with files.saved_uploads(ctx, uploads) as saved:
        return await run_in_threadpool(
            cases.update, ctx.caller, case_id, body.version, body.progress, evidence=saved
        )


@api.post(
    "/{case_id}/complete",
    summary="完成整治，填报实际腾出的用地和用能",
    response_model=CaseOut,
    responses=WRITE,
)
def post_complete(ctx: Api, case_id: CaseId, body: CompleteIn) -> dict[str, Any]:
    return cases.complete(
        ctx.caller, case_id, body.version, body.land, body.energy, body.note, land_use=body.land_use
    )


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
