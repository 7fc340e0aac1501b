"""Reports on a demo world: the figures in Word, PDF and Excel against the monitoring rows,
the warning section, fonts, determinism, and refusals that leave no file behind."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import zipfile
from collections import Counter
from pathlib import Path

import openpyxl
import pytest
from docx import Document
from docx.oxml.ns import qn
from docx.table import Table as DocxTable
from pypdf import PdfReader
from typer.testing import CliRunner

from zhuansheng import monitor, programme, report, store
from zhuansheng.cli import app
from zhuansheng.errors import ZhuanshengError
from zhuansheng.users import Actor

pytestmark = pytest.mark.slow
runner = CliRunner()
DAY1, DAY2 = dt.date(2022, 7, 8), dt.date(2022, 7, 9)


@pytest.fixture(scope="module")
def monthly(module_demo_world: Path) -> dict[str, Path]:
    paths = report.generate(
        "monthly",
        "2022-06",
        formats=("docx", "pdf", "xlsx"),
        out_dir=module_demo_world / "m1",
        generated_on=DAY1,
    )
    return {p.suffix[1:]: p for p in paths}


@pytest.fixture(scope="module")
def quarterly(module_demo_world: Path) -> dict[str, Path]:
    paths = report.generate(
        "quarterly",
        "2022Q2",
        region="330600",
        formats=("docx", "pdf", "xlsx"),
        out_dir=module_demo_world / "q1",
        generated_on=DAY1,
    )
    return {p.suffix[1:]: p for p in paths}


@pytest.fixture(scope="module")
def province_quarterly(module_demo_world: Path) -> Path:
    """The province's quarterly briefing (Word only)."""
    (path,) = report.generate(
        "quarterly",
        "2022Q2",
        formats=("docx",),
        out_dir=module_demo_world / "qp",
        generated_on=DAY1,
    )
    return path


@pytest.fixture(scope="module")
def annual(module_demo_world: Path) -> Path:
    (path,) = report.generate("annual", "2022", formats=("docx",), out_dir=module_demo_world / "a")
    return path


def docx_text(path: Path) -> str:
    doc = Document(str(path))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    return "\n".join(parts)


def pdf_text(path: Path) -> str:
    out = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    return re.sub(r"\s+", "", out)  # lines wrap anywhere in Chinese text


def additive_sentence(r: monitor.ProgressRow, who: str) -> str:
    """The issue's example, from the row: X units, Y % of the year's target, Z points off
    schedule, with Z = (completion − schedule) × 100."""
    x = f"{r.actual:.0f}"
    y = f"{r.completion * 100:.1f}%"
    z = (r.completion - r.schedule) * 100
    pace = f"{'快于' if z > 0 else '慢于'}序时进度{abs(z):.1f}个百分点"
    return f"{who}{r.name_zh}{x}{r.unit}，完成年度目标的{y}，{pace}"


def warning_table(path: Path) -> list[list[str]]:
    doc = Document(str(path))
    for table in doc.tables:
        header = [c.text for c in table.rows[0].cells]
        if "滞后地区（完成率或进度）" in header:
            return [[c.text for c in row.cells] for row in table.rows[1:]]
    raise AssertionError("no warning table")


def section(path: Path, heading: str) -> list[object]:
    """The paragraphs and tables of a document between a first-level heading and the next."""
    blocks = list(Document(str(path)).iter_inner_content())
    start = next(
        i
        for i, b in enumerate(blocks)
        if not isinstance(b, DocxTable) and b.style.name == "Heading 1" and b.text == heading
    )
    out: list[object] = []
    for b in blocks[start + 1 :]:
        if not isinstance(b, DocxTable) and b.style.name == "Heading 1":
            break
        out.append(b)
    return out


def lead_units_of(target: str) -> str:
    """The target's lead units as the programme lists them (the item's, unless the target has
    its own); 牵头单位 shows — for a target without any (the overall goals)."""
    row = programme.load(2022).target(target)
    assert row is not None, target
    return "、".join(row.lead_units) or "—"


