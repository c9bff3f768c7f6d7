"""The build: every stage in order, loading and checking everything before writing.

load -> validate -> classify -> derive -> render -> feeds -> search -> audit -> publish

The audit reads the finished staging tree, whatever stage wrote it, and a violation stops
the build before the swap: site/ keeps the previous build.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from . import history, publish
from .audit import audit
from .cache import BuildCache, CatalogDigest, decode, default_cache_dir, encode, tree_digest
from .derive import derive_catalog
from .errors import AuditError, CatalogError, Problem, ProblemList
from .feeds import write_feeds
from .loader import load_catalog
from .model import Catalog
from .output import OutputTree
from .parallel import DatasetPool
from .progress import NoProgress, Progress
from .quality import assess_catalog, write_validation_files
from .records import DatasetRecord
from .render import TEMPLATES, render_site
from .search import BUNDLE_DIR, SEARCH_DOCS, start_search_index
from .sitemap import write_sitemaps
from .validate import DatasetReport, validate_catalog

log = logging.getLogger(__name__)


@dataclass
class CheckResult:
    catalog: Catalog | None
    problems: ProblemList
    reports: dict[str, DatasetReport]
    stages: dict[str, float] = field(default_factory=dict)  # stage -> seconds

    def failed(self, strict: bool = False) -> bool:
        return bool(self.problems.errors) or (strict and bool(self.problems.warnings))


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


def build_date() -> dt.date:
    """Today, or the date of SOURCE_DATE_EPOCH for reproducible builds."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC).date()
    return dt.date.today()


@contextmanager
def timed(stages: dict[str, float], name: str) -> Iterator[None]:
    """Add the wall time of a block to stages[name] (the benchmark prints these)."""
    started = time.perf_counter()
    try:
        yield
    finally:
        stages[name] = stages.get(name, 0.0) + time.perf_counter() - started
        log.debug("stage %s: %.3f s", name, stages[name])


def open_cache(out_dir: Path, use_cache: bool, cache_dir: Path | None) -> BuildCache:
    if not use_cache:
        return BuildCache(None)
    return BuildCache(cache_dir or default_cache_dir(out_dir))


def check(
    catalog_dir: Path,
    jobs: int | None = None,
    *,
    cache: BuildCache | None = None,
    progress: Progress | None = None,
) -> CheckResult:
    """Load and validate everything, writing nothing. jobs=None: one worker per CPU."""
    stages: dict[str, float] = {}
    progress = progress or NoProgress()
    cache = cache or BuildCache(None)
    with timed(stages, "load"):
        if cache.enabled:
            cache.digest = CatalogDigest.of(catalog_dir, jobs)
        catalog, problems = load_catalog(catalog_dir, jobs)
    reports: dict[str, DatasetReport] = {}
    if catalog is not None:
        with (
            timed(stages, "validate"),
            DatasetPool(catalog, jobs) as pool,
            progress.stage("validate", len(catalog.datasets)) as advance,
        ):
            reports = validate_catalog(catalog, problems, pool, cache, advance)
    return CheckResult(catalog, problems, reports, stages)


def _fingerprint(digest: CatalogDigest, strict: bool, today: dt.date) -> str:
    """Everything a build's output depends on, in one hash."""
    return digest.whole(tree_digest(TEMPLATES), f"strict={strict}", f"date={today}")


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
) -> BuildResult:
    """Check, then build into a staging folder and swap it into out_dir.

    jobs: worker processes for validation and derivation (None: one per CPU).
    use_cache: reuse the results of unchanged datasets from cache_dir (default
    .kaifang-cache/ beside out_dir), and do nothing when out_dir already is this build.
    record_history: after publishing, write each dataset's changelog and replaced files
    into the catalog's history/ folder (publishing builds; never previews).
    """
    started = time.perf_counter()
    with publish.build_lock(out_dir):
        cache = open_cache(out_dir, use_cache, cache_dir)
        try:
            return _build(
                catalog_dir, out_dir, strict, jobs, cache, progress, started, record_history
            )
        finally:
            cache.close()


