"""The build: every stage in order, loading and checking everything before writing.

load -> validate -> classify -> derive -> render -> feeds -> audit -> publish
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import time
from dataclasses import dataclass
from pathlib import Path

from . import publish
from .derive import derive_catalog
from .errors import CatalogError, ProblemList
from .feeds import write_feeds
from .loader import load_catalog
from .model import Catalog
from .output import OutputTree
from .render import render_site
from .validate import DatasetReport, validate_catalog

log = logging.getLogger(__name__)


@dataclass
class CheckResult:
    catalog: Catalog | None
    problems: ProblemList
    reports: dict[str, DatasetReport]

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


def build_date() -> dt.date:
    """Today, or the date of SOURCE_DATE_EPOCH for reproducible builds."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC).date()
    return dt.date.today()


def check(catalog_dir: Path) -> CheckResult:
    catalog, problems = load_catalog(catalog_dir)
    reports: dict[str, DatasetReport] = {}
    if catalog is not None:
        reports = validate_catalog(catalog, problems)
    return CheckResult(catalog, problems, reports)


def build(catalog_dir: Path, out_dir: Path, strict: bool = False) -> BuildResult:
    started = time.perf_counter()
    result = check(catalog_dir)
    if result.catalog is None or result.failed(strict):
        raise CatalogError(
            "目录有错误，未发布任何内容 / the catalog has errors; nothing was published",
            result.problems.items,
        )
    catalog = result.catalog
    staging = publish.make_staging(out_dir)
    try:
        out = OutputTree(staging)
        published = derive_catalog(catalog, out)
        render_site(catalog, published, result.reports, out, build_date())
        write_feeds(catalog, out)
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
        problems=result.problems,
    )
