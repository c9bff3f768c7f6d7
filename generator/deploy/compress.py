"""Precompressed siblings: ``page.html`` gets ``page.html.gz`` and ``page.html.br``.

A server then sends the compressed copy to a browser that accepts it without compressing
on every request (nginx ``gzip_static``/``brotli_static``, Caddy ``precompressed``). They
are written into the staging tree before the audit, so the audit reads them too (it opens
gzip and brotli), and they are byte-identical across builds: the gzip header has mtime 0
and no file name, brotli has no header to vary.

Levels, measured on the output of 200 real-sized datasets (2,529 text files, 151 MB: JSON
and CSV downloads, pages, feeds), CPU seconds of one process, size as a share of the
originals (``python -m bench.compress_levels SITE``; ``make bench`` prints it too):

    gzip   zlib 6 (Python's gzip): 13.54 % in 2.07 s   libdeflate 4: 14.57 % in 0.68 s
           libdeflate 6:           13.42 % in 1.01 s   libdeflate 8: 12.94 % in 2.86 s
    brotli 4: 13.37 % in 1.30 s    5: 11.70 % in 2.19 s    6: 11.46 % in 2.55 s
           (11: about 20 times the time of 5 for 1.5 points less, on the demo)

So gzip is libdeflate level 6 (smaller than zlib's 6 in half the time; gzip is what a
client without brotli gets) and brotli quality 5, the knee: 4 -> 5 saves 1.7 points for
0.9 s, 5 -> 6 only 0.24 points for 0.4 s. Files are compressed in worker processes, one per
CPU, and each result is kept in the build cache by the hash of the original, so an
unchanged file is not compressed again.

Which files, measured per size band on the output of 1,000 synthetic datasets (32,894
files, 9,892 text files of 1 KiB or more, which had siblings) and of 200 real-sized ones
(9,032 files, 2,667 such text files):

- Siblings only from COMPRESS_MIN_BYTES = 14 KiB. A response under ~14 KB fits in TCP's
  initial window (10 segments, RFC 6928) even uncompressed, so precompressing it saves no
  round trip, only server CPU; and the servers compress those files per request (nginx
  ``gzip on``, Caddy ``encode gzip``, level 5 from 1 KiB: see servers.py), so nothing that
  was sent compressed is sent plain. The 1-14 KiB band was 7,515 of the 9,892 originals
  (76 %: 15,030 sibling files; 1,207 of 2,667 on the real-sized output) but 29.3 MB of
  258 MB; zlib level 5 per request gives those files 9.78 MB, the precompressed gzip was
  9.82 MB (brotli 5 about 13 % less, for clients that accept it). For 1,000 synthetic
  datasets the tree went from 32,894 to 17,860 files and the stage from 5.5 to 3.7
  CPU-seconds in one process (4.1 -> 3.2 on the real-sized output, 9,032 -> 5,976 files).
- No brotli on data downloads (CSV anywhere, a resource's JSON: :func:`is_data_download`).
  They are saved, not shown, and fetched mostly by scripts and harvesters that ask for
  gzip. On the real-sized output (642 such files, 112 MB) brotli made 12.11 MB of what
  gzip makes 13.75 MB (1.5 % of the originals) for 1.25 CPU-s against gzip's 0.77; a
  browser asking for brotli gets the .gz. GeoJSON keeps its .br: the map page fetches it.
"""

from __future__ import annotations

import hashlib
import logging
import os
import zlib
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

import brotli
import deflate

from ..model import RESERVED_RESOURCE_NAMES
from ..runtime import parallel
from ..runtime.cache import BuildCache, hash_text, store_object
from ..runtime.output import OutputTree, WrittenFile
from .mediatypes import COMPRESS_MIN_BYTES, compressible

log = logging.getLogger(__name__)

GZIP_LEVEL = 6  # libdeflate's
BROTLI_QUALITY = 5
ENCODINGS = (".gz", ".br")
# Not compressed: the search documents are scratch (deleted before the audit), and the
# search index is written by its own process while this stage runs (its shards are gzip).
SKIPPED_FOLDERS = ("_search/", "search-index/")
# In the cache key of every result: a change of compressor or level compresses again
# (the encodings chosen for the file's path are in the key too).
METHOD = f"libdeflate-gzip{GZIP_LEVEL}-brotli{BROTLI_QUALITY}-checked"
# Below this many files the stage stays in this process (a few pages: forking costs more).
PARALLEL_FILES = 48


# Files this large are compressed from disk a block at a time: gzip by zlib at the same
# level (libdeflate has no streaming mode), brotli by its streaming compressor. Read whole,
# the 1.09 GB JSON of a 10M-row resource took the original plus libdeflate's output
# buffer (about twice its size) in one worker: the largest process of that build.
STREAM_BYTES = 64 << 20
STREAM_BLOCK = 1 << 20
STREAM_METHOD = f"zlib-gzip{GZIP_LEVEL}-brotli{BROTLI_QUALITY}-streamed"


