"""Allocations of provincial targets to cities and counties (分解下达): reading a filled template
or a CSV, checking it whole, and writing every changed value as a new revision.

Which targets are allocated: the quantitative ones with a number of their own — counts and
amounts (``count_new``, ``count_cumulative``, ``amount``) and rates (``growth_pct``,
``decline_pct``, ``level``, ``share_about``). Milestones and relative targets have no number
to pass down.

What the numbers mean: a count or an amount is a share of the level above, so the cities'
values are added up against the province's target, and a city's counties against the city's
allocation; a sum below the level above is a warning (the level above would miss its target
even if every region met its own) that needs a comment, a sum above is fine (层层分解可加码).
The check is made once every region under that level above has a value (in the file or
already stored). A rate or a growth target is the value that region is to reach, not a
share: there is nothing to add up.

Who may allocate: the province to every city and county, a city to its own counties
(``zhuansheng.access``, ``allocations.import``). A file is written whole or not at all; a value
equal to the current one is left alone, so the same file twice changes nothing.
"""

from __future__ import annotations

import hashlib
import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from zhuansheng import access, store
from zhuansheng import uploads as files
from zhuansheng.access import Actor
from zhuansheng.errors import InputRejected, Problem
from zhuansheng.programme.schema import ADDITIVE_KINDS, PERCENT_KINDS
from zhuansheng.reference import PROVINCE_CODE
from zhuansheng.store import audit, races
from zhuansheng.store import tables as t
from zhuansheng.workspace import Workspace, database_url

from .numbers import NumberError, cell_number

ALLOCATED_KINDS = ADDITIVE_KINDS | PERCENT_KINDS
LEVELS = ("city", "county")
LEVEL_ZH = {"province": "全省", "city": "设区市", "county": "县（市、区）"}
CSV_COLUMNS = ("year", "target", "region", "value")
OPTIONAL_CSV_COLUMNS = ("comment",)
SHEET = "分解下达"
META_SHEET = "_meta"
TEMPLATE_VERSION = "alloc-1"
# Template header → field; the other template columns are for reference only.
XLSX_HEADERS = {
    "年度": "year",
    "目标代码": "target",
    "地区代码": "region",
    "层级": "level",
    "分解值": "value",
    "说明": "comment",
}
_EPS = 1e-9


@dataclass(frozen=True)
class Entry:
    """One value to allocate, with where it came from (``row``/``cells`` for a file)."""

    year: int
    target: str
    region: str
    value: float
    comment: str = ""
    level: str | None = None  # the level the row was meant for (a template's 层级 column)
    row: int | None = None
    cells: dict[str, str] = field(default_factory=dict)  # field → cell reference


@dataclass(frozen=True)
class Source:
    """Where the values come from, as every revision records it."""

    kind: str  # file | demo
    name: str
    sha256: str | None = None
    size_bytes: int = 0
    synthetic: bool = False
    recorded_at: datetime | None = None  # None: now (the demo dates its world itself)


@dataclass
class AllocationResult:
    file_name: str
    rows: int = 0
    written: int = 0
    unchanged: int = 0
    dry_run: bool = False
    batch_id: int | None = None
    warnings: list[Problem] = field(default_factory=list)

    def summary(self) -> dict[str, object]:
        """The outcome as the command line's JSON and the API answer it."""
        return {
            "file_name": self.file_name,
            "rows": self.rows,
            "written": self.written,
            "unchanged": self.unchanged,
            "dry_run": self.dry_run,
            "batch_id": self.batch_id,
            "warnings": [str(w) for w in self.warnings],
        }


def is_allocated(kind: str, value: float | None) -> bool:
    """A target of this kind and value is passed down to cities and counties."""
    return kind in ALLOCATED_KINDS and value is not None


class _Located:
    """Problems located by sheet, row and column as the file names them."""

    def __init__(self, sheet: str | None, labels: dict[str, str]) -> None:
        self.sheet = sheet
        self.labels = labels  # field → column header in the file
        self.problems: list[Problem] = []

    def add(
        self,
        entry_row: int | None,
        key: str,
        message: str,
        hint: str,
        *,
        cell: str | None = None,
        level: str = "error",
    ) -> None:
        column = self.labels.get(key, key)
        if entry_row is None:
            where = ""
        else:
            where = f"第 {entry_row} 行, 列 {column}" + (f"（{cell}）" if cell else "")
            if self.sheet:
                where = f"工作表“{self.sheet}” {where}"
        self.problems.append(
            Problem(
                message,
                where=where,
                hint=hint,
                sheet=self.sheet,
                row=entry_row,
                column=column if entry_row is not None else None,
                level=level,
            )
        )


