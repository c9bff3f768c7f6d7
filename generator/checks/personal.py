"""Personal data (个人信息) in what a catalog publishes: resident ID, mobile and bank card
numbers and e-mail addresses, found however they are spelled.

The detection lives in the checks stage so that ``kaifang check`` and the build agree: the
checks run it over the rows of open resources and over every metadata string the site
shows (README, titles, descriptions, keywords, field descriptions, site.yaml,
publishers.yaml); the audit (generator/audit/personal.py) runs the same functions again
over the published files and the archive.

Spellings found: digits grouped by spaces, dashes or dots (ID numbers by spaces or dashes
in any grouping, mobiles as 3-4-4), full-width digits and ＠, non-breaking and
ideographic spaces, zero-width characters, +86 and 0086 prefixes, 15-digit
first-generation ID numbers and spaces around '@'. Text is normalised (NFKC, invisible
characters removed) only where such characters occur, so plain files cost one pass of a
simple scan. False positives are kept down by the checks that real numbers pass: the GB
11643 check character and a real birth date (18-digit IDs), a real birth date and not a
valid ISO 7064 MOD 11,10 business registration number (15-digit IDs), an allocated mobile
prefix, and Luhn plus a card network's first digit (cards). A number directly touching an
ASCII letter is not taken for one (so hex digests such as the hash rule's outputs are not
flagged).
"""

from __future__ import annotations

import csv
import io
import logging
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import numpy as np

from ..catalog.rows import source_rows
from ..errors import Problem
from ..model import Catalog, Contact, Dataset, Resource
from ..policy import is_hash_output, is_listed, pii_allowed, publishes_data, publishes_schema
from .filebytes import file_bytes

log = logging.getLogger(__name__)

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"
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

PII_LABELS = {
    "id_number": ("居民身份证号码", "a resident ID number"),
    "mobile": ("手机号码", "a mobile number"),
    "bank_card": ("银行卡号", "a bank card number"),
    "email": ("电子邮箱地址", "an e-mail address"),
}

# --- the checks real numbers pass ------------------------------------------------------------


