"""Templates follow the year's programme: a template lists the statistics its year's targets and
schemes need, an indicator added for one year appears only in that year's templates, and an
upload for a year is refused for a line of an indicator that year does not collect."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from zhuansheng import assess, programme, store, users
from zhuansheng.cli import app
from zhuansheng.collect import import_observations, templates
from zhuansheng.errors import InputRejected
from zhuansheng.programme.loader import DATA
from zhuansheng.services import submissions
from zhuansheng.services.context import console
from zhuansheng.workspace import at

KEQIAO = "330603"
PROVINCE = "330000"
runner = CliRunner()

# What the 2022 programme file (src/zhuansheng/programme/data/2022.yaml) measures with statistics,
# read off its targets by hand: indicator → target(s) (clause).
COUNTY_2022 = [  # catalogue order, reported by the counties
    "robots",  # robots_new (二.(一).1)
    "trad_rd_expense",  # trad_rd_expense_growth (一.(二))
    "tax_per_mu",  # tax_per_mu_growth (二.(五).14)
    "va_per_mu",  # va_per_mu_growth (二.(五).14)
    "trad_share",  # trad_share (一.(二))
    "rd_intensity",  # rd_intensity_level (二.(四).10)
    "energy_intensity",  # energy_intensity_decline (二.(五).14)
    "training_person_times",  # training (三.(三)), 全省培训4万人次以上
]
PROVINCE_2022 = [  # reported by the province only (financial statistics)
    "mfg_mid_long_loan",  # mfg_loan_growth_above_total: indicator (三.(二))
    "total_loan",  # mfg_loan_growth_above_total: compare_to
]

# A statistic the office adds beside its programmes for 2023 (programme_dir/indicators.yaml).
EXTRA_CATALOGUE = """\
indicators:
  - id: digital_talent
    name_zh: 新增数字化人才
    name_en: digital talent newly trained
    unit: 人
    source: statistic
    aggregation: sum
    higher_is_better: true
    reported_by: county
"""
ROBOTS_2022 = """\
        indicator: robots
        kind: count_new
        value: 15000
        unit: 台
"""
TALENT_2023 = """\
        indicator: digital_talent
        kind: count_new
        value: 20000
        unit: 人
"""
VALUES = {  # 1—3月, ratio indicators as (numerator, denominator)
    "digital_talent": 900,
    "robots": 60,
    "trad_rd_expense": 1.7,
    "tax_per_mu": (18000, 1200),
    "va_per_mu": (84000, 1200),
    "trad_share": (5.1, 8.4),
    "rd_intensity": (1.5, 50),
    "energy_intensity": (35000, 84000),
    "training_person_times": 150,
}


@pytest.fixture
def url(store_url: str, empty_world: Path) -> Iterator[str]:
    """A store with the regions, the 2022 programme and 柯桥's county user; the programme folder
    holds the 2023 programme (robots replaced by the new digital_talent) and its catalogue."""
    folder = empty_world.parent / "programmes"
    folder.mkdir()
    (folder / "indicators.yaml").write_text(EXTRA_CATALOGUE, encoding="utf-8")
    text = Path(str(DATA / "2022.yaml")).read_text(encoding="utf-8")
    assert text.count(ROBOTS_2022) == 1 and text.count("\nyear: 2022\n") == 1
    text = text.replace(ROBOTS_2022, TALENT_2023).replace("\nyear: 2022\n", "\nyear: 2023\n")
    (folder / "2023.yaml").write_text(text, encoding="utf-8")
    store.upgrade(store_url)
    with store.session(store_url) as s:
        store.sync_reference(s)
        for year in (2022, 2023):
            store.sync_programme(s, programme.load(year), programme.programme_path(year))
        users.add_user(s, "keqiao", "county", KEQIAO)
    yield store_url


def rows_of(path: Path) -> list[str]:
    """The indicator codes of a template's input sheet, top to bottom."""
    sheet = openpyxl.load_workbook(path, read_only=True)["填报"]
    return [row[1] for row in sheet.iter_rows(min_row=5, values_only=True) if row[1]]


