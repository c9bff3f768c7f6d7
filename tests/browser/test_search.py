"""Search in a real browser: Chinese queries, facets, and the home page's search box."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

COUNT = re.compile(r"(\d+) ?(条结果|results)")


def result_count(page: Page) -> int:
    status = page.locator("#search-status")
    expect(status).to_have_text(COUNT)
    return int(COUNT.search(status.inner_text()).group(1))


def top_results(page: Page, n: int = 3) -> list[str]:
    result_count(page)
    links = page.locator("#search-results > li h3 a")
    expect(links.first).to_be_visible()
    return [links.nth(i).get_attribute("href") for i in range(min(n, links.count()))]


@pytest.mark.parametrize(
    ("prefix", "query", "expected"),
    [
        ("", "公交 线路", "bus-lines"),
        ("", "空气质量", "air-quality-daily"),
        ("", "充电桩", "ev-charging-stations"),
        ("", "托管", "after-school-care"),
        ("en/", "air quality", "air-quality-daily"),
        ("en/", "bus stops", "bus-lines"),
    ],
)
def test_query_finds_the_dataset_in_the_top_three(
    page: Page, site_url: str, prefix: str, query: str, expected: str
):
    page.goto(f"{site_url}/{prefix}search/?q={query}")
    expect(page.locator("#search-q")).to_have_value(query)
    assert f"/{prefix}datasets/{expected}/" in top_results(page)


def test_a_chinese_word_split_into_characters_still_ranks_its_page_first(page: Page, site_url: str):
    """Pagefind matches 公交 as 公 and 交 (交通 pages too); pages holding the word as
    written come first, in Pagefind's order otherwise."""
    page.goto(f"{site_url}/search/?q=公交")
    top = top_results(page, 5)
    assert top[0] == "/datasets/bus-lines/"
    assert "/datasets/traffic-accidents-monthly/" in top  # still found, just after


def test_home_search_box_submits_to_the_search_page(page: Page, site_url: str):
    page.goto(site_url + "/")
    page.get_by_role("searchbox").fill("公交 线路")
    page.get_by_role("searchbox").press("Enter")
    expect(page).to_have_url(re.compile(r"/search/\?q=%E5%85%AC%E4%BA%A4"))
    assert top_results(page)[0] == "/datasets/bus-lines/"


def test_a_facet_narrows_the_results_and_stays_in_the_url(page: Page, site_url: str):
    page.goto(site_url + "/search/?q=云川")
    everything = result_count(page)
    filters = page.locator("#search-filters")
    expect(filters.get_by_label(re.compile("^有条件开放"))).to_be_visible()
    counts = filters.locator(".count").filter(visible=True)
    expect(counts).to_have_count(0)  # counts load when the filters are used
    filters.hover()
    expect(counts.first).to_be_visible()
    filters.get_by_label(re.compile("^有条件开放")).check()
    expect(page).to_have_url(re.compile(r"open_type=%E6%9C%89"))
    conditional = result_count(page)
    assert 0 < conditional < everything
    badges = page.locator("#search-results .badge")
    expect(badges.first).to_be_visible()
    assert set(badges.all_inner_texts()) == {"有条件开放"}
    # a second value of the same facet widens the results (OR within a facet)
    filters.get_by_label(re.compile("^非开放")).check()
    both = result_count(page)
    assert conditional < both < everything
    # a publisher narrows across facets (AND)
    publishers = filters.locator("fieldset", has_text="提供部门").locator("input")
    publisher = publishers.filter(visible=True).first
    publisher.check()
    assert result_count(page) < both
    # the URL holds the state: reloading shows the same results
    narrowed = result_count(page)
    page.reload()
    assert result_count(page) == narrowed
    page.go_back()
    assert result_count(page) == both


def test_typing_searches_without_submitting(page: Page, site_url: str):
    page.goto(site_url + "/en/search/")
    expect(page.locator("#search-status")).to_contain_text("Type words")
    page.locator("#search-q").press_sequentially("weather", delay=20)
    assert top_results(page)[0] == "/en/datasets/weather-daily/"
    expect(page).to_have_url(re.compile(r"\?q=weather$"))
