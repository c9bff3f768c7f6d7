"""The search index of one language: postings sharded by token hash, documents in chunks.

Layout under ``search-index/<lang>/`` (every file but meta.json gzip-compressed, names
fixed, fetched with the index's content hash as ``?v=`` so a browser never mixes builds):

    meta.json        counts, shard and chunk sizes, facet value labels, the content hash
    s/<n>.bin        postings of the tokens whose FNV-1a hash is n modulo the shard count:
                     a directory (hash, byte length) sorted by hash, then per token the
                     document ids as varint deltas and one byte per document (which fields
                     hold the token, and the open type)
    d/<n>.json       the documents n*chunk … n*chunk+chunk-1 (what a result shows)
    c/<facet>.bin    one little-endian uint16 per document: the facet value (index + 1, 0
                     for none; formats as a bit mask), and the modified date in days

Document ids follow the title order (pinyin for Chinese), so sorting by title is sorting
by id. A query fetches meta.json, one shard per distinct token (often fewer), and the
chunks of the results it shows; facet columns only when filters or the date sort are used.
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import json
import math
from array import array
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from .text import fnv1a, run_characters, run_exact_token, run_tokens, runs

TITLE, KEYWORDS, DESCRIPTION, NAMES, FIELDS = 1, 2, 4, 8, 16
FIELD_BITS = 31
OPEN_SHIFT = 5
OPEN_RANK = {"open": 0, "conditional": 1, "closed": 2}
FACETS = ("open_type", "publisher", "theme", "format", "frequency")
MULTI = {"format"}
SHARD_TARGET_BYTES = 24_000  # of raw postings per shard, before compression
MAX_SHARDS = 4096
EPOCH = dt.date(1970, 1, 1)


@dataclass
class Doc:
    """One dataset page as the index sees it (read from the site stage's search document)."""

    id: str
    url: str
    title: str
    description: str
    identifier: str
    keywords: list[str]
    publisher: str
    theme: str
    fields: list[str]
    open_type: str  # open / conditional / closed
    open_label: str
    formats: list[str]
    frequency: str
    modified: str
    sort_key: str = ""

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Doc:
        return cls(**{k: data[k] for k in cls.__dataclass_fields__ if k != "sort_key"})

    def facet(self, key: str) -> list[str]:
        value = {
            "open_type": [self.open_label],
            "publisher": [self.publisher] if self.publisher else [],
            "theme": [self.theme] if self.theme else [],
            "format": self.formats,
            "frequency": [self.frequency] if self.frequency else [],
        }
        return value[key]

    def record(self) -> list[Any]:
        """What the browser shows for a result (d/<n>.json), in a fixed order."""
        return [
            self.url,
            self.title,
            self.description,
            self.open_type,
            self.open_label,
            self.publisher,
            self.theme,
            self.formats,
            self.modified,
            self.identifier,
        ]


@lru_cache(maxsize=65536)
def _pinyin(char: str) -> str:
    from pypinyin import Style, lazy_pinyin

    return lazy_pinyin(char, style=Style.TONE3)[0]


def title_sort_key(title: str, lang: str) -> str:
    """Pinyin order for Chinese titles (one reading per character: good enough to sort)."""
    if lang != "zh":
        return title.casefold()
    return " ".join(_pinyin(c) if "\u3400" <= c <= "\u9fff" else c.casefold() for c in title)


@dataclass
class Postings:
    docs: array = field(default_factory=lambda: array("I"))
    masks: bytearray = field(default_factory=bytearray)

    def add(self, doc: int, mask: int) -> None:
        if self.docs and self.docs[-1] == doc:
            self.masks[-1] |= mask
        else:
            self.docs.append(doc)
            self.masks.append(mask)

    def mask_of(self, doc: int) -> int:
        from bisect import bisect_left

        i = bisect_left(self.docs, doc)
        return self.masks[i] if i < len(self.docs) and self.docs[i] == doc else 0


def doc_tokens(doc: Doc) -> dict[str, int]:
    """Every token of a document with the fields that hold it: the tokens of
    :func:`~generator.search.text.tokens`, :func:`~generator.search.text.characters` and
    :func:`~generator.search.text.exact_token`, from one normalisation of each text (a
    title was normalised three times, a keyword twice: a fifth of the indexer's CPU)."""
    found: dict[str, int] = {}
    get = found.get

    def add(texts: list[str], bit: int, chars: bool = False) -> list[list[str]]:
        split = []
        for text in texts:
            parts = runs(text)
            split.append(parts)
            for run in parts:
                for token in run_tokens(run):
                    found[token] = get(token, 0) | bit
            if chars:
                for token in run_characters(parts):
                    found[token] = get(token, 0) | bit
        return split

    (title,) = add([doc.title], TITLE, chars=True)
    add(doc.keywords, KEYWORDS, chars=True)
    add([doc.description], DESCRIPTION)
    add([doc.publisher, doc.theme], NAMES)
    identifier = add([*doc.fields, doc.identifier], FIELDS)[-1]
    for parts, bit in ((title, TITLE), (identifier, FIELDS)):
        exact = run_exact_token(parts)
        if exact:
            found[exact] = get(exact, 0) | bit
    return found


@dataclass
class Index:
    lang: str
    docs: list[Doc]
    postings: dict[str, Postings]

    @classmethod
    def build(cls, docs: list[Doc], lang: str) -> Index:
        for doc in docs:
            doc.sort_key = title_sort_key(doc.title, lang)
        ordered = sorted(docs, key=lambda d: (d.sort_key, d.title, d.id))
        postings: dict[str, Postings] = {}
        for number, doc in enumerate(ordered):
            open_bits = OPEN_RANK[doc.open_type] << OPEN_SHIFT
            for token, mask in doc_tokens(doc).items():
                entry = postings.get(token)
                if entry is None:
                    entry = postings[token] = Postings()
                entry.add(number, mask | open_bits)
        return cls(lang, ordered, postings)

    def open_rank(self, doc: int) -> int:
        return OPEN_RANK[self.docs[doc].open_type]


def varint(value: int, out: bytearray) -> None:
    while value >= 0x80:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)


