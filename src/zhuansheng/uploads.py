"""Read an uploaded workbook (.xlsx) or CSV file safely, or refuse it with precise problems.

Everything an importer needs to know about a file's *shape* is decided here, before any value
is validated: the file is not empty and not too large; its content is what its name says (a zip
holding ``xl/workbook.xml`` for .xlsx, text for .csv; an old binary .xls, an encrypted workbook,
an HTML page named .xls are each recognised and explained); the zip is not a bomb (total unpacked
size and per-member compression ratio are limited before anything is decompressed); the XML
carries no DOCTYPE (so no entity expansion); the requested sheet exists (a renamed sheet is
reported with the names that are there). Every refusal is an :class:`InputRejected` whose
problems say, in Chinese with a short English gloss, what is wrong and what to do.

Workbook values are read straight from the sheet XML (with the shared-string table), so a cell
stored as text stays text (``001`` keeps its zeros) and a number stays a number. A cell holding a
formula reports the formula text (``=SUM(A1:A2)``, shared formulas expanded to the cell's own
references) and its cached value; merged ranges are reported per cell. Whether formulas or merged
cells are acceptable in a given place is the validator's decision, not this module's.

CSV files are UTF-8 (with or without a BOM) or GBK/GB18030 (what Excel on Chinese Windows
writes), comma- or tab-separated; every field stays text.
"""

from __future__ import annotations

import csv
import io
import posixpath
import re
import zipfile
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any
from xml.etree.ElementTree import Element, ParseError, iterparse

from zhuansheng.errors import InputRejected, Problem
from zhuansheng.tabular import neutralise

__all__ = [
    "CONTROL_CHARS",
    "CONTROL_CHARS_PATTERN",
    "MAGIC",
    "MAX_BYTES",
    "MAX_CELLS",
    "MAX_RATIO",
    "MAX_UNPACKED",
    "RATIO_MIN_MEMBER",
    "Cell",
    "SheetData",
    "SheetInfo",
    "Workbook",
    "check_kind",
    "column_letter",
    "control_char",
    "control_char_problem",
    "decode_text",
    "defined_names",
    "looks_like",
    "neutralise",
    "open_workbook",
    "read_csv",
    "read_sheet",
    "read_table",
    "sheet_names",
    "split_ref",
]

MAX_BYTES = 20 * 2**20  # an uploaded file, as stored on disk
MAX_UNPACKED = 100 * 2**20  # the sum of an xlsx's members once decompressed
MAX_RATIO = 100  # unpacked / packed size of any one member ...
RATIO_MIN_MEMBER = 2**20  # ... that unpacks to at least this much (tiny parts compress well)
MAX_CELLS = 1_000_000  # rows x columns of a sheet's used range (or a CSV's fields)

CSV_ENCODINGS = ("utf-8-sig", "gb18030")  # GB18030 is a superset of GBK and GB2312

