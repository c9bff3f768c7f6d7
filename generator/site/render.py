"""Site stage (5): render the HTML pages, once per interface language.

Templates receive typed view objects; what a page may show of a dataset is decided by
:mod:`generator.policy` through the :class:`DatasetView` properties, never in a template.
Chinese pages live at the root, English ones under /en/.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import gc
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from ..catalog.attribution import attribution
from ..checks.validate import DatasetReport
from ..data.derive import DISTINCT_CAP, ChartData, PublishedDataset
from ..data.desensitise import BANDED_DATE_TYPES, INTEGER_TYPES, band_labels
from ..data.downloads import EXCEL_MAX_ROWS, FORMATS
from ..data.quality import Quality
from ..data.records import DatasetRecord, build_record
from ..history import Change, DatasetHistory, describe
from ..i18n import translate
from ..model import Catalog, Dataset, FieldRule, SiteConfig
from ..policy import OpenType, level_label
from ..runtime import parallel
from ..runtime.cache import (
    BuildCache,
    WorkerCache,
    code_fingerprint,
    dataclass_fields,
    hash_text,
    tree_digest,
)
from ..runtime.output import OutputTree, WrittenFile
from ..runtime.progress import NoProgress, Progress
from . import SEARCH_DOCS
from .charts import Drawing, bar_chart, bar_drawing, column_drawing, titled
from .dataset_markup import (  # noqa: F401 - NUMERIC_TYPES and PREVIEW_CELL_CHARS for users
    NUMERIC_TYPES,
    PREVIEW_CELL_CHARS,
    chart_rows,
    cut_cell,
    explorer_columns,
    explorer_filters,
    preview_rows,
    related_items,
    summary_rows,
)
from .facets import RENDERED_FACETS, Facet, FacetValue, build_facets, facet_labels
from .feedback import dataset_actions, form_url, mailto, request_any
from .reuse import LICENSE_SUMMARIES, enrich_views, reply_figures, subscribe_url
from .reuse_pages import render_reuse_pages
from .schemaorg import citation, dataset_jsonld, jsonld_script
from .stats import COLUMN_KEYS, cell, compute_stats, stats_csv_files
from .templating import (
    CallContext,
    OutputCodeGenerator,
    PageEnvironment,
    escape_output,
    fold_environment,
)
from .vendor import EXPLORER_MODULES, copy_vendored
from .views import FROM_DATASET_FOLDER, DatasetView, build_views, readme_html

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


@dataclass(frozen=True)
class ApplyChannel:
    """Where an application for one dataset goes, from site.yaml ``channels.apply``."""

    url: str
    email: str
    mailto: str  # with subject and body prefilled for this dataset


def apply_channel(catalog: Catalog, ds: Dataset, lang: str) -> ApplyChannel | None:
    """The site's application channel with this dataset filled in (form and e-mail)."""
    channel = catalog.site.channels.get("apply")
    if channel is None:
        return None
    title = ds.title.get(lang)
    url = form_url(channel.url, ds.id, title) if channel.url else ""
    address = ""
    if channel.email:
        subject = translate("apply_mail_subject", lang, title=title, id=ds.id)
        body = translate(
            "apply_mail_body",
            lang,
            title=title,
            id=ds.id,
            identifier=ds.identifier or "—",
            page=catalog.site.base_url + ("" if lang == "zh" else f"{lang}/") + f"apply/{ds.id}/",
        )
        address = mailto(channel.email, subject, body)
    return ApplyChannel(url, channel.email, address)


def human_size(size: int) -> str:
    value = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} B"


def chart_title(chart: ChartData, lang: str) -> str:
    field = chart.title or chart.field
    key = f"chart_time_{chart.period}" if chart.kind == "time" else "chart_category"
    return translate(key, lang, field=field)


# The drawings of the charts drawn last in this process, by chart and id, each kept with its
# chart (so its id is not reused while it is here): a dataset's pages in every language
# draw the same chart, only its title is in the page's language.
_DRAWINGS: dict[tuple[int, str], tuple[ChartData, Drawing | None]] = {}


