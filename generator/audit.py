"""The audit: the last check on a finished output tree, before it is swapped into site/.

It reads what was written, whatever stage wrote it, and proves two things:

1. No cell value of a conditional or closed resource appears in any output file: HTML,
   JSON, CSV, XML feeds, search index fragments, and the members of ZIP/XLSX, gzip, bzip2
   and xz files. Text is also read with HTML entities, ``\\uXXXX`` escapes and %-escapes
   decoded, so an escaped value is found too. A file the audit cannot read (a corrupt or
   encrypted archive, zstd) fails the audit: it cannot be shown clean.
2. Open resources carry no personal data: resident ID numbers (18 digits with a valid
   GB 11643 check digit and birth date), mainland mobile numbers, bank card numbers
   (13–19 digits passing Luhn, from a card network's number range) and e-mail addresses,
   unless the field's schema says ``pii_allowed: true`` (or lists the kinds allowed).

Which values are looked for (the threshold; see README "The audit"): a cell value, trimmed,
counts when it has at least 3 Chinese characters, or at least 6 characters of which one is
a digit, or at least 12 characters; plain numbers of fewer than 8 digits, dates and times
and true/false never count. Values that are public anyway are ignored: those that occur in
the open data or the published metadata of the catalog, the source values of fields that an
open derivative publishes with ``keep``, and Kaifang's own interface text. A hidden closed
dataset (``hide_closed: true``) adds its id, identifier and title to the values looked for.

The matching uses one Aho–Corasick automaton over the UTF-8 bytes of every value, so each
file is read once whatever the number of values. A value whose first or last character is
an ASCII letter or digit only counts where it is not part of a longer word or number.
Messages name dataset, resource, field and row, and never print a value in full.
"""

from __future__ import annotations

import bz2
import gzip
import html
import io
import json
import logging
import lzma
import os
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import islice, zip_longest
from pathlib import Path
from typing import IO
from urllib.parse import unquote_to_bytes

from ahocorasick_rs import BytesAhoCorasick

from . import parallel
from .errors import Problem
from .i18n import STRINGS
from .model import Catalog, Dataset, Resource
from .policy import (
    is_listed,
    pii_allowed,
    publishes_data,
    publishes_schema,
    shows_in_output,
    values_are_secret,
)
from .reader import iter_rows

log = logging.getLogger(__name__)

MIN_CJK = 3  # Chinese characters that make a value worth looking for
MIN_CHARS = 6  # otherwise: characters, one of them a digit
MIN_CHARS_NO_DIGIT = 12  # otherwise: characters of any kind
MIN_NUMBER_DIGITS = 8  # plain numbers with fewer digits before the point are too common
CHUNK = 16 << 20  # bytes read at a time from one file
MAX_NESTING = 3  # archives inside archives
FILES_PER_VALUE = 5  # output files named for one leaked value

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
_NEEDS_HTML_DECODE = re.compile(
    rb"&#(?!(?:34|38|39|60|62|x22|x26|x27|x3[cC]|x3[eE]);)|&(?!(?:amp|lt|gt|quot|apos|#)\b)[A-Za-z]+;"
)


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


def mask_value(value: str) -> str:
    """A value shortened for a message: enough to recognise it, never the whole of it."""
    n = len(value)
    if n >= 10:
        return value[:3] + "*" * (n - 6) + value[-3:]
    if n >= 6:
        return value[:1] + "*" * (n - 2) + value[-1:]
    return "*" * n