# --- reading files ---------------------------------------------------------------------------


def _header(data: files.SheetData, wanted: dict[str, str]) -> tuple[int, dict[str, int]]:
    """The first of the top rows naming a region column, and field → column number."""
    for line in data.rows[:10]:
        found = {
            wanted[str(c.value).strip()]: c.col
            for c in line
            if c.value is not None and str(c.value).strip() in wanted
        }
        if "region" in found:
            return line[0].row if line else 1, found
    return 0, {}


def _text(cell: files.Cell | None) -> str:
    if cell is None or cell.value is None:
        return ""
    value = cell.value
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _refused(name: str, message: str, hint: str, **at: object) -> InputRejected:
    return InputRejected(name, [Problem(message, hint=hint, **at)])  # type: ignore[arg-type]


def _template_sheet(path: Path, name: str) -> files.SheetData:
    """The 分解下达 sheet of a workbook, once the workbook is known to be this template."""
    with files.open_workbook(path, source=name) as wb:
        if SHEET not in wb.sheet_names:
            raise _refused(
                name,
                f"文件中没有“{SHEET}”工作表，不是分解下达模板",
                "请用 zhuansheng allocation template 或网页下载的模板填写",
            )
        if META_SHEET in wb.sheet_names:
            meta = {_text(r[0]): _text(r[1]) for r in wb.read(META_SHEET).rows if len(r) > 1}
            if meta.get("template_version") not in (None, "", TEMPLATE_VERSION):
                raise _refused(
                    name,
                    f"模板版本 {meta.get('template_version')} 不是分解下达模板",
                    "请重新下载分解下达模板",
                )
        return wb.read(SHEET)


def _csv_columns(data: files.SheetData, name: str) -> dict[str, int]:
    """Field → column of a CSV whose header is exactly the four columns (and ``comment``)."""
    header = [_text(c) for c in data.rows[0]] if data.rows else []
    extra = [h for h in header if h and h not in (*CSV_COLUMNS, *OPTIONAL_CSV_COLUMNS)]
    missing = [c for c in CSV_COLUMNS if c not in header]
    twice = sorted({h for h in header if h and header.count(h) > 1})
    if missing or extra or twice:
        wrong = [f"缺少列 {'、'.join(missing)}"] if missing else []
        wrong += [f"多出列 {'、'.join(extra)}"] if extra else []
        wrong += [f"列 {'、'.join(twice)} 重复"] if twice else []
        raise _refused(
            name,
            "表头有误：" + "；".join(wrong),
            "表头应为 year,target,region,value（可另加 comment 列写说明）",
            where="第 1 行（表头）",
            row=1,
        )
    return {h: i + 1 for i, h in enumerate(header) if h}


def _entry(
    line: list[files.Cell], data: files.SheetData, cols: dict[str, int], located: _Located
) -> Entry:
    """One row as an entry; what cannot be read is a located problem (the value NaN)."""
    row = line[0].row

    def cell(key: str) -> files.Cell:
        j = cols.get(key)
        if j is None:
            return files.Cell(row, 0, "")
        return line[j - 1] if j - 1 < len(line) else data.cell(row, j)

    year_text = _text(cell("year"))
    year = int(year_text) if year_text.isdigit() and len(year_text) == 4 else 0
    if not year:
        located.add(row, "year", f"年度“{year_text}”有误", "请填写四位年度，如 2023")
    value_cell = cell("value")
    try:
        value = cell_number(value_cell)
    except NumberError as exc:
        why = f"分解值“{value_cell.value}”不是数值：{exc.why}"
        located.add(row, "value", why, exc.hint, cell=value_cell.ref)
        value = math.nan
    if value is None:
        located.add(row, "value", "分解值为空", "请填写数值", cell=value_cell.ref)
        value = math.nan
    level_text = _text(cell("level"))
    return Entry(
        year=year,
        target=_text(cell("target")),
        region=_text(cell("region")),
        value=value,
        comment=_text(cell("comment")),
        level=next((k for k, v in LEVEL_ZH.items() if level_text in (k, v)), None),
        row=row,
        cells={k: cell(k).ref for k in cols},
    )


