"""Stage 5: render the HTML pages, once per interface language.

Templates receive typed view objects; what a page may show of a dataset is decided by
:mod:`generator.policy` through the :class:`DatasetView` properties, never in a template.
Chinese pages live at the root, English ones under /en/.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from .derive import PublishedDataset, PublishedResource
from .i18n import translate
from .markup import render_markdown
from .model import Catalog, Dataset, Publisher, Theme
from .output import OutputTree
from .policy import OpenType, can_apply, is_listed, publishes_data, publishes_schema
from .validate import DatasetReport

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


@dataclass(frozen=True)
class DatasetView:
    """What templates may know about one dataset."""

    ds: Dataset
    publisher: Publisher | None
    theme: Theme | None
    frequency_label: str
    published: PublishedDataset | None
    report: DatasetReport | None
    readme_html: str
    overdue: bool

    @property
    def id(self) -> str:
        return self.ds.id

    @property
    def open_type(self) -> OpenType:
        return self.ds.open_type

    @property
    def shows_data(self) -> bool:
        return publishes_data(self.ds.open_type) and self.published is not None

    @property
    def shows_schema(self) -> bool:
        return publishes_schema(self.ds.open_type)

    @property
    def can_apply(self) -> bool:
        return can_apply(self.ds.open_type)

    @property
    def resources(self) -> list[PublishedResource]:
        return self.published.resources if self.shows_data and self.published else []

    @property
    def formats(self) -> list[str]:
        if not self.shows_data:
            return []
        return sorted({fmt.upper() for r in self.resources for fmt in r.files})


def is_overdue(ds: Dataset, days: int | None, today: dt.date) -> bool:
    return days is not None and (today - ds.modified).days > days


def build_views(
    catalog: Catalog,
    published: dict[str, PublishedDataset],
    reports: dict[str, DatasetReport],
    lang: str,
    today: dt.date,
) -> list[DatasetView]:
    views = []
    for ds in catalog.datasets:
        if not is_listed(ds.open_type, catalog.site.hide_closed):
            continue
        freq = catalog.site.frequencies.get(ds.update_frequency)
        views.append(
            DatasetView(
                ds=ds,
                publisher=catalog.publishers.get(ds.publisher),
                theme=catalog.site.themes.get(ds.theme),
                frequency_label=freq.label.get(lang) if freq else ds.update_frequency,
                published=published.get(ds.id),
                report=reports.get(ds.id),
                readme_html=render_markdown(ds.readme_markdown) if ds.readme_markdown else "",
                overdue=is_overdue(ds, freq.days if freq else None, today),
            )
        )
    views.sort(key=lambda v: (-v.ds.modified.toordinal(), v.id))
    return views


def human_size(size: int) -> str:
    value = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} B"


def make_environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=select_autoescape(["html", "xml"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["filesize"] = human_size
    return env


class Renderer:
    """Renders every page of one language into the output tree."""

    def __init__(
        self,
        env: Environment,
        catalog: Catalog,
        views: list[DatasetView],
        lang: str,
        out: OutputTree,
    ) -> None:
        self.env = env
        self.catalog = catalog
        self.views = views
        self.lang = lang
        self.out = out
        self.prefix = "" if lang == "zh" else f"{lang}/"

    def url(self, path: str = "", lang: str | None = None) -> str:
        """Root-relative URL of an output path in this (or another) language."""
        lang = lang or self.lang
        prefix = "" if lang == "zh" else f"{lang}/"
        return self.catalog.site.base_path + prefix + path

    def t(self, key: str, **values: object) -> str:
        return translate(key, self.lang, **values)

    def page(self, template: str, path: str, **context: object) -> None:
        """Render one page; ``path`` is the language-neutral folder, e.g. 'datasets/x/'."""
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
            **context,
        )
        self.out.write_text(self.prefix + path + "index.html", html)

    def render_all(self) -> None:
        site = self.catalog.site
        views = self.views
        counts = {
            "datasets": len(views),
            "open": sum(1 for v in views if v.open_type is OpenType.OPEN),
            "publishers": len({v.ds.publisher for v in views}),
            "themes": len({v.ds.theme for v in views}),
        }
        themes = [(th, [v for v in views if v.ds.theme == th.id]) for th in site.themes.values()]
        publishers = [
            (p, [v for v in views if v.ds.publisher == p.id])
            for p in self.catalog.publishers.values()
        ]
        self.page("index.html", "", counts=counts, newest=views[:6], themes=themes)
        self.page(
            "datasets.html",
            "datasets/",
            views=views,
            themes=themes,
            publishers=publishers,
            open_types=list(OpenType),
        )
        for view in views:
            self.page("dataset.html", f"datasets/{view.id}/", view=view)
        self.page("publishers.html", "publishers/", publishers=publishers)
        for pub, items in publishers:
            self.page("publisher.html", f"publishers/{pub.id}/", publisher=pub, views=items)
        self.page("themes.html", "themes/", themes=themes)
        for theme, items in themes:
            self.page("theme.html", f"themes/{theme.id}/", theme=theme, views=items)


def render_site(
    catalog: Catalog,
    published: dict[str, PublishedDataset],
    reports: dict[str, DatasetReport],
    out: OutputTree,
    today: dt.date,
) -> None:
    env = make_environment()
    for lang in catalog.site.languages:
        views = build_views(catalog, published, reports, lang, today)
        Renderer(env, catalog, views, lang, out).render_all()
    copy_static(out)


def copy_static(out: OutputTree) -> None:
    static = TEMPLATES / "static"
    for path in sorted(static.rglob("*")):
        if path.is_file():
            out.write_bytes("static/" + path.relative_to(static).as_posix(), path.read_bytes())