def check_warning_table(path: Path, red: list[monitor.ProgressRow]) -> None:
    """Every red item of the province and the cities, once per target, with its lagging places
    in monitoring order, its clause and the programme's lead units."""
    assert red
    by_target: dict[str, list[monitor.ProgressRow]] = {}
    for r in red:
        by_target.setdefault(r.target, []).append(r)
    rows = {row[2]: row for row in warning_table(path)}
    assert len(rows) == len(by_target)  # one row per red target, nothing that is not red
    for target, items in by_target.items():
        row = rows[items[0].name_zh]
        assert row[1] == items[0].clause, target
        assert row[4] == lead_units_of(target), target
        places = ["全省" if r.region == "330000" else r.region_name for r in items]
        assert [part.split("（")[0] for part in row[3].split("、")] == places, target


# -- figures against monitoring ---------------------------------------------------------------


def test_monthly_overview_sentence_matches_the_monitoring_row(monthly: dict[str, Path]) -> None:
    m = monitor.run("2022-06")
    robots = next(r for r in m.by_region("330000") if r.target == "robots_new")
    expected = "1—6月，" + additive_sentence(robots, "全省")
    assert expected in docx_text(monthly["docx"])
    assert expected in pdf_text(monthly["pdf"])


def test_monthly_warning_section_names_every_red_item(monthly: dict[str, Path]) -> None:
    m = monitor.run("2022-06")
    red = m.warnings(level="city")  # the province and the 11 cities
    assert red
    rows = warning_table(monthly["docx"])
    by_name = {row[2]: row[3] for row in rows}
    for r in red:
        place = "全省" if r.region == "330000" else r.region_name
        assert r.name_zh in by_name, r.name_zh
        assert f"{place}（" in by_name[r.name_zh], (r.name_zh, place)
    # and nothing that is not red
    assert len(rows) == len({r.target for r in red})
    # The PDF's warning section (table cells wrap, so names can be cut in the extracted text):
    # its count of targets, and every lagging place.
    pdf = pdf_text(monthly["pdf"])
    start = pdf.index("、预警事项")
    section = pdf[start : pdf.index("、各地进展", start)]
    assert f"共有{len({r.target for r in red})}项目标" in section
    for r in red:
        assert ("全省" if r.region == "330000" else r.region_name) in section, r.region_name


def test_monthly_warning_table_names_the_lead_units(monthly: dict[str, Path]) -> None:
    red = monitor.run("2022-06").warnings(level="city")
    check_warning_table(monthly["docx"], red)
    # the column is per target: more than one office is named
    assert len({lead_units_of(r.target) for r in red}) > 1


def test_annual_warning_section_lists_every_unfinished_item(annual: Path) -> None:
    red = monitor.run("2022").warnings(level="city")
    blocks = section(annual, "三、未完成目标")
    text = "\n".join(b.text for b in blocks if not isinstance(b, DocxTable))
    count = len({r.target for r in red})
    assert f"全年共有{count}项目标在全省或设区市未完成" in text
    tables = [b for b in blocks if isinstance(b, DocxTable)]
    assert [[c.text for c in t.rows[0].cells] for t in tables] == [
        ["序号", "条款", "目标", "滞后地区（完成率或进度）", "牵头单位"]
    ]
    check_warning_table(annual, red)
    # the overall goals have no lead unit in the programme: their rows say so
    goals = {t.id for t in programme.load(2022).targets() if t.section == "goal"}
    red_goals = {r.name_zh for r in red if r.target in goals}
    assert red_goals  # the demo world (seed 5) misses two goals in 2022
    assert {row[4] for row in warning_table(annual) if row[2] in red_goals} == {"—"}


