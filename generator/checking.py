"""`kaifang check`: load and validate everything, writing nothing.

Apart from build.py so that the check command imports only the stages it runs (catalog,
checks, the history records, the group sizes): not the renderer, the feeds, the search
indexer or the audit, whose imports alone took about 0.35 s of a check's start-up.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from . import history
from .catalog.loader import load_catalog
from .checks.validate import DatasetReport, validate_catalog
from .data.risk import check_group_sizes
from .errors import ProblemList
from .model import Catalog
from .runtime.cache import BuildCache, CatalogDigest, default_cache_dir
from .runtime.parallel import DatasetPool
from .runtime.progress import NoProgress, Progress

log = logging.getLogger(__name__)


@dataclass
class CheckResult:
    catalog: Catalog | None
    problems: ProblemList
    reports: dict[str, DatasetReport]
    stages: dict[str, float] = field(default_factory=dict)  # stage -> seconds

    def failed(self, strict: bool = False) -> bool:
        return bool(self.problems.errors) or (strict and bool(self.problems.warnings))


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
        problems.extend(history.check_records(catalog))  # a build reads them in its history stage
        if not problems.errors:  # a build measures while deriving; check reads for it
            with timed(stages, "risk"):
                problems.extend(check_group_sizes(catalog))
    return CheckResult(catalog, problems, reports, stages)
