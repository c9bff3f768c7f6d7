"""The build: every stage in order, loading and checking everything before writing.

    catalog -> checks -> data -> history -> site -> feeds -> search (+ compress) -> audit
      -> publish (+ server configurations beside the output)

One call per stage, each taking and returning typed objects. Two stages run work in the
background and hand back a handle: the site stage renders the dataset pages in worker
processes while this process writes the feeds, and the search indexer indexes the search documents
while the audit reads the rest of the tree. The audit reads the finished staging tree,
whatever stage wrote it, and a violation stops the build before the swap: site/ keeps the
previous build.
"""

from __future__ import annotations

import datetime as dt
import gc
import logging
import os
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from . import history, holdback, publish, tombstones
from .audit import SecretIndex, audit
from .catalog.audience import for_audience
from .catalog.loader import load_catalog
from .checking import open_cache, timed
from .checks.validate import validate_catalog
from .data.derive import PublishedDataset, derive_catalog
from .data.quality import assess_catalog, write_validation_files
from .data.records import DatasetRecord, build_records
from .data.risk import group_size_problems
from .deploy.compress import start_precompress
from .deploy.servers import write_server_configs
from .errors import AuditError, CatalogError, Problem, ProblemList
from .feeds import start_catalogs, write_feeds
from .feeds.api import ENDPOINTS
from .feeds.reuse_api import REUSE_ENDPOINTS
from .feeds.sitemap import write_sitemaps
from .model import Catalog, Dataset
from .policy import Audience, publishes_data
from .runtime.cache import (
    BuildCache,
    CatalogDigest,
    check_cache_location,
    decode,
    encode,
    tree_digest,
)
from .runtime.output import OutputTree, WrittenFile
from .runtime.parallel import DatasetPool, Running
from .runtime.progress import NoProgress, Progress
from .search import start_search_index
from .site.apidocs import render_api_docs
from .site.render import TEMPLATES, SitePages, render_site
from .site.tombstones import render_tombstones
from .site.vendor import require_vendored

log = logging.getLogger(__name__)

NOTHING_PUBLISHED = "目录有错误，未发布任何内容 / the catalog has errors; nothing was published"


@dataclass
class BuildResult:
    out_dir: Path
    datasets: int
    published: int
    files: int
    seconds: float
    problems: ProblemList
    stages: dict[str, float] = field(default_factory=dict)  # stage -> seconds, in order
    by_open_type: dict[str, int] = field(default_factory=dict)  # open type -> datasets
    cache: dict[str, int] = field(default_factory=dict)  # e.g. validate_hit, derive_miss
    up_to_date: bool = False  # the output already was this build: nothing was written
    history_recorded: int = 0  # datasets whose changelog this build wrote into the catalog
    held_back: list[holdback.HeldBack] = field(default_factory=list)  # left out, and why
    published_ids: list[str] = field(default_factory=list)  # datasets this build published
    audience: str = "public"  # by_open_type counts share types' levels for "share"


@dataclass
class BuildRun:
    """What one build was asked to do, and the figures it gathers on the way."""

    catalog_dir: Path
    out_dir: Path
    strict: bool
    jobs: int | None
    cache: BuildCache
    progress: Progress
    record_history: bool
    started: float
    today: dt.date
    stages: dict[str, float] = field(default_factory=dict)
    fingerprint: str = ""
    all_or_nothing: bool = False  # one dataset's error stops the whole build
    audience: Audience = Audience.PUBLIC  # the portal, or the sharing catalog

    @property
    def publish_key(self) -> str:
        return str(self.out_dir.resolve())


def build_date() -> dt.date:
    """Today, or the date of SOURCE_DATE_EPOCH for reproducible builds."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC).date()
    return dt.date.today()


def _fingerprint(
    digest: CatalogDigest, strict: bool, today: dt.date, audience: Audience = Audience.PUBLIC
) -> str:
    """Everything a build's output depends on, in one hash."""
    return digest.whole(
        tree_digest(TEMPLATES), f"strict={strict}", f"date={today}", f"audience={audience}"
    )


