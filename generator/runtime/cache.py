"""The build cache: results of unchanged work, found again by the hashes of its inputs.

Where: ``.kaifang-cache/`` beside the output folder (git-ignored), never inside it, so
nothing cached can be published by accident. It holds an SQLite index (transactional: a
build killed mid-write leaves the previous index) and ``objects/``, output files named by
their sha256.

What is cached, and keyed by what (every key also holds :func:`code_fingerprint`: the
Kaifang version, the source of the generator package and the versions of the libraries
that shape output, so an upgrade or a code change empties the cache in effect):

- ``validate``: the DatasetReport of one dataset; key = hash of every file in its folder
  (descriptor, README, data) and in the folders of the datasets its desensitised
  derivatives read, + site.yaml + publishers.yaml + the hash rule's secret (hashed).
- ``derive``: the PublishedDataset and the files derive wrote; same key. A hit copies the
  files back from ``objects/`` after checking their size; a missing or damaged object is a
  miss, and the dataset is derived again.
- ``page``: one rendered page; key = templates + the repr of everything the page was
  given (typed, frozen view objects), so a page is reused only for identical input.
- ``publish``: the fingerprint of the whole input of the site now in the output folder,
  with the size and mtime of each file there. A build whose input has that fingerprint,
  into an output folder that is still exactly that tree, has nothing to do.

The units cached (validate_dataset, derive_unit) must stay pure functions of the catalog
context (site, publishers) and their dataset folder: anything else they read (the date,
other datasets) would have to join the key. Whether data may be published is asked of the
policy again at every build, for cached results too.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import functools
import hashlib
import hmac
import json
import logging
import os
import re
import shutil
import sqlite3
import sys
import types
import typing
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

from .. import __version__
from ..errors import KaifangError
from ..policy import HASH_SECRET_ENV
from . import parallel

log = logging.getLogger(__name__)

CACHE_DIRNAME = ".kaifang-cache"
FORMAT = 2  # 2: every entry carries an HMAC
KEY_ENV = "KAIFANG_CACHE_KEY"  # the cache's HMAC key; otherwise a per-user key file
KEY_FILE_ENV = "KAIFANG_CACHE_KEY_FILE"  # where that file is (default: the user's config dir)
KEEP_BUILDS = 3  # entries not used by one of the last few builds are pruned
PACKAGE = Path(__file__).resolve().parent.parent  # generator/: every stage shapes output
LIBRARIES = (
    "frictionless",
    "jinja2",
    "markdown",
    "nh3",
    "openpyxl",
    "pyarrow",  # writes the Parquet downloads
    "pyyaml",
    "pypinyin",
)

T = TypeVar("T")


def default_cache_dir(out_dir: Path) -> Path:
    return out_dir.resolve().parent / CACHE_DIRNAME


class CacheLocationError(KaifangError):
    """--cache-dir inside --out (or the same folder, or holding it): wrong usage."""

    exit_code = 2


def check_cache_location(out_dir: Path, cache_dir: Path) -> None:
    """Refuse a cache that the output tree would hold or replace, before anything is written:
    the cache holds results of non-open datasets, and the output is published whole."""
    out, cache = out_dir.resolve(), cache_dir.resolve()
    if cache == out or cache.is_relative_to(out) or out.is_relative_to(cache):
        raise CacheLocationError(
            f"缓存文件夹 {cache_dir} 不能在输出文件夹 {out_dir} 之内、与之相同或包含它"
            "（输出会整体发布）；请把 --cache-dir 设在输出文件夹之外，或省略它（默认在输出旁）"
            f" / the cache folder {cache_dir} must not be inside, equal to or contain the "
            f"output folder {out_dir} (the output is published whole); put --cache-dir "
            "outside it, or leave it out (default: beside the output)"
        )


def _key_file() -> Path:
    configured = os.environ.get(KEY_FILE_ENV)
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return Path(base) / "kaifang" / "cache.key"


def cache_key(root: Path) -> bytes:
    """The key that signs cache entries, kept outside the cache: ``$KAIFANG_CACHE_KEY``
    (a CI secret, so runners sharing a cache share it), or a random key created once in
    the user's config folder with mode 0600. Whoever can write the cache but not this key
    cannot make an entry the build accepts."""
    secret = os.environ.get(KEY_ENV, "")
    if len(secret) >= 16:
        return secret.encode("utf-8")
    path = _key_file()
    if path.resolve().is_relative_to(root.resolve()):
        log.warning("the cache key file %s is inside the cache: a fresh key is used", path)
        return os.urandom(32)
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            key = path.read_bytes().strip()
            if len(key) >= 32:
                return key
            raise OSError(f"{path} holds no usable key") from None
        with os.fdopen(fd, "wb") as handle:
            handle.write(os.urandom(32).hex().encode())
        return path.read_bytes().strip()
    except OSError as exc:  # no usable key: nothing stored can be trusted by a later build
        log.warning("no cache key (%s): cached results of earlier builds are not used", exc)
        return os.urandom(32)


# --- hashing ---------------------------------------------------------------------------------


def sha256_file(path: Path | str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def tree_digest(folder: Path, inside: Path | None = None) -> str:
    """Hash of every file's path and content under folder, in a fixed order.

    A file is read only when its real path is inside ``inside`` (default: folder):
    hashing must never open a file the loader refuses to read. For a file reached through
    a link leading out only its real path counts (the loader reports it as an error).
    """
    digest = hashlib.sha256()
    if not folder.is_dir():
        return digest.hexdigest()
    boundary = (inside or folder).resolve()
    if os.path.realpath(folder) == str(folder) and folder.is_relative_to(boundary):
        # no link on the way to the folder: only a linked file needs its real path
        for rel, path, linked in _files(str(folder), ""):
            if linked:
                real = Path(os.path.realpath(path))
                if not real.is_relative_to(boundary):
                    digest.update(rel.encode() + b"\0outside:" + os.fsencode(real) + b"\n")
                    continue
                if not real.is_file():
                    continue
            digest.update(rel.encode() + b"\0" + sha256_file(path).encode() + b"\n")
        return digest.hexdigest()
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames.sort()
        for name in sorted(filenames):
            path = Path(dirpath) / name
            rel = path.relative_to(folder).as_posix()
            real = Path(os.path.realpath(path))
            if not real.is_relative_to(boundary):  # a link, or a linked folder, leads out
                digest.update(rel.encode() + b"\0outside:" + os.fsencode(real) + b"\n")
            elif real.is_file():  # not sockets or fifos
                digest.update(rel.encode() + b"\0" + sha256_file(path).encode() + b"\n")
    return digest.hexdigest()


def _files(folder: str, prefix: str) -> Iterator[tuple[str, str, bool]]:
    """(path relative to the top, path, is a link) of the files under a folder, in the
    order of the os.walk in :func:`tree_digest` (a folder's files by name, then its
    folders by name; a linked folder is not entered). A file that is not a link is known
    from its directory entry, without the lstat of every part of its path that
    os.path.realpath makes (and the is_file of every file): hashing the catalog before a
    build took a third less time."""
    files: list[tuple[str, str, bool]] = []
    folders: list[tuple[str, str]] = []
    with os.scandir(folder) as entries:
        for entry in entries:
            try:
                is_dir = entry.is_dir()
            except OSError:
                is_dir = False
            if is_dir:
                if not entry.is_symlink():
                    folders.append((entry.name, entry.path))
                continue
            linked = entry.is_symlink()
            if linked or entry.is_file(follow_symlinks=False):  # not sockets or fifos
                files.append((prefix + entry.name, entry.path, linked))
    files.sort()
    yield from files
    for name, path in sorted(folders):
        yield from _files(path, prefix + name + "/")


def hash_text(*parts: str) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode("utf-8", "surrogatepass") + b"\x1f")
    return digest.hexdigest()


_CODE: str | None = None


def code_fingerprint() -> str:
    """Kaifang's version and source, and the libraries that shape its output."""
    global _CODE
    if _CODE is None:
        from importlib import metadata

        parts = [f"kaifang {__version__}", f"python {sys.version_info[:2]}"]
        for lib in LIBRARIES:
            try:
                parts.append(f"{lib} {metadata.version(lib)}")
            except metadata.PackageNotFoundError:
                parts.append(f"{lib} -")
        parts.append(_source_digest(PACKAGE))
        _CODE = hash_text(*parts)
    return _CODE


