"""Scanning the whole output tree for the values of non-open data, in worker processes."""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..checks.personal import mask_value
from ..data.reader import iter_rows
from ..model import Catalog
from ..runtime import parallel
from ..runtime.cache import sha256_file
from ..search import Indexing
from .files import Unreadable, _decoded_forms, _readable, iter_output_files
from .findings import AuditResult, Finding
from .values import SecretIndex, _Origin

log = logging.getLogger(__name__)

# --- reading every output file -----------------------------------------------------------


FILES_PER_VALUE = 5  # output files named for one leaked value
SIBLINGS = (".br", ".gz")  # precompressed copies of the file before them (deploy/compress.py)
REMEMBERED_PIECES = 2  # of the last original file, for its siblings (32 MiB at most)


@dataclass
class _Scanned:
    """What one part of the tree held: values found (each with its first files), counts,
    and the files that could not be read."""

    found: dict[int, list[str]] = field(default_factory=dict)
    files: int = 0
    bytes: int = 0
    unreadable: list[Finding] = field(default_factory=list)
    # [size, mtime in ns] of each file, in the order of the part's paths; None when one
    # could not be opened (AuditResult.stats)
    stats: list[list[int]] | None = field(default_factory=list)


# sibling path -> (sha256 of the sibling, sha256 of the bytes it was compressed from): what
# the compress stage recorded (deploy/compress.py, CompressResult.proofs)
Proofs = dict[str, tuple[str, str]]


def _scan_files(secrets: SecretIndex, part: tuple[Path, list[str], Proofs]) -> _Scanned:
    root, rels, proofs = part
    prefix = os.path.join(root, "")
    scanned = _Scanned()
    found = scanned.found

    def note(value: int, name: str) -> None:
        files = found.setdefault(value, [])
        if name not in files and len(files) < FILES_PER_VALUE:
            files.append(name)

    # The last file that is not a precompressed sibling: its pieces with the values each
    # held, every value it held, and the sha256 of its bytes when a sibling has a proof.
    # Its .br and .gz come next in path order. A sibling whose own sha256 and whose
    # page's are the ones the compress stage recorded is the compression of exactly these
    # bytes: it holds the page's values and is not decompressed. Any other sibling is
    # decompressed and compared whole: a piece equal to the page's, byte for byte, holds
    # the same values and is not scanned again.
    original, remembered, held, digest = "", [], set(), ""
    stats: list = []
    for rel in rels:
        sibling = rel.endswith(SIBLINGS) and rel[:-3] == original
        twin = remembered if sibling else []
        kept: list[tuple[bytes, list[int]]] = []
        every: set[int] = set()
        scanned.files += 1
        for value in secrets.find(rel.encode("utf-8"))[0]:  # a value used as a file name
            note(value, rel)
        counted = len(stats)
        proof = proofs.get(rel) if sibling and digest else None
        if proof is not None and proof[1] == digest and _sha256(prefix + rel, stats) == proof[0]:
            for value in sorted(held):
                note(value, rel)
            continue
        del stats[counted:]  # read below, and noted again
        hasher = None
        if not sibling and (rel + ".gz" in proofs or rel + ".br" in proofs):
            hasher = hashlib.sha256()
        try:
            pieces = _readable(prefix + rel, rel, hasher=hasher, stats=stats)
            for number, (name, piece) in enumerate(pieces):
                scanned.bytes += len(piece)
                if number < len(twin) and twin[number][0] == piece:
                    values = twin[number][1]
                else:
                    values = _values_in(secrets, piece)
                if not sibling and len(kept) < REMEMBERED_PIECES:
                    kept.append((piece, values))
                every.update(values)
                for value in values:
                    note(value, name)
        except Unreadable as exc:
            scanned.unreadable.append(Finding("unreadable", rel, masked=str(exc)[-120:]))
            hasher = None
        if len(stats) == counted:  # not even opened: the build walks the tree instead
            stats.append(None)
        if not sibling:
            original, remembered, held = rel, kept, every
            digest = hasher.hexdigest() if hasher is not None else ""
    scanned.stats = None if None in stats else stats
    return scanned


def _sha256(path: str, stats: list) -> str:
    """The sha256 of a file; its [size, mtime in ns] appended to ``stats`` (a sibling
    proved by the compress record is hashed, not read through _readable)."""
    info = os.stat(path)
    stats.append([info.st_size, info.st_mtime_ns])
    return sha256_file(path)


def _values_in(secrets: SecretIndex, piece: bytes) -> list[int]:
    """The values in a piece of a file, as written and with its escapes undone."""
    values, markers = secrets.find(piece)
    for form in _decoded_forms(piece, markers):
        values += secrets.find(form)[0]
    return values


# Files per task of a parallel scan: enough to amortise a task, small enough to balance.
SCAN_CHUNK = 400


