"""Search stage (7): Kaifang's own static search index over the search documents.

Why not Pagefind any more (measured, see bench/search_bench.py and the README): Pagefind
1.5 segments the index with jieba and the query with the browser's ``Intl.Segmenter``, so
exact titles such as 公交线路及站点信息 were not found at all; and at 100,000 pages every
cold query loaded a 653 KB metadata file and the index held 100,000+ files. This index
uses character bigrams (generator/search/text.py, mirrored in templates/static/
search-core.js), shards postings by token hash into a few hundred small files, and keeps
the documents in chunks of 32: a cold query reads meta.json, one shard per token and the
chunks of the ten results it shows.

The index is built in a worker process (``python -m generator.search.worker``) beside the
build, which meanwhile writes the sitemaps and audits the rest of the tree; the audit calls
:meth:`Indexing.finish` before it reads the index. The worker also runs the recall check:
every listed dataset must be in the top 3 for its own title and identifier.
"""

from __future__ import annotations

import gzip
import json
import logging
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import KaifangError, Problem
from ..runtime.output import OutputTree
from ..site import SEARCH_DOCS

log = logging.getLogger(__name__)

BUNDLE_DIR = "search-index"
TIMEOUT_SECONDS = 900


class SearchIndexError(KaifangError):
    """The indexer failed: a Kaifang bug or a broken installation, not a catalog mistake."""


@dataclass(frozen=True)
class SearchIndex:
    files: int
    bytes: int
    pages: int
    problems: tuple[Problem, ...] = field(default=())


class Indexing:
    """The index being built in its own process (start_search_index). Leaving a ``with``
    block stops it."""

    def __init__(self, out: OutputTree, process: subprocess.Popen[bytes], log_file: Any) -> None:
        self.out = out
        self.process = process
        self.log_file = log_file
        self.started = time.time()  # the worker reports when it finished on this clock
        self.seconds = 0.0  # from start to the index written (not to when it was asked for)
        self.result: SearchIndex | None = None

    @property
    def folders(self) -> tuple[str, ...]:
        """Where the indexer reads and writes until :meth:`finish`: nothing there is final."""
        return (BUNDLE_DIR + "/", SEARCH_DOCS)

    def __enter__(self) -> Indexing:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        """Kill the indexer (the build failed elsewhere); safe to call more than once."""
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        self.log_file.close()

    def done(self) -> bool:
        """Whether the indexer has ended (:meth:`finish` then does not wait)."""
        return self.result is not None or self.process.poll() is not None

    def finish(self) -> SearchIndex:
        """Wait for the indexer, register its files, remove the search documents."""
        if self.result is not None:
            return self.result
        try:
            code = self.process.wait(timeout=TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired as exc:
            self.stop()
            raise SearchIndexError(
                f"搜索索引超时 / the search index timed out after {TIMEOUT_SECONDS} s"
            ) from exc
        asked = time.time()
        self.log_file.seek(0)
        output = self.log_file.read().decode("utf-8", "replace")
        self.log_file.close()
        if code != 0:
            raise SearchIndexError(
                f"生成搜索索引失败 / building the search index failed (exit {code}):\n"
                f"{output.strip()[-2000:]}"
            )
        report = json.loads(output.strip().splitlines()[-1])
        self.seconds = max(0.0, min(asked, report.get("finished", asked)) - self.started)
        out = self.out
        out.remove_under(SEARCH_DOCS)
        total = count = 0
        for rel in report["files"]:
            written = out.register(rel)
            total += written.size
            count += 1
        problems = tuple(Problem(**p) for p in report["problems"])
        log.info("search index: %d files, %d bytes, %d pages", count, total, report["pages"])
        self.result = SearchIndex(count, total, report["pages"], problems)
        return self.result


def start_search_index(out: OutputTree, languages: Sequence[str] = ("zh", "en")) -> Indexing:
    """Start the indexer on the search documents already in the output tree; nothing else
    may write under search-index/ or the search documents until :meth:`Indexing.finish`."""
    if (out.root / BUNDLE_DIR).exists():
        raise SearchIndexError(f"{BUNDLE_DIR}/ already exists in the output: a Kaifang bug")
    (out.root / SEARCH_DOCS).mkdir(exist_ok=True)
    command = [sys.executable, "-m", "generator.search.worker", str(out.root), *languages]
    env = dict(os.environ)
    package_root = str(Path(__file__).resolve().parent.parent.parent)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (package_root, env.get("PYTHONPATH")) if p)
    log_file = tempfile.TemporaryFile()
    try:
        process = subprocess.Popen(
            command, stdout=log_file, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env
        )
    except OSError as exc:
        log_file.close()
        raise SearchIndexError(f"搜索索引无法运行 / the indexer could not run: {exc}") from exc
    return Indexing(out, process, log_file)


def read_bundle_file(path: Path) -> bytes:
    """The decompressed content of one index file, for audits and tests."""
    data = path.read_bytes()
    return gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data


def read_bundle_text(path: Path) -> str:
    return read_bundle_file(path).decode("utf-8", "replace")
