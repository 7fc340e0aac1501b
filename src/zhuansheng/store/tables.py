"""The operational store's tables (SQLAlchemy 2 ORM; the same schema on SQLite and PostgreSQL).

Observations are append-only: a correction is a new revision, the old row stays. Names follow
GLOSSARY.md. Money is in 万元 (``_wan``), land in 亩 (``_mu``), energy in tce.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

# Deterministic constraint names so Alembic migrations are identical on every database.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {dict[str, Any]: JSON, list[str]: JSON}  # noqa: RUF012


def _now() -> datetime:
    return datetime.now().astimezone()


# --- reference -------------------------------------------------------------------------------


class Region(Base):
    __tablename__ = "regions"
    code: Mapped[str] = mapped_column(String(6), primary_key=True)
    name_zh: Mapped[str] = mapped_column(String(40))
    level: Mapped[str] = mapped_column(String(10))  # province | city | county
    parent_code: Mapped[str | None] = mapped_column(ForeignKey("regions.code"))
    kind: Mapped[str] = mapped_column(String(12))
    mountain26: Mapped[bool] = mapped_column(Boolean, default=False)
    note: Mapped[str] = mapped_column(Text, default="")


class Industry(Base):
    __tablename__ = "industries"
    code: Mapped[str] = mapped_column(String(4), primary_key=True)
    level: Mapped[str] = mapped_column(String(10))  # division | group | class
    parent_code: Mapped[str | None] = mapped_column(String(4))
    name_zh: Mapped[str] = mapped_column(String(60))
    name_en: Mapped[str] = mapped_column(String(160))
    traditional: Mapped[bool] = mapped_column(Boolean, default=False)
    zj_group: Mapped[str] = mapped_column(String(80), default="")
    verification: Mapped[str] = mapped_column(String(30), default="")
    note: Mapped[str] = mapped_column(Text, default="")


class Pilot(Base):
    __tablename__ = "pilots"
    pilot_id: Mapped[str] = mapped_column(String(10), primary_key=True)
    county_code: Mapped[str] = mapped_column(ForeignKey("regions.code"))
    industry_name: Mapped[str] = mapped_column(String(60))
    industry_codes: Mapped[list[str]] = mapped_column(JSON)
    batch_year: Mapped[int | None] = mapped_column(Integer)
    verification: Mapped[str] = mapped_column(String(30))
    demo_only: Mapped[bool] = mapped_column(Boolean, default=False)
    source: Mapped[str] = mapped_column(Text, default="")
    note: Mapped[str] = mapped_column(Text, default="")


# --- programme -------------------------------------------------------------------------------


class Programme(Base):
    __tablename__ = "programmes"
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    title_zh: Mapped[str] = mapped_column(Text)
    document: Mapped[str] = mapped_column(String(60), default="")
    source_file: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    loaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)


class ProgrammeItem(Base):
    """A goal, engineering area, task or safeguard, with its clause and the seed's wording."""

    __tablename__ = "programme_items"
    __table_args__ = (UniqueConstraint("year", "clause"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    year: Mapped[int] = mapped_column(ForeignKey("programmes.year", ondelete="CASCADE"))
    clause: Mapped[str] = mapped_column(String(30))
    item_kind: Mapped[str] = mapped_column(String(10))  # goal | area | task | safeguard
    number: Mapped[int | None] = mapped_column(Integer)
    area: Mapped[str | None] = mapped_column(String(10))
    title_zh: Mapped[str] = mapped_column(Text)
    text_zh: Mapped[str] = mapped_column(Text, default="")
    lead_units: Mapped[list[str]] = mapped_column(JSON, default=list)
    co_units: Mapped[list[str]] = mapped_column(JSON, default=list)


class Indicator(Base):
    __tablename__ = "indicators"
    id: Mapped[str] = mapped_column(String(60), primary_key=True)
    name_zh: Mapped[str] = mapped_column(Text)
    name_en: Mapped[str] = mapped_column(Text, default="")
    unit: Mapped[str] = mapped_column(String(20))
    source: Mapped[str] = mapped_column(String(12))  # registry|project|statistic|enterprise|cases
    aggregation: Mapped[str] = mapped_column(String(10))  # sum|ratio|growth|share|last
    definition: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class Target(Base):
    __tablename__ = "targets"
    __table_args__ = (UniqueConstraint("year", "target_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    year: Mapped[int] = mapped_column(ForeignKey("programmes.year", ondelete="CASCADE"))
    target_id: Mapped[str] = mapped_column(String(60))
    item_clause: Mapped[str] = mapped_column(String(30))
    clauses: Mapped[list[str]] = mapped_column(JSON)
    name_zh: Mapped[str] = mapped_column(Text)
    indicator_id: Mapped[str | None] = mapped_column(ForeignKey("indicators.id"))
    kind: Mapped[str] = mapped_column(String(20))
    value: Mapped[float | None] = mapped_column(Float)
    unit: Mapped[str] = mapped_column(String(20), default="")
    qualifier: Mapped[str | None] = mapped_column(String(10))
    tolerance: Mapped[float | None] = mapped_column(Float)
    tolerance_basis: Mapped[str | None] = mapped_column(String(12))  # relative_pct | points
    compare_to: Mapped[str | None] = mapped_column(String(60))
    seed_text: Mapped[str] = mapped_column(Text, default="")
    lead_units: Mapped[list[str]] = mapped_column(JSON, default=list)
    co_units: Mapped[list[str]] = mapped_column(JSON, default=list)


class Allocation(Base):
    """A target's share for one city or county (分解下达)."""

    __tablename__ = "allocations"
    __table_args__ = (UniqueConstraint("target_pk", "region_code"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    target_pk: Mapped[int] = mapped_column(ForeignKey("targets.id", ondelete="CASCADE"))
    region_code: Mapped[str] = mapped_column(ForeignKey("regions.code"))
    value: Mapped[float] = mapped_column(Float)
    source: Mapped[str] = mapped_column(Text, default="")
    synthetic: Mapped[bool] = mapped_column(Boolean, default=False)


class AllocationRevision(Base):
    """Every value an allocation has had (append-only): who set it, when, from which file and
    cell. ``allocations`` holds the current value for monitoring to read cheaply."""

    __tablename__ = "allocation_revisions"
    __table_args__ = (
        UniqueConstraint("target_pk", "region_code", "revision"),
        Index("ix_allocation_revisions_lookup", "target_pk", "region_code"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    target_pk: Mapped[int] = mapped_column(ForeignKey("targets.id", ondelete="CASCADE"))
    region_code: Mapped[str] = mapped_column(ForeignKey("regions.code"))
    value: Mapped[float] = mapped_column(Float)
    revision: Mapped[int] = mapped_column(Integer, default=1)
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)
    recorded_by: Mapped[str] = mapped_column(String(60))
    source_kind: Mapped[str] = mapped_column(String(10))  # file | demo | legacy
    source_name: Mapped[str] = mapped_column(Text, default="")
    source_sha256: Mapped[str | None] = mapped_column(String(64))
    source_cell: Mapped[str | None] = mapped_column(String(40))
    comment: Mapped[str] = mapped_column(Text, default="")
    synthetic: Mapped[bool] = mapped_column(Boolean, default=False)


class MilestoneReport(Base):
    """A responsible unit's progress report on a target without a number (工作任务进展)."""

    __tablename__ = "milestone_reports"
    __table_args__ = (Index("ix_milestone_reports_lookup", "target_pk", "period"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    target_pk: Mapped[int] = mapped_column(ForeignKey("targets.id", ondelete="CASCADE"))
    region_code: Mapped[str] = mapped_column(ForeignKey("regions.code"))
    period: Mapped[str] = mapped_column(String(7))
    status: Mapped[str] = mapped_column(String(12))  # not_started|in_progress|completed|delayed
    narrative: Mapped[str] = mapped_column(Text, default="")
    reported_by: Mapped[str] = mapped_column(String(60))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)
    synthetic: Mapped[bool] = mapped_column(Boolean, default=False)
    unit: Mapped[str] = mapped_column(String(60), default="")  # the responsible unit reporting
    review_status: Mapped[str] = mapped_column(
        String(12), default="submitted"
    )  # submitted | accepted | returned: only accepted reports count in monitoring
    reviewed_by: Mapped[str] = mapped_column(String(60), default="")
    reviewed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    return_reason: Mapped[str] = mapped_column(Text, default="")
    evidence: Mapped[list[MilestoneEvidence]] = relationship(
        back_populates="report", order_by="MilestoneEvidence.id"
    )


class MilestoneEvidence(Base):
    """A file attached to a milestone report, kept under the workspace by its SHA-256."""

    __tablename__ = "milestone_evidence"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    report_id: Mapped[int] = mapped_column(
        ForeignKey("milestone_reports.id", ondelete="CASCADE"), index=True
    )
    file_name: Mapped[str] = mapped_column(Text)
    stored_name: Mapped[str] = mapped_column(Text)  # relative to the workspace's var/
    sha256: Mapped[str] = mapped_column(String(64))
    size_bytes: Mapped[int] = mapped_column(Integer, default=0)
    report: Mapped[MilestoneReport] = relationship(back_populates="evidence")


# --- observations (append-only, every revision kept) ------------------------------------------


class Observation(Base):
    __tablename__ = "observations"
    __table_args__ = (
        UniqueConstraint("indicator_id", "region_code", "period", "revision"),
        Index("ix_observations_lookup", "indicator_id", "period", "region_code"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    indicator_id: Mapped[str] = mapped_column(ForeignKey("indicators.id"))
    region_code: Mapped[str] = mapped_column(ForeignKey("regions.code"))
    period: Mapped[str] = mapped_column(String(7))  # 2022-06 | 2022Q2 | 2022
    value: Mapped[float | None] = mapped_column(Float)
    numerator: Mapped[float | None] = mapped_column(Float)
    denominator: Mapped[float | None] = mapped_column(Float)
    revision: Mapped[int] = mapped_column(Integer, default=1)
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)
    recorded_by: Mapped[str] = mapped_column(String(60))
    source_kind: Mapped[str] = mapped_column(String(10))  # file | api | demo | engine
    source_name: Mapped[str] = mapped_column(Text, default="")
    source_sha256: Mapped[str | None] = mapped_column(String(64))
    source_cell: Mapped[str | None] = mapped_column(String(40))
    comment: Mapped[str] = mapped_column(Text, default="")
    synthetic: Mapped[bool] = mapped_column(Boolean, default=False)


# --- registries and project registers ---------------------------------------------------------


class Enterprise(Base):
    __tablename__ = "enterprises"
    uscc: Mapped[str] = mapped_column(String(18), primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    county_code: Mapped[str] = mapped_column(ForeignKey("regions.code"))
    industry_code: Mapped[str] = mapped_column(String(4))
    scale: Mapped[str] = mapped_column(String(5))  # above | below
    synthetic: Mapped[bool] = mapped_column(Boolean, default=False)


class RegistryEntry(Base):
    """A recognised entity (未来工厂, 专精特新, 品字标 …) with its region and recognition date."""

    __tablename__ = "registry_entries"
    __table_args__ = (
        UniqueConstraint("registry_kind", "name", "region_code", "recognised_on"),
        Index("ix_registry_lookup", "registry_kind", "recognised_on"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    registry_kind: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(Text)
    uscc: Mapped[str | None] = mapped_column(String(18))
    region_code: Mapped[str] = mapped_column(ForeignKey("regions.code"))
    recognised_on: Mapped[date] = mapped_column(Date)
    batch: Mapped[str] = mapped_column(String(60), default="")
    source: Mapped[str] = mapped_column(Text, default="")
    synthetic: Mapped[bool] = mapped_column(Boolean, default=False)


class Project(Base):
    """A project in a register (数字化技改, 节能降碳, 废气治理, 强链补链, 首台套 …)."""

    __tablename__ = "projects"
    __table_args__ = (Index("ix_projects_lookup", "project_kind", "started_on"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    project_kind: Mapped[str] = mapped_column(String(40))
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(Text)
    uscc: Mapped[str | None] = mapped_column(String(18))
    region_code: Mapped[str] = mapped_column(ForeignKey("regions.code"))
    status: Mapped[str] = mapped_column(String(12))  # planned | started | completed
    started_on: Mapped[date | None] = mapped_column(Date)
    completed_on: Mapped[date | None] = mapped_column(Date)
    planned_investment_wan: Mapped[float] = mapped_column(Float, default=0.0)
    # 重大项目: size class from the total investment (programme/data/project_sizes.yaml), the
    # official in charge (一局长一项目) and the planned dates the start warning is checked against
    size_class: Mapped[str | None] = mapped_column(String(12))
    official_in_charge: Mapped[str | None] = mapped_column(String(60))
    official_post: Mapped[str | None] = mapped_column(String(120))
    planned_start_on: Mapped[date | None] = mapped_column(Date)
    planned_completion_on: Mapped[date | None] = mapped_column(Date)
    source: Mapped[str] = mapped_column(Text, default="")
    synthetic: Mapped[bool] = mapped_column(Boolean, default=False)
    investments: Mapped[list[ProjectInvestment]] = relationship(back_populates="project")
    plans: Mapped[list[ProjectPlan]] = relationship(back_populates="project")


class ProjectInvestment(Base):
    """Investment completed in one month, so year-to-date sums can be taken for any period."""

    __tablename__ = "project_investments"
    __table_args__ = (UniqueConstraint("project_id", "month"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    month: Mapped[str] = mapped_column(String(7))  # 2022-06
    invested_wan: Mapped[float] = mapped_column(Float)
    project: Mapped[Project] = relationship(back_populates="investments")


class ProjectPlan(Base):
    """Investment planned for one month (the yearly plan by month a major project reports)."""

    __tablename__ = "project_plans"
    __table_args__ = (UniqueConstraint("project_id", "month"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    month: Mapped[str] = mapped_column(String(7))  # 2022-06
    planned_wan: Mapped[float] = mapped_column(Float)
    project: Mapped[Project] = relationship(back_populates="plans")


# --- rectification cases ----------------------------------------------------------------------


class Case(Base):
    """One 高耗低效 enterprise's rectification (整治提升), a state machine with history."""

    __tablename__ = "cases"
    __table_args__ = (UniqueConstraint("uscc", "year"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    uscc: Mapped[str] = mapped_column(ForeignKey("enterprises.uscc"))
    county_code: Mapped[str] = mapped_column(ForeignKey("regions.code"))
    year: Mapped[int] = mapped_column(Integer)
    # confirmed|planned|in_progress|completed|verified|reopened ("listed": an older confirmed)
    status: Mapped[str] = mapped_column(String(12))
    outcome: Mapped[str | None] = mapped_column(String(16))  # upgrade|merger|land_recovered|…
    reason: Mapped[str] = mapped_column(Text, default="")
    plan: Mapped[str] = mapped_column(Text, default="")
    opened_on: Mapped[date] = mapped_column(Date)
    closed_on: Mapped[date | None] = mapped_column(Date)
    freed_land_mu: Mapped[float] = mapped_column(Float, default=0.0)
    freed_energy_tce: Mapped[float] = mapped_column(Float, default=0.0)
    synthetic: Mapped[bool] = mapped_column(Boolean, default=False)
    # the plan (一企一策) and the lifecycle, see zhuansheng.collect.cases
    measure: Mapped[str | None] = mapped_column(String(16))  # upgrade|merger|land_recovered|…
    actions: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)  # what, deadline
    responsible: Mapped[str] = mapped_column(Text, default="")
    planned_on: Mapped[date | None] = mapped_column(Date)
    expected_land_mu: Mapped[float | None] = mapped_column(Float)
    expected_energy_tce: Mapped[float | None] = mapped_column(Float)
    progress: Mapped[str] = mapped_column(Text, default="")
    expected_tax_per_mu: Mapped[float | None] = mapped_column(Float)  # 预计整治后亩均税收（万元）
    land_use: Mapped[str] = mapped_column(Text, default="")  # what now uses the freed land
    verified_on: Mapped[date | None] = mapped_column(Date)
    # optimistic locking: every update names the version it read
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    events: Mapped[list[CaseEvent]] = relationship(back_populates="case", order_by="CaseEvent.id")


class CaseEvent(Base):
    __tablename__ = "case_events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    at: Mapped[date] = mapped_column(Date)
    from_status: Mapped[str | None] = mapped_column(String(12))
    to_status: Mapped[str] = mapped_column(String(12))
    actor: Mapped[str] = mapped_column(String(60))
    note: Mapped[str] = mapped_column(Text, default="")
    action: Mapped[str | None] = mapped_column(String(12))  # plan|update|complete|verify|…
    recorded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))  # None: older
    case: Mapped[Case] = relationship(back_populates="events")
    evidence: Mapped[list[CaseEvidence]] = relationship(order_by="CaseEvidence.id")


class CaseEvidence(Base):
    """A file attached to a case's progress update, kept under the workspace by its SHA-256."""

    __tablename__ = "case_evidence"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("case_events.id", ondelete="CASCADE"))
    file_name: Mapped[str] = mapped_column(Text)
    stored_name: Mapped[str] = mapped_column(Text)  # relative to the workspace's var/
    sha256: Mapped[str] = mapped_column(String(64))
    size_bytes: Mapped[int] = mapped_column(Integer, default=0)


# --- data collection: imports and the submission workflow -------------------------------------


class ImportBatch(Base):
    """One accepted file (or API call): what was read, by whom, and what it changed."""

    __tablename__ = "import_batches"
    __table_args__ = (Index("ix_import_batches_sha", "sha256"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(20))  # observations | registry | projects
    file_name: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    size_bytes: Mapped[int] = mapped_column(Integer, default=0)
    region_code: Mapped[str | None] = mapped_column(ForeignKey("regions.code"))
    period: Mapped[str | None] = mapped_column(String(7))
    template_version: Mapped[str | None] = mapped_column(String(20))
    imported_by: Mapped[str] = mapped_column(String(60))
    imported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)
    rows_written: Mapped[int] = mapped_column(Integer, default=0)
    rows_unchanged: Mapped[int] = mapped_column(Integer, default=0)
    warnings: Mapped[list[str]] = mapped_column(JSON, default=list)  # accepted with a comment


class Submission(Base):
    """A region's data for a period on its way up: draft → submitted → approved → accepted."""

    __tablename__ = "submissions"
    __table_args__ = (UniqueConstraint("region_code", "period"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    region_code: Mapped[str] = mapped_column(ForeignKey("regions.code"))
    period: Mapped[str] = mapped_column(String(7))
    status: Mapped[str] = mapped_column(String(12))  # draft|submitted|returned|approved|accepted
    locked: Mapped[bool] = mapped_column(Boolean, default=False)
    first_submitted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)
    events: Mapped[list[SubmissionEvent]] = relationship(
        back_populates="submission", order_by="SubmissionEvent.id"
    )


class SubmissionEvent(Base):
    __tablename__ = "submission_events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)
    actor: Mapped[str] = mapped_column(String(60))
    action: Mapped[str] = mapped_column(String(12))  # save|submit|return|approve|accept|unlock
    from_status: Mapped[str | None] = mapped_column(String(12))
    to_status: Mapped[str] = mapped_column(String(12))
    reason: Mapped[str] = mapped_column(Text, default="")
    # the newest observation id when the step was taken: what a submit sent up, by id not clock
    observation_mark: Mapped[int | None] = mapped_column(Integer)
    submission: Mapped[Submission] = relationship(back_populates="events")


# --- enterprise evaluations ---------------------------------------------------------------------


class EvaluationRun(Base):
    """One run of an enterprise method (carbon, 亩均, screening) over a year of the lake."""

    __tablename__ = "evaluation_runs"
    run_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    method: Mapped[str] = mapped_column(String(12))  # carbon | mujun | screen
    year: Mapped[int] = mapped_column(Integer)
    method_file: Mapped[str] = mapped_column(Text)
    method_version: Mapped[str] = mapped_column(String(40), default="")
    method_sha256: Mapped[str] = mapped_column(String(64))
    engine: Mapped[str] = mapped_column(String(10))  # duckdb | spark
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    enterprises: Mapped[int] = mapped_column(Integer, default=0)
    output_path: Mapped[str] = mapped_column(Text, default="")
    summary: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    synthetic: Mapped[bool] = mapped_column(Boolean, default=False)


class ScreeningCandidate(Base):
    """An enterprise a 高耗低效 screening rule matched, awaiting verification (核实)."""

    __tablename__ = "screening_candidates"
    __table_args__ = (UniqueConstraint("run_id", "uscc"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    run_id: Mapped[str] = mapped_column(ForeignKey("evaluation_runs.run_id", ondelete="CASCADE"))
    uscc: Mapped[str] = mapped_column(String(18))
    name: Mapped[str] = mapped_column(Text, default="")
    county_code: Mapped[str] = mapped_column(ForeignKey("regions.code"))
    industry_code: Mapped[str] = mapped_column(String(4))
    year: Mapped[int] = mapped_column(Integer)
    rules: Mapped[list[str]] = mapped_column(JSON)  # ids of the rules that matched
    freed_land_mu: Mapped[float] = mapped_column(Float, default=0.0)  # expected if rectified
    freed_energy_tce: Mapped[float] = mapped_column(Float, default=0.0)
    status: Mapped[str] = mapped_column(
        String(12), default="candidate"
    )  # candidate|confirmed|dismissed
    note: Mapped[str] = mapped_column(Text, default="")
    dismiss_reason: Mapped[str | None] = mapped_column(String(20))  # see collect.cases
    reviewed_by: Mapped[str | None] = mapped_column(String(60))
    synthetic: Mapped[bool] = mapped_column(Boolean, default=False)


# --- people and accountability ----------------------------------------------------------------


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(60), unique=True)
    display_name: Mapped[str] = mapped_column(String(60), default="")
    role: Mapped[str] = mapped_column(String(20))  # province_admin | province_analyst | city | …
    region_code: Mapped[str | None] = mapped_column(ForeignKey("regions.code"))
    password_hash: Mapped[str] = mapped_column(Text, default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # department accounts: the responsible units (units.yaml names) the account speaks for
    units: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)


class WebSession(Base):
    """A browser session of the web app. The cookie holds a random id and the store only its
    SHA-256, so a copy of the store opens no session; every server process shares them."""

    __tablename__ = "web_sessions"
    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    csrf: Mapped[str] = mapped_column(String(64))
    username: Mapped[str | None] = mapped_column(String(60), index=True)  # None: not signed in
    last_seen: Mapped[float] = mapped_column(Float)  # seconds since the epoch


class AuditLog(Base):
    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)
    actor: Mapped[str] = mapped_column(String(60))
    action: Mapped[str] = mapped_column(String(40))
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[str] = mapped_column(String(80), default="")
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class AssessmentRun(Base):
    """One regional evaluation (季度运行评价 / 年度综合评估) with the scheme text it used, so a
    published ranking can be shown again and reproduced."""

    __tablename__ = "assessment_runs"
    run_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    period: Mapped[str] = mapped_column(String(7))  # 2022Q2 | 2022
    level: Mapped[str] = mapped_column(String(10))  # city | county | pilot
    scheme_id: Mapped[str] = mapped_column(String(60))
    scheme_version: Mapped[str] = mapped_column(String(40))
    scheme_sha256: Mapped[str] = mapped_column(String(64))
    scheme_text: Mapped[str] = mapped_column(Text)
    seed: Mapped[int] = mapped_column(Integer)
    sensitivity: Mapped[int] = mapped_column(Integer, default=0)  # Monte Carlo draws
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)
    created_by: Mapped[str] = mapped_column(String(60), default="")
    result: Mapped[dict[str, Any]] = mapped_column(JSON)  # rows, indicators, summary, notes
    synthetic: Mapped[bool] = mapped_column(Boolean, default=False)
    # the scheme was a draft (status: draft), used only on request: the results say so
    draft: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