def test_monthly_annex_holds_the_full_data(monthly: dict[str, Path]) -> None:
    m = monitor.run("2022-06")
    book = openpyxl.load_workbook(monthly["xlsx"], read_only=True)
    assert book.sheetnames[:2] == ["说明", "目标进展"]

    def table(name: str) -> list[dict[str, object]]:
        rows = list(book[name].iter_rows(values_only=True))
        assert "合成演示数据" in str(rows[0][0])  # the label row above the header
        header = rows[1]
        return [dict(zip(header, r, strict=True)) for r in rows[2:]]

    province = {r["目标编号"]: r for r in table("目标进展")}
    for row in m.by_region("330000"):
        cell = province[row.target]
        # xlsx keeps 15 significant digits
        assert cell["实际"] == (
            None if row.actual is None else pytest.approx(row.actual, rel=1e-12)
        )
        if row.completion is not None:
            assert cell["完成率"] == pytest.approx(row.completion)
        assert cell["状态"] == row.status_zh
    cities = table("各市")
    robots = {r["地区代码"]: r for r in cities if r["目标编号"] == "robots_new"}
    assert len(robots) == 11
    for row in m.by_target("robots_new", level="city"):
        if row.level == "city":
            assert robots[row.region]["实际"] == pytest.approx(row.actual, rel=1e-12)
    counties = table("各县（市、区）")
    assert {r["地区代码"] for r in counties} >= {"330602", "330106"}  # codes stay text


def test_quarterly_city_briefing_compares_with_province_and_peers(
    quarterly: dict[str, Path],
) -> None:
    m = monitor.run("2022Q2")  # a quarter reads its last month, 1—6月
    own = {r.target: r for r in m.by_region("330600")}
    prov = {r.target: r for r in m.by_region("330000")}
    robots = own["robots_new"]
    expected = (
        additive_sentence(robots, "全市")  # a city's own briefing says 全市
        + f"（全省完成{prov['robots_new'].completion * 100:.1f}%）"
    )
    text = docx_text(quarterly["docx"])
    assert "1—6月，" + expected in text
    assert expected in pdf_text(quarterly["pdf"])
    # every red item of the city is in its warning table
    names = {row[2] for row in warning_table(quarterly["docx"])}
    assert {r.name_zh for r in own.values() if r.colour == "red"} == names
    # rank among the 11 cities by the share of evaluated targets that are green
    colours: dict[str, Counter[str]] = {}
    for r in m.rows(level="city"):
        if r.level == "city":
            colours.setdefault(r.region, Counter())[r.colour] += 1
    share = {c: n["green"] / (n["green"] + n["yellow"] + n["red"]) for c, n in colours.items()}
    rank = sorted(share, key=lambda c: (-share[c], c)).index("330600") + 1
    assert f"绍兴市为{share['330600'] * 100:.1f}%，在11个设区市中居第{rank}位" in text
    # the annex: the city's rows
    book = openpyxl.load_workbook(quarterly["xlsx"], read_only=True)
    rows = list(book["目标进展"].iter_rows(values_only=True))
    header = rows[1]
    cells = {r[header.index("目标编号")]: dict(zip(header, r, strict=True)) for r in rows[2:]}
    assert cells["robots_new"]["实际"] == pytest.approx(robots.actual, rel=1e-12)
    assert cells["robots_new"]["地区代码"] == "330600"


def test_briefing_ranking_is_the_assessment_and_says_how_to_reproduce_it(
    quarterly: dict[str, Path], province_quarterly: Path
) -> None:
    from zhuansheng import assess
    from zhuansheng.report import default_config

    draws = default_config().ranking_draws
    result = assess.run(period="2022Q2", level="city", sensitivity=draws, save=False)
    assert all(x.rank_p05 is not None and x.rank_p95 is not None for x in result.rows)
    # rank, region name, score and the 5–95 % rank interval of the sensitivity analysis of every
    # city, as the assessment computed them
    expected = [
        (str(x.rank), x.name, f"{x.score:.2f}", f"{x.rank_p05:.0f}—{x.rank_p95:.0f}")
        for x in sorted(result.rows, key=lambda x: x.rank)
    ]
    assert len({e[3] for e in expected}) > 1  # the intervals differ between cities
    for path in (quarterly["docx"], province_quarterly):  # a city's briefing, the province's
        doc = Document(str(path))
        table = next(t for t in doc.tables if t.rows[0].cells[0].text == "名次")
        header = [c.text for c in table.rows[0].cells]
        interval = header.index("名次区间（5%—95%）")
        rows = [[c.text for c in row.cells] for row in table.rows[1:]]
        assert [(r[0], r[1], r[2], r[interval]) for r in rows] == expected, path.name
    shaoxing = next(x for x in result.rows if x.region == "330600")
    text = docx_text(quarterly["docx"])
    assert f"居第{shaoxing.rank}位" in text
    summary = result.sensitivity_summary
    assert f"评价方案 {result.scheme_id}，版本 {result.scheme_version}" in text
    assert f"敏感性分析 {summary.draws} 次，随机种子 {summary.seed}" in text


