"""Personal data in open resources: ID, mobile and bank card numbers, e-mail addresses."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from pathlib import Path

from ..data.reader import iter_rows
from ..model import Catalog, Dataset, Resource
from ..policy import (
    is_hash_output,
    pii_allowed,
    publishes_data,
)
from . import files
from .findings import AuditResult, Finding
from .values import mask_value

log = logging.getLogger(__name__)

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
        while block := handle.read(files.CHUNK):
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
            if info is not None and is_hash_output(info.raw, cell):
                continue  # a digest of the hash rule: its digits are no one's number
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
