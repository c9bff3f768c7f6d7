"""Reading an output file as the audit must: archive members, compressed files and escaped
text undone, so a value is found however a stage wrote it."""

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
import struct
import zipfile
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any
from urllib.parse import unquote_to_bytes

log = logging.getLogger(__name__)

# --- reading every output file -----------------------------------------------------------


CHUNK = 16 << 20  # bytes read at a time from one file
# A .br larger than this is decompressed as it is read, not in one call: it may unpack to
# ten times its size (a 1 GB download's sibling is about 100 MB).
WHOLE_BROTLI_BYTES = 1 << 20
MAX_NESTING = 3  # archives inside archives
_NEEDS_HTML_DECODE = re.compile(
    rb"&#(?!(?:34|38|39|60|62|x22|x26|x27|x3[cC]|x3[eE]);)|&(?!(?:amp|lt|gt|quot|apos|#)\b)[A-Za-z]+;"
)


class Unreadable(Exception):
    pass


def _readable(
    path: Path | str, name: str, depth: int = 0, hasher: Any = None, stats: Any = None
) -> Iterator[tuple[str, bytes]]:
    """(name, text bytes) pieces of a file, opening archives and compressed files.

    A file of at most CHUNK bytes (nearly every file of a site) is read whole in one call
    and taken apart in memory: a read of CHUNK bytes from the file itself allocates the
    whole CHUNK first, which cost more than the reading (0.34 against 0.13 CPU-s for
    8,000 files of a dataset folder). ``hasher`` (a hashlib object) is given the file's
    bytes as they are read; ``stats`` (a list) the file's size and mtime in ns, from the
    descriptor it is read through."""
    with open(path, "rb") as handle:
        info = os.fstat(handle.fileno())
        size = info.st_size
        if stats is not None:
            stats.append([size, info.st_mtime_ns])
        brotli_stream = name.endswith(".br") and size > WHOLE_BROTLI_BYTES
        if size > CHUNK or brotli_stream:  # streamed, one block at a time
            if hasher is not None:  # a pass of its own: the pieces are not the bytes
                for block in iter(lambda: handle.read(1 << 20), b""):
                    hasher.update(block)
                handle.seek(0)
            if name.endswith(".br"):  # decompressed as it is read
                unpacked = io.BufferedReader(_Unbrotli(handle, name), CHUNK)
                yield from _inflated_pieces(unpacked, name, depth + 1)
            else:
                yield from _stream_pieces(handle, name, depth)
            return
        data = handle.read()
    if hasher is not None:
        hasher.update(data)
    if name.endswith(".br"):  # brotli has no magic bytes: known by its name
        yield from _stream_pieces(_unbrotli(data, name), name, depth + 1)
    else:
        yield from _stream_pieces(io.BytesIO(data), name, depth)


def _unbrotli(data: bytes, name: str) -> io.BytesIO:
    """A precompressed sibling (page.html.br) decompressed, so it is scanned like the page."""
    import brotli

    try:
        return io.BytesIO(brotli.decompress(data))
    except brotli.error as exc:
        raise Unreadable(f"{name}: brotli: {exc}") from exc


class _Unbrotli(io.RawIOBase):
    """A precompressed sibling (page.html.br) decompressed as it is read, so it is scanned
    like the page, a block at a time (read whole, the .br of a 1 GB JSON download took
    twice its size in memory: the largest process of a 10M-row build)."""

    def __init__(self, packed: IO[bytes], name: str) -> None:
        import brotli

        self._packed, self._name, self._error = packed, name, brotli.error
        self._brotli = brotli.Decompressor()
        self._pending = memoryview(b"")

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self._pending:
            block = self._packed.read(1 << 18)
            if not block:
                if not self._brotli.is_finished():
                    raise Unreadable(f"{self._name}: brotli: the stream is cut short")
                return 0
            try:
                self._pending = memoryview(self._brotli.process(block))
            except self._error as exc:
                raise Unreadable(f"{self._name}: brotli: {exc}") from exc
        n = min(len(buffer), len(self._pending))
        buffer[:n] = self._pending[:n]
        self._pending = self._pending[n:]
        return n


def _inflated_pieces(
    inner: io.BufferedIOBase, name: str, depth: int
) -> Iterator[tuple[str, bytes]]:
    """The pieces of a decompressed stream: text streamed a block at a time, an archive
    or another compressed stream (which needs seeking) read whole and opened."""
    first = inner.read(8)
    if depth > MAX_NESTING:
        raise Unreadable(f"{name}: archives nested too deep")
    if not _is_container(first):
        yield from _plain_pieces(inner, name, first)
        return
    yield from _stream_pieces(io.BytesIO(first + inner.read()), name, depth)


