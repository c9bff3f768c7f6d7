"""Atom feeds of new and updated datasets: one for the portal, one per publisher.

Bots poll these, so they must be cheap to compare: every date in a feed comes from the
catalog (an entry's <updated> is its dataset's modified date, the feed's is the newest
entry's), never from the clock. A dataset that did not change keeps byte-identical
entries in every build. Each entry's id names the dataset *and* its modified date, so a
change is a new entry that every feed reader shows, not a silent edit of an old one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from functools import lru_cache, partial
from urllib.parse import urlparse
from xml.sax.saxutils import escape, quoteattr

from ..data.records import DatasetRecord, feed_path, page_path, status_notice
from ..history import Entry, describe
from ..i18n import translate
from ..model import Catalog
from ..runtime.output import OutputTree, WrittenFile
from ..tombstones import Tombstone

FEED_ENTRIES = 50  # newest datasets per feed
EPOCH = dt.date(1970, 1, 1)


def timestamp(day: dt.date) -> str:
    return day.isoformat() + "T00:00:00Z"


@lru_cache(maxsize=8)
def host(base_url: str) -> str:
    """The tag URIs' authority: the portal's host name (parsed once, not once per entry)."""
    return urlparse(base_url).hostname or "localhost"


def entry_id(rec: DatasetRecord) -> str:
    """A tag URI (RFC 4151) unique to this dataset at this modified date."""
    issued, modified = rec.ds.issued.isoformat(), rec.ds.modified.isoformat()
    return f"tag:{host(rec.base_url)},{issued}:datasets/{rec.id}/{modified}"


def render_entry(rec: DatasetRecord, lang: str, change: Entry | None = None) -> str:
    ds = rec.ds
    lines = [
        "  <entry>",
        f"    <id>{escape(entry_id(rec))}</id>",
        f"    <title>{escape(ds.title.get(lang))}</title>",
        f'    <link rel="alternate" type="text/html" href={quoteattr(rec.page_url(lang))}/>',
        f'    <link rel="related" type="application/json" href={quoteattr(rec.api_url)}/>',
    ]
    if rec.package is not None:
        lines.append(
            f'    <link rel="enclosure" type="{rec.package.media_type}" '
            f"href={quoteattr(rec.package.url)}/>"
        )
    lines += [
        f"    <published>{timestamp(ds.issued)}</published>",
        f"    <updated>{timestamp(ds.modified)}</updated>",
    ]
    if rec.publisher is not None:
        pub_url = rec.base_url + page_path(f"publishers/{rec.publisher.id}/", lang)
        lines.append(
            f"    <author><name>{escape(rec.publisher.name.get(lang))}</name>"
            f"<uri>{escape(pub_url)}</uri></author>"
        )
    if rec.theme is not None:
        scheme = rec.base_url + "themes/"
        lines.append(
            f"    <category term={quoteattr(rec.theme.id)} scheme={quoteattr(scheme)} "
            f"label={quoteattr(rec.theme.label.get(lang))}/>"
        )
    lines.append(
        f"    <category term={quoteattr(ds.open_type.value)} "
        f"label={quoteattr(ds.open_type.label(lang))}/>"
    )
    lines.append(f"    <summary>{escape(ds.description.get(lang))}</summary>")
    if change is not None:  # the dataset's latest changelog entry, as the policy shows it
        text = f"{change.date}: " + "; ".join(describe(c, lang) for c in change.changes)
        lines.append(f'    <content type="text">{escape(text)}</content>')
    lines.append("  </entry>")
    return "\n".join(lines) + "\n"


# A dataset's entry as each feed that ranks it among its newest shows it (the portal's,
# its publisher's, theme's and tags'): rendered once per language and changelog entry.
Rendered = dict[tuple[str, str, int], str]


def shared_entry(rendered: Rendered, rec: DatasetRecord, lang: str, change: Entry | None) -> str:
    """A dataset's entry from ``rendered``, rendered there first if no feed did yet."""
    key = (rec.id, lang, id(change))  # the change is held by the feeds' one `changes`
    xml = rendered.get(key)
    if xml is None:
        xml = rendered[key] = render_entry(rec, lang, change)
    return xml


def render_status_entry(rec: DatasetRecord, lang: str) -> str:
    """An entry of its own when a dataset is suspended, withdrawn or under objection, dated
    by the status, so feed readers show the notice as news (issue 16)."""
    ds, st = rec.ds, rec.ds.status
    since = st.since or ds.modified
    where = f"tag:{host(rec.base_url)},{ds.issued.isoformat()}:datasets/{rec.id}"
    tag = f"{where}/status/{st.state.value}/{since}"
    title = f"{st.state.label(lang)}{translate('sep', lang)}{ds.title.get(lang)}"
    page = rec.page_url(lang)
    return (
        "\n".join(
            [
                "  <entry>",
                f"    <id>{escape(tag)}</id>",
                f"    <title>{escape(title)}</title>",
                f'    <link rel="alternate" type="text/html" href={quoteattr(page)}/>',
                f"    <updated>{timestamp(since)}</updated>",
                f"    <category term={quoteattr('status-' + st.state.value)} "
                f"label={quoteattr(st.state.label(lang))}/>",
                f'    <content type="text">{escape(status_notice(ds, lang))}</content>',
                "  </entry>",
            ]
        )
        + "\n"
    )