def scan_tree(
    root: Path,
    secrets: SecretIndex,
    result: AuditResult,
    jobs: int | None = 1,
    search: Indexing | None = None,
    proofs: Proofs | None = None,
    meanwhile: Callable[[], None] | None = None,
) -> dict[int, list[str]]:
    """Values found in the tree, each with the first files it was found in.

    With jobs > 1 on a large tree, worker processes scan consecutive parts of the sorted
    file list (they inherit the value index when the process forks; where processes
    cannot fork, the scan stays in this process). Parts are merged in order, so the
    result is the same as one process scanning every file in turn.

    With ``search`` (the search index still being built), the files under its folders are
    left out at first; once the rest is scanned, the index is waited for, and then every
    file not scanned yet is: nothing in the finished tree goes unread.

    ``proofs``: what the compress stage recorded of each sibling it wrote or restored; a
    sibling that matches its record is known to hold its page's bytes (see _scan_files).

    ``meanwhile``: work of this process run while the workers scan the first part (the
    audit's personal-data check), so that it does not wait for them nor they for it. When
    the index is finished by then, the rest is listed meanwhile too.
    """
    later = search.folders if search is not None else ()
    first = [rel for rel in iter_output_files(root) if search is None or not rel.startswith(later)]
    found: dict[int, list[str]] = {}
    proofs = proofs or {}
    rest: list[str] | None = None
    with _start_scan(root, first, secrets, jobs, proofs) as running:
        if meanwhile is not None:
            meanwhile()
        if search is not None and search.done():  # the tree is finished: list the rest now
            rest = _rest(root, search, first)
        _merge(running.result(), first, result, found)
    if search is not None:
        if rest is None:
            rest = _rest(root, search, first)
        with _start_scan(root, rest, secrets, jobs, proofs) as running:
            _merge(running.result(), rest, result, found)
    return found


def _rest(root: Path, search: Indexing, first: list[str]) -> list[str]:
    """The files not in the first part, once the indexer is finished: nothing writes to
    the tree after that, so they can be listed while the workers scan the first part."""
    search.finish()
    seen = set(first)
    return [rel for rel in iter_output_files(root) if rel not in seen]


def _start_scan(
    root: Path,
    paths: list[str],
    secrets: SecretIndex,
    jobs: int | None,
    proofs: Proofs,
) -> parallel.Running[_Scanned]:
    chunks = [paths[i : i + SCAN_CHUNK] for i in range(0, len(paths), SCAN_CHUNK)]
    parts = [(root, rels, {rel: proofs[rel] for rel in rels if rel in proofs}) for rels in chunks]
    workers = parallel.resolve_jobs(jobs) if parallel.can_fork() else 1
    return parallel.start_with_state(_scan_files, secrets, parts, workers, threshold=4)


def _merge(
    scans: list[_Scanned], paths: list[str], result: AuditResult, found: dict[int, list[str]]
) -> None:
    """The parts' counts, findings and file stats (``paths``: the files scanned, in the
    order of the parts), in the order of the parts."""
    stats = [] if result.stats is not None else None
    for scanned in scans:
        if stats is not None and scanned.stats is not None:
            stats += scanned.stats
        else:
            stats = None
        result.files += scanned.files
        result.bytes += scanned.bytes
        result.findings.extend(scanned.unreadable)
        for value, names in scanned.found.items():
            files = found.setdefault(value, [])
            for name in names:
                if name not in files and len(files) < FILES_PER_VALUE:
                    files.append(name)
    if stats is None or len(stats) != len(paths):
        result.stats = None
    elif result.stats is not None:
        result.stats.update(zip(paths, stats, strict=True))


def _locate(catalog: Catalog, origin: _Origin, value: str) -> tuple[str, str, int | None, str]:
    """(resource, field, row, file) of the first cell holding value; only after a leak."""
    ds = catalog.dataset(origin.dataset) if origin.where != "id" else None
    if ds is None or origin.where != "cells":
        where = "datapackage.yaml" if ds else ""
        return "", origin.where, None, f"datasets/{origin.dataset}/{where}"
    for res in ds.resources:
        rows = iter_rows(ds, res)
        header = next(rows, [])
        for number, row in enumerate(rows, start=2):
            for i, cell in enumerate(row):
                if cell.strip() == value:
                    name = header[i] if i < len(header) else f"#{i + 1}"
                    return res.name, name, number, f"datasets/{ds.id}/{res.path}"
    return "", "", None, f"datasets/{ds.id}/"


def audit_leaks(
    root: Path,
    catalog: Catalog,
    result: AuditResult,
    jobs: int | None = 1,
    search: Indexing | None = None,
    proofs: Proofs | None = None,
    secrets: SecretIndex | None = None,
    meanwhile: Callable[[], None] | None = None,
) -> None:
    """Leaks of non-open values into the tree; ``secrets``: the catalog's value index when
    the caller built it already (the build does, while the compress stage runs)."""
    if secrets is None:
        secrets = SecretIndex(catalog)
    result.secrets = len(secrets) - len(secrets.exempt)
    found = scan_tree(root, secrets, result, jobs, search, proofs, meanwhile)
    for value, outputs in sorted(found.items(), key=lambda kv: kv[1]):
        origin = secrets.origins[value]
        resource, field_name, row, file = _locate(catalog, origin, secrets.values[value])
        masked = mask_value(secrets.values[value])
        for output in outputs:
            result.findings.append(
                Finding(
                    "leak",
                    output.replace(secrets.values[value], masked),  # a value as a file name
                    masked=masked,
                    dataset=origin.dataset,
                    resource=resource,
                    field=field_name,
                    row=row,
                    file=file,
                )
            )
