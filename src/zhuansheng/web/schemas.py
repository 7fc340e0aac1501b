"""Response models of the REST API (``/api/v1``): what ``/openapi.json`` documents.

Models allow extra keys, so a field added by a service reaches the caller before it is
documented here, instead of being dropped."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field, WithJsonSchema

T = TypeVar("T")

# The forms ``zhuansheng.periods.parse_period`` accepts: 2022-06 (month), 2022Q2, 2022 (year).
PERIOD_PATTERN = r"^\d{4}(-(0[1-9]|1[0-2])|Q[1-4])?$"
# Enforced where the API declares a period (query, path, form, JSON body): a period of another
# form is refused (422, the parameter named) before any service runs. Repeated beside the
# ``anyOf`` of an optional parameter, where the pattern constrains only the string branch.
PERIOD_SCHEMA: dict[str, Any] = {"pattern": PERIOD_PATTERN, "examples": ["2022-06"]}
PERIOD_HINT = "期间应为 2022-06（月）、2022Q2（季）或 2022（年）"


# The store keeps local (Beijing) times without an offset, as ``2022-07-10T09:00:00``: not an
# RFC 3339 ``date-time``, which needs one, so documented as the string it is.
LocalTime = Annotated[
    dt.datetime,
    WithJsonSchema(
        {
            "type": "string",
            "pattern": r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?$",
            "description": "本地时间（北京时间，不带时区），如 2022-07-10T09:00:00",
        }
    ),
]


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
        400: "请求有误（如该期间没有数据或无法评价、操作不适用于当前状态）",
        401: "未登录或令牌无效",
        403: "超出数据范围或角色权限，或缺少 CSRF 令牌",
        404: "不存在",
        409: "与当前状态冲突（如该期填报已锁定）",
        422: "参数校验失败（如期间格式不对，problems 指明参数），或上传的文件被整份拒收"
        "（附逐条问题）",
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
    recorded_at: LocalTime
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


# --- allocations -----------------------------------------------------------------------------


class AllocationOut(Out):
    year: int
    target: str
    region: str
    value: float
    target_name: str
    region_name: str
    level: str
    kind: str
    unit: str | None = None
    province_value: float | None = None
    revision: int | None = Field(None, description="当前值的修订版本号")
    recorded_by: str = ""
    recorded_at: LocalTime | None = None
    source: str = ""
    synthetic: bool = False


class AllocationList(Out):
    year: int | None = None
    items: list[AllocationOut]
    total: int


class AllocationRevisionOut(Out):
    revision: int
    value: float
    recorded_at: LocalTime
    recorded_by: str
    source_kind: str
    source_name: str = ""
    source_sha256: str | None = None
    source_cell: str | None = None
    comment: str = ""
    synthetic: bool = False


class AllocationHistory(Out):
    year: int
    target: str
    region: str
    items: list[AllocationRevisionOut]


class AllocationImportOut(Out):
    file_name: str
    rows: int
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
    started_at: LocalTime | None = None
    finished_at: LocalTime | None = None
    enterprises: int | None = None
    synthetic: bool = False
    fallbacks: list[dict[str, Any]] = Field(
        [], description="按方法文件规定使用的替代值（年度参数缺值时）；空表示全部用当年的值"
    )


class EvaluationDetail(EvaluationRunOut):
    summary: dict[str, Any] | None = None


# Rows of an evaluation's result file and of the screening list: columns depend on the method.
ResultRow = dict[str, Any]


class MajorProjectOut(Out):
    code: str
    name: str
    region_code: str
    region_name: str
    size_class: str = Field(description="over_1bn 10亿元以上 | over_100m 1亿元以上 | under_100m")
    status: str
    official_in_charge: str | None = Field(None, description="联系领导（一局长一项目）")
    official_post: str | None = None
    planned_investment_wan: float
    planned_start_on: dt.date | None = None
    started_on: dt.date | None = None
    planned_completion_on: dt.date | None = None
    planned_ytd_wan: float = Field(description="年初至所查月份计划投资累计（万元）")
    actual_ytd_wan: float = Field(description="年初至所查月份完成投资累计（万元）")
    lag_pct: float | None = Field(None, description="(计划 − 完成) ÷ 计划 × 100")
    warnings: list[str] = Field(description="investment_lag | start_overdue")
    synthetic: bool = False


class MajorProjectsOut(Page[MajorProjectOut]):
    month: str


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
    at: LocalTime
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
    at: LocalTime
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
    draft: bool  # the scheme was a draft: 评价方案为草案
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
    modified: LocalTime
    download: str = Field(description="下载地址（/api/v1/reports/{name}）")


class ReportsWritten(Out):
    kind: str
    period: str
    region: str
    files: list[ReportFileOut]


# --- milestone progress reports -------------------------------------------------------------


class EvidenceOut(Out):
    id: int
    file_name: str
    sha256: str
    size_bytes: int


class MilestoneReportOut(Out):
    id: int
    year: int
    target: str
    target_name: str
    clause: str
    period: str = Field(description="月 2023-03 或季 2023Q1")
    unit: str = Field(description="报送的责任单位")
    status: str = Field(description="not_started | in_progress | completed | delayed")
    status_zh: str
    narrative: str
    review_status: str = Field(description="submitted 待审核 | accepted 已确认 | returned 已退回")
    review_zh: str
    reported_by: str
    recorded_at: LocalTime
    reviewed_by: str
    reviewed_at: LocalTime | None = None
    return_reason: str
    evidence: list[EvidenceOut]


# --- 高耗低效 cases --------------------------------------------------------------------------


class RectificationCaseOut(Out):
    case_id: int
    uscc: str
    name: str
    region: str = Field(description="县（市、区）代码")
    year: int
    state: str = Field(
        description="confirmed | planned | in_progress | completed | verified | reopened"
    )
    state_zh: str
    measure: str | None = Field(
        None, description="upgrade | merger | land_recovered | relocated | closed"
    )
    measure_zh: str | None = None
    version: int = Field(description="版本号：修改时原样交回，防止覆盖他人修改")
    overdue: bool = Field(False, description="逾期：方案最后期限已过而未完成整治")
    deadline: dt.date | None = Field(None, description="方案的最后期限")
    opened_on: dt.date | None = None
    closed_on: dt.date | None = Field(None, description="整治完成日期")
    verified_on: dt.date | None = Field(None, description="验收通过日期")
    responsible: str | None = None
    planned_on: dt.date | None = None
    actions: list[dict[str, Any]] = Field(description="整改措施及截止日期 action、deadline")
    expected_land_mu: float | None = None
    expected_energy_tce: float | None = None
    freed_land_mu: float | None = None
    freed_energy_tce: float | None = None
    expected_tax_per_mu: float | None = Field(None, description="预计整治后亩均税收（万元/亩）")
    land_use: str | None = Field(None, description="腾出土地的用途")
    progress: str | None = None
    reason: str | None = None
    allowed: list[str] = Field(description="当前状态下可执行的操作")
    land_check: str | None = Field(None, description="腾出用地与企业用地的核对（方案、完成时）")


class CaseEvidenceOut(Out):
    evidence_id: int
    file_name: str
    size_bytes: int


class RectificationEventOut(Out):
    at: dt.date
    recorded_at: LocalTime | None = None
    action: str | None = None
    from_state: str | None = None
    to_state: str | None = None
    actor: str
    note: str | None = None
    evidence: list[CaseEvidenceOut] = []


class StandingOut(Out):
    year: int | None = None
    mujun_score: float | None = None
    mujun_class: str | None = None
    carbon_grade: int | None = None


class RectificationCaseDetailOut(RectificationCaseOut):
    events: list[RectificationEventOut]
    may: list[str] = Field(description="当前状态下本调用者可执行的操作")
    before: StandingOut = Field(description="列入整治名单当年的亩均效益和碳效")
    after: StandingOut = Field(description="最新评价年度的亩均效益和碳效")
    still_poor: bool = Field(description="整治后仍为亩均 D 类或碳效 5 级")
    warning: str


class CaseOutcomeOut(RectificationCaseOut):
    before: StandingOut
    after: StandingOut
    still_poor: bool
    warning: str


class CaseImportRowOut(RectificationCaseOut):
    row: int = Field(description="工作表中的行号")
    action: str = Field(description="plan | update | complete")


class CaseImportOut(Out):
    dry_run: bool = Field(description="只检查、未写入")
    items: list[CaseImportRowOut]
    total: int


class CaseTallyOut(Out):
    cases: int
    by_state: dict[str, int]
    overdue: int
    awaiting_verification: int = Field(description="已完成、待验收")
    expected_land_mu: float
    expected_energy_tce: float
    freed_land_mu: float = Field(description="已完成和已验收案件腾出的用地（亩）")
    freed_energy_tce: float
    verified_land_mu: float = Field(description="已验收案件腾出的用地（亩）")
    verified_energy_tce: float


class CaseCountyOut(CaseTallyOut):
    region: str


class CaseMonthOut(Out):
    month: str
    completed: int
    verified: int


class CaseBoardOut(Out):
    region: str
    year: int | None = None
    on: dt.date = Field(description="逾期的判断日期")
    total: CaseTallyOut
    by_month: list[CaseMonthOut]
    cities: list[CaseCountyOut] = Field(description="分设区市汇总")
    counties: list[CaseCountyOut] = Field(description="分县（市、区）汇总")


class CandidateOut(Out):
    candidate_id: int
    case_id: int | None = Field(None, description="确认列入后的案件编号")
    uscc: str
    name: str
    region: str
    year: int
    state: str = Field(description="candidate | confirmed | dismissed")
    rules: list[str] = Field(description="命中的筛查规则")
    industry_code: str | None = None
    mujun_class: str | None = Field(None, description="亩均效益类别（该次筛查）")
    mujun_score: float | None = None
    carbon_grade: int | None = Field(None, description="碳效等级（该次筛查）")
    expected_land_mu: float | None = None
    expected_energy_tce: float | None = None
    dismiss_reason: str | None = None
    dismiss_reason_zh: str | None = None
    note: str | None = None
    reviewed_by: str | None = None
