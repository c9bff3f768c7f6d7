"""Feeds stage (6): everything bots fetch.

Takes the catalog, the records of what each listed dataset publishes
(:class:`~generator.data.records.DatasetRecord`) and the history; gives DCAT-AP catalogs
(JSON-LD, Turtle), data.json, the static JSON API, Atom feeds, and last the sitemaps and
robots.txt, which list every page written before them. Built from one list of records,
they agree with each other and with the pages on what is published. (The page that
documents the API is the site stage's.)
"""

from __future__ import annotations

from collections.abc import Sequence

from ..data.derive import PublishedDataset
from ..data.records import DatasetRecord
from ..history import DatasetHistory, latest_changes
from ..model import Catalog
from ..runtime.output import OutputTree
from ..tombstones import Tombstone
from .api import write_api
from .atom import write_atom_feeds
from .dcat import write_catalogs
from .pod import write_data_json
from .subscriptions import write_subscription_feeds


def write_feeds(
    catalog: Catalog,
    records: list[DatasetRecord],
    published: dict[str, PublishedDataset],
    out: OutputTree,
    histories: dict[str, DatasetHistory] | None = None,
    recording: bool = False,
    tombstones: Sequence[Tombstone] = (),
) -> None:
    """Everything but the sitemaps, which list every page and so are written once every
    page exists (:func:`~generator.feeds.sitemap.write_sitemaps`)."""
    write_catalogs(catalog, records, out, tombstones)
    write_data_json(catalog, records, out, tombstones)
    write_api(catalog, records, published, out, tombstones)
    changes = latest_changes(catalog, histories or {}, recording)
    write_atom_feeds(catalog, records, out, changes, list(tombstones))
    write_subscription_feeds(catalog, records, out, histories or {}, changes, recording)