def _last_filled(line: list[files.Cell]) -> int:
    """The 1-based column of a row's last filled cell (0 for an empty row)."""
    return max((j for j, c in enumerate(line, 1) if not c.is_empty), default=0)


def read_file(path: Path, source_name: str | None = None) -> tuple[list[Entry], _Located]:
    """The entries of a filled template (xlsx) or a CSV, and the problems met reading them."""
    path = Path(path)
    name = source_name or path.name
    is_csv = path.suffix.lower() == ".csv"
    if is_csv:
        data = files.read_table(path, source=name)
        head_row, cols = 1, _csv_columns(data, name)
        labels = {c: c for c in (*CSV_COLUMNS, *OPTIONAL_CSV_COLUMNS)}
    else:
        data = _template_sheet(path, name)
        head_row, cols = _header(data, XLSX_HEADERS)
        labels = {v: k for k, v in XLSX_HEADERS.items()}
        missing = [labels[c] for c in CSV_COLUMNS if c not in cols]
        if missing:
            message = f"“{SHEET}”工作表缺少列：{'、'.join(missing)}"
            raise _refused(name, message, "请勿修改模板的表头", sheet=data.name)
    if is_csv:
        width = _last_filled(data.rows[0])  # the rows are padded to the widest
        for line in data.rows[1:]:
            beyond = [c for c in line[width:] if not c.is_empty]
            if beyond:
                row = line[0].row
                raise _refused(
                    name,
                    f"第 {row} 行比表头多出 {_last_filled(line) - width} 列",
                    "每行只填 year,target,region,value（及 comment）各一列；数值中不要带逗号",
                    where=f"第 {row} 行",
                    row=row,
                )
    located = _Located(None if is_csv else data.name, labels)
    entries = [
        _entry(line, data, cols, located)
        for line in data.rows[head_row:]
        if any(not c.is_empty for c in line)
        # a template row whose 分解值 is left blank allocates nothing
        and (is_csv or not data.cell(line[0].row, cols["value"]).is_empty)
    ]
    if not entries and not located.problems:
        raise _refused(name, "文件中没有填写任何分解值", "请在“分解值”列填写后再导入")
    return entries, located


# --- checking --------------------------------------------------------------------------------


@dataclass
class _Checked:
    entries: list[Entry]
    targets: dict[tuple[int, str], t.Target]
    current: dict[tuple[int, str], t.Allocation]


def _regions(s: Session) -> dict[str, t.Region]:
    return {r.code: r for r in s.scalars(select(t.Region))}


def _entry_problems(
    e: Entry, target: t.Target | None, loaded: set[int], region: t.Region | None, who: Actor
) -> list[tuple[str, str, str]]:
    """What is wrong with one entry by itself, as (field, message, hint)."""
    out = []
    if e.year and e.year not in loaded:
        out.append(("year", f"{e.year} 年的工作要点尚未载入", "请先载入该年度工作要点（db seed）"))
    if e.year in loaded and target is None:
        out.append(
            (
                "target",
                f"{e.year} 年工作要点中没有目标“{e.target}”",
                "请填写模板中的目标代码（zhuansheng allocation template 列出可分解的目标）",
            )
        )
    elif target is not None and not is_allocated(target.kind, target.value):
        out.append(
            (
                "target",
                f"目标“{e.target}”（{target.name_zh}）没有可分解的数值",
                "只有有数值的量化目标（数量、总量、比率、增速）可以分解下达",
            )
        )
    if region is None:
        out.append(("region", f"未知的地区代码“{e.region}”", "请填写 6 位行政区划代码，如 330603"))
    elif region.level not in LEVELS:
        out.append(
            (
                "region",
                f"{region.name_zh}（{region.code}）是全省，全省目标即工作要点中的目标值",
                "只能分解到设区市和县（市、区）",
            )
        )
    elif e.level and e.level != region.level:
        out.append(
            (
                "region",
                f"层级不符：{region.name_zh}（{region.code}）是{LEVEL_ZH[region.level]}，"
                f"本行是{LEVEL_ZH[e.level]}行",
                f"请在{LEVEL_ZH[e.level]}模板中只填{LEVEL_ZH[e.level]}",
            )
        )
    elif not access.may(who, "allocations.import", region.code):
        out.append(
            (
                "region",
                f"{region.name_zh}（{region.code}）超出用户 {who.username} 的分解范围",
                "省级可分解到各设区市和县（市、区）；设区市只能分解到所辖县（市、区）",
            )
        )
    if e.value < 0:
        out.append(("value", f"分解值 {e.value:g} 为负数", "请填写不小于 0 的数值"))
    return out


