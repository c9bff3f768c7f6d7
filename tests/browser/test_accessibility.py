"""axe-core (from npm) on the main pages in both languages: no serious or critical issue."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import Page, expect

PAGES = [
    "/",
    "/datasets/",
    "/datasets/bus-lines/",
    "/datasets/enterprise-social-insurance/",  # conditional: fields, no data
    "/search/?q=公交",
    "/stats/",
    "/open-types/closed/",
    "/apply/enterprise-social-insurance/",  # the form, its print button from static/apply.js
    "/404/",  # what the web server shows for a missing URL
    # issue 18
    "/showcases/",
    "/showcases/yunchuan-bus-app/",
    "/tags/",
    "/tags/gong-jiao/",
    "/requests/",
    "/terms/",
    "/offer/",
    "/stats/evaluation/",
]


@pytest.mark.parametrize("prefix", ["", "/en"])
@pytest.mark.parametrize("path", PAGES)
def test_no_serious_accessibility_violations(
    page: Page, site_url: str, axe_source: str, prefix: str, path: str
):
    page.goto(site_url + prefix + path)
    if path.startswith("/search/"):
        expect(page.locator("#search-results > li").first).to_be_visible()
    page.add_script_tag(content=axe_source)
    result = page.evaluate(
        """async () => {
            const r = await axe.run(document, {resultTypes: ["violations"]});
            return r.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 3).map(n => n.target.join(" "))
            }));
        }"""
    )
    serious = [v for v in result if v["impact"] in ("serious", "critical")]
    assert not serious, json.dumps(serious, ensure_ascii=False, indent=1)
