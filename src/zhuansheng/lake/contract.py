"""The enterprise-year facts contract: every column once, as data, and the check of a table.

The pyarrow schema, the header aliases the importer accepts and the table in ``docs/*/lake.md`` are
all derived from :data:`COLUMNS`, so they cannot drift apart. Validation is vectorised
(pyarrow.compute / numpy): a 10^5-row file is checked in well under a second.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from functools import cache
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from zhuansheng import reference
from zhuansheng.errors import Problem

from . import uscc as _uscc

__all__ = [
    "COLUMNS",
    "CONTRACT_VERSION",
    "FACT_COLUMNS",
    "FACT_SCHEMA",
    "MAX_LISTED_PER_COLUMN",
    "REQUIRED_COLUMNS",
    "YEAR_MIN",
    "Column",
    "Prepared",
    "markdown_table",
    "prepare_facts",
    "validate_facts",
    "year_max",
]

# Bump when a column is added, removed or changes meaning; stored in every Parquet file.
CONTRACT_VERSION = "1"
YEAR_MIN = 2000
MAX_LISTED_PER_COLUMN = 50


def year_max() -> int:
    """Facts describe a year that has begun; anything later is a typo."""
    return _dt.date.today().year


@dataclass(frozen=True)
class Column:
    name: str
    type: pa.DataType
    unit: str
    zh: str  # the label a Chinese user sees; also accepted as a header
    en: str
    required: bool  # column must be present and every value non-empty
    kind: str  # uscc | text | county | industry | scale | year | number
    minimum: float | None = None
    rule_zh: str = ""
    rule_en: str = ""
    note_zh: str = ""  # what exactly is meant, where it comes from
    note_en: str = ""
    usual: bool = True  # False: most files rightly lack it; its absence is not worth a warning


def _num(
    name: str, unit: str, zh: str, en: str, note_zh: str, note_en: str, required: bool = False
) -> Column:
    return Column(name, pa.float64(), unit, zh, en, required, "number", 0, "", "", note_zh, note_en)


_S = pa.string()
_FUEL_ZH, _FUEL_EN = "全年消费量（实物量）", "physical quantity consumed in the year"
COLUMNS: tuple[Column, ...] = (
    Column("uscc", _S, "", "统一社会信用代码", "unified social credit code", True, "uscc",
           rule_zh="18 位，GB 32100-2015 校验位正确",
           rule_en="18 chars, GB 32100-2015 check digit",
           note_zh="企业的唯一标识", note_en="identifies the enterprise"),
    Column("name", _S, "", "企业名称", "enterprise name", True, "text",
           rule_zh="非空", rule_en="not empty", note_zh="登记名称", note_en="registered name"),
    Column("county_code", _S, "", "县（市、区）代码", "county code", True, "county",
           rule_zh="浙江省 90 个县级区划代码之一", rule_en="one of the 90 county codes",
           note_zh="企业所在县（市、区），GB/T 2260 6 位代码",
           note_en="6-digit GB/T 2260 code of the county the enterprise is in"),
    Column("industry_code", _S, "", "行业代码", "industry class", True, "industry",
           rule_zh="4 位小类代码，前两位为制造业大类 13–43",
           rule_en="4 digits; first two a manufacturing division 13–43",
           note_zh="主营行业，GB/T 4754-2017 小类", note_en="main activity, GB/T 4754-2017 class"),
    Column("scale", _S, "", "企业规模", "scale", True, "scale",
           rule_zh="above（规上）或 below（规下）；也接受“规上/规下”",
           rule_en="above or below (规上/规下 accepted)",
           note_zh="规上 = 规模以上工业企业", note_en="above = above-designated-size enterprise"),
    Column("year", pa.int32(), "", "年度", "year", True, "year",
           rule_zh=f"{YEAR_MIN}–当年；取自分区目录",
           rule_en=f"{YEAR_MIN}–current year; from the partition",
           note_zh="数据所属年度（全年数）", note_en="the year the figures cover (full year)"),
    _num("land_mu", "亩", "用地面积", "land area",
         "实际使用的土地（自有、租用，按当地评价口径）；无用地填 0",
         "land used (owned or leased, per local evaluation rules); 0 if none", required=True),
    _num("tax_wan", "万元", "实缴税收", "tax paid",
         "亩均评价口径的实缴税费（净入库，不含一次性收入）",
         "taxes and fees counted by the per-mu evaluation (net, no one-off items)", required=True),
    _num("value_added_wan", "万元", "工业增加值", "industrial value added",
         "统计部门提供；规下企业通常没有", "from statistics; usually absent for below-scale"),
    _num("revenue_wan", "万元", "营业收入", "revenue", "营业收入（主营业务收入）",
         "operating (main business) revenue"),
    _num("rd_wan", "万元", "研发经费支出", "R&D expenditure", "全年研发经费支出",
         "R&D expenditure in the year"),
    _num("employees", "人", "年平均职工人数", "average employees", "年平均数，可有小数",
         "annual average, may be fractional"),
    _num("electricity_kwh", "kWh", "用电量", "electricity used",
         "全年用电总量（电网供电与自发自用合计）",
         "total electricity used (grid and own generation)", required=True),
    _num("coal_t", "t", "原煤", "raw coal", _FUEL_ZH, _FUEL_EN),
    _num("coke_t", "t", "焦炭", "coke", _FUEL_ZH, _FUEL_EN),
    _num("fuel_oil_t", "t", "燃料油", "fuel oil", _FUEL_ZH, _FUEL_EN),
    _num("gasoline_t", "t", "汽油", "gasoline", _FUEL_ZH, _FUEL_EN),
    _num("diesel_t", "t", "柴油", "diesel", _FUEL_ZH, _FUEL_EN),
    _num("lpg_t", "t", "液化石油气", "LPG", _FUEL_ZH, _FUEL_EN),
    _num("natural_gas_m3", "m³", "天然气", "natural gas", _FUEL_ZH, _FUEL_EN),
    _num("heat_gj", "GJ", "外购热力", "purchased heat", "外购蒸汽、热水",
         "purchased steam, hot water"),
    _num("zero_carbon_kwh", "kWh", "零碳电力", "zero-carbon electricity",
         "用电量中自发自用的水电、风电、光伏电量，碳排放核算时扣减",
         "part of electricity_kwh from own hydro, wind, PV; deducted in carbon accounting"),
    _num("pollutant_t", "t", "主要污染物排放量", "main pollutant emissions",
         "化学需氧量、氨氮、二氧化硫、氮氧化物合计（生态环境部门）",
         "COD + NH3-N + SO2 + NOx (environment department)"),
    replace(
        _num("state_listed_tce", "tce", "国家单列项目能耗", "energy use of state-listed projects",
             "企业综合能耗中属于国家单列项目的部分（发展改革、能源部门）；单位增加值能耗汇总时"
             "扣除；没有此类项目的企业不填，可不设此列",
             "part of the firm's energy use from projects the state lists separately; deducted "
             "in the energy-intensity roll-up; left out where a firm has none (the column may "
             "be absent)"),
        usual=False),
)  # fmt: skip

FACT_COLUMNS: tuple[str, ...] = tuple(c.name for c in COLUMNS)
REQUIRED_COLUMNS: tuple[str, ...] = tuple(c.name for c in COLUMNS if c.required)
_BY_NAME = {c.name: c for c in COLUMNS}


def _field(c: Column) -> pa.Field:
    meta = {"unit": c.unit, "zh": c.zh, "en": c.en, "required": str(c.required).lower()}
    return pa.field(c.name, c.type, nullable=not c.required, metadata=meta)


FACT_SCHEMA: pa.Schema = pa.schema([_field(c) for c in COLUMNS])


def _rule(c: Column, lang: str) -> str:
    if c.kind == "number":
        return f"≥ {c.minimum:g}"
    return c.rule_zh if lang == "zh" else c.rule_en


_TYPE_NAMES = {"double": "float64"}


def markdown_table(lang: str = "en") -> str:
    """The column table for the docs (``docs/<lang>/lake.md`` embeds exactly this text)."""
    if lang == "zh":
        head = "| 列名 | 类型 | 单位 | 含义 | 必填 | 约束 |\n" + "|---" * 6 + "|"
        yes, no = "必填", "可空"
    else:
        head = "| column | type | unit | meaning | required | constraint |\n" + "|---" * 6 + "|"
        yes, no = "required", "optional"
    rows = []
    for c in COLUMNS:
        meaning = f"{c.zh}：{c.note_zh}" if lang == "zh" else f"{c.en} ({c.zh}): {c.note_en}"
        cells = [
            f"`{c.name}`",
            _TYPE_NAMES.get(str(c.type), str(c.type)),
            c.unit or "—",
            meaning,
            yes if c.required else no,
            _rule(c, lang),
        ]
        rows.append("| " + " | ".join(cells) + " |")
    return "\n".join([head, *rows])


@cache
def header_aliases() -> dict[str, str]:
    """Accepted headers → column name: the identifier (any case) or the Chinese label, with or
    without its unit in brackets (``用地面积（亩）``), as officials' spreadsheets label columns."""
    out: dict[str, str] = {}
    for c in COLUMNS:
        out[c.name] = c.name
        out[c.zh] = c.name
        if c.unit:
            out[f"{c.zh}（{c.unit}）"] = c.name
            out[f"{c.zh}({c.unit})"] = c.name
    return out


