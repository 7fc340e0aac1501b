"""Progress reports of the responsible units on the milestone targets (工作任务进展).

A department reports, per milestone target and period (a month ``2023-03`` or a quarter
``2023Q1``), a status, a narrative and optional evidence files; the province accepts or returns
the report (a return needs a reason). Only accepted reports count in monitoring. Evidence files
are checked like every upload (``zhuansheng.uploads``: content matches the extension, size and
zip limits) and kept under the workspace by their SHA-256, written atomically.

Who may report or review is ``zhuansheng.access``'s answer, asked by the service; this module
holds the rules of the data: statuses, periods, lengths, files, the template and its import.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import xlsxwriter
from sqlalchemy import select
from sqlalchemy.orm import Session

from zhuansheng import atomic, uploads
from zhuansheng.errors import (
    Conflict,
    InputRejected,
    Invalid,
    NotFound,
    Problem,
    ZhuanshengError,
)
from zhuansheng.periods import parse_period
from zhuansheng.reference import PROVINCE_CODE
from zhuansheng.store import audit
from zhuansheng.store import tables as t

from . import evidence as evidence_files

# progress statuses (GLOSSARY: not_started, in_progress, completed, delayed) with their labels
STATUSES: dict[str, str] = {
    "not_started": "未启动",
    "in_progress": "推进中",
    "completed": "已完成",
    "delayed": "滞后",
}
# review of a report by the province (GLOSSARY: submitted, accepted, returned)
REVIEW: dict[str, str] = {"submitted": "待审核", "accepted": "已确认", "returned": "已退回"}
ROLE_ZH = {"lead": "牵头", "co": "配合"}
MAX_NARRATIVE = 2000
EVIDENCE_SUFFIXES = evidence_files.SUFFIXES
EVIDENCE_DIR = Path("milestones") / "evidence"  # under the workspace's var/
SHEET = "工作任务进展"
COLUMNS = ("目标代码", "条款", "工作任务", "责任", "期间", "进展状态", "进展情况")


@dataclass(frozen=True)
class Item:
    """A milestone target as one responsible unit sees it."""

    target_id: str
    pk: int
    year: int
    clause: str
    name_zh: str
    lead_units: tuple[str, ...]
    co_units: tuple[str, ...]

    @property
    def units(self) -> tuple[str, ...]:
        return self.lead_units + self.co_units

    def role(self, unit: str) -> str:
        return "lead" if unit in self.lead_units else "co"


@dataclass
class Draft:
    """One report as read from a command, a form or a template row, before it is written."""

    target_id: str
    period: str
    status: str
    narrative: str
    evidence: list[evidence_files.Evidence] = field(default_factory=list)


def _item(tr: t.Target) -> Item:
    return Item(
        tr.target_id,
        tr.id,
        tr.year,
        tr.item_clause,
        tr.name_zh,
        tuple(tr.lead_units or ()),
        tuple(tr.co_units or ()),
    )


def items(session: Session, year: int, units: Sequence[str] | None = None) -> list[Item]:
    """The year's milestone targets (all, or those where one of ``units`` is lead or co-unit)."""
    rows = session.scalars(
        select(t.Target)
        .where(t.Target.year == year, t.Target.kind == "milestone")
        .order_by(t.Target.id)
    )
    out = [_item(r) for r in rows]
    if units is not None:
        out = [i for i in out if set(i.units) & set(units)]
    return out


def item(session: Session, target_id: str, year: int) -> Item:
    tr = session.scalar(
        select(t.Target).where(t.Target.year == year, t.Target.target_id == target_id)
    )
    if tr is None:
        raise NotFound(
            f"{year} 年工作要点中没有目标 '{target_id}'；"
            "本单位的工作任务及其目标代码见 zhuansheng milestone template 生成的报送表"
        )
    if tr.kind != "milestone":
        raise Invalid(
            f"目标 '{target_id}'（{tr.name_zh}）有量化目标值，其进度来自统计数据和名单，"
            "不按工作任务进展报送；只有工作任务类目标（无量化目标）报送进展"
        )
    return _item(tr)


def check_period(text: str) -> str:
    """A month (``2023-03``) or a quarter (``2023Q1``); a year is too coarse for progress."""
    try:
        p = parse_period(text)
    except ZhuanshengError as exc:
        raise Invalid(str(exc)) from None
    if p.kind == "year":
        raise Invalid(
            f"期间 '{text}' 是全年；工作任务进展按月（如 {p.year}-03）或按季（如 {p.year}Q1）报送"
        )
    return p.code


def check_status(text: str) -> str:
    """A status code, also given as its Chinese label (未启动 / 推进中 / 已完成 / 滞后)."""
    value = (text or "").strip()
    if value in STATUSES:
        return value
    for code, zh in STATUSES.items():
        if value == zh:
            return code
    raise Invalid(
        f"进展状态 '{text}' 无法识别：应为 "
        + "、".join(f"{zh}（{code}）" for code, zh in STATUSES.items())
    )


