"""A programme year run for real, with no demo data: the 2023 programme drafted from 2022 and
filled in, allocations for the 11 cities and 90 counties imported from a file, one county's
template filled and submitted, a department's milestone report accepted by the province,
monitoring of 2023-03, a drafted quarterly scheme used with --draft, and the 2023Q1 briefing.

Everything goes through the command line, as an office would do it, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path

import docx
import openpyxl
import pytest
from typer.testing import CliRunner

import worlds
from zhuansheng import reference
from zhuansheng.cli import app

runner = CliRunner()
KEQIAO, SHAOXING = "330603", "330600"
ROBOTS_2023 = 15001.0  # 2022's 15000, plus one (worlds.fill_programme_draft)
CITY_ROBOTS = 1364.0  # 11 × 1364 = 15004 ≥ 15001: the cities' sum covers the province
ECOSYSTEM = "培育集群发展生态"  # cluster_ecosystem, reported and accepted
KEQIAO_FIGURES = {  # 柯桥区, 1—3月; ratio indicators as (numerator, denominator)
    "robots": 60,
    "trad_rd_expense": 1.8,
    "tax_per_mu": (18000, 1200),
    "va_per_mu": (84000, 1200),
    "trad_share": (5.1, 8.4),
    "rd_intensity": (3.0, 100),
    "energy_intensity": (35000, 84000),
    "training_person_times": 180,
}


def zs(*args: str, code: int = 0) -> str:
    out = runner.invoke(app, [str(a) for a in args])
    assert out.exit_code == code, out.output
    return out.output


def allocations_csv(path: Path) -> dict[str, float]:
    """robots_new for every city (1364 each) and every county (its city's share, rounded up, so
    each city's counties cover the city); the level target rd_intensity_level per region."""
    counties: dict[str, list[str]] = {}
    for r in reference.regions():
        if r.level == "county":
            counties.setdefault(r.parent_code, []).append(r.code)
    values: dict[str, float] = {}
    rows = []
    for city, own in sorted(counties.items()):
        values[city] = CITY_ROBOTS
        rows.append((2023, "robots_new", city, CITY_ROBOTS))
        rows.append((2023, "rd_intensity_level", city, 3.2))
        each = math.ceil(CITY_ROBOTS / len(own))  # 绍兴: 6 counties, ⌈1364 / 6⌉ = 228
        for code in own:
            values[code] = each
            rows.append((2023, "robots_new", code, each))
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["year", "target", "region", "value"])
        w.writerows(rows)
    assert len(counties) == 11 and sum(len(v) for v in counties.values()) == 90
    return values


def fill_template(template: Path, out: Path) -> Path:
    """The yellow cells of the 填报 sheet, as a county office fills them."""
    wb = openpyxl.load_workbook(template)
    ws = wb["填报"]
    seen = set()
    for row in ws.iter_rows(min_row=5):
        code = row[1].value
        if code in KEQIAO_FIGURES:
            seen.add(code)
            v = KEQIAO_FIGURES[code]
            if isinstance(v, tuple):
                row[7].value, row[9].value = v
            else:
                row[6].value = v
    assert seen == set(KEQIAO_FIGURES), seen  # the 2023 template asks for these, no others
    wb.save(out)
    return out


def docx_text(path: Path) -> str:
    doc = docx.Document(str(path))
    cells = [c.text for table in doc.tables for row in table.rows for c in row.cells]
    return "\n".join([p.text for p in doc.paragraphs] + cells)


