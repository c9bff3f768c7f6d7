"""Work the render stage does once instead of per page or per process (issue 14): the
templates are compiled before the page workers fork, a list's facet links are rendered
once per list, and related datasets are found once for every language. Each gives the
bytes it gave before."""

from __future__ import annotations

import os
import shutil

from jinja2 import ChoiceLoader, DictLoader, Environment

import generator.site.render
import generator.site.reuse
from generator.build import build
from generator.runtime import parallel
from generator.site.render import TEMPLATES

from .conftest import DEMO_CATALOG
from .test_incremental import tree

EPOCH = "1795000000"


def _small_catalog(factory, n: int) -> None:
    for i in range(n):
        factory.dataset(f"ds-{i:02d}", csv_text=f"line_id,stops\nL{i},{i}\n")


def test_page_workers_compile_no_template(catalog, tmp_path, monkeypatch):
    """Every compile of a template happens in the build's own process: the page workers
    fork with the templates of both languages compiled."""
    _small_catalog(catalog, 12)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    monkeypatch.setattr(parallel, "PARALLEL_THRESHOLD", 1)
    log = tmp_path / "compiles.txt"
    real = Environment._compile

    def logged(self, source, filename):
        with open(log, "a", encoding="utf-8") as f:
            f.write(f"{os.getpid()} {filename}\n")
        return real(self, source, filename)

    monkeypatch.setattr(Environment, "_compile", logged)
    result = build(catalog.root, tmp_path / "site", jobs=2, use_cache=False)
    assert result.datasets == 12
    pids = {line.split()[0] for line in log.read_text(encoding="utf-8").splitlines()}
    assert pids == {str(os.getpid())}, "a page worker compiled templates again"
    # and the dataset pages were rendered in workers, from those templates
    assert (tmp_path / "site" / "datasets" / "ds-00" / "index.html").is_file()
    assert (tmp_path / "site" / "en" / "datasets" / "ds-11" / "index.html").is_file()


def test_facet_links_rendered_once_are_the_included_ones(tmp_path, monkeypatch):
    """The demo with two datasets per list page (so every list has several pages): the
    facet links rendered once per list give the bytes of the include on every page."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    monkeypatch.setattr(generator.site.render, "LIST_PAGE_SIZE", 2)
    catalog = tmp_path / "catalog"
    shutil.copytree(DEMO_CATALOG, catalog)
    renders: list[str] = []
    real_nav = generator.site.render.Renderer.facet_nav

    def counted(self, facets, current):
        renders.append(f"{self.lang} {id(facets)} {id(current)}")
        return real_nav(self, facets, current)

    with monkeypatch.context() as m:
        m.setattr(generator.site.render.Renderer, "facet_nav", counted)
        build(catalog, tmp_path / "a" / "site", use_cache=False, jobs=1)
    # the first list of each language, with pages 2 and 3, asked for the same links
    assert len(renders) > len(set(renders))
    list_pages = tmp_path / "a" / "site" / "datasets" / "page"
    assert (list_pages / "3" / "index.html").is_file()

    # _facets.html as it was: the links' own template, included by every list page
    original = (TEMPLATES / "_facet_nav.html").read_text(encoding="utf-8")
    plain_environment = generator.site.render.make_environment

    def environment():
        env = plain_environment()
        env.loader = ChoiceLoader([DictLoader({"_facets.html": original}), env.loader])
        return env

    monkeypatch.setattr(generator.site.render, "make_environment", environment)
    build(catalog, tmp_path / "b" / "site", use_cache=False, jobs=1)
    once, included = tree(tmp_path / "a" / "site"), tree(tmp_path / "b" / "site")
    assert sum("page/" in name for name in included) > 20
    assert once == included


def test_related_datasets_found_once_for_every_language(tmp_path, monkeypatch):
    """related_datasets runs once per build, not once per language, and the pages of
    both languages show what each language's own search found."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    catalog = tmp_path / "catalog"
    shutil.copytree(DEMO_CATALOG, catalog)
    calls: list[int] = []
    real = generator.site.reuse.related_datasets

    def counted(views):
        calls.append(len(views))
        return real(views)

    with monkeypatch.context() as m:
        m.setattr(generator.site.reuse, "related_datasets", counted)
        build(catalog, tmp_path / "a" / "site", use_cache=False, jobs=1)
    assert len(calls) == 1 and calls[0] > 10
    with monkeypatch.context() as m:  # the memo given no chance: each language searches
        m.setattr(generator.site.reuse, "_related_once", lambda views, memo: real(views))
        build(catalog, tmp_path / "b" / "site", use_cache=False, jobs=1)
    assert len(calls) == 1  # not called again by the patched memo
    assert (tmp_path / "a" / "site" / "en" / "datasets").is_dir()  # both languages
    assert tree(tmp_path / "a" / "site") == tree(tmp_path / "b" / "site")