def test_province_briefing_has_a_section_per_engineering_area(province_quarterly: Path) -> None:
    prog = programme.load(2022)
    targets = prog.targets()
    # from the programme: its areas in order, each with its targets, then the safeguards
    expected = [(a.title_zh, [t for t in targets if t.area == a.id]) for a in prog.areas]
    expected = [(title, ts) for title, ts in expected if ts]
    expected.append(("保障措施", [t for t in targets if t.section == "safeguard"]))
    assert len(expected) == len(prog.areas) + 1  # every area of the 2022 programme has targets
    numerals = "一二三四五六七八九十"
    found: list[tuple[str, list[list[str]]]] = []
    for b in section(province_quarterly, "二、分工程进展"):
        if isinstance(b, DocxTable):
            found[-1][1].extend([c.text for c in row.cells] for row in b.rows[1:])
        elif b.style.name == "Heading 2":
            found.append((b.text, []))
    assert [h for h, _ in found] == [
        f"（{numerals[i]}）{title}" for i, (title, _) in enumerate(expected)
    ]
    for (heading, rows), (title, ts) in zip(found, expected, strict=True):
        assert [(r[0], r[1]) for r in rows] == [(";".join(t.clause), t.name_zh) for t in ts], (
            heading
        )
        # the area's paragraph counts the same targets
        assert f"{title}共{len(ts)}项目标" in docx_text(province_quarterly)
    # every target outside the overall goals is in exactly one area
    listed = [r[1] for _, rows in found for r in rows]
    assert sorted(listed) == sorted(t.name_zh for t in targets if t.section != "goal")


def test_pdf_is_a4_with_page_numbers(quarterly: dict[str, Path]) -> None:
    reader = PdfReader(quarterly["pdf"])
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4 in points
    assert len(reader.pages) >= 2
    last = reader.pages[-1].extract_text()
    assert f"— {len(reader.pages)} —" in last


# -- layout and labels ------------------------------------------------------------------------


def test_east_asian_fonts_on_styles_and_body_runs(quarterly: dict[str, Path]) -> None:
    doc = Document(str(quarterly["docx"]))

    def east_asia(element: object) -> str | None:
        fonts = element.find(qn("w:rPr") + "/" + qn("w:rFonts"))  # type: ignore[attr-defined]
        return None if fonts is None else fonts.get(qn("w:eastAsia"))

    assert east_asia(doc.styles["Normal"].element) == "仿宋_GB2312"
    assert east_asia(doc.styles["Heading 1"].element) == "黑体"
    assert east_asia(doc.styles["Heading 2"].element) == "楷体_GB2312"
    body = [p for p in doc.paragraphs if p.style.name == "Normal" and p.text.startswith("1—6月")]
    assert body
    for run in body[0].runs:
        assert east_asia(run._r) == "仿宋_GB2312"
        assert run.font.size.pt == 16  # 三号
    heading = next(p for p in doc.paragraphs if p.text == "一、总体情况")
    assert heading.style.name == "Heading 1"
    assert east_asia(heading.runs[0]._r) == "黑体"
    section = doc.sections[0]
    assert (round(section.page_width.cm, 1), round(section.page_height.cm, 1)) == (21.0, 29.7)


def test_synthetic_data_is_labelled(quarterly: dict[str, Path], monthly: dict[str, Path]) -> None:
    for paths in (quarterly, monthly):
        assert all("合成演示数据" in p.name for p in paths.values())
        assert "合成演示数据" in docx_text(paths["docx"])
        assert "合成演示数据" in pdf_text(paths["pdf"])


def test_reports_say_what_they_count(quarterly: dict[str, Path], monthly: dict[str, Path]) -> None:
    basis = "统计口径：已报送数据（已上报、已审核、已确认）。"
    for paths in (quarterly, monthly):
        overview = section(paths["docx"], "一、总体情况")
        assert basis in [getattr(b, "text", "") for b in overview]
        assert basis in pdf_text(paths["pdf"])
    book = openpyxl.load_workbook(monthly["xlsx"], read_only=True)
    facts = dict(r for r in book["说明"].iter_rows(values_only=True) if len(r) == 2)
    assert facts["统计口径"] == "已报送数据（已上报、已审核、已确认）"


