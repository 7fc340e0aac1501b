"""The contract as data, and the vectorised check of a table against it."""

from __future__ import annotations

import pyarrow as pa
import pytest
from lake_helpers import Row, code

from zhuansheng.lake import (
    COLUMNS,
    FACT_COLUMNS,
    FACT_SCHEMA,
    REQUIRED_COLUMNS,
    prepare_facts,
    validate_facts,
)
from zhuansheng.lake.contract import MAX_LISTED_PER_COLUMN


def errors(table: pa.Table, **kw: object) -> list:
    return [p for p in validate_facts(table, source_name="t", **kw) if p.level == "error"]


def test_schema_is_derived_from_the_column_list() -> None:
    assert FACT_SCHEMA.names == list(FACT_COLUMNS) == [c.name for c in COLUMNS]
    assert set(REQUIRED_COLUMNS) == {
        "uscc", "name", "county_code", "industry_code", "scale", "year",
        "land_mu", "tax_wan", "electricity_kwh",
    }  # fmt: skip
    for c in COLUMNS:
        f = FACT_SCHEMA.field(c.name)
        assert f.nullable is (not c.required)
        assert f.metadata[b"zh"].decode() == c.zh
    # Codes are text, quantities float64.
    for name in ("uscc", "county_code", "industry_code"):
        assert FACT_SCHEMA.field(name).type == pa.string()
    assert FACT_SCHEMA.field("pollutant_t").type == pa.float64()
    assert FACT_SCHEMA.field("year").type == pa.int32()


def test_valid_rows_conform(rows: list[Row]) -> None:
    prepared = prepare_facts(pa.Table.from_pylist(rows), source_name="t")
    assert prepared.errors == []
    assert prepared.table is not None
    assert prepared.table.schema.equals(FACT_SCHEMA)
    assert prepared.table["county_code"].to_pylist()[:3] == ["330106", "330106", "330603"]


def test_text_cells_are_trimmed_parsed_and_normalised(rows: list[Row]) -> None:
    as_text = [{k: "" if v is None else f" {v} " for k, v in r.items()} for r in rows]
    as_text[0]["scale"] = "规上"
    as_text[1]["uscc"] = as_text[1]["uscc"].lower()
    prepared = prepare_facts(pa.Table.from_pylist(as_text), source_name="t")
    assert prepared.errors == []
    t = prepared.table
    assert t["scale"][0].as_py() == "above"
    assert t["uscc"][1].as_py() == rows[1]["uscc"]
    assert t["tax_wan"].to_pylist() == [r["tax_wan"] for r in rows]
    assert t["value_added_wan"][1].as_py() is None  # empty cell → NULL, not 0
    assert t["year"].to_pylist() == [r["year"] for r in rows]


@pytest.mark.parametrize(
    ("column", "value", "fragment"),
    [
        ("uscc", "91330106MA2B3C4D5X", "校验位错误，应为 'D'"),
        ("county_code", "330199", "未知的县（市、区）代码"),
        ("county_code", "330100", "杭州市"),  # a city, not a county
        ("industry_code", "17", "应为 4 位小类代码"),
        ("industry_code", "4510", "不是制造业大类"),
        ("industry_code", "17A3", "应为 4 位数字"),
        ("scale", "big", "企业规模"),
        ("year", 1999, "超出范围"),
        ("year", "二〇二二", "不是 4 位年份"),
        ("land_mu", -1.0, "为负数"),
        ("tax_wan", "12万", "不是数字"),
        ("name", "  ", "必填项为空"),
        ("electricity_kwh", None, "必填项为空"),
        ("zero_carbon_kwh", 1e9, "大于用电量"),
    ],
)
def test_each_rule_names_row_and_column(
    rows: list[Row], column: str, value: object, fragment: str
) -> None:
    rows[2][column] = value
    table = pa.Table.from_pylist(
        [{k: None if v is None else str(v) for k, v in r.items()} for r in rows]
    )
    found = errors(table)
    assert len(found) == 1, found
    p = found[0]
    assert (p.row, p.column) == (4, column)  # data row 3 is CSV line 4
    assert fragment in p.message
    assert f"第 4 行, 列 {column}" in str(p)


def test_duplicates_name_both_rows(rows: list[Row]) -> None:
    table = pa.Table.from_pylist([*rows, rows[4]])
    (p,) = errors(table)
    assert p.row == 8 and p.column == "uscc"
    assert "与第 6 行重复" in p.message


def test_missing_and_extra_columns(rows: list[Row]) -> None:
    table = (
        pa.Table.from_pylist(rows)
        .drop_columns(["land_mu", "coal_t"])
        .append_column("remark", pa.array(["x"] * len(rows)))
    )
    problems = validate_facts(table, source_name="f.csv")
    errs = [p for p in problems if p.level == "error"]
    warns = {p.column: p for p in problems if p.level == "warning"}
    assert [(p.row, p.column) for p in errs] == [(1, "land_mu")]
    assert "缺少必填列 'land_mu'" in errs[0].message
    assert set(warns) == {"coal_t", "remark"}


def test_chinese_headers_are_accepted(rows: list[Row]) -> None:
    table = pa.Table.from_pylist(rows)
    names = {c.name: c.zh for c in COLUMNS}
    renamed = table.rename_columns(
        [f"{names[n]}（亩）" if n == "land_mu" else names[n] for n in table.column_names]
    )
    assert errors(renamed) == []


def test_row_numbers_can_be_given(rows: list[Row]) -> None:
    rows[1]["land_mu"] = -5.0
    table = pa.Table.from_pylist(rows)
    (p,) = errors(table, row_numbers=[2, 4, 5, 6, 7, 8])  # line 3 was blank
    assert p.row == 4
    (p,) = errors(table, first_row=1)  # Parquet: record number
    assert p.row == 2


def test_problems_are_capped_per_column(rows: list[Row]) -> None:
    many = [dict(rows[0], uscc=code(f"{i:08d}"), land_mu=-1.0) for i in range(200)]
    found = errors(pa.Table.from_pylist(many))
    land = [p for p in found if p.column == "land_mu"]
    assert len(land) == MAX_LISTED_PER_COLUMN + 1
    assert "另有 150 处" in land[-1].message


def test_nan_is_stored_as_null_and_counts_as_missing(rows: list[Row]) -> None:
    rows[0]["coal_t"] = float("nan")
    prepared = prepare_facts(pa.Table.from_pylist(rows), source_name="t")
    assert prepared.table is not None and prepared.table["coal_t"][0].as_py() is None
    rows[0]["tax_wan"] = float("nan")
    (p,) = errors(pa.Table.from_pylist(rows))
    assert (p.row, p.column) == (2, "tax_wan")


def test_empty_table_is_refused(rows: list[Row]) -> None:
    table = pa.Table.from_pylist(rows).slice(0, 0)
    assert any("没有数据行" in p.message for p in errors(table))