def test_views_with_other_datasets_are_searched_again():
    """The memo is keyed by the datasets themselves: other views are searched anew."""
    from types import SimpleNamespace

    from generator.policy import OpenType

    def view(i: int, theme: str):
        ds = SimpleNamespace(keywords=("k",), theme=theme, publisher="p", resources=())
        ds.title = f"t{i}"
        return SimpleNamespace(id=f"d{i}", ds=ds, shows_schema=True, open_type=OpenType.OPEN)

    memo: dict = {}
    first = [view(i, "a") for i in range(3)]
    second = [view(i, "a") for i in range(3)]
    found = generator.site.reuse._related_once(first, memo)
    assert generator.site.reuse._related_once(first, memo) is found
    assert generator.site.reuse._related_once(second, memo) is not found
    assert len(memo) == 2


def test_preview_rows_escape_each_cell_as_markupsafe_does():
    """The preview's cells, escaped by the C escaper alone, are the text escape() gives."""
    from types import SimpleNamespace

    from markupsafe import escape

    from generator.site.render import PREVIEW_CELL_CHARS, cut_cell, preview_rows

    fields = (
        SimpleNamespace(name="id", type="string"),
        SimpleNamespace(name="n", type="integer"),
        SimpleNamespace(name="text", type="string"),
    )
    values = [
        "<script>alert('x')</script>",
        'a "quoted" & <b>',
        "公交线路 &amp; 站点",
        "x" * (PREVIEW_CELL_CHARS + 5) + "<",
        "",
        "12",
    ]
    rows = [[v, "7", values[-1 - i]] for i, v in enumerate(values)] + [["", "", ""], ["only"]]
    res = SimpleNamespace(fields=fields, primary_key=("id",), preview=rows)
    html = str(preview_rows(res, "空 <empty>"))
    expected = []
    empty = '<td class="empty"><span class="visually-hidden">空 &lt;empty&gt;</span></td>'
    for row in rows:
        cells = []
        for i, value in enumerate(row):
            if i == 0:
                cells.append(f'<th scope="row">{escape(cut_cell(value))}</th>')
            elif value == "":
                cells.append(empty)
            else:
                kind = '<td class="num">' if i == 1 else "<td>"
                cells.append(f"{kind}{escape(cut_cell(value))}</td>")
        expected.append("<tr>" + "".join(cells) + "</tr>")
    assert html == "".join(expected)
    assert "&lt;script&gt;alert(&#39;x&#39;)" in html and "&amp;amp;" in html


def old_key_part(view, f, digest) -> str:
    """One field of a view's key as it was written before the shared reprs."""
    from generator.site.views import FROM_DATASET_FOLDER

    if f.name in FROM_DATASET_FOLDER and view.id in digest.datasets:
        return f"{f.name}=<{digest.dataset_digest(view.ds)}>"
    return f"{f.name}={getattr(view, f.name)!r}"


def test_a_view_key_is_the_repr_of_every_field_with_shared_reprs_made_once(tmp_path):
    """The key of a dataset view is the hash of each field's repr (the folder's hash for
    what derives from it); the reprs of the objects views share (publisher, theme, quality,
    related datasets) are made once for the renderers of every language."""
    import dataclasses
    import datetime as dt
    from types import SimpleNamespace

    from generator.catalog.loader import load_catalog
    from generator.data.quality import assess_catalog
    from generator.runtime.cache import CatalogDigest, hash_text
    from generator.runtime.output import OutputTree
    from generator.site.render import SHARED_VIEW_FIELDS, Renderer, make_environment
    from generator.site.reuse import enrich_views
    from generator.site.views import build_views

    catalog, problems = load_catalog(DEMO_CATALOG)
    assert catalog is not None
    digest = CatalogDigest.of(DEMO_CATALOG)
    today = dt.date(2026, 1, 1)
    qualities = assess_catalog(catalog, {}, {}, problems.items)
    related: dict = {}
    views = {
        lang: enrich_views(catalog, build_views(catalog, {}, {}, lang, today, qualities), related)
        for lang in ("zh", "en")
    }
    cache = SimpleNamespace(enabled=True, digest=digest)
    reprs: dict = {}
    calls = {"n": 0}

    class Counted(Renderer):
        def _shared_repr(self, value):
            calls["n"] += 1
            return super()._shared_repr(value)

    env = make_environment()
    for lang, items in views.items():
        renderer = Counted(env, catalog, items, lang, OutputTree(tmp_path), today, reprs=reprs)
        renderer.cache = cache  # type: ignore[assignment]
        for view in items:
            parts = (old_key_part(view, f, digest) for f in dataclasses.fields(view))
            assert renderer._view_key(view) == hash_text(digest.context, *parts)
    shared = {
        id(getattr(v, name))
        for items in views.values()
        for v in items
        for name in SHARED_VIEW_FIELDS
    }
    assert calls["n"] == 2 * len(views["zh"]) * len(SHARED_VIEW_FIELDS)
    assert len(reprs) == len(shared) < calls["n"] / 2  # each shared object's repr made once
    assert any(v.quality is not None and v.related for v in views["zh"])