# --- what the audit reports --------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    """One violation. ``masked`` is the only form of the value ever kept."""

    kind: str  # "leak", "unreadable", or a personal-data kind from policy.PII_KINDS
    output: str  # the output file (or archive member) where it was found
    masked: str = ""
    dataset: str = ""
    resource: str = ""
    field: str = ""
    row: int | None = None
    file: str = ""  # the catalog file that holds the value

    def problem(self) -> Problem:
        if self.kind == "unreadable":
            return Problem(
                "audit-unreadable",
                f"审计无法读取输出文件 {self.output}，不能证明其中没有非开放数据",
                f"the audit cannot read output file {self.output}, so it cannot show that it "
                "holds no non-open data",
                file=self.output,
                found=self.masked,
                hint="不要在输出中写入加密或无法解压的文件",
                hint_en="do not write encrypted or unreadable archives into the output",
            )
        if self.kind == "leak":
            return Problem(
                "audit-leak",
                f"非开放数据（资源 {self.resource}）的值出现在输出文件 {self.output} 中",
                f"a value of non-open data (resource {self.resource}) appears in output file "
                f"{self.output}",
                file=self.file,
                dataset=self.dataset,
                row=self.row,
                field=self.field,
                found=self.masked,
                hint="找出把该值写入此文件的模板或构建阶段；"
                "开放与否只能由 generator/policy.py 决定",
                hint_en="find the template or stage that wrote the value into this file; only "
                "generator/policy.py decides what is published",
            )
        label = PII_LABELS[self.kind]
        return Problem(
            f"audit-pii-{self.kind}",
            f"开放资源 {self.resource} 含有个人信息：{label[0]}（发布文件 {self.output}）",
            f"open resource {self.resource} contains personal data: {label[1]} (published "
            f"file {self.output})",
            file=self.file,
            dataset=self.dataset,
            row=self.row,
            field=self.field,
            found=self.masked,
            hint="删除或脱敏该值；如该字段依法可以公开（例如单位的公开联系邮箱），"
            f"在字段的 schema 中声明 pii_allowed: [{self.kind}]",
            hint_en="remove or desensitise the value; if the field may lawfully be public (an "
            f"institution's public e-mail, say), declare pii_allowed: [{self.kind}] in its schema",
        )


PII_LABELS = {
    "id_number": ("居民身份证号码", "a resident ID number"),
    "mobile": ("手机号码", "a mobile number"),
    "bank_card": ("银行卡号", "a bank card number"),
    "email": ("电子邮箱地址", "an e-mail address"),
}


@dataclass
class AuditResult:
    findings: list[Finding] = field(default_factory=list)
    files: int = 0
    bytes: int = 0
    secrets: int = 0

    @property
    def ok(self) -> bool:
        return not self.findings

    def problems(self) -> list[Problem]:
        return [f.problem() for f in self.findings]


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
        """Values that the catalog itself publishes are not secrets (open data, metadata)."""
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
    """Everything the catalog publishes on purpose: open data and listed metadata."""
    site = catalog.site
    parts: list[str] = [site.title.zh, site.title.en, site.description.zh, site.description.en]
    parts += [site.contact.name.zh, site.contact.name.en, site.contact.email, site.contact.phone]
    parts += [site.contact.address.zh, site.contact.address.en]
    for theme in site.themes.values():
        parts += [theme.label.zh, theme.label.en]
    for freq in site.frequencies.values():
        parts += [freq.label.zh, freq.label.en]
    for pub in catalog.publishers.values():
        parts += [pub.name.zh, pub.name.en, pub.code, pub.contact.email, pub.contact.phone]
    for zh, en in STRINGS.values():
        parts += [zh, en]
    for ds in catalog.datasets:
        if not is_listed(ds.open_type, site.hide_closed):
            continue
        parts += [ds.id, ds.identifier, ds.title.zh, ds.title.en, ds.description.zh]
        parts += [ds.description.en, ds.readme_markdown, ds.open_conditions, ds.legal_basis]
        parts += [ds.spatial, ds.contact.name.zh, ds.contact.email, ds.contact.phone]
        parts += list(ds.keywords)
        if ds.temporal:
            parts += list(ds.temporal)
        for res in ds.resources:
            parts.append(res.title)
            if publishes_schema(ds.open_type):
                for f in res.fields:
                    parts += [f.name, f.title, f.description]
    yield "\n".join(p for p in parts if p).encode("utf-8")
    for ds in catalog.datasets:
        if ds.derived_from or not publishes_data(ds.open_type):
            continue
        for res in ds.resources:
            path = ds.folder / res.path
            if res.format == "csv" and res.encoding.lower().replace("_", "-") not in (
                "utf-8",
                "utf8",
                "utf-8-sig",
            ):
                yield path.read_bytes().decode(res.encoding, errors="replace").encode("utf-8")
                continue
            yield from (chunk for _, chunk in _readable(path, res.path))


# --- reading every output file -----------------------------------------------------------


class Unreadable(Exception):
    pass


def _readable(path: Path, name: str, depth: int = 0) -> Iterator[tuple[str, bytes]]:
    """(name, text bytes) pieces of a file, opening archives and compressed files."""
    with open(path, "rb") as handle:
        yield from _stream_pieces(handle, name, depth)


