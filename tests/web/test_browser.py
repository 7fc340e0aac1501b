"""The pages in a real browser (Debian's Chromium via Playwright) against a real uvicorn server:
sign in, the overview's colours, the map, an upload with an error, scope, and Chinese text
rendered with real glyphs (no tofu boxes). Screenshots go to the test's folder; with
ZHUANSHENG_SCREENSHOTS=docs/img the overview and map are also saved there for the README."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright
from web_helpers import PASSWORD, USERS, World, blank_template, fill_template

pytestmark = pytest.mark.slow
CHROMIUM = "/usr/bin/chromium"
GREEN, YELLOW, RED = "rgb(46, 158, 68)", "rgb(229, 165, 10)", "rgb(208, 49, 45)"
# generous for a busy 2-core machine (ms); passing runs do not wait for them: Playwright polls
TIMEOUT = 60_000
NAVIGATION_TIMEOUT = 120_000

# For every distinct CJK character on the page: is its glyph different from the glyph of a code
# point no font has (U+10FFFD, drawn as the "missing glyph" box)? Drawn with the page's font.
NO_TOFU_JS = """() => {
  const text = document.body.innerText;
  const chars = [...new Set([...text].filter(c => /[\\u4e00-\\u9fff]/.test(c)))].slice(0, 300);
  const font = getComputedStyle(document.body).fontFamily;
  const canvas = document.createElement('canvas');
  canvas.width = 40; canvas.height = 40;
  const g = canvas.getContext('2d', {willReadFrequently: true});
  const draw = (c) => { g.clearRect(0, 0, 40, 40); g.font = '28px ' + font; g.fillText(c, 4, 30);
                        return g.getImageData(0, 0, 40, 40).data.join(','); };
  const tofu = draw('\\u{10FFFD}');
  const boxes = chars.filter(c => draw(c) === tofu);
  return {checked: chars.length, boxes: boxes};
}"""


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium is not installed")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield b
        b.close()


def sign_in(
    browser: Browser, server: str, username: str, width: int = 1440, height: int = 900
) -> Page:
    context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
    context.set_default_timeout(TIMEOUT)
    context.set_default_navigation_timeout(NAVIGATION_TIMEOUT)
    page = context.new_page()
    page.goto(f"{server}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{server}/")
    return page


def shots(tmp_path: Path) -> list[Path]:
    extra = os.environ.get("ZHUANSHENG_SCREENSHOTS")
    return [tmp_path, *([Path(extra)] if extra else [])]


def no_tofu(page: Page) -> int:
    result = page.evaluate(NO_TOFU_JS)
    assert result["boxes"] == [], f"characters drawn as missing-glyph boxes: {result['boxes']}"
    return result["checked"]


def test_overview_shows_the_targets_with_colours(
    browser: Browser, server: str, tmp_path: Path
) -> None:
    page = sign_in(browser, server, USERS["province_admin"])
    page.goto(f"{server}/?period=2022-06")
    assert page.locator("h1").inner_text().startswith("浙江省 · 2022年1—6月")
    rows = page.locator("tr[data-target]")
    assert rows.count() >= 40
    colours = {
        page.locator(f"span.status.{c}").first.evaluate("e => getComputedStyle(e).backgroundColor")
        for c in ("green", "yellow", "red")
    }
    assert colours == {GREEN, YELLOW, RED}
    assert int(page.locator("#count-ahead").inner_text()) > 0
    assert page.locator("ul.warnings li.red").count() > 0
    assert no_tofu(page) > 100  # many distinct characters were checked
    for folder in shots(tmp_path):
        folder.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(folder / "overview.png"), full_page=False)
    big = sign_in(browser, server, USERS["province_admin"], 1920, 1080)
    big.goto(f"{server}/?period=2022-06&screen=1")
    assert "bigscreen" in big.locator("body").get_attribute("class")
    big.screenshot(path=str(tmp_path / "bigscreen.png"))
    assert (tmp_path / "overview.png").stat().st_size > 20_000


def test_the_map_renders_and_a_county_click_opens_its_page(
    browser: Browser, server: str, tmp_path: Path
) -> None:
    page = sign_in(browser, server, USERS["province_admin"])
    page.goto(f"{server}/map?period=2022-06&level=county&target=robots_new")
    page.wait_for_selector(
        "#map[data-ready='1']",
    )
    assert page.locator("#map canvas").count() >= 1
    x, y = page.evaluate("() => window.zsMap.pixels['330127']")  # 淳安县, a large county
    box = page.locator("#map").bounding_box()
    no_tofu(page)
    for folder in shots(tmp_path):
        page.screenshot(path=str(folder / "map.png"))
    page.mouse.move(box["x"] + x, box["y"] + y)
    expect(page.locator("#map")).to_contain_text("淳安县", timeout=TIMEOUT)  # the hover tooltip
    page.mouse.click(box["x"] + x, box["y"] + y)
    page.wait_for_url(f"{server}/regions/330127?period=2022-06")
    assert page.locator("h1").inner_text().startswith("淳安县（330127）")


# The colour of the map's canvas under each region's centroid, as "rgb(r, g, b)".
PIXELS_JS = """() => {
  const canvas = document.querySelector('#map canvas');
  const g = canvas.getContext('2d');
  const ratio = canvas.width / canvas.getBoundingClientRect().width;
  const out = {};
  for (const [code, [x, y]] of Object.entries(window.zsMap.pixels)) {
    const d = g.getImageData(Math.round(x * ratio), Math.round(y * ratio), 1, 1).data;
    out[code] = `rgb(${d[0]}, ${d[1]}, ${d[2]})`;
  }
  return out;
}"""
COLOUR_RGB = {"green": GREEN, "yellow": YELLOW, "red": RED, "grey": "rgb(154, 154, 154)"}
BLANK = "rgb(0, 0, 0)"  # a canvas pixel nothing was drawn on yet


def drawn_pixels(page: Page) -> dict[str, str]:
    """PIXELS_JS once the map is drawn and still: two samples in a row agree and not all are
    blank (the canvas is painted on a later animation frame than ``data-ready``)."""
    before: dict[str, str] | None = None
    deadline = time.monotonic() + TIMEOUT / 1000
    while time.monotonic() < deadline:
        now = page.evaluate(PIXELS_JS)
        if now == before and any(rgb != BLANK for rgb in now.values()):
            return now
        before = now
        page.wait_for_timeout(100)
    raise AssertionError("the map's canvas did not settle")


def test_the_map_colours_a_target_by_status(browser: Browser, server: str) -> None:
    page = sign_in(browser, server, USERS["province_admin"])
    page.goto(f"{server}/map?period=2022-06&level=county&target=robots_new&by=status")
    page.wait_for_selector(
        "#map[data-ready='1']",
    )
    shown = page.evaluate("() => JSON.parse(document.getElementById('map-data').textContent)")
    values = {v["code"]: v for v in shown}
    drawn = drawn_pixels(page)
    # every county in its own status colour (a few small ones may sit under a border line)
    same = [c for c, rgb in drawn.items() if c in values and rgb == COLOUR_RGB[values[c]["colour"]]]
    assert len(same) >= 0.8 * len(values), (len(same), len(values))
    assert len({values[c]["colour"] for c in same}) >= 2  # more than one status is shown
    by_completion = sign_in(browser, server, USERS["province_admin"])
    by_completion.goto(f"{server}/map?period=2022-06&level=county&target=robots_new")
    by_completion.wait_for_selector(
        "#map[data-ready='1']",
    )
    shaded = drawn_pixels(by_completion)
    # a continuous scale: the status colours themselves are rare
    assert sum(rgb in COLOUR_RGB.values() for rgb in shaded.values()) < 0.5 * len(shaded)


def test_upload_with_an_error_names_the_cell(
    browser: Browser, server: str, web_world: World, tmp_path: Path
) -> None:
    bad = fill_template(
        blank_template(web_world, "330102", tmp_path),
        tmp_path / "上城区-2022-12.xlsx",
        bad_cell=True,
    )
    page = sign_in(browser, server, USERS["county"])
    page.goto(f"{server}/submissions?period=2022-12")
    page.set_input_files("input[type=file]", str(bad))
    page.click("#upload-form button[type=submit]")
    page.wait_for_selector("#upload-outcome")
    text = page.locator("#upload-outcome").inner_text()
    assert "未写入任何数据" in text and "本期值列（G5）" in text
    page.screenshot(path=str(tmp_path / "upload-error.png"))
    no_tofu(page)


def test_a_county_user_stays_in_its_county(browser: Browser, server: str, web_world: World) -> None:
    page = sign_in(browser, server, USERS["county"])
    own = page.goto(f"{server}/enterprises/{web_world.own_uscc}")
    assert own is not None and own.status == 200
    other = page.goto(f"{server}/enterprises/{web_world.other_uscc}")
    assert other is not None and other.status == 403
    assert "无权查看该企业" in page.locator("p.error").inner_text()
    sub = page.goto(f"{server}/submissions/330603/2022-06")
    assert sub is not None and sub.status == 403
    page.goto(f"{server}/submissions?period=2022-06")
    assert "柯桥区" not in page.locator("main").inner_text()


def test_the_ranking_page_shows_the_cities_with_rank_intervals(
    browser: Browser, server: str, tmp_path: Path
) -> None:
    page = sign_in(browser, server, USERS["county"])
    page.click("header nav >> text=排名")
    page.wait_for_url(f"{server}/rankings")
    page.goto(f"{server}/rankings?period=2022Q2&level=city")
    assert "2022年第二季度季度运行评价 · 设区市（合成演示数据）" in page.locator("h1").inner_text()
    rows = page.locator("tr.ranked")
    assert rows.count() == 11
    bands = page.locator("tr.ranked .interval .band")
    assert bands.count() == 11
    assert all(bands.nth(i).bounding_box()["width"] > 0 for i in range(11))  # drawn, not empty
    assert page.locator("tr.ranked td.change").count() == 11
    rows.first.locator("a.drill").click()  # HTMX fills the row below with the contributions
    page.wait_for_selector(".contributions tr[data-indicator]")
    assert page.locator(".contributions tr[data-indicator]").count() >= 5
    no_tofu(page)
    for folder in shots(tmp_path):
        folder.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(folder / "rankings.png"), full_page=True)
    assert (tmp_path / "rankings.png").stat().st_size > 20_000


def test_a_refused_report_request_shows_its_message(browser: Browser, server: str) -> None:
    page = sign_in(browser, server, USERS["county"])
    page.goto(f"{server}/reports")
    page.fill("#report-form input[name=period]", "2022Q9")
    page.click("#report-form button[type=submit]")
    page.wait_for_selector("#report-error")
    assert "无法识别的期间" in page.locator("#report-error").inner_text()
    assert page.locator("h1").count() == 1  # the fragment was swapped in, not a whole page


def test_the_major_project_register_filters_and_draws_a_project(
    browser: Browser, server: str, tmp_path: Path
) -> None:
    page = sign_in(browser, server, USERS["province_admin"])
    page.goto(f"{server}/major-projects")
    assert page.locator("h1").inner_text() == "重大项目库"
    page.select_option("select[name=warning]", "investment_lag")
    page.click("#major-filter button[type=submit]")
    page.wait_for_url("**warning=investment_lag**")
    rows = page.locator("#major-table tbody tr")
    assert rows.count() > 0
    assert all("投资进度滞后于计划" in rows.nth(i).inner_text() for i in range(rows.count()))
    no_tofu(page)
    for folder in shots(tmp_path):
        folder.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(folder / "major-projects.png"), full_page=False)
    rows.first.locator("a").first.click()
    page.wait_for_selector("#plan-chart[data-ready='1']")
    assert page.locator("#plan-table tbody tr").count() == 12
    assert (tmp_path / "major-projects.png").stat().st_size > 20_000


def test_the_allocations_page_by_target_and_region_with_a_checked_upload(
    browser: Browser, server: str, tmp_path: Path
) -> None:
    page = sign_in(browser, server, USERS["province_admin"])
    page.click("header nav >> text=分解目标")
    page.wait_for_url(f"{server}/allocations")
    page.goto(f"{server}/allocations?year=2022&target=robots_new&region=330600")
    assert page.locator("#alloc-target-rows tr[data-region]").count() == 101  # 11 + 90
    assert page.locator("#alloc-sums tr").count() >= 12  # the province and each city
    assert page.locator("#alloc-region-rows tr[data-target]").count() > 5  # 绍兴市's targets
    no_tofu(page)
    for folder in shots(tmp_path):
        folder.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(folder / "allocations.png"), full_page=False)
    bad = tmp_path / "bad.csv"
    bad.write_text("year,target,region,value\n2022,robots_new,339999,5\n", encoding="utf-8")
    page.set_input_files("#alloc-upload-form input[type=file]", str(bad))
    page.check("#alloc-upload-form input[name=dry_run]")
    page.click("#alloc-upload-form button[type=submit]")
    expect(page.locator("#alloc-upload-outcome .problems")).to_contain_text("339999")
    assert "第 2 行, 列 region" in page.locator("#alloc-upload-outcome").inner_text()


def test_the_responsible_unit_and_milestone_pages(
    browser: Browser, server: str, tmp_path: Path
) -> None:
    page = sign_in(browser, server, USERS["province_admin"])
    page.goto(f"{server}/units?year=2022")
    expect(page.locator("tr[data-unit='省经信厅']")).to_be_visible()
    page.click("tr[data-unit='省经信厅'] a")
    page.wait_for_url(f"{server}/units/%E7%9C%81%E7%BB%8F%E4%BF%A1%E5%8E%85?year=2022")
    assert page.locator("tr[data-target='cluster_ecosystem'] .due").count() == 4  # 2022Q1–Q4
    no_tofu(page)
    for folder in shots(tmp_path):
        folder.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(folder / "units.png"), full_page=False)
    dept = sign_in(browser, server, USERS["department"])
    dept.goto(f"{server}/milestones?year=2022")
    form = dept.locator("tr[data-target='cluster_ecosystem'] form.milestone")
    expect(form.locator("select[name=status] option")).to_have_count(4)
    assert form.locator("input[type=file][name=evidence]").count() == 1
    no_tofu(dept)
    for folder in shots(tmp_path):
        dept.screenshot(path=str(folder / "milestones.png"), full_page=False)
    assert (tmp_path / "units.png").stat().st_size > 20_000