@cache
def _county_codes() -> frozenset[str]:
    return frozenset(r.code for r in reference.counties())


@cache
def _manufacturing_divisions() -> frozenset[str]:
    return frozenset(reference.manufacturing_divisions())


# ---------------------------------------------------------------------------------------------
# Checking a table


@dataclass
class Prepared:
    """The result of checking a table: its problems and, when there is no error, the table
    conformed to :data:`FACT_SCHEMA` (trimmed text, codes as text, numbers as float64)."""

    problems: list[Problem]
    table: pa.Table | None
    row_numbers: np.ndarray = field(repr=False)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.level == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.level != "error"]


class _Collector:
    """Gathers problems per column, listing at most ``MAX_LISTED_PER_COLUMN`` rows per column."""

    def __init__(self, rows: np.ndarray, header_row: int | None, sheet: str | None) -> None:
        self.rows = rows
        self.header_row = header_row
        self.sheet = sheet
        self.header: list[Problem] = []
        self.cells: dict[str, list[Problem]] = defaultdict(list)
        self.totals: Counter[str] = Counter()
        self.warnings: list[Problem] = []

    def header_problem(self, column: str, message: str, hint: str, level: str = "error") -> None:
        where = f"列 {column}"
        if self.header_row:
            where = f"第 {self.header_row} 行（表头）, {where}"
        p = Problem(message, where, hint, self.sheet, self.header_row, column, level)
        (self.header if level == "error" else self.warnings).append(p)

    def cell(self, column: str, index: int, message: str, hint: str) -> None:
        row = int(self.rows[index])
        where = f"第 {row} 行, 列 {column}"
        self.cells[column].append(Problem(message, where, hint, self.sheet, row, column))

    def flag(
        self,
        column: str,
        mask: np.ndarray,
        values: pa.Array | None,
        message: Callable[[Any], str] | str,
        hint: str,
    ) -> None:
        """Record a problem for each row where ``mask`` is true (only the first rows in full)."""
        idx = np.flatnonzero(mask)
        if not len(idx):
            return
        self.totals[column] += len(idx)
        shown = idx[: MAX_LISTED_PER_COLUMN + 1]
        vals = [None] * len(shown) if values is None else values.take(pa.array(shown)).to_pylist()
        for i, v in zip(shown, vals, strict=True):
            self.cell(column, int(i), message(v) if callable(message) else message, hint)

    def problems(self) -> list[Problem]:
        listed: list[Problem] = []
        summaries: list[Problem] = []
        order = {name: i for i, name in enumerate(FACT_COLUMNS)}
        for column, items in self.cells.items():
            items.sort(key=lambda p: p.row or 0)
            listed.extend(items[:MAX_LISTED_PER_COLUMN])
            rest = max(self.totals[column], len(items)) - MAX_LISTED_PER_COLUMN
            if rest > 0:
                summaries.append(
                    Problem(
                        f"另有 {rest} 处问题未逐条列出 ({rest} more in this column)",
                        f"列 {column}",
                        "修正上面列出的问题后重新校验即可看到其余各处",
                        self.sheet,
                        None,
                        column,
                    )
                )
        listed.sort(key=lambda p: (p.row or 0, order.get(p.column or "", 99)))
        return [*self.header, *listed, *summaries, *self.warnings]