def _stream_pieces(handle: io.BufferedIOBase, name: str, depth: int) -> Iterator[tuple[str, bytes]]:
    head = handle.read(8)
    handle.seek(0)
    if depth > MAX_NESTING:
        raise Unreadable(f"{name}: archives nested too deep")
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        try:
            with zipfile.ZipFile(handle) as archive:
                for info in archive.infolist():
                    if info.is_dir():
                        continue
                    inner_name = f"{name}!{info.filename}"
                    with archive.open(info) as member:
                        first = member.read(8)
                        if not _is_container(first):  # plain text: streamed, never whole
                            yield from _plain_pieces(member, inner_name, first)
                            continue
                        nested = io.BytesIO(first + member.read())  # needs seeking
                    yield from _stream_pieces(nested, inner_name, depth + 1)
        except (zipfile.BadZipFile, RuntimeError, NotImplementedError, EOFError) as exc:
            raise Unreadable(f"{name}: {exc}") from exc
        return
    opener: Callable[[io.BufferedIOBase], io.BufferedIOBase] | None = None
    if head.startswith(b"\x1f\x8b"):
        opener = _gunzip
    elif head.startswith(b"BZh"):
        opener = bz2.BZ2File
    elif head.startswith(b"\xfd7zXZ\x00"):
        opener = lzma.LZMAFile
    elif head.startswith(b"\x28\xb5\x2f\xfd"):
        raise Unreadable(f"{name}: zstd-compressed")
    if opener is not None:
        try:
            with opener(handle) as inner_stream:
                inner = io.BytesIO(inner_stream.read())
        except (OSError, EOFError, lzma.LZMAError) as exc:
            raise Unreadable(f"{name}: {exc}") from exc
        yield from _stream_pieces(inner, name, depth + 1)
        return
    yield from _plain_pieces(handle, name)


def _is_container(head: bytes) -> bool:
    """An archive or compressed stream, which _stream_pieces opens before reading."""
    return head.startswith(
        (b"PK\x03\x04", b"PK\x05\x06", b"\x1f\x8b", b"BZh", b"\xfd7zXZ\x00", b"\x28\xb5\x2f\xfd")
    )


def _plain_pieces(handle: IO[bytes], name: str, first: bytes = b"") -> Iterator[tuple[str, bytes]]:
    """Blocks of CHUNK bytes, each with the last 4 KiB of the one before (so a value that
    straddles two blocks is seen whole): memory stays at one block, whatever the size."""
    overlap = b""
    block = first + handle.read(CHUNK)
    while block:
        yield name, overlap + block
        overlap = block[-4096:]
        block = handle.read(CHUNK)


def _gunzip(handle: io.BufferedIOBase) -> io.BufferedIOBase:
    return gzip.GzipFile(fileobj=handle)


# U+00AD soft hyphen, U+200B–U+200D zero-width (non-)joiners and space, U+2060, U+FEFF
_INVISIBLE = re.compile(rb"\xc2\xad|\xe2\x80[\x8b-\x8d]|\xe2\x81\xa0|\xef\xbb\xbf")


def _decoded_forms(data: bytes, markers: set[str]) -> Iterator[bytes]:
    """What the piece says with escapes undone, where it has escapes that could hide a value.

    ``markers`` are the rarer escapes the automaton saw in the piece (multi-byte needles
    cost a pass of their own with ``in``; '&' and '%' are found by memchr). Invisible characters
    go: Pagefind's segmenter joins Chinese words with zero-width spaces, so 云川测试贸易有限公司
    sits in its fragments as 云川\u200b测试\u200b贸易…. %-escapes and \\uXXXX escapes are
    decoded in the lines that carry them, so a page of mailto links is not scanned twice.
    """
    if "invisible" in markers:
        data = _INVISIBLE.sub(b"", data)
        yield data
    if b"&" in data and _NEEDS_HTML_DECODE.search(data):  # one-byte `in` is memchr: cheap
        yield html.unescape(data.decode("utf-8", errors="replace")).encode("utf-8")
    if "json" in markers:
        lines = _lines_with(_JSON_ESCAPE, data)
        if lines:
            text = lines.decode("utf-8", errors="replace")
            yield _JSON_ESCAPE_STR.sub(_unescape_json, text).encode("utf-8", errors="replace")
    if b"%" in data:
        lines = _lines_with(_PERCENT, data)
        if lines:
            yield unquote_to_bytes(lines)


