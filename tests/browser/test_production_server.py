"""The demo site in Chromium behind Debian's nginx, configured with the deploy/nginx.conf a
build writes: its Content-Security-Policy holds for every page and for search, downloads
arrive with their types, and a missing URL shows the 404 page of its language."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from ..servers import run_nginx
from .test_search import top_results

# Every CSP violation is recorded by the page itself, as well as logged to the console.
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__cspViolations.push(e.violatedDirective + " " + e.blockedURI);
});
"""


@pytest.fixture(scope="module")
def nginx_site(demo_site: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with run_nginx(demo_site, tmp_path_factory.mktemp("nginx-browser")) as url:
        yield url


def violations(page: Page) -> list[str]:
    return page.evaluate("window.__cspViolations")


@pytest.mark.parametrize(
    "path",
    [
        "",
        "datasets/",
        "datasets/air-quality-daily/",
        "datasets/minimum-living-allowance-desensitised/",
        "apply/enterprise-social-insurance/",
        "stats/",
        "api/",
        "en/datasets/bus-lines/",
    ],
)
def test_pages_break_no_content_security_policy(page: Page, nginx_site: str, path: str):
    page.add_init_script(RECORD_VIOLATIONS)
    seen: list[str] = []
    page.on("console", lambda msg: seen.append(msg.text))
    response = page.goto(f"{nginx_site}/{path}")
    assert response is not None and response.status == 200
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page.wait_for_load_state("networkidle")
    assert violations(page) == []
    assert not [text for text in seen if "Content Security Policy" in text]


def test_search_runs_under_the_policy(page: Page, nginx_site: str):
    page.add_init_script(RECORD_VIOLATIONS)
    page.goto(f"{nginx_site}/search/?q=公交+线路")
    assert "/datasets/bus-lines/" in top_results(page)
    page.goto(f"{nginx_site}/en/search/?q=air+quality")
    assert "/en/datasets/air-quality-daily/" in top_results(page)
    assert violations(page) == []


def test_print_button_works_without_inline_script(page: Page, nginx_site: str):
    page.add_init_script(
        RECORD_VIOLATIONS + "window.print = function () { window.__printed = true; };"
    )
    page.goto(f"{nginx_site}/apply/enterprise-social-insurance/")
    button = page.locator("button[data-print]")
    expect(button).to_be_visible()
    button.click()
    assert page.evaluate("window.__printed") is True
    assert violations(page) == []


def test_downloads_arrive_with_their_types(page: Page, nginx_site: str):
    page.goto(f"{nginx_site}/datasets/bus-lines/")
    for name, kind in (
        ("bus-lines.csv", "text/csv; charset=utf-8"),
        ("bus-lines.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ("datapackage.json", "application/json; charset=utf-8"),
    ):
        response = page.request.get(f"{nginx_site}/datasets/bus-lines/{name}")
        assert response.status == 200 and response.headers["content-type"] == kind, name


def test_missing_url_shows_the_404_page_of_its_language(browser: Browser, nginx_site: str):
    context = browser.new_context(locale="zh-CN")
    tab = context.new_page()
    try:
        for path, heading in (
            ("datasets/gone/", "页面不存在"),
            ("en/datasets/gone/", "Page not found"),
        ):
            tab.add_init_script(RECORD_VIOLATIONS)
            response = tab.goto(f"{nginx_site}/{path}")
            assert response is not None and response.status == 404
            expect(tab.locator("h1")).to_have_text(heading)
            expect(tab.locator("link[rel=stylesheet]")).to_have_count(1)
            assert tab.evaluate("getComputedStyle(document.body).margin") != "8px"  # CSS loaded
            assert violations(tab) == []
    finally:
        context.close()
