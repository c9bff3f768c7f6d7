"""The citizen's portal without a browser: search index, facet pages, charts, statistics
and feedback links, checked on the built files."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from collections import Counter
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

import generator.site.render
from generator.build import build
from generator.catalog.loader import load_catalog
from generator.data.derive import derive_catalog
from generator.policy import OpenType
from generator.runtime.output import OutputTree
from generator.search import SEARCH_DOCS, read_bundle_file, read_bundle_text
from generator.site.charts import bar_chart, column_chart, nice_ceiling
from generator.site.feedback import form_url, mailto
from generator.site.render import LIST_PAGE_SIZE, Pager, paginate, preview_rows

from .conftest import DEMO_CATALOG, CatalogFactory

CATALOG, _ = load_catalog(DEMO_CATALOG)
assert CATALOG is not None
BY_TYPE = {t: [ds for ds in CATALOG.datasets if ds.open_type is t] for t in OpenType}


def index_docs(site: Path, lang: str) -> list[list]:
    """Every document record of one language's search index, in index order."""
    folder = site / "search-index" / lang / "d"
    chunks = sorted(folder.glob("*.json"), key=lambda p: int(p.stem))
    return [record for p in chunks for record in json.loads(read_bundle_file(p))]


# --- search index -------------------------------------------------------------------------


def test_search_index_has_one_index_per_language(demo_site: Path):
    listed = len(CATALOG.datasets)  # the demo lists closed datasets (hide_closed: false)
    for lang in ("zh", "en"):
        meta = json.loads((demo_site / "search-index" / lang / "meta.json").read_text())
        assert meta["docs"] == listed and meta["lang"] == lang
        assert len(index_docs(demo_site, lang)) == listed
    assert not (demo_site / "pagefind").exists()


def test_search_index_holds_metadata_and_field_names_but_no_values(demo_site: Path):
    from generator.search.index import Doc, Index
    from generator.search.worker import read_docs

    docs = index_docs(demo_site, "zh")
    bus = next(d for d in docs if d[0] == "/datasets/bus-lines/")
    assert bus[1] == "公交线路及站点信息" and bus[3] == "open"
    everything = "\n".join(
        read_bundle_text(p) for p in (demo_site / "search-index").rglob("*") if p.is_file()
    )
    # values from the preview table never go into the index, open or not
    assert "云川公交集团第四分公司" not in everything
    assert "云川聚康餐饮管理有限公司" not in everything  # a conditional dataset's cell
    assert Doc and Index and read_docs  # the modules the build runs import cleanly


def test_search_filters_cover_the_five_facets_in_both_languages(demo_site: Path):
    zh = json.loads((demo_site / "search-index" / "zh" / "meta.json").read_text())["facets"]
    assert set(zh) == {"open_type", "publisher", "theme", "format", "frequency"}
    labels = {label for values in zh.values() for label in values}
    for label in (
        "无条件开放",
        "有条件开放",
        "非开放",
        "云川市交通运输局",
        "交通出行",
        "CSV",
        "每月",
    ):
        assert label in labels, label
    en = json.loads((demo_site / "search-index" / "en" / "meta.json").read_text())["facets"]
    labels = {label for values in en.values() for label in values}
    for label in ("Open", "Conditional", "Transport", "Monthly"):
        assert label in labels, label


def test_search_pages_load_the_index_from_the_site(demo_site: Path):
    for prefix, lang in (("", "zh-CN"), ("en/", "en")):
        html = (demo_site / prefix / "search" / "index.html").read_text(encoding="utf-8")
        assert f'<html lang="{lang}">' in html
        config = json.loads(
            re.search(r'id="search-config" type="application/json">(.*?)</script>', html).group(1)
        )
        assert config["bundle"] == f"/search-index/{'zh' if lang == 'zh-CN' else 'en'}/"
        assert [f["key"] for f in config["facets"]] == [
            "open_type",
            "publisher",
            "theme",
            "format",
            "frequency",
        ]
        assert '<script type="module" src="/static/search.js">' in html
        assert "http" not in html.split("search.js")[0].rsplit("<script", 1)[-1]
    home = (demo_site / "index.html").read_text(encoding="utf-8")
    assert re.search(r'<form class="searchbox" action="/search/" method="get"', home)
    assert 'name="q"' in home