def test_2022_template_lists_only_what_the_2022_programme_and_scheme_need(
    url: str, tmp_path: Path
) -> None:
    county = templates.write_template(KEQIAO, "2022-06", tmp_path / "c.xlsx", ws=at(url))
    province = templates.write_template(PROVINCE, "2022-06", tmp_path / "p.xlsx", ws=at(url))
    assert rows_of(county) == COUNTY_2022  # not digital_talent: no 2022 target uses it
    assert rows_of(province) == PROVINCE_2022
    # The schemes of 2022 score targets whose statistics are all among them, and the service
    # (what the CLI and the web write) gives the same rows.
    prog = programme.load(2022)
    schemes = prog.indicator_ids(assess.scheme.scheme_targets(2022))
    assert {"robots", "tax_per_mu", "energy_intensity"} <= schemes
    assert schemes & {i for i, ind in programme.indicators().items() if ind.source == "statistic"}
    assert schemes <= prog.indicator_ids()
    path, _ = submissions.template(console(at(url)), KEQIAO, "2022-06")
    assert rows_of(path) == COUNTY_2022


def test_an_indicator_added_for_2023_appears_only_in_2023_templates(
    url: str, tmp_path: Path
) -> None:
    out = tmp_path / "柯桥-2023-03.xlsx"
    result = runner.invoke(
        app, ["template", "--period", "2023-03", "--region", KEQIAO, "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    # 2023 dropped the robots target and added digital_talent; catalogue order (shipped first)
    assert rows_of(out) == [*COUNTY_2022[1:], "digital_talent"]
    out = tmp_path / "柯桥-2022-03.xlsx"
    result = runner.invoke(
        app, ["template", "--period", "2022-03", "--region", KEQIAO, "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert rows_of(out) == COUNTY_2022


def _filled_csv(blank: Path, values: dict[str, object], period: str | None = None) -> Path:
    """Fill a CSV template; with ``period``, also rewrite its stamp to that period."""
    lines = list(csv.reader(io.StringIO(blank.read_text(encoding="utf-8-sig"))))
    for line in lines:
        if period and line[0] == "#period":
            line[1] = period
        v = values.get(line[1])
        if isinstance(v, tuple):
            line[7], line[9] = map(str, v)
        elif v is not None:
            line[6] = str(v)
    out = blank.with_name("filled-" + blank.name)
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(lines)
    out.write_text(buf.getvalue(), encoding="utf-8-sig")
    return out


def test_an_upload_for_2022_with_a_2023_only_indicator_is_refused_naming_the_row(
    url: str, tmp_path: Path
) -> None:
    blank = templates.write_template(KEQIAO, "2023-03", tmp_path / "t.csv", fmt="csv", ws=at(url))
    good = _filled_csv(blank, VALUES)
    assert import_observations(good, user="keqiao", ws=at(url)).written == 8  # 2023 takes it
    # The same lines stamped 2022-03: the stamp lists digital_talent, the 2022 programme not.
    smuggled = _filled_csv(blank, VALUES, period="2022-03")
    result = runner.invoke(app, ["import", "observations", str(smuggled), "--user", "keqiao"])
    assert result.exit_code == 2
    out = " ".join(result.output.split())  # the console wraps long lines
    header_line = 7  # six stamp lines, then the header; digital_talent is the last of 8 lines
    assert "1 处问题" in out and f"第 {header_line + 8} 行 指标代码列" in out, out
    assert "指标 'digital_talent' 不是 2022 年工作要点与评价方案要求填报的指标" in out
    with pytest.raises(InputRejected) as err:
        import_observations(smuggled, user="keqiao", ws=at(url))
    assert [(p.row, p.column) for p in err.value.problems] == [(15, "指标代码")]
