"""Import an enterprise-facts file (CSV, Parquet, Excel) into the lake, all or nothing.

Every cell is read as text where the format allows (CSV, Excel), so codes keep their leading
zeros and a stray word in a number column is reported with its row instead of silently turning
the whole column into text or NULL. The file is refused as a whole if anything is wrong.
"""

from __future__ import annotations

import csv
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from zhuansheng.errors import InputRejected, Problem
from zhuansheng.uploads import (
    CONTROL_CHARS_PATTERN,
    check_kind,
    column_letter,
    control_char,
    control_char_problem,
)

from .contract import prepare_facts
from .store import _write_prepared

__all__ = ["SUPPORTED_SUFFIXES", "ImportResult", "import_enterprises", "read_input"]

SUPPORTED_SUFFIXES = (".csv", ".parquet", ".xlsx")


@dataclass
class ImportResult:
    source: str
    sha256: str
    rows: int
    years: list[int]
    paths: list[Path] = field(default_factory=list)  # empty on a dry run
    unchanged: list[int] = field(default_factory=list)  # years identical to the lake: not written
    warnings: list[Problem] = field(default_factory=list)
    dry_run: bool = False
    synthetic: bool = False


@dataclass
class _Read:
    table: pa.Table
    row_numbers: np.ndarray
    first_row: int
    sheet: str | None = None


def _reject(source: str, message: str, hint: str = "") -> InputRejected:
    return InputRejected(source, [Problem(message, "", hint)])


def _check_kind(path: Path, source: str) -> None:
    """Refuse an empty file, or one whose content is not what its extension says (an .xlsx is
    also checked for a corrupt zip and a zip bomb). Shared with the data-collection importer."""
    # Fact files can be large: no size limit, 1 GiB unpacked (the ratio limit still applies).
    check_kind(path, source=source, suffixes=SUPPORTED_SUFFIXES, max_bytes=None, max_unpacked=2**30)


def _read_csv(path: Path, source: str) -> tuple[_Read, list[Problem]]:
    """The table, and the malformed lines (wrong number of fields), which pyarrow skips."""
    import pyarrow.csv as pacsv

    bad_lines: list[int] = []
    bad_rows: list[Problem] = []

    def on_invalid(row: pacsv.InvalidRow) -> str:
        bad_lines.append(row.number or 0)
        if len(bad_rows) < 50:
            bad_rows.append(
                Problem(
                    f"该行有 {row.actual_columns} 个字段，表头有 {row.expected_columns} 列 "
                    "(wrong number of fields)",
                    f"第 {row.number} 行" if row.number else "",
                    "检查该行是否多了或少了逗号；含逗号的文本要加英文双引号",
                    row=row.number,
                )
            )
        return "skip"

    def read(encoding: str) -> pa.Table:
        bad_lines.clear()
        bad_rows.clear()
        with path.open("r", encoding=encoding, newline="") as fh:
            header = fh.readline().lstrip("\ufeff")
        names = next(csv.reader([header]), [])
        return pacsv.read_csv(
            path,
            # Single-threaded so that pyarrow reports the line number of a malformed line.
            read_options=pacsv.ReadOptions(encoding=encoding, use_threads=False),
            # Blank lines stay as (empty) rows, so data row i is line i + 2.
            parse_options=pacsv.ParseOptions(
                ignore_empty_lines=False, invalid_row_handler=on_invalid
            ),
            convert_options=pacsv.ConvertOptions(
                column_types={n: pa.string() for n in names},
                strings_can_be_null=True,
                null_values=[""],
            ),
        )

    try:
        try:
            table = read("utf-8-sig")
        except (UnicodeDecodeError, pa.ArrowInvalid) as exc:
            if not isinstance(exc, UnicodeDecodeError) and "UTF8" not in str(exc):
                raise
            table = read("gb18030")  # Excel on Chinese Windows saves CSV as GBK/GB18030
    except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
        hint = "用 UTF-8 编码另存为 CSV"
        raise _reject(source, f"无法解析 CSV (cannot parse): {exc}", hint) from exc
    skipped = np.asarray([n for n in bad_lines if n], dtype=np.int64)
    if len(skipped) == len(bad_lines):
        # Each remaining row keeps its own line number, so its problems are located correctly.
        lines = np.arange(2, 2 + table.num_rows + len(skipped), dtype=np.int64)
        rows = np.setdiff1d(lines, skipped, assume_unique=True)
    else:
        rows = 2 + np.arange(table.num_rows, dtype=np.int64)
    return _Read(table, rows, 2), bad_rows


def _read_parquet(path: Path, source: str) -> _Read:
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(path)
    except (pa.ArrowException, OSError) as exc:
        raise _reject(source, f"无法读取 Parquet 文件 (cannot read): {exc}") from exc
    return _Read(table, 1 + np.arange(table.num_rows, dtype=np.int64), 1)