def _isolate(
    run: BuildRun, catalog: Catalog, problems: ProblemList
) -> tuple[Catalog, dict[str, tuple[str, int]]]:
    """The catalog this build publishes, and the datasets it holds back (holdback.py).

    A blocking problem that names no dataset (site.yaml, publishers.yaml) stops everything,
    as does any blocking problem under --all-or-nothing, or every dataset held back.
    """
    blocking = holdback.blocking(problems.items, run.strict)
    if blocking and (run.all_or_nothing or any(not p.dataset for p in blocking)):
        raise CatalogError(NOTHING_PUBLISHED, problems.items)
    kept, held = holdback.partition(catalog, problems.items, run.strict)
    if held and not kept.datasets:  # nothing to publish: the previous site stays whole
        raise CatalogError(NOTHING_PUBLISHED, problems.items)
    return kept, held


def build(
    catalog_dir: Path,
    out_dir: Path,
    strict: bool = False,
    jobs: int | None = None,
    *,
    use_cache: bool = True,
    cache_dir: Path | None = None,
    progress: Progress | None = None,
    record_history: bool = False,
    all_or_nothing: bool = False,
    audience: Audience | str = Audience.PUBLIC,
) -> BuildResult:
    """Check, then build into a staging folder and swap it into out_dir.

    jobs: worker processes for validation and derivation (None: one per CPU).
    use_cache: reuse the results of unchanged datasets from cache_dir (default
    .kaifang-cache/ beside out_dir), and do nothing when out_dir already is this build.
    record_history: after publishing, write each dataset's changelog and replaced files
    into the catalog's history/ folder (publishing builds; never previews).
    all_or_nothing: publish nothing when any dataset has errors (by default such a dataset
    is held back with its last published version, and the rest is published).
    audience: "share" builds the sharing catalog (共享目录) for the government network:
    share types decide what is published, no public feed is written, and the catalog's
    history/ is never written (it records what the public portal published).
    """
    audience = Audience(audience)
    started = time.perf_counter()
    publish.guard_out_dir(catalog_dir, out_dir)  # before the lock, cache or staging exist
    if use_cache and cache_dir is not None:
        check_cache_location(out_dir, cache_dir)  # before anything is touched: exit 2
    with publish.build_lock(out_dir):
        publish.clean_leftovers(out_dir)  # also when this build turns out up to date
        cache = open_cache(out_dir, use_cache, cache_dir)
        run = BuildRun(
            catalog_dir,
            out_dir,
            strict,
            jobs,
            cache,
            progress or NoProgress(),
            record_history and audience is Audience.PUBLIC,
            started,
            build_date(),
            all_or_nothing=all_or_nothing,
            audience=audience,
        )
        try:
            return _up_to_date(run) or _build(run)
        finally:
            gc.unfreeze()  # what _build froze is collectable again
            cache.close()


def _up_to_date(run: BuildRun) -> BuildResult | None:
    """The result of the build already in out_dir, when its whole input is unchanged."""
    cache = run.cache
    if not cache.enabled:
        return None
    with timed(run.stages, "hash"):
        cache.digest = CatalogDigest.of(run.catalog_dir, run.jobs)
        run.fingerprint = _fingerprint(cache.digest, run.strict, run.today, run.audience)
        previous = cache.get("publish", run.publish_key)
    if (
        previous is None
        or previous["fingerprint"] != run.fingerprint
        or publish.manifest(run.out_dir.resolve()) != previous["files"]
        or (run.all_or_nothing and previous["summary"].get("held_back"))
    ):
        return None
    cache.put("publish", run.publish_key, previous)
    cache.flush()
    summary = previous["summary"]
    return BuildResult(
        out_dir=run.out_dir,
        datasets=summary["datasets"],
        published=summary["published"],
        files=summary["files"],
        seconds=time.perf_counter() - run.started,
        problems=ProblemList(decode(list[Problem], summary["problems"])),
        stages=run.stages,
        by_open_type=summary["by_open_type"],
        cache=dict(cache.stats),
        up_to_date=True,
        held_back=decode(list[holdback.HeldBack], summary.get("held_back", [])),
        published_ids=summary.get("published_ids", []),
        audience=run.audience.value,
    )


