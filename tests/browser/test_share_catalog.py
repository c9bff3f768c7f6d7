"""The sharing catalog (--audience share) in Chromium: the internal-use banner is seen on
every kind of page, and the share pages pass axe like the portal's."""

from __future__ import annotations

import functools
import http.server
import json
import threading
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from generator.build import build

from ..conftest import DEMO_CATALOG
from .conftest import QuietHandler

PAGES = [
    "/",
    "/datasets/",
    "/datasets/bus-lines/",
    "/datasets/traffic-violation-records/",  # 不予共享
    "/apply/minimum-living-allowance/",  # 有条件共享: 申请共享
]


@pytest.fixture(scope="session")
def share_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    out = tmp_path_factory.mktemp("share-browser") / "share"
    build(DEMO_CATALOG, out, audience="share")
    handler = functools.partial(QuietHandler, directory=str(out))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("path", PAGES)
def test_the_internal_banner_is_visible_and_pages_pass_axe(
    page: Page, share_url: str, axe_source: str, path: str
):
    page.goto(share_url + path)
    banner = page.locator(".internal-banner")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("仅供政务网络内部使用")
    box = banner.bounding_box()
    assert box is not None and box["y"] < 10  # at the very top, before the masthead
    assert page.locator('meta[name="robots"]').get_attribute("content") == "noindex, nofollow"
    page.add_script_tag(content=axe_source)
    result = page.evaluate(
        """async () => {
            const r = await axe.run(document, {resultTypes: ["violations"]});
            return r.violations.map(v => ({id: v.id, impact: v.impact,
                nodes: v.nodes.slice(0, 3).map(n => n.target.join(" "))}));
        }"""
    )
    serious = [v for v in result if v["impact"] in ("serious", "critical")]
    assert not serious, json.dumps(serious, ensure_ascii=False, indent=1)


def test_the_english_banner_and_the_share_type_badges(page: Page, share_url: str):
    page.goto(share_url + "/en/datasets/traffic-violation-records/")
    expect(page.locator(".internal-banner")).to_contain_text("internal use")
    expect(page.locator(".dataset-head .badge").first).to_have_text("Not shared")
    page.goto(share_url + "/datasets/bus-lines/")
    expect(page.locator(".dataset-head .badge").first).to_have_text("无条件共享")
    expect(page.get_by_role("link", name="CSV").first).to_be_visible()