def _source_digest(package: Path) -> str:
    """The package's own files, not the bytecode Python writes beside them as it imports
    (which would change the fingerprint between two builds of the same code)."""
    digest = hashlib.sha256()
    for path in sorted(package.rglob("*")):
        if "__pycache__" in path.parts or not path.is_file() or path.suffix == ".pyc":
            continue
        rel = path.relative_to(package).as_posix()
        digest.update(rel.encode() + b"\0" + sha256_file(path).encode() + b"\n")
    return digest.hexdigest()


def object_path(root: Path, sha: str) -> Path:
    return root / "objects" / sha[:2] / sha[2:]


def store_object(root: Path, path: Path, sha: str) -> None:
    """Keep an output file in the cache at ``root`` under its hash: a hard link to it where
    the cache and the output share a file system (one metadata operation instead of a
    copy; storing took about a fifth of a cold build), otherwise a copy; atomic either way.
    Safe in worker processes: it touches only the object's own file.

    A link shares the file with the output, so an edit made in place to a published file
    would change the object too: :meth:`BuildCache.restore_file` checks the hash.

    A link is made at the object's name directly (a link appears whole or not at all), so
    storing is one system call when the folder exists: it was four (stat, mkdir, link,
    rename), 1.8 s of the 10.3 s of compressing 9,892 files in one process."""
    target = os.path.join(root, "objects", sha[:2], sha[2:])
    try:
        _link_or_copy(path, target)
    except FileNotFoundError:  # the object's folder is new (or the output file is gone)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        _link_or_copy(path, target)


