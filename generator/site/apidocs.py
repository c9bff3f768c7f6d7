"""The page at /api/ that documents the static JSON API (the feeds stage writes the API)."""

from __future__ import annotations

from ..data.records import API_PREFIX, DatasetRecord, feed_path
from ..model import Catalog
from ..runtime.output import OutputTree
from .render import Renderer, SitePages, make_environment

# path, schema name, operation id, summary in Chinese, summary in English, parameter
Endpoint = tuple[str, str, str, str, str, str | None]


def render_api_docs(
    catalog: Catalog,
    records: list[DatasetRecord],
    out: OutputTree,
    endpoints: list[Endpoint],
    site: SitePages | None = None,
) -> None:
    """The page that documents the API, in every interface language, at /api/.

    ``endpoints`` is the API's own table, :data:`generator.feeds.api.ENDPOINTS`: the feeds
    stage writes the API, this stage its page, and the build hands the table over.
    ``site``: the site's pages, whose compiled templates the page uses (without it,
    base.html and the macros are compiled again for this one page per language)."""
    env = make_environment()
    example = next((r for r in records if r.open), records[0] if records else None)
    ids = {
        "{id}": example.id if example else None,
        "publishers/{id}": example.publisher.id if example and example.publisher else None,
        "themes/{id}": example.theme.id if example and example.theme else None,
    }
    api_base = catalog.site.base_url + API_PREFIX.rstrip("/")
    for lang in catalog.site.languages:
        shown = []
        for path, _schema, _op, zh, en, param in endpoints:
            sample = path
            if param:
                key = (
                    "publishers/{id}"
                    if "publishers" in path
                    else "themes/{id}"
                    if "themes" in path
                    else "{id}"
                )
                value = ids[key]
                sample = path.replace("{id}", value) if value else ""
            shown.append(
                {
                    "path": path,
                    "summary": en if lang == "en" else zh,
                    "example": sample,
                }
            )
        folded = site.renderers[lang].env if site is not None else None
        Renderer(env, catalog, [], lang, out, folded=folded).page(
            "api.html",
            "api/",
            endpoints=shown,
            example=example,
            api_base=api_base,
            feed=feed_path(lang),
        )