def _build(run: BuildRun) -> BuildResult:
    stages, jobs, cache, progress = run.stages, run.jobs, run.cache, run.progress
    with timed(stages, "load"):
        catalog, problems = load_catalog(run.catalog_dir, jobs)
    if catalog is None:
        raise CatalogError(NOTHING_PUBLISHED, problems.items)
    require_vendored()  # the site's JavaScript from node_modules, before anything is written
    publish.pause_point("loaded")
    with DatasetPool(catalog, jobs) as pool:
        with (
            timed(stages, "validate"),
            progress.stage("validate", len(catalog.datasets)) as advance,
        ):
            reports = validate_catalog(catalog, problems, pool, cache, advance)
        catalog = for_audience(catalog, run.audience)  # checked as written, published as seen
        full = catalog
        catalog, held = _isolate(run, catalog, problems)
        publish.pause_point("validated")
        staging = publish.make_staging(run.out_dir)
        try:
            out = OutputTree(staging)
            published = _derive(run, catalog, out, pool, problems)
            catalog = _hold_late(run, catalog, held, published, out, problems)
            pool.close()  # the remaining stages start workers of their own
            # what the build holds now lives to its end: spared from the collector's full
            # passes (a fifth of the render stage's own CPU) and from the forked workers'
            gc.freeze()
            with timed(stages, "history"):
                held_back, kept, previous = holdback.restore(full, held, cache, run.out_dir, out)
                histories, stones = _history(run, full, catalog, held, published, out, problems)
            listed, shown, versions = _with_previous(catalog, published, previous)
            records = build_records(listed, shown, versions)
            catalogs = _start_catalogs(run, listed, records, out, stones)
            with catalogs, timed(stages, "render"):
                qualities = assess_catalog(catalog, reports, published, problems.items)
                # the dataset pages render in workers while this process writes the list
                # pages, the validation files and the feeds
                site = render_site(
                    listed,
                    shown,
                    {i: r for i, r in reports.items() if i not in held},  # none of a failed update
                    out,
                    run.today,
                    qualities,
                    jobs,
                    cache,
                    progress,
                    histories,
                    versions,
                )
                with site:
                    write_validation_files(catalog, qualities, out)
                    with timed(stages, "feeds"):
                        _feeds(run, site, listed, records, shown, out, histories, stones, catalogs)
            publish.pause_point("rendered")
            memory = holdback.Memory(cache, run.out_dir, catalog, out, kept, published)
            read = _index_and_audit(run, catalog, listed, records, out, problems, memory.prepare)
            publish.pause_point("before-swap")
            with timed(stages, "publish"):
                publish.swap_into_place(staging, run.out_dir)
        except BaseException:
            publish.discard(staging)
            raise
    publish.pause_point("after-swap")
    memory.remember()
    tiles = catalog.site.map.tiles if catalog.site.map else ""
    write_server_configs(run.out_dir, catalog.site.base_url, run.audience is Audience.SHARE, tiles)
    return _finish(run, catalog, problems, published, out, histories, held_back, read)


def _feeds(
    run: BuildRun,
    site: SitePages,
    catalog: Catalog,
    records: list[DatasetRecord],
    published: dict[str, PublishedDataset],
    out: OutputTree,
    histories: dict[str, history.DatasetHistory],
    stones: list,
    catalogs: Running[dict[str, WrittenFile]],
) -> None:
    """The feeds stage, and the pages that need its records (tombstones, the API's page).
    The sharing catalog has no public feeds."""
    if run.audience is not Audience.PUBLIC:
        return
    render_tombstones(site, stones)
    write_feeds(
        catalog, records, published, out, histories, run.record_history, stones, run.jobs, catalogs
    )
    render_api_docs(catalog, records, out, ENDPOINTS + REUSE_ENDPOINTS, site)


def _start_catalogs(
    run: BuildRun,
    catalog: Catalog,
    records: list[DatasetRecord],
    out: OutputTree,
    stones: list,
) -> Running[dict[str, WrittenFile]]:
    """DCAT-AP and data.json, started before the render stage: with two jobs their process
    runs while this one makes the views and keys on one core, before the page workers
    start (the second core was idle then). The sharing catalog has no public feeds."""
    if run.audience is not Audience.PUBLIC:
        return Running(done=[{}])
    return start_catalogs(catalog, records, out, stones, run.jobs)