def _link_or_copy(path: Path, target: str) -> None:
    try:
        os.link(path, target)
    except FileExistsError:  # stored already: the same bytes, by their hash
        return
    except FileNotFoundError:
        raise
    except OSError:  # another file system, or links not supported: copy, then rename
        if os.path.exists(target):
            return
        tmp = f"{target}.{os.getpid()}.tmp"
        shutil.copyfile(path, tmp)
        os.replace(tmp, target)


def _forget_damaged(source: Path) -> None:
    """Remove an object whose bytes are not those of its name (edited in place through a
    link shared with a published file, or damaged): storing keeps an object already there,
    so without this the page would be rendered again on every build, never stored again.
    Only the cache's own name goes; a published file linked to it stays as it is."""
    try:
        os.unlink(source)
    except OSError:  # gone already (another worker found it too), or not ours to remove
        pass


def entry_mac(secret: bytes, kind: str, key: str, value: str) -> str:
    """HMAC-SHA256 of an entry, with the key kept outside the cache (:func:`cache_key`).
    The entry names the sha256 of every object it uses, so objects are covered too."""
    message = "\x1f".join((kind, key, value)).encode("utf-8", "surrogatepass")
    return hmac.new(secret, message, hashlib.sha256).hexdigest()


def signed_row(
    db: sqlite3.Connection, secret: bytes, kind: str, key: str, stats: Counter[str]
) -> tuple[str, str] | None:
    """An entry's JSON text and MAC from the index, or None when it is missing or its MAC
    is not one a build with this key wrote (counted as "forged", and logged without its
    value). The MAC lets cache.finish take the entry without checking it again."""
    row = db.execute(
        "SELECT value, mac FROM entries WHERE kind=? AND key=?", (kind, key)
    ).fetchone()
    if row is None:
        return None
    if not hmac.compare_digest(row[1], entry_mac(secret, kind, key, row[0])):
        log.warning(
            "cache entry %s/%s was not written by a build with this key: ignored",
            kind,
            key[:12],
        )
        stats["forged"] += 1
        return None
    return row[0], row[1]