def encode_postings(entry: Postings) -> bytes:
    out = bytearray()
    varint(len(entry.docs), out)
    previous = 0
    for doc in entry.docs:
        varint(doc - previous, out)
        previous = doc
    out += entry.masks
    return bytes(out)


def compress(data: bytes) -> bytes:
    return gzip.compress(data, compresslevel=9, mtime=0)


def chunk_size(count: int) -> int:
    """Documents per chunk file: 32 on a large catalog (about 5 KB compressed), so the ten
    results shown cost at most ten small files; the whole catalog in one file when small."""
    return 32 if count > 256 else 64


def write_index(index: Index, folder: Path) -> dict[str, bytes]:
    """The index files (relative path -> bytes); meta.json last, naming the content hash."""
    files: dict[str, bytes] = {}
    blocks = {token: encode_postings(p) for token, p in index.postings.items()}
    total = sum(len(b) for b in blocks.values())
    shards = 1 << max(
        2, min(int(math.log2(MAX_SHARDS)), math.ceil(math.log2(max(1, total / SHARD_TARGET_BYTES))))
    )
    grouped: list[list[tuple[int, bytes]]] = [[] for _ in range(shards)]
    for token, block in blocks.items():
        h = fnv1a(token)
        grouped[h % shards].append((h, block))
    for number, entries in enumerate(grouped):
        entries.sort()
        out = bytearray()
        varint(len(entries), out)
        for h, block in entries:
            out += h.to_bytes(4, "little")
            varint(len(block), out)
        for _, block in entries:
            out += block
        files[f"s/{number}.bin"] = compress(bytes(out))
    chunk = chunk_size(len(index.docs))
    for start in range(0, len(index.docs), chunk):
        records = [d.record() for d in index.docs[start : start + chunk]]
        text = json.dumps(records, ensure_ascii=False, separators=(",", ":"))
        files[f"d/{start // chunk}.json"] = compress(text.encode("utf-8"))
    columns: dict[str, Any] = {}
    for key in FACETS:
        labels = sorted({v for d in index.docs for v in d.facet(key)})
        position = {label: i for i, label in enumerate(labels)}
        values = array("H")
        for doc in index.docs:
            chosen = doc.facet(key)
            if key in MULTI:
                values.append(sum(1 << position[v] for v in chosen if position[v] < 16))
            else:
                values.append(position[chosen[0]] + 1 if chosen else 0)
        files[f"c/{key}.bin"] = compress(values.tobytes())
        columns[key] = labels
    days = array("H", ((dt.date.fromisoformat(d.modified) - EPOCH).days for d in index.docs))
    files["c/modified.bin"] = compress(days.tobytes())
    digest = hashlib.sha256()
    for name in sorted(files):
        digest.update(name.encode() + b"\0" + files[name])
    meta = {
        "version": 1,
        "lang": index.lang,
        "docs": len(index.docs),
        "shards": shards,
        "chunk": chunk,
        "facets": columns,
        "hash": digest.hexdigest()[:16],
    }
    files["meta.json"] = json.dumps(meta, ensure_ascii=False, separators=(",", ":")).encode()
    return files