def _check(
    s: Session, who: Actor, entries: list[Entry], located: _Located
) -> tuple[_Checked, list[Problem]]:
    """Every entry checked (problems go to ``located``); the sum warnings returned apart."""
    regions = _regions(s)
    years = {e.year for e in entries if e.year}
    targets = {
        (x.year, x.target_id): x
        for x in s.scalars(select(t.Target).where(t.Target.year.in_(years)))
    }
    loaded = {y for y, _ in targets}
    seen: dict[tuple[int, str, str], int | None] = {}
    good: list[Entry] = []
    for e in entries:
        target = targets.get((e.year, e.target))
        found = _entry_problems(e, target, loaded, regions.get(e.region), who)
        key = (e.year, e.target, e.region)
        if key in seen:
            first = seen[key]
            again = f"与第 {first} 行重复（同一目标同一地区）" if first else "同一目标同一地区重复"
            found.append(("region", again, "每个目标每个地区只填一行"))
        seen.setdefault(key, e.row)
        for key_, message, hint in found:
            located.add(e.row, key_, message, hint, cell=e.cells.get(key_))
        # year 0 or value NaN: unreadable, already a problem
        if not found and e.year and not math.isnan(e.value):
            good.append(e)
    pks = [x.id for x in targets.values()]
    current = {
        (a.target_pk, a.region_code): a
        for a in s.scalars(select(t.Allocation).where(t.Allocation.target_pk.in_(pks)))
    }
    checked = _Checked(good, targets, current)
    return checked, _sum_warnings(checked, regions, located)


def _sum_warnings(
    checked: _Checked, regions: dict[str, t.Region], located: _Located
) -> list[Problem]:
    """For counts and amounts: each parent touched by the file whose children are all
    allocated, with the children's sum below the parent's target (see the module doc)."""
    children: dict[str, list[str]] = defaultdict(list)
    for r in regions.values():
        if r.parent_code and r.level in LEVELS:
            children[r.parent_code].append(r.code)
    by_target: dict[tuple[int, str], list[Entry]] = defaultdict(list)
    for e in checked.entries:
        by_target[(e.year, e.target)].append(e)
    warnings: list[Problem] = []
    for key, group in by_target.items():
        target = checked.targets[key]
        if target.kind not in ADDITIVE_KINDS:
            continue  # a rate is each region's own value: nothing to add up
        value = {c: a.value for (pk, c), a in checked.current.items() if pk == target.id}
        value.update({e.region: e.value for e in group})
        value[PROVINCE_CODE] = float(target.value)  # type: ignore[arg-type]
        touched = {regions[e.region].parent_code for e in group} | {e.region for e in group}
        for parent in sorted(p for p in touched if p and children.get(p)):
            kids = children[parent]
            if parent not in value or any(k not in value for k in kids):
                continue
            total = sum(value[k] for k in kids)
            if total >= value[parent] - _EPS * max(1.0, abs(value[parent])):
                continue
            rows = [e for e in group if e.region in kids or e.region == parent]
            explained = any(e.comment for e in rows)
            pname = regions[parent].name_zh
            message = (
                f"目标“{target.target_id}”（{target.name_zh}）{pname}所辖"
                f"{LEVEL_ZH[regions[kids[0]].level]}分解值合计 {total:g}，"
                f"低于{pname}的目标 {value[parent]:g}"
            )
            hint = "请核对；如确属有意安排，请在该目标任一行的“说明”（comment）列写明理由"
            where = rows[0] if rows else None
            located_row = where.row if where else None
            problem = Problem(
                message,
                where=(
                    f"{f'工作表“{located.sheet}” ' if located.sheet else ''}"
                    f"第 {located_row} 行起（目标 {target.target_id}）"
                    if located_row
                    else f"目标 {target.target_id}"
                ),
                hint=hint,
                sheet=located.sheet,
                row=located_row,
                column=located.labels.get("comment", "comment") if located_row else None,
                level="warning",
            )
            # explained: accepted and shown; unexplained: the file is refused
            (warnings if explained else located.problems).append(problem)
    return warnings