def restore_object(root: Path, sha: str, size: int, target: Path) -> bool:
    """See :meth:`BuildCache.restore_file`."""
    source = object_path(root, sha)
    try:
        if source.stat().st_size != size or sha256_file(source) != sha:
            _forget_damaged(source)
            return False
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(source, target)
        except OSError:
            shutil.copyfile(source, target)
    except OSError:
        return False
    return True


@dataclasses.dataclass(frozen=True)
class CatalogDigest:
    """Content hashes of a catalog, taken before it is loaded."""

    context: str  # site.yaml and publishers.yaml
    datasets: dict[str, str]  # dataset folder name -> tree digest
    history: str  # the build's own records, see generator/history.py

    @classmethod
    def of(cls, root: Path, jobs: int | None = 1) -> CatalogDigest:
        """jobs: worker processes hashing dataset folders (None: one per CPU)."""
        root = root.resolve()
        context = hash_text(
            *(_context_file(root, n) for n in CONTEXT_FILES),
            # The key of the desensitising hash rule: outputs depend on it. Only a hash of
            # a hash of it is ever stored.
            hash_text(os.environ.get(HASH_SECRET_ENV, "")),
        )
        ds_root = root / "datasets"
        folders = sorted(p for p in ds_root.iterdir() if p.is_dir()) if ds_root.is_dir() else []
        digests = parallel.map_items(partial(tree_digest, inside=root), folders, jobs)
        datasets = {folder.name: digest for folder, digest in zip(folders, digests, strict=True)}
        # history/, and what the pages show besides the datasets (showcases, requests, terms)
        extra = [tree_digest(root / n, root) for n in ("history", "showcases", "requests")]
        extra += [_context_file(root, n) for n in ("terms.md", "terms.en.md")]
        return cls(context, datasets, hash_text(*extra))

    def dataset_digest(self, ds: Any) -> str:
        """The content hash of what one dataset's unit of work reads: its folder, and the
        folders of the datasets its desensitised derivatives are computed from."""
        sources = sorted(
            {
                r.derivation.source_dataset.id
                for r in ds.resources
                if getattr(r, "derivation", None) is not None
            }
        )
        if not sources:
            return self.datasets[ds.id]
        return hash_text(*(f"{i}={self.datasets.get(i, '-')}" for i in [ds.id, *sources]))

    def dataset_key(self, kind: str, ds: Any) -> str:
        return hash_text(kind, code_fingerprint(), self.context, self.dataset_digest(ds))

    def whole(self, *extra: str) -> str:
        return hash_text(
            code_fingerprint(),
            self.context,
            self.history,
            *(f"{k}={v}" for k, v in sorted(self.datasets.items())),
            *extra,
        )


CONTEXT_FILES = ("site.yaml", "publishers.yaml")


def _context_file(root: Path, name: str) -> str:
    path = root / name
    if not path.is_file() or not path.resolve().is_relative_to(root):
        return "-" if not path.is_symlink() else "link:" + os.readlink(path)
    return sha256_file(path)


# --- typed JSON: cached results are data, never pickles ----------------------------------------


_PLAIN = frozenset({str, int, float, bool, type(None)})


@functools.cache
def dataclass_fields(cls: type) -> tuple[str, ...] | None:
    """The fields of a dataclass type, once per type (None: not a dataclass)."""
    if dataclasses.is_dataclass(cls):
        return tuple(f.name for f in dataclasses.fields(cls))
    return None


