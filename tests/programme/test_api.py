"""The Python API others import: load by year from the package and programme_dir, export."""

from __future__ import annotations

import zipfile
from pathlib import Path

import fastexcel
import pytest

from zhuansheng.errors import InputRejected
from zhuansheng.programme import (
    EXPORT_COLUMNS,
    available_years,
    export_rows,
    indicators,
    load,
    units,
    write_export,
    write_xlsx,
)

REQUIRED_COLUMNS = [
    "id",
    "clause",
    "name_zh",
    "kind",
    "value",
    "unit",
    "qualifier",
    "tolerance",
    "indicator",
    "task",
    "area",
    "lead_units",
    "co_units",
    "source",
    "aggregation",
    "seed_text",
]


def test_load_2023_from_programme_dir(programme_dir: Path, minimal):
    (programme_dir / "2023.yaml").write_text(minimal, encoding="utf-8")
    assert available_years() == [2022, 2023]
    p = load(2023)
    assert p.year == 2023
    assert load().year == 2023  # the latest year by default
    assert load(2022).year == 2022


def test_user_catalogue_additions(programme_dir: Path, minimal, edit):
    (programme_dir / "indicators.yaml").write_text(
        "indicators:\n"
        "  - {id: data_centres, name_zh: 新建数据中心, name_en: data centres, unit: 个,\n"
        "     source: registry, registry: data_centre, aggregation: sum, higher_is_better: true}\n",
        encoding="utf-8",
    )
    (programme_dir / "units.yaml").write_text(
        "units:\n  - {name_zh: 省大数据局, kind: department}\n", encoding="utf-8"
    )
    assert "data_centres" in indicators() and "robots" in indicators()
    assert "省大数据局" in [u.name_zh for u in units()]
    text = edit(minimal, "co_units: [省科技厅]", "co_units: [省科技厅, 省大数据局]")
    text = edit(
        text,
        "indicator: robots\n        kind: count_new\n        value: 15000\n        unit: 台",
        "indicator: data_centres\n        kind: count_new\n        value: 15000\n        unit: 个",
    )
    (programme_dir / "2023.yaml").write_text(text, encoding="utf-8")
    assert load(2023).target("robots_new").indicator == "data_centres"


def test_user_catalogue_may_not_redefine_shipped_ids(programme_dir: Path):
    (programme_dir / "units.yaml").write_text(
        "units:\n  - {name_zh: 省经信厅, kind: department}\n", encoding="utf-8"
    )
    with pytest.raises(InputRejected, match="省经信厅"):
        units()


def test_load_unknown_year():
    with pytest.raises(InputRejected) as caught:
        load(1999)
    assert "ZHUANSHENG_PROGRAMME_DIR" in str(caught.value)


def test_export_rows_columns():
    rows = export_rows(load(2022))
    assert set(REQUIRED_COLUMNS) <= set(EXPORT_COLUMNS) == set(rows[0])
    milestone = next(r for r in rows if r["id"] == "two_industry_integration")
    assert (milestone["value"], milestone["indicator"], milestone["source"]) == (None, None, None)
    assert milestone["lead_units"] == ["省发展改革委"]


def test_xlsx_keeps_text_as_text(tmp_path):
    rows = [
        {"id": "a", "clause": ["二.(一).1"], "value": 1, "seed_text": "=1+1", "note": "001"},
        {"id": "b", "clause": ["三.(二)"], "value": 2.5, "seed_text": "@SUM(A1)", "note": "+86"},
    ]
    path = tmp_path / "t.xlsx"
    write_xlsx(rows, path, ["id", "clause", "value", "seed_text", "note"])
    table = fastexcel.read_excel(path).load_sheet(0).to_arrow().to_pydict()
    assert table["seed_text"] == ["=1+1", "@SUM(A1)"]
    assert table["note"] == ["001", "+86"]
    assert table["value"] == [1, 2.5]
    with zipfile.ZipFile(path) as z:
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet  # no formulas
    assert 'state="frozen"' in sheet and "<cols>" in sheet


@pytest.mark.parametrize("fmt", ["csv", "json", "xlsx"])
def test_write_export(tmp_path, fmt):
    path = tmp_path / f"t.{fmt}"
    write_export(export_rows(load(2022)), fmt, path)
    assert path.stat().st_size > 1000
