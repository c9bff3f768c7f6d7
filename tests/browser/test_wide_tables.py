"""A dataset of 56 fields (like datasets/country-codes) must not widen the page: the
preview and field tables scroll inside their box, and chart labels are never clipped."""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from generator.build import build

from ..conftest import CatalogFactory, dataset_yaml
from .conftest import QuietHandler

WIDE = 56
TREND = ["持续扩大", "基本稳定", "有所收窄", "明显改善"]
LONG = "https://example.org/" + "x" * 90  # one word, no place to break


@pytest.fixture(scope="module")
def wide_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("wide")
    catalog = CatalogFactory(root / "catalog")
    names = [f"official_name_in_language_{i:02d}" for i in range(WIDE)]
    fields = "".join(
        f"        - {{name: {n}, type: string, title: 国家或地区正式名称第{i}种语言写法, "
        f"description: {LONG}}}\n"
        for i, n in enumerate(names)
    )
    fields += "        - {name: trend, type: string, title: 趋势}\n"
    fields += "        - {name: year, type: integer, title: 年份}\n"
    fields += "        - {name: value, type: integer, title: 数值}\n"
    header = ",".join([*names, "trend", "year", "value"])
    rows = [
        ",".join([*(f"{LONG}{r}{i}" for i in range(WIDE)), t, str(2000 + r), "5"])
        for r, t in enumerate(TREND * 3)
    ]
    catalog.dataset(
        "country-codes",
        csv_text=header + "\n" + "\n".join(rows) + "\n",
        descriptor=dataset_yaml("country-codes", fields=fields),
    )
    out = root / "site"
    build(catalog.root, out)
    handler = functools.partial(QuietHandler, directory=str(out))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize(("width", "prefix"), [(1280, ""), (390, ""), (390, "/en")])
def test_wide_table_scrolls_in_its_box_not_the_page(
    browser: Browser, wide_site: str, width: int, prefix: str
):
    context = browser.new_context(viewport={"width": width, "height": 900}, is_mobile=width < 500)
    page = context.new_page()
    page.goto(f"{wide_site}{prefix}/datasets/country-codes/")
    page.wait_for_load_state("networkidle")
    doc = page.evaluate("document.documentElement.scrollWidth")
    assert doc <= width, f"the page is {doc}px wide in a {width}px window"
    boxes = page.evaluate(
        """() => [...document.querySelectorAll('.scroll')].map(b => ({
            table: b.querySelector('table') ? b.querySelector('table').className : '',
            scroll: b.scrollWidth, client: b.clientWidth,
            overflow: getComputedStyle(b).overflowX}))"""
    )
    preview = [b for b in boxes if "preview" in b["table"]]
    assert preview and preview[0]["scroll"] > preview[0]["client"]  # it scrolls inside
    assert all(b["overflow"] == "auto" for b in boxes)
    context.close()


@pytest.mark.parametrize("width", [1280, 390])
def test_chart_labels_are_not_clipped(browser: Browser, wide_site: str, width: int):
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    page.goto(f"{wide_site}/datasets/country-codes/")
    page.wait_for_load_state("networkidle")
    outside = page.evaluate(
        """() => [...document.querySelectorAll('svg.chart')].flatMap(svg => {
            const vb = svg.viewBox.baseVal;
            return [...svg.querySelectorAll('text')].map(t => {
                const b = t.getBBox();
                return {text: t.textContent, left: b.x, right: b.x + b.width, width: vb.width};
            }).filter(b => b.left < 0 || b.right > b.width);
        })"""
    )
    labels = page.evaluate(
        "[...document.querySelectorAll('svg.chart text')].map(t => t.textContent)"
    )
    assert any(label in TREND for label in labels), labels  # the charts are there
    assert outside == [], outside
    context.close()


BBOXES = """() => [...document.querySelectorAll('svg.chart')].flatMap(svg => {
    const vb = svg.viewBox.baseVal;
    return [...svg.querySelectorAll('text')].map(t => {
        const b = t.getBBox();
        return {text: t.textContent, left: b.x, right: b.x + b.width, width: vb.width};
    }).filter(b => b.left < 0 || b.right > b.width);
})"""


@pytest.mark.parametrize(
    "points",
    [
        [(label, 1) for label in TREND * 8],  # many columns, a one-digit value axis
        [("持续扩大", 3), ("2026年第一季度（预计）以及其后的各个月份", 1)],
        [(f"2024-{m:02d}", m) for m in range(1, 13)],
        [("a", 1), ("b", 1)],  # the value axis reads 0, 0.5, 1: 0.5 is the widest
    ],
)
def test_column_chart_labels_fit_in_chromium(browser: Browser, points):
    from generator.site.charts import bar_chart, column_chart

    page = browser.new_page(viewport={"width": 390, "height": 800})
    css = (Path(__file__).parents[2] / "templates/static/kaifang.css").read_text("utf-8")
    page.set_content(
        f"<!doctype html><html lang='zh'><style>{css}</style><body>"
        f"{column_chart(points, 't', 'c1')}{bar_chart(points, 't', 'c2')}</body></html>"
    )
    assert page.evaluate(BBOXES) == []
    page.close()