def encode(value: Any) -> Any:
    """A JSON-able form of dataclasses, enums, paths, dates and containers.

    The exact built-in types come first and a dataclass's fields are looked up once per
    type: the derive and validate results of 1,000 datasets made 1.6 s of calls here."""
    cls = type(value)
    if cls in _PLAIN:  # exact types: an enum that is also a str is not one of them
        return value
    if cls is list or cls is tuple:
        return [encode(v) for v in value]
    if cls is dict:
        return {str(k): encode(v) for k, v in value.items()}
    names = dataclass_fields(cls)
    if names is not None:
        return {name: encode(getattr(value, name)) for name in names}
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): encode(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [encode(v) for v in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    raise TypeError(f"cannot cache a {type(value).__name__}")


def decode(kind: Any, data: Any) -> Any:
    """The inverse of :func:`encode`, guided by type hints."""
    return _decoder(kind)(data)


def _identity(data: Any) -> Any:
    return data


@functools.cache
def _decoder(kind: Any) -> Callable[[Any], Any]:
    """A decoding function for one type, built once: cached results are read by the 1000."""
    origin = typing.get_origin(kind)
    args = typing.get_args(kind)
    if kind is Any or kind is object or origin is typing.Literal:
        return _identity
    if origin in (typing.Union, types.UnionType):
        options = [a for a in args if a is not type(None)]
        if len(options) != 1:
            return _identity
        inner = _decoder(options[0])
        return lambda data: None if data is None else inner(data)
    if isinstance(kind, type) and dataclasses.is_dataclass(kind):
        hints = typing.get_type_hints(kind)
        fields = [(f.name, _decoder(hints[f.name])) for f in dataclasses.fields(kind)]
        return lambda data: kind(**{name: dec(data[name]) for name, dec in fields})
    if origin in (list, Sequence):
        item = _decoder(args[0])
        return lambda data: [item(v) for v in data]
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            item = _decoder(args[0])
            return lambda data: tuple(item(v) for v in data)
        parts = [_decoder(a) for a in args]
        return lambda data: tuple(d(v) for d, v in zip(parts, data, strict=True))
    if origin is dict:
        key, value = _decoder(args[0]), _decoder(args[1])
        return lambda data: {key(k): value(v) for k, v in data.items()}
    if isinstance(kind, type):
        if issubclass(kind, enum.Enum):
            return kind
        if issubclass(kind, Path):
            return Path
        if issubclass(kind, dt.datetime):
            return dt.datetime.fromisoformat
        if issubclass(kind, dt.date):
            return dt.date.fromisoformat
    return _identity


# --- the cache ------------------------------------------------------------------------------


SCHEMA = """
CREATE TABLE IF NOT EXISTS entries (
    kind TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, used INTEGER NOT NULL,
    mac TEXT NOT NULL, PRIMARY KEY (kind, key)
);
"""
META = "CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);"


def entry_text(value: Any) -> str:
    """The JSON text a cache entry is stored as."""
    return json.dumps(value, ensure_ascii=False)


class BuildCache:
    """One build's view of the cache. ``BuildCache(None)`` caches nothing."""

    def __init__(self, root: Path | None) -> None:
        self.root = root
        self.stats: Counter[str] = Counter()
        self._db: sqlite3.Connection | None = None
        self._generation = 0
        self._touched: set[tuple[str, str]] = set()
        self._pending: dict[tuple[str, str], str] = {}
        # (kind, key) -> (MAC, objects named) of every entry this build wrote or checked:
        # finish() need not read and check those again (see there)
        self._known: dict[tuple[str, str], tuple[str, list[str]]] = {}
        self.digest: CatalogDigest | None = None  # set by the build once it has hashed
        self._key = b""
        if root is not None:
            root.mkdir(parents=True, exist_ok=True)
            (root / "objects").mkdir(exist_ok=True)
            self._db = sqlite3.connect(root / "index.sqlite", timeout=60, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")  # readers never wait for a writer
            self._db.execute("PRAGMA synchronous=NORMAL")  # a lost cache only costs time
            self._key = cache_key(root)
            self._db.execute(META)
            self._db.execute("BEGIN IMMEDIATE")
            row = self._db.execute("SELECT value FROM meta WHERE name='format'").fetchone()
            if row is None or row[0] != str(FORMAT):
                self._db.execute("DROP TABLE IF EXISTS entries")
                self._db.execute("INSERT OR REPLACE INTO meta VALUES ('format', ?)", (FORMAT,))
            self._db.execute(SCHEMA)
            row = self._db.execute("SELECT value FROM meta WHERE name='generation'").fetchone()
            self._generation = int(row[0]) + 1 if row else 1
            self._db.execute(
                "INSERT OR REPLACE INTO meta VALUES ('generation', ?)", (self._generation,)
            )
            self._db.execute("COMMIT")

    @property
    def enabled(self) -> bool:
        return self._db is not None

    # entries: reads go straight to the index; writes and "used" marks are batched

    def get(self, kind: str, key: str) -> Any | None:
        if self._db is None:
            return None
        pending = self._pending.get((kind, key))
        if pending is not None:
            return json.loads(pending)
        row = signed_row(self._db, self._key, kind, key, self.stats)
        if row is None:
            return None  # missing, or planted or damaged: computed again, and replaced
        text, mac = row
        self._touched.add((kind, key))
        self._known[(kind, key)] = (mac, sha_members(text))
        return json.loads(text)

    def _mac(self, kind: str, key: str, value: str) -> str:
        return entry_mac(self._key, kind, key, value)

    def put(self, kind: str, key: str, value: Any) -> None:
        if self._db is not None:
            self._pending[(kind, key)] = entry_text(value)

    def put_text(self, kind: str, key: str, text: str) -> None:
        """put() of a value already made into its text by :func:`entry_text` (ahead of
        time, while this process had nothing else to do)."""
        if self._db is not None:
            self._pending[(kind, key)] = text

    def flush(self) -> None:
        """Write what this build stored and used, in one transaction."""
        if self._db is None or not (self._pending or self._touched):
            return
        known = self._known
        rows = []
        for (k, key), v in self._pending.items():
            mac = self._mac(k, key, v)
            known[(k, key)] = (mac, sha_members(v))
            rows.append((k, key, v, self._generation, mac))
        self._db.execute("BEGIN IMMEDIATE")
        self._db.executemany("INSERT OR REPLACE INTO entries VALUES (?, ?, ?, ?, ?)", rows)
        self._db.executemany(
            "UPDATE entries SET used=? WHERE kind=? AND key=?",
            [(self._generation, k, key) for k, key in self._touched],
        )
        self._db.execute("COMMIT")
        self._pending.clear()
        self._touched.clear()

    # objects

    def _object(self, sha: str) -> Path:
        assert self.root is not None
        return object_path(self.root, sha)

    @property
    def objects_root(self) -> Path | None:
        """The cache folder, for worker processes that store the objects of what they
        wrote themselves (:func:`store_object`); None without a cache."""
        return self.root if self.enabled else None

    def store_file(self, path: Path, sha: str) -> None:
        """Keep an output file under its hash (see :func:`store_object`)."""
        if self.root is not None:
            store_object(self.root, path, sha)

    def restore_file(self, sha: str, size: int, target: Path) -> bool:
        """Put the object with this hash at target (a link, or a copy); False when it is
        missing, or its size or content is not what was recorded."""
        if self.root is None:
            return False
        return restore_object(self.root, sha, size, target)

    def for_workers(self) -> WorkerCache | None:
        """What worker processes may use of this cache (:class:`WorkerCache`); None
        without a cache."""
        if self.root is None:
            return None
        return WorkerCache(self.root, self._key, self.digest)

    def take_back(self, kept: WorkerCache.Kept) -> None:
        """What a worker stored and used (:meth:`WorkerCache.take`), as if this process
        had: its entries are written, the entries it read stay alive, its counts add up."""
        if self._db is None:
            return
        for (kind, key), value in kept.stored.items():
            self.put(kind, key, value)
        self._touched.update(kept.used)
        self._known.update(kept.checked)
        self.stats.update(kept.stats)

    # the per-dataset unit of work

    def map_datasets(
        self,
        kind: str,
        datasets: Sequence[Any],
        compute: Callable[[Sequence[Any]], list[T]],
        save: Callable[[T], Any],
        load: Callable[[Any, Any], T | None],
        advance: Callable[[int], None] = lambda n: None,
    ) -> list[T]:
        """compute() for the datasets without a usable cached result, in input order.

        save(result) gives what to store; load(dataset, stored) rebuilds a result or
        returns None when it cannot be used (then the dataset is computed again).
        """
        digest = self.digest
        results: list[T | None] = [None] * len(datasets)
        keys: list[str | None] = [None] * len(datasets)
        todo: list[int] = []
        for i, ds in enumerate(datasets):
            if digest is not None and self.enabled and ds.id in digest.datasets:
                keys[i] = digest.dataset_key(kind, ds)
                stored = self.get(kind, keys[i])  # type: ignore[arg-type]
                if stored is not None:
                    loaded = load(ds, stored)
                    if loaded is not None:
                        results[i] = loaded
                        self.stats[f"{kind}_hit"] += 1
                        continue
            todo.append(i)
        advance(len(datasets) - len(todo))
        computed = compute([datasets[i] for i in todo]) if todo else []
        for i, result in zip(todo, computed, strict=True):
            results[i] = result
            self.stats[f"{kind}_miss"] += 1
            key = keys[i]
            stored = save(result) if key is not None else None
            if key is not None and stored is not None:  # None: not to be kept (cells)
                self.put(kind, key, stored)
        self.flush()
        return results  # type: ignore[return-value]

    # after a build

    def finish(self) -> None:
        """Forget entries no recent build used, and objects no entry refers to.

        Only an entry whose MAC checks keeps objects alive. An entry this build wrote or
        checked (``_known``) is taken by the objects its checked text named, when its MAC
        is still the one written or checked: its text is not read and checked again (that
        was most of this step, done on one core after the swap: 0.16 of 0.25 s on 1,000
        datasets). Its text cannot have been changed without its MAC since: one changed
        along with a valid MAC would be another build's entry (then read and checked here),
        one changed alone fails the check of the next build that reads it, and the objects
        kept are those of the text checked. Every other entry is read and checked."""
        if self._db is None:
            return
        self.flush()
        db, known = self._db, self._known
        db.execute("BEGIN IMMEDIATE")
        db.execute("DELETE FROM entries WHERE used <= ?", (self._generation - KEEP_BUILDS,))
        referenced: set[str] = set()
        others: set[tuple[str, str]] = set()
        for kind, key, mac in db.execute("SELECT kind, key, mac FROM entries").fetchall():
            mine = known.get((kind, key))
            if mine is not None and hmac.compare_digest(mac, mine[0]):
                referenced.update(mine[1])
            else:
                others.add((kind, key))
        if others:
            for kind, key, value, mac in db.execute(
                "SELECT kind, key, value, mac FROM entries"
            ).fetchall():
                if (kind, key) not in others:
                    continue
                if hmac.compare_digest(mac, self._mac(kind, key, value)):
                    referenced.update(sha_members(value))
                else:  # a planted entry keeps no object alive
                    db.execute("DELETE FROM entries WHERE kind=? AND key=?", (kind, key))
        db.execute("COMMIT")
        assert self.root is not None
        objects = os.path.join(self.root, "objects")
        for sub in os.listdir(objects):  # names as strings: no path object per object
            folder = os.path.join(objects, sub)
            for name in os.listdir(folder):
                if sub + name not in referenced:
                    try:
                        os.unlink(os.path.join(folder, name))
                    except FileNotFoundError:
                        pass

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None


# A "sha256" member with a string value in an entry's JSON text. A key's opening quote
# follows "{", "," or whitespace, and a quote inside a string follows its backslash, so
# the lookbehind takes only keys (a key k"sha256, written "k\\"sha256", is not one). An
# unescaped quote is always a delimiter and a string followed by a colon is a key, so
# this finds exactly the members a walk of the decoded entry would; the entries are
# written by json.dumps, which escapes no letter or digit, so a hash reads the same.
# (Decoding and walking every entry was most of the time after a build: 0.8 of 1.3 s.)
_SHA_MEMBER = re.compile(r'(?<=[{,\s])"sha256"\s*:\s*"([^"\\]*)"')
_SHA_VALUE = re.compile(r'"sha256"\s*:\s*"([^"\\]*)"')  # the same, less the lookbehind


def sha_members(text: str) -> list[str]:
    """What ``_SHA_MEMBER.findall(text)`` gives, four to five times faster: a pattern that
    starts with its literal is searched for by that literal, one behind a lookbehind is
    tried at every character (cache.finish over the 32,812 entries, 36.7 MB, of a 3,000-
    dataset build: 0.13 s instead of 0.60). A match is taken only where the lookbehind
    would hold; where it does not, the search goes on from the next character, so no
    match the lookbehind pattern would find is skipped."""
    found: list[str] = []
    pos = 0
    while (match := _SHA_VALUE.search(text, pos)) is not None:
        start = match.start()
        before = text[start - 1] if start else ""
        if before and (before in "{," or before.isspace()):
            found.append(match.group(1))
            pos = match.end()
        else:
            pos = start + 1
    return found


def _shas(value: Any) -> Iterable[str]:
    """Every sha256 a decoded entry refers to: what :data:`_SHA_MEMBER` must find in its
    text (the tests compare both)."""
    if isinstance(value, dict):
        sha = value.get("sha256")
        if isinstance(sha, str):
            yield sha
        for v in value.values():
            yield from _shas(v)
    elif isinstance(value, list):
        for v in value:
            yield from _shas(v)


class WorkerCache:
    """A build's cache as a worker process sees it: it reads entries over a read-only
    connection of its own, checked with the build's key (a forged or damaged entry is
    ignored, as :meth:`BuildCache.get` does), restores and stores objects, and keeps
    what it would write for the build (:meth:`take`), which alone writes the index.

    The page workers look up their own pages with it: computing the keys of every page
    in the build's process, before the workers started, left one core idle (5 s of 20,000
    pages at 10,000 datasets)."""

    @dataclasses.dataclass
    class Kept:
        stored: dict[tuple[str, str], Any]
        used: set[tuple[str, str]]
        stats: Counter[str]
        # (kind, key) -> (MAC, objects named) of the entries used, as checked here: the
        # build's cache.finish need not read and check them again
        checked: dict[tuple[str, str], tuple[str, list[str]]] = dataclasses.field(
            default_factory=dict
        )

    def __init__(self, root: Path, key: bytes, digest: CatalogDigest | None) -> None:
        self.root = root
        self._key = key
        self.digest = digest
        self._db: sqlite3.Connection | None = None
        self._reset()

    enabled = True

    def _reset(self) -> None:
        self.stats: Counter[str] = Counter()
        self._stored: dict[tuple[str, str], Any] = {}
        self._used: set[tuple[str, str]] = set()
        self._checked: dict[tuple[str, str], tuple[str, list[str]]] = {}

    def __getstate__(self) -> dict[str, Any]:  # sent to workers that do not fork
        state = dict(self.__dict__)
        state["_db"] = None
        return state

    def get(self, kind: str, key: str) -> Any | None:
        if self._db is None:  # opened in the worker: a connection never crosses a fork
            uri = (self.root / "index.sqlite").resolve().as_uri() + "?mode=ro"
            self._db = sqlite3.connect(uri, uri=True, timeout=60)
        row = signed_row(self._db, self._key, kind, key, self.stats)
        if row is None:
            return None
        text, mac = row
        self._used.add((kind, key))
        self._checked[(kind, key)] = (mac, sha_members(text))
        return json.loads(text)

    def put(self, kind: str, key: str, value: Any) -> None:
        self._stored[(kind, key)] = value

    def restore_file(self, sha: str, size: int, target: Path) -> bool:
        return restore_object(self.root, sha, size, target)

    def store_file(self, path: Path, sha: str) -> None:
        store_object(self.root, path, sha)

    def take(self) -> WorkerCache.Kept:
        """What this worker stored, used and counted since the last take."""
        kept = WorkerCache.Kept(self._stored, self._used, self.stats, self._checked)
        self._reset()
        return kept