_MARKERS: tuple[tuple[bytes, str], ...] = (
    *((m, "invisible") for m in (b"\xe2\x80\x8b", b"\xe2\x80\x8c", b"\xe2\x80\x8d")),
    *((m, "invisible") for m in (b"\xc2\xad", b"\xe2\x81\xa0", b"\xef\xbb\xbf")),
    (b"\\u", "json"),
)
_JSON_ESCAPE = re.compile(rb"\\u[0-9a-fA-F]{4}")
_PERCENT = re.compile(rb"%[0-9A-Fa-f]{2}")
_JSON_ESCAPE_STR = re.compile(r"(?:\\u[0-9a-fA-F]{4})+")


def _lines_with(pattern: re.Pattern[bytes], data: bytes) -> bytes:
    """The lines of data that contain pattern, joined (each line once)."""
    spans: list[bytes] = []
    end = -1
    for match in pattern.finditer(data):
        if match.start() < end:
            continue
        start = data.rfind(b"\n", 0, match.start()) + 1
        end = data.find(b"\n", match.end())
        end = len(data) if end < 0 else end
        spans.append(data[start:end])
    return b"\n".join(spans)


def _unescape_json(match: re.Match[str]) -> str:
    try:
        return json.loads(f'"{match.group(0)}"')
    except ValueError:
        return match.group(0)


def iter_output_files(root: Path) -> Iterator[Path]:
    """Every file under root, following symbolic links (once each) like a web server would."""
    seen: set[Path] = set()
    for folder, dirs, files in os.walk(root, followlinks=True):
        real = Path(folder).resolve()
        if real in seen:
            dirs.clear()
            continue
        seen.add(real)
        dirs.sort()
        for name in sorted(files):
            path = Path(folder) / name
            if path.is_file():
                yield path


@dataclass
class _Scanned:
    """What one part of the tree held: values found (each with its first files), counts,
    and the files that could not be read."""

    found: dict[int, list[str]] = field(default_factory=dict)
    files: int = 0
    bytes: int = 0
    unreadable: list[Finding] = field(default_factory=list)


def _scan_files(secrets: SecretIndex, part: tuple[Path, list[Path]]) -> _Scanned:
    root, paths = part
    scanned = _Scanned()
    found = scanned.found
    for path in paths:
        rel = path.relative_to(root).as_posix()
        scanned.files += 1
        try:
            for name, piece in _readable(path, rel):
                scanned.bytes += len(piece)
                values, markers = secrets.find(piece)
                for form in _decoded_forms(piece, markers):
                    values += secrets.find(form)[0]
                for value in values:
                    files = found.setdefault(value, [])
                    if name not in files and len(files) < FILES_PER_VALUE:
                        files.append(name)
        except Unreadable as exc:
            scanned.unreadable.append(Finding("unreadable", rel, masked=str(exc)[-120:]))
    return scanned


# Files per task of a parallel scan: enough to amortise a task, small enough to balance.
SCAN_CHUNK = 400


def scan_tree(
    root: Path,
    secrets: SecretIndex,
    result: AuditResult,
    jobs: int | None = 1,
    later: tuple[str, ...] = (),
    meanwhile: Callable[[], object] | None = None,
) -> dict[int, list[str]]:
    """Values found in the tree, each with the first files it was found in.

    With jobs > 1 on a large tree, worker processes scan consecutive parts of the sorted
    file list (they inherit the value index when the process forks; where processes
    cannot fork, the scan stays in this process). Parts are merged in order, so the
    result is the same as one process scanning every file in turn.

    With ``meanwhile``, the files under the ``later`` folders are left out at first; once
    the rest is scanned, meanwhile() runs (the build waits for Pagefind, which writes
    under one of them), and then every file not scanned yet is: nothing in the finished
    tree goes unread.
    """
    first = [
        p
        for p in iter_output_files(root)
        if meanwhile is None or not p.relative_to(root).as_posix().startswith(later)
    ]
    found: dict[int, list[str]] = {}
    _scan_paths(root, first, secrets, result, jobs, found)
    if meanwhile is not None:
        meanwhile()
        seen = set(first)
        rest = [p for p in iter_output_files(root) if p not in seen]
        _scan_paths(root, rest, secrets, result, jobs, found)
    return found