def test_charts_are_embedded(quarterly: dict[str, Path]) -> None:
    with zipfile.ZipFile(quarterly["docx"]) as z:
        images = [n for n in z.namelist() if n.startswith("word/media/")]
    assert len(images) >= 2  # the trend against schedule and the map
    assert (
        len(PdfReader(quarterly["pdf"]).pages[0].images)
        + sum(len(p.images) for p in PdfReader(quarterly["pdf"]).pages[1:])
        >= 2
    )


def test_annual_and_county_briefing(module_demo_world: Path, annual: Path) -> None:
    text = docx_text(annual)
    m = monitor.run("2022")
    robots = next(r for r in m.by_region("330000") if r.target == "robots_new")
    assert text.count("全年，") >= 1
    assert f"全省{robots.name_zh}{robots.actual:.0f}{robots.unit}" in text
    county = report.generate(
        "quarterly",
        "2022Q2",
        region="330602",
        formats=("docx",),
        out_dir=module_demo_world / "c",
        actor=Actor("yc", "county", "330602"),
    )
    assert "越城区" in county[0].name
    assert "同市各县（市、区）序时达标率" in docx_text(county[0])


# -- determinism ------------------------------------------------------------------------------


def _without_dates(text: str) -> str:
    return re.sub(r"2022年7月[89]日|2022-07-0[89]", "DATE", text)


def test_same_data_gives_the_same_documents_but_the_date(module_demo_world: Path) -> None:
    src = report.Sources("2022Q2")
    kw = {"region": "330600", "formats": ("docx", "pdf", "xlsx"), "sources": src}
    a = report.generate(
        "quarterly", "2022Q2", out_dir=module_demo_world / "d1", generated_on=DAY1, **kw
    )
    b = report.generate(
        "quarterly", "2022Q2", out_dir=module_demo_world / "d2", generated_on=DAY2, **kw
    )
    for x, y in zip(a, b, strict=True):
        assert x.name == y.name
        if x.suffix == ".pdf":
            tx, ty = pdf_text(x), pdf_text(y)
            assert tx != ty  # the date differs …
            assert _without_dates(tx) == _without_dates(ty)  # … and nothing else
        elif x.suffix == ".docx":
            with zipfile.ZipFile(x) as zx, zipfile.ZipFile(y) as zy:
                assert zx.namelist() == zy.namelist()
                for name in zx.namelist():
                    px, py = zx.read(name), zy.read(name)
                    if name.endswith(".xml"):
                        px, py = (_without_dates(p.decode()) for p in (px, py))
                    assert px == py, name  # figures (word/media/*.png) byte for byte
        else:
            bx, by = openpyxl.load_workbook(x), openpyxl.load_workbook(y)
            for sx, sy in zip(bx.worksheets, by.worksheets, strict=True):
                vx = [[_without_dates(str(v)) for v in r] for r in sx.iter_rows(values_only=True)]
                vy = [[_without_dates(str(v)) for v in r] for r in sy.iter_rows(values_only=True)]
                assert vx == vy, sx.title


# -- refusals ---------------------------------------------------------------------------------


def test_unknown_period_is_refused_without_files(module_demo_world: Path) -> None:
    out = module_demo_world / "bad-period"
    with pytest.raises(ZhuanshengError, match="无法识别的期间"):
        report.generate("monthly", "2022-13", out_dir=out)
    with pytest.raises(ZhuanshengError, match="2022Q2 这样的形式"):
        report.generate("quarterly", "2022-06", region="330600", out_dir=out)
    with pytest.raises(ZhuanshengError, match="未知的地区代码"):
        report.generate("quarterly", "2022Q2", region="339999", out_dir=out)
    with pytest.raises(ZhuanshengError, match="2021 年没有工作要点"):
        report.generate("quarterly", "2021Q4", out_dir=out)
    assert not out.exists() or not any(out.iterdir())


