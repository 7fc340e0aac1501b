"""Importing registries of recognised entities and project registers from xlsx/csv.

A file is checked whole (columns, codes, dates, USCC check digits, duplicates) and written in
one transaction, or refused with every problem located by row and column. Rows already in the
store are left as they are, so the same file twice changes nothing. A project row whose code
exists updates that project, and the audit log keeps what it was before.

Major projects (重大项目, kind ``major_project``) are project rows with four more columns — the
official in charge (一局长一项目: name and post), the planned start and completion — and their
size class computed from the total investment; their yearly plan by month comes as a ``plans``
file (code, month, planned_wan), their actual investment as an ``investments`` file.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from zhuansheng import access, programme, store
from zhuansheng import uploads as files
from zhuansheng.access import Actor
from zhuansheng.errors import InputRejected, Problem
from zhuansheng.lake import uscc as uscc_rules
from zhuansheng.periods import parse_period
from zhuansheng.store import audit, races
from zhuansheng.store import tables as t
from zhuansheng.users import actor
from zhuansheng.workspace import Workspace, database_url

from .bounds import Bound, column_bounds, out_of_range
from .numbers import NumberError, cell_number, compact

EXCEL_EPOCH = dt.date(1899, 12, 30)

KINDS = {
    "registry": ["registry_kind", "name", "uscc", "region_code", "recognised_on", "batch"],
    "projects": [
        "project_kind",
        "code",
        "name",
        "uscc",
        "region_code",
        "status",
        "started_on",
        "completed_on",
        "planned_investment_wan",
        "official_in_charge",
        "official_post",
        "planned_start_on",
        "planned_completion_on",
    ],
    "investments": ["code", "month", "invested_wan"],
    "plans": ["code", "month", "planned_wan"],
}
REQUIRED = {
    "registry": {"registry_kind", "name", "region_code", "recognised_on"},
    "projects": {"project_kind", "code", "name", "region_code", "status", "started_on"},
    "investments": {"code", "month", "invested_wan"},
    "plans": {"code", "month", "planned_wan"},
}
PROJECT_STATUS = ("planned", "started", "completed")
MAJOR = "major_project"
# what a major project's row must fill in (一局长一项目 and the dates it is followed against)
MAJOR_REQUIRED = (
    "official_in_charge",
    "official_post",
    "planned_start_on",
    "planned_completion_on",
)


@dataclass
class RegisterResult:
    kind: str
    file_name: str
    rows: int = 0
    written: int = 0
    unchanged: int = 0
    dry_run: bool = False


class _Rows:
    """Reads typed values from a sheet, collecting located problems instead of stopping."""

    def __init__(
        self, data: files.SheetData, columns: list[str], bounds: dict[str, Bound] | None = None
    ) -> None:
        self.data = data
        self.bounds = bounds or {}
        self.problems: list[Problem] = []
        header = data.rows[0] if data.rows else []
        self.col = {str(c.value).strip(): c.col for c in header if c.value is not None}
        self.sheet = data.name

    def problem(self, row: int, column: str, message: str, hint: str) -> None:
        self.problems.append(
            Problem(
                message,
                where=f"工作表“{self.sheet}” 第 {row} 行, 列 {column}",
                hint=hint,
                sheet=self.sheet,
                row=row,
                column=column,
            )
        )

    def cell(self, r: list[files.Cell], column: str) -> files.Cell | None:
        j = self.col.get(column)
        return r[j - 1] if j is not None and j - 1 < len(r) else None

    def text(self, r: list[files.Cell], column: str) -> str:
        c = self.cell(r, column)
        return "" if c is None or c.value is None else str(c.value).strip()

    def date(self, r: list[files.Cell], column: str, row: int) -> dt.date | None:
        c = self.cell(r, column)
        if c is None or c.value in (None, ""):
            return None
        if isinstance(c.value, int | float) and not isinstance(c.value, bool):
            return EXCEL_EPOCH + dt.timedelta(days=int(c.value))  # an Excel date serial
        text = str(c.value).strip()
        for sep in ("/", ".", "年", "月"):
            text = text.replace(sep, "-")
        parts = text.removesuffix("日").split(" ")[0].split("-")
        try:
            return dt.date(int(parts[0]), int(parts[1]), int(parts[2]))
        except (ValueError, IndexError):
            self.problem(row, column, f"“{c.value}”不是日期", "请按 2022-06-15 的格式填写日期")
            return None

    def number(self, r: list[files.Cell], column: str, row: int) -> float | None:
        c = self.cell(r, column)
        if c is None:
            return None
        try:
            value = cell_number(c)
        except NumberError as exc:
            self.problem(row, column, f"“{compact(c.value)}”不是数值：{exc}", exc.hint)
            return None
        if value is not None and value < 0:
            self.problem(row, column, f"数值 {compact(value)} 为负数", "请填写不小于 0 的数值")
            return None
        bound = self.bounds.get(column)
        why = None if value is None or bound is None else out_of_range(value, bound)
        if why:
            self.problem(
                row, column, why, "请核对数值和单位（万元）；值域见 collect/data/bounds.yaml"
            )
            return None
        return value


def _read(kind: str, path: Path) -> tuple[_Rows, list[tuple[int, list[files.Cell]]]]:
    data = files.read_table(path)
    rows = _Rows(data, KINDS[kind], column_bounds(kind))
    if not data.rows or not rows.col:
        raise InputRejected(
            path.name, [Problem("文件没有表头或数据", hint="第一行为列名，其后每行一条")]
        )
    missing = [c for c in KINDS[kind] if c in REQUIRED[kind] and c not in rows.col]
    if kind == "projects" and any(rows.text(r, "project_kind") == MAJOR for r in data.rows[1:]):
        missing += [c for c in MAJOR_REQUIRED if c not in rows.col]
    if missing:
        raise InputRejected(
            path.name,
            [
                Problem(
                    f"缺少列：{'、'.join(missing)}",
                    where=f"工作表“{data.name}” 第 1 行（表头）",
                    hint=f"表头应为：{','.join(KINDS[kind])}",
                    sheet=data.name,
                    row=1,
                )
            ],
        )
    body = [
        (r[0].row if r else i + 2, r)
        for i, r in enumerate(data.rows[1:])
        if any(c.value not in (None, "") for c in r)
    ]
    if not body:
        raise InputRejected(path.name, [Problem("文件只有表头，没有数据行", hint="请至少填写一行")])
    return rows, body


def _check_uscc(rows: _Rows, row: int, code: str) -> None:
    if code and not uscc_rules.is_valid(code):
        rows.problem(
            row,
            "uscc",
            f"统一社会信用代码 '{code}' 有误：{uscc_rules.explain(code)}",
            "请核对 18 位代码（GB 32100-2015）；不确定的可留空",
        )


def _region_ok(rows: _Rows, row: int, code: str, regions: set[str]) -> None:
    if code not in regions:
        rows.problem(row, "region_code", f"未知的地区代码 '{code}'", "请填写 6 位行政区划代码")


def _registry_rows(rows: _Rows, body: list, regions: set[str]) -> list[dict[str, Any]]:
    kinds = {i.registry for i in programme.indicators().values() if i.registry}
    out, seen = [], {}
    for row, r in body:
        rec = {
            c: rows.text(r, c) for c in ("registry_kind", "name", "uscc", "region_code", "batch")
        }
        for c in ("registry_kind", "name", "region_code"):
            if not rec[c]:
                rows.problem(row, c, "必填项为空", "请填写")
        if rec["registry_kind"] and rec["registry_kind"] not in kinds:
            rows.problem(
                row,
                "registry_kind",
                f"未知的名单类型 '{rec['registry_kind']}'",
                f"应为 {'、'.join(sorted(kinds))} 之一",
            )
        _region_ok(rows, row, rec["region_code"], regions)
        _check_uscc(rows, row, rec["uscc"])
        when = rows.date(r, "recognised_on", row)
        if when is None and rows.text(r, "recognised_on") == "":
            rows.problem(row, "recognised_on", "认定日期为空", "请填写认定日期")
        key = (rec["registry_kind"], rec["name"], rec["region_code"], when)
        if key in seen:
            rows.problem(
                row,
                "name",
                f"与第 {seen[key]} 行重复",
                "同一名单同一地区同日认定的同名条目只填一行",
            )
        seen[key] = row
        out.append({**rec, "uscc": rec["uscc"] or None, "recognised_on": when})
    return out


def _project_rows(rows: _Rows, body: list, regions: set[str]) -> list[dict[str, Any]]:
    kinds = {i.project_kind for i in programme.indicators().values() if i.project_kind}
    out, seen = [], {}
    for row, r in body:
        rec = {
            c: rows.text(r, c)
            for c in ("project_kind", "code", "name", "uscc", "region_code", "status")
        }
        for c in ("project_kind", "code", "name", "region_code", "status"):
            if not rec[c]:
                rows.problem(row, c, "必填项为空", "请填写")
        if rec["project_kind"] and rec["project_kind"] not in kinds:
            rows.problem(
                row,
                "project_kind",
                f"未知的项目类型 '{rec['project_kind']}'",
                f"应为 {'、'.join(sorted(kinds))} 之一",
            )
        if rec["status"] and rec["status"] not in PROJECT_STATUS:
            rows.problem(
                row,
                "status",
                f"未知的项目状态 '{rec['status']}'",
                f"应为 {'、'.join(PROJECT_STATUS)} 之一",
            )
        _region_ok(rows, row, rec["region_code"], regions)
        _check_uscc(rows, row, rec["uscc"])
        if rec["code"] in seen:
            rows.problem(row, "code", f"项目编号与第 {seen[rec['code']]} 行重复", "每个项目一行")
        seen[rec["code"]] = row
        started = rows.date(r, "started_on", row)
        completed = rows.date(r, "completed_on", row)
        if started and completed and completed < started:
            rows.problem(row, "completed_on", "竣工日期早于开工日期", "请核对日期")
        total = rows.number(r, "planned_investment_wan", row) or 0.0
        rec.update(
            uscc=rec["uscc"] or None,
            started_on=started,
            completed_on=completed,
            planned_investment_wan=total,
            size_class=programme.size_class(total),
        )
        if rec["project_kind"] == MAJOR:
            rec.update(_major_fields(rows, r, row, rec))
        out.append(rec)
    return out


def _major_fields(rows: _Rows, r: list[files.Cell], row: int, rec: dict[str, Any]) -> dict:
    """The 一局长一项目 columns of a major project, each required, with its planned dates."""
    official, post = rows.text(r, "official_in_charge"), rows.text(r, "official_post")
    for column, value in (("official_in_charge", official), ("official_post", post)):
        if not value:
            rows.problem(
                row, column, "重大项目须填写", "一局长一项目：请填写负责推进的领导姓名和职务"
            )
    start = rows.date(r, "planned_start_on", row)
    end = rows.date(r, "planned_completion_on", row)
    for column, value in (("planned_start_on", start), ("planned_completion_on", end)):
        if value is None and not rows.text(r, column):
            rows.problem(row, column, "重大项目须填写计划日期", "请按 2022-06-15 的格式填写")
    if start and end and end < start:
        rows.problem(row, "planned_completion_on", "计划竣工日期早于计划开工日期", "请核对日期")
    if rec["status"] in ("started", "completed") and rec["started_on"] is None:
        rows.problem(
            row, "started_on", f"状态为 {rec['status']} 的重大项目须填写实际开工日期", "请填写"
        )
    if rec["planned_investment_wan"] <= 0:
        rows.problem(
            row, "planned_investment_wan", "重大项目须填写总投资（万元）", "按总投资确定规模档次"
        )
    return {
        "official_in_charge": official,
        "official_post": post,
        "planned_start_on": start,
        "planned_completion_on": end,
    }


def _investment_rows(
    rows: _Rows, body: list, codes: set[str], value: str = "invested_wan"
) -> list[dict[str, Any]]:
    """Monthly amounts (actual ``invested_wan`` or planned ``planned_wan``) by project code."""
    out, seen = [], {}
    for row, r in body:
        code, month = rows.text(r, "code"), rows.text(r, "month")
        if code not in codes:
            rows.problem(row, "code", f"项目编号 '{code}' 不在项目库中", "请先导入该项目")
        try:
            if parse_period(month).kind != "month":
                raise ValueError
        except Exception:
            rows.problem(row, "month", f"月份 '{month}' 有误", "请按 2022-06 的格式填写")
        if (code, month) in seen:
            rows.problem(row, "month", f"与第 {seen[(code, month)]} 行重复", "每个项目每月一行")
        seen[(code, month)] = row
        out.append({"code": code, "month": month, value: rows.number(r, value, row) or 0.0})
    return out


def _write_registry(
    s: Session, recs: list[dict[str, Any]], source: str, synthetic: bool
) -> tuple[int, int]:
    e = t.RegistryEntry
    existing = set(s.execute(select(e.registry_kind, e.name, e.region_code, e.recognised_on)))
    new = [
        {**r, "source": source, "synthetic": synthetic}
        for r in recs
        if (r["registry_kind"], r["name"], r["region_code"], r["recognised_on"]) not in existing
    ]
    for start in range(0, len(new), 5000):
        s.execute(insert(e.__table__), new[start : start + 5000])
    return len(new), len(recs) - len(new)


def _write_projects(
    s: Session, recs: list[dict[str, Any]], source: str, user: str, synthetic: bool
) -> tuple[int, int]:
    existing = {
        p.code: p
        for p in s.scalars(select(t.Project).where(t.Project.code.in_([r["code"] for r in recs])))
    }
    written = 0
    for r in recs:
        p = existing.get(r["code"])
        if p is None:
            s.add(t.Project(**r, source=source, synthetic=synthetic))
            written += 1
            continue
        before = {k: getattr(p, k) for k in r}
        if before != r:
            for k, v in r.items():
                setattr(p, k, v)
            changed = {k: str(v) for k, v in before.items()}
            audit.record(
                s, user, "project.update", "project", r["code"], detail={"before": changed}
            )
            written += 1
    return written, len(recs) - written


MONTHLY: dict[str, tuple[type[t.ProjectInvestment] | type[t.ProjectPlan], str, str]] = {
    "investments": (t.ProjectInvestment, "invested_wan", "investment.update"),
    "plans": (t.ProjectPlan, "planned_wan", "plan.update"),
}


def _write_monthly(s: Session, kind: str, recs: list[dict[str, Any]], user: str) -> tuple[int, int]:
    """Monthly actual or planned investment: new months added, changed ones updated (audited)."""
    model, value, action = MONTHLY[kind]
    ids = dict(s.execute(select(t.Project.code, t.Project.id)).all())
    have = {(pi.project_id, pi.month): pi for pi in s.scalars(select(model))}
    written = 0
    for r in recs:
        pid = ids[r["code"]]
        old = have.get((pid, r["month"]))
        if old is None:
            s.add(model(project_id=pid, month=r["month"], **{value: r[value]}))
        elif getattr(old, value) != r[value]:
            key = f"{r['code']}/{r['month']}"
            audit.record(s, user, action, "project", key, detail={"before": getattr(old, value)})
            setattr(old, value, r[value])
        else:
            continue
        written += 1
    return written, len(recs) - written


def _check_scope(
    s: Session,
    who: Actor,
    kind: str,
    recs: list[dict[str, Any]],
    body: list[tuple[int, Any]],
    rows: _Rows,
) -> None:
    """A city or county user may only bring in rows of its own region (and, for a city, its
    counties); provincial users may bring in any."""
    access.require(
        who, "registers.import", message=f"用户 {who.username}（{who.role}）无权导入名单或项目库"
    )
    if who.is_province:
        return
    regions = dict(s.execute(select(t.Project.code, t.Project.region_code)).all())
    for (row, _), rec in zip(body, recs, strict=True):
        region = rec.get("region_code") or regions.get(rec.get("code", ""), "")
        if not access.in_scope(who, region):
            rows.problem(
                row,
                "region_code" if "region_code" in rec else "code",
                f"地区 {region} 超出用户 {who.username} 的数据范围",
                "只能导入本地区（市级含所辖县）的数据",
            )


@races.run_again_on_race("导入名单或项目数据")
def import_register(
    kind: str,
    path: Path,
    *,
    user: str,
    dry_run: bool = False,
    synthetic: bool = False,
    ws: Workspace | None = None,
) -> RegisterResult:
    """Import a registry, project, investment or plan file whole (see the module doc);
    ``synthetic`` labels new registry entries and projects as demo data."""
    path = Path(path)
    rows, body = _read(kind, path)
    with store.session(database_url(ws)) as s:
        who = actor(s, user)
        regions = set(s.scalars(select(t.Region.code)))
        parse: dict[str, Callable[[], list[dict[str, Any]]]] = {
            "registry": lambda: _registry_rows(rows, body, regions),
            "projects": lambda: _project_rows(rows, body, regions),
            "investments": lambda: _investment_rows(
                rows, body, set(s.scalars(select(t.Project.code)))
            ),
            "plans": lambda: _investment_rows(
                rows, body, set(s.scalars(select(t.Project.code))), "planned_wan"
            ),
        }
        recs = parse[kind]()
        _check_scope(s, who, kind, recs, body, rows)
        if rows.problems:
            raise InputRejected(path.name, rows.problems)
        result = RegisterResult(kind, path.name, rows=len(recs), dry_run=dry_run)
        if dry_run:
            return result
        sha = hashlib.sha256(path.read_bytes()).hexdigest()
        source = f"{path.name} sha256:{sha[:12]}"
        if kind == "registry":
            result.written, result.unchanged = _write_registry(s, recs, source, synthetic)
        elif kind == "projects":
            result.written, result.unchanged = _write_projects(
                s, recs, source, who.username, synthetic
            )
        else:
            result.written, result.unchanged = _write_monthly(s, kind, recs, who.username)
        if result.written:
            s.add(
                t.ImportBatch(
                    kind=kind,
                    file_name=path.name,
                    sha256=sha,
                    size_bytes=path.stat().st_size,
                    imported_by=who.username,
                    rows_written=result.written,
                    rows_unchanged=result.unchanged,
                )
            )
            audit.record(
                s,
                who.username,
                f"import.{kind}",
                kind,
                path.name,
                detail={"sha256": sha, "written": result.written},
            )
    return result