def method_for(size: int) -> str:
    """The compressors' name in the cache key of a file of ``size`` bytes."""
    return STREAM_METHOD if size >= STREAM_BYTES else METHOD


def gzip_bytes(data: bytes) -> bytes:
    """gzip with libdeflate: the header holds no time and no name (the same bytes always)."""
    return deflate.gzip_compress(data, GZIP_LEVEL)


def brotli_bytes(data: bytes) -> bytes:
    return brotli.compress(data, quality=BROTLI_QUALITY)


COMPRESSORS = {".gz": gzip_bytes, ".br": brotli_bytes}


def is_data_download(rel: str) -> bool:
    """A CSV anywhere (downloads, archived versions, the statistics tables) or a resource's
    JSON download (``datasets/<id>/<resource>.json``): files that clients save rather than
    show, fetched mostly by scripts and harvesters, which ask for gzip."""
    if rel.endswith(".csv"):
        return True
    parts = rel.split("/")
    return (
        len(parts) == 3
        and parts[0] == "datasets"
        and parts[2].endswith(".json")
        and parts[2][: -len(".json")] not in RESERVED_RESOURCE_NAMES
    )


def encodings_for(rel: str) -> tuple[str, ...]:
    """The siblings a file gets: gzip always, brotli except on data downloads."""
    return (".gz",) if is_data_download(rel) else ENCODINGS


@dataclass
class CompressResult:
    files: int = 0  # originals given siblings
    written: int = 0  # siblings compressed now
    reused: int = 0  # siblings taken from the cache
    bytes_in: int = 0
    bytes_out: int = 0
    # sibling path -> (its sha256, the sha256 of the bytes it was compressed from): the
    # audit does not decompress a sibling whose file and page still have these hashes
    proofs: dict[str, tuple[str, str]] = field(default_factory=dict)


def wanted(written: WrittenFile) -> bool:
    rel = written.path
    return (
        written.size >= COMPRESS_MIN_BYTES
        and compressible(rel)
        and not rel.startswith(SKIPPED_FOLDERS)
        and not rel.endswith(ENCODINGS)
    )


@dataclass(frozen=True)
class _Where:
    """What a compressing worker needs: the staging tree, and the cache's objects."""

    root: Path
    cache_root: Path | None


def _compress_file(where: _Where, rel: str) -> tuple[int, dict[str, WrittenFile], str]:
    """Write the siblings of one file that are smaller than it; (original size, siblings,
    sha256 of the bytes compressed). Runs in a worker process: it writes only its own
    siblings' paths. The file is opened once, sized on its descriptor and read in one call
    (a stat, a second open and pathlib's joins cost more than the reading)."""
    path = os.path.join(where.root, rel)
    data = _read_small(path)
    if data is None:
        size = os.stat(path).st_size
        siblings, source = _compress_streamed(where, rel, size)
        return size, siblings, source
    out = OutputTree(where.root)
    for suffix in encodings_for(rel):
        packed = COMPRESSORS[suffix](data)
        if len(packed) < len(data):  # else a server would rather send the original
            written = out.write_bytes(rel + suffix, packed)
            if where.cache_root is not None:
                store_object(where.cache_root, out.root / written.path, written.sha256)
    siblings = {w.path[len(rel) :]: w for w in out.files.values()}
    return len(data), siblings, hashlib.sha256(data).hexdigest()


def _read_small(path: str) -> bytes | None:
    """The whole file, or None when it is STREAM_BYTES or more (compressed from disk)."""
    fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    try:
        size = os.fstat(fd).st_size
        if size >= STREAM_BYTES:
            return None
        parts = [os.read(fd, size + 1)]  # one read, and one more only if it grew
        while parts[-1] and sum(map(len, parts)) > size:
            parts.append(os.read(fd, 1 << 20))
        return b"".join(parts)
    finally:
        os.close(fd)


class _StreamedGzip:
    """gzip through zlib: mtime 0 and no file name in the header, the same bytes always."""

    def __init__(self) -> None:
        self._zlib = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, 31)

    def process(self, block: bytes) -> bytes:
        return self._zlib.compress(block)

    def finish(self) -> bytes:
        return self._zlib.flush()


def _compress_streamed(where: _Where, rel: str, size: int) -> tuple[dict[str, WrittenFile], str]:
    """_compress_file for a large file: read once, a block at a time, every sibling written
    as the blocks come; (siblings, sha256 of the bytes compressed)."""
    out = OutputTree(where.root)
    suffixes = encodings_for(rel)
    targets = [out.path_for_stream(rel + suffix) for suffix in suffixes]
    packers = [
        _StreamedGzip() if suffix == ".gz" else brotli.Compressor(quality=BROTLI_QUALITY)
        for suffix in suffixes
    ]
    digest = hashlib.sha256()
    with ExitStack() as stack:
        source = stack.enter_context(open(where.root / rel, "rb"))
        sinks = [stack.enter_context(open(target, "wb")) for target in targets]
        while block := source.read(STREAM_BLOCK):
            digest.update(block)
            for packer, sink in zip(packers, sinks, strict=True):
                sink.write(packer.process(block))
        for packer, sink in zip(packers, sinks, strict=True):
            sink.write(packer.finish())
    for suffix, target in zip(suffixes, targets, strict=True):
        if target.stat().st_size >= size:
            target.unlink()  # a server would rather send the original
            continue
        written = out.register(rel + suffix)
        if where.cache_root is not None:
            store_object(where.cache_root, target, written.sha256)
    siblings = {w.path[len(rel) :]: w for w in out.files.values()}
    return siblings, digest.hexdigest()


