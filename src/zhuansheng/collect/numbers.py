"""Numbers as people type them into a template: full-width digits, thousands separators,
percentages.

**The percent rule.** Templates ask for percentages as *percentage points*: a rate of 8 % is
filled in as ``8``. With ``percent="points"`` (the default):

* ``8``, ``8%``, ``８％`` and ``8 %`` all mean 8 percentage points → ``8.0``;
* ``0.08`` means 0.08 points (not 8 %) → ``0.08``; a fraction typed by mistake is left to the
  range and outlier rules to catch, it is never guessed at;
* a *numeric* Excel cell formatted as a percentage (Excel stores ``8%`` typed into a cell as
  0.08 with the format ``0%``) is read as what the user sees: 8 (see :func:`cell_number`).

With ``percent="fraction"`` a trailing ``%`` divides by 100 (``8%`` → ``0.08``), plain numbers
stay as written, and a percent-formatted numeric cell stays as stored (0.08).
"""

from __future__ import annotations

import math
import re
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from zhuansheng.uploads import Cell

__all__ = ["NumberError", "cell_number", "compact", "parse_number"]

# Full-width ASCII (U+FF01–U+FF5E) → ASCII, the ideographic space → space, and the minus signs
# an input method or a copy from Word may produce.
_WIDE = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
_WIDE.update({0x3000: 0x20, 0x00A0: 0x20, 0x2212: 0x2D, 0xFE63: 0x2D, 0x2013: 0x2D})

_PLAIN = re.compile(r"(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_GROUPED = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?")

_HINT = "请只填写数字，如 12345、12,345.6 或 8%"


class NumberError(ValueError):
    """A cell that should hold a number does not; ``str(e)`` says why, ``e.hint`` what to do."""

    def __init__(self, text: object, why: str, why_en: str, hint: str = _HINT) -> None:
        self.text = text
        self.why = why
        self.hint = hint
        super().__init__(f"“{compact(text)}”不是有效数字：{why} (not a number: {why_en})")


def compact(value: object, width: int = 24) -> str:
    """A value as a message shows it: a number in at most six significant digits (``1e+308``,
    ``12,345.6``), a text cut to ``width`` characters — never a 300-digit number."""
    if isinstance(value, float | int) and not isinstance(value, bool):
        try:
            number = float(value)
        except OverflowError:  # an integer too large for a float: its order of magnitude
            digits = str(abs(int(value)))
            return f"{'-' if value < 0 else ''}{digits[0]}e+{len(digits) - 1}"
        if not math.isfinite(number):
            return str(number)
        if number.is_integer() and abs(number) < 1e12:
            return format(number, ",.0f")
        return format(number, ",.6g")
    text = str(value)
    return text if len(text) <= width else f"{text[: width - 8]}…（共 {len(text)} 字）"


def parse_number(text: str | float | int | None, *, percent: str = "points") -> float | None:
    """The number in ``text`` as a float, ``None`` for an empty or blank cell.

    Accepts full-width digits and punctuation (``１２,３４５`` → 12345.0, ``１２．５`` → 12.5),
    thousands separators in groups of three (``12,345.6``), surrounding spaces, a leading ``+``
    or ``-``, ``.5``, scientific notation (``1.5E+3``) and a trailing ``%`` (see the module
    docstring for what it means under ``percent="points"`` / ``"fraction"``). Raises
    :class:`NumberError` (a ``ValueError``) with a Chinese reason for anything else: ``1,2,3``,
    ``12..5``, ``abc``, ``1e999`` (not finite), ``nan``, ``inf``, TRUE/FALSE.
    """
    if percent not in ("points", "fraction"):
        raise ValueError(f"percent must be 'points' or 'fraction', not {percent!r}")
    if text is None:
        return None
    if isinstance(text, bool):
        raise NumberError("TRUE" if text else "FALSE", "这是逻辑值，不是数字", "a TRUE/FALSE value")
    if isinstance(text, int | float):
        try:
            value = float(text)
        except OverflowError:
            value = math.inf
        if not math.isfinite(value):
            raise NumberError(text, "不是有限的数值", "not finite")
        return value
    raw = text
    s = text.translate(_WIDE).strip()
    if not s:
        return None
    is_percent = s.endswith("%")
    if is_percent:
        s = s[:-1].rstrip()
    sign = ""
    if s[:1] in ("+", "-"):
        sign, s = s[0], s[1:].lstrip()
    if _PLAIN.fullmatch(s):
        body = s
    elif _GROUPED.fullmatch(s):
        body = s.replace(",", "")
    else:
        raise _why_not(raw, s)
    try:
        number = Decimal(sign + body)
    except InvalidOperation as exc:  # pragma: no cover - the patterns only admit decimals
        raise NumberError(raw, "无法识别", "unrecognised") from exc
    if is_percent and percent == "fraction":
        number = number.scaleb(-2)
    value = float(number)
    if not math.isfinite(value):
        raise NumberError(raw, "数值超出范围", "out of range")
    return value


def _why_not(raw: str, s: str) -> NumberError:
    """The most helpful reason ``s`` (already widened, stripped, without sign and %) fails."""
    low = s.lower()
    if low in ("nan", "inf", "infinity", "#num!", "#div/0!", "#value!", "#n/a", "#ref!"):
        return NumberError(raw, "不是有限的数值或是 Excel 错误值", "not a finite number")
    if "%" in s or "‰" in s:
        return NumberError(raw, "百分号只能写在末尾，且不支持 ‰", "misplaced % sign")
    if s.count(".") > 1:
        return NumberError(raw, "小数点多于一个", "more than one decimal point")
    if "。" in s:
        return NumberError(raw, "请用小数点 . 而不是句号 。", "use . as the decimal point")
    if "," in s and re.fullmatch(r"[\d,]+(?:\.\d+)?", s):
        return NumberError(
            raw,
            "千位分隔符位置不对（应每三位一个逗号，如 12,345）",
            "misplaced thousands separators",
        )
    if re.fullmatch(r"[\d.]+\s+[\d.]+", s):
        return NumberError(raw, "数字中间有空格", "space inside the number")
    if re.search(r"\d", s):
        return NumberError(raw, "含有数字以外的字符（如单位或文字）", "contains letters or symbols")
    return NumberError(raw, "不含数字", "no digits")


def cell_number(cell: Cell, *, percent: str = "points") -> float | None:
    """A cell's number by :func:`parse_number`, except that a numeric cell with a percent
    number format counts as what Excel shows: 0.08 shown as ``8%`` is 8.0 under
    ``percent="points"`` and stays 0.08 under ``percent="fraction"``."""
    value = cell.value
    if cell.error:
        raise NumberError(value, "单元格是 Excel 错误值", "an Excel error value", _HINT)
    number = parse_number(value, percent=percent)
    if (
        number is not None
        and percent == "points"
        and cell.is_percent
        and isinstance(value, int | float)
        and not isinstance(value, bool)
    ):
        number = float(Decimal(repr(number)).scaleb(2))
    return number
