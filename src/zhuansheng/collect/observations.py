"""Importing a filled template (数据导入): all of a file or none of it.

Order: read the file safely → check the stamp (version, region, period) → read every indicator
line → apply the validation rules → refuse on any error, or on warnings without a comment →
write every value as a new revision (with who, when, the file's name and SHA-256 and the cell)
in one transaction. The same file again changes nothing; a corrected file adds revisions.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from zhuansheng import access, programme, store
from zhuansheng import uploads as files
from zhuansheng.access import Actor
from zhuansheng.errors import InputRejected, Problem, ZhuanshengError
from zhuansheng.periods import Period, parse_period
from zhuansheng.store import audit, races
from zhuansheng.store import observations as obs
from zhuansheng.store import tables as t
from zhuansheng.users import actor
from zhuansheng.workspace import Workspace, database_url

from . import workflow
from .numbers import NumberError, cell_number
from .rules import Entry, ValidationRules, check, default_rules
from .template import (
    COLUMNS,
    INPUT_COLUMNS,
    INPUT_SHEET,
    META_SHEET,
    TEMPLATE_VERSION,
    Needs,
    year_needs,
)


@dataclass
class ImportResult:
    file_name: str
    region: str
    period: str
    written: int = 0
    unchanged: int = 0
    warnings: list[Problem] = field(default_factory=list)
    batch_id: int | None = None
    dry_run: bool = False

    @property
    def changed(self) -> bool:
        return self.written > 0


@dataclass
class Parsed:
    meta: dict[str, str]
    sheet: str
    entries: list[Entry]
    problems: list[Problem]


def _reject(name: str, message: str, hint: str, **where: object) -> InputRejected:
    return InputRejected(name, [Problem(message, hint=hint, **where)])  # type: ignore[arg-type]


def _meta_from_rows(rows: list[list[files.Cell]]) -> dict[str, str]:
    meta = {}
    for row in rows:
        if len(row) >= 2 and row[0].value is not None:
            key = str(row[0].value).lstrip("#").strip()
            meta[key] = "" if row[1].value is None else str(row[1].value).strip()
    return meta


def read_file(path: Path) -> tuple[dict[str, str], files.SheetData]:
    """The stamp and the input sheet of an xlsx or csv template (refusing unsafe files)."""
    if path.suffix.lower() == ".csv":
        data = files.read_csv(path)
        stamp = [r for r in data.rows if r and str(r[0].value or "").startswith("#")]
        body = [r for r in data.rows if not (r and str(r[0].value or "").startswith("#"))]
        data.rows = body
        return _meta_from_rows(stamp), data
    with files.open_workbook(path) as wb:
        if META_SHEET not in wb.sheet_names:
            raise _reject(
                path.name,
                "文件中没有模板标识（隐藏的 _meta 表），不是本平台生成的填报模板",
                "请用 zhuansheng template 或网页下载最新模板，在模板中填写后上传",
            )
        return _meta_from_rows(wb.read(META_SHEET).rows), wb.read(INPUT_SHEET)


def _check_meta(
    name: str, meta: dict[str, str], session: Session, region: str | None, period: str | None
) -> tuple[t.Region, Period]:
    version = meta.get("template_version")
    if not version:
        raise _reject(
            name,
            "不是本平台的填报模板：文件中没有模板标记（可能是自行制作的表格，或删除了隐藏的"
            "“_meta”工作表）",
            "请在平台上下载本地区、本期的最新模板，在模板中填写后上传",
        )
    if version != TEMPLATE_VERSION:
        raise _reject(
            name,
            f"模板版本 '{version}' 已过期，当前模板版本为 '{TEMPLATE_VERSION}'",
            "请下载最新模板重新填写",
        )
    code = meta.get("region_code", "")
    reg = session.get(t.Region, code)
    if reg is None:
        raise _reject(
            name, f"模板中的地区代码 '{code}' 不是有效的行政区划代码", "请下载本地区的模板"
        )
    try:
        p = parse_period(meta.get("period", ""))
    except ZhuanshengError as exc:
        raise _reject(name, f"模板中的期间有误：{exc}", "请下载本期模板") from exc
    if region is not None and region != code:
        raise _reject(
            name, f"这是 {reg.name_zh}（{code}）的模板，不是 {region} 的", "请上传本地区的填报文件"
        )
    if period is not None and parse_period(period).code != p.code:
        raise _reject(name, f"这是 {p.code} 的模板，不是 {period} 的", "请上传本期的填报文件")
    return reg, p


def parse(
    path: Path,
    region: t.Region,
    p: Period,
    meta: dict[str, str],
    data: files.SheetData,
    rules: ValidationRules,
    needed: Collection[str],
) -> Parsed:
    """Every indicator line of the input sheet, with problems located by sheet, row, column;
    a line is accepted only for an indicator of the template's stamp that ``needed`` (the
    indicators the period's year collects) lists."""
    catalogue = programme.indicators()
    problems: list[Problem] = list(data.warnings)
    sheet = data.name
    header_at = next(
        (i for i, row in enumerate(data.rows) if any(c.value == "指标代码" for c in row)), None
    )
    if header_at is None:
        raise _reject(
            path.name,
            f"工作表“{sheet}”中找不到表头（“指标代码”列）",
            "请勿修改模板结构，下载新模板重新填写",
            sheet=sheet,
        )
    header = {str(c.value).strip(): c.col for c in data.rows[header_at] if c.value is not None}
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise _reject(
            path.name,
            f"表头缺少列：{'、'.join(missing)}",
            "请勿修改或删除模板的列，下载新模板重新填写",
            sheet=sheet,
            row=data.rows[header_at][0].row,
        )
    expected = meta.get("indicators", "").split(",")
    entries: list[Entry] = []
    seen: dict[str, int] = {}
    for row in data.rows[header_at + 1 :]:
        cells = {c.col: c for c in row}
        code_cell = cells.get(header["指标代码"])
        code = str(code_cell.value).strip() if code_cell and code_cell.value is not None else ""
        if not code:
            continue
        line = code_cell.row if code_cell else 0

        def located(
            column: str,
            message: str,
            hint: str,
            level: str = "error",
            line: int = line,
            cells: dict[int, files.Cell] = cells,
        ) -> Problem:
            cell = cells.get(header[column])
            ref = cell.ref if cell else ""
            return Problem(
                f"[{'错误' if level == 'error' else '警告'}] {message}",
                where=f"工作表“{sheet}” 第 {line} 行 {column}列" + (f"（{ref}）" if ref else ""),
                hint=hint,
                sheet=sheet,
                row=line,
                column=column,
                level=level,
            )

        ind = catalogue.get(code)
        if ind is None:
            problems.append(
                located(
                    "指标代码", f"未知的指标代码 '{code}'", "请勿修改指标代码；下载新模板重新填写"
                )
            )
            continue
        if code not in expected or ind.reported_by != region.level:
            problems.append(
                located(
                    "指标代码",
                    f"指标 '{code}' 不属于本模板（{region.name_zh}应报指标）",
                    "请删除该行或使用本地区的模板",
                )
            )
            continue
        if code not in needed:  # an edited stamp must not smuggle in another year's indicator
            problems.append(
                located(
                    "指标代码",
                    f"指标 '{code}' 不是 {p.year} 年工作要点与评价方案要求填报的指标",
                    f"请删除该行，或下载 {p.code} 的新模板重新填写",
                )
            )
            continue
        if code in seen:
            problems.append(
                located(
                    "指标代码",
                    f"指标 '{code}' 重复，已在第 {seen[code]} 行出现",
                    "每个指标只填一行，请删除重复行",
                )
            )
            continue
        seen[code] = line
        unit_cell = cells.get(header["单位"])
        unit = "" if unit_cell is None or unit_cell.value is None else str(unit_cell.value).strip()
        if unit != ind.unit:
            problems.append(
                located(
                    "单位",
                    f"{ind.name_zh}的计量单位为“{unit}”，应为“{ind.unit}”",
                    "请勿修改单位列；按模板规定的单位换算后填写",
                )
            )
            continue
        entry = Entry(ind, line)
        for column in INPUT_COLUMNS:
            cell = cells.get(header[column])
            if cell is None:
                continue
            entry.refs[column] = cell.ref
            if cell.merged:
                problems.append(
                    located(
                        column,
                        f"单元格 {cell.ref} 是合并单元格",
                        "请取消合并，每个指标的数值填在各自的单元格中",
                    )
                )
                continue
            if cell.formula and cell.value is None and column != "备注":
                problems.append(
                    located(
                        column,
                        f"单元格 {cell.ref} 含公式 {cell.formula}，但文件中没有保存计算结果",
                        "请在 Excel 中打开并保存后再上传，或直接填写数值",
                    )
                )
                entry.unreadable.add(column)
                continue
            if cell.formula:
                problems.append(
                    located(
                        column,
                        f"单元格 {cell.ref} 含公式 {cell.formula}，已取其计算结果 {cell.value}",
                        "请在该行“备注”或上传说明中确认该结果无误",
                        level=rules.levels.formula,
                    )
                )
            if column == "备注":
                entry.comment = "" if cell.value is None else str(cell.value)
                continue
            if column == "本期值" and entry.is_ratio:
                continue  # computed from the numerator and the denominator
            try:
                number = cell_number(cell)
            except NumberError as exc:
                problems.append(
                    located(
                        column,
                        f"“{cell.value}”不是数值：{exc}",
                        exc.hint or "请只填写数字（可带千分位或 %），不要填写文字或单位",
                    )
                )
                entry.unreadable.add(column)
                continue
            attr = {"本期值": "value", "分子": "numerator", "分母": "denominator"}[column]
            setattr(entry, attr, number)
        if entry.is_ratio and entry.numerator is not None and entry.denominator:
            entry.value = entry.numerator / entry.denominator * (ind.scale or 1)
        entries.append(entry)
    for code in expected:
        if code and code not in seen and code in catalogue and code in needed:
            problems.append(
                Problem(
                    f"[错误] 缺少指标 '{code}'（{catalogue[code].name_zh}）的一行",
                    where=f"工作表“{sheet}”",
                    hint="请勿删除模板中的指标行",
                    sheet=sheet,
                    level="error",
                )
            )
    return Parsed(meta, sheet, entries, problems)