def test_region_out_of_scope_is_refused_without_files(module_demo_world: Path) -> None:
    out = module_demo_world / "scope"
    hangzhou = Actor("hz", "city", "330100")
    with pytest.raises(ZhuanshengError, match="无权生成 330600"):
        report.generate("quarterly", "2022Q2", region="330600", out_dir=out, actor=hangzhou)
    with pytest.raises(ZhuanshengError, match="无权生成 330000"):
        report.generate("monthly", "2022-06", out_dir=out, actor=hangzhou)
    county = Actor("yc", "county", "330602")
    with pytest.raises(ZhuanshengError, match="无权生成 330600"):
        report.generate("quarterly", "2022Q2", region="330600", out_dir=out, actor=county)
    assert not out.exists()
    # a city user may write its own city's briefing and its counties'
    ok = report.generate(
        "quarterly", "2022Q2", region="330106", out_dir=out, actor=hangzhou, formats=("xlsx",)
    )
    assert [p.name for p in ok] == [p.name for p in out.iterdir()]


def test_a_failing_renderer_leaves_no_file(tmp_path: Path) -> None:
    from zhuansheng.report.files import render_all

    def fails(path: Path) -> None:
        path.write_bytes(b"half")
        raise OSError("disk full")

    jobs = [(tmp_path / "a.docx", lambda p: p.write_bytes(b"whole")), (tmp_path / "a.pdf", fails)]
    with pytest.raises(OSError):
        render_all(tmp_path, jobs)
    assert list(tmp_path.iterdir()) == []


def test_a_failed_rename_puts_back_what_was_there(tmp_path: Path) -> None:
    from zhuansheng.report.files import commit, render_all

    (tmp_path / "a.docx").write_bytes(b"old")
    (tmp_path / "a.pdf").mkdir()  # a folder where the PDF should go: its rename fails
    jobs = [(tmp_path / "a.docx", lambda p: p.write_bytes(b"new")), (tmp_path / "a.pdf", print)]
    staged = render_all(tmp_path, jobs)
    with pytest.raises(OSError):
        commit(staged)
    assert (tmp_path / "a.docx").read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.docx", "a.pdf"]


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_batch_appears_whole_or_not_at_all(module_demo_world: Path, jobs: int) -> None:
    out = module_demo_world / f"batch-{jobs}"
    cities = ["330100", "330200", "330300"]
    first = report.generate_many("quarterly", "2022Q2", cities, formats=("xlsx",), out_dir=out)
    hangzhou, ningbo, wenzhou = first
    hangzhou.write_bytes(b"an earlier version")
    wenzhou.unlink()
    ningbo.unlink()
    ningbo.mkdir()  # the second city's file cannot be written: nothing of the batch may appear
    with pytest.raises(ZhuanshengError, match="本次生成的文件均未保存"):
        report.generate_many(
            "quarterly", "2022Q2", cities, formats=("xlsx",), out_dir=out, jobs=jobs
        )
    assert hangzhou.read_bytes() == b"an earlier version"
    assert sorted(out.iterdir()) == sorted([hangzhou, ningbo])


def test_period_with_no_data_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    monkeypatch.setenv("ZHUANSHENG_DATABASE_URL", url)
    store.upgrade(url)
    with store.session(url) as s:  # the programme and regions, but no data at all
        store.sync_reference(s)
        store.sync_programme(s, programme.load(2022), programme.programme_path(2022))
    out = tmp_path / "out"
    with pytest.raises(ZhuanshengError, match="没有任何监测数据"):
        report.generate("monthly", "2022-06", out_dir=out)
    assert not out.exists()
    store.dispose_all()


# -- CLI and listing ----------------------------------------------------------------------------


