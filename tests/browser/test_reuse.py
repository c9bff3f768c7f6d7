"""Issue 18 in a real browser: from a dataset page to its feed, a tag, a related dataset,
a showcase using it and its requests; the evaluation page shows every department."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from playwright.sync_api import Page, expect

from generator.catalog.loader import load_catalog

from ..conftest import DEMO_CATALOG

ATOM = "{http://www.w3.org/2005/Atom}"


def test_walk_from_a_dataset_page(page: Page, site_url: str):
    start = site_url + "/datasets/bus-lines/"
    page.goto(start)

    # its feed: announced in <head>, linked on the page, and a valid Atom document
    alternate = page.locator('head link[rel=alternate][type="application/atom+xml"]').last
    expect(alternate).to_have_attribute("href", "/datasets/bus-lines/feed.atom")
    feed_link = page.get_by_role("link", name="本页的 Atom 订阅源")
    expect(feed_link).to_be_visible()
    response = page.request.get(site_url + feed_link.get_attribute("href"))
    assert response.ok
    root = ET.fromstring(response.body())
    assert root.tag == ATOM + "feed"
    assert (
        root.find(f"{ATOM}entry/{ATOM}link[@rel='alternate']")
        .get("href")
        .endswith("/datasets/bus-lines/")
    )

    # its tag page lists it
    page.locator("dd.tags").get_by_role("link", name="公交", exact=True).click()
    expect(page).to_have_url(site_url + "/tags/gong-jiao/")
    expect(page.locator("h1")).to_have_text("标签：公交")
    expect(page.get_by_role("link", name="公交线路及站点信息")).to_be_visible()

    # a related dataset opens
    page.goto(start)
    related = page.locator("section.related li a").first
    title = related.inner_text()
    related.click()
    expect(page).to_have_url(re.compile(r"/datasets/[a-z0-9-]+/$"))
    expect(page.locator("h1")).to_have_text(title)
    assert page.url != start

    # a showcase using it links back
    page.goto(start)
    page.get_by_role("region", name="使用本数据的应用成果").get_by_role(
        "link", name="云川掌上公交"
    ).click()
    expect(page).to_have_url(site_url + "/showcases/yunchuan-bus-app/")
    expect(page.get_by_role("link", name="公交线路及站点信息")).to_be_visible()
    expect(page.get_by_role("link", name="访问成果")).to_have_attribute(
        "href", "https://apps.example.org/yunchuan-bus"
    )

    # its requests, with the reply, and the list of all requests
    page.goto(start)
    own = page.get_by_role("region", name="关于本数据集的需求与答复")
    expect(own).to_contain_text("希望开放公交车辆实时位置")
    expect(own).to_contain_text("已答复（10 天）")
    own.get_by_role("link", name="需求与答复").click()
    expect(page).to_have_url(site_url + "/requests/")
    expect(page.locator("#request-2026-001-bus-realtime")).to_contain_text("公交线路及站点信息")
    expect(page.locator(".figures")).to_contain_text("答复率")


def test_evaluation_shows_every_department(page: Page, site_url: str):
    catalog, _ = load_catalog(DEMO_CATALOG)
    assert catalog is not None
    for prefix, lang in (("", "zh"), ("/en", "en")):
        page.goto(site_url + prefix + "/stats/evaluation/")
        rows = page.locator("table.evaluation-table tbody tr")
        expect(rows).to_have_count(len(catalog.publishers))
        for pub in catalog.publishers.values():
            expect(page.locator(f'tr[data-publisher="{pub.id}"] th')).to_have_text(
                pub.name.get(lang)
            )
        expect(page.locator("table.checklist tbody tr")).to_have_count(11)
        expect(page.locator('tr[data-item="timeliness"]')).to_contain_text(
            "气象观测日值数据" if lang == "zh" else "Daily weather observations"
        )


def test_footer_links_reach_the_new_pages(page: Page, site_url: str):
    page.goto(site_url + "/")
    footer = page.get_by_role("contentinfo")
    for name, path in (
        ("使用协议", "/terms/"),
        ("应用成果", "/showcases/"),
        ("社会数据开放", "/offer/"),
        ("标签", "/tags/"),
        ("开放评价", "/stats/evaluation/"),
    ):
        footer.get_by_role("link", name=name, exact=True).click()
        expect(page).to_have_url(site_url + path)
        expect(page.locator("h1")).to_be_visible()
        page.goto(site_url + "/")
