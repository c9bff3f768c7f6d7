"""Dataset pages, the language switch, keyboard use, pages without JavaScript, phones."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect


def test_preview_table_renders_with_headers_and_rows(page: Page, site_url: str):
    page.goto(site_url + "/datasets/bus-lines/")
    table = page.locator("table.preview").first
    expect(table).to_be_visible()
    expect(table.locator("caption")).to_contain_text("前 20 行")
    headers = table.locator("thead th[scope=col]")
    expect(headers).to_have_count(14)
    expect(headers.first).to_contain_text("线路编号")
    expect(table.locator("tbody tr")).to_have_count(20)
    expect(table.locator("tbody tr").first.locator("th[scope=row]")).to_have_text("L001")
    # the table scrolls inside its own region, reachable by keyboard
    region = page.get_by_role("region", name=re.compile("^公交线路 · 前 20 行"))
    expect(region).to_have_attribute("tabindex", "0")
    expect(region.locator("table.preview")).to_have_count(1)
    chart = page.locator("svg.chart").first
    expect(chart).to_be_visible()
    assert chart.bounding_box()["width"] > 200
    expect(page.locator("table.summary").first).to_contain_text("常规公交")


def test_language_switch_goes_to_the_same_page(page: Page, site_url: str):
    page.goto(site_url + "/datasets/bus-lines/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    page.get_by_role("navigation", name="语言").get_by_role("link", name="English").click()
    expect(page).to_have_url(site_url + "/en/datasets/bus-lines/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_have_text("Bus lines and stops")
    page.get_by_role("navigation", name="Language").get_by_role("link", name="中文").click()
    expect(page).to_have_url(site_url + "/datasets/bus-lines/")
    expect(page.locator("h1")).to_have_text("公交线路及站点信息")
    for path in ("/stats/", "/search/", "/open-types/conditional/"):
        page.goto(site_url + path)
        page.get_by_role("link", name="English").click()
        expect(page).to_have_url(site_url + "/en" + path)


def test_keyboard_reaches_the_skip_link_then_the_search(page: Page, site_url: str):
    page.goto(site_url + "/")
    page.keyboard.press("Tab")
    skip = page.locator("a.skip")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile("#main$"))
    page.goto(site_url + "/search/?q=公交")
    expect(page.locator("#search-results > li").first).to_be_visible()
    page.locator("#search-filters input").first.focus()
    page.keyboard.press("Space")
    expect(page).to_have_url(re.compile("open_type="))
    expect(page.locator("#search-filters input").first).to_be_focused()


def test_list_facets_work_without_javascript(browser: Browser, site_url: str):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(site_url + "/datasets/")
    total = page.locator(".cards > li").count()
    page.get_by_role("navigation", name="按条件筛选数据集").get_by_role(
        "link", name="有条件开放"
    ).click()
    expect(page).to_have_url(site_url + "/open-types/conditional/")
    expect(page.locator("h1")).to_have_text("开放类型：有条件开放")
    narrowed = page.locator(".cards > li").count()
    assert 0 < narrowed < total
    assert set(page.locator(".cards .badge").all_inner_texts()) == {"有条件开放"}
    page.goto(site_url + "/search/")
    expect(page.locator("noscript + *, .notice").first).to_contain_text("JavaScript")
    context.close()


PHONE_PAGES = ["/", "/datasets/", "/datasets/bus-lines/", "/search/?q=公交", "/stats/"]


@pytest.mark.parametrize("path", PHONE_PAGES + ["/en" + p for p in PHONE_PAGES])
def test_pages_fit_a_phone_screen(browser: Browser, site_url: str, path: str, tmp_path: Path):
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, device_scale_factor=1, is_mobile=True
    )
    page = context.new_page()
    page.goto(site_url + path)
    page.wait_for_load_state("networkidle")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"{path} scrolls sideways on a phone ({width}px)"
    page.screenshot(path=str(tmp_path / "phone.png"), full_page=True)
    # tap targets of the main navigation are comfortably large
    for box in page.locator("header nav a").evaluate_all(
        "els => els.map(e => e.getBoundingClientRect().height)"
    ):
        assert box >= 24
    context.close()
