"""Response models of the REST API (``/api/v1``): what ``/openapi.json`` documents.

Models allow extra keys, so a field added by a service reaches the caller before it is
documented here, instead of being dropped."""

from __future__ import annotations

import datetime as dt
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

T = TypeVar("T")

# The forms ``zhuansheng.periods.parse_period`` accepts: 2022-06 (month), 2022Q2, 2022 (year).
PERIOD_PATTERN = r"^\d{4}(-(0[1-9]|1[0-2])|Q[1-4])?$"
# Documented, not enforced by the schema layer: parse_period answers a wrong period with 400
# and a message naming the accepted forms.
PERIOD_SCHEMA: dict[str, Any] = {"pattern": PERIOD_PATTERN, "examples": ["2022-06"]}


class Out(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True)


# --- errors --------------------------------------------------------------------------------


class ProblemOut(Out):
    message: str
    where: str | None = None
    hint: str | None = None
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    level: str | None = None


class ErrorDetail(Out):
    status: int = Field(description="HTTP 状态码")
    message: str
    problems: list[ProblemOut] | None = Field(None, description="逐条问题（校验失败时）")


class ErrorBody(Out):
    error: ErrorDetail


def errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    """``responses=`` entries documenting the error body for these statuses."""
    text = {
        400: "请求有误（如期间格式不对）",
        401: "未登录或令牌无效",
        403: "超出数据范围或角色权限，或缺少 CSRF 令牌",
        404: "不存在",
        409: "与当前状态冲突（如该期填报已锁定）",
        422: "参数校验失败，或上传的文件被整份拒收（附逐条问题）",
    }
    return {c: {"model": ErrorBody, "description": text[c]} for c in codes}


# --- paging --------------------------------------------------------------------------------


class Page(Out, Generic[T]):
    items: list[T]
    page: int
    page_size: int
    total: int


class ItemList(Out, Generic[T]):
    items: list[T]
    total: int


# --- programme and regions -----------------------------------------------------------------


class TargetOut(Out):
    id: str
    clause: list[str]
    name_zh: str
    kind: str
    value: int | float | None = None
    unit: str | None = None
    qualifier: str | None = None
    tolerance: int | float | None = None
    tolerance_basis: str | None = None
    indicator: str | None = None
    compare_to: str | None = None
    task: int | None = None
    area: str | None = None
    section: str | None = None
    item_clause: str | None = None
    item_title_zh: str | None = None
    lead_units: list[str] = []
    co_units: list[str] = []
    source: str | None = None
    aggregation: str | None = None
    seed_text: str | None = None
    note: str | None = None


class ProgrammeOut(Out):
    year: int
    title_zh: str
    targets: list[TargetOut]


class RegionOut(Out):
    code: str
    name_zh: str
    level: str
    parent_code: str | None = None
    mountain26: bool = False


# --- monitoring ----------------------------------------------------------------------------


class ProgressRowOut(Out):
    target: str
    clause: str
    name_zh: str
    kind: str
    indicator: str | None = None
    area: str | None = None
    task: int | None = None
    lead_units: str
    region: str
    region_name: str
    level: str
    period: str
    actual: float | None = None
    unit: str
    target_value: float | None = None
    target_source: str
    completion: float | None = None
    schedule: float | None = None
    pace: float | None = None
    progress_ratio: float | None = None
    status: str
    status_zh: str
    colour: str
    severity: int
    projection: float | None = None
    projection_method: str
    projected_status: str
    flag: str
    reporting_rate: float | None = None
    reported: int | None = Field(None, description="报送计入的县（市、区）数（统计指标）")
    expected: int | None = Field(None, description="该地区汇总的县（市、区）数")
    coverage_zh: str = Field("", description="如“83/90 地区已报送”（多县合计时）")
    rule: str | None = Field(None, description="状态的计算过程（仅 explain=true）")


class MonitorPage(Page[ProgressRowOut]):
    period: str
    count_from: str = Field(
        "submitted", description="统计口径：imported|submitted|approved|accepted"
    )
    basis_zh: str = Field("", description="统计口径的中文说明")


# --- observations --------------------------------------------------------------------------


class ObservationOut(Out):
    indicator: str
    region: str
    period: str
    value: float | None = None
    numerator: float | None = None
    denominator: float | None = None
    revision: int
    recorded_at: dt.datetime
    recorded_by: str | None = None
    source_kind: str | None = None
    source_name: str | None = None
    source_cell: str | None = None
    synthetic: bool = False


