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
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from . import publish
from .audit import audit
from .derive import derive_catalog
from .errors import AuditError, CatalogError, ProblemList
from .feeds import write_feeds
from .loader import load_catalog
from .model import Catalog
from .output import OutputTree
from .parallel import DatasetPool
from .quality import assess_catalog, write_validation_files
from .render import render_site
from .search import build_search_index
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


def check(catalog_dir: Path, jobs: int | None = None) -> CheckResult:
    """Load and validate everything, writing nothing. jobs=None: one worker per CPU."""
    stages: dict[str, float] = {}
    with timed(stages, "load"):
        catalog, problems = load_catalog(catalog_dir, jobs)
    reports: dict[str, DatasetReport] = {}
    if catalog is not None:
        with timed(stages, "validate"), DatasetPool(catalog, jobs) as pool:
            reports = validate_catalog(catalog, problems, pool)
    return CheckResult(catalog, problems, reports, stages)


def build(
    catalog_dir: Path, out_dir: Path, strict: bool = False, jobs: int | None = None
) -> BuildResult:
    """Check, then build into a staging folder and swap it into out_dir.

    jobs: worker processes for validation and derivation (None: one per CPU).
    """
    started = time.perf_counter()
    stages: dict[str, float] = {}
    with timed(stages, "load"):
        catalog, problems = load_catalog(catalog_dir, jobs)
    if catalog is None:
        raise CatalogError(
            "目录有错误，未发布任何内容 / the catalog has errors; nothing was published",
            problems.items,
        )
    with DatasetPool(catalog, jobs) as pool:
        with timed(stages, "validate"):
            reports = validate_catalog(catalog, problems, pool)
        result = CheckResult(catalog, problems, reports, stages)
        if result.failed(strict):
            raise CatalogError(
                "目录有错误，未发布任何内容 / the catalog has errors; nothing was published",
                problems.items,
            )
        staging = publish.make_staging(out_dir)
        try:
            out = OutputTree(staging)
            with timed(stages, "derive"):
                published = derive_catalog(catalog, out, pool)
            pool.close()  # the remaining stages run in this process
            with timed(stages, "render"):
                qualities = assess_catalog(catalog, reports, published, problems.items)
                write_validation_files(catalog, qualities, out)
                render_site(
                    catalog, published, reports, out, build_date(), qualities=qualities, jobs=jobs
                )
            with timed(stages, "feeds"):
                write_feeds(catalog, published, out)
            with timed(stages, "search"):
                build_search_index(out, catalog.site.languages)
            with timed(stages, "audit"):
                # Reads the whole staging tree, whatever stage wrote it.
                audit_result = audit(staging, catalog)
            if not audit_result.ok:
                raise AuditError(
                    "审计未通过，未发布任何内容 / the audit failed; nothing was published",
                    audit_result.problems(),
                )
            with timed(stages, "publish"):
                publish.swap_into_place(staging, out_dir)
        except BaseException:
            publish.discard(staging)
            raise
    return BuildResult(
        out_dir=out_dir,
        datasets=len(catalog.datasets),
        published=len(published),
        files=len(out.files),
        seconds=time.perf_counter() - started,
        problems=problems,
        stages=stages,
    )
