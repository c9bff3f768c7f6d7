"""/sitemap.xml as a sitemap index, /sitemaps/pages-N.xml with the pages, /robots.txt.

The sitemap protocol allows 50,000 URLs per file; files here hold at most 10,000 so each
stays small enough to fetch and diff cheaply. Every HTML page in the output is listed,
with its other-language versions as hreflang alternates and, where the catalog knows it,
<lastmod> from the datasets' modified dates (never from the clock).
"""

from __future__ import annotations

import datetime as dt
from xml.sax.saxutils import escape, quoteattr

from ..data.records import DatasetRecord, newest
from ..model import Catalog
from ..runtime.output import OutputTree, WrittenFile
from ..site.render import SEARCH_DOCS

URLS_PER_SITEMAP = 10_000
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
XHTML_NS = "http://www.w3.org/1999/xhtml"


def _hreflang(lang: str) -> str:
    return "zh-CN" if lang == "zh" else lang


def page_lastmod(records: list[DatasetRecord]) -> dict[str, dt.date]:
    """Language-neutral page folder -> the newest modified date of what it shows."""
    dates: dict[str, dt.date] = {}

    def bump(path: str, day: dt.date) -> None:
        if path not in dates or dates[path] < day:
            dates[path] = day

    for rec in records:
        day = rec.ds.modified
        bump(rec.page_path, day)
        if rec.publisher is not None:
            bump(f"publishers/{rec.publisher.id}/", day)
        if rec.theme is not None:
            bump(f"themes/{rec.theme.id}/", day)
    overall = newest(records)
    if overall:
        for path in ("", "datasets/", "publishers/", "themes/"):
            dates[path] = overall
    return dates


def split_lang(path: str, languages: tuple[str, ...]) -> tuple[str, str]:
    """('en', 'datasets/x/') for 'en/datasets/x/'; the first language has no prefix."""
    for lang in languages[1:]:
        if path.startswith(lang + "/"):
            return lang, path[len(lang) + 1 :]
    return languages[0], path


def collect_pages(catalog: Catalog, out: OutputTree) -> list[str]:
    """Folders of every index.html written so far, sorted; not the search documents (they
    are scratch files, removed before publishing)."""
    return sorted(
        p[: -len("index.html")]
        for p in out.files
        if p.endswith("index.html") and not p.startswith(SEARCH_DOCS)
    )


def render_urlset(
    catalog: Catalog, pages: list[str], existing: set[str], lastmod: dict[str, dt.date]
) -> str:
    site = catalog.site
    langs = site.languages or ("zh",)
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<urlset xmlns="{SITEMAP_NS}" xmlns:xhtml="{XHTML_NS}">',
    ]
    for page in pages:
        lang, neutral = split_lang(page, langs)
        parts = [f"<loc>{escape(site.base_url + page)}</loc>"]
        if neutral in lastmod:
            parts.append(f"<lastmod>{lastmod[neutral].isoformat()}</lastmod>")
        versions = [
            (other, neutral if other == langs[0] else f"{other}/{neutral}") for other in langs
        ]
        versions = [(lg, p) for lg, p in versions if p in existing]
        if len(versions) > 1:
            parts += [
                f'<xhtml:link rel="alternate" hreflang="{_hreflang(lg)}" '
                f"href={quoteattr(site.base_url + p)}/>"
                for lg, p in versions
            ]
        lines.append("  <url>" + "".join(parts) + "</url>")
    lines.append("</urlset>")
    return "\n".join(lines) + "\n"


def write_sitemaps(
    catalog: Catalog,
    records: list[DatasetRecord],
    out: OutputTree,
    per_file: int | None = None,
) -> list[WrittenFile]:
    site = catalog.site
    per_file = per_file or URLS_PER_SITEMAP
    pages = collect_pages(catalog, out)
    existing = set(pages)
    lastmod = page_lastmod(records)
    written = []
    index = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<sitemapindex xmlns="{SITEMAP_NS}">',
    ]
    for number, start in enumerate(range(0, max(len(pages), 1), per_file), 1):
        chunk = pages[start : start + per_file]
        path = f"sitemaps/pages-{number}.xml"
        written.append(out.write_text(path, render_urlset(catalog, chunk, existing, lastmod)))
        dates = [
            lastmod[n]
            for n in (split_lang(p, site.languages or ("zh",))[1] for p in chunk)
            if n in lastmod
        ]
        entry = f"<loc>{escape(site.base_url + path)}</loc>"
        if dates:
            entry += f"<lastmod>{max(dates).isoformat()}</lastmod>"
        index.append(f"  <sitemap>{entry}</sitemap>")
    index.append("</sitemapindex>")
    written.append(out.write_text("sitemap.xml", "\n".join(index) + "\n"))
    written.append(
        out.write_text(
            "robots.txt",
            f"User-agent: *\nAllow: /\n\nSitemap: {site.base_url}sitemap.xml\n",
        )
    )
    return written