def precompress(
    out: OutputTree, cache: BuildCache | None = None, jobs: int | None = 1
) -> CompressResult:
    """Write a .gz and (but on data downloads) a .br beside every text file of at least
    COMPRESS_MIN_BYTES.

    A sibling is kept only when it is smaller than the original. Files are taken in path
    order and their results recorded in that order, whichever worker compressed them, so
    the result does not depend on the order in which stages wrote them or on ``jobs``
    (worker processes; None: one per CPU)."""
    return start_precompress(out, cache, jobs).result()


class Compressing:
    """The compress stage under way (:func:`start_precompress`): the siblings not in the
    cache are being compressed in worker processes while the caller goes on with work of
    its own; :meth:`result` waits for them and records them, in path order."""

    def __init__(
        self,
        out: OutputTree,
        cache: BuildCache | None,
        result: CompressResult,
        todo: list[tuple[str, str]],
        running: parallel.Running[tuple[int, dict[str, WrittenFile], str]],
    ) -> None:
        self._out, self._cache, self._result = out, cache, result
        self._todo, self._running = todo, running
        self._done = False

    def __enter__(self) -> Compressing:
        return self

    def __exit__(self, *exc: object) -> None:
        self._running.close()  # an error elsewhere: the workers stop

    def result(self) -> CompressResult:
        result, out, cache = self._result, self._out, self._cache
        if self._done:
            return result
        done = self._running.result()
        self._done = True
        for (rel, key), (size, siblings, source) in zip(self._todo, done, strict=True):
            out.adopt({rel + suffix: written for suffix, written in siblings.items()})
            result.written += len(siblings)
            result.bytes_in += size * len(siblings)
            result.bytes_out += sum(w.size for w in siblings.values())
            result.files += 1 if siblings else 0
            for suffix, written in siblings.items():
                result.proofs[rel + suffix] = (written.sha256, source)
            # cached by the hash the page was written with: only when that is what was read
            if cache is not None and source == out.files[rel].sha256:
                entries = {s: {"sha256": w.sha256, "size": w.size} for s, w in siblings.items()}
                cache.put("compress", key, {"siblings": entries})
        if cache is not None:
            cache.flush()
        log.info(
            "precompressed %d files: %d siblings written, %d reused",
            result.files,
            result.written,
            result.reused,
        )
        return result


def start_precompress(
    out: OutputTree, cache: BuildCache | None = None, jobs: int | None = 1
) -> Compressing:
    """:func:`precompress`, returning while the workers compress (see :class:`Compressing`):
    the siblings in the cache are restored first, here. Nothing may write to the output
    tree until :meth:`Compressing.result`."""
    result = CompressResult()
    cache = cache if cache is not None and cache.enabled else None
    originals = sorted((w for w in out.files.values() if wanted(w)), key=lambda w: w.path)
    todo: list[tuple[str, str]] = []  # (path, cache key) of the files compressed now
    for original in originals:
        key = hash_text(
            "compress", original.sha256, method_for(original.size), *encodings_for(original.path)
        )
        stored = cache.get("compress", key) if cache is not None else None
        if stored is not None and _restore(out, cache, original.path, stored):
            result.reused += len(stored["siblings"])
            result.files += 1 if stored["siblings"] else 0
            for suffix, entry in stored["siblings"].items():  # checked as they were restored
                result.proofs[original.path + suffix] = (entry["sha256"], original.sha256)
            continue
        todo.append((original.path, key))
    where = _Where(out.root, cache.objects_root if cache is not None else None)
    running = parallel.start_with_state(
        _compress_file, where, [rel for rel, _ in todo], jobs, threshold=PARALLEL_FILES
    )
    return Compressing(out, cache, result, todo, running)


def _restore(out: OutputTree, cache: BuildCache | None, rel: str, stored: dict) -> bool:
    """Put the cached siblings of ``rel`` in place; False when one is missing or altered."""
    assert cache is not None
    placed: dict[str, WrittenFile] = {}
    for suffix, entry in sorted(stored["siblings"].items()):
        target = rel + suffix
        if not cache.restore_file(entry["sha256"], entry["size"], out.root / target):
            for done in placed:
                (out.root / done).unlink(missing_ok=True)
            return False
        placed[target] = WrittenFile(target, entry["size"], entry["sha256"])
    out.adopt(placed)
    return True