def test_search_index_files_are_registered(catalog: CatalogFactory, tmp_path: Path):
    catalog.dataset("bus")
    out = tmp_path / "site"
    result = build(catalog.root, out)
    on_disk = [p for p in (out / "search-index").rglob("*") if p.is_file()]
    assert on_disk
    assert result.files == sum(1 for p in out.rglob("*") if p.is_file())
    # the search documents the indexer read are scratch files: never published
    assert not (out / SEARCH_DOCS).exists()
    sitemaps = [p.read_text(encoding="utf-8") for p in (out / "sitemaps").glob("*.xml")]
    assert sitemaps and not any(SEARCH_DOCS in text for text in sitemaps)


# --- the list and its facets without JavaScript -------------------------------------------


def facet_links(html: str) -> list[str]:
    nav = html[html.index('<nav class="facets"') : html.index("</nav>", html.index("facets"))]
    return re.findall(r'href="([^"]+)"', nav)


def card_links(html: str) -> list[str]:
    cards = html[html.index('<ul class="cards">') : html.index("</ul>", html.index("cards"))]
    return re.findall(r'<h3><a href="([^"]+)"', cards)


@pytest.mark.parametrize("prefix", ["", "en/"])
def test_the_list_is_paginated_and_every_dataset_is_on_one_page(demo_site: Path, prefix: str):
    listed = sorted(f"/{prefix}datasets/{ds.id}/" for ds in CATALOG.datasets)
    assert len(listed) > LIST_PAGE_SIZE  # the demo needs a second page
    first = (demo_site / prefix / "datasets" / "index.html").read_text(encoding="utf-8")
    second = (demo_site / prefix / "datasets" / "page" / "2" / "index.html").read_text(
        encoding="utf-8"
    )
    assert not (demo_site / prefix / "datasets" / "page" / "3").exists()
    on_pages = card_links(first) + card_links(second)
    assert len(card_links(first)) == LIST_PAGE_SIZE
    assert sorted(on_pages) == listed  # each once
    total = "共 21 个数据集" if prefix == "" else "21 datasets"
    assert total in first and total in second
    assert f'<a rel="next" href="/{prefix}datasets/page/2/">' in first
    assert f'<a rel="prev" href="/{prefix}datasets/">' in second
    assert f'aria-current="page" href="/{prefix}datasets/page/2/"' in second
    assert ("第 2 页，共 2 页" if prefix == "" else "page 2 of 2") in second.split("</title>")[0]
    sitemap = "".join(p.read_text(encoding="utf-8") for p in (demo_site / "sitemaps").glob("*.xml"))
    assert f"/{prefix}datasets/page/2/</loc>" in sitemap


def test_pager_links_the_ends_and_the_pages_near_this_one():
    def pager(number: int, pages: int) -> Pager:
        return paginate(list(range(pages * 3)), "x/", size=3)[number - 1][0]

    assert pager(5, 10).shown() == [1, None, 3, 4, 5, 6, 7, None, 10]
    assert pager(1, 3).shown() == [1, 2, 3]
    assert pager(2, 10).shown() == [1, 2, 3, 4, None, 10]
    last = pager(10, 10)
    assert (last.first, last.last, last.total) == (28, 30, 30)
    assert (last.path_of(1), last.path_of(10)) == ("x/", "x/page/10/")
    assert [len(chunk) for _, chunk in paginate(list(range(7)), "x/", size=3)] == [3, 3, 1]
    assert [p.pages for p, _ in paginate([], "x/", size=3)] == [1]  # an empty list: one page


