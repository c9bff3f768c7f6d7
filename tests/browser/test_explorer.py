"""The table explorer (issue 20) in Chromium on the demo: every row of bus stops, read from
its Parquet file; paging, sorting, filters, columns, the view in the URL, the CSV of the
view, no request beyond localhost, axe in both languages, and Range requests under the
nginx configuration a build writes."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, Route, expect

from generator.data.downloads import excel_safe

from ..servers import run_nginx

PAGE = "/datasets/bus-lines/"
STOPS = "#ex-2"  # bus-lines has two resources; the second is bus-stops


@pytest.fixture(scope="module")
def stops(demo_site: Path) -> list[dict[str, str]]:
    text = (demo_site / "datasets/bus-lines/bus-stops.csv").read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO(text)))


@pytest.fixture
def offsite(page: Page) -> Iterator[list[str]]:
    """Every request not for 127.0.0.1 is refused and recorded; none may be attempted."""
    tried: list[str] = []

    def guard(route: Route) -> None:
        url = route.request.url
        if urlsplit(url).hostname == "127.0.0.1" or url.startswith(("blob:", "data:")):
            route.continue_()
        else:
            tried.append(url)
            route.abort()

    page.context.route("**/*", guard)
    yield tried
    assert tried == []


def status(page: Page) -> str:
    return page.locator(f"{STOPS} .explorer-status").inner_text()


def column(page: Page, index: int) -> list[str]:
    return page.locator(f"{STOPS} tbody tr td:nth-child({index})").all_inner_texts()


def loaded(page: Page, text: str) -> None:
    expect(page.locator(f"{STOPS} .explorer-status")).to_contain_text(text)
    expect(page.locator(STOPS)).not_to_have_attribute("aria-busy", "true")


def test_the_explorer_pages_through_every_row(page: Page, site_url: str, stops, offsite):
    page.goto(site_url + PAGE)
    total = f"{len(stops):,}"
    loaded(page, f"{total} 行符合条件，共 {total} 行")
    expect(page.locator(f"{STOPS} tbody tr")).to_have_count(100)
    assert column(page, 1)[:3] == [r["stop_id"] for r in stops[:3]]
    pages = -(-len(stops) // 100)
    nav = page.get_by_role("navigation", name=re.compile("分页.*公交站点"))
    expect(nav.get_by_role("button", name="上一页")).to_be_disabled()
    nav.get_by_role("button", name="下一页").click()
    loaded(page, "显示第 101–200 行")
    expect(nav.locator(".explorer-page")).to_have_text(f"第 2 / {pages} 页")
    assert column(page, 1)[0] == stops[100]["stop_id"]
    assert re.search(r"#ex=bus-stops&p=2$", page.url)
    nav.get_by_role("button", name="首页").focus()  # paging works from the keyboard
    page.keyboard.press("Enter")
    loaded(page, "显示第 1–100 行")
    assert "#" not in page.url or "p=" not in page.url
    nav.get_by_role("button", name="末页").click()
    loaded(page, f"显示第 {(pages - 1) * 100 + 1}–{len(stops)} 行")
    assert column(page, 1)[-1] == stops[-1]["stop_id"]
    expect(nav.get_by_role("button", name="下一页")).to_be_disabled()


def test_sorting_by_a_header_button_with_aria_sort(page: Page, site_url: str, stops, offsite):
    page.goto(site_url + PAGE)
    loaded(page, "显示第 1–100 行")
    header = page.locator(f"{STOPS} thead th").nth(3)  # 站序 (seq, integer)
    header.get_by_role("button").click()
    expect(header).to_have_attribute("aria-sort", "ascending")
    loaded(page, "显示第 1–100 行")
    expect(header.get_by_role("button")).to_be_focused()  # the keyboard stays on the header
    ordered = sorted(range(len(stops)), key=lambda i: (int(stops[i]["seq"]), i))
    assert column(page, 1) == [stops[i]["stop_id"] for i in ordered[:100]]
    page.keyboard.press("Enter")  # the focused header button: descending
    expect(header).to_have_attribute("aria-sort", "descending")
    loaded(page, "显示第 1–100 行")
    assert column(page, 4)[0] == str(max(int(r["seq"]) for r in stops))
    assert "s=-seq" in page.url
    # deep pages of a sorted view (past the rows a heap gives) come from the full sort
    nav = page.get_by_role("navigation", name=re.compile("分页.*公交站点"))
    nav.get_by_role("button", name="末页").click()
    loaded(page, f"显示第 {(len(stops) - 1) // 100 * 100 + 1}–{len(stops)} 行")
    descending = sorted(range(len(stops)), key=lambda i: (-int(stops[i]["seq"]), i))
    start = (len(stops) - 1) // 100 * 100
    assert column(page, 1) == [stops[i]["stop_id"] for i in descending[start:]]
    # text sorts too, by code point
    name = page.locator(f"{STOPS} thead th").nth(4)
    name.get_by_role("button").click()
    expect(name).to_have_attribute("aria-sort", "ascending")
    expect(header).not_to_have_attribute("aria-sort", re.compile("."))
    loaded(page, "显示第 1–100 行")
    assert column(page, 5)[0] == min(r["stop_name"] for r in stops)


def test_filters_by_value_range_and_text_count_the_matches(
    page: Page, site_url: str, stops, offsite
):
    page.goto(site_url + PAGE)
    loaded(page, "显示第 1–100 行")
    section = page.locator(STOPS)
    section.locator("summary").click()
    district = stops[0]["district"]
    section.get_by_label("所属区县包含").fill(district)
    section.get_by_label("站序不小于").fill("3")
    section.get_by_label("站序不大于").fill("5")
    section.get_by_role("button", name="应用").click()
    want = [r for r in stops if district in r["district"] and 3 <= int(r["seq"]) <= 5]
    loaded(page, f"{len(want):,} 行符合条件，共 {len(stops):,} 行")
    assert column(page, 1) == [r["stop_id"] for r in want[:100]]
    # text over every shown column, then fewer columns
    section.get_by_role("button", name="清除筛选").click()
    loaded(page, f"{len(stops):,} 行符合条件")
    word = stops[7]["stop_name"][:2]
    section.get_by_label("全文筛选").fill(word)
    section.get_by_label("全文筛选").press("Enter")
    want = [r for r in stops if any(word in v for v in r.values())]
    loaded(page, f"{len(want):,} 行符合条件")
    section.locator(".explorer-columns").get_by_label("经度").uncheck()
    section.locator(".explorer-columns").get_by_label("纬度").uncheck()
    expect(section.locator("thead th")).to_have_count(6)
    assert "c=stop_id%2Cline_id%2Cdirection%2Cseq%2Cstop_name%2Cdistrict" in page.url


def test_the_url_restores_the_view(page: Page, site_url: str, stops, offsite):
    district = stops[-1]["district"]
    hash_ = f"#ex=bus-stops&p=2&s=-stop_id&f.district={district}&c=stop_id,district,seq"
    page.goto(site_url + PAGE + hash_)
    want = sorted(
        (r for r in stops if district in r["district"]), key=lambda r: r["stop_id"], reverse=True
    )
    loaded(page, f"{len(want):,} 行符合条件，共 {len(stops):,} 行 · 显示第 101–")
    section = page.locator(STOPS)
    expect(section.locator("thead th")).to_have_count(3)
    expect(section.locator("thead th").first).to_have_attribute("aria-sort", "descending")
    assert column(page, 1) == [r["stop_id"] for r in want[100:200]]
    expect(section.get_by_label("所属区县包含")).to_have_value(district)
    expect(section.locator("details")).to_have_attribute("open", "")
    expect(section.locator(".explorer-columns").get_by_label("经度")).not_to_be_checked()


def test_download_this_view_as_csv_for_excel(page: Page, site_url: str, stops, offsite):
    page.goto(site_url + PAGE + "#ex=bus-stops&s=seq&min.seq=10&c=stop_id,stop_name,seq")
    want = sorted(
        (r for r in stops if int(r["seq"]) >= 10), key=lambda r: int(r["seq"])
    )  # stable: ties keep file order
    loaded(page, f"{len(want):,} 行符合条件")
    with page.expect_download() as info:
        page.locator(STOPS).get_by_role("button", name="下载当前视图（CSV）").click()
    data = Path(info.value.path()).read_bytes()
    assert info.value.suggested_filename == "bus-stops-view.csv"
    assert data.startswith(b"\xef\xbb\xbf")
    lines = data[3:].decode("utf-8").split("\r\n")
    assert lines[-1] == "" and "\n" not in "".join(lines)
    assert lines[0] == "站点编号,站序,站点名称"  # columns keep the schema's order
    assert lines[1:-1] == [f"{r['stop_id']},{r['seq']},{r['stop_name']}" for r in want]


@pytest.mark.parametrize(
    "cell", ['=HYPERLINK("x")', "+86 138", "-3.5", "+86", "@SUM(A1)", "\uff1d1+1", "plain", "1e-3"]
)
def test_the_csv_neutralises_formulas_like_the_published_excel_csv(
    page: Page, site_url: str, cell: str
):
    page.goto(site_url + PAGE)
    got = page.evaluate(
        "async (cell) => (await import('/static/explorer.js')).excelSafe(cell)", cell
    )
    assert got == excel_safe(cell)


@pytest.mark.parametrize("prefix", ["", "/en"])
def test_axe_finds_nothing_serious_in_the_explorer(
    page: Page, site_url: str, axe_source: str, prefix: str, offsite
):
    page.goto(site_url + prefix + PAGE)
    expect(page.locator(f"{STOPS} tbody tr")).to_have_count(100)
    page.locator(f"{STOPS} summary").click()
    page.add_script_tag(content=axe_source)
    result = page.evaluate(
        """async () => {
            const r = await axe.run(document, {resultTypes: ["violations"]});
            return r.violations.map(v => ({id: v.id, impact: v.impact,
                nodes: v.nodes.slice(0, 3).map(n => n.target.join(" "))}));
        }"""
    )
    assert [v for v in result if v["impact"] in ("serious", "critical")] == []
    if prefix:
        expect(page.locator(f"{STOPS} .explorer-status")).to_contain_text("rows match")


def test_without_javascript_the_preview_stays_and_the_explorer_is_hidden(browser, site_url: str):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(site_url + PAGE)
    expect(page.locator("table.preview").nth(1)).to_be_visible()
    expect(page.locator(STOPS)).to_be_hidden()
    context.close()


@pytest.fixture(scope="module")
def nginx_site(demo_site: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with run_nginx(demo_site, tmp_path_factory.mktemp("nginx-explorer")) as url:
        yield url


def test_range_requests_under_the_nginx_config_of_the_build(page: Page, nginx_site: str):
    """The deploy/ nginx config answers Range with 206: the explorer reads parts of the file."""
    seen: list[tuple[int, str | None]] = []
    page.on(
        "response",
        lambda r: (
            seen.append((r.status, r.request.headers.get("range")))
            if r.url.endswith(".parquet")
            else None
        ),
    )
    page.add_init_script(
        "window.__csp = []; document.addEventListener('securitypolicyviolation',"
        " e => window.__csp.push(e.violatedDirective));"
    )
    page.goto(nginx_site + PAGE + "#ex=bus-stops&s=-seq")
    loaded(page, "显示第 1–100 行")
    assert seen and all(status == 206 and rng for status, rng in seen), seen
    assert page.evaluate("window.__csp") == []
    expect(page.locator(f"{STOPS} thead th").nth(3)).to_have_attribute("aria-sort", "descending")
