"""The values that must not appear: every identifying cell of non-open data, less what is
public anyway, as one Aho–Corasick automaton."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import islice, zip_longest

from ahocorasick_rs import BytesAhoCorasick

from ..checks.personal import mask_value as mask_value  # re-exported: callers import it here
from ..data.reader import iter_rows
from ..i18n import STRINGS
from ..model import Catalog, Dataset, Resource
from ..policy import publishes_data, shows_in_output, values_are_secret
from ..runtime.files import data_file
from .files import _MARKERS, _stream_pieces

log = logging.getLogger(__name__)

MIN_CJK = 3  # Chinese characters that make a value worth looking for
MIN_CHARS = 6  # otherwise: characters, one of them a digit
MIN_CHARS_NO_DIGIT = 12  # otherwise: characters of any kind
MIN_NUMBER_DIGITS = 8  # plain numbers with fewer digits before the point are too common

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_HAS_CJK3 = re.compile(f"[{_CJK}](?:[^{_CJK}]*[{_CJK}]){{{MIN_CJK - 1}}}")
_NUMBER = re.compile(r"[+-]?(?:\d+|\d{1,3}(?:,\d{3})+)(?:\.\d+)?%?")
_DATE = re.compile(
    r"\d{4}-\d{1,2}(?:-\d{1,2})?"
    r"(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?"
    r"|\d{4}/\d{1,2}(?:/\d{1,2})?(?: \d{1,2}:\d{2}(?::\d{2})?)?"
    r"|\d{4}年(?:\d{1,2}月(?:\d{1,2}日)?)?"
    r"|\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?"
)
_BOOLEANS = frozenset({"true", "false", "True", "False", "TRUE", "FALSE"})
_ANY_DIGIT = re.compile(r"\d")
_ASCII_WORD = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
_SLUG_WORD = _ASCII_WORD | frozenset(b"-_")
_DIGITS = frozenset(b"0123456789")
_HTML_SPECIAL = re.compile(r"[&<>\"']")


def is_identifying(value: str) -> bool:
    """Whether a cell value is specific enough to look for (the documented threshold)."""
    n = len(value)
    if n < MIN_CJK:
        return False
    first = value[0]
    if first.isdigit() or first in "+-":
        if _NUMBER.fullmatch(value):  # amounts and counts no; ID, phone, account numbers yes
            whole = value.lstrip("+-").split(".", 1)[0].replace(",", "")
            return len(whole) >= MIN_NUMBER_DIGITS
        if _DATE.fullmatch(value):
            return False
    elif value in _BOOLEANS:
        return False
    if _HAS_CJK3.search(value):
        return True
    if n < MIN_CHARS:
        return False
    return n >= MIN_CHARS_NO_DIGIT or _ANY_DIGIT.search(value) is not None


# --- the values that must not appear -----------------------------------------------------


@dataclass(frozen=True)
class _Origin:
    dataset: str
    where: str  # "cells" or the metadata key of a hidden dataset


class SecretIndex:
    """Every value the output must not contain, as one automaton over UTF-8 bytes."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        values: dict[str, _Origin] = {}
        public: set[str] = set()
        kept = _kept_fields(catalog)
        shown_names = {
            name
            for ds in catalog.datasets
            if shows_in_output(ds.open_type, catalog.site.hide_closed)
            for name in (ds.title.zh, ds.title.en, ds.identifier)
        }
        for ds in catalog.datasets:
            if ds.derived_from or not values_are_secret(ds.open_type):
                continue
            origin = _Origin(ds.id, "cells")
            for res in ds.resources:
                keep = kept.get((ds.id, res.name), set())
                cells, kept_cells = _resource_values(ds, res, keep)
                public |= kept_cells
                for value in cells:
                    values.setdefault(value, origin)
            if not shows_in_output(ds.open_type, catalog.site.hide_closed):
                for key, value in (
                    ("title", ds.title.zh),
                    ("title_en", ds.title.en),
                    ("identifier", ds.identifier),
                ):
                    if value in shown_names:
                        continue  # the very title of a listed dataset names that one
                    if value and (len(value) >= MIN_CHARS or _HAS_CJK3.search(value)):
                        values.setdefault(value, _Origin(ds.id, key))
        self.slugs = {
            ds.id
            for ds in catalog.datasets
            if not shows_in_output(ds.open_type, catalog.site.hide_closed)
        }
        for slug in self.slugs:
            # where an id shows up: in URLs and as a JSON/attribute string; not as a word
            # in prose, where a short id like "relief" is just English
            for form in (f"datasets/{slug}", f"apply/{slug}", f'"{slug}"'):
                values[form] = _Origin(slug, "id")
        self.values: list[str] = []
        self.origins: list[_Origin] = []
        for value, origin in values.items():
            if value in public and origin.where == "cells":
                continue
            self.values.append(value)
            self.origins.append(origin)
        patterns: list[bytes] = []
        self.pattern_value: list[int] = []
        for i, value in enumerate(self.values):
            for form in _written_forms(value):
                patterns.append(form.encode("utf-8"))
                self.pattern_value.append(i)
        # Markers of escapes that could hide a value ride along in the same automaton, so
        # finding out whether a file needs decoding costs no extra pass over it.
        self.first_marker = len(patterns)
        self.automaton = BytesAhoCorasick(patterns + [m for m, _ in _MARKERS]) if patterns else None
        self.patterns = patterns
        self.exempt: set[int] = set()
        self._exempt_public_text()

    def __len__(self) -> int:
        return len(self.values)

    def matches(self, data: bytes | memoryview) -> Iterator[int]:
        """Indexes of the values found in data, honouring word boundaries."""
        yield from self.find(data)[0]

    def find(self, data: bytes | memoryview) -> tuple[list[int], set[str]]:
        """(indexes of the values found in data, kinds of escape markers seen)."""
        found: list[int] = []
        markers: set[str] = set()
        if self.automaton is None:
            return found, markers
        first_marker = self.first_marker
        for pattern, start, end in self.automaton.find_matches_as_indexes(data, overlapping=True):
            if pattern >= first_marker:
                markers.add(_MARKERS[pattern - first_marker][1])
                continue
            value = self.pattern_value[pattern]
            if value in self.exempt:
                continue
            word = _SLUG_WORD if self.origins[value].where == "id" else _ASCII_WORD
            if _bounded(data, start, end, word, self.patterns[pattern]):
                found.append(value)
        return found, markers

    def _exempt_public_text(self) -> None:
        """Values that occur in open data (or Kaifang's interface text) are not secrets."""
        if self.automaton is None:
            return
        for data in _public_texts(self.catalog):
            for value in self.matches(data):
                if self.origins[value].where != "id":  # a hidden dataset's id never is
                    self.exempt.add(value)