def _stream_pieces(handle: io.BufferedIOBase, name: str, depth: int) -> Iterator[tuple[str, bytes]]:
    head = handle.read(8)
    handle.seek(0)
    if depth > MAX_NESTING:
        raise Unreadable(f"{name}: archives nested too deep")
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        whole = handle.getvalue() if isinstance(handle, io.BytesIO) else None
        try:
            with zipfile.ZipFile(handle) as archive:
                for info in archive.infolist():
                    if info.is_dir():
                        continue
                    inner_name = f"{name}!{info.filename}"
                    data = _member(whole, info, archive) if whole is not None else None
                    if data is not None:  # the member's bytes, checked against its CRC
                        if not _is_container(data[:8]):
                            if data:
                                yield inner_name, data
                            continue
                        nested = io.BytesIO(data)
                    else:
                        with archive.open(info) as member:
                            first = member.read(8)
                            if not _is_container(first):  # plain text: streamed, never whole
                                yield from _plain_pieces(member, inner_name, first)
                                continue
                            nested = io.BytesIO(first + member.read())  # needs seeking
                    yield from _stream_pieces(nested, inner_name, depth + 1)
        # zipfile lets a broken deflate stream (zlib.error) and a directory whose offsets
        # point before the archive (ValueError: a negative seek) through as they are
        except (
            zipfile.BadZipFile,
            RuntimeError,
            NotImplementedError,
            EOFError,
            zlib.error,
            ValueError,
        ) as exc:
            raise Unreadable(f"{name}: {exc}") from exc
        return
    if head.startswith(b"PAR1"):
        yield from _parquet_pieces(handle, name)
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
                yield from _inflated_pieces(inner_stream, name, depth + 1)
        except (OSError, EOFError, lzma.LZMAError, zlib.error) as exc:
            raise Unreadable(f"{name}: {exc}") from exc
        return
    yield from _plain_pieces(handle, name)


_PLAIN_FLAGS = ~(0x08 | 0x800)  # flag bits the fast path accepts: data descriptor, UTF-8 name


def _member(whole: bytes, info: zipfile.ZipInfo, archive: zipfile.ZipFile) -> bytes | None:
    """A small stored or deflated member of an archive held in memory, taken from the
    archive's bytes in one slice and one inflate (zipfile reads it through a file object
    and its own buffers: 1,400 XLSX and zip files of 1,000 synthetic datasets 0.17 ->
    0.08 CPU-s). It is the member only when it reads exactly as zipfile would read it: the
    local header's signature and name match the directory's, the inflated length is the
    directory's size and the CRC-32 is the directory's. Anything else (encryption, another
    method, a member over CHUNK, a mismatch, a broken stream) gives None, and zipfile
    reads the member as before: its errors are the audit's findings, as they were."""
    if (
        info.flag_bits & _PLAIN_FLAGS
        or info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)
        or info.file_size > CHUNK
        or (info.compress_type == zipfile.ZIP_STORED and info.compress_size != info.file_size)
    ):
        return None
    start = info.header_offset
    header = whole[start : start + zipfile.sizeFileHeader]
    if len(header) != zipfile.sizeFileHeader:
        return None
    fields = struct.unpack(zipfile.structFileHeader, header)
    if fields[zipfile._FH_SIGNATURE] != zipfile.stringFileHeader:
        return None
    start += zipfile.sizeFileHeader
    raw_name = whole[start : start + fields[zipfile._FH_FILENAME_LENGTH]]
    utf8 = fields[zipfile._FH_GENERAL_PURPOSE_FLAG_BITS] & 0x800
    try:
        local_name = raw_name.decode("utf-8" if utf8 else archive.metadata_encoding or "cp437")
    except UnicodeDecodeError:
        return None
    if local_name != info.orig_filename:
        return None
    start += fields[zipfile._FH_FILENAME_LENGTH] + fields[zipfile._FH_EXTRA_FIELD_LENGTH]
    raw = whole[start : start + info.compress_size]
    if info.compress_type == zipfile.ZIP_STORED:
        data = raw
    else:
        try:
            data = zlib.decompressobj(-15).decompress(raw, info.file_size)
        except zlib.error:
            return None
    if len(data) != info.file_size or zlib.crc32(data) != info.CRC:
        return None
    return data


