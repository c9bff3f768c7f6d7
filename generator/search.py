"""Search stage (7): the full-text search index, built by Pagefind over the rendered pages.

Why Pagefind (extended build, from PyPI as ``pagefind[extended]``): it segments Chinese
into words at index time (so 公交 matches 公交线路 as a word, not as a substring scan),
splits the index into small chunks by word so a browser downloads only the chunks a query
needs (a cold query on 10,000 datasets fetches a few hundred KB, not a multi-MB JSON file),
keeps one index per page language, and supports filters and weights through plain
``data-pagefind-*`` attributes. Its binary ships inside the wheel, so nothing is fetched
at build time.

Only what templates mark with ``data-pagefind-body`` is indexed (title, description,
keywords, publisher, theme, field names); previews and statistics are never indexed.
Every file Pagefind writes is registered with the :class:`OutputTree`, so later stages
(the audit) see the index like any other output.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import logging
import os
import subprocess
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cbor2

from .errors import KaifangError
from .runtime.output import OutputTree
from .site.render import SEARCH_DOCS

log = logging.getLogger(__name__)

BUNDLE_DIR = "pagefind"
# Pagefind also writes its ready-made UI widgets; the portal has its own small script.
UNUSED_BUNDLE_FILES = (
    "pagefind-ui.js",
    "pagefind-ui.css",
    "pagefind-modular-ui.js",
    "pagefind-modular-ui.css",
    "pagefind-component-ui.js",
    "pagefind-component-ui.css",
    "pagefind-highlight.js",
)
TIMEOUT_SECONDS = 600
SIGNATURE = b"pagefind_dcd"  # what Pagefind puts before each decompressed index file
WORD_BREAK = "\u200b"  # the segmenter joins Chinese words with zero-width spaces


class SearchIndexError(KaifangError):
    """Pagefind is missing or failed: a broken installation, not a catalog mistake."""


@dataclass(frozen=True)
class SearchIndex:
    files: int
    bytes: int
    pages: int


def pagefind_executable() -> Path:
    """The extended Pagefind binary from the ``pagefind_bin_extended`` wheel."""
    try:
        from pagefind_bin_extended import get_executable  # type: ignore[import-untyped]
    except ImportError as exc:
        raise SearchIndexError(
            "未安装 Pagefind 扩展版，无法生成中文搜索索引 / Pagefind (extended) is not "
            "installed, so the Chinese search index cannot be built. "
            "提示 / hint: pip install 'pagefind[extended]' (make build does this)"
        ) from exc
    return Path(get_executable())


def dataset_pages_glob(languages: Sequence[str]) -> str:
    """The search documents of the dataset pages, relative to SEARCH_DOCS."""
    folders = [("" if lang == "zh" else f"{lang}/") + "datasets" for lang in languages]
    joined = folders[0] if len(folders) == 1 else "{" + ",".join(folders) + "}"
    return f"{joined}/*/index.html"


class Indexing:
    """Pagefind running in the background over the search documents (start_search_index);
    the build writes the sitemaps and audits the rest of the tree meanwhile, and the audit
    calls :meth:`finish` before it reads the index. Leaving a ``with`` block stops it."""

    def __init__(self, out: OutputTree, process: subprocess.Popen[bytes], log_file: Any) -> None:
        self.out = out
        self.process = process
        self.log_file = log_file
        self.started = time.perf_counter()
        self.seconds = 0.0  # from start to finish, once finished

    @property
    def folders(self) -> tuple[str, ...]:
        """Where Pagefind reads and writes until :meth:`finish`: nothing there is final."""
        return (BUNDLE_DIR + "/", SEARCH_DOCS)

    def __enter__(self) -> Indexing:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        """Kill Pagefind (the build failed elsewhere); safe to call more than once."""
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        self.log_file.close()

    def finish(self) -> SearchIndex:
        """Wait for Pagefind, register the bundle files, remove the search documents."""
        try:
            code = self.process.wait(timeout=TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired as exc:
            self.stop()
            raise SearchIndexError(
                f"Pagefind 超时 / Pagefind timed out after {TIMEOUT_SECONDS} s"
            ) from exc
        self.seconds = time.perf_counter() - self.started
        self.log_file.seek(0)
        output = self.log_file.read().decode("utf-8", "replace")
        self.log_file.close()
        if code != 0:
            raise SearchIndexError(
                f"Pagefind 生成索引失败 / Pagefind failed (exit {code}):\n{output.strip()[-2000:]}"
            )
        out = self.out
        bundle = out.root / BUNDLE_DIR
        out.remove_under(SEARCH_DOCS)
        for name in UNUSED_BUNDLE_FILES:
            (bundle / name).unlink(missing_ok=True)
        make_reproducible(bundle)
        total = 0
        count = 0
        for path in sorted(p for p in bundle.rglob("*") if p.is_file()):
            written = out.register(path.relative_to(out.root).as_posix())
            total += written.size
            count += 1
        pages = sum(1 for rel in out.files if rel.startswith(f"{BUNDLE_DIR}/fragment/"))
        log.info("search index: %d files, %d bytes, %d pages", count, total, pages)
        return SearchIndex(files=count, bytes=total, pages=pages)


def start_search_index(out: OutputTree, languages: Sequence[str] = ("zh", "en")) -> Indexing:
    """Start Pagefind on the search documents already in the output tree. It runs beside
    the build (its own process, and threads), which meanwhile writes the feeds; nothing
    else may write under pagefind/ or the search documents until :meth:`Indexing.finish`."""
    binary = pagefind_executable()
    bundle = out.root / BUNDLE_DIR
    if bundle.exists():
        raise SearchIndexError(f"{BUNDLE_DIR}/ already exists in the output: a Kaifang bug")
    docs = out.root / SEARCH_DOCS
    docs.mkdir(exist_ok=True)  # a catalog with no dataset page still gets an (empty) index
    command = [
        str(binary),
        "--site",
        str(docs),
        "--glob",
        dataset_pages_glob(languages),
        "--output-path",
        str(bundle),
        "--quiet",
    ]
    env = {k: v for k, v in os.environ.items() if not k.startswith("PAGEFIND_")}
    log_file = tempfile.TemporaryFile()
    try:
        process = subprocess.Popen(
            command, stdout=log_file, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env
        )
    except OSError as exc:
        log_file.close()
        raise SearchIndexError(f"Pagefind 无法运行 / Pagefind could not run: {exc}") from exc
    return Indexing(out, process, log_file)


def _decode(path: Path) -> Any:
    return cbor2.loads(read_bundle_file(path))


def _encode(value: Any) -> bytes:
    return gzip.compress(SIGNATURE + cbor2.dumps(value), compresslevel=9, mtime=0)


def _replace(old: Path, folder: Path, prefix: str, lang: str, data: bytes, suffix: str) -> str:
    """Write data under a name made from its own hash, remove the old file, return the hash
    part of the name as the bundle refers to it."""
    name = f"{lang}_{hashlib.sha256(data).hexdigest()[:16]}"
    old.unlink()
    (folder / f"{prefix}{name}{suffix}").write_bytes(data)
    return name


def make_reproducible(bundle: Path) -> None:
    """Make the bundle byte-identical across runs of the same site.

    Pagefind writes the values inside each filter file, the filter list in each language's
    meta file and the languages in pagefind-entry.json in hash-map order, which changes
    from run to run. The content is the same, so sort it, rewrite those files (names are
    content hashes, so renamed with them) and point the meta and entry files at them.
    Everything else Pagefind writes is already deterministic.
    """
    entry_path = bundle / "pagefind-entry.json"
    entry = json.loads(entry_path.read_text(encoding="utf-8"))
    languages = {}
    for lang, info in sorted(entry["languages"].items()):
        meta_path = bundle / f"pagefind.{info['hash']}.pf_meta"
        meta = _decode(meta_path)
        if not (
            isinstance(meta, list)
            and len(meta) > 3
            and meta[0] == entry["version"]
            and all(isinstance(pair, list) and len(pair) == 2 for pair in meta[3])
        ):
            raise SearchIndexError(
                f"Pagefind {entry.get('version')} wrote a meta file Kaifang does not know; "
                "use the Pagefind version pinned in pyproject.toml"
            )
        filters = []
        for name, file_hash in sorted(meta[3]):
            path = bundle / "filter" / f"{file_hash}.pf_filter"
            key, values = _decode(path)
            data = _encode([key, sorted(values, key=lambda value: value[0])])
            filters.append([name, _replace(path, path.parent, "", lang, data, ".pf_filter")])
        meta[3] = filters
        meta_hash = _replace(meta_path, bundle, "pagefind.", lang, _encode(meta), ".pf_meta")
        languages[lang] = {**info, "hash": meta_hash}
    entry["languages"] = languages
    entry_path.write_text(
        json.dumps(entry, ensure_ascii=False, separators=(",", ":")), encoding="utf-8"
    )


def read_bundle_file(path: Path) -> bytes:
    """The decompressed content of one Pagefind index file (``*.pf_*``), for audits and
    tests that must see what the browser will read; other bundle files as they are."""
    data = path.read_bytes()
    if not path.suffix.startswith(".pf_"):
        return data
    raw = gzip.decompress(data)
    return raw[len(SIGNATURE) :] if raw.startswith(SIGNATURE) else raw


def read_bundle_text(path: Path) -> str:
    """Decompressed index file as text, with the zero-width spaces that the Chinese word
    segmenter puts between words removed, so a value can be looked for as written."""
    return read_bundle_file(path).decode("utf-8", "replace").replace(WORD_BREAK, "")
