"""Feeds to subscribe to (issue 18): one per dataset, theme and tag, beside the portal's and
each publisher's (:mod:`atom`).

A dataset's feed has an entry per changelog entry the policy lets show (new data, new
fields, status changes; recorded entries only, unless this build records, as in
:func:`~generator.history.latest_changes`), or, before any history is recorded, one entry
for the dataset as published. Every date comes from the catalog or the history record,
never the clock, so an unchanged dataset's feed keeps its bytes.
"""

from __future__ import annotations

from collections import defaultdict
from xml.sax.saxutils import escape, quoteattr

from ..data.records import DatasetRecord, page_path
from ..history import DatasetHistory, Entry, describe, visible
from ..i18n import translate
from ..model import Catalog
from ..runtime.output import OutputTree, WrittenFile
from ..site.reuse import tag_slugs
from .atom import FEED_ENTRIES, Rendered, host, render_feed, shared_entry, timestamp


def changelog(rec: DatasetRecord, item: DatasetHistory | None, recording: bool) -> list[Entry]:
    """The entries a dataset's feed shows, newest first."""
    entries = []
    for entry in item.entries if item else []:
        if entry is item.pending and not recording:
            continue
        changes = visible(entry.changes, rec.ds.open_type)
        if changes:
            entries.append(Entry(entry.date, changes))
    return entries[:FEED_ENTRIES]


def _change_entry(rec: DatasetRecord, entry: Entry, lang: str) -> str:
    issued = rec.ds.issued.isoformat()
    text = "; ".join(describe(c, lang) for c in entry.changes)
    day = f"{entry.date}T00:00:00Z"
    tag = f"tag:{host(rec.base_url)},{issued}:datasets/{rec.id}/changes/{entry.date}"
    page = quoteattr(rec.page_url(lang))
    return (
        "\n".join(
            [
                "  <entry>",
                f"    <id>{escape(tag)}</id>",
                f"    <title>{escape(entry.date + ' · ' + rec.ds.title.get(lang))}</title>",
                f'    <link rel="alternate" type="text/html" href={page}/>',
                f"    <updated>{day}</updated>",
                f'    <content type="text">{escape(text)}</content>',
                "  </entry>",
            ]
        )
        + "\n"
    )


def render_dataset_feed(
    catalog: Catalog,
    rec: DatasetRecord,
    entries: list[Entry],
    lang: str,
    rendered: Rendered | None = None,
) -> str:
    """``rendered``: the dataset's entries other feeds rendered (its entry as published
    is the one the portal's, publisher's, theme's and tags' feeds show without a change)."""
    site = catalog.site
    path = page_path(f"datasets/{rec.id}/feed.atom", lang)
    self_url = site.base_url + path
    updated = max([e.date + "T00:00:00Z" for e in entries] + [timestamp(rec.ds.modified)])
    author = rec.publisher.name.get(lang) if rec.publisher else site.title.get(lang)
    xml_lang = "zh-CN" if lang == "zh" else lang
    title = translate("feed_title_dataset", lang, title=rec.ds.title.get(lang))
    head = [
        '<?xml version="1.0" encoding="utf-8"?>',
        f'<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="{xml_lang}">',
        f"  <id>{escape(self_url)}</id>",
        f"  <title>{escape(title)}</title>",
        f"  <subtitle>{escape(translate('feed_subtitle_dataset', lang))}</subtitle>",
        f'  <link rel="self" type="application/atom+xml" href={quoteattr(self_url)}/>',
        f'  <link rel="alternate" type="text/html" href={quoteattr(rec.page_url(lang))}/>',
        f"  <updated>{updated}</updated>",
        f"  <author><name>{escape(author)}</name></author>",
        "  <generator>Kaifang</generator>",
    ]
    body = "".join(_change_entry(rec, e, lang) for e in entries) or shared_entry(
        {} if rendered is None else rendered, rec, lang, None
    )
    return "\n".join(head) + "\n" + body + "</feed>\n"


def write_subscription_feeds(
    catalog: Catalog,
    records: list[DatasetRecord],
    out: OutputTree,
    histories: dict[str, DatasetHistory],
    changes: dict[str, Entry],
    recording: bool,
    rendered: Rendered | None = None,
) -> list[WrittenFile]:
    """``rendered``: the entries the portal's and publishers' feeds rendered already."""
    site = catalog.site
    rendered = {} if rendered is None else rendered
    by_theme: dict[str, list[DatasetRecord]] = defaultdict(list)
    by_tag: dict[str, list[DatasetRecord]] = defaultdict(list)
    for rec in records:
        if rec.theme is not None:
            by_theme[rec.theme.id].append(rec)
        for kw in dict.fromkeys(rec.ds.keywords):
            if kw.strip():
                by_tag[kw].append(rec)
    slugs = tag_slugs(by_tag)
    written = []
    for lang in site.languages:
        for rec in records:
            if rec.held_back:  # its own feed is kept with its previous pages (holdback.py)
                continue
            entries = changelog(rec, histories.get(rec.id), recording)
            written.append(
                out.write_text(
                    page_path(f"datasets/{rec.id}/feed.atom", lang),
                    render_dataset_feed(catalog, rec, entries, lang, rendered),
                )
            )
        for theme in site.themes.values():
            mine = by_theme.get(theme.id)
            if not mine:
                continue
            path = page_path(f"themes/{theme.id}/feed.atom", lang)
            title = translate(
                "feed_title_theme", lang, site=site.title.get(lang), theme=theme.label.get(lang)
            )
            alternate = site.base_url + page_path(f"themes/{theme.id}/", lang)
            written.append(
                out.write_text(
                    path,
                    render_feed(
                        catalog, mine, path, title, alternate, lang, changes, rendered=rendered
                    ),
                )
            )
        for tag, mine in sorted(by_tag.items()):
            slug = slugs[tag]
            path = page_path(f"tags/{slug}/feed.atom", lang)
            title = translate("feed_title_tag", lang, site=site.title.get(lang), tag=tag)
            alternate = site.base_url + page_path(f"tags/{slug}/", lang)
            written.append(
                out.write_text(
                    path,
                    render_feed(
                        catalog, mine, path, title, alternate, lang, changes, rendered=rendered
                    ),
                )
            )
    return written