def _with_previous(
    catalog: Catalog,
    published: dict[str, PublishedDataset],
    previous: dict[str, holdback.Previous],
) -> tuple[Catalog, dict[str, PublishedDataset], dict[str, str]]:
    """The catalog the lists, feeds and search index show: the published datasets and the
    previous versions of those held back (holdback.py), with the dates of the versions whose
    pages were copied; a restricted one is there with its restriction and no file."""
    if not previous:
        return catalog, published, {}
    datasets = sorted(catalog.datasets + tuple(p.dataset for p in previous.values()), key=_id)
    shown = dict(published)
    shown.update({i: p.published for i, p in previous.items() if p.published is not None})
    # a restricted one (not copied) is listed and rendered as the restriction makes it
    versions = {i: p.version for i, p in previous.items() if p.copied}
    return replace(catalog, datasets=tuple(datasets)), shown, versions


def _id(ds: Dataset) -> str:
    return ds.id


def _audited(catalog: Catalog, listed: Catalog) -> Catalog:
    """What the audit reads: the datasets published now, and the previous versions of held-
    back derivatives whose source is published now (what their rules make of it is public).
    The other previous versions' files are exactly those an earlier audit passed (sha256);
    their current, failing data is not read."""
    now = {ds.id for ds in catalog.datasets}
    extra = tuple(
        ds
        for ds in listed.datasets
        if ds.id not in now and ds.derived_from in now and holdback.linked(ds)
    )
    return replace(catalog, datasets=catalog.datasets + extra) if extra else catalog


def _index_and_audit(
    run: BuildRun,
    catalog: Catalog,
    listed: Catalog,
    records: list[DatasetRecord],
    out: OutputTree,
    problems: ProblemList,
    meanwhile: Callable[[], None] | None = None,
) -> dict[str, list[int]] | None:
    """Search index (in its own process), sitemaps, compressed copies, then the audit of
    the whole staging tree, which reads the index last; raises when anything must stop
    the build, else returns the size and mtime of every file the audit read (what
    ``publish.manifest`` gives of the tree once swapped in; None if it could not say).
    ``listed`` adds the previous versions of held-back datasets to ``catalog``, the
    datasets published now, which the audit reads. This process builds the audit's value
    index while the compress workers run, and does its part of the audit (and
    ``meanwhile``, work it would do after the audit) while the audit's workers scan."""
    stages = run.stages
    with start_search_index(out, catalog.site.languages) as indexing:
        with timed(stages, "sitemaps"):
            if run.audience is Audience.PUBLIC:
                write_sitemaps(listed, records, out)
            else:  # internal: no crawler is invited, and none is told where to go
                out.write_text("robots.txt", "User-agent: *\nDisallow: /\n")
        # before the audit, which reads them too; its value index is built meanwhile
        with timed(stages, "compress"), start_precompress(out, run.cache, run.jobs) as zipping:
            audited = _audited(catalog, listed)
            secrets = SecretIndex(audited)
            proofs = zipping.result().proofs
        with timed(stages, "audit"):  # reads the search index last, once it is built
            audit_result = audit(out.root, audited, run.jobs, indexing, proofs, secrets, meanwhile)
    stages["search"] = indexing.seconds
    # the recall check: a dataset its own title or identifier does not find
    missed = list(indexing.finish().problems)
    problems.extend(missed)
    if run.strict and missed:
        raise CatalogError(NOTHING_PUBLISHED, missed)
    if not audit_result.ok:
        raise AuditError(
            "审计未通过，未发布任何内容 / the audit failed; nothing was published",
            audit_result.problems(),
        )
    return audit_result.stats


def _derive(
    run: BuildRun, catalog: Catalog, out: OutputTree, pool: DatasetPool, problems: ProblemList
) -> dict[str, PublishedDataset]:
    """Downloads, previews and statistics of every published dataset."""
    with (
        timed(run.stages, "derive"),
        run.progress.stage("derive", len(catalog.datasets)) as bar,
    ):

        def advance(n: int) -> None:
            bar(n)
            publish.pause_point("deriving")  # files of some datasets are written

        return derive_catalog(catalog, out, pool, run.cache, advance)