def chart_markup(chart: ChartData, lang: str, chart_id: str) -> Markup:
    key = (id(chart), chart_id)
    entry = _DRAWINGS.get(key)
    if entry is None or entry[0] is not chart:
        if len(_DRAWINGS) >= 64:  # a few datasets' charts: tasks come a dataset at a time
            _DRAWINGS.clear()
        draw = column_drawing if chart.kind == "time" else bar_drawing
        entry = _DRAWINGS[key] = (chart, draw(chart.points, chart_id))
    return titled(entry[1], chart_title(chart, lang), chart_id)


T = TypeVar("T")
LIST_PAGE_SIZE = 20  # dataset cards per page of the list and facet pages (as CKAN)


@dataclass(frozen=True)
class Pager:
    """Page ``number`` of ``pages`` of a long list, holding items first..last of total.

    Page 1 is the list's own folder (``base``, e.g. 'datasets/'), page n is
    ``base/page/n/``: on 10,000 datasets one list page was 6.4 MB.
    """

    base: str
    number: int
    pages: int
    total: int
    first: int
    last: int

    def path_of(self, n: int) -> str:
        return self.base if n == 1 else f"{self.base}page/{n}/"

    def shown(self) -> list[int | None]:
        """Page numbers to link: the first, the last and two either side of this one, with
        None where numbers are left out."""
        near = range(max(1, self.number - 2), min(self.pages, self.number + 2) + 1)
        shown: list[int | None] = []
        previous = 0
        for n in sorted({1, self.pages, *near}):
            if n - previous > 1:
                shown.append(None)
            shown.append(n)
            previous = n
        return shown