def check_narrative(text: str) -> str:
    value = (text or "").strip()
    if not value:
        raise Invalid("请填写进展情况：本期做了什么、进展到哪一步（不超过 2000 字）")
    if len(value) > MAX_NARRATIVE:
        raise Invalid(
            f"进展情况共 {len(value)} 个字符，超过上限 {MAX_NARRATIVE} 个字符；请精简后再报送，"
            "详细材料可作为佐证文件上传"
        )
    return value


def check_evidence_files(files: Sequence[tuple[Path, str]]) -> list[evidence_files.Evidence]:
    return evidence_files.check_files(files, EVIDENCE_DIR, "进展报告")


def write(
    session: Session,
    draft: Draft,
    item_: Item,
    unit: str,
    user: str,
    var: Path,
    *,
    at: dt.datetime | None = None,
    synthetic: bool = False,
) -> t.MilestoneReport:
    """Add one report (awaiting review) with its evidence, audited, in ``session``."""
    report = t.MilestoneReport(
        target_pk=item_.pk,
        region_code=PROVINCE_CODE,
        period=draft.period,
        status=draft.status,
        narrative=draft.narrative,
        reported_by=user,
        unit=unit,
        review_status="submitted",
        synthetic=synthetic,
        **({"recorded_at": at} if at else {}),
    )
    session.add(report)
    session.flush()
    for e in draft.evidence:
        session.add(
            t.MilestoneEvidence(
                report_id=report.id,
                file_name=e.file_name[-200:],
                stored_name=e.stored_name,
                sha256=e.sha256,
                size_bytes=e.size_bytes,
            )
        )
    evidence_files.keep(var, draft.evidence)
    audit.record(
        session,
        user,
        "milestone.report",
        "milestone_report",
        str(report.id),
        at=at,
        detail={
            "target": item_.target_id,
            "period": draft.period,
            "status": draft.status,
            "unit": unit,
            "evidence": [e.sha256 for e in draft.evidence],
        },
    )
    return report


MAX_ID = 2**31 - 1  # the largest id the store's integer columns hold (SQLite and PostgreSQL)


def find(session: Session, report_id: int) -> t.MilestoneReport:
    """A report by its number; a number no report can have is simply not found."""
    report = session.get(t.MilestoneReport, report_id) if 0 < report_id <= MAX_ID else None
    if report is None:
        raise NotFound(f"没有编号为 {report_id} 的工作任务进展报告")
    return report


def review(
    session: Session,
    report_id: int,
    action: str,
    reason: str,
    user: str,
    *,
    at: dt.datetime | None = None,
) -> t.MilestoneReport:
    """Accept or return a report awaiting review (a return needs a reason), audited."""
    report = find(session, report_id)
    if action not in ("accept", "return"):
        raise Invalid(f"审核操作应为 accept（确认）或 return（退回），不是 '{action}'")
    reason = (reason or "").strip()
    if action == "return" and not reason:
        raise Invalid("退回进展报告须说明原因，以便责任单位修改后重新报送")
    if report.review_status != "submitted":
        raise Conflict(
            f"进展报告 {report_id} 当前为“{REVIEW[report.review_status]}”，只有待审核的报告可以"
            "确认或退回；如需更正，请责任单位重新报送"
        )
    report.review_status = "accepted" if action == "accept" else "returned"
    report.reviewed_by = user
    report.reviewed_at = at or dt.datetime.now().astimezone()
    report.return_reason = reason if action == "return" else ""
    audit.record(
        session,
        user,
        f"milestone.{action}",
        "milestone_report",
        str(report_id),
        at=at,
        detail={"reason": reason} if reason else None,
    )
    return report


def as_dict(r: t.MilestoneReport, tr: t.Target) -> dict[str, Any]:
    return {
        "id": r.id,
        "year": tr.year,
        "target": tr.target_id,
        "target_name": tr.name_zh,
        "clause": tr.item_clause,
        "period": r.period,
        "unit": r.unit,
        "status": r.status,
        "status_zh": STATUSES.get(r.status, r.status),
        "narrative": r.narrative,
        "review_status": r.review_status,
        "review_zh": REVIEW.get(r.review_status, r.review_status),
        "reported_by": r.reported_by,
        "recorded_at": r.recorded_at,
        "reviewed_by": r.reviewed_by,
        "reviewed_at": r.reviewed_at,
        "return_reason": r.return_reason,
        "evidence": [
            {"id": e.id, "file_name": e.file_name, "sha256": e.sha256, "size_bytes": e.size_bytes}
            for e in r.evidence
        ],
    }


def listing(
    session: Session, year: int, unit: str | None = None, status: str | None = None
) -> list[dict[str, Any]]:
    """The year's reports, newest first; ``status`` is a progress status or a review status."""
    q = (
        select(t.MilestoneReport, t.Target)
        .join(t.Target, t.Target.id == t.MilestoneReport.target_pk)
        .where(t.Target.year == year)
        .order_by(t.MilestoneReport.id.desc())
    )
    if unit:
        q = q.where(t.MilestoneReport.unit == unit)
    if status:
        if status in REVIEW:
            q = q.where(t.MilestoneReport.review_status == status)
        else:
            try:
                q = q.where(t.MilestoneReport.status == check_status(status))
            except Invalid as exc:
                review = "、".join(f"{zh}（{code}）" for code, zh in REVIEW.items())
                raise Invalid(f"{exc}；或审核状态 {review}") from None
    return [as_dict(r, tr) for r, tr in session.execute(q).all()]