def _scan_paths(
    root: Path,
    paths: list[Path],
    secrets: SecretIndex,
    result: AuditResult,
    jobs: int | None,
    found: dict[int, list[str]],
) -> None:
    parts = [(root, paths[i : i + SCAN_CHUNK]) for i in range(0, len(paths), SCAN_CHUNK)]
    workers = parallel.resolve_jobs(jobs) if parallel.can_fork() else 1
    scans = parallel.map_with_state(_scan_files, secrets, parts, workers, threshold=4)
    for scanned in scans:
        result.files += scanned.files
        result.bytes += scanned.bytes
        result.findings.extend(scanned.unreadable)
        for value, names in scanned.found.items():
            files = found.setdefault(value, [])
            for name in names:
                if name not in files and len(files) < FILES_PER_VALUE:
                    files.append(name)


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
    later: tuple[str, ...] = (),
    meanwhile: Callable[[], object] | None = None,
) -> None:
    secrets = SecretIndex(catalog)
    result.secrets = len(secrets) - len(secrets.exempt)
    found = scan_tree(root, secrets, result, jobs, later, meanwhile)
    for value, outputs in sorted(found.items(), key=lambda kv: kv[1]):
        origin = secrets.origins[value]
        resource, field_name, row, file = _locate(catalog, origin, secrets.values[value])
        for output in outputs:
            result.findings.append(
                Finding(
                    "leak",
                    output,
                    masked=mask_value(secrets.values[value]),
                    dataset=origin.dataset,
                    resource=resource,
                    field=field_name,
                    row=row,
                    file=file,
                )
            )