def test_page_keys_walk_each_dataset_as_often_however_many_pages(
    catalog: CatalogFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """Every list page's cache key covers the facets, themes and publishers, which hold
    every dataset: each must be walked once per build, not once per page (on 10,000
    datasets that made the render stage take minutes). A dataset is on one page of each
    list whatever the page size, so the walks must not depend on it."""
    for i in range(30):
        catalog.dataset(f"ds-{i:02d}")
    real = generator.site.render.Renderer._view_key

    def walks(page_size: int) -> Counter[str]:
        walked: Counter[str] = Counter()

        def counting(self, view):
            walked[view.id] += 1
            return real(self, view)

        with monkeypatch.context() as m:
            m.setattr(generator.site.render, "LIST_PAGE_SIZE", page_size)
            m.setattr(generator.site.render.Renderer, "_view_key", counting)
            build(catalog.root, tmp_path / f"site-{page_size}", cache_dir=tmp_path / "c")
        return walked

    one_page, many_pages = walks(1000), walks(2)
    assert len(one_page) == 30
    assert many_pages == one_page


def test_a_dataset_may_not_be_called_page(catalog: CatalogFactory, cli, tmp_path: Path):
    catalog.dataset("page")
    out = tmp_path / "site"
    result = cli("build", "--catalog", catalog.root, "--out", out)
    assert result.exit_code == 1, result.output
    assert "datasets/page/datapackage.yaml: 数据集目录名 page 是保留名" in result.output
    assert "重命名目录" in result.output
    assert "Traceback" not in result.output and not out.exists()


def test_facet_pages_are_paginated_too(
    catalog: CatalogFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    for i in range(5):
        catalog.dataset(f"ds-{i}")
    monkeypatch.setattr(generator.site.render, "LIST_PAGE_SIZE", 2)
    out = tmp_path / "site"
    build(catalog.root, out)
    folder = out / "open-types" / "open"
    pages = [folder / "index.html", folder / "page" / "2" / "index.html"]
    pages.append(folder / "page" / "3" / "index.html")
    links = [link for page in pages for link in card_links(page.read_text(encoding="utf-8"))]
    assert sorted(links) == [f"/datasets/ds-{i}/" for i in range(5)]
    assert not (folder / "page" / "4").exists()


@pytest.mark.parametrize("prefix", ["", "en/"])
def test_every_facet_link_of_the_list_is_a_page(demo_site: Path, prefix: str):
    html = (demo_site / prefix / "datasets" / "index.html").read_text(encoding="utf-8")
    links = facet_links(html)
    for expected in ("open-types/open/", "publishers/jtj/", "themes/transport/", "formats/csv/"):
        assert f"/{prefix}{expected}" in links, expected
    assert any("/frequencies/" in link for link in links)
    for link in links:
        assert (demo_site / link.lstrip("/") / "index.html").is_file(), link


def test_facet_page_lists_exactly_its_datasets(demo_site: Path):
    html = (demo_site / "open-types" / "conditional" / "index.html").read_text(encoding="utf-8")
    listed = set(re.findall(r'<h3><a href="/datasets/([^/]+)/">', html))
    assert listed == {ds.id for ds in BY_TYPE[OpenType.CONDITIONAL]}
    assert 'aria-current="page"' in html
    monthly = (demo_site / "frequencies" / "monthly" / "index.html").read_text(encoding="utf-8")
    expected = {ds.id for ds in CATALOG.datasets if ds.update_frequency == "monthly"}
    assert set(re.findall(r'<h3><a href="/datasets/([^/]+)/">', monthly)) == expected


# --- dataset page: preview, summaries, charts, feedback ------------------------------------


def test_dataset_page_has_summaries_and_build_time_charts(demo_site: Path):
    html = (demo_site / "datasets" / "bus-lines" / "index.html").read_text(encoding="utf-8")
    assert html.count('<svg class="chart"') >= 2
    assert 'role="img"' in html and "<title id=" in html
    assert "按年份统计的记录数（开通日期）" in html
    assert "各“线路类型”的记录数" in html
    assert '常规公交 <span class="muted">(80)</span>' in html
    # the charts are drawn at build time: the only scripts in <main> are the explorer's and
    # the map's files from the site itself, and JSON data blocks (no inline code)
    main = html.split("<main", 1)[1].split("</main>")[0]
    for tag in re.findall(r"<script\b[^>]*>", main):
        assert re.search(r'src="/static/[\w./-]+\.js"', tag) or 'type="application/json"' in tag, (
            tag
        )
    assert "cdn" not in html.lower()


def test_dataset_charts_follow_the_data(catalog: CatalogFactory, tmp_path: Path):
    fields = """\
        - {name: id, type: string}
        - {name: day, type: date}
        - {name: kind, type: string}
        - {name: name, type: string}
"""
    rows = ["id,day,kind,name"]
    for i, day in enumerate(["2024-01-05", "2024-01-20", "2024-03-02", "2024-03-03"]):
        rows.append(f"r{i},{day},{'AB'[i % 2]},name{i}")
    extra = "    primaryKey: [id]\n"
    catalog.dataset("months", csv_text="\n".join(rows) + "\n", fields=fields, extra=extra)
    rows = ["id,day,kind,name", "a,2015-06-01,X,n1", "b,2021-02-01,X,n2", "c,2021-03-01,Y,n3"]
    catalog.dataset("years", csv_text="\n".join(rows) + "\n", fields=fields)
    loaded, problems = load_catalog(catalog.root)
    assert loaded is not None, problems.items
    published = derive_catalog(loaded, OutputTree(tmp_path / "out"))
    charts = published["months"].resources[0].charts
    time_chart = next(c for c in charts if c.kind == "time")
    assert time_chart.period == "month"
    assert time_chart.points == [("2024-01", 2), ("2024-02", 0), ("2024-03", 2)]
    category = next(c for c in charts if c.kind == "category")
    assert category.field == "kind"  # id is the primary key, every name is unique
    assert category.points == [("A", 2), ("B", 2)]
    yearly = next(c for c in published["years"].resources[0].charts if c.kind == "time")
    assert yearly.period == "year"
    assert yearly.points[0] == ("2015", 1) and yearly.points[-1] == ("2021", 2)
    assert len(yearly.points) == 7


def test_preview_rows_escape_cells_and_mark_keys_empties_and_numbers():
    res = SimpleNamespace(
        fields=[
            SimpleNamespace(name="id", type="string"),
            SimpleNamespace(name="n", type="integer"),
        ]
        + [SimpleNamespace(name="note", type="string")],
        primary_key=("id",),
        preview=[["k1", "5", '<script>alert(1)</script> & "q"'], ["", "7", ""], ["k3", "", "x"]],
    )
    empty = '<td class="empty"><span class="visually-hidden">空</span></td>'
    assert str(preview_rows(res, "空")) == (
        '<tr><th scope="row">k1</th><td class="num">5</td>'
        "<td>&lt;script&gt;alert(1)&lt;/script&gt; &amp; &#34;q&#34;</td></tr>"
        f'<tr><th scope="row"></th><td class="num">7</td>{empty}</tr>'
        f'<tr><th scope="row">k3</th>{empty}<td>x</td></tr>'
    )
    # without a key the first column is data like the others (a new resource: the rows are
    # kept per resource object, which derive never changes after it is made)
    res = SimpleNamespace(**{**vars(res), "primary_key": ()})
    assert str(preview_rows(res, "空")).startswith('<tr><td>k1</td><td class="num">5</td>')


def test_chart_svg_is_accessible_and_escaped():
    svg = bar_chart([("<b>甲</b>", 3), ("乙", 0)], "标题 & 说明", "c1")
    assert svg.startswith('<svg class="chart"') and 'role="img"' in svg
    assert 'aria-labelledby="c1-t c1-d"' in svg
    assert "<b>" not in svg and "&lt;b&gt;" in svg and "标题 &amp; 说明" in svg
    assert svg.count("<rect") == 2
    columns = column_chart([("2024", 5), ("2025", 12)], "t", "c2")
    assert columns.count("<rect") == 2 and ">20<" in columns  # axis tops at a round number
    assert nice_ceiling(12) == 20 and nice_ceiling(4100) == 5000 and nice_ceiling(1) == 1


def test_mailto_is_percent_encoded_for_every_mail_client():
    link = mailto("feedback@example.gov.cn", "【数据纠错】公交 线路", "第一行\n第二行 & more")
    assert link.startswith("mailto:feedback@example.gov.cn?subject=")
    assert "+" not in link and " " not in link
    query = parse_qs(urlsplit(link).query)
    assert query["subject"] == ["【数据纠错】公交 线路"]
    assert query["body"] == ["第一行\r\n第二行 & more"]
    assert "%0D%0A" in link and "%26" in link


def test_form_url_takes_the_dataset_as_parameters_or_placeholders():
    url = form_url("https://gov.example/form?src=portal", "bus-lines", "公交 线路")
    parts = urlsplit(url)
    assert parse_qs(parts.query) == {
        "src": ["portal"],
        "dataset": ["bus-lines"],
        "title": ["公交 线路"],
    }
    assert "+" not in url
    templated = form_url("https://gov.example/f/{id}?t={title}", "a b", "公交")
    assert templated == "https://gov.example/f/a%20b?t=%E5%85%AC%E4%BA%A4"
    assert form_url("https://gov.example/need") == "https://gov.example/need"


def test_dataset_pages_prefill_feedback_and_link_applications(demo_site: Path):
    html = (demo_site / "datasets" / "bus-lines" / "index.html").read_text(encoding="utf-8")
    hrefs = [unquote(h.replace("&amp;", "&")) for h in re.findall(r'href="([^"]+)"', html)]
    form = next(h for h in hrefs if h.startswith("https://zwfw.yunchuan.gov.cn/opendata/feedback"))
    assert "dataset=bus-lines" in form and "title=公交线路及站点信息" in form
    mail = next(h for h in hrefs if h.startswith("mailto:feedback@"))
    assert "公交线路及站点信息（bus-lines）" in mail
    assert "https://data.yunchuan.gov.cn/datasets/bus-lines/" in mail
    assert "/apply/bus-lines/" not in hrefs  # open data needs no application
    for ds in BY_TYPE[OpenType.CONDITIONAL] + BY_TYPE[OpenType.CLOSED]:
        page = (demo_site / "datasets" / ds.id / "index.html").read_text(encoding="utf-8")
        assert f'href="/apply/{ds.id}/"' in page
        assert "dataset=" + ds.id in page  # 数据需求 prefilled
    en = (demo_site / "en" / "datasets" / "bus-lines" / "index.html").read_text(encoding="utf-8")
    assert "Report an error or object" in en and "title=Bus%20lines%20and%20stops" in en


# --- statistics ---------------------------------------------------------------------------


def read_csv(path: Path) -> list[list[str]]:
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf"), "Excel needs the UTF-8 byte-order mark"
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def test_stats_count_hidden_closed_datasets_in_the_open_rate_only(
    catalog: CatalogFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    site_yaml = catalog.root / "site.yaml"
    site_yaml.write_text(
        site_yaml.read_text(encoding="utf-8").replace("hide_closed: false", "hide_closed: true"),
        encoding="utf-8",
    )
    basis = "legal_basis: 《数据安全法》\n"
    catalog.dataset("open-a")
    catalog.dataset("open-b")
    catalog.dataset("cond", open_type="有条件开放", extra=basis + "open_conditions: 仅限科研\n")
    catalog.dataset("secret", open_type="非开放", extra=basis, title="秘密数据集")
    # 2026-11-01 + 32 days allowed; on 2026-12-10 the monthly datasets are 7 days late
    epoch = int(dt.datetime(2026, 12, 10, tzinfo=dt.UTC).timestamp())
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(epoch))
    out = tmp_path / "site"
    build(catalog.root, out)
    html = (out / "stats" / "index.html").read_text(encoding="utf-8")
    assert "<strong>4</strong> 编目数据集" in html
    assert "<strong>50.0%</strong> 开放率" in html
    assert "秘密数据集" not in html and "secret" not in html
    summary = dict(map(tuple, read_csv(out / "stats" / "summary.csv")[1:]))
    assert summary["开放率"] == "50.0%" and summary["编目数据集"] == "4"
    assert summary["统计日期"] == "2026-12-10"
    types = read_csv(out / "stats" / "open-type.csv")
    assert types[0] == ["id", "开放类型", "数据集数", "占比"]
    assert ["closed", "非开放", "1", "25.0%"] in types
    publishers = read_csv(out / "stats" / "publisher.csv")
    assert ["jtj", "测试市交通运输局", "3", "2", "1", "0"] in publishers  # listed only
    overdue = read_csv(out / "stats" / "overdue.csv")
    assert {row[0] for row in overdue[1:]} == {"open-a", "open-b", "cond"}
    assert all(row[-1] == "7" for row in overdue[1:])
    en = read_csv(out / "en" / "stats" / "open-type.csv")
    assert en[0] == ["id", "Open type", "Datasets", "Share"]


def test_stats_page_of_the_demo_has_tables_charts_and_csv(demo_site: Path):
    for prefix in ("", "en/"):
        folder = demo_site / prefix / "stats"
        html = (folder / "index.html").read_text(encoding="utf-8")
        assert html.count('<svg class="chart"') == 5
        for name in re.findall(r'href="([a-z-]+\.csv)" download', html):
            assert (folder / name).is_file(), name
        rows = read_csv(folder / "publisher.csv")
        assert sum(int(r[2]) for r in rows[1:]) == len(CATALOG.datasets)


# --- both languages on every page ---------------------------------------------------------


def test_every_page_links_to_the_same_page_in_the_other_language(demo_site: Path):
    pages = sorted(demo_site.rglob("index.html"))
    assert len(pages) > 50
    for page in pages:
        rel = page.relative_to(demo_site).as_posix()
        html = page.read_text(encoding="utf-8")
        nav = re.search(r'<nav class="langs"[^>]*>(.*?)</nav>', html, re.S)
        assert nav, rel
        target = re.search(r'href="([^"]+)"', nav.group(1)).group(1)
        counterpart = rel[3:] if rel.startswith("en/") else "en/" + rel
        assert target.lstrip("/") + "index.html" == counterpart, rel
        assert (demo_site / counterpart).is_file(), rel


def test_search_index_is_byte_identical_across_builds(catalog: CatalogFactory, tmp_path: Path):
    basis = "legal_basis: 《数据安全法》\n"
    catalog.dataset("a")
    catalog.dataset("b", title="公交站点")
    catalog.dataset("c", open_type="有条件开放", extra=basis + "open_conditions: 仅限科研\n")
    catalog.dataset("d", open_type="非开放", extra=basis)
    trees = []
    for name in ("one", "two"):
        build(catalog.root, tmp_path / name)
        bundle = tmp_path / name / "search-index"
        trees.append(
            {p.relative_to(bundle): p.read_bytes() for p in bundle.rglob("*") if p.is_file()}
        )
    assert trees[0] == trees[1]
    assert any(p.parts[-2] == "s" for p in trees[0])


def test_a_huge_cell_is_cut_in_the_preview_and_whole_in_the_download(catalog, cli, tmp_path):
    huge = "长" * 50_000
    catalog.dataset("bus-lines", csv_text=f"line_id,stops\nL001,12\n{huge},3\n")
    out = tmp_path / "site"
    result = cli("build", "--catalog", catalog.root, "--out", out, "--no-record-history")
    assert result.exit_code == 0, result.output
    page = (out / "datasets" / "bus-lines" / "index.html").read_text(encoding="utf-8")
    assert "长" * 200 + "…" in page and "长" * 201 not in page
    assert huge in (out / "datasets" / "bus-lines" / "rows.csv").read_text(encoding="utf-8")