def _real_date(year: int, month: int, day: int) -> bool:
    if not 1 <= month <= 12:
        return False
    leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    days = (31, 29 if leap else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
    return 1 <= day <= days[month - 1]


def valid_resident_id(number: str) -> bool:
    """GB 11643: 17 digits, a check character, and a real birth date in digits 7–14."""
    if len(number) != 18 or not number[:17].isdigit():
        return False
    total = sum(int(c) * w for c, w in zip(number[:17], ID_WEIGHTS, strict=True))
    if ID_CHECK[total % 11] != number[17].upper():
        return False
    year = int(number[6:10])
    return 1900 <= year <= 2100 and _real_date(year, int(number[10:12]), int(number[12:14]))


def _mod_11_10(digits: str) -> bool:
    """ISO 7064 MOD 11,10, the check digit of 15-digit business registration numbers."""
    p = 10
    for i, c in enumerate(digits):
        s = p % 11 + int(c)
        if i == len(digits) - 1:
            return s % 10 == 1
        p = ((s % 10) or 10) * 2
    return False


def valid_resident_id15(number: str) -> bool:
    """A first-generation ID number: 6-digit region, birth date YYMMDD (19YY), 3 digits.

    It has no check digit, so two things keep random 15-digit numbers out: the birth date
    must be real, and a number that passes the MOD 11,10 check of 15-digit business
    registration numbers (注册号) is taken for one (a tenth of real IDs are missed so)."""
    if len(number) != 15 or not number.isdigit() or number[0] == "0":
        return False
    if not _real_date(1900 + int(number[6:8]), int(number[8:10]), int(number[10:12])):
        return False
    return not _mod_11_10(number)


def valid_mobile(text: str) -> bool:
    digits = re.sub(r"\D", "", text)
    if len(digits) == 15 and digits.startswith("0086"):
        digits = digits[4:]
    elif len(digits) == 13 and digits.startswith("86"):
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


def mask_value(value: str) -> str:
    """A value shortened for a message: enough to recognise it, never the whole of it."""
    n = len(value)
    if n >= 10:
        return value[:3] + "*" * (n - 6) + value[-3:]
    if n >= 6:
        return value[:1] + "*" * (n - 2) + value[-1:]
    return "*" * n


# --- finding them in text --------------------------------------------------------------------

# Characters that hide a number or an address from a plain scan: full-width digits, ＋, －,
# ．, ＠, Ｘ/ｘ; no-break, ideographic and other Unicode spaces; zero-width characters.
_UNUSUAL = re.compile(
    rb"\xef\xbc[\x8b\x8d\x8e\x90-\x99\xa0\xb8]|\xef\xbd\x98|\xc2[\xa0\xad]|\xe3\x80\x80"
    rb"|\xe2\x80[\x80-\x8d\xaf]|\xe2\x81[\x9f\xa0]|\xef\xbb\xbf"
)
_INVISIBLE = re.compile("[\u00ad\u200b\u200c\u200d\u2060\ufeff]")
_NOT_WORD = rb"(?<![0-9A-Za-z])"
_NO_WORD_AFTER = rb"(?![0-9A-Za-z])"
_ID = re.compile(_NOT_WORD + rb"(?:\d[ -]{0,2}){17}[0-9Xx]" + _NO_WORD_AFTER)
_ID15 = re.compile(_NOT_WORD + rb"(?:\d[ -]{0,2}){14}\d" + _NO_WORD_AFTER)
_MOBILE = re.compile(
    _NOT_WORD
    + rb"(?:(?:\+|00)?86[ .-]{0,2})?1[3-9]\d[ .-]{0,2}\d{4}[ .-]{0,2}\d{4}"
    + _NO_WORD_AFTER
)
_CARD = re.compile(_NOT_WORD + rb"(?:\d[ -]?){12,18}\d" + _NO_WORD_AFTER)
_EMAIL = re.compile(rb"[A-Za-z0-9._%+-]+ ?@ ?[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")

# Runs of 11 or more digits, spaces, dots and hyphens are the only places an ID, mobile or
# card number can be: found by mapping those bytes to '0' and searching a literal, which is
# several times faster than a character-class regex over a whole file.
_DIGITISH = bytes.maketrans(b"0123456789 -.", b"0000000000000")
_CANDIDATE = b"0" * 11
_RUN = re.compile(rb"0+")
_AT = re.compile(rb"@ ?[A-Za-z0-9-]+\.")


# _UNUSUAL's sequences as (lead byte, second byte, the third bytes allowed), and its two-byte
# ones as (lead byte, the second bytes allowed). In a large text, where re steps through every
# byte (about 10 ns a byte: 0.4 s of a 40 MB CSV), numpy finds the lead bytes and tests the
# bytes after them (0.05 s).
_UNUSUAL_SEQUENCES: tuple[tuple[int, int, bytes], ...] = (
    (0xEF, 0xBC, bytes([0x8B, 0x8D, 0x8E, *range(0x90, 0x9A), 0xA0, 0xB8])),
    (0xEF, 0xBD, b"\x98"),
    (0xEF, 0xBB, b"\xbf"),
    (0xE3, 0x80, b"\x80"),
    (0xE2, 0x80, bytes([*range(0x80, 0x8E), 0xAF])),
    (0xE2, 0x81, b"\x9f\xa0"),
)
_UNUSUAL_PAIRS = ((0xC2, b"\xa0\xad"),)
_LARGE_TEXT = 1 << 16


def has_unusual(text: bytes) -> bool:
    """Whether ``text`` holds a character that _UNUSUAL matches (the same answer as
    ``_UNUSUAL.search(text) is not None``): for a large text, memchr finds whether a lead
    byte occurs at all and numpy tests the bytes after each one."""
    if len(text) < _LARGE_TEXT:
        return _UNUSUAL.search(text) is not None
    if text.isascii():
        return False
    data = np.frombuffer(text, dtype=np.uint8)
    for lead, follows in _UNUSUAL_PAIRS:
        if text.find(bytes([lead])) < 0:
            continue
        at = np.flatnonzero(data[:-1] == lead)
        if np.isin(data[at + 1], np.frombuffer(follows, np.uint8)).any():
            return True
    for lead in sorted({seq[0] for seq in _UNUSUAL_SEQUENCES}):
        if text.find(bytes([lead])) < 0:
            continue
        at = np.flatnonzero(data[:-2] == lead)
        second, third = data[at + 1], data[at + 2]
        for first, middle, last in _UNUSUAL_SEQUENCES:
            if first != lead:
                continue
            hit = second == middle
            if hit.any() and np.isin(third[hit], np.frombuffer(last, np.uint8)).any():
                return True
    return False


def normalise(text: bytes) -> bytes:
    """NFKC (full-width digits and ＠ to ASCII, Unicode spaces to spaces) and invisible
    characters removed, only where the text has such characters."""
    if not has_unusual(text):
        return text
    plain = unicodedata.normalize("NFKC", text.decode("utf-8", errors="replace"))
    return _INVISIBLE.sub("", plain).encode("utf-8")


def _matches(pattern: re.Pattern[bytes], window: bytes, valid) -> Iterator[tuple[int, int, str]]:
    """Matches that pass ``valid``; after a failed match the search moves on one byte, so a
    number right after a longer run of grouped digits is still found."""
    pos = 0
    while (m := pattern.search(window, pos)) is not None:
        value = m.group().decode()
        if valid(value.replace(" ", "").replace("-", "")):
            yield m.start(), m.end(), value
            pos = m.end()
        else:
            pos = m.start() + 1


def _candidate_runs(digitish: bytes) -> Iterator[tuple[int, int]]:
    """(start, end) of each run of 11 or more '0' (what re's finditer of ``0{11,}`` gives),
    found with bytes.find: twice as fast as re over a whole file."""
    pos = 0
    while (start := digitish.find(_CANDIDATE, pos)) >= 0:
        run = _RUN.match(digitish, start)
        assert run is not None
        yield start, run.end()
        pos = run.end()


def personal_data(text: bytes) -> Iterator[tuple[str, str]]:
    """(kind, value) of each piece of personal data in a cell or a whole file (UTF-8).

    Cheap candidates first (runs of digits, an '@' before a domain), then the precise
    patterns on a small window around each, so clean files cost one pass of a simple regex.
    Values are given as found after normalisation (full-width digits as ASCII)."""
    text = normalise(text)
    for start, end in _candidate_runs(text.translate(_DIGITISH)):
        lo, hi = max(0, start - 4), min(len(text), end + 1)
        window = text[lo:hi]
        taken: list[tuple[int, int]] = []
        for start, end, value in _matches(_ID, window, valid_resident_id):
            taken.append((start, end))
            yield "id_number", value
        for start, end, value in _matches(_ID15, window, valid_resident_id15):
            if not any(a <= start < b for a, b in taken):
                taken.append((start, end))
                yield "id_number", value
        for start, _end, value in _matches(_MOBILE, window, valid_mobile):
            if not any(a <= start < b for a, b in taken):
                yield "mobile", value
        for start, _end, value in _matches(_CARD, window, valid_card):
            if not any(a <= start < b for a, b in taken):
                yield "bank_card", value
    for at in _AT.finditer(text):
        lo = max(0, at.start() - 64)
        window = text[lo : at.end() + 255]
        for m in _EMAIL.finditer(window):
            if lo + m.start() <= at.start() < lo + m.end():
                yield "email", m.group().decode()


def email_key(value: str) -> str:
    """An e-mail address as compared with the declared contacts."""
    return value.replace(" ", "").lower()


# --- publisher-written text -----------------------------------------------------------------


@dataclass(frozen=True)
class MetadataText:
    """One string the site shows, written by the publisher, and where it comes from."""

    file: str  # relative to the catalog root
    dataset: str
    key: str  # e.g. description, resources[0].schema.fields[2].description, README
    text: str
    line: int | None = None


def declared_contacts(catalog: Catalog, ds: Dataset | None = None) -> frozenset[str]:
    """The e-mail addresses and phone numbers of the contact and channels blocks of
    site.yaml and publishers.yaml (and of the dataset's own ``contact``): published on
    purpose, so they are no findings there nor where free text repeats them."""
    site = catalog.site
    contacts: list[Contact] = [site.contact]
    contacts += [pub.contact for pub in catalog.publishers.values()]
    if ds is not None:
        contacts.append(ds.contact)
    found = {email_key(c.email) for c in contacts if c.email}
    found |= {email_key(ch.email) for ch in site.channels.values() if ch.email}
    found |= {re.sub(r"\D", "", c.phone)[-11:] for c in contacts if c.phone}
    found.discard("")
    return frozenset(found)


def _is_declared(kind: str, value: str, declared: frozenset[str]) -> bool:
    if kind == "email":
        return email_key(value) in declared
    if kind == "mobile":
        return re.sub(r"\D", "", value)[-11:] in declared
    return False


def _strings(value: Any, path: tuple[str | int, ...]) -> Iterator[tuple[tuple, str]]:
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            if key in ("hash", "path", "$schema", "profile"):
                continue  # checksums and file paths, not text for people
            yield from _strings(item, (*path, str(key)))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _strings(item, (*path, i))


def _key_text(path: tuple) -> str:
    text = ""
    for step in path:
        text += f"[{step}]" if isinstance(step, int) else (f".{step}" if text else step)
    return text


def may_hold_personal_data(text: str) -> bool:
    """Whether a text has what every piece of personal data has: a digit or an '@'
    (str.isdigit mapped in C: half the time of a generator over the characters)."""
    return "@" in text or "＠" in text or any(map(str.isdigit, text))


def dataset_texts(ds: Dataset, hide_closed: bool) -> Iterator[MetadataText]:
    """Every string of a listed dataset's descriptor that may reach the site and may hold
    personal data (:func:`may_hold_personal_data`), and its README. The resources (field
    titles, descriptions, examples) count where the schema is published; a hidden closed
    dataset publishes nothing. Strings without a digit or an '@' are left out before their
    key and line are worked out: those took most of the scan (60 strings a dataset)."""
    if not is_listed(ds.open_type, hide_closed):
        return
    file = f"datasets/{ds.id}/datapackage.yaml"
    for path, text in _strings(ds.descriptor, ()):
        if path and path[0] == "resources" and not publishes_schema(ds.open_type):
            continue
        if not may_hold_personal_data(text):
            continue
        line = ds.source.line(list(path)) if ds.source is not None else None
        yield MetadataText(file, ds.id, _key_text(path), text, line)
    if ds.readme_markdown:
        yield MetadataText(f"datasets/{ds.id}/README.md", ds.id, "README", ds.readme_markdown)


def _contact_texts(contact: Contact, where: str) -> list[tuple[str, str]]:
    return [
        (f"{where}.name", contact.name.zh),
        (f"{where}.name.en", contact.name.en),
        (f"{where}.email", contact.email),
        (f"{where}.phone", contact.phone),
        (f"{where}.address", contact.address.zh),
        (f"{where}.address.en", contact.address.en),
    ]


def site_texts(catalog: Catalog) -> Iterator[MetadataText]:
    """The strings of site.yaml and publishers.yaml that the site shows."""
    site = catalog.site
    parts = [
        ("title", site.title.zh),
        ("title.en", site.title.en),
        ("description", site.description.zh),
        ("description.en", site.description.en),
        *_contact_texts(site.contact, "contact"),
    ]
    for name, channel in site.channels.items():
        parts += [(f"channels.{name}.url", channel.url), (f"channels.{name}.email", channel.email)]
    for theme in site.themes.values():
        parts += [(f"themes.{theme.id}", theme.label.zh), (f"themes.{theme.id}.en", theme.label.en)]
    for freq in site.frequencies.values():
        parts += [
            (f"frequencies.{freq.id}", freq.label.zh),
            (f"frequencies.{freq.id}.en", freq.label.en),
        ]
    for key, text in parts:
        if text:
            yield MetadataText("site.yaml", "", key, text)
    for pub in catalog.publishers.values():
        for key, text in [
            ("name", pub.name.zh),
            ("name.en", pub.name.en),
            *_contact_texts(pub.contact, "contact"),
        ]:
            if text:
                yield MetadataText("publishers.yaml", "", f"{pub.id}.{key}", text)


@dataclass(frozen=True)
class TextFinding:
    kind: str
    masked: str
    where: MetadataText
    line: int | None


def text_findings(texts: Iterable[MetadataText], declared: frozenset[str]) -> Iterator[TextFinding]:
    """Personal data in publisher-written text, less the declared contacts."""
    for item in texts:
        if not may_hold_personal_data(item.text):
            continue
        for kind, value in personal_data(item.text.encode("utf-8")):
            if _is_declared(kind, value, declared):
                continue
            line = item.line
            at = item.text.find(value)
            if item.key == "README" and at >= 0:
                line = item.text.count("\n", 0, at) + 1
            yield TextFinding(kind, mask_value(value), item, line)


def metadata_problem(finding: TextFinding, output: str = "") -> Problem:
    """A Problem for personal data in metadata (``output``: the published file, when known
    from an audit)."""
    zh, en = PII_LABELS[finding.kind]
    item = finding.where
    owner_zh = f"数据集 {item.dataset} 的" if item.dataset else ""
    owner_en = f" of dataset {item.dataset}" if item.dataset else ""
    published_zh = f"（发布文件 {output}）" if output else ""
    published_en = f" (published file {output})" if output else ""
    return Problem(
        f"pii-in-metadata-{finding.kind}",
        f"{owner_zh}元数据 {item.key} 含有个人信息：{zh}{published_zh}",
        f"the metadata {item.key}{owner_en} contains personal data: {en}{published_en}",
        file=item.file,
        dataset=item.dataset,
        line=finding.line,
        field=item.key,
        found=finding.masked,
        hint="从说明文字中删去该值；单位的公开联系方式请写在 site.yaml、publishers.yaml "
        "或数据集的 contact（联系方式）/channels 中，这些地址在正文中也可以出现",
        hint_en="remove the value from the text; write an institution's public contact into "
        "the contact or channels blocks of site.yaml, publishers.yaml or the dataset, whose "
        "addresses may then appear in text too",
    )


def metadata_problems(catalog: Catalog, ds: Dataset | None) -> list[Problem]:
    """Personal data in one dataset's metadata, or (ds None) in site.yaml and publishers."""
    declared = declared_contacts(catalog, ds)
    texts = site_texts(catalog) if ds is None else dataset_texts(ds, catalog.site.hide_closed)
    return [metadata_problem(f) for f in text_findings(texts, declared)]


# --- open data -----------------------------------------------------------------------------

MAX_REPORTED = 20  # findings reported one by one per resource; the rest are counted
ROW_JOIN = "\x1f"  # unit separator: no pattern, nor NFKC, joins across it
CHUNK = 16 << 20


def file_has_personal_data(path: Path, encoding: str = "utf-8", data: bytes | None = None) -> bool:
    """personal_data over a whole file (or its ``data``, read once: checks/filebytes.py);
    see :func:`stream_has_personal_data`."""
    with open(path, "rb") if data is None else io.BytesIO(data) as handle:
        return stream_has_personal_data(handle, encoding)


def stream_has_personal_data(handle: IO[bytes], encoding: str = "utf-8") -> bool:
    """personal_data over an open file, read in pieces cut at line ends: no value it looks
    for spans a newline, and memory stays at one piece instead of the file."""
    codec = encoding.lower().replace("_", "-")
    recode = codec not in ("utf-8", "utf8", "utf-8-sig")
    rest = b""
    while block := handle.read(CHUNK):
        block = rest + block
        cut = block.rfind(b"\n") + 1
        if cut == 0:  # no line end yet: keep reading
            rest = block
            continue
        piece = block[:cut]
        if recode:
            piece = piece.decode(encoding, errors="replace").encode("utf-8")
        if any(True for _ in personal_data(piece)):
            return True
        rest = block[cut:]
    if recode:
        rest = rest.decode(encoding, errors="replace").encode("utf-8")
    return bool(rest) and any(True for _ in personal_data(rest))


def data_problems(ds: Dataset) -> list[Problem]:
    """Personal data in the rows of an open dataset's own files (derivatives are computed
    later and audited in their published form), honouring each field's ``pii_allowed``."""
    if ds.derived_from or not publishes_data(ds.open_type):
        return []
    problems: list[Problem] = []
    for res in ds.resources:
        if not res.path or res.name in ds.skipped_resources:
            continue
        path = ds.folder / res.path
        try:
            data = file_bytes(ds, res) if res.format != "xlsx" else None
            if res.format != "xlsx" and not file_has_personal_data(path, res.encoding, data):
                continue
            problems += _resource_problems(ds, res)
        except (OSError, ValueError, LookupError) as exc:  # reported by the data checks
            log.debug("personal-data scan of %s skipped: %s", path, exc)
    return problems


def _resource_problems(ds: Dataset, res: Resource) -> list[Problem]:
    by_name = {f.name: f for f in res.fields}
    rows = source_rows(ds, res)  # the one reader, by descriptor
    header = next(rows, [])
    fields = [by_name.get(name) for name in header]
    problems: list[Problem] = []
    more = 0
    for number, row in enumerate(rows, start=2):
        # the row's cells joined by a character no pattern takes in: whatever a cell holds,
        # the joined row holds too, so a row with nothing is skipped without a cell loop
        if not any(True for _ in personal_data(ROW_JOIN.join(row).encode("utf-8"))):
            continue
        for i, cell in enumerate(row):
            if not cell or not any(ch.isdigit() or ch in "@＠" for ch in cell):
                continue
            info = fields[i] if i < len(fields) else None
            for kind, value in personal_data(cell.encode("utf-8")):
                if info is not None and pii_allowed(info.raw, kind):
                    continue
                if len(problems) >= MAX_REPORTED:
                    more += 1
                    continue
                name = header[i] if i < len(header) else f"#{i + 1}"
                problems.append(data_problem(ds, res, kind, name, number, mask_value(value)))
    if more:
        problems.append(
            Problem(
                "pii-in-data-more",
                f"资源 {res.name} 另有 {more} 处个人信息未逐一列出",
                f"resource {res.name} holds {more} more pieces of personal data not listed one "
                "by one",
                file=f"datasets/{ds.id}/{res.path}",
                dataset=ds.id,
                resource=res.name,
                hint="删除或脱敏这些值后重新检查",
                hint_en="remove or desensitise the values and check again",
            )
        )
    return problems


def data_problem(
    ds: Dataset, res: Resource, kind: str, field_name: str, row: int, masked: str
) -> Problem:
    zh, en = PII_LABELS[kind]
    return Problem(
        f"pii-in-data-{kind}",
        f"开放资源 {res.name} 含有个人信息：{zh}",
        f"open resource {res.name} contains personal data: {en}",
        file=f"datasets/{ds.id}/{res.path}",
        dataset=ds.id,
        resource=res.name,
        row=row,
        field=field_name,
        found=masked,
        hint="删除或脱敏该值（或通过脱敏派生数据集发布）；如该字段依法可以公开（例如单位的"
        f"公开联系邮箱），在字段的 schema 中声明 pii_allowed: [{kind}]",
        hint_en="remove or desensitise the value (or publish it through a desensitised "
        "derivative); if the field may lawfully be public (an institution's public e-mail, "
        f"say), declare pii_allowed: [{kind}] in its schema",
    )


# --- files kept under archive/ -------------------------------------------------------------


def csv_bytes_findings(ds: Dataset, data: bytes) -> list[tuple[str, str, int, str]]:
    """(kind, field, row, masked) of personal data in a published CSV of ds (UTF-8), its
    columns matched by name to the dataset's current fields and their ``pii_allowed``."""
    if not any(True for _ in personal_data(data)):
        return []
    fields = {f.name: f for res in ds.resources for f in res.fields}
    rows = csv.reader(data.decode("utf-8", errors="replace").splitlines())
    header = next(rows, [])
    found: list[tuple[str, str, int, str]] = []
    for number, row in enumerate(rows, start=2):
        # the row's cells joined by a character no pattern takes in: whatever a cell holds,
        # the joined row holds too, so a row with nothing is skipped without a cell loop
        if not any(True for _ in personal_data(ROW_JOIN.join(row).encode("utf-8"))):
            continue
        for i, cell in enumerate(row):
            if not cell or not any(ch.isdigit() or ch in "@＠" for ch in cell):
                continue
            name = header[i] if i < len(header) else f"#{i + 1}"
            info = fields.get(name)
            if info is not None and is_hash_output(info.raw, cell):
                continue  # a digest of the hash rule, as the audit of published files
            for kind, value in personal_data(cell.encode("utf-8")):
                if info is None or not pii_allowed(info.raw, kind):
                    found.append((kind, name, number, mask_value(value)))
    return found


def archive_withdrawn(
    ds: Dataset, url_path: str, found: list[tuple[str, str, int, str]]
) -> Problem:
    """The warning for an archived file left out of the site because it holds personal
    data that the dataset's current schema does not allow."""
    kind, field_name, row, masked = found[0]
    zh, en = PII_LABELS[kind]
    return Problem(
        "archive-withdrawn-pii",
        f"数据集 {ds.id} 的存档文件 {url_path} 含有个人信息（{zh}，共 {len(found)} 处），"
        "已撤回，不再发布",
        f"archived file {url_path} of dataset {ds.id} holds personal data ({en}, "
        f"{len(found)} in all) and was withdrawn: it is no longer published",
        file=f"datasets/{ds.id}/{url_path}",
        dataset=ds.id,
        severity="warning",
        row=row,
        field=field_name,
        found=masked,
        hint="无需操作：存档只保留当前表结构允许的数据；若曾发布过的文件已被下载，请按"
        "个人信息保护的要求另行处置",
        hint_en="nothing to do: the archive keeps only what the current schema allows; if the "
        "file was downloaded while it was published, handle that as personal-data protection "
        "requires",
    )