MAGIC = (
    (b"PK\x03\x04", "Excel 工作簿或 zip 压缩包 (xlsx/zip)"),
    (b"PAR1", "Parquet 文件"),
    (b"\xd0\xcf\x11\xe0", "旧版 Excel 97-2003 工作簿 (.xls)"),
    (b"%PDF", "PDF 文件"),
    (b"\x89PNG\r\n\x1a\n", "PNG 图片"),
    (b"\xff\xd8\xff", "JPEG 图片"),
)
# The first bytes each kind of document must start with (evidence files, see check_kind).
_HEADS = {
    ".pdf": (b"%PDF-",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".docx": (b"PK\x03\x04",),
}
# The part a zip-based Office file must hold: a workbook, a Word document.
_ZIP_PART = {".xlsx": "xl/workbook.xml", ".docx": "word/document.xml"}

# C0 control characters other than tab, LF and CR. None belongs in a text cell: a NUL is refused
# by PostgreSQL and silently stored by SQLite, the others are invisible and break matching,
# exports and search. Every reader here refuses them, naming the cell.
CONTROL_CHARS_PATTERN = "[\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f]"  # Python re and RE2 (pyarrow)
CONTROL_CHARS = re.compile(CONTROL_CHARS_PATTERN)
_MAX_CONTROL_PROBLEMS = 20

_SUFFIX_TEXT = {".csv": ".csv（UTF-8 或 GB18030）"}
_SAVE_AS_XLSX = (
    "请在 Excel 中打开，“文件 → 另存为”，保存类型选“Excel 工作簿 (*.xlsx)”，再上传 .xlsx 文件"
)
_USE_TEMPLATE = "这不是正常的填报文件；请用下发的模板重新填写后上传"


# ---------------------------------------------------------------------------------------------
# Refusals and file kinds


def _reject(source: str, message: str, hint: str = "", **at: Any) -> InputRejected:
    where = at.pop("where", "")
    return InputRejected(source, [Problem(message, where, hint, **at)])


def looks_like(head: bytes) -> str:
    """What the first bytes of a file say it is, in words for a message."""
    for magic, what in MAGIC:
        if head.startswith(magic):
            return what
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "UTF-16 编码的文本 (UTF-16 text)"
    if b"\x00" in head:
        return "二进制文件 (binary)"
    if _is_html(head):
        return "网页 (HTML)"
    return "文本文件 (text, e.g. CSV)"


def _is_html(head: bytes) -> bool:
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n")[:512].lower()
    return start.startswith((b"<!doctype html", b"<html", b"<table", b"<meta")) or (
        start.startswith(b"<?xml") and b"urn:schemas-microsoft-com:office" in head.lower()
    )


def check_kind(
    path: Path,
    *,
    source: str | None = None,
    suffixes: Sequence[str] = (".xlsx", ".csv"),
    max_bytes: int | None = MAX_BYTES,
    max_unpacked: int = MAX_UNPACKED,
    max_ratio: float = MAX_RATIO,
) -> str:
    """The file's (lower-case) suffix once its content is verified to match it.

    Refuses: an unsupported suffix, a missing or empty file, one over ``max_bytes`` (``None``:
    no limit), content of another kind than the suffix says and, for .xlsx, a corrupt zip, a
    zip that is not a workbook, or a zip bomb (see :func:`_open_zip`).
    """
    path = Path(path)
    source = source or path.name
    suffix = _check_head(path, source, suffixes, max_bytes)
    if suffix in _ZIP_PART:
        _open_zip(path, source, max_unpacked, max_ratio, _ZIP_PART[suffix]).close()
    return suffix


def _check_head(path: Path, source: str, suffixes: Sequence[str], max_bytes: int | None) -> str:
    """:func:`check_kind` without opening the zip."""
    suffix = path.suffix.lower()
    if suffix == ".xls" and ".xls" not in suffixes:
        raise _xls_refusal(path, source)
    if suffix not in suffixes:
        allowed = "、".join(_SUFFIX_TEXT.get(s, s) for s in suffixes)
        raise _reject(
            source,
            f"不支持的文件类型 {suffix or '（无扩展名）'} (unsupported file type)",
            f"支持 {allowed}",
        )
    if not path.is_file():
        raise _reject(source, "文件不存在 (file not found)", "检查路径")
    size = path.stat().st_size
    if size == 0:
        raise _reject(source, "文件为空，0 字节 (empty file)", "检查导出是否完成")
    if max_bytes is not None and size > max_bytes:
        raise _reject(
            source,
            f"文件大小 {_beyond(size, max_bytes)} (file too large)",
            "只保留模板中的工作表，删除图片、附件和多余的行列后再上传",
        )
    with path.open("rb") as fh:
        head = fh.read(4096)
        if suffix == ".parquet" and size >= 8:
            fh.seek(-4, 2)
            tail = fh.read(4)
        else:
            tail = b""
    expected = {
        ".xlsx": head.startswith(b"PK\x03\x04"),
        ".parquet": head.startswith(b"PAR1") and tail == b"PAR1",
        ".csv": looks_like(head).startswith("文本"),
    }.get(suffix, head.startswith(_HEADS.get(suffix, (b"",))))
    if not expected:
        what = looks_like(head)
        hint = "确认选对了文件；若是另一种格式，请改用正确的扩展名或重新导出"
        if suffix == ".parquet" and head.startswith(b"PAR1"):
            what = "不完整的 Parquet 文件 (truncated)"
        elif suffix == ".xlsx":
            hint = f"确认选对了文件；{_SAVE_AS_XLSX}"
            if head.startswith(b"\xd0\xcf\x11\xe0"):
                what = "加密的工作簿（设置了打开密码）或旧版 .xls 工作簿 (encrypted or old .xls)"
                hint = f"如设置了打开密码，请先取消密码；{_SAVE_AS_XLSX}"
        elif suffix == ".csv" and head.startswith((b"\xff\xfe", b"\xfe\xff")):
            hint = "请在 Excel 中另存为“CSV UTF-8（逗号分隔）(*.csv)”"
        raise _reject(
            source,
            f"文件扩展名为 {suffix}，但内容是{what} (content does not match the extension)",
            hint,
        )
    return suffix


def _xls_refusal(path: Path, source: str) -> InputRejected:
    try:
        with path.open("rb") as fh:
            head = fh.read(4096)
    except OSError:
        head = b""
    if head.startswith(b"PK\x03\x04"):
        return _reject(
            source,
            "文件扩展名为 .xls，但内容是 .xlsx 工作簿 (an .xlsx named .xls)",
            "把文件扩展名改为 .xlsx 后重新上传",
        )
    if _is_html(head):
        return _reject(
            source,
            "这是网页 (HTML) 格式、扩展名为 .xls 的文件，不是 Excel 工作簿 (HTML saved as .xls)",
            _SAVE_AS_XLSX,
        )
    return _reject(source, "不支持旧版 .xls 格式 (.xls not supported)", _SAVE_AS_XLSX)


def _mb(n: float) -> str:
    return f"{n / 2**20:.1f} MB"


def _beyond(size: float, limit: float) -> str:
    """“文件大小 X，超过上限 Y” with both numbers told apart: in MB, or in bytes where MB to one
    decimal would print the same number twice."""
    if _mb(size) != _mb(limit):
        return f"{_mb(size)}，超过上限 {_mb(limit)}"
    return f"{size:,.0f} 字节，超过上限 {limit:,.0f} 字节（{_mb(limit)}）"


def _open_zip(
    path: Path, source: str, max_unpacked: int, max_ratio: float, part: str = "xl/workbook.xml"
) -> zipfile.ZipFile:
    """The open zip, once its directory shows a workbook that is not a bomb (sizes are checked
    from the directory before anything is decompressed; zipfile never unpacks a member beyond
    its declared size, and a CRC mismatch surfaces as a corrupt part)."""
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise _reject(
            source,
            f"文件已损坏，无法作为 xlsx 打开 (corrupt file: {exc})",
            f"重新下载或重新导出；{_SAVE_AS_XLSX}",
        ) from exc
    try:
        infos = zf.infolist()
        total = sum(i.file_size for i in infos)
        if total > max_unpacked:
            raise _reject(
                source,
                f"解压后大小 {_beyond(total, max_unpacked)} "
                "(zip bomb suspected: unpacked size too large)",
                _USE_TEMPLATE,
            )
        for info in infos:
            ratio = info.file_size / max(info.compress_size, 1)
            if info.file_size >= RATIO_MIN_MEMBER and ratio > max_ratio:
                raise _reject(
                    source,
                    f"压缩包内 {info.filename} 的压缩比为 {ratio:.0f}:1，超过上限 {max_ratio:g}:1 "
                    "(zip bomb suspected: compression ratio too high)",
                    _USE_TEMPLATE,
                )
            if info.flag_bits & 0x1:
                raise _reject(
                    source,
                    "压缩包内容已加密 (encrypted zip)",
                    f"取消加密；{_SAVE_AS_XLSX}",
                )
        names = {i.filename for i in infos}
        if part == "word/document.xml" and part not in names:
            raise _reject(
                source,
                "文件内容不是 Word 文档（缺少 word/document.xml）(not a docx document)",
                "确认选对了文件；请在 Word 中另存为“Word 文档 (*.docx)”后上传",
            )
        if part not in names:
            what = "zip 压缩包"
            if "word/document.xml" in names:
                what = "Word 文档 (.docx)"
            elif "ppt/presentation.xml" in names:
                what = "PowerPoint 演示文稿 (.pptx)"
            elif "content.xml" in names:
                what = "OpenDocument / WPS 表格 (.ods/.et)"
            raise _reject(
                source,
                f"文件内容是{what}，不是 Excel 工作簿（缺少 xl/workbook.xml）"
                "(not an xlsx workbook)",
                f"确认选对了文件；{_SAVE_AS_XLSX}",
            )
    except BaseException:
        zf.close()
        raise
    return zf


# ---------------------------------------------------------------------------------------------
# Control characters


def control_char(text: str) -> str | None:
    """The first control character of ``text`` that no text cell may hold, named for a message
    (``NUL``, ``U+001B``), or ``None``."""
    m = CONTROL_CHARS.search(text)
    if m is None:
        return None
    code = ord(m.group())
    return "NUL" if code == 0 else f"U+{code:04X}"


def control_char_problem(
    name: str, *, sheet: str, row: int, column: str, header: str | None = None
) -> Problem:
    """The located refusal of a text cell holding the control character ``name`` (``header``:
    the column's name, where the file has one)."""
    named = f"（{header}）" if header else ""
    return Problem(
        f"单元格文本含有不可见的控制字符 {name} (control character in text)",
        f"工作表“{sheet}” 第 {row} 行 {column} 列{named}（{column}{row}）",
        "删除该单元格中的不可见字符（如从其他系统复制来的 NUL）后重新保存上传",
        sheet=sheet,
        row=row,
        column=column,
    )


def _refuse_control_chars(source: str, sheet: str, texts: Iterator[tuple[int, int, Any]]) -> None:
    """Refuse the file if any ``(row, column, value)`` text holds a control character."""
    problems: list[Problem] = []
    for row, col, value in texts:
        if type(value) is str and (name := control_char(value)) is not None:
            problems.append(
                control_char_problem(name, sheet=sheet, row=row, column=column_letter(col))
            )
            if len(problems) >= _MAX_CONTROL_PROBLEMS:
                break
    if problems:
        raise InputRejected(source, problems)


# ---------------------------------------------------------------------------------------------
# Cells and sheets


def column_letter(col: int) -> str:
    """1 → ``A``, 27 → ``AA``."""
    letters = ""
    while col > 0:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


_REF = re.compile(r"\$?([A-Za-z]{1,3})\$?([0-9]+)")


def split_ref(ref: str) -> tuple[int, int]:
    """``D7`` → ``(7, 4)`` (row, column), 1-based."""
    m = _REF.fullmatch(ref.strip())
    if not m:
        raise ValueError(f"不是单元格地址 (not a cell reference): {ref!r}")
    col = 0
    for ch in m.group(1).upper():
        col = col * 26 + ord(ch) - 64
    return int(m.group(2)), col


def _strip_format(code: str) -> str:
    """A number-format code without quoted text, escapes and [bracketed] parts."""
    return re.sub(r'"[^"]*"|\\.|_.|\*.|\[[^\]]*\]', "", code)


@dataclass(slots=True)
class Cell:
    """One cell, where Excel shows it (treat as read-only; not frozen, for speed).

    ``value`` is what the file stores: ``str`` for text (codes keep leading zeros), ``int`` or
    ``float`` for numbers, ``bool`` for TRUE/FALSE, ``None`` for an empty cell (an empty string
    reads as ``None`` too: Excel shows both as blank). A formula cell has ``formula`` (its text
    with a leading ``=``; ``""`` if the text could not be recovered) and its cached ``value``.
    ``error`` marks an Excel error value such as ``#DIV/0!`` (then ``value`` is that text).
    ``number_format`` is the cell's number-format code (``None`` for General); Excel stores
    ``8%`` typed into a cell as 0.08 with a percent format, see :attr:`is_percent`. In a CSV
    every value is ``str`` or ``None``.
    """

    row: int
    col: int
    ref: str
    value: str | float | int | bool | None = None
    formula: str | None = None
    merged: bool = False
    number_format: str | None = None
    error: bool = False

    @property
    def is_empty(self) -> bool:
        return self.value is None and self.formula is None

    @property
    def is_percent(self) -> bool:
        """The number format shows the value as a percentage (``0%``, ``0.00%`` ...)."""
        return self.number_format is not None and "%" in _strip_format(self.number_format)

    @property
    def is_date(self) -> bool:
        """The number format shows the value as a date or time (the value is a serial number)."""
        fmt = self.number_format
        return fmt is not None and re.search(r"[ymdhs]", _strip_format(fmt), re.I) is not None


@dataclass(frozen=True)
class SheetInfo:
    name: str
    state: str  # "visible", "hidden" or "veryHidden"
    part: str  # the sheet's XML inside the zip, e.g. "xl/worksheets/sheet1.xml"


@dataclass
class SheetData:
    """A sheet (or a CSV file) as a dense grid: ``rows[r - 1][c - 1]`` is the cell at row ``r``,
    column ``c``, for every row and column up to the last one holding a value or a formula.
    Trailing empty rows and columns are not included; :meth:`cell` answers for any position.
    """

    name: str
    rows: list[list[Cell]]
    warnings: list[Problem] = field(default_factory=list)
    state: str = "visible"
    merged_ranges: list[str] = field(default_factory=list)  # e.g. ["B3:C4"]
    encoding: str | None = None  # CSV only: "utf-8-sig" or "gb18030"

    @property
    def n_rows(self) -> int:
        return len(self.rows)

    @property
    def n_cols(self) -> int:
        return len(self.rows[0]) if self.rows else 0

    def cell(self, row: int | str, col: int | None = None) -> Cell:
        """The cell at ``("D7")`` or ``(7, 4)``, empty (but with its merged flag) if outside
        the grid."""
        if isinstance(row, str):
            row, col = split_ref(row)
        elif col is None:
            raise TypeError("cell() takes a reference such as 'D7' or a row and a column")
        if 1 <= row <= len(self.rows) and 1 <= col <= len(self.rows[row - 1]):
            return self.rows[row - 1][col - 1]
        merged = any(_in_range(row, col, r) for r in self.merged_ranges)
        return Cell(row, col, f"{column_letter(col)}{row}", merged=merged)

    def iter_cells(self, *, skip_empty: bool = True) -> Iterator[Cell]:
        for line in self.rows:
            for c in line:
                if not (skip_empty and c.is_empty):
                    yield c

    def values(self) -> list[list[Any]]:
        """Just the values, row by row."""
        return [[c.value for c in line] for line in self.rows]


def _parse_range(ref: str) -> tuple[int, int, int, int]:
    first, _, last = ref.partition(":")
    r1, c1 = split_ref(first)
    r2, c2 = split_ref(last) if last else (r1, c1)
    return min(r1, r2), min(c1, c2), max(r1, r2), max(c1, c2)


def _in_range(row: int, col: int, ref: str) -> bool:
    r1, c1, r2, c2 = _parse_range(ref)
    return r1 <= row <= r2 and c1 <= col <= c2


# ---------------------------------------------------------------------------------------------
# Safe XML


class _GuardedStream:
    """A zip member read for iterparse, refusing DOCTYPE / ENTITY declarations and non-UTF-8
    encodings (so a declaration cannot hide from the byte scan)."""

    def __init__(self, raw: IO[bytes], part: str, source: str) -> None:
        self._raw, self._part, self._source = raw, part, source
        self._tail = b""
        self._first = True

    def read(self, n: int = -1) -> bytes:
        data = self._raw.read(n)
        if self._first and data:
            self._first = False
            self._check_encoding(data)
        window = self._tail + data
        if b"<!DOCTYPE" in window or b"<!ENTITY" in window:
            raise _reject(
                self._source,
                f"工作簿内部文件 {self._part} 含 DOCTYPE/ENTITY 声明，为安全起见拒绝读取 "
                "(DOCTYPE not allowed)",
                _SAVE_AS_XLSX,
            )
        self._tail = window[-9:]
        return data

    def _check_encoding(self, head: bytes) -> None:
        bad = head.startswith((b"\xff\xfe", b"\xfe\xff", b"\x00", b"<\x00"))
        m = re.match(rb"(?:\xef\xbb\xbf)?\s*<\?xml[^>]*?encoding\s*=\s*[\"']([^\"']*)", head)
        if m and m.group(1).lower().replace(b"_", b"-") not in (b"utf-8", b"utf8"):
            bad = True
        if bad:
            raise _reject(
                self._source,
                f"工作簿内部文件 {self._part} 不是 UTF-8 编码 (unsupported XML encoding)",
                _SAVE_AS_XLSX,
            )


_SPREADSHEET_NS = (
    "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "http://purl.oclc.org/ooxml/spreadsheetml/main",  # strict OOXML
)
_EXCEL_ROWS = 1_048_576


def _tags(local: str) -> frozenset[str]:
    return frozenset([local, *(f"{{{ns}}}{local}" for ns in _SPREADSHEET_NS)])


_ROW, _C, _V, _F, _IS, _MERGE_CELL = map(_tags, ("row", "c", "v", "f", "is", "mergeCell"))


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _attr(elem: Element, local: str) -> str | None:
    """An attribute by local name, whatever its namespace (r:id in transitional or strict)."""
    for key, value in elem.attrib.items():
        if key == local or key.endswith("}" + local):
            return value
    return None


_BUILTIN_FORMATS = {
    1: "0",
    2: "0.00",
    3: "#,##0",
    4: "#,##0.00",
    9: "0%",
    10: "0.00%",
    11: "0.00E+00",
    12: "# ?/?",
    13: "# ??/??",
    14: "yyyy/m/d",
    15: "d-mmm-yy",
    16: "d-mmm",
    17: "mmm-yy",
    18: "h:mm AM/PM",
    19: "h:mm:ss AM/PM",
    20: "h:mm",
    21: "h:mm:ss",
    22: "yyyy/m/d h:mm",
    37: "#,##0 ;(#,##0)",
    38: "#,##0 ;[Red](#,##0)",
    39: "#,##0.00;(#,##0.00)",
    40: "#,##0.00;[Red](#,##0.00)",
    45: "mm:ss",
    46: "[h]:mm:ss",
    47: "mmss.0",
    48: "##0.0E+0",
    49: "@",
    # zh-CN built-in date and time formats (locale-dependent ids)
    27: 'yyyy"年"m"月"',
    28: 'm"月"d"日"',
    29: 'm"月"d"日"',
    30: "m-d-yy",
    31: 'yyyy"年"m"月"d"日"',
    32: 'h"时"mm"分"',
    33: 'h"时"mm"分"ss"秒"',
    34: '上午/下午h"时"mm"分"',
    35: '上午/下午h"时"mm"分"ss"秒"',
    36: 'yyyy"年"m"月"',
    50: 'yyyy"年"m"月"',
    51: 'm"月"d"日"',
    52: 'yyyy"年"m"月"',
    53: 'm"月"d"日"',
    54: 'm"月"d"日"',
    55: '上午/下午h"时"mm"分"',
    56: '上午/下午h"时"mm"分"ss"秒"',
    57: 'yyyy"年"m"月"',
    58: 'm"月"d"日"',
}

_FORMULA_PARTS = re.compile(r"(\"(?:[^\"]|\"\")*\"|'(?:[^']|'')*')")
_FORMULA_REF = re.compile(r"(?<![A-Za-z0-9_.])(\$?)([A-Z]{1,3})(\$?)([0-9]+)(?![A-Za-z0-9_(!])")


def _shift_formula(text: str, drow: int, dcol: int) -> str:
    """A shared formula's text as it reads in a cell ``drow`` rows / ``dcol`` columns away
    from the master cell: relative references move, ``$``-anchored ones do not."""

    def move(m: re.Match[str]) -> str:
        cabs, letters, rabs, digits = m.groups()
        col = split_ref(f"{letters}1")[1]
        row = int(digits)
        if col > 16384 or row > 1048576:
            return m.group(0)
        if not cabs:
            col += dcol
        if not rabs:
            row += drow
        if col < 1 or row < 1:
            return "#REF!"
        return f"{cabs}{column_letter(col)}{rabs}{row}"

    parts = _FORMULA_PARTS.split(text)
    for i in range(0, len(parts), 2):  # odd parts are string literals and quoted sheet names
        parts[i] = _FORMULA_REF.sub(move, parts[i])
    return "".join(parts)


# ---------------------------------------------------------------------------------------------
# Workbooks


class Workbook:
    """An open, verified .xlsx. Use :func:`open_workbook` (a context manager)."""

    def __init__(self, zf: zipfile.ZipFile, source: str, max_cells: int = MAX_CELLS) -> None:
        self._zf = zf
        self.source = source
        self.max_cells = max_cells
        self._shared: list[str] | None = None
        self._styles: list[str | None] | None = None
        self.sheets: list[SheetInfo] = []
        self.defined_names: dict[str, str] = {}
        self._parts: dict[str, str] = {}
        self._load_workbook()

    # -- plumbing ----------------------------------------------------------------------------

    def close(self) -> None:
        self._zf.close()

    def __enter__(self) -> Workbook:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _events(self, part: str, events: tuple[str, ...] = ("end",)) -> Iterator[Any]:
        try:
            with self._zf.open(part) as raw:
                yield from iterparse(_GuardedStream(raw, part, self.source), events)
        except InputRejected:
            raise
        except (
            ParseError,
            zipfile.BadZipFile,
            zlib.error,
            EOFError,
            OSError,
            NotImplementedError,
            ValueError,
        ) as exc:
            raise _reject(
                self.source,
                f"工作簿内部文件 {part} 已损坏，无法读取 (corrupt part: {exc})",
                f"重新下载或重新导出；{_SAVE_AS_XLSX}",
            ) from exc

    def _has(self, part: str) -> bool:
        try:
            self._zf.getinfo(part)
        except KeyError:
            return False
        return True

    def _load_workbook(self) -> None:
        rels: dict[str, tuple[str, str]] = {}  # id -> (type, part)
        if self._has("xl/_rels/workbook.xml.rels"):
            for _, el in self._events("xl/_rels/workbook.xml.rels"):
                if _local(el.tag) == "Relationship":
                    target = el.get("Target", "")
                    if el.get("TargetMode") == "External":
                        continue
                    part = (
                        target.lstrip("/")
                        if target.startswith("/")
                        else posixpath.normpath(posixpath.join("xl", target))
                    )
                    rels[el.get("Id", "")] = (el.get("Type", ""), part)
        pending_names: list[tuple[str, str | None, str]] = []
        for _, el in self._events("xl/workbook.xml"):
            tag = _local(el.tag)
            if tag == "sheet":
                name = el.get("name", "")
                rel = rels.get(_attr(el, "id") or "")
                part = rel[1] if rel else ""
                self.sheets.append(SheetInfo(name, el.get("state", "visible"), part))
            elif tag == "definedName":
                pending_names.append((el.get("name", ""), el.get("localSheetId"), el.text or ""))
        for name, local_id, text in pending_names:
            if local_id is not None and local_id.isdigit() and int(local_id) < len(self.sheets):
                name = f"{self.sheets[int(local_id)].name}!{name}"
            self.defined_names[name] = text
        self._shared_part = next(
            (p for t, p in rels.values() if t.endswith("/sharedStrings")), "xl/sharedStrings.xml"
        )
        self._styles_part = next(
            (p for t, p in rels.values() if t.endswith("/styles")), "xl/styles.xml"
        )

    def _shared_strings(self) -> list[str]:
        if self._shared is None:
            strings: list[str] = []
            if self._has(self._shared_part):
                for _, el in self._events(self._shared_part):
                    if _local(el.tag) == "si":
                        strings.append(_text_of(el))
                        el.clear()
            self._shared = strings
        return self._shared

    def _formats(self) -> list[str | None]:
        """Number-format code per cellXfs index (``None`` for General)."""
        if self._styles is None:
            custom: dict[int, str] = {}
            xfs: list[str | None] = []
            depth = 0
            if self._has(self._styles_part):
                for event, el in self._events(self._styles_part, ("start", "end")):
                    tag = _local(el.tag)
                    if tag == "cellXfs":
                        depth += 1 if event == "start" else -1
                    elif event == "end" and tag == "numFmt":
                        fid = el.get("numFmtId", "")
                        if fid.isdigit():
                            custom[int(fid)] = el.get("formatCode", "")
                    elif event == "end" and tag == "xf" and depth > 0:
                        fid = el.get("numFmtId", "0")
                        n = int(fid) if fid.isdigit() else 0
                        xfs.append(custom.get(n) or _BUILTIN_FORMATS.get(n))
            self._styles = xfs
        return self._styles

    # -- public ------------------------------------------------------------------------------

    @property
    def sheet_names(self) -> list[str]:
        """Every sheet's name in workbook order, hidden ones included."""
        return [s.name for s in self.sheets]

    def info(self, sheet: str | None = None) -> SheetInfo:
        """The named sheet, or the first visible one; refuses a missing sheet with the names
        of the sheets that are there (this is how a renamed template sheet is caught)."""
        if not self.sheets:
            raise _reject(self.source, "工作簿中没有工作表 (no sheets)", _USE_TEMPLATE)
        if sheet is None:
            visible = [s for s in self.sheets if s.state == "visible"]
            return (visible or self.sheets)[0]
        for s in self.sheets:
            if s.name == sheet:
                return s
        shown = [s.name for s in self.sheets if s.state == "visible"] or self.sheet_names
        there = "、".join(f"“{n}”" for n in shown)
        return_hint = (
            f"请勿重命名或删除模板中的工作表：把工作表名改回“{sheet}”，或用下发的模板重新填写"
        )
        raise _reject(
            self.source,
            f"找不到工作表“{sheet}”，工作簿中只有 {there} (sheet not found)",
            return_hint,
            sheet=sheet,
        )

    def read(self, sheet: str | None = None) -> SheetData:
        """The cells of a sheet (hidden sheets included: ``read("_meta")`` works)."""
        info = self.info(sheet)
        if not info.part.startswith("xl/worksheets/") or not self._has(info.part):
            raise _reject(
                self.source,
                f"“{info.name}”不是普通工作表，或其内容缺失 (not a worksheet)",
                _SAVE_AS_XLSX,
                sheet=info.name,
            )
        return self._read_part(info)

    def _read_part(self, info: SheetInfo) -> SheetData:
        name = info.name
        shared = self._shared_strings()
        formats = self._formats()
        cells: dict[tuple[int, int], tuple[Any, str | None, str | None, bool]] = {}
        masters: dict[str, tuple[str, int, int]] = {}
        merged: list[str] = []
        warnings: list[Problem] = []
        no_cache = 0
        max_row = max_col = 0
        rows_seen = row_no = 0
        # Only "end" events: a row is handled once complete, then emptied. (Cleared rows stay
        # in the tree; the row count is capped at Excel's maximum, which bounds that memory.)
        for _, el in self._events(info.part):
            tag = el.tag
            if tag in _ROW:
                rows_seen += 1
                if rows_seen > _EXCEL_ROWS:
                    raise self._corrupt(info.part, "more rows than Excel allows")
                r = el.get("r")
                row_no = int(r) if r and r.isdigit() else row_no + 1
                col_no = 0
                for c in el:
                    if c.tag not in _C:
                        continue
                    ref = c.get("r")
                    if ref:
                        try:
                            row_no, col_no = _split_cell_ref(ref)
                        except (ValueError, KeyError) as exc:
                            raise self._corrupt(info.part, f"bad cell reference {ref!r}") from exc
                    else:
                        col_no += 1
                    got = self._cell(c, shared, formats, masters, row_no, col_no)
                    value, formula, fmt, error, cached = got
                    if value is None and formula is None:
                        continue
                    cells[row_no, col_no] = (value, formula, fmt, error)
                    if row_no > max_row:
                        max_row = row_no
                    if col_no > max_col:
                        max_col = col_no
                    if formula is not None and not cached:
                        no_cache += 1
                        if no_cache <= 20:
                            warnings.append(_no_cache_warning(name, row_no, col_no))
                el.clear()
                if len(cells) > self.max_cells:
                    raise self._too_large(name, max_row, max_col)
            elif tag in _MERGE_CELL:
                ref = el.get("ref")
                if ref:
                    merged.append(ref)
        if max_row * max_col > self.max_cells:
            raise self._too_large(name, max_row, max_col)
        texts = [v[0] for v in cells.values() if type(v[0]) is str]
        if texts and CONTROL_CHARS.search("\n".join(texts)):
            _refuse_control_chars(
                self.source, name, ((r, c, v[0]) for (r, c), v in sorted(cells.items()))
            )
        in_merge = _merged_mask(merged, max_row, max_col)
        letters = [column_letter(c) for c in range(1, max_col + 1)]
        rows: list[list[Cell]] = []
        get = cells.get
        for r in range(1, max_row + 1):
            digits = str(r)
            line: list[Cell] = []
            append = line.append
            for c in range(1, max_col + 1):
                got = get((r, c))
                is_merged = bool(in_merge) and (r, c) in in_merge
                if got is None:
                    append(Cell(r, c, letters[c - 1] + digits, None, None, is_merged))
                else:
                    value, formula, fmt, error = got
                    append(
                        Cell(r, c, letters[c - 1] + digits, value, formula, is_merged, fmt, error)
                    )
            rows.append(line)
        return SheetData(name, rows, warnings, info.state, merged)

    def _too_large(self, name: str, max_row: int, max_col: int) -> InputRejected:
        far = f"{column_letter(max_col)}{max_row}"
        return _reject(
            self.source,
            f"工作表“{name}”的使用范围到 {far}，超过 {self.max_cells} 个单元格 (sheet too large)",
            "删除表格下方和右侧多余的内容后再上传",
            sheet=name,
        )

    def _corrupt(self, part: str, why: str) -> InputRejected:
        return _reject(
            self.source,
            f"工作簿内部文件 {part} 已损坏，无法读取 (corrupt part: {why})",
            f"重新下载或重新导出；{_SAVE_AS_XLSX}",
        )

    def _cell(
        self,
        el: Element,
        shared: list[str],
        formats: list[str | None],
        masters: dict[str, tuple[str, int, int]],
        row: int,
        col: int,
    ) -> tuple[Any, str | None, str | None, bool, bool]:
        """value, formula, number format, is-error, has-a-stored-value"""
        kind = el.get("t", "n")
        s = el.get("s")
        fmt = formats[int(s)] if s and s.isdigit() and int(s) < len(formats) else None
        if len(el) == 1 and el[0].tag in _V and kind in ("n", "s"):  # the common case
            v = (el[0].text or "").strip()
            if not v:
                return None, None, fmt, False, True
            try:
                value = _number(v) if kind == "n" else shared[int(v)]
            except (ValueError, IndexError):
                pass  # the full path below reports it
            else:
                return (None if value == "" else value), None, fmt, False, True
        v_text: str | None = None
        f_el: Element | None = None
        inline: Element | None = None
        for child in el:
            ctag = child.tag
            if ctag in _V:
                v_text = child.text or ""
            elif ctag in _F:
                f_el = child
            elif ctag in _IS:
                inline = child
        formula: str | None = None
        if f_el is not None:
            text = f_el.text or ""
            si = f_el.get("si")
            if si is not None and f_el.get("t") == "shared":
                if text:
                    masters[si] = (text, row, col)
                elif si in masters:
                    m_text, m_row, m_col = masters[si]
                    text = _shift_formula(m_text, row - m_row, col - m_col)
            formula = f"={text}" if text else ""
        value: Any = None
        error = False
        if kind == "n":
            if v_text is not None and v_text.strip():
                try:
                    value = _number(v_text.strip())
                except ValueError as exc:
                    raise _reject(
                        self.source,
                        f"单元格 {column_letter(col)}{row} 的数值无法识别 "
                        f"(corrupt workbook: bad number {v_text!r})",
                        _SAVE_AS_XLSX,
                        row=row,
                        column=column_letter(col),
                    ) from exc
        elif kind == "s":
            if v_text is not None:
                try:
                    value = shared[int(v_text)]
                except (ValueError, IndexError) as exc:
                    raise _reject(
                        self.source,
                        f"单元格 {column_letter(col)}{row} 引用了不存在的共享字符串 "
                        "(corrupt workbook: bad shared string index)",
                        _SAVE_AS_XLSX,
                        row=row,
                        column=column_letter(col),
                    ) from exc
        elif kind == "inlineStr":
            value = _text_of(inline) if inline is not None else v_text
        elif kind in ("str", "d"):
            value = v_text
        elif kind == "b":
            value = None if v_text is None else v_text.strip() in ("1", "true")
        elif kind == "e":
            value, error = v_text, v_text is not None
        if value == "":
            value = None
        return value, formula, fmt, error, v_text is not None or inline is not None


def _no_cache_warning(sheet: str, row: int, col: int) -> Problem:
    letters = column_letter(col)
    return Problem(
        "公式没有保存计算结果，读到的值为空 (formula has no cached value)",
        f"工作表“{sheet}” {letters}{row}",
        "在 Excel 中打开文件，确认计算完成后保存再上传",
        sheet=sheet,
        row=row,
        column=letters,
        level="warning",
    )


_COLUMNS: dict[str, int] = {}


def _split_cell_ref(ref: str) -> tuple[int, int]:
    """A cell's ``r`` attribute (``D7``, never anchored) → (row, column), with a cache of
    column letters."""
    digits = ref.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    letters = ref[: len(ref) - len(digits)]
    col = _COLUMNS.get(letters)
    if col is None:
        col = split_ref(ref)[1]
        if len(_COLUMNS) < 20_000:
            _COLUMNS[letters] = col
    if not digits.isdigit():
        raise ValueError(ref)
    return int(digits), col


def _number(text: str) -> int | float:
    if len(text) <= 15 and (text.isdigit() or (text[0] == "-" and text[1:].isdigit())):
        return int(text)
    return float(text)


def _text_of(el: Element) -> str:
    """The text of a shared or inline string: plain ``<t>`` or rich-text runs ``<r><t>``,
    without phonetic guides (``<rPh>``)."""
    parts: list[str] = []
    for child in el:
        tag = _local(child.tag)
        if tag == "t":
            parts.append(child.text or "")
        elif tag == "r":
            for t in child:
                if _local(t.tag) == "t":
                    parts.append(t.text or "")
    text = "".join(parts)
    # Excel writes characters XML cannot hold (control characters) as _xHHHH_ escapes, and a
    # literal "_x" as _x005F_: decode them, so a control character is seen (and refused).
    return _ESCAPE.sub(_unescape, text) if "_x" in text else text


_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")


def _unescape(m: re.Match[str]) -> str:
    return chr(int(m.group(1), 16))


def _merged_mask(ranges: list[str], max_row: int, max_col: int) -> set[tuple[int, int]]:
    """The grid positions inside a merged range (clipped to the grid)."""
    mask: set[tuple[int, int]] = set()
    for ref in ranges:
        try:
            r1, c1, r2, c2 = _parse_range(ref)
        except ValueError:
            continue
        for r in range(r1, min(r2, max_row) + 1):
            for c in range(c1, min(c2, max_col) + 1):
                mask.add((r, c))
    return mask


def open_workbook(
    path: Path,
    *,
    max_bytes: int | None = MAX_BYTES,
    max_unpacked: int = MAX_UNPACKED,
    max_ratio: float = MAX_RATIO,
    max_cells: int = MAX_CELLS,
    source: str | None = None,
) -> Workbook:
    """Verify and open an .xlsx; read several sheets (``_meta`` and the data) from one opening.

    >>> with open_workbook(path) as wb:  # doctest: +SKIP
    ...     meta, data = wb.read("_meta"), wb.read("填报")
    """
    path = Path(path)
    source = source or path.name
    _check_head(path, source, (".xlsx",), max_bytes)
    zf = _open_zip(path, source, max_unpacked, max_ratio)
    try:
        return Workbook(zf, source, max_cells)
    except BaseException:
        zf.close()
        raise


def read_sheet(
    path: Path,
    *,
    sheet: str | None = None,
    max_bytes: int | None = MAX_BYTES,
    max_unpacked: int = MAX_UNPACKED,
    max_ratio: float = MAX_RATIO,
    max_cells: int = MAX_CELLS,
    source: str | None = None,
) -> SheetData:
    """One sheet of an .xlsx (``sheet=None``: the first visible sheet), hidden sheets included."""
    with open_workbook(
        path,
        max_bytes=max_bytes,
        max_unpacked=max_unpacked,
        max_ratio=max_ratio,
        max_cells=max_cells,
        source=source,
    ) as wb:
        return wb.read(sheet)


def form_sheet(
    path: Path, *, sheet: str, columns: Sequence[str], hint: str, source: str | None = None
) -> tuple[SheetData, dict[str, int]]:
    """A form workbook of ours (an .xlsx whose ``sheet`` has its header in row 2) and the
    column of each of ``columns``; a missing column is refused, naming them all, with ``hint``
    (where to get the right form)."""
    name = source or Path(path).name
    check_kind(path, source=name, suffixes=(".xlsx",))
    data = read_sheet(path, sheet=sheet, source=name)
    header = [str(c.value or "").strip() for c in (data.rows[1] if data.n_rows > 1 else [])]
    missing = [c for c in columns if c not in header]
    if missing:
        message = f"第 2 行缺少列：{'、'.join(missing)}"
        problem = Problem(message, f"工作表 {sheet}", hint, sheet=sheet, row=2)
        raise InputRejected(name, [problem])
    return data, {c: header.index(c) + 1 for c in columns}


def sheet_names(path: Path, *, visible_only: bool = False, **limits: Any) -> list[str]:
    """The sheets of an .xlsx in order (hidden ones too unless ``visible_only``)."""
    with open_workbook(path, **limits) as wb:
        return [s.name for s in wb.sheets if s.state == "visible" or not visible_only]


def defined_names(path: Path, **limits: Any) -> dict[str, str]:
    """The workbook's defined names → their formula text (``Sheet!Name`` for sheet-local)."""
    with open_workbook(path, **limits) as wb:
        return dict(wb.defined_names)


# ---------------------------------------------------------------------------------------------
# CSV


def decode_text(data: bytes, source: str) -> tuple[str, str]:
    """The text and the encoding that decoded it: UTF-8 (a BOM is dropped), else GB18030."""
    for encoding in CSV_ENCODINGS:
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise _reject(
        source,
        "无法识别文件编码，既不是 UTF-8 也不是 GBK/GB18030 (unknown text encoding)",
        "请在 Excel 中另存为“CSV UTF-8（逗号分隔）(*.csv)”",
    )


def _delimiter(text: str) -> str:
    """``\\t`` if the first non-blank line has more tabs than commas, else ``,``."""
    for line in text[:65536].splitlines():
        if line.strip():
            return "\t" if line.count("\t") > line.count(",") else ","
    return ","


def read_csv(
    path: Path,
    *,
    max_bytes: int | None = MAX_BYTES,
    max_cells: int = MAX_CELLS,
    source: str | None = None,
) -> SheetData:
    """A CSV file as a sheet named after the file: every field text, an empty field ``None``.

    Rows are records (a quoted field may span lines), numbered from 1 as Excel would show them;
    short rows are padded with empty cells, and every row whose field count differs from the
    first row's is reported as a warning.
    """
    path = Path(path)
    source = source or path.name
    check_kind(path, source=source, suffixes=(".csv",), max_bytes=max_bytes)
    return _read_csv_checked(path, source, max_cells)


def _read_csv_checked(path: Path, source: str, max_cells: int = MAX_CELLS) -> SheetData:
    text, encoding = decode_text(path.read_bytes(), source)
    if not text.strip():
        raise _reject(source, "文件没有内容 (no content)", "检查导出是否完成")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text), strict=True)
    records: list[list[str]] = []
    fields = 0
    try:
        for record in reader:
            records.append(record)
            fields += len(record)
            if fields > max_cells:
                raise _reject(
                    source,
                    f"文件超过 {max_cells} 个字段 (too many fields)",
                    "只保留需要上传的数据后再上传",
                )
    except csv.Error as exc:
        line = reader.line_num
        raise _reject(
            source,
            f"第 {line} 行附近无法解析 (malformed CSV: {exc})",
            '含逗号或换行的文本要用英文双引号括起来，文本中的双引号要写成两个 ""',
            where=f"第 {line} 行",
            row=line,
        ) from exc
    while records and not any(f.strip() for f in records[-1]):
        records.pop()
    width = max((len(r) for r in records), default=0)
    expected = len(records[0]) if records else 0
    warnings: list[Problem] = []
    rows: list[list[Cell]] = []
    letters = [column_letter(c) for c in range(1, width + 1)]
    for r, record in enumerate(records, start=1):
        if record and len(record) != expected and len(warnings) < 50:
            warnings.append(
                Problem(
                    f"该行有 {len(record)} 个字段，第 1 行有 {expected} 个 "
                    "(wrong number of fields)",
                    f"第 {r} 行",
                    "检查该行是否多了或少了逗号；含逗号的文本要加英文双引号",
                    sheet=source,
                    row=r,
                    level="warning",
                )
            )
        line = [
            Cell(r, c, f"{letters[c - 1]}{r}", record[c - 1] or None)
            if c <= len(record)
            else Cell(r, c, f"{letters[c - 1]}{r}")
            for c in range(1, width + 1)
        ]
        rows.append(line)
    if CONTROL_CHARS.search(text):
        _refuse_control_chars(
            source, source, ((c.row, c.col, c.value) for line in rows for c in line)
        )
    return SheetData(source, rows, warnings, encoding=encoding)


def read_table(
    path: Path,
    *,
    sheet: str | None = None,
    max_bytes: int | None = MAX_BYTES,
    max_unpacked: int = MAX_UNPACKED,
    max_ratio: float = MAX_RATIO,
    max_cells: int = MAX_CELLS,
    source: str | None = None,
) -> SheetData:
    """An .xlsx sheet or a CSV file, by the file's verified type (``sheet`` is ignored for CSV)."""
    path = Path(path)
    source = source or path.name
    if _check_head(path, source, (".xlsx", ".csv"), max_bytes) == ".csv":
        return _read_csv_checked(path, source, max_cells)
    return read_sheet(
        path,
        sheet=sheet,
        max_bytes=max_bytes,
        max_unpacked=max_unpacked,
        max_ratio=max_ratio,
        max_cells=max_cells,
        source=source,
    )


# ---------------------------------------------------------------------------------------------
# Exports
