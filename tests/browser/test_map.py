"""The map of the demo's bus stops in real Chromium: clusters and markers drawn, a popup
with the row under the field titles, keyboard use, nothing requested beyond localhost,
axe clean in both languages, and the list that stands without JavaScript."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlparse

import pytest
from playwright.sync_api import Browser, Page, expect

BUS_STOPS = "/datasets/bus-lines/"
MAP = "#map-canvas-bus-stops"


def block_the_outside(page: Page) -> list[str]:
    """Abort every request to a host other than 127.0.0.1 and note it."""
    attempted: list[str] = []

    def handle(route, request):
        if urlparse(request.url).hostname == "127.0.0.1":
            route.continue_()
        else:
            attempted.append(request.url)
            route.abort()

    page.route("**/*", handle)
    return attempted


def loaded_map(page: Page, url: str) -> None:
    page.goto(url)
    expect(page.locator(MAP)).to_have_attribute("data-points", "3396", timeout=15_000)


def test_bus_stops_map_shows_clusters_and_opens_a_popup(page: Page, site_url: str):
    attempted = block_the_outside(page)
    loaded_map(page, site_url + BUS_STOPS)
    canvas = page.locator(MAP)
    clusters = canvas.locator(".map-cluster")
    expect(clusters.first).to_be_visible()
    assert clusters.count() >= 2
    # the whole map at first: every stop is inside some cluster or drawn on its own
    total = sum(int(t) for t in clusters.locator("span:not(.visually-hidden)").all_inner_texts())
    assert total + canvas.locator(".map-point").count() == 3396
    # a grid is drawn instead of tiles
    assert canvas.locator(".leaflet-tile").count() == 0
    expect(canvas.locator(".map-grid-label").first).to_be_visible()
    # zoom into clusters until single stops show, then open one
    for _ in range(12):
        if canvas.locator(".map-point").count():
            break
        clusters.first.click()
        page.wait_for_timeout(450)
    point = canvas.locator(".map-point").first
    expect(point).to_be_visible()
    name = point.get_attribute("title")
    point.click()
    popup = canvas.locator(".leaflet-popup .map-popup")
    expect(popup).to_be_visible()
    expect(popup.locator(".map-popup-title")).to_have_text(name or "")
    terms = popup.locator("dt").all_inner_texts()
    assert terms[:3] == ["站点编号", "线路编号", "方向"] and "经度" in terms
    values = popup.locator("dd").all_inner_texts()
    assert name in values
    assert not attempted, attempted


def test_keyboard_reaches_a_cluster_and_a_popup(page: Page, site_url: str):
    loaded_map(page, site_url + BUS_STOPS)
    canvas = page.locator(MAP)
    first = canvas.locator(".map-cluster").first
    first.focus()
    expect(first).to_be_focused()
    assert first.get_attribute("role") == "button"
    for _ in range(12):
        if canvas.locator(".map-point").count():
            break
        canvas.locator(".map-cluster").first.focus()
        page.keyboard.press("Enter")
        page.wait_for_timeout(450)
    point = canvas.locator(".map-point").first
    point.focus()
    page.keyboard.press("Enter")
    expect(canvas.locator(".leaflet-popup .map-popup")).to_be_visible()


def test_list_without_javascript(browser: Browser, site_url: str):
    context = browser.new_context(java_script_enabled=False)
    tab = context.new_page()
    try:
        tab.goto(site_url + BUS_STOPS)
        expect(tab.locator(MAP)).to_be_hidden()
        table = tab.locator(".map-list table")
        assert table.locator("tbody tr").count() == 50
        first = table.locator("tbody tr").first.locator("td").all_text_contents()
        assert first == ["明珠路人民路口", "87.58688", "43.86098"]
        link = tab.locator(".map-section a[href$='bus-stops.geojson']").first
        assert link.get_attribute("href") == "/datasets/bus-lines/bus-stops.geojson"
    finally:
        context.close()


@pytest.mark.parametrize("prefix", ["", "/en"])
def test_map_page_is_axe_clean(page: Page, site_url: str, axe_source: str, prefix: str):
    attempted = block_the_outside(page)
    loaded_map(page, site_url + prefix + BUS_STOPS)
    page.locator(MAP + " .map-cluster").first.click()  # a zoomed map with more on it
    page.wait_for_timeout(450)
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
    assert not attempted, attempted


# --- a basemap from site.yaml: its host is allowed by the CSP, and only that host ----------

TILES = "https://{s}.tiles.example.org/{z}/{x}/{y}.png"


def png() -> bytes:
    """A valid 1×1 grey PNG, served for every tile."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\x80"))
        + chunk(b"IEND", b"")
    )


@pytest.fixture(scope="module")
def basemap_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from generator.build import build

    from ..conftest import CatalogFactory
    from ..test_geo import STATION_CSV, STATION_FIELDS

    root = tmp_path_factory.mktemp("basemap")
    factory = CatalogFactory(root / "catalog")
    site = factory.root / "site.yaml"
    site.write_text(
        site.read_text("utf-8") + f"map: {{tiles: '{TILES}', attribution: © 测试底图}}\n", "utf-8"
    )
    factory.dataset("bikes", csv_text=STATION_CSV, fields=STATION_FIELDS)
    build(factory.root, root / "site")
    return root / "site"


@pytest.mark.parametrize("allowed", [True, False])
def test_tiles_come_from_the_configured_host_under_the_csp(
    browser: Browser, basemap_site: Path, allowed: bool
):
    """Served with the production headers (kaifang serve): the tile host in img-src lets
    tiles load; the same page under the CSP without it (the control) gets none."""
    from generator.authoring.serve import PreviewState, start_server

    server = start_server(
        basemap_site, "127.0.0.1", 0, PreviewState(), "/", TILES if allowed else ""
    )
    context = browser.new_context()
    tab = context.new_page()
    tiles: list[str] = []
    blocked: list[str] = []
    tab.on(
        "console", lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None
    )

    def route(r, request):
        host = urlparse(request.url).hostname or ""
        if host == "127.0.0.1":
            r.continue_()
        elif host.endswith(".tiles.example.org"):
            tiles.append(request.url)
            r.fulfill(status=200, content_type="image/png", body=png())
        else:
            blocked.append(request.url)
            r.abort()

    tab.route("**/*", route)
    try:
        tab.goto(f"http://127.0.0.1:{server.server_address[1]}/datasets/bikes/")
        expect(tab.locator("#map-canvas-rows")).to_have_attribute("data-points", "2")
        attribution = tab.locator("#map-canvas-rows .leaflet-control-attribution")
        expect(attribution).to_contain_text("© 测试底图")
        if allowed:
            expect(tab.locator("#map-canvas-rows img.leaflet-tile-loaded").first).to_be_attached()
            assert tiles and not blocked, blocked
        else:
            tab.wait_for_timeout(1000)
            assert not tiles and blocked  # refused by the CSP before any request
    finally:
        context.close()
        server.shutdown()
        server.server_close()
