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
from pathlib import Path

from ..data.derive import PublishedDataset
from ..data.records import DatasetRecord
from ..history import DatasetHistory, latest_changes
from ..model import Catalog
from ..runtime import parallel
from ..runtime.output import OutputTree, WrittenFile
from ..tombstones import Tombstone
from .api import write_api
from .atom import Rendered, write_atom_feeds
from .dcat import write_catalogs
from .pod import write_data_json
from .subscriptions import write_subscription_feeds


def start_catalogs(
    catalog: Catalog,
    records: list[DatasetRecord],
    out: OutputTree,
    tombstones: Sequence[Tombstone] = (),
    jobs: int | None = 1,
) -> parallel.Running[dict[str, WrittenFile]]:
    """Start writing the two catalogs (DCAT-AP and data.json), which share nothing with the
    other feeds: with more than one job (and a catalog large enough for worker processes)
    in a process of their own (forked: it inherits the records), else here and now. The
    build starts them as soon as the records exist, so that they run while its own process
    makes the views on one core, before the page workers start."""
    state = (catalog, records, out.root, tuple(tombstones))
    if len(records) < parallel.PARALLEL_THRESHOLD:
        jobs = 1  # a process costs more than it saves
    return parallel.start_with_state(_write_catalogs, state, [None], jobs, threshold=1)


def write_feeds(
    catalog: Catalog,
    records: list[DatasetRecord],
    published: dict[str, PublishedDataset],
    out: OutputTree,
    histories: dict[str, DatasetHistory] | None = None,
    recording: bool = False,
    tombstones: Sequence[Tombstone] = (),
    jobs: int | None = 1,
    catalogs: parallel.Running[dict[str, WrittenFile]] | None = None,
) -> None:
    """Everything but the sitemaps, which list every page and so are written once every
    page exists (:func:`~generator.feeds.sitemap.write_sitemaps`).

    ``catalogs``: the two catalogs started already (:func:`start_catalogs`, with the same
    records); else they are started here, while this process writes the API and the Atom
    feeds. This process records their files afterwards, and a path both wrote still stops
    the build."""
    if catalogs is None:
        catalogs = start_catalogs(catalog, records, out, tombstones, jobs)
    with catalogs:
        write_api(catalog, records, published, out, tombstones)
        changes = latest_changes(catalog, histories or {}, recording)
        rendered: Rendered = {}  # a dataset's entry, shared by every feed that shows it
        write_atom_feeds(catalog, records, out, changes, list(tombstones), rendered)
        write_subscription_feeds(
            catalog, records, out, histories or {}, changes, recording, rendered
        )
        (written,) = catalogs.result()
    out.adopt(written)


def _write_catalogs(
    state: tuple[Catalog, list[DatasetRecord], Path, tuple[Tombstone, ...]], _item: None
) -> dict[str, WrittenFile]:
    """DCAT-AP (JSON-LD, Turtle) and data.json, into an output tree of their own."""
    catalog, records, root, tombstones = state
    own = OutputTree(root)
    write_catalogs(catalog, records, own, tombstones)
    write_data_json(catalog, records, own, tombstones)
    return own.files