def test_cli_writes_and_lists(module_demo_world: Path) -> None:
    out = module_demo_world / "cli"
    res = runner.invoke(
        app,
        [
            "report",
            "quarterly",
            "--period",
            "2022Q2",
            "--region",
            "330600",
            "--format",
            "docx",
            "-f",
            "xlsx",
            "-o",
            str(out),
        ],
    )
    assert res.exit_code == 0, res.output
    assert sorted(p.suffix for p in out.iterdir()) == [".docx", ".xlsx"]
    listed = report.list_reports(out)
    assert {(f.kind, f.period, f.region, f.format, f.synthetic) for f in listed} == {
        ("quarterly", "2022Q2", "330600", "docx", True),
        ("quarterly", "2022Q2", "330600", "xlsx", True),
    }
    res = runner.invoke(app, ["report", "list", "-o", str(out)])
    assert res.exit_code == 0 and "季度简报" in res.stdout
    bad = runner.invoke(
        app, ["report", "monthly", "--period", "2022Q2", "-o", str(module_demo_world / "x")]
    )
    assert bad.exit_code == 2
    assert "2022-06 这样的形式" in bad.output
    bad = runner.invoke(
        app,
        ["report", "annual", "--period", "2022", "-f", "doc", "-o", str(module_demo_world / "x")],
    )
    assert bad.exit_code == 2 and "未知的输出格式 doc" in bad.output
    assert not (module_demo_world / "x").exists()


def test_cli_all_writes_one_briefing_per_city(module_demo_world: Path) -> None:
    out = module_demo_world / "cli-all"
    args = ["report", "quarterly", "--period", "2022Q2", "--all", "-f", "xlsx", "-o", str(out)]
    res = runner.invoke(app, args)
    assert res.exit_code == 0, res.output
    m = monitor.run("2022Q2")
    cities = {r.region: r.region_name for r in m.rows(level="city") if r.level == "city"}
    assert len(cities) == 11
    files = sorted(out.iterdir())
    # --all is each of the 11 cities, not the province: one Excel file each, named by its code
    assert len(files) == 11 and all(p.suffix == ".xlsx" for p in files)
    named = {code: [p for p in files if f"-{code}-" in p.name] for code in cities}
    assert all(len(v) == 1 for v in named.values()), named
    assert "330000" not in "".join(p.name for p in files)
    listed = report.list_reports(out)
    assert {(f.kind, f.period, f.region, f.region_name, f.format) for f in listed} == {
        ("quarterly", "2022Q2", code, name, "xlsx") for code, name in cities.items()
    }
    assert res.output.count("已写入") == 11
    # each file is its city's briefing
    for code, (path,) in named.items():
        book = openpyxl.load_workbook(path, read_only=True)
        rows = list(book["目标进展"].iter_rows(values_only=True))
        header = rows[1]
        cells = {r[header.index("目标编号")]: dict(zip(header, r, strict=True)) for r in rows[2:]}
        robots = next(r for r in m.by_region(code) if r.target == "robots_new")
        assert cells["robots_new"]["地区代码"] == code
        assert cells["robots_new"]["实际"] == pytest.approx(robots.actual, rel=1e-12)
        book.close()
    both = runner.invoke(
        app, [*args[:-1], str(module_demo_world / "cli-all-2"), "--region", "330600"]
    )
    assert both.exit_code != 0 and "--region 与 --all 只能选一个" in both.output
    assert not (module_demo_world / "cli-all-2").exists()


def test_several_cities_in_two_processes(module_demo_world: Path) -> None:
    out = module_demo_world / "many"
    seen: list[str | None] = []
    paths = report.generate_many(
        "quarterly",
        "2022Q2",
        ["330100", "330200", "330300"],
        formats=("docx", "xlsx"),
        out_dir=out,
        jobs=2,
        progress=seen.append,
    )
    assert seen == ["330100", "330200", "330300"]
    assert sorted(p.name for p in paths) == sorted(p.name for p in out.iterdir())
    assert len(paths) == 6
    m = monitor.run("2022Q2")
    for code, name in (("330100", "杭州市"), ("330300", "温州市")):
        robots = next(r for r in m.by_region(code) if r.target == "robots_new")
        docx = next(p for p in paths if code in p.name and p.suffix == ".docx")
        assert name in docx.name
        assert additive_sentence(robots, "全市") in docx_text(docx)
    with pytest.raises(ZhuanshengError, match="无权生成 330200"):
        report.generate_many(
            "quarterly",
            "2022Q2",
            ["330100", "330200"],
            out_dir=module_demo_world / "many2",
            actor=Actor("hz", "city", "330100"),
        )
    assert not (module_demo_world / "many2").exists()
