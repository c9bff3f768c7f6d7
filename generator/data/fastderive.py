"""Columnar derivation of a large CSV resource: the published CSV, preview and summaries.

derive.py's row loop writes each row with Python's csv module and updates every field's
statistics cell by cell, about 70,000 rows a second. For resources of millions of rows
this module does the same work on pyarrow record batches and produces the same bytes and
the same summaries (the tests compare both paths). Memory stays bounded by one batch
plus the capped distinct-value counts. Anything it cannot reproduce exactly (rows of the
wrong width, numbers Python's float() reads but arrow's cast does not, NaN) raises
:class:`Unsupported`, and derive.py runs its row loop instead.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO, Protocol

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

from ..checks.fastcheck import Unsupported

BLOCK_BYTES = 4 << 20
_COMMA, _NEWLINE = pa.scalar(",", pa.string()), pa.scalar("\n", pa.string())
_NEEDS_QUOTES = r'[,"\r\n]'  # what makes csv.writer (QUOTE_MINIMAL) quote a field


class Stats(Protocol):
    """The running statistics of one field (derive._FieldStats)."""

    non_empty: int
    counts: Counter[str]
    capped: bool
    low: float | str | None
    high: float | str | None
    periods: Counter[str] | None  # records per month or year, for fields on a time axis


def _view(source: BinaryIO) -> BinaryIO:
    """The opened source from its start; closing the view leaves the source open."""
    view = open(source.fileno(), "rb", closefd=False)  # noqa: SIM115
    view.seek(0)
    return view


def _header(source: BinaryIO, encoding: str) -> list[str]:
    with io.TextIOWrapper(_view(source), encoding=encoding, newline="") as handle:
        return next(csv.reader(handle), [])


def _constant(text: str, n: int) -> pa.Array:
    """n copies of text as a string array, built without a Python list."""
    raw = text.encode("utf-8")
    offsets = np.arange(n + 1, dtype=np.int32) * len(raw)
    return pa.StringArray.from_buffers(n, pa.py_buffer(offsets.tobytes()), pa.py_buffer(raw * n))


def _may_need_quotes(column: pa.Array) -> bool:
    """Whether any byte of the column is one that csv.writer quotes for (a cheap memchr)."""
    data = column.buffers()[2]
    if data is None:
        return False
    raw = data.to_pybytes()
    return any(ch in raw for ch in (b",", b'"', b"\r", b"\n"))


def _csv_field(column: pa.Array, alone: bool) -> pa.Array:
    """Each value as csv.writer writes it: quoted, with quotes doubled, only when needed."""
    if not alone and not _may_need_quotes(column):
        return column
    needs = pc.match_substring_regex(column, _NEEDS_QUOTES)
    if alone:  # a row of one empty field is written as "" so it is not an empty line
        needs = pc.or_(needs, pc.equal(column, ""))
    quoted = pc.binary_join_element_wise('"', pc.replace_substring(column, '"', '""'), '"', "")
    return pc.if_else(needs, quoted, column)


def _text_buffer(lines: pa.Array) -> memoryview:
    """The bytes of a string array without nulls: its values, end to end. The offsets are
    read at their own width: casting a string array to large_string to read 64-bit offsets
    copied it (a tenth of a second of the real-sized 200's derive stage)."""
    if lines.type == pa.string():
        width: type[np.integer] = np.int32
    else:
        lines = lines.cast(pa.large_string()) if lines.type != pa.large_string() else lines
        width = np.int64
    if not len(lines):
        return memoryview(b"")
    offsets = np.frombuffer(lines.buffers()[1], dtype=width)[
        lines.offset : lines.offset + len(lines) + 1
    ]
    data = lines.buffers()[2]
    if data is None:
        return memoryview(b"")
    return memoryview(data)[int(offsets[0]) : int(offsets[-1])]


DISTINCT_SHARE = 0.5  # by_distinct converts the distinct values when at most this share
# ... of a column of at least this many values: on shorter ones the two extra pyarrow
# calls cost more than they save (the synthetic bench's 30-row tables: Parquet's typing
# 1.08-1.13 -> 1.18 CPU-s for 700 resources when every column was encoded)
DISTINCT_MIN_ROWS = 128


def by_distinct(convert: Callable[[pa.Array], pa.Array], column: pa.Array) -> pa.Array:
    """``convert(column)`` for an element-wise ``convert``, run on the column's distinct
    values and spread back by their indices when there are few of them (dates, numbers and
    categories repeat: on the real-sized catalog a date column holds 42% distinct values,
    a number 20%, an integer 14%). The same values either way; ``convert`` raises as it
    would on the whole column, since it sees the same set of values."""
    if len(column) < DISTINCT_MIN_ROWS:
        return convert(column)
    encoded = _encoded(column)
    if len(encoded.dictionary) > DISTINCT_SHARE * len(column):
        return convert(column)
    return convert(encoded.dictionary).take(encoded.indices)


# Inside shared_encodings(): each column's dictionary encoding, made once for every writer
# that asks (the XLSX, JSON, Parquet and GeoJSON writers each call by_distinct on the same
# held columns), keyed by the column's buffers and kept with the column, so that no other
# array can take its addresses while the entry lives.
_SHARED: dict[tuple[int, ...], tuple[pa.Array, pa.DictionaryArray]] | None = None


def _encoded(column: pa.Array) -> pa.DictionaryArray:
    if _SHARED is None:
        return pc.dictionary_encode(column)
    key = (
        *(b.address if b is not None else 0 for b in column.buffers()),
        column.offset,
        len(column),
    )
    if key not in _SHARED:
        _SHARED[key] = (column, pc.dictionary_encode(column))
    return _SHARED[key][1]


@contextmanager
def shared_encodings() -> Iterator[None]:
    """Share by_distinct's encodings between the writers of one table held in memory
    (data/table.py): on the real-sized catalog a column was encoded by three writers.
    Only for held tables: the entries keep their columns, so a table read again by each
    writer would be held after all."""
    global _SHARED
    _SHARED = {}
    try:
        yield
    finally:
        _SHARED = None


def may_hold_controls(data: memoryview) -> bool:
    """Whether the bytes hold any below 0x20 (a C0 control, tab and newlines included):
    one vectorised minimum, so a column's bytes are searched by a slower regular
    expression for particular controls only when there is one to find."""
    return len(data) > 0 and int(np.frombuffer(data, dtype=np.uint8).min()) < 0x20


def _periods(stats: Stats, values: pa.Array, is_year: bool) -> None:
    """derive._FieldStats counts ^(\\d{4})(?:-(\\d{2}))? per value; the same on a column."""
    parts = pc.extract_regex(values, r"^(?P<y>[0-9]{4})(?:-(?P<m>[0-9]{2}))?")
    if parts.null_count and not pc.all(pc.string_is_ascii(values)).as_py():
        raise Unsupported("non-ASCII digits may be periods to Python's \\d")
    years = pc.struct_field(parts, "y")
    months = pc.struct_field(parts, "m")
    if is_year:
        keys = years.drop_null()
    else:
        with_month = pc.and_(pc.is_valid(months), pc.not_equal(months, ""))
        keys = pc.binary_join_element_wise(years.filter(with_month), months.filter(with_month), "-")
    assert stats.periods is not None
    for item in pc.value_counts(keys).to_pylist():
        stats.periods[item["values"]] += item["counts"]


def _update(
    stats: Stats, column: pa.Array, kind: str, ordered: bool, numeric: bool, cap: int
) -> None:
    filled = pc.not_equal(column, "")
    values = column.filter(filled)
    stats.non_empty += len(values)
    if not len(values):
        return
    if getattr(stats, "periods", None) is not None:
        _periods(stats, values, kind == "year")
    if not stats.capped:
        _count(stats, values, cap)
    if ordered:
        if numeric:
            try:
                floats = pc.cast(values, pa.float64())
            except pa.ArrowInvalid as exc:  # something float() may read differently
                raise Unsupported("arrow cannot read a number") from exc  # its message quotes cells
            if pc.any(pc.is_nan(floats)).as_py():
                raise Unsupported("NaN")
            bounds = pc.min_max(floats).as_py()
        else:  # dates and times compare as text, as in derive's loop
            bounds = pc.min_max(values).as_py()
        low, high = bounds["min"], bounds["max"]
        if stats.low is None or low < stats.low:  # type: ignore[operator]
            stats.low = low
        if stats.high is None or high > stats.high:  # type: ignore[operator]
            stats.high = high


def _count(stats: Stats, values: pa.Array, cap: int) -> None:
    """Count values in row order until the cap'th distinct value, then stop for good."""
    encoded = pc.dictionary_encode(values)
    codes = np.asarray(encoded.indices.to_numpy(), dtype=np.int64)
    if not stats.counts:
        _count_first(stats, encoded.dictionary, codes, cap)
        return
    dictionary = encoded.dictionary.to_pylist()
    codes_seen, first = np.unique(codes, return_index=True)
    new = [(int(pos), int(code)) for code, pos in zip(codes_seen, first, strict=True)]
    new = sorted(p for p in new if dictionary[p[1]] not in stats.counts)
    room = cap - len(stats.counts)
    stop = len(codes)
    if len(new) >= room:
        stop = new[room - 1][0] + 1  # the row that brings the cap'th distinct value
        stats.capped = True
    tally = np.bincount(codes[:stop], minlength=len(dictionary))
    for code in np.flatnonzero(tally):
        stats.counts[dictionary[code]] += int(tally[code])


def _count_first(stats: Stats, dictionary: pa.Array, codes: np.ndarray, cap: int) -> None:
    """_count into empty counts, without a Python step per distinct value: arrow numbers
    the distinct values in order of first appearance, so the cap'th distinct value is
    code cap - 1, and the counts go in as one dict."""
    distinct, stop = len(dictionary), len(codes)
    if distinct >= cap:
        stop = int(np.argmax(codes == cap - 1)) + 1
        distinct = cap
        stats.capped = True
    tally = np.bincount(codes[:stop], minlength=distinct)[:distinct]
    values = dictionary.slice(0, distinct).to_pylist()
    stats.counts.update(dict(zip(values, tally.tolist(), strict=True)))


def write_csv_and_stats(
    source: BinaryIO,
    encoding: str,
    names: list[str],
    types: list[str],
    target: Path,
    stats: list[Stats],
    preview_rows: int,
    ordered: set[str],
    numeric: set[str],
    cap: int,
    keep: list[list[pa.Array]] | None = None,
) -> tuple[int, list[list[str]]]:
    """Write target (UTF-8, schema order) and fill stats; return (rows, preview).

    ``source`` is the opened CSV file (comma-separated, double quotes: derive.py sends
    other dialects to its row loop). ``keep`` gets the published columns of the first two
    non-empty batches (two: to tell a file read in one batch, whose columns the downloads
    can take instead of reading target again)."""
    python_encoding = "utf-8-sig" if encoding.lower() in ("utf-8", "utf8") else encoding
    header = _header(source, python_encoding)
    order = [header.index(n) if n in header else None for n in names]
    columns = [f"c{i}" for i in range(len(header))]
    read = pa_csv.ReadOptions(
        use_threads=False,
        block_size=BLOCK_BYTES,
        skip_rows=1,
        column_names=columns,
        encoding="utf8" if python_encoding == "utf-8-sig" else encoding,
    )
    parse = pa_csv.ParseOptions(newlines_in_values=True, ignore_empty_lines=False)
    convert = pa_csv.ConvertOptions(
        column_types={c: pa.string() for c in columns},
        strings_can_be_null=False,
        quoted_strings_can_be_null=False,
    )
    head = io.StringIO()
    csv.writer(head, lineterminator="\n").writerow(names)
    rows = 0
    preview: list[list[str]] = []
    try:
        reader = pa_csv.open_csv(
            _view(source), read_options=read, parse_options=parse, convert_options=convert
        )
        with open(target, "wb") as out:
            out.write(head.getvalue().encode("utf-8"))
            for batch in reader:
                n = batch.num_rows
                if not n:
                    continue
                empty = _constant("", n)
                cols = [batch.column(i) if i is not None else empty for i in order]
                if keep is not None and len(keep) < 2:
                    keep.append(cols)
                if len(preview) < preview_rows:
                    take = min(n, preview_rows - len(preview))
                    lists = [c.slice(0, take).to_pylist() for c in cols]
                    preview.extend([list(r) for r in zip(*lists, strict=True)])
                for st, col, kind in zip(stats, cols, types, strict=True):
                    _update(st, col, kind, kind in ordered, kind in numeric, cap)
                # one join of the fields, the commas and the newline: each cell copied once
                parts: list[pa.Array | pa.Scalar] = []
                for c in cols:
                    parts += [_csv_field(c, alone=len(cols) == 1), _COMMA]
                parts[-1] = _NEWLINE
                lines = pc.binary_join_element_wise(*parts, "")
                out.write(_text_buffer(lines))
                rows += n
    except pa.ArrowInvalid as exc:  # rows of the wrong width, bytes not in the encoding
        raise Unsupported("pyarrow cannot read the file") from exc  # its message quotes cells
    return rows, preview


def published_stats(
    src: Path,
    types: list[str],
    stats: list[Stats],
    ordered: set[str],
    numeric: set[str],
    cap: int,
) -> None:
    """Fill stats from a published CSV that derive's row loop wrote (a desensitised
    derivative's: only its reader applies the rules, but its statistics need not be
    counted a cell at a time in Python). Raises Unsupported where the columns would not
    give the row loop's statistics; ``stats`` are then partly filled, and the caller
    starts again with new ones."""
    from .table import read_batches  # table.py imports nothing from here

    try:
        for batch in read_batches(src, len(types)):
            if not batch.num_rows:
                continue
            for i, (st, kind) in enumerate(zip(stats, types, strict=True)):
                _update(st, batch.column(i), kind, kind in ordered, kind in numeric, cap)
    except pa.ArrowInvalid as exc:  # its message quotes cells
        raise Unsupported("pyarrow cannot read the published CSV") from exc
