"""Search in a real browser: Chinese queries, facets, and the home page's search box."""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from playwright.sync_api import Page, expect

from generator.catalog.loader import load_catalog
from tests.conftest import DEMO_CATALOG

_demo, _ = load_catalog(DEMO_CATALOG)
assert _demo is not None
DEMO = list(_demo.datasets)
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


def test_a_chinese_word_is_not_matched_character_by_character(page: Page, site_url: str):
    """公交 is matched as the bigram 公交: pages with only 交 (交通事故, 交通违法) are not."""
    page.goto(f"{site_url}/search/?q=公交")
    top = top_results(page, 10)
    assert top[0] == "/datasets/bus-lines/"
    assert "/datasets/traffic-accidents-monthly/" not in top
    assert "/datasets/traffic-violation-records/" not in top


def test_words_typed_together_fall_back_to_most_of_them(page: Page, site_url: str):
    """中小学托管 holds the bigram 学托, which no title has: the search says no result holds
    all of it and lists those holding most of it, the after-school dataset first; a
    dataset with only 中小学 (two of four tokens) is not among them."""
    page.goto(f"{site_url}/search/?q=中小学托管")
    top = top_results(page, 10)
    assert top[0] == "/datasets/after-school-care/", top
    assert "/datasets/schools/" not in top, top
    expect(page.locator("#search-status")).to_contain_text("大部分")
    page.goto(f"{site_url}/search/?q=公交线路")  # all tokens present: no fallback notice
    top_results(page)
    expect(page.locator("#search-status")).not_to_contain_text("大部分")
    page.goto(f"{site_url}/en/search/?q=after-school%20zzzqx")
    top_results(page)
    expect(page.locator("#search-status")).to_contain_text("most of it")


@pytest.mark.parametrize("dataset", DEMO, ids=lambda d: d.id)
def test_every_demo_dataset_is_found_first_by_its_exact_title(page: Page, site_url: str, dataset):
    page.goto(f"{site_url}/search/?q={quote(dataset.title.get('zh'))}")
    assert top_results(page, 1)[0] == f"/datasets/{dataset.id}/"


def test_the_queries_of_issue_15(page: Page, site_url: str):
    page.goto(f"{site_url}/search/?q=站点")
    stops = top_results(page, 10)
    for expected in ("bus-lines", "public-bike-stations", "air-quality-daily"):
        assert f"/datasets/{expected}/" in stops
    # a bus-stop name is a value in open data, never indexed: no dataset shares it
    page.goto(f"{site_url}/search/?q=明珠路人民路口")
    expect(page.locator("#search-status")).to_contain_text("没有找到")
    page.goto(f"{site_url}/search/?q=YC-JT-2021-0001")
    assert top_results(page, 1)[0] == "/datasets/bus-lines/"


def test_operators_phrase_or_and_not(page: Page, site_url: str):
    page.goto(f"{site_url}/search/?q=%22公交线路%22")
    assert top_results(page, 5) == ["/datasets/bus-lines/"]
    page.goto(f"{site_url}/search/?q=公交 OR 学校")
    both = top_results(page, 10)
    assert {"/datasets/bus-lines/", "/datasets/schools/"} <= set(both)
    page.goto(f"{site_url}/search/?q=站点 -公交")
    without = top_results(page, 10)
    assert "/datasets/bus-lines/" not in without and "/datasets/public-bike-stations/" in without
    expect(page.locator(".search-help")).to_contain_text("OR")


def test_sorts_keep_the_filters(page: Page, site_url: str):
    dates = {d.id: d.modified.isoformat() for d in DEMO}
    titles = {d.id: d.title.get("zh") for d in DEMO}
    page.goto(f"{site_url}/search/?q=云川&sort=modified")
    expect(page.locator("#search-sort")).to_have_value("modified")
    ids = [h.split("/")[2] for h in top_results(page, 10)]
    assert [dates[i] for i in ids] == sorted((dates[i] for i in ids), reverse=True)
    page.locator("#search-sort").select_option("title")
    expect(page).to_have_url(re.compile(r"sort=title"))
    ids = [h.split("/")[2] for h in top_results(page, 10)]
    assert len(ids) > 2 and ids != sorted(ids)  # pinyin order of titles, not of ids
    assert titles[ids[0]] != ""
    page.goto(f"{site_url}/search/?q=云川&sort=modified&open_type=有条件开放")
    badges = page.locator("#search-results .badge")
    result_count(page)
    expect(badges.first).to_be_visible()
    assert set(badges.all_inner_texts()) == {"有条件开放"}
    ids = [h.split("/")[2] for h in top_results(page, 10)]
    assert [dates[i] for i in ids] == sorted((dates[i] for i in ids), reverse=True)


def test_the_snippet_is_the_sentence_that_holds_the_match(page: Page, site_url: str):
    page.goto(f"{site_url}/search/?q=公交线路")
    result_count(page)
    excerpt = page.locator("#search-results > li .excerpt").first
    expect(excerpt).to_contain_text("云川市城市公交线路")
    expect(excerpt.locator("mark").first).to_have_text("公交线路")


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