def render_tombstone_entry(stone: Tombstone, base_url: str, lang: str) -> str:
    """A removed dataset's last entry: when it went, why, and where to look instead."""
    tag = f"tag:{host(base_url)},{stone.removed}:datasets/{stone.dataset}/removed"
    page = base_url + page_path(f"datasets/{stone.dataset}/", lang)
    text = translate("tombstone_removed", lang, date=stone.removed.isoformat())
    if stone.reason.zh:
        text += " " + translate("tombstone_reason", lang, reason=stone.reason.get(lang))
    if stone.successor:
        successor = base_url + page_path(f"datasets/{stone.successor}/", lang)
        text += f" {translate('status_replaced_by', lang)}{translate('sep', lang)}{successor}"
    title = translate("tombstone_title", lang, title=stone.title.get(lang))
    return (
        "\n".join(
            [
                "  <entry>",
                f"    <id>{escape(tag)}</id>",
                f"    <title>{escape(title)}</title>",
                f'    <link rel="alternate" type="text/html" href={quoteattr(page)}/>',
                f"    <updated>{timestamp(stone.removed)}</updated>",
                '    <category term="removed" label='
                f"{quoteattr(translate('tombstone_label', lang))}/>",
                f'    <content type="text">{escape(text)}</content>',
                "  </entry>",
            ]
        )
        + "\n"
    )


def newest_first(records: list[DatasetRecord]) -> list[DatasetRecord]:
    return sorted(records, key=lambda r: (-r.ds.modified.toordinal(), r.id))[:FEED_ENTRIES]


def feed_entries(
    records: list[DatasetRecord],
    lang: str,
    changes: dict[str, Entry],
    stones: Sequence[Tombstone] = (),
    base_url: str = "",
    rendered: Rendered | None = None,
) -> list[tuple[dt.date, str]]:
    """(date, XML) of the newest entries: datasets by modified date, statuses by theirs,
    removed datasets by their removal.

    Entries are ranked first and only the FEED_ENTRIES kept are written: the portal's
    feed ranks every dataset, and writing every entry to keep 50 made the feeds stage
    grow with datasets times feeds (the sort is stable, so ties keep the order of old).
    ``rendered`` keeps the entries already written by other feeds of the same build."""
    memo: Rendered = {} if rendered is None else rendered
    items: list[tuple[dt.date, str, Callable[[], str]]] = [
        (r.ds.modified, r.id, partial(shared_entry, memo, r, lang, changes.get(r.id)))
        for r in records
    ]
    for stone in stones:
        items.append(
            (stone.removed, stone.dataset, partial(render_tombstone_entry, stone, base_url, lang))
        )
    for r in records:
        if not r.ds.status.normal:
            since = r.ds.status.since or r.ds.modified
            items.append((since, r.id + "/status", partial(render_status_entry, r, lang)))
    items.sort(key=lambda item: (-item[0].toordinal(), item[1]))
    return [(day, render()) for day, _key, render in items[:FEED_ENTRIES]]


def render_feed(
    catalog: Catalog,
    records: list[DatasetRecord],
    path: str,
    title: str,
    alternate: str,
    lang: str,
    changes: dict[str, Entry] | None = None,
    stones: Sequence[Tombstone] = (),
    rendered: Rendered | None = None,
) -> str:
    site = catalog.site
    entries = feed_entries(records, lang, changes or {}, stones, site.base_url, rendered)
    updated = max((day for day, _xml in entries), default=EPOCH)
    self_url = site.base_url + path
    author = site.contact.name.get(lang) if site.contact.name.zh else site.title.get(lang)
    xml_lang = "zh-CN" if lang == "zh" else lang
    head = [
        '<?xml version="1.0" encoding="utf-8"?>',
        f'<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="{xml_lang}">',
        f"  <id>{escape(self_url)}</id>",
        f"  <title>{escape(title)}</title>",
        f"  <subtitle>{escape(translate('feed_subtitle', lang))}</subtitle>",
        f'  <link rel="self" type="application/atom+xml" href={quoteattr(self_url)}/>',
        f'  <link rel="alternate" type="text/html" href={quoteattr(alternate)}/>',
        f"  <updated>{timestamp(updated)}</updated>",
        f"  <author><name>{escape(author)}</name></author>",
        "  <generator>Kaifang</generator>",
    ]
    body = "".join(xml for _day, xml in entries)
    return "\n".join(head) + "\n" + body + "</feed>\n"


def write_atom_feeds(
    catalog: Catalog,
    records: list[DatasetRecord],
    out: OutputTree,
    changes: dict[str, Entry] | None = None,
    stones: Sequence[Tombstone] = (),
    rendered: Rendered | None = None,
) -> list[WrittenFile]:
    site = catalog.site
    rendered = {} if rendered is None else rendered
    by_publisher: dict[str, list[DatasetRecord]] = {}  # in the order of records
    for r in records:
        if r.publisher is not None:
            by_publisher.setdefault(r.publisher.id, []).append(r)
    written = []
    for lang in site.languages:
        path = feed_path(lang)
        title = translate("feed_title", lang, site=site.title.get(lang))
        alternate = site.base_url + page_path("datasets/", lang)
        written.append(
            out.write_text(
                path,
                render_feed(
                    catalog, records, path, title, alternate, lang, changes, stones, rendered
                ),
            )
        )
        for pub in catalog.publishers.values():
            mine = by_publisher.get(pub.id, [])
            gone = [s for s in stones if s.publisher == pub.id]
            if not mine:
                continue  # no deterministic <updated> for an empty feed, and nothing to say
            path = feed_path(lang, pub.id)
            title = translate("feed_title", lang, site=pub.name.get(lang))
            alternate = site.base_url + page_path(f"publishers/{pub.id}/", lang)
            written.append(
                out.write_text(
                    path,
                    render_feed(
                        catalog, mine, path, title, alternate, lang, changes, gone, rendered
                    ),
                )
            )
    return written