def paginate(views: list[T], base: str, size: int | None = None) -> list[tuple[Pager, list[T]]]:
    """The pages of a list (one, empty, for an empty list)."""
    size = size or LIST_PAGE_SIZE
    pages = max(1, -(-len(views) // size))
    return [
        (
            Pager(base, n, pages, len(views), (n - 1) * size + 1, min(n * size, len(views))),
            views[(n - 1) * size : n * size],
        )
        for n in range(1, pages + 1)
    ]


def make_environment() -> Environment:
    env = PageEnvironment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=select_autoescape(["html", "xml"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        # compiled once per process: a build never edits its templates, and checking each
        # template file's time again on every page (6,000 times for 200 datasets) cost 8 %
        # of a dataset page
        auto_reload=False,
        # every template stays compiled in a plain dict: an {% include %} looks its template
        # up on each page (19 per dataset page), and the default LRU cache locks and
        # reorders a queue on every lookup
        cache_size=-1,
    )
    env.code_generator_class = OutputCodeGenerator
    env.context_class = CallContext
    env.escape_output = escape_output  # type: ignore[attr-defined]
    env.filters["filesize"] = human_size
    env.filters["cell"] = cut_cell
    env.globals.update(
        machine_record=machine_record,
        dataset_jsonld=dataset_jsonld,
        jsonld_script=jsonld_script,
        citation=citation,
        download_format=FORMATS.__getitem__,
        xlsx_max_rows=EXCEL_MAX_ROWS - 1,  # the header takes a row
        preview_rows=preview_rows,
        summary_rows=summary_rows,
        chart_rows=chart_rows,
        related_items=related_items,
        explorer_filters=explorer_filters,
        explorer_columns=explorer_columns,
        level_label=level_label,
        subscribe_url=subscribe_url,
        license_summary=lambda name: LICENSE_SUMMARIES.get(name.upper()),
        attribution=lambda ds: attribution(ds.descriptor),
        explorer_modules=EXPLORER_MODULES,
    )
    return env


def machine_record(site: SiteConfig, view: DatasetView) -> DatasetRecord:
    """What bots are told about a dataset: the same record the catalogs and the API use."""
    return build_record(
        site, view.ds, view.publisher, view.published, view.source, view.derivatives
    )


# Leaf values whose key text is their repr (checked by exact type: a subclass may be a
# dataclass or carry a __code__, and takes the long way).
_REPR_TYPES = frozenset({str, int, float, bool, type(None), dt.date, dt.datetime})

# DatasetView fields whose (frozen) object is the same in many views: a publisher's or a
# theme's in every view of its datasets, a dataset's quality and related datasets in its
# view of each language. Their repr entered a view's key once per view: with the reprs
# made once per object, keying the 2,000 views of 1,000 datasets took about half the CPU.
SHARED_VIEW_FIELDS = frozenset({"publisher", "theme", "quality", "related"})


class Renderer:
    """Renders every page of one language into the output tree."""

    def __init__(
        self,
        env: Environment,
        catalog: Catalog,
        views: list[DatasetView],
        lang: str,
        out: OutputTree,
        today: dt.date | None = None,
        jobs: int | None = 1,
        cache: BuildCache | WorkerCache | None = None,
        templates_digest: str = "",
        advance: Callable[[int], None] = lambda n: None,
        folded: Environment | None = None,
        reprs: dict[int, tuple[object, str]] | None = None,
    ) -> None:
        self.jobs = jobs
        # folded: this language's environment, made and compiled already (a page worker
        # forked from the build gets its parent's, see start_dataset_pages)
        self.env = folded or fold_environment(env, lang, catalog.site.base_path)
        self.catalog = catalog
        self.views = views
        self.lang = lang
        self.out = out
        self.today = today or dt.date.today()
        self.prefix = "" if lang == "zh" else f"{lang}/"
        self.cache = cache if cache is not None and cache.enabled else None
        self.templates_digest = templates_digest
        self.advance = advance
        self._view_keys: dict[int, str] = {}
        # reprs of shared view fields, one dict for the renderers of all languages
        self._reprs: dict[int, tuple[object, str]] = reprs if reprs is not None else {}
        self._cards: dict[str, Markup] = {}
        self._site_repr = repr(catalog.site)  # in every page key; made once
        self._shared_keys: dict[int, tuple[object, str]] = {}
        self._facet_navs: dict[tuple[int, int], tuple[object, object, Markup]] = {}
        # the site's "request other data" links, on every page: made once per language
        self.request_any = request_any(catalog.site, lang)

    def compile_templates(self) -> None:
        """Compile every page template and part now (each is compiled once, when first
        used, and kept for the life of the environment)."""
        for name in self.env.list_templates(filter_func=lambda name: name.endswith(".html")):
            self.env.get_template(name)

    def url(self, path: str = "", lang: str | None = None) -> str:
        """Root-relative URL of an output path in this (or another) language."""
        lang = lang or self.lang
        prefix = "" if lang == "zh" else f"{lang}/"
        return self.catalog.site.base_path + prefix + path

    def t(self, key: str, **values: object) -> str:
        return translate(key, self.lang, **values)

    def change_text(self, change: Change) -> str:
        """One changelog line in the page's language."""
        return describe(change, self.lang)

    def rule_text(self, field_rule: FieldRule) -> str:
        """A desensitise rule in words, for the derivative's page."""
        rule = field_rule.rule
        if rule.kind == "mask":
            return self.t("rule_mask", start=rule.keep_start, end=rule.keep_end)
        if rule.kind == "generalise" and rule.to:
            return self.t(f"rule_generalise_{rule.to}")
        if rule.kind == "generalise":
            integer = field_rule.source_field.type in INTEGER_TYPES | BANDED_DATE_TYPES
            below, labels, above = band_labels(rule, integer)
            sep = "、" if self.lang == "zh" else ", "
            return self.t("rule_generalise_bands", bands=sep.join([below, *labels, above]))
        return self.t(f"rule_{rule.kind}")

    def _key_text(self, value: object) -> str:
        """What a page's cache key knows of its input: repr, except for dataset views."""
        kind = type(value)
        if kind in _REPR_TYPES:  # most values of a page's input: the repr the end gives
            return repr(value)
        if kind is DatasetView or isinstance(value, DatasetView):
            return self._view_key(value)  # type: ignore[arg-type]
        if isinstance(value, (list, tuple)):
            return "[" + ",".join(self._key_text(v) for v in value) + "]"
        if isinstance(value, dict):
            return "{" + ",".join(f"{k!r}:{self._key_text(v)}" for k, v in value.items()) + "}"
        names = dataclass_fields(kind)
        if names is not None:
            inner = ",".join(f"{name}={self._key_text(getattr(value, name))}" for name in names)
            return f"{kind.__qualname__}({inner})"
        code = getattr(value, "__code__", None)
        if code is not None:
            # A template helper: its code is in the code fingerprint; what it closes over
            # enters by value, except this renderer, whose language, site and date are
            # already in the key. (A helper reading other renderer state must not be
            # passed to a cached page.)
            cells = [c.cell_contents for c in getattr(value, "__closure__", None) or ()]
            inner = ",".join(self._key_text(c) for c in cells if not isinstance(c, Renderer))
            return f"<fn {value.__module__}.{value.__qualname__}({inner})>"
        return repr(value)

    def _view_key(self, view: DatasetView) -> str:
        """A view's key: its dataset's content hash stands for what derives from the folder.

        Every other field (added later too) enters by its repr, so a view is never taken
        for another whose page would differ.
        """
        key = self._view_keys.get(id(view))
        if key is None:
            digest = self.cache.digest if self.cache is not None else None
            by_folder = digest is not None and view.id in digest.datasets
            folder = digest.dataset_digest(view.ds) if by_folder else ""  # type: ignore[union-attr]
            parts = []
            for name in dataclass_fields(type(view)) or ():
                if by_folder and name in FROM_DATASET_FOLDER:
                    parts.append(f"{name}=<{folder}>")
                elif name in SHARED_VIEW_FIELDS:
                    parts.append(f"{name}={self._shared_repr(getattr(view, name))}")
                else:
                    parts.append(f"{name}={getattr(view, name)!r}")
            key = hash_text(digest.context if digest else "", *parts)
            self._view_keys[id(view)] = key
        return key

    def _shared_repr(self, value: object) -> str:
        """repr of a view's field whose object many views share (see SHARED_VIEW_FIELDS),
        made once per object for the renderers of every language. The object is kept with
        its text, so its id cannot be reused by another while they live."""
        entry = self._reprs.get(id(value))
        if entry is not None and entry[0] is value:
            return entry[1]
        text = repr(value)
        self._reprs[id(value)] = (value, text)
        return text

    def rel(self, path: str, root: str = "") -> str:
        """The output file of the page at ``path``; ``root`` puts it under another top
        folder (the search documents), with the same path below it."""
        return root + self.prefix + path + "index.html"

    def cards(self, views: list[DatasetView]) -> Markup:
        """The list cards of these datasets (the dataset_card macro), each rendered once per
        language: a dataset is listed on up to a dozen pages (list, facets, publisher,
        theme), and rendering its card again for each took most of their time."""
        made = self._cards
        missing = [v for v in views if v.id not in made]
        if missing:
            macro = self.env.get_template("_macros.html").module.dataset_card  # type: ignore[attr-defined]
            text = lambda value: value.get(self.lang)  # noqa: E731
            for view in missing:
                made[view.id] = Markup(macro(view, self.lang, self.url, self.t, text))
        # the cards are Markup already: Markup.join would escape each again (to itself)
        return Markup("".join([made[v.id] for v in views]))

    def facet_nav(self, facets: list[Facet], current: FacetValue | None) -> Markup:
        """The facet links beside a list (_facet_nav.html), rendered once per list: they
        depend on the facets and the value shown, not on the page of the list, and took
        a third of a list page. Kept with the objects they were made of, as page keys."""
        key = (id(facets), id(current))
        entry = self._facet_navs.get(key)
        if entry is None or entry[0] is not facets or entry[1] is not current:
            template = self.env.get_template("_facet_nav.html")
            html = template.render(t=self.t, url=self.url, facets=facets, current=current)
            entry = (facets, current, Markup(html))
            self._facet_navs[key] = entry
        return entry[2]

    def paged(self, template: str, path: str, views: list[DatasetView], **context: object) -> None:
        """A list of datasets over as many pages as it needs (see :class:`Pager`)."""
        for pager, chunk in paginate(views, path):
            self.page(template, pager.path_of(pager.number), views=chunk, pager=pager, **context)

    def page(self, template: str, path: str, root: str = "", **context: object) -> None:
        """Render one page; ``path`` is the language-neutral folder, e.g. 'datasets/x/'.

        With a cache, a page whose template and input (the repr of the typed, frozen view
        objects it is given) are unchanged is copied from the previous render.
        """
        rel = self.rel(path, root)
        key = self.page_key(template, path, context, root)
        if key and self.restore_page(key, rel):
            return
        tpl = self.env.get_template(template)
        other = [lg for lg in self.catalog.site.languages if lg != self.lang]
        html = tpl.render(
            site=self.catalog.site,
            lang=self.lang,
            html_lang="zh-CN" if self.lang == "zh" else self.lang,
            t=self.t,
            url=self.url,
            current_path=path,
            other_langs=other,
            text=lambda value: value.get(self.lang),
            request_any=self.request_any,
            rule_text=self.rule_text,
            change_text=self.change_text,
            cards=self.cards,
            facet_nav=self.facet_nav,
            **context,
        )
        self.keep_page(key, self.out.write_text(rel, html))

    def page_key(self, template: str, path: str, context: dict[str, object], root: str = "") -> str:
        """The cache key of a page: "" without a cache."""
        if self.cache is None:
            return ""
        return hash_text(
            "page",
            code_fingerprint(),
            self.templates_digest,
            template,
            self.rel(path, root),
            str(self.today),
            self._site_repr,
            *(f"{name}={self._shared_key_text(value)}" for name, value in context.items()),
        )

    def _shared_key_text(self, value: object) -> str:
        """_key_text of one context value, made once per object. The facets, themes and
        publishers (a few items, holding every view of the site) go to each of the
        thousands of list pages, and walking them again for each page made page keys
        quadratic. The object is kept with its key, so its id cannot be reused by another
        while the renderer lives; context objects are never changed after they are built."""
        entry = self._shared_keys.get(id(value))
        if entry is not None and entry[0] is value:
            return entry[1]
        key = self._key_text(value)
        if isinstance(value, (list, tuple, dict)) or (
            dataclasses.is_dataclass(value) and not isinstance(value, type)
        ):
            key = "#" + hash_text(key)  # the text can be megabytes: hash it once, too
            self._shared_keys[id(value)] = (value, key)
        return key

    def restore_page(self, key: str, rel: str) -> bool:
        if self.cache is None:
            return False
        stored = self.cache.get("page", key)
        if stored is None or not self.cache.restore_file(
            stored["sha256"], stored["size"], self.out.root / rel
        ):
            return False
        self.out.adopt({rel: WrittenFile(rel, stored["size"], stored["sha256"])})
        self.cache.stats["page_hit"] += 1
        return True

    def keep_page(self, key: str, written: WrittenFile) -> None:
        """Store a page this process rendered in the cache, and record it."""
        if self.cache is not None and key:
            self.cache.store_file(self.out.root / written.path, written.sha256)
            self.remember_page(key, written)

    def remember_page(self, key: str, written: WrittenFile) -> None:
        """Record a page whose file is already in the cache (a worker stored it)."""
        if self.cache is not None and key:
            self.cache.put("page", key, {"sha256": written.sha256, "size": written.size})
            self.cache.stats["page_miss"] += 1

    def render_all(self) -> None:
        site = self.catalog.site
        views = self.views
        counts = {
            "datasets": len(views),
            "open": sum(1 for v in views if v.open_type is OpenType.OPEN),
            "publishers": len({v.ds.publisher for v in views}),
            "themes": len({v.ds.theme for v in views}),
        }
        facets = build_facets(self.catalog, views, self.lang)  # one pass: group as it did
        grouped = {f.key: {v.id: list(v.views) for v in f.values} for f in facets}
        themes = [(th, grouped["theme"].get(th.id, [])) for th in site.themes.values()]
        publishers = [
            (p, grouped["publisher"].get(p.id, [])) for p in self.catalog.publishers.values()
        ]
        self.page("index.html", "", counts=counts, newest=views[:6], themes=themes)
        self.paged(
            "datasets.html",
            "datasets/",
            views,
            themes=themes,
            publishers=publishers,
            open_types=list(OpenType),
            facets=facets,
            current=None,
        )
        self.facet_pages(facets)
        self.page("search.html", "search/", search_config=self.search_config(facets))
        self.page("404.html", "404/")  # the web server's page for a missing URL
        self.stats_pages(facets)
        self.page("publishers.html", "publishers/", publishers=publishers)
        for pub, items in publishers:
            self.page("publisher.html", f"publishers/{pub.id}/", publisher=pub, views=items)
        self.page("themes.html", "themes/", themes=themes)
        for theme, items in themes:
            self.page("theme.html", f"themes/{theme.id}/", theme=theme, views=items)
        if site.audience == "public":  # the sharing catalog is internal: no public channels
            render_reuse_pages(self)  # tags, showcases, requests, terms, offer, evaluation

    def dataset_page_specs(
        self, view: DatasetView
    ) -> list[tuple[str, str, dict[str, object], str]]:
        """(template, path, context, root) of a dataset's pages, and of its search document:
        the few lines Pagefind indexes, under SEARCH_DOCS, so that Pagefind reads a small
        file instead of parsing the whole page (it took most of the search stage)."""
        site = self.catalog.site
        path = f"datasets/{view.id}/"
        filters = facet_labels(view, self.lang)
        specs: list[tuple[str, str, dict[str, object], str]] = [
            ("search_doc.html", path, {"doc": self.search_doc(view, path, filters)}, SEARCH_DOCS),
        ]
        if view.held_back:  # its previous pages were copied (holdback.py)
            return specs
        specs += [
            (
                "dataset.html",
                path,
                {
                    "view": view,
                    "feedback": dataset_actions(
                        site,
                        view.ds,
                        page_url=site.base_url.rstrip("/") + self.url(path),
                        apply_url=self.url(f"apply/{view.id}/"),
                        lang=self.lang,
                    ),
                    "chart": lambda chart, chart_id: chart_markup(chart, self.lang, chart_id),
                    "chart_title": lambda chart: chart_title(chart, self.lang),
                    "distinct_cap": DISTINCT_CAP,
                },
                "",
            ),
        ]
        if view.can_apply:
            apply = apply_channel(self.catalog, view.ds, self.lang)
            specs.append(("apply.html", f"apply/{view.id}/", {"view": view, "apply": apply}, ""))
        return specs

    def search_doc(self, view: DatasetView, path: str, filters: dict[str, list[str]]) -> dict:
        """What the search stage indexes and shows for one dataset page, and nothing else
        (never a value of the data; field names only where the policy shows the schema)."""
        ds, lang = view.ds, self.lang
        fields = []
        if view.shows_schema:
            for res in ds.resources:
                fields += [text for f in res.fields for text in (f.name, f.title) if text]
        return {
            "lang": lang,
            "id": view.id,
            "url": self.url(path),
            "title": ds.title.get(lang),
            "description": ds.description.get(lang),
            "identifier": ds.identifier,
            "keywords": list(ds.keywords),
            "publisher": filters["publisher"][0] if filters["publisher"] else "",
            "theme": filters["theme"][0] if filters["theme"] else "",
            "fields": fields,
            "open_type": view.open_type.value,
            "open_label": filters["open_type"][0],
            "formats": filters["format"],
            "frequency": filters["frequency"][0] if filters["frequency"] else "",
            "modified": ds.modified.isoformat(),
        }

    def dataset_page(self, view: DatasetView) -> None:
        for template, path, context, root in self.dataset_page_specs(view):
            self.page(template, path, root, **context)
        self.advance(1)

    def search_config(self, facets: list[Facet]) -> dict:
        """What the search script needs: where the index is, facet labels in list order,
        and its interface strings ({q} and {n} are filled in by the script)."""
        base = self.catalog.site.base_path
        keys = ("count", "count_filtered", "partial", "none", "loading", "error", "prompt", "more")
        keys += ("modified",)
        raw = {"q": "{q}", "n": "{n}", "date": "{date}"}
        return {
            "bundle": f"{base}search-index/{self.lang}/",
            "baseUrl": base,
            "facets": [
                {"key": f.key, "title": f.title, "values": [v.label for v in f.values]}
                for f in facets
            ],
            "strings": {k: self.t(f"search_{k}", **raw) for k in keys},
        }

    def facet_pages(self, facets: list[Facet]) -> None:
        """A page per value of the facets that have no page of their own, so the list's
        facet links work without JavaScript."""
        for facet in facets:
            if facet.key not in RENDERED_FACETS:
                continue
            for value in facet.values:
                self.paged(
                    "facet.html",
                    value.path,
                    list(value.views),
                    facets=facets,
                    facet=facet,
                    current=value,
                )

    def stats_pages(self, facets: list[Facet]) -> None:
        stats = compute_stats(self.catalog, self.views, facets, self.lang, self.today)
        files = stats_csv_files(stats, self.lang)
        for name, data in files.items():
            self.out.write_bytes(f"{self.prefix}stats/{name}", data)
        self.page(
            "stats.html",
            "stats/",
            stats=stats,
            column_keys=COLUMN_KEYS,
            cell=cell,
            bar_chart=bar_chart,
            replies=reply_figures(self.catalog.requests),
        )


def render_site(
    catalog: Catalog,
    published: dict[str, PublishedDataset],
    reports: dict[str, DatasetReport],
    out: OutputTree,
    today: dt.date,
    qualities: dict[str, Quality] | None = None,
    jobs: int | None = 1,
    cache: BuildCache | None = None,
    progress: Progress | None = None,
    histories: dict[str, DatasetHistory] | None = None,
    held: dict[str, str] | None = None,
) -> SitePages:
    """Start the dataset pages in worker processes, render the site's other pages here, and
    return at once: the caller may write more (the feeds) before :meth:`SitePages.join`.

    jobs: worker processes for the dataset pages (None: one per CPU).
    held: datasets held back (holdback.py) whose previous pages were copied: they are in
    the lists and the search index, and their own pages are not rendered again."""
    env = make_environment()
    digest = tree_digest(TEMPLATES) if cache is not None and cache.enabled else ""
    public = catalog.site.audience == "public"  # tags, related, showcases: the portal's
    readmes = readme_html(catalog)
    related: dict = {}  # found once for every language (reuse.enrich_views)
    all_views = {
        lang: (enrich_views if public else lambda _c, v, _m: v)(
            catalog,
            build_views(
                catalog, published, reports, lang, today, qualities, histories, held, readmes
            ),
            related,
        )
        for lang in catalog.site.languages
    }
    pages = sum(len(views) for views in all_views.values())  # counted: the dataset pages
    stack = ExitStack()
    advance = stack.enter_context((progress or NoProgress()).stage("render", pages))
    try:
        reprs: dict[int, tuple[object, str]] = {}  # shared by the languages' renderers
        renderers = {
            lang: Renderer(
                env, catalog, views, lang, out, today, jobs, cache, digest, advance, reprs=reprs
            )
            for lang, views in all_views.items()
        }
        gc.freeze()  # the views too, before the workers fork (build.py thaws the heap)
        running = start_dataset_pages(renderers, jobs)
        stack.callback(running.close)
        for renderer in renderers.values():  # here, while workers render the dataset pages
            renderer.render_all()
    except BaseException:
        stack.close()
        raise
    return SitePages(renderers, running, stack, cache, out)


class SitePages:
    """The pages of a site while workers render its dataset pages (:func:`render_site`).

    :meth:`join` waits for them and copies the static assets; as a context manager the
    block is joined when it ends, and the workers are stopped if it raises."""

    def __init__(
        self,
        renderers: dict[str, Renderer],
        running: _RunningPages,
        stack: ExitStack,
        cache: BuildCache | None,
        out: OutputTree,
    ) -> None:
        self.renderers = renderers
        self.running = running
        self.stack = stack
        self.cache = cache
        self.out = out

    def join(self) -> None:
        with self.stack:
            self.running.adopt(self.renderers)
        if self.cache is not None:
            self.cache.flush()
        copy_static(self.out)

    def __enter__(self) -> SitePages:
        return self

    def __exit__(self, kind: object, *exc: object) -> None:
        if kind is None:
            self.join()
        else:
            self.stack.close()


@dataclass
class _RunningPages:
    """Dataset pages handed to workers: which (language, position)."""

    running: parallel.Running[_PageResult] | None = None
    todo: list[tuple[str, int]] = field(default_factory=list)
    cache: BuildCache | None = None

    def close(self) -> None:
        if self.running is not None:
            self.running.close()

    def adopt(self, renderers: dict[str, Renderer]) -> None:
        """Wait for the workers and take their files into the output, in view order."""
        if self.running is None:
            return
        results = self.running.result()
        for (lang, _), (files, kept) in zip(self.todo, results, strict=True):
            renderer = renderers[lang]
            renderer.out.adopt(files)
            renderer.advance(1)
            if self.cache is not None and kept is not None:
                self.cache.take_back(kept)  # the worker stored the files themselves


def start_dataset_pages(renderers: dict[str, Renderer], jobs: int | None) -> _RunningPages:
    """The pages (dataset, apply, search document) of every dataset in every language:
    the bulk of a large site, so worker processes render them when there are many.

    The workers get the views of the whole site once, when they start (inherited where
    processes fork), and each task names only a language and a position, so nothing big
    is pickled per page. With a cache, each worker computes its pages' keys and copies
    the pages whose input is unchanged from the cache itself (:class:`WorkerCache`):
    this process does no work per page before the workers start. Few pages are rendered
    here and now.
    """
    # A dataset's pages in every language one after the other, so that one process renders
    # them and what they share is made once (its charts' drawings, the reprs of the related
    # datasets and quality in the page keys).
    longest = max((len(r.views) for r in renderers.values()), default=0)
    todo = [(lang, i) for i in range(longest) for lang, r in renderers.items() if i < len(r.views)]
    if parallel.resolve_jobs(jobs) <= 1 or len(todo) < parallel.PARALLEL_THRESHOLD:
        for lang, i in todo:
            renderers[lang].dataset_page(renderers[lang].views[i])
        return _RunningPages()
    first = next(iter(renderers.values()))  # all share catalog, output, date and cache
    pending = _RunningPages(cache=first.cache if isinstance(first.cache, BuildCache) else None)
    pending.todo = todo
    envs = None
    if parallel.can_fork():
        # Compiled here, once, before the workers fork and inherit them: each worker
        # compiled the templates of both languages again (about 0.4 CPU-s per worker).
        for renderer in renderers.values():
            renderer.compile_templates()
        envs = {lang: r.env for lang, r in renderers.items()}
    state = _PageState(
        context=parallel.slim_context(first.catalog),
        views={lang: r.views for lang, r in renderers.items()},
        root=first.out.root,
        today=first.today,
        cache=pending.cache.for_workers() if pending.cache is not None else None,
        templates_digest=first.templates_digest,
        envs=envs,
    )
    pending.running = parallel.start_with_state(
        _render_dataset_page, state, pending.todo, jobs, threshold=0
    )
    return pending


@dataclass(frozen=True)
class _PageState:
    """What a page worker needs, sent once per worker."""

    context: Catalog
    views: dict[str, list[DatasetView]]
    root: Path
    today: dt.date
    cache: WorkerCache | None  # the worker looks its pages up, and stores them, itself
    templates_digest: str
    # each language's compiled environment, inherited where workers fork (never pickled)
    envs: dict[str, Environment] | None = None


_WORKER_RENDERERS: dict[str, Renderer] = {}
_WORKER_REPRS: dict[int, tuple[object, str]] = {}  # shared by a worker's renderers

# one dataset's pages from a worker: its files, and what the worker stored in and used of
# the cache (None without a cache)
_PageResult = tuple[dict[str, WrittenFile], "WorkerCache.Kept | None"]


def _render_dataset_page(state: _PageState, task: tuple[str, int]) -> _PageResult:
    """One dataset's pages in a worker process, into a tree of its own: copied from the
    cache when their input is unchanged (or rendered, when the cached object is damaged)."""
    lang, index = task
    renderer = _WORKER_RENDERERS.get(lang)
    if renderer is None:
        folded = state.envs[lang] if state.envs else None
        env = folded or make_environment()
        renderer = Renderer(
            env,
            state.context,
            [],
            lang,
            OutputTree(state.root),
            state.today,
            cache=state.cache,
            templates_digest=state.templates_digest,
            folded=folded,
            reprs=_WORKER_REPRS,
        )
        _WORKER_RENDERERS[lang] = renderer
    renderer.out = OutputTree(state.root)
    renderer.dataset_page(state.views[lang][index])
    return renderer.out.files, state.cache.take() if state.cache is not None else None


def copy_static(out: OutputTree) -> None:
    static = TEMPLATES / "static"
    for path in sorted(static.rglob("*")):
        if path.is_file():
            out.write_bytes("static/" + path.relative_to(static).as_posix(), path.read_bytes())
    copy_vendored(out)