def _kept_fields(catalog: Catalog) -> dict[tuple[str, str], set[str]]:
    """Source fields that an open derivative publishes unchanged: their values are public."""
    kept: dict[tuple[str, str], set[str]] = {}
    for ds in catalog.datasets:
        if not ds.derived_from or not publishes_data(ds.open_type):
            continue
        for res in ds.resources:
            if res.derivation is None:
                continue
            key = (res.derivation.source_dataset.id, res.derivation.source_resource.name)
            kept.setdefault(key, set()).update(
                fr.source_field.name for fr in res.derivation.rules if fr.rule.kind == "keep"
            )
    return kept


# Column types whose valid values are never identifying (dates, flags) and numeric types,
# whose values only count from MIN_NUMBER_DIGITS characters on; anything else in such a
# column (data that failed validation) is still classified one by one.
_UNIDENTIFYING_TYPES = {"date", "datetime", "time", "year", "yearmonth", "boolean", "duration"}
_NUMERIC_TYPES = {"integer", "number"}
BATCH_ROWS = 50_000


def _resource_values(ds: Dataset, res: Resource, keep: set[str]) -> tuple[set[str], set[str]]:
    """(identifying values, values of kept columns) of one non-open resource.

    Rows are read in batches and looked at column by column, so each distinct value of a
    column is classified once and memory stays bounded for large resources.
    """
    rows = iter_rows(ds, res)
    header = next(rows, [])
    types = {f.name: f.type for f in res.fields}
    column_types = [types.get(name, "string") for name in header]
    found: set[str] = set()
    kept: set[str] = set()
    while batch := list(islice(rows, BATCH_ROWS)):
        for i, column in enumerate(zip_longest(*batch, fillvalue="")):
            ftype = column_types[i] if i < len(column_types) else "string"
            distinct = set(column)
            distinct.discard("")
            if i < len(header) and header[i] in keep:
                kept.update(v.strip() for v in distinct)
            if ftype in _UNIDENTIFYING_TYPES:
                distinct = {v for v in distinct if not v[:1].isdigit() and v not in _BOOLEANS}
            elif ftype in _NUMERIC_TYPES:
                distinct = {v for v in distinct if len(v) >= MIN_NUMBER_DIGITS}
            for raw in distinct - found:
                value = raw.strip()
                if is_identifying(value):
                    found.add(value)
    return found, kept


def _written_forms(value: str) -> list[str]:
    """The value and the ways HTML and XML writers escape it."""
    if not _HTML_SPECIAL.search(value):
        return [value]
    amp = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    forms = [
        value,
        amp.replace('"', "&#34;").replace("'", "&#39;"),  # markupsafe / Jinja
        amp.replace('"', "&quot;").replace("'", "&#x27;"),  # html.escape
        amp,  # XML text
    ]
    return list(dict.fromkeys(forms))


def _bounded(
    data: bytes | memoryview, start: int, end: int, word: frozenset, pattern: bytes
) -> bool:
    """False when an ASCII-edged value is only part of a longer word or number."""
    if pattern[0] in word and start > 0:
        before = data[start - 1]
        if before in word:
            return False
        if before == 0x2E and start > 1 and data[start - 2] in _DIGITS and pattern[0] in _DIGITS:
            return False  # the decimals of another number
    if pattern[-1] in word and end < len(data):
        after = data[end]
        if after in word:
            return False
        if after == 0x2E and end + 1 < len(data) and data[end + 1] in _DIGITS:
            return pattern[-1] not in _DIGITS
    return True


def _public_texts(catalog: Catalog) -> Iterator[bytes]:
    """What counts as public: open data (the cells of open resources; the source values of
    fields an open derivative keeps are handled by the caller) and Kaifang's own interface
    text. Text the publisher wrote (titles, descriptions, READMEs, site.yaml, publishers)
    is not: a closed record pasted into a README is a leak like any other."""
    parts: list[str] = []
    for zh, en in STRINGS.values():
        parts += [zh, en]
    yield "\n".join(p for p in parts if p).encode("utf-8")
    for ds in catalog.datasets:
        if ds.derived_from or not publishes_data(ds.open_type):
            continue
        for res in ds.resources:
            # opened as every data file is (runtime/files.py): a file swapped for a link to
            # outside text must not make that text count as public and hide a finding
            with data_file(ds.folder, res.path, ds.id) as handle:
                if res.format == "csv" and res.encoding.lower().replace("_", "-") not in (
                    "utf-8",
                    "utf8",
                    "utf-8-sig",
                ):
                    yield handle.read().decode(res.encoding, errors="replace").encode("utf-8")
                    continue
                yield from (chunk for _, chunk in _stream_pieces(handle, res.path, 0))