def _hold_late(
    run: BuildRun,
    catalog: Catalog,
    held: dict[str, tuple[str, int]],
    published: dict[str, PublishedDataset],
    out: OutputTree,
    problems: ProblemList,
) -> Catalog:
    """A derivative whose smallest group (measured while deriving) is too small is held
    back like any failing dataset; it stops the build under --all-or-nothing, or when
    nothing would be left to publish."""
    risky = group_size_problems(catalog, published)
    if not risky:
        return catalog
    problems.extend(risky)
    if run.all_or_nothing:
        raise CatalogError(NOTHING_PUBLISHED, problems.items)
    kept = holdback.hold_late(catalog, held, risky, published, out)
    if not kept.datasets:
        raise CatalogError(NOTHING_PUBLISHED, problems.items)
    return kept


def _history(
    run: BuildRun,
    full: Catalog,
    catalog: Catalog,
    held: dict[str, tuple[str, int]],
    published: dict[str, PublishedDataset],
    out: OutputTree,
    problems: ProblemList,
) -> tuple[dict[str, history.DatasetHistory], list[tombstones.Tombstone]]:
    """Each published dataset's changelog and kept files, and the tombstones of removed
    datasets (their records gain a ``removed`` entry, saved with the others)."""
    histories = history.plan(catalog, published, run.out_dir.resolve(), run.today)
    history.publish_archives(catalog, histories, out)
    for item in histories.values():
        problems.extend(item.withdrawn)
    known = {ds.id for ds in full.datasets} | set(held)
    stones, removed = tombstones.find(catalog, known, run.today)
    return histories | removed, stones


def _quotes_cells(catalog: Catalog, problems: ProblemList) -> bool:
    """Whether a warning names a row of non-open data: the build is then not remembered
    (the record keeps its problems), so no cell of such data reaches the cache."""
    for p in problems.items:
        if p.row is None or not p.dataset:
            continue
        if not any(ds.id == p.dataset and publishes_data(ds.open_type) for ds in catalog.datasets):
            return True
    return False


def _finish(
    run: BuildRun,
    catalog: Catalog,
    problems: ProblemList,
    published: dict[str, PublishedDataset],
    out: OutputTree,
    histories: dict[str, history.DatasetHistory],
    held_back: list[holdback.HeldBack],
    read: dict[str, list[int]] | None = None,
) -> BuildResult:
    """Record the history of what was published, and remember this build in the cache.
    ``read``: the size and mtime of every published file, as the audit read it (nothing
    writes to the tree after the audit, and the swap is a rename): the published tree is
    then not walked again, on one core, after the swap (0.1-0.3 CPU-s per 1,000 datasets)."""
    cache = run.cache
    recorded = 0
    if run.record_history:
        recorded = history.save(catalog, histories, run.today)
        if recorded and cache.enabled:  # the record is input too: fingerprint it as saved
            cache.digest = CatalogDigest.of(run.catalog_dir, run.jobs)
            run.fingerprint = _fingerprint(cache.digest, run.strict, run.today, run.audience)
    by_open_type = dict(Counter(ds.open_type.value for ds in catalog.datasets))
    summary = {
        "datasets": len(catalog.datasets),
        "published": len(published),
        "files": len(out.files),
        "problems": encode(problems.items),
        "by_open_type": by_open_type,
        "history_recorded": 0,
        "held_back": encode(held_back),
        "published_ids": [ds.id for ds in catalog.datasets],
    }
    if cache.enabled and not _quotes_cells(catalog, problems):
        record = {
            "fingerprint": run.fingerprint,
            "files": read if read is not None else publish.manifest(run.out_dir.resolve()),
            "summary": summary,
        }
        cache.put("publish", run.publish_key, record)
        cache.finish()
    return BuildResult(
        out_dir=run.out_dir,
        datasets=len(catalog.datasets),
        published=len(published),
        files=len(out.files),
        seconds=time.perf_counter() - run.started,
        problems=problems,
        stages=run.stages,
        by_open_type=by_open_type,
        cache=dict(cache.stats),
        history_recorded=recorded,
        held_back=held_back,
        published_ids=summary["published_ids"],
        audience=run.audience.value,
    )