def _parquet_pieces(handle: IO[bytes], name: str) -> Iterator[tuple[str, bytes]]:
    """A Parquet file's values as text, one column of one row group at a time (its pages
    are compressed, so its bytes show nothing), then its field names and metadata.

    A file held in memory is read through Arrow's own buffer, without pre-buffering (a
    Python file object costs a call back into Python for every read), a row group on this
    thread (the pool's threads cost more than they save on files of a few pages), and each
    long column's values are joined by Arrow rather than as a Python string each. The same
    pieces as before, in 0.28 instead of 0.51 CPU-s for the 700 files of 1,000 synthetic
    datasets, 0.32-0.38 instead of 0.55 for the 267 of 200 real-sized ones."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    source: Any = handle
    if isinstance(handle, io.BytesIO):
        source = pa.BufferReader(pa.py_buffer(handle.getbuffer()))
    try:
        parquet = pq.ParquetFile(source, pre_buffer=False)
        schema = parquet.schema_arrow
        header = [*schema.names]
        for key, value in (schema.metadata or {}).items():
            if key != b"ARROW:schema":  # the schema again, serialised
                header += [key.decode("utf-8", "replace"), value.decode("utf-8", "replace")]
        yield name, "\n".join(header).encode("utf-8")
        for group in range(parquet.num_row_groups):
            table = parquet.read_row_group(group, use_threads=False)
            for column in table.columns:
                yield name, _joined(pc.fill_null(pc.cast(column, pa.string()), ""))
    except (pa.ArrowException, OSError) as exc:
        raise Unreadable(f"{name}: not a readable Parquet file") from exc


JOIN_IN_ARROW = 256  # values in a column from which Arrow joins them


def _joined(text: Any) -> bytes:
    """A string column's values joined by line feeds (``"\\n".join(text.to_pylist())``,
    computed by Arrow: the column as the one list of a list array, joined)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if len(text) < JOIN_IN_ARROW:  # a few calls into Arrow cost more than the strings
        return "\n".join(text.to_pylist()).encode("utf-8")
    values = text.combine_chunks() if text.num_chunks != 1 else text.chunk(0)
    whole = pa.ListArray.from_arrays(pa.array([0, len(values)], pa.int32()), values)
    return pc.binary_join(whole, "\n")[0].as_buffer().to_pybytes()


def _is_container(head: bytes) -> bool:
    """An archive or compressed stream, which _stream_pieces opens before reading."""
    return head.startswith(_CONTAINERS)


_CONTAINERS = (
    b"PK\x03\x04",
    b"PK\x05\x06",
    b"\x1f\x8b",
    b"BZh",
    b"\xfd7zXZ\x00",
    b"\x28\xb5\x2f\xfd",
)
_CONTAINERS += (b"PAR1",)


def _plain_pieces(handle: IO[bytes], name: str, first: bytes = b"") -> Iterator[tuple[str, bytes]]:
    """Blocks of CHUNK bytes, each with the last 4 KiB of the one before (so a value that
    straddles two blocks is seen whole): memory stays at one block, whatever the size.
    ``first``, bytes already read from the handle, begins the first block, which still
    ends at CHUNK bytes: a decompressed sibling's blocks are its page's, piece for piece."""
    overlap = b""
    block = first + handle.read(CHUNK - len(first))
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
    """The lines of data that contain pattern, joined (each line once). After a line is
    taken, the search goes on from its end: the patterns hold no line feed, so a match
    inside a line taken already adds nothing (a page of escapes is not matched escape by
    escape)."""
    spans: list[bytes] = []
    end = 0
    while (match := pattern.search(data, end)) is not None:
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


def iter_output_files(root: Path) -> Iterator[str]:
    """The path (relative to root, POSIX) of every file under root, following symbolic
    links (each folder once) like a web server would: a folder's files in name order, then
    its folders in name order, so a page comes just before its .br and .gz.

    One scandir per folder: the kind of each entry comes with it (a stat only for a
    symbolic link), a folder is known by its device and inode (os.walk with a realpath of
    each folder and a stat of each file cost 2.6 s of a 9.6 s audit of 1,000 datasets)."""
    seen: set[tuple[int, int]] = set()

    def walk(folder: str, prefix: str) -> Iterator[str]:
        try:
            info = os.stat(folder)
            with os.scandir(folder) as listing:
                entries = sorted(listing, key=lambda entry: entry.name)
        except OSError:
            return
        if (info.st_dev, info.st_ino) in seen:  # a link back to a folder walked already
            return
        seen.add((info.st_dev, info.st_ino))
        folders = []
        for entry in entries:
            try:
                if entry.is_dir():
                    folders.append(entry)
                elif entry.is_file():
                    yield prefix + entry.name
            except OSError:
                continue
        for entry in folders:
            yield from walk(entry.path, f"{prefix}{entry.name}/")

    yield from walk(os.fspath(root), "")