def evidence_file(session: Session, evidence_id: int, var: Path) -> tuple[Path, str]:
    e = session.get(t.MilestoneEvidence, evidence_id) if 0 < evidence_id <= MAX_ID else None
    if e is None or not (Path(var) / e.stored_name).is_file():
        raise NotFound(f"没有编号为 {evidence_id} 的佐证文件")
    return Path(var) / e.stored_name, e.file_name


# --- the template of a unit's items, and its import ------------------------------------------


def write_template(path: Path, units: str, rows: Sequence[tuple[Item, str]], period: str) -> Path:
    """One row per (item, the unit answering for it): target, clause, task, lead or co-unit,
    the period (to be checked), the status (a list to choose from) and the narrative."""
    options = {"strings_to_formulas": False, "strings_to_numbers": False, "strings_to_urls": False}
    with atomic.replacing(Path(path)) as tmp, xlsxwriter.Workbook(str(tmp), options) as book:
        ws = book.add_worksheet(SHEET)
        head = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
        locked = book.add_format({"num_format": "@", "bg_color": "#F2F2F2", "text_wrap": True})
        free = book.add_format({"num_format": "@", "locked": False, "text_wrap": True})
        ws.write_string(
            0, 0, f"{units} 工作任务进展报送表（每行一项；进展情况不超过 {MAX_NARRATIVE} 字）"
        )
        for j, col in enumerate(COLUMNS):
            ws.write_string(1, j, col, head)
        for i, (it, unit) in enumerate(rows, start=2):
            role = f"{ROLE_ZH[it.role(unit)]}（{unit}）"
            for j, value in enumerate((it.target_id, it.clause, it.name_zh, role)):
                ws.write_string(i, j, value, locked)
            ws.write_string(i, 4, period, free)
            ws.write_blank(i, 5, None, free)
            ws.write_blank(i, 6, None, free)
        last = max(len(rows) + 1, 2)
        ws.data_validation(2, 5, last, 5, {"validate": "list", "source": list(STATUSES.values())})
        ws.data_validation(
            2, 6, last, 6, {"validate": "length", "criteria": "<=", "value": MAX_NARRATIVE}
        )
        for j, width in enumerate((26, 12, 30, 22, 10, 10, 80)):
            ws.set_column(j, j, width)
        ws.freeze_panes(2, 0)
        ws.protect("", {"format_columns": True, "format_rows": True})
    return Path(path)


def read_template(
    path: Path, source: str | None = None
) -> tuple[list[tuple[int, Draft]], list[Problem]]:
    """The filled rows of a template (row number, draft) and the problems of their cells, each
    named by row and column (the caller adds its own and refuses the file if there are any);
    rows with neither a status nor a narrative are skipped."""
    name = source or Path(path).name
    sheet, col = uploads.form_sheet(
        path,
        sheet=SHEET,
        columns=COLUMNS,
        hint="请用 zhuansheng milestone template 下载的模板填写",
        source=name,
    )
    out: list[tuple[int, Draft]] = []
    problems: list[Problem] = []
    for r in range(3, sheet.n_rows + 1):

        def text(column: str, r: int = r) -> str:
            value = sheet.cell(r, col[column]).value
            return "" if value is None else str(value).strip()

        target_id, status, narrative = text("目标代码"), text("进展状态"), text("进展情况")
        if not target_id or not (status or narrative):
            continue
        draft = Draft(target_id, text("期间"), "", narrative)
        for column, check, attr in (
            ("期间", check_period, "period"),
            ("进展状态", check_status, "status"),
            ("进展情况", check_narrative, "narrative"),
        ):
            try:
                setattr(draft, attr, check(getattr(draft, attr) if attr != "status" else status))
            except Invalid as exc:
                problems.append(
                    Problem(str(exc), f"第 {r} 行, 列 {column}", sheet=SHEET, row=r, column=column)
                )
        first = next(
            (row for row, d in out if (d.target_id, d.period) == (target_id, draft.period)), None
        )
        if first is not None:
            problems.append(
                Problem(
                    f"目标 {target_id} {draft.period} 与第 {first} 行重复",
                    f"第 {r} 行, 列 目标代码",
                    "同一目标同一期间只填一行",
                    sheet=SHEET,
                    row=r,
                    column="目标代码",
                )
            )
        out.append((r, draft))
    if not out and not problems:
        raise InputRejected(
            name,
            [
                Problem(
                    "没有填写任何一项的进展状态",
                    f"工作表 {SHEET}",
                    "在“进展状态”列选择状态后再导入",
                )
            ],
        )
    return out, problems