@pytest.mark.slow
def test_a_2023_programme_year_from_draft_to_briefing(
    store_url: str, empty_world: Path, tmp_path: Path
) -> None:
    programmes = empty_world.parent / "programmes"  # ZHUANSHENG_PROGRAMME_DIR (conftest.py)
    programmes.mkdir()
    zs("db", "upgrade")

    # the programme: drafted from 2022, refused while unfilled, then filled, checked and loaded
    draft = tmp_path / "2023-draft.yaml"
    zs("programme", "init", "--year", "2023", "--from", "2022", "-o", draft)
    unfilled = zs("programme", "validate", draft, code=2)
    assert "目标 robots_new 的 value 尚未填写" in " ".join(unfilled.split())
    (programmes / "2023.yaml").write_text(
        worlds.fill_programme_draft(draft.read_text(encoding="utf-8")), encoding="utf-8"
    )
    zs("programme", "validate", programmes / "2023.yaml")
    assert "targets_2023" in zs("db", "seed")

    zs("user", "add", "office", "--role", "province_admin")
    zs("user", "add", "keqiao", "--role", "county", "--region", KEQIAO)
    zs("user", "add", "jxt", "--role", "department", "--unit", "省经信厅")

    # allocations for 11 cities and 90 counties, from a CSV; the template exists too
    zs("allocation", "template", "--year", "2023", "--level", "city", "-o", tmp_path / "a.xlsx")
    assert (tmp_path / "a.xlsx").stat().st_size > 0
    values = allocations_csv(tmp_path / "allocations.csv")
    zs("allocation", "import", tmp_path / "allocations.csv", "--user", "office")
    listed = json.loads(
        zs("allocation", "list", "--year", "2023", "--target", "robots_new", "--format", "json")
    )
    assert len(listed) == 101

    # one county: its template for 2023-03, filled, imported and submitted
    blank = tmp_path / "blank.xlsx"
    zs("template", "--region", KEQIAO, "--period", "2023-03", "-o", blank)
    filled = fill_template(blank, tmp_path / "柯桥-2023-03.xlsx")
    zs("import", "observations", filled, "--user", "keqiao")
    zs("submission", "submit", "--region", KEQIAO, "--period", "2023-03", "--user", "keqiao")

    # a department's milestone report, accepted by the province
    progress = "已召开集群生态建设推进会，明确年度重点任务"
    zs(
        "milestone", "report", "--target", "cluster_ecosystem", "--period", "2023Q1",
        "--status", "in_progress", "--text", progress, "--user", "jxt",
    )  # fmt: skip
    (pending,) = json.loads(zs("milestone", "list", "--year", "2023", "--format", "json"))
    assert pending["review_status"] == "submitted"
    zs("milestone", "accept", pending["id"], "--user", "office")

    # monitoring of 2023-03: the county's allocated target and the accepted milestone status
    def monitored(region: str, target: str) -> dict:
        rows = json.loads(
            zs("monitor", "--period", "2023-03", "--region", region, "--format", "json")
        )
        (row,) = [r for r in rows if r["region"] == region and r["target"] == target]
        return row

    robots = monitored(KEQIAO, "robots_new")
    assert robots["target_source"] == "allocation"
    assert robots["target_value"] == values[KEQIAO] == 228  # ⌈1364 / 6⌉
    assert robots["actual"] == 60
    city = monitored(SHAOXING, "robots_new")
    assert city["target_value"] == CITY_ROBOTS and city["target_source"] == "allocation"
    assert monitored("330000", "robots_new")["target_value"] == ROBOTS_2023
    assert monitored("330000", "cluster_ecosystem")["status"] == "in_progress"

    # the quarterly scheme drafted from the programme, refused until asked for as a draft
    zs("assess", "scheme", "init", "--year", "2023", "--kind", "quarterly")
    assert (programmes / "schemes" / "quarterly-2023.yaml").is_file()
    assert "草案" in zs("assess", "--period", "2023Q1", code=2)
    assert "评价方案为草案" in zs("assess", "--period", "2023Q1", "--draft")

    # the 2023Q1 briefing
    out = tmp_path / "reports"
    zs("report", "quarterly", "--period", "2023Q1", "--draft", "-f", "docx", "-o", out)
    (briefing,) = out.glob("*.docx")
    text = docx_text(briefing)
    assert "2023" in text and "评价方案为草案" in text
    # the units that have not reported on 2023Q1 by its deadline are named; the one that did not
    (overdue,) = [p for p in text.splitlines() if p.startswith("另有") and "逾期未报送" in p]
    assert "加强组织领导" in overdue and ECOSYSTEM not in overdue