class ImportOut(Out):
    file_name: str
    region: str
    period: str
    written: int
    unchanged: int
    dry_run: bool
    batch_id: int | None = None
    warnings: list[str]


# --- enterprises ---------------------------------------------------------------------------


class EnterpriseOut(Out):
    uscc: str
    name: str
    county_code: str
    industry_code: str | None = None
    scale: str | None = None
    synthetic: bool = False


class EnterpriseDetail(EnterpriseOut):
    county_name: str | None = None


class ScreeningHitOut(Out):
    run_id: str
    year: int
    rules: list[str]
    status: str
    freed_land_mu: float | None = None
    freed_energy_tce: float | None = None


class CaseEventOut(Out):
    at: dt.date
    from_: str | None = Field(None, alias="from")
    to: str | None = None
    note: str | None = None


class CaseOut(Out):
    year: int
    status: str
    outcome: str | None = None
    reason: str | None = None
    plan: str | None = None
    opened_on: dt.date | None = None
    closed_on: dt.date | None = None
    events: list[CaseEventOut] = []


class EnterpriseProfile(Out):
    enterprise: EnterpriseDetail
    facts: list[dict[str, Any]] = Field(description="各年度的企业数据（数据湖）")
    mujun: dict[str, Any] | None = Field(None, description="最近一次亩均效益评价的结果")
    carbon: dict[str, Any] | None = Field(None, description="最近一次碳效码评价的结果")
    screening: list[ScreeningHitOut]
    cases: list[CaseOut]


# --- evaluations and lists -----------------------------------------------------------------


class EvaluationRunOut(Out):
    run_id: str
    method: str
    year: int
    engine: str | None = None
    method_file: str | None = None
    method_version: str | None = None
    started_at: dt.datetime | None = None
    finished_at: dt.datetime | None = None
    enterprises: int | None = None
    synthetic: bool = False


class EvaluationDetail(EvaluationRunOut):
    summary: dict[str, Any] | None = None


# Rows of an evaluation's result file and of the screening list: columns depend on the method.
ResultRow = dict[str, Any]


# --- submissions and audit -----------------------------------------------------------------


class ReportingRowOut(Out):
    region: str
    region_name: str
    period: str
    expected: int
    received: int
    on_time: int
    reporting_rate: float | None = None
    timeliness: float | None = None
    due: str


class ReportingOut(ItemList[ReportingRowOut]):
    period: str


class SubmissionEventOut(Out):
    at: dt.datetime
    actor: str | None = None
    action: str
    from_: str | None = Field(None, alias="from")
    to: str | None = None
    reason: str | None = None


class SubmissionOut(Out):
    region: str
    period: str
    status: str
    locked: bool
    events: list[SubmissionEventOut]


class SubmissionState(Out):
    region: str
    period: str
    status: str


class AuditEntryOut(Out):
    id: int
    at: dt.datetime
    actor: str
    action: str
    entity: str
    entity_id: str | None = None
    detail: dict[str, Any] | None = None


# --- regional assessment -------------------------------------------------------------------


class AssessmentRowOut(Out):
    region: str
    name: str
    score: float
    rank: int
    rank_change: int | None = None
    grade: str
    contributions: dict[str, float]
    rank_median: float | None = None
    rank_p05: float | None = None
    rank_p95: float | None = None
    bonus: float = 0.0
    penalty: float = 0.0
    adjustments: dict[str, float] = {}
    synthetic: bool = False
    county: str | None = Field(None, description="试点所在县（仅 level=pilot）")


class AssessmentOut(Page[AssessmentRowOut]):
    period: str
    level: str
    title_zh: str
    scheme_id: str
    scheme_version: str
    scheme_sha256: str
    aggregation: str
    weights: str
    seed: int | None = None
    draws: int
    synthetic: bool
    regions: int
    indicators: list[dict[str, Any]]
    sensitivity_summary: dict[str, Any] | None = None
    notes: list[str]


# --- reports -------------------------------------------------------------------------------


class ReportFileOut(Out):
    name: str
    kind: str
    kind_zh: str
    period: str
    region: str
    region_name: str
    format: str
    synthetic: bool
    size: int
    modified: dt.datetime
    download: str = Field(description="下载地址（/api/v1/reports/{name}）")


class ReportsWritten(Out):
    kind: str
    period: str
    region: str
    files: list[ReportFileOut]