def _read_xlsx(path: Path, source: str, sheet: str | None) -> _Read:
    import fastexcel

    try:
        reader = fastexcel.read_excel(path)
        names = reader.sheet_names
        if sheet is None:
            target: str | int = 0
        elif sheet in names:
            target = sheet
        elif sheet.isdigit() and int(sheet) < len(names):
            target = int(sheet)
        else:
            raise _reject(
                source,
                f"找不到工作表 {sheet!r} (sheet not found)",
                f"现有工作表：{', '.join(names)}",
            )
        # Every cell as text: codes keep leading zeros, numbers are parsed (and checked) later.
        loaded = reader.load_sheet(target, dtypes="string")
        table = pa.Table.from_batches([loaded.to_arrow()])
    except InputRejected:
        raise
    except Exception as exc:  # fastexcel raises its own exception types for corrupt workbooks
        raise _reject(source, f"无法读取 Excel 文件 (cannot read workbook): {exc}") from exc
    sheet_name = names[target] if isinstance(target, int) else target
    return _Read(table, 2 + np.arange(table.num_rows, dtype=np.int64), 2, sheet_name)


def _drop_blank_rows(read: _Read) -> _Read:
    """Rows with every cell empty (blank lines, formatted-but-empty sheet rows) are not data."""
    t = read.table
    if not t.num_rows or not t.num_columns:
        return read
    blank = None
    for column in t.columns:
        empty = pc.is_null(column, nan_is_null=True)
        if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
            empty = pc.or_(empty, pc.equal(pc.utf8_trim_whitespace(column), ""))
        empty = pc.fill_null(empty, True)
        blank = empty if blank is None else pc.and_(blank, empty)
    keep = pc.invert(blank)
    mask = np.asarray(keep.to_numpy(zero_copy_only=False), dtype=bool)
    if mask.all():
        return read
    return _Read(t.filter(keep), read.row_numbers[mask], read.first_row, read.sheet)


def _refuse_control_chars(read: _Read, source: str) -> None:
    """Refuse a text cell holding a control character (NUL ...), naming each (up to 20)."""
    t = read.table
    sheet = read.sheet or Path(source).name
    problems: list[Problem] = []
    for i, column in enumerate(t.columns):
        if not (pa.types.is_string(column.type) or pa.types.is_large_string(column.type)):
            continue
        hit = pc.fill_null(pc.match_substring_regex(column, CONTROL_CHARS_PATTERN), False)
        if not pc.any(hit).as_py():
            continue
        mask = np.asarray(hit.to_numpy(zero_copy_only=False), dtype=bool)
        values = column.to_pylist()
        name = t.column_names[i]
        letter = column_letter(i + 1)
        for idx in np.flatnonzero(mask)[:20]:
            problem = control_char_problem(
                control_char(values[idx]) or "?",
                sheet=sheet,
                row=int(read.row_numbers[idx]),
                column=letter,
                header=name,
            )
            problems.append(problem)
    if problems:
        raise InputRejected(source, problems[:20])


def read_input(
    path: Path, *, sheet: str | None = None, source: str | None = None
) -> tuple[_Read, list[Problem]]:
    """Read a facts file into an Arrow table with the row number the user sees for each row,
    plus the lines that could not be parsed at all (CSV)."""
    source = source or str(path)
    _check_kind(path, source)
    suffix = path.suffix.lower()
    unparsed: list[Problem] = []
    if suffix == ".csv":
        read, unparsed = _read_csv(path, source)
    elif suffix == ".parquet":
        read = _read_parquet(path, source)
    else:
        read = _read_xlsx(path, source, sheet)
    read = _drop_blank_rows(read)
    _refuse_control_chars(read, source)
    return read, unparsed


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def import_enterprises(
    path: Path | str,
    *,
    lake: Path | None = None,
    dry_run: bool = False,
    synthetic: bool = False,
    sheet: str | None = None,
) -> ImportResult:
    """Validate a facts file and (unless ``dry_run``) write it to the lake, one file per year.

    Raises :class:`InputRejected` listing every problem (nothing is written) if the file is
    unreadable or breaks the contract. Warnings (unknown or absent optional columns) do not block.
    """
    path = Path(path)
    source = str(path)
    read, unparsed = read_input(path, sheet=sheet, source=source)
    prepared = prepare_facts(
        read.table,
        source_name=path.name,
        first_row=read.first_row,
        row_numbers=read.row_numbers,
        sheet=read.sheet,
    )
    if prepared.table is None or unparsed:
        errors, warnings = prepared.errors, prepared.warnings
        raise InputRejected(source, [*unparsed, *errors, *warnings])
    table = prepared.table
    sha = _sha256(path)
    years = sorted(pc.unique(table["year"]).to_pylist())
    result = ImportResult(
        source=source,
        sha256=sha,
        rows=table.num_rows,
        years=years,
        warnings=prepared.warnings,
        dry_run=dry_run,
        synthetic=synthetic,
    )
    if not dry_run:
        written = _write_prepared(
            table, lake=lake, source=path.name, sha256=sha, synthetic=synthetic
        )
        result.paths, result.unchanged = written.paths, written.unchanged
    return result
