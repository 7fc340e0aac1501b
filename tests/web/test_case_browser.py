"""The case pages in a real browser (Debian's Chromium via Playwright) against a real uvicorn
server over a private copy of the web world: a county filters its review table, confirms one
candidate and dismisses another with a reason; plans, reports progress with an evidence file
(a second, stale tab is told of the conflict) and completes its case; its city fails the
verification with a reason and the case shows as reopened, then reads the county's dismissal
with its reason and reopens it, and the county sees the candidate back with why. With
ZHUANSHENG_SCREENSHOTS=docs/img the review, the board and the case page are also saved there
for the docs."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import test_browser
from playwright.sync_api import Page, expect
from test_browser import TIMEOUT, no_tofu, shots, sign_in
from web_helpers import CaseAccounts, World, case_accounts, private_world, serving

pytestmark = pytest.mark.slow
browser = test_browser.browser  # the same Chromium fixture as the other browser tests
expect.set_options(timeout=TIMEOUT)  # generous for a busy machine; passing runs do not wait
PNG = b"\x89PNG\r\n\x1a\n" + bytes(64)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    with private_world(tmp_path_factory, "case-browser") as w:
        yield w


@pytest.fixture(scope="module")
def accounts(world: World) -> CaseAccounts:
    return case_accounts(world)


@pytest.fixture(scope="module")
def base(world: World, accounts: CaseAccounts) -> Iterator[str]:
    with serving(world) as url:
        yield url


def screenshot(page: Page, tmp_path: Path, name: str) -> None:
    for folder in shots(tmp_path):
        folder.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(folder / name), full_page=False)


def review(page: Page, base: str, tmp_path: Path) -> tuple[str, str]:
    """Filter the county's review table, confirm one candidate and dismiss another; the case
    page of the confirmed one and the dismissed candidate."""
    page.click("header nav >> text=整治提升")
    page.wait_for_url(f"{base}/cases")
    page.click("p.tabs >> text=筛查候选核实")
    page.wait_for_url(f"{base}/cases/candidates")
    page.fill("#review-filter input[name=year]", "2022")
    page.select_option("#review-filter select[name=state]", "candidate")
    page.click("#review-filter button[type=submit]")
    page.wait_for_url("**state=candidate**")
    rows = page.locator("#candidate-list tbody tr[data-state]")
    assert rows.count() >= 2
    assert {rows.nth(i).get_attribute("data-state") for i in range(rows.count())} == {"candidate"}
    first, second = (rows.nth(i).get_attribute("data-candidate") for i in (0, 1))

    page.check(f"tr[data-candidate='{first}'] input[name=candidate]")
    page.select_option("#bulk select[name=measure]", "closed")
    page.click("#bulk button[value=confirm]")
    expect(page.locator("#bulk-results h3")).to_have_text("已办理 1 家，未办理 0 家")
    case_link = page.locator(f"#bulk-results tr[data-candidate='{first}'] a")
    expect(case_link).to_contain_text("整治案件")
    href = case_link.get_attribute("href")
    # the table was swapped with the rest: the confirmed firm is no longer a candidate
    expect(page.locator(f"#candidate-list tr[data-candidate='{first}']")).to_have_count(0)

    page.check(f"tr[data-candidate='{second}'] input[name=candidate]")
    page.select_option("#bulk select[name=reason]", "other")
    page.fill("#bulk input[name=text]", "企业已于2022年停产")
    page.click("#bulk button[value=dismiss]")
    expect(page.locator(f"#bulk-results tr[data-candidate='{second}']")).to_contain_text("已排除")
    expect(page.locator(f"#candidate-list tr[data-candidate='{second}']")).to_have_count(0)
    no_tofu(page)
    screenshot(page, tmp_path, "cases-review.png")
    assert href and second
    return href, second


def test_a_county_works_a_case_and_its_city_fails_the_verification(
    browser, base: str, accounts: CaseAccounts, tmp_path: Path
) -> None:
    county = sign_in(browser, base, accounts.county_user)
    href, dismissed = review(county, base, tmp_path)
    case = base + href
    county.goto(case)
    county.fill("#form-plan input[name=responsible]", "经信局 张三")
    county.fill(
        "#form-plan textarea[name=actions]", "拆除高耗能生产线@2099-06-30\n土地收储@2099-12-31"
    )
    county.fill("#form-plan input[name=land]", "1.5")
    county.fill("#form-plan input[name=energy]", "120")
    county.click("#form-plan button[type=submit]")
    expect(county.locator("#case-state")).to_have_text("已制定整治方案")
    expect(county.locator("#case-actions")).to_contain_text("拆除高耗能生产线")

    stale = county.context.new_page()  # a second tab, read before the progress report
    stale.goto(case)
    evidence = tmp_path / "现场照片.png"
    evidence.write_bytes(PNG)
    county.fill("#form-update textarea[name=progress]", "生产线已停产，设备拆除中")
    county.set_input_files("#form-update input[type=file]", str(evidence))
    county.click("#form-update button[type=submit]")
    expect(county.locator("#case-state")).to_have_text("整治中")
    expect(county.locator("#case-timeline a.evidence")).to_have_text("现场照片.png")

    stale.fill("#form-update textarea[name=progress]", "另一份进展")
    stale.click("#form-update button[type=submit]")
    expect(stale.locator("#case-error")).to_contain_text("已被他人修改")
    expect(stale.locator("#case-state")).to_have_text("整治中")  # the case as it now is
    # a request refused before its handler (a broken version field): only the error's message
    # takes the case's place, not a whole page inside the page
    stale.locator("#form-update input[name=version]").evaluate("e => e.value = 'x'")
    stale.click("#form-update button[type=submit]")
    expect(stale.locator("#case .error-page")).to_contain_text("请求参数有误")
    assert stale.locator("header.top").count() == 1

    county.fill("#form-complete input[name=land]", "1.5")
    county.fill("#form-complete input[name=energy]", "120")
    county.fill("#form-complete input[name=land_use]", "新引进智能装备项目")
    county.click("#form-complete button[type=submit]")
    expect(county.locator("#case-state")).to_have_text("整治完成")
    expect(county.locator("#case-nothing")).to_be_visible()

    city = sign_in(browser, base, accounts.city_user)
    city.goto(case)
    expect(city.locator("#form-plan")).to_have_count(0)
    city.check("#form-verify input[value=fail]")
    city.fill("#form-verify input[name=reason]", "腾出土地尚未收储")
    city.click("#form-verify button[type=submit]")
    expect(city.locator("#case-state")).to_have_text("验收未通过/重新打开")
    expect(city.locator("#case-timeline")).to_contain_text("验收不通过：腾出土地尚未收储")

    county.reload()
    expect(county.locator("#form-update")).to_be_visible()  # the county works it again
    no_tofu(county)
    screenshot(county, tmp_path, "cases-case.png")
    # the city reads the county's dismissal with its reason and reopens it for review
    city.goto(f"{base}/cases/candidates?year=2022&state=dismissed")
    row = city.locator(f"#candidate-list tr[data-candidate='{dismissed}']")
    expect(row).to_contain_text("企业已于2022年停产")
    expect(city.locator("#bulk button[value=confirm]")).to_have_count(0)  # the county's to do
    row.locator("input[name=reason]").fill("停产时间有误，请重新核实")
    row.locator("form.reopen-dismissal button[type=submit]").click()
    expect(city.locator("#reopened")).to_be_visible()
    expect(city.locator(f"#candidate-list tr[data-candidate='{dismissed}']")).to_have_count(0)
    county.goto(f"{base}/cases/candidates?year=2022&state=candidate")
    back = county.locator(f"#candidate-list tr[data-candidate='{dismissed}']")
    expect(back).to_contain_text("停产时间有误，请重新核实")  # the county sees why

    city.goto(f"{base}/cases")
    city.wait_for_selector("#case-months[data-ready='1']")
    expect(city.locator("#case-counties tr[data-region]").first).to_be_visible()
    no_tofu(city)
    screenshot(city, tmp_path, "cases-board.png")