# --- writing ---------------------------------------------------------------------------------


def _write(
    s: Session, checked: _Checked, who: Actor, source: Source, result: AllocationResult
) -> None:
    keys = {(checked.targets[(e.year, e.target)].id, e.region) for e in checked.entries}
    pks = {pk for pk, _ in keys}
    last = {
        (pk, code): n
        for pk, code, n in s.execute(
            select(
                t.AllocationRevision.target_pk,
                t.AllocationRevision.region_code,
                func.max(t.AllocationRevision.revision),
            )
            .where(t.AllocationRevision.target_pk.in_(pks))
            .group_by(t.AllocationRevision.target_pk, t.AllocationRevision.region_code)
        )
    }
    label = source.name if source.sha256 is None else f"{source.name} sha256:{source.sha256[:12]}"
    revisions = []
    for e in checked.entries:
        pk = checked.targets[(e.year, e.target)].id
        current = checked.current.get((pk, e.region))
        if current is not None and current.value == e.value:
            result.unchanged += 1
            continue
        if current is None:
            s.add(
                t.Allocation(
                    target_pk=pk,
                    region_code=e.region,
                    value=e.value,
                    source=label,
                    synthetic=source.synthetic,
                )
            )
        else:
            current.value, current.source = e.value, label
            current.synthetic = source.synthetic
        revisions.append(
            {
                "target_pk": pk,
                "region_code": e.region,
                "value": e.value,
                "revision": last.get((pk, e.region), 0) + 1,
                "recorded_by": who.username,
                "source_kind": source.kind,
                "source_name": source.name,
                "source_sha256": source.sha256,
                "source_cell": e.cells.get("value"),
                "comment": e.comment,
                "synthetic": source.synthetic,
                "recorded_at": source.recorded_at or datetime.now().astimezone(),
            }
        )
    result.written = len(revisions)
    if not revisions:
        return
    s.flush()
    s.execute(t.AllocationRevision.__table__.insert(), revisions)
    batch = t.ImportBatch(
        kind="allocations",
        file_name=source.name,
        sha256=source.sha256 or "",
        size_bytes=source.size_bytes,
        imported_by=who.username,
        rows_written=result.written,
        rows_unchanged=result.unchanged,
        imported_at=source.recorded_at or datetime.now().astimezone(),
    )
    s.add(batch)
    s.flush()
    result.batch_id = batch.id
    audit.record(
        s,
        who.username,
        "import.allocations",
        "allocations",
        source.name,
        detail={"sha256": source.sha256, "written": result.written, "synthetic": source.synthetic},
    )


@races.run_again_on_race("导入目标分解")
def import_entries(
    entries: list[Entry],
    *,
    who: Actor,
    source: Source,
    dry_run: bool = False,
    ws: Workspace | None = None,
    located: _Located | None = None,
) -> AllocationResult:
    """Check ``entries`` whole and write them in one transaction (nothing on any problem)."""
    located = located or _Located(None, {})
    result = AllocationResult(source.name, rows=len(entries), dry_run=dry_run)
    with store.session(database_url(ws)) as s:
        checked, result.warnings = _check(s, who, entries, located)
        if located.problems:
            ordered = sorted(located.problems, key=lambda p: (p.row or 0, p.column or ""))
            raise InputRejected(source.name, ordered)
        if dry_run:
            for e in checked.entries:
                pk = checked.targets[(e.year, e.target)].id
                current = checked.current.get((pk, e.region))
                if current is not None and current.value == e.value:
                    result.unchanged += 1
                else:
                    result.written += 1
            return result
        _write(s, checked, who, source, result)
    return result


def import_file(
    path: Path,
    *,
    who: Actor,
    dry_run: bool = False,
    source_name: str | None = None,
    ws: Workspace | None = None,
) -> AllocationResult:
    """Import a filled allocation template (xlsx) or a ``year,target,region,value`` CSV."""
    path = Path(path)
    name = source_name or path.name
    entries, located = read_file(path, name)
    data = path.read_bytes()
    source = Source("file", name, hashlib.sha256(data).hexdigest(), len(data))
    return import_entries(entries, who=who, source=source, dry_run=dry_run, ws=ws, located=located)