def _mask(arr: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """A boolean pyarrow result as a numpy mask (null → False)."""
    return np.asarray(pc.fill_null(arr, False).to_numpy(zero_copy_only=False), dtype=bool)


_NULL_STR = pa.scalar(None, pa.string())
_NUMBER_RE = r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$"
_YEAR_RE = r"^\d{4}(\.0+)?$"


def _as_text(arr: pa.Array) -> pa.Array | None:
    """Trimmed text with empty cells as null; ``None`` if the type cannot hold a code or name."""
    t = arr.type
    if pa.types.is_dictionary(t):
        arr, t = arr.cast(t.value_type), t.value_type
    if pa.types.is_integer(t) or pa.types.is_large_string(t) or pa.types.is_null(t):
        # Integer-typed codes lose no leading zeros in the valid ranges (33xxxx, 13xx–43xx).
        arr = arr.cast(pa.string())
    elif not pa.types.is_string(arr.type):
        return None
    arr = pc.utf8_trim_whitespace(arr)
    return pc.if_else(pc.equal(arr, ""), _NULL_STR, arr)


def _missing(arr: pa.Array) -> np.ndarray:
    """Cells that are empty in the source: null, blank text or NaN."""
    if pa.types.is_floating(arr.type):
        return _mask(pc.is_null(arr, nan_is_null=True))
    text = _as_text(arr)
    return _mask(pc.is_null(text if text is not None else arr))


def _type_problem(col: _Collector, name: str, arr: pa.Array, expected: str) -> None:
    col.header_problem(
        name,
        f"列类型为 {arr.type}，应为{expected} (wrong column type)",
        "在源文件中把该列设为文本或数值格式后重新导出",
    )


def _check_uscc(col: _Collector, arr: pa.Array) -> pa.Array:
    arr = pc.utf8_upper(arr)  # lower-case letters are an obvious typing slip, not a different code
    valid, _ = _uscc.check_array(arr)
    hint = "请核对该企业的统一社会信用代码，可在国家企业信用信息公示系统查询"

    def message(code: str) -> str:
        text = _uscc.explain(code) or ""
        # An 18-digit code stored as a spreadsheet number comes back rounded ("…900") or as
        # "9.13301E+17": say so, since the fix is in the source file's cell format.
        if (code.isdigit() and code.endswith("00")) or re.fullmatch(r"\d(\.\d+)?E\+\d+", code):
            text += "；源表中该列可能是数字格式，18 位代码已丢失精度，请把该列设为文本后重新导出"
        return text

    col.flag("uscc", ~valid, arr, message, hint)
    return arr


_LEVEL_ZH = {"province": "省", "city": "设区市"}


def _check_county(col: _Collector, arr: pa.Array) -> pa.Array:
    known = pa.array(sorted(_county_codes()))
    bad = _mask(pc.and_(pc.is_valid(arr), pc.invert(pc.is_in(arr, value_set=known))))

    def message(code: str) -> str:
        try:
            region = reference.region(code)
        except KeyError:
            return f"未知的县（市、区）代码 {code!r}，不是浙江省县级区划代码 (unknown county code)"
        return (
            f"{code!r} 是{region.name_zh}（{_LEVEL_ZH.get(region.level, region.level)}）的代码，"
            "应填县（市、区）代码 "
            "(not a county code)"
        )

    col.flag("county_code", bad, arr, message, "填 6 位县级区划代码，见 `zhuansheng ref regions`")
    return arr


def _check_industry(col: _Collector, arr: pa.Array) -> pa.Array:
    divisions = pa.array(sorted(_manufacturing_divisions()))
    four = pc.match_substring_regex(arr, r"^\d{4}$")
    division_ok = pc.is_in(pc.utf8_slice_codeunits(arr, 0, 2), value_set=divisions)
    bad = _mask(pc.and_(pc.is_valid(arr), pc.invert(pc.and_(four, division_ok))))

    def message(code: str) -> str:
        if code.isdigit() and len(code) in (2, 3):
            return (
                f"行业代码 {code!r} 只到{'大类' if len(code) == 2 else '中类'}，应为 4 位小类代码 "
                "(need the 4-digit class)"
            )
        if not (code.isdigit() and len(code) == 4):
            return f"行业代码 {code!r} 应为 4 位数字 (GB/T 4754-2017 class)"
        return f"行业代码 {code!r} 的大类 {code[:2]} 不是制造业大类 13–43 (not manufacturing)"

    col.flag("industry_code", bad, arr, message, "按 GB/T 4754-2017 填 4 位小类代码，如 1713")
    return arr


_SCALE_KEYS = pa.array(["above", "below", "规上", "规下", "规模以上", "规模以下"])
_SCALE_VALUES = pa.array(["above", "below", "above", "below", "above", "below"])


def _check_scale(col: _Collector, arr: pa.Array) -> pa.Array:
    idx = pc.index_in(pc.utf8_lower(arr), value_set=_SCALE_KEYS)
    out = _SCALE_VALUES.take(idx)
    bad = _mask(pc.and_(pc.is_valid(arr), pc.is_null(idx)))
    col.flag(
        "scale",
        bad,
        arr,
        lambda v: f"企业规模 {v!r} 无法识别，应为 above（规上）或 below（规下） (bad scale)",
        "填 above / below，或 规上 / 规下",
    )
    return out


def _parse_number(
    col: _Collector, name: str, arr: pa.Array, pattern: str, what: str = "数字 (not a number)"
) -> pa.Array | None:
    """float64 from text or numbers; non-numeric text is flagged and becomes null."""
    t = arr.type
    if pa.types.is_dictionary(t):
        arr, t = arr.cast(t.value_type), t.value_type
    if pa.types.is_string(t) or pa.types.is_large_string(t):
        text = _as_text(arr)
        assert text is not None
        ok = pc.match_substring_regex(text, pattern)
        col.flag(
            name,
            _mask(pc.and_(pc.is_valid(text), pc.invert(ok))),
            text,
            lambda v: f"{v!r} 不是{what}",
            "只填阿拉伯数字，不带单位、千分位逗号或文字；缺失请留空",
        )
        return pc.if_else(ok, text, _NULL_STR).cast(pa.float64())
    if any(f(t) for f in (pa.types.is_integer, pa.types.is_floating, pa.types.is_decimal)) or (
        pa.types.is_null(t)
    ):
        return arr.cast(pa.float64())
    _type_problem(col, name, arr, "数值")
    return None


def _check_number(col: _Collector, c: Column, arr: pa.Array) -> pa.Array | None:
    values = _parse_number(col, c.name, arr, _NUMBER_RE)
    if values is None:
        return None
    # NaN would stay NaN on Spark but turn NULL in DuckDB: store missing values as NULL only.
    values = pc.if_else(pc.is_nan(values), pa.scalar(None, pa.float64()), values)
    col.flag(
        c.name,
        _mask(pc.is_inf(values)),
        None,
        "数值为无穷大 (not finite)",
        "核对源数据",
    )
    if c.minimum is not None:
        col.flag(
            c.name,
            _mask(pc.less(values, c.minimum)),
            values,
            lambda v: f"数值 {v:g} 为负数，应 ≥ {c.minimum:g} (negative value)",
            "该量不能为负，请核对源数据；退税、冲减等请按评价口径处理后再填",
        )
    return values


def _check_year(col: _Collector, arr: pa.Array) -> pa.Array | None:
    values = _parse_number(col, "year", arr, _YEAR_RE, " 4 位年份 (not a year)")
    if values is None:
        return None
    lo, hi = YEAR_MIN, year_max()
    fractional = _mask(pc.not_equal(pc.floor(values), values))
    col.flag("year", fractional, values, lambda v: f"年度 {v} 不是整数 (not a whole year)", "")
    out_of_range = _mask(pc.or_(pc.less(values, lo), pc.greater(values, hi)))
    col.flag(
        "year",
        out_of_range & ~fractional,
        values,
        lambda v: f"年度 {v:g} 超出范围 {lo}–{hi} (year out of range)",
        "填 4 位公历年份，如 2022",
    )
    keep = pc.invert(pc.or_(pa.array(fractional), pa.array(out_of_range)))
    return pc.if_else(keep, values, pa.scalar(None, pa.float64())).cast(pa.int32())


def _check_duplicates(col: _Collector, codes: pa.Array, years: pa.Array) -> None:
    keys = pa.table({"u": codes, "y": years, "i": pa.array(np.arange(len(codes)))})
    keys = keys.filter(pc.and_(pc.is_valid(keys["u"]), pc.is_valid(keys["y"])))
    groups = keys.group_by(["u", "y"], use_threads=False).aggregate([("i", "list")])
    sizes = pc.list_value_length(groups["i_list"])
    dup = groups.filter(pc.greater(sizes, 1))
    if not dup.num_rows:
        return
    for code, year, members in zip(
        dup["u"].to_pylist(), dup["y"].to_pylist(), dup["i_list"].to_pylist(), strict=True
    ):
        members = sorted(members)
        first = int(col.rows[members[0]])
        for i in members[1:]:
            col.totals["uscc"] += 1
            if len(col.cells["uscc"]) > MAX_LISTED_PER_COLUMN:
                continue
            col.cell(
                "uscc",
                i,
                f"与第 {first} 行重复：企业 {code} 的 {year} 年数据出现多次 "
                "(duplicate uscc and year)",
                "同一企业每年只能有一行，请合并或删除重复行",
            )


def _check_zero_carbon(col: _Collector, zero: pa.Array, total: pa.Array) -> None:
    """Self-consumed zero-carbon electricity is part of the electricity used, never more."""
    col.flag(
        "zero_carbon_kwh",
        _mask(pc.greater(zero, total)),
        zero,
        lambda v: f"零碳电力 {v:g} kWh 大于用电量 electricity_kwh (exceeds electricity used)",
        "零碳电力只计自发自用部分，应包含在用电量之内",
    )


def _normalise_header(name: str) -> str:
    stripped = str(name).strip()
    aliases = header_aliases()
    return aliases.get(stripped) or aliases.get(stripped.lower()) or stripped


def prepare_facts(
    table: pa.Table,
    *,
    source_name: str,
    first_row: int = 2,
    row_numbers: Sequence[int] | np.ndarray | None = None,
    sheet: str | None = None,
) -> Prepared:
    """Check ``table`` against the contract and conform it (see :func:`validate_facts`)."""
    n = table.num_rows
    rows = (
        np.asarray(row_numbers, dtype=np.int64)
        if row_numbers is not None
        else first_row + np.arange(n, dtype=np.int64)
    )
    if len(rows) != n:
        raise ValueError("row_numbers must have one entry per row")
    header_row = first_row - 1 if first_row > 1 else None
    col = _Collector(rows, header_row, sheet)

    # Header: map aliases, then name what is missing, doubled or unknown.
    names = [_normalise_header(c) for c in table.column_names]
    seen: dict[str, int] = {}
    arrays: dict[str, pa.Array] = {}
    for i, name in enumerate(names):
        if name in seen:
            original = table.column_names[i]
            col.header_problem(
                name,
                f"表头 {original!r} 与第 {seen[name] + 1} 列重复 (duplicate column)",
                "每列只能出现一次，删除多余的列",
            )
            continue
        seen[name] = i
        if name in _BY_NAME:
            arrays[name] = table.column(i).combine_chunks()
    for c in COLUMNS:
        if c.name in seen:
            continue
        if c.required:
            col.header_problem(
                c.name,
                f"{source_name} 缺少必填列 {c.name!r}（{c.zh}） (missing required column)",
                "按数据契约补上这一列（见 docs/zh/lake.md），表头用列名或中文名",
            )
        elif c.usual:
            col.header_problem(
                c.name,
                f"缺少可选列 {c.name!r}（{c.zh}），按空值处理 (optional column absent)",
                "",
                level="warning",
            )
    extras = [table.column_names[i] for i, nm in enumerate(names) if nm not in _BY_NAME]
    for extra in extras:
        col.header_problem(
            str(extra),
            f"未知列 {str(extra)!r} 已忽略 (unknown column ignored)",
            "如为契约中的列，请核对列名拼写",
            level="warning",
        )
    if n == 0:
        col.header.append(
            Problem("文件没有数据行 (no data rows)", "", "检查是否选错了工作表或文件", sheet)
        )

    # Cells, one column at a time, all rows at once.
    clean: dict[str, pa.Array] = {}
    for c in COLUMNS:
        if c.name not in arrays:
            clean[c.name] = pa.nulls(n, c.type)
            continue
        raw = arrays[c.name]
        out: pa.Array | None
        if c.kind == "number":
            out = _check_number(col, c, raw)
        elif c.kind == "year":
            out = _check_year(col, raw)
        else:
            out = _as_text(raw)
            if out is None:
                _type_problem(col, c.name, raw, "文本")
            elif c.kind == "uscc":
                out = _check_uscc(col, out)
            elif c.kind == "county":
                out = _check_county(col, out)
            elif c.kind == "industry":
                out = _check_industry(col, out)
            elif c.kind == "scale":
                out = _check_scale(col, out)
        if out is None:
            continue
        if c.required:
            # Missing = empty in the source; unparseable cells were already flagged as such.
            col.flag(c.name, _missing(raw), None, "必填项为空 (required value missing)",
                     f"填写{c.zh}，不能留空")  # fmt: skip
        clean[c.name] = out

    if "uscc" in clean and "year" in clean and n:
        _check_duplicates(col, clean["uscc"], clean["year"])
    if "zero_carbon_kwh" in arrays and "electricity_kwh" in arrays:
        _check_zero_carbon(col, clean["zero_carbon_kwh"], clean["electricity_kwh"])

    problems = col.problems()
    if any(p.level == "error" for p in problems):
        return Prepared(problems, None, rows)
    conformed = pa.Table.from_arrays(
        [clean[c.name].cast(c.type) for c in COLUMNS], schema=FACT_SCHEMA
    )
    return Prepared(problems, conformed, rows)


def validate_facts(
    table: pa.Table,
    *,
    source_name: str,
    first_row: int = 2,
    row_numbers: Sequence[int] | np.ndarray | None = None,
    sheet: str | None = None,
) -> list[Problem]:
    """Every problem of ``table`` against the contract (errors, then warnings).

    ``row`` is the row number the user sees: ``first_row`` is the number of the first data row
    (2 for a CSV or sheet with the header on line 1; 1 for Parquet), or pass ``row_numbers`` when
    rows were dropped (blank lines). At most ``MAX_LISTED_PER_COLUMN`` rows are listed per column,
    followed by a count of the rest.
    """
    return prepare_facts(
        table, source_name=source_name, first_row=first_row, row_numbers=row_numbers, sheet=sheet
    ).problems
