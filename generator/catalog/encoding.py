"""Which text encoding a publisher's CSV file is really in.

Chinese business systems export CSV in UTF-8, UTF-8 with a BOM (Excel's "CSV UTF-8"),
GBK (Excel's default "CSV" on a Chinese Windows) or GB18030. Reading one as another
publishes mojibake, so the encoding is established by *strict decoding of the whole file*,
in this order:

1. a byte-order mark: UTF-8 with BOM; UTF-16/UTF-32 BOMs are named and refused;
2. UTF-8 (pure ASCII is reported as such: it is valid in every supported encoding);
3. GBK, then GB18030 (its superset, needed for 4-byte characters such as 𠀀).

Why not a statistical detector (chardet, charset-normalizer)? They guess from a sample and
return a confidence; for a publishing gate we want a proof. A file that decodes strictly as
UTF-8 from the first byte to the last is UTF-8 (multi-byte GBK text practically never forms
valid UTF-8), and one that does not is not. The order makes the answer deterministic, and
the decoders run incrementally over 1 MiB blocks, so memory does not grow with the file.
Known limit: a Big5 file may decode strictly as GBK; Big5 is not a supported encoding.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass
from pathlib import Path

BLOCK = 1 << 20

UTF8 = "utf-8"
UTF8_SIG = "utf-8-sig"
GBK = "gbk"
GB18030 = "gb18030"

LABELS = {UTF8: "UTF-8", UTF8_SIG: "UTF-8 (BOM)", GBK: "GBK", GB18030: "GB18030"}
FAMILY = {UTF8: UTF8, UTF8_SIG: UTF8, GBK: "gb", GB18030: "gb", "gb2312": "gb", "ascii": "ascii"}
OTHER_BOMS = (
    (codecs.BOM_UTF32_LE, "UTF-32"),
    (codecs.BOM_UTF32_BE, "UTF-32"),
    (codecs.BOM_UTF16_LE, "UTF-16"),
    (codecs.BOM_UTF16_BE, "UTF-16"),
)
MAGIC = ((b"PK\x03\x04", "ZIP/XLSX"), (b"\xd0\xcf\x11\xe0", "XLS (OLE2)"), (b"%PDF", "PDF"))


@dataclass(frozen=True)
class Detected:
    """The outcome of detection: ``codec`` is None when no supported encoding fits."""

    codec: str | None
    label: str
    ascii_only: bool = False
    bad_offset: int | None = None  # first byte that no supported decoder accepted

    @property
    def ok(self) -> bool:
        return self.codec is not None


def _scan(blocks: list[bytes] | None, path: Path | None, codec: str) -> tuple[int | None, bool]:
    """(offset of the first byte ``codec`` rejects or None, whether every byte is ASCII)."""
    decoder = codecs.getincrementaldecoder(codec)("strict")
    offset = 0
    ascii_only = True

    def chunks():
        if blocks is not None:
            yield from blocks
            return
        assert path is not None
        with open(path, "rb") as handle:
            while block := handle.read(BLOCK):
                yield block

    try:
        for block in chunks():
            ascii_only = ascii_only and block.isascii()
            decoder.decode(block)
            offset += len(block)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError as exc:
        return offset + max(exc.start, 0), False
    return None, ascii_only


def _decodes(blocks: list[bytes] | None, path: Path | None, codec: str) -> int | None:
    return _scan(blocks, path, codec)[0]


def _detect(head: bytes, blocks: list[bytes] | None, path: Path | None) -> Detected:
    if head.startswith(codecs.BOM_UTF8):
        bad = _decodes(blocks, path, UTF8_SIG)
        if bad is None:
            return Detected(UTF8_SIG, LABELS[UTF8_SIG])
        return Detected(None, "UTF-8 (BOM)，但含无效字节 / with invalid bytes", bad_offset=bad)
    for bom, label in OTHER_BOMS:
        if head.startswith(bom):
            return Detected(None, label)
    for magic, label in MAGIC:
        if head.startswith(magic):
            return Detected(None, label)
    bad_utf8, ascii_only = _scan(blocks, path, UTF8)
    if bad_utf8 is None:
        return Detected(UTF8, "ASCII" if ascii_only else LABELS[UTF8], ascii_only=ascii_only)
    for codec in (GBK, GB18030):
        if _decodes(blocks, path, codec) is None:
            return Detected(codec, LABELS[codec])
    return Detected(None, "未知编码 / unknown encoding", bad_offset=bad_utf8)


def detect_file(path: Path) -> Detected:
    """Detect the encoding of a file, streaming it in blocks."""
    with open(path, "rb") as handle:
        head = handle.read(4)
    return _detect(head, None, path)


def detect_bytes(data: bytes) -> Detected:
    return _detect(data[:4], [data], None)


def normalise(name: str) -> str | None:
    """Python's canonical codec name for a declared encoding, None when unknown."""
    try:
        return codecs.lookup(name.strip()).name
    except (LookupError, AttributeError):
        return None


SUPPORTED_DECLARED = {UTF8, UTF8_SIG, GBK, GB18030, "gb2312", "ascii"}


def reconcile(declared: str | None, found: Detected, path: Path) -> tuple[str | None, str]:
    """The codec to read the file with, or None and why the declaration does not fit.

    No declaration: the detected encoding is used. A declaration must describe the file:
    ASCII content fits every supported encoding; UTF-8 with or without BOM fit each other;
    a GB-family declaration fits when the file decodes strictly with the declared codec.
    """
    if not found.ok:
        return None, "undetected"
    if declared is None:
        return found.codec, ""
    name = normalise(declared)
    if name not in SUPPORTED_DECLARED:
        return None, "unsupported"
    if found.ascii_only:
        return found.codec, ""
    if FAMILY[name] == UTF8 and FAMILY[found.codec or ""] == UTF8:
        return found.codec, ""  # a BOM is tolerated and stripped
    if FAMILY[name] == "gb" and FAMILY[found.codec or ""] == "gb":
        if name == found.codec or _decodes(None, path, name) is None:
            return name, ""
    return None, "mismatch"