def _history(session: Session, region: str, p: Period) -> dict[tuple[str, str], float]:
    """This region's values before the period (this year and last), latest revision winning."""
    o = t.Observation
    rows = session.execute(
        select(o.indicator_id, o.period, o.value)
        .where(
            o.region_code == region,
            o.period < p.code,
            o.period.like(f"{p.year - 1}-%") | o.period.like(f"{p.year}-%"),
        )
        .order_by(o.revision)
    )
    out: dict[tuple[str, str], float] = {}
    for ind, period, value in rows:
        if value is None:
            out.pop((ind, period), None)
        else:
            out[(ind, period)] = value
    return out


@races.run_again_on_race("导入填报数据")
def import_observations(
    path: Path,
    *,
    user: str,
    comment: str = "",
    dry_run: bool = False,
    region: str | None = None,
    period: str | None = None,
    rules: ValidationRules | None = None,
    needs: Needs | None = None,
    ws: Workspace | None = None,
) -> ImportResult:
    """Validate a filled template and, unless ``dry_run``, store it whole; see the module doc.
    ``needs`` gives the indicators the period's year collects (default: its programme's)."""
    rules = rules or default_rules()
    path = Path(path)
    meta, data = read_file(path)  # refuses empty, oversized, disguised and unsafe files first
    raw = path.read_bytes()
    sha = hashlib.sha256(raw).hexdigest()
    with store.session(database_url(ws)) as s:
        who: Actor = actor(s, user)
        reg, p = _check_meta(path.name, meta, s, region, period)
        access.require(
            who,
            "observations.import",
            reg.code,
            f"用户 {who.username} 无权填报 {reg.name_zh} 的数据",
        )
        needed = year_needs(p.year, needs, f"接收 {p.code} 的填报数据")
        parsed = parse(path, reg, p, meta, data, rules, needed)
        problems = parsed.problems + check(
            parsed.entries, parsed.sheet, p, _history(s, reg.code, p), rules
        )
        errors = [x for x in problems if x.level == "error"]
        warnings = [x for x in problems if x.level == "warning"]
        if errors:
            raise InputRejected(path.name, errors + warnings)
        # A warning is explained by the line's 备注 or by a comment on the whole upload.
        noted = {e.row for e in parsed.entries if e.comment.strip()}
        unexplained = [w for w in warnings if w.row not in noted]
        if unexplained and not comment.strip() and not dry_run:
            raise InputRejected(
                path.name,
                [
                    *unexplained,
                    Problem(
                        f"有 {len(unexplained)} 条警告未说明，须填写说明后才能接收",
                        hint="核实无误后，在该行“备注”中说明，或在上传时填写说明"
                        "（命令行 --comment），说明会随数据保存",
                        # it asks for the comments the warnings need: no error in the data
                        level="warning",
                    ),
                ],
            )
        result = ImportResult(path.name, reg.code, p.code, warnings=warnings, dry_run=dry_run)
        if dry_run:
            return result
        sub = workflow.ensure_draft(s, reg.code, p.code, who)
        stored = obs.latest_by_indicator(s, reg.code, p.code)
        for e in parsed.entries:
            cell = e.refs.get("分子" if e.is_ratio else "本期值")
            source = obs.Source(
                recorded_by=who.username,
                kind="file",
                name=path.name,
                sha256=sha,
                cell=f"{parsed.sheet}!{cell}" if cell else None,
                comment="；".join(x for x in (e.comment, comment) if x),
            )
            _, added = obs.record(
                s,
                e.indicator.id,
                reg.code,
                p.code,
                e.value,
                source,
                numerator=e.numerator if e.is_ratio else None,
                denominator=e.denominator if e.is_ratio else None,
                current=stored.get(e.indicator.id),
            )
            result.written += added
            result.unchanged += not added
        if result.written:
            batch = t.ImportBatch(
                kind="observations",
                file_name=path.name,
                sha256=sha,
                size_bytes=len(raw),
                region_code=reg.code,
                period=p.code,
                template_version=meta.get("template_version"),
                imported_by=who.username,
                rows_written=result.written,
                rows_unchanged=result.unchanged,
                warnings=[str(w) for w in warnings],
            )
            s.add(batch)
            audit.record(
                s,
                who.username,
                "import.observations",
                "submission",
                f"{reg.code}/{p.code}",
                detail={
                    "file": path.name,
                    "sha256": sha,
                    "written": result.written,
                    "comment": comment,
                    "status": sub.status,
                },
            )
            s.flush()
            result.batch_id = batch.id
    return result


def imported_files(session: Session, region: str, period: str) -> list[t.ImportBatch]:
    return list(
        session.scalars(
            select(t.ImportBatch)
            .where(t.ImportBatch.region_code == region, t.ImportBatch.period == period)
            .order_by(t.ImportBatch.id)
        )
    )
