"""Stage 6: everything bots fetch, written after the pages.

DCAT-AP catalogs, data.json, the static JSON API and its docs page, Atom feeds, and last
the sitemap (it lists every page written before it) and robots.txt. All of them are built
from one list of :class:`~generator.records.DatasetRecord`, so they agree with each other
and with the pages on what is published.
"""

from __future__ import annotations

from .api import render_api_docs, write_api
from .atom import write_atom_feeds
from .dcat import write_catalogs
from .derive import PublishedDataset
from .history import DatasetHistory, latest_changes
from .model import Catalog
from .output import OutputTree
from .pod import write_data_json
from .records import DatasetRecord, build_records
from .sitemap import write_sitemaps


def write_feeds(
    catalog: Catalog,
    published: dict[str, PublishedDataset],
    out: OutputTree,
    histories: dict[str, DatasetHistory] | None = None,
    recording: bool = False,
    sitemaps: bool = True,
) -> list[DatasetRecord]:
    """Everything but the sitemaps needs only the catalog and what was derived, so the
    build writes it while the dataset pages are rendered (sitemaps=False) and calls
    :func:`write_sitemaps` once every page exists. Returns the records."""
    records = build_records(catalog, published)
    write_catalogs(catalog, records, out)
    write_data_json(catalog, records, out)
    write_api(catalog, records, published, out)
    render_api_docs(catalog, records, out)
    write_atom_feeds(catalog, records, out, latest_changes(catalog, histories or {}, recording))
    if sitemaps:
        write_sitemaps(catalog, records, out)
    return records