# --- personal data in open resources -----------------------------------------------------

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"
_ID = re.compile(rb"(?<![0-9A-Za-z])\d{17}[0-9Xx](?![0-9A-Za-z])")
# Mainland mobile numbers: 1 + an allocated second digit, optionally +86, spaced or dashed.
_MOBILE = re.compile(rb"(?<![0-9])(?:\+?86[ -]?)?1[3-9]\d[ -]?\d{4}[ -]?\d{4}(?![0-9])")
_CARD = re.compile(rb"(?<![0-9])(?:\d[ -]?){12,18}\d(?![0-9])")
_EMAIL = re.compile(rb"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
MOBILE_PREFIXES = {
    "13": "0123456789",
    "14": "56789",
    "15": "012356789",
    "16": "2567",
    "17": "012345678",
    "18": "0123456789",
    "19": "0123456789",
}
# Card networks (ISO/IEC 7812 issuer ranges): Visa 4, Mastercard 2/5, UnionPay and Discover
# 6, Amex/JCB/Diners 3, and the 9-prefixed domestic cards of Chinese banks.
CARD_FIRST_DIGITS = "234569"


def valid_resident_id(number: str) -> bool:
    """GB 11643: 17 digits, a check character, and a real birth date in digits 7–14."""
    if len(number) != 18 or not number[:17].isdigit():
        return False
    total = sum(int(c) * w for c, w in zip(number[:17], ID_WEIGHTS, strict=True))
    if ID_CHECK[total % 11] != number[17].upper():
        return False
    year, month, day = int(number[6:10]), int(number[10:12]), int(number[12:14])
    if not 1900 <= year <= 2100 or not 1 <= month <= 12:
        return False
    days = [
        31,
        29 if year % 4 == 0 and (year % 100 or year % 400 == 0) else 28,
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ]
    return 1 <= day <= days[month - 1]


def valid_mobile(text: str) -> bool:
    digits = re.sub(r"\D", "", text)
    if len(digits) == 13 and digits.startswith("86"):
        digits = digits[2:]
    return len(digits) == 11 and digits[2] in MOBILE_PREFIXES.get(digits[:2], "")


def luhn_valid(digits: str) -> bool:
    total = 0
    for i, c in enumerate(reversed(digits)):
        d = int(c)
        if i % 2:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def valid_card(text: str) -> bool:
    digits = re.sub(r"\D", "", text)
    return (
        13 <= len(digits) <= 19
        and digits[0] in CARD_FIRST_DIGITS
        and luhn_valid(digits)
        and not valid_resident_id(digits)
    )


# Runs of 11 or more digits, spaces and hyphens are the only places an ID, mobile or card
# number can be: found by mapping those bytes to '0' and searching a literal, which is
# several times faster than a character-class regex over a whole file.
_DIGITISH = bytes.maketrans(b"0123456789 -", b"000000000000")
_CANDIDATE = re.compile(rb"00000000000+")
_AT = re.compile(rb"@[A-Za-z0-9-]+\.")


def personal_data(text: bytes) -> Iterator[tuple[str, str]]:
    """(kind, value) of each piece of personal data in a cell or a whole file.

    Cheap candidates first (runs of digits, an '@' before a domain), then the precise
    patterns on a small window around each, so clean files cost one pass of a simple regex.
    """
    for run in _CANDIDATE.finditer(text.translate(_DIGITISH)):
        lo, hi = max(0, run.start() - 4), min(len(text), run.end() + 1)
        window = text[lo:hi]
        ids: list[tuple[int, int]] = []
        for m in _ID.finditer(window):
            value = m.group().decode()
            if valid_resident_id(value):
                ids.append(m.span())
                yield "id_number", value
        for m in _MOBILE.finditer(window):
            value = m.group().decode()
            if valid_mobile(value):
                yield "mobile", value
        for m in _CARD.finditer(window):
            if any(a <= m.start() < b for a, b in ids):
                continue
            value = m.group().decode()
            if valid_card(value):
                yield "bank_card", value
    for at in _AT.finditer(text):
        lo = max(0, at.start() - 64)
        window = text[lo : at.end() + 255]
        for m in _EMAIL.finditer(window):
            if lo + m.start() <= at.start() < lo + m.end():
                yield "email", m.group().decode()


def _published_csv(root: Path, ds: Dataset, res: Resource) -> Path | None:
    path = root / "datasets" / ds.id / f"{res.name}.csv"
    return path if path.is_file() else None


def _rows_of(root: Path, ds: Dataset, res: Resource) -> Iterator[list[str]]:
    path = _published_csv(root, ds, res)
    if path is None:
        yield from iter_rows(ds, res)
        return
    import csv

    with open(path, encoding="utf-8", newline="") as handle:
        yield from csv.reader(handle)


def _has_personal_data(path: Path) -> bool:
    """personal_data over a whole file, read in pieces cut at line ends: no value it looks
    for spans a newline, and memory stays at one piece instead of the file (twice)."""
    rest = b""
    with open(path, "rb") as handle:
        while block := handle.read(CHUNK):
            block = rest + block
            cut = block.rfind(b"\n") + 1
            if cut == 0:  # no line end yet: keep reading
                rest = block
                continue
            if any(True for _ in personal_data(block[:cut])):
                return True
            rest = block[cut:]
    return bool(rest) and any(True for _ in personal_data(rest))


def audit_personal_data(root: Path, catalog: Catalog, result: AuditResult) -> None:
    for ds in catalog.datasets:
        if not publishes_data(ds.open_type):
            continue
        for res in ds.resources:
            path = _published_csv(root, ds, res)
            if path is not None and not _has_personal_data(path):
                continue  # the quick check over the whole file found nothing
            _audit_rows(root, ds, res, result)


def _audit_rows(root: Path, ds: Dataset, res: Resource, result: AuditResult) -> None:
    by_name = {f.name: f for f in res.fields}
    rows = _rows_of(root, ds, res)
    header = next(rows, [])
    fields = [by_name.get(name) for name in header]
    output = f"datasets/{ds.id}/{res.name}.csv"
    if res.derivation is not None:
        source = res.derivation.source_dataset
        file = f"datasets/{source.id}/{res.derivation.source_resource.path}"
    else:
        file = f"datasets/{ds.id}/{res.path}"
    for number, row in enumerate(rows, start=2):
        for i, cell in enumerate(row):
            if not cell or not any(ch.isdigit() or ch == "@" for ch in cell):
                continue
            info = fields[i] if i < len(fields) else None
            for kind, value in personal_data(cell.encode("utf-8")):
                if info is not None and pii_allowed(info.raw, kind):
                    continue
                result.findings.append(
                    Finding(
                        kind,
                        output,
                        masked=mask_value(value),
                        dataset=ds.id,
                        resource=res.name,
                        field=header[i] if i < len(header) else f"#{i + 1}",
                        row=number,
                        file=file,
                    )
                )


# --- the whole audit ---------------------------------------------------------------------


def audit(
    root: Path,
    catalog: Catalog,
    jobs: int | None = 1,
    later: tuple[str, ...] = (),
    meanwhile: Callable[[], object] | None = None,
) -> AuditResult:
    """Audit an output tree against the catalog it was built from; jobs: worker processes
    for scanning the tree (None: one per CPU). ``later`` and ``meanwhile``: see
    :func:`scan_tree` (the build finishes its search index while the rest is scanned)."""
    result = AuditResult()
    audit_leaks(root, catalog, result, jobs, later, meanwhile)
    audit_personal_data(root, catalog, result)
    log.info(
        "audit: %d files, %d bytes, %d values looked for, %d findings",
        result.files,
        result.bytes,
        result.secrets,
        len(result.findings),
    )
    return result