def _build(
    catalog_dir: Path,
    out_dir: Path,
    strict: bool,
    jobs: int | None,
    cache: BuildCache,
    progress: Progress | None,
    started: float,
    record_history: bool = False,
) -> BuildResult:
    stages: dict[str, float] = {}
    progress = progress or NoProgress()
    today = build_date()
    publish_key = str(out_dir.resolve())
    fingerprint = ""
    if cache.enabled:
        with timed(stages, "hash"):
            cache.digest = CatalogDigest.of(catalog_dir, jobs)
            fingerprint = _fingerprint(cache.digest, strict, today)
            previous = cache.get("publish", publish_key)
        if (
            previous is not None
            and previous["fingerprint"] == fingerprint
            and publish.manifest(out_dir.resolve()) == previous["files"]
        ):
            cache.put("publish", publish_key, previous)
            cache.flush()
            summary = previous["summary"]
            return BuildResult(
                out_dir=out_dir,
                datasets=summary["datasets"],
                published=summary["published"],
                files=summary["files"],
                seconds=time.perf_counter() - started,
                problems=ProblemList(decode(list[Problem], summary["problems"])),
                stages=stages,
                by_open_type=summary["by_open_type"],
                cache=dict(cache.stats),
                up_to_date=True,
            )
    with timed(stages, "load"):
        catalog, problems = load_catalog(catalog_dir, jobs)
    if catalog is None:
        raise CatalogError(
            "目录有错误，未发布任何内容 / the catalog has errors; nothing was published",
            problems.items,
        )
    publish.pause_point("loaded")
    with DatasetPool(catalog, jobs) as pool:
        with (
            timed(stages, "validate"),
            progress.stage("validate", len(catalog.datasets)) as advance,
        ):
            reports = validate_catalog(catalog, problems, pool, cache, advance)
        result = CheckResult(catalog, problems, reports, stages)
        if result.failed(strict):
            raise CatalogError(
                "目录有错误，未发布任何内容 / the catalog has errors; nothing was published",
                problems.items,
            )
        publish.pause_point("validated")
        staging = publish.make_staging(out_dir)
        try:
            out = OutputTree(staging)
            with (
                timed(stages, "derive"),
                progress.stage("derive", len(catalog.datasets)) as advance,
            ):

                def derived(n: int) -> None:
                    advance(n)
                    publish.pause_point("deriving")  # files of some datasets are written

                published = derive_catalog(catalog, out, pool, cache, derived)
            pool.close()  # the remaining stages run in this process
            with timed(stages, "history"):
                histories = history.plan(catalog, published, out_dir.resolve(), today)
                for item in histories.values():
                    history.publish_archive(catalog, item, out)
            records: list[DatasetRecord] = []

            def feeds() -> None:
                # While workers render the dataset pages (so "render" includes this).
                with timed(stages, "feeds"):
                    records.extend(
                        write_feeds(
                            catalog,
                            published,
                            out,
                            histories=histories,
                            recording=record_history,
                            sitemaps=False,
                        )
                    )

            with timed(stages, "render"):
                qualities = assess_catalog(catalog, reports, published, problems.items)
                write_validation_files(catalog, qualities, out)
                render_site(
                    catalog,
                    published,
                    reports,
                    out,
                    today,
                    qualities=qualities,
                    jobs=jobs,
                    cache=cache,
                    progress=progress,
                    histories=histories,
                    meanwhile=feeds,
                )
            publish.pause_point("rendered")
            # Pagefind indexes the search documents in its own process while this one
            # writes the sitemaps and audits every file outside pagefind/ and the
            # documents; then the audit reads whatever it has not read yet.
            with timed(stages, "search"):
                indexing = start_search_index(out, catalog.site.languages)
            try:
                with timed(stages, "sitemaps"):
                    write_sitemaps(catalog, records, out)

                def finish_search() -> None:
                    with timed(stages, "search"):
                        indexing.finish()

                with timed(stages, "audit"):  # includes waiting for Pagefind
                    # Reads the whole staging tree, whatever stage wrote it.
                    audit_result = audit(
                        staging,
                        catalog,
                        jobs,
                        later=(BUNDLE_DIR + "/", SEARCH_DOCS),
                        meanwhile=finish_search,
                    )
            finally:
                indexing.stop()
            if not audit_result.ok:
                raise AuditError(
                    "审计未通过，未发布任何内容 / the audit failed; nothing was published",
                    audit_result.problems(),
                )
            publish.pause_point("before-swap")
            with timed(stages, "publish"):
                publish.swap_into_place(staging, out_dir)
        except BaseException:
            publish.discard(staging)
            raise
    publish.pause_point("after-swap")
    recorded = 0
    if record_history:
        recorded = history.save(catalog, histories, today)
        if recorded and cache.enabled:  # the record is input too: fingerprint it as saved
            cache.digest = CatalogDigest.of(catalog_dir, jobs)
            fingerprint = _fingerprint(cache.digest, strict, today)
    by_open_type = dict(Counter(ds.open_type.value for ds in catalog.datasets))
    summary = {
        "datasets": len(catalog.datasets),
        "published": len(published),
        "files": len(out.files),
        "problems": encode(problems.items),
        "by_open_type": by_open_type,
        "history_recorded": 0,
    }
    if cache.enabled:
        record = {
            "fingerprint": fingerprint,
            "files": publish.manifest(out_dir.resolve()),
            "summary": summary,
        }
        cache.put("publish", publish_key, record)
        cache.finish()
    return BuildResult(
        out_dir=out_dir,
        datasets=len(catalog.datasets),
        published=len(published),
        files=len(out.files),
        seconds=time.perf_counter() - started,
        problems=problems,
        stages=stages,
        by_open_type=by_open_type,
        cache=dict(cache.stats),
        history_recorded=recorded,
    )
