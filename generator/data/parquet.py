"""The Parquet download of a published resource, written from its published UTF-8 CSV.

Columns get the Table Schema's types where every value of the column reads as that type
(integer and year as int64, number as float64, boolean by its true/false values, date as
date32, datetime as a timestamp); a column with one value that does not read stays text,
exactly as published. Empty cells are nulls.

The file is the same bytes in every build: pyarrow writes no timestamp into Parquet, the
row groups hold a fixed number of rows (ROW_GROUP_ROWS, whatever the record batches the
CSV was read in), pages are zstd at a fixed level, and the schema's metadata carries only
the field titles. The CSV is read in record batches twice (once to decide each column's
type, once to write), so memory stays at one row group.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Iterable, Iterator
from functools import partial
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from ..model import FieldInfo
from .fastderive import by_distinct
from .table import read_batches

ROW_GROUP_ROWS = 100_000
BLOCK_BYTES = 4 << 20
ZSTD_LEVEL = 3
# Pages of at most 64 KiB with a page index (offset and column indexes in the footer's
# neighbourhood): the site's table explorer (issue 20) reads a few rows by fetching only
# the pages that hold them, not a whole 100,000-row column chunk.
PAGE_BYTES = 64 << 10
TRUE_VALUES = ("true", "True", "TRUE", "1")  # Table Schema defaults
FALSE_VALUES = ("false", "False", "FALSE", "0")


def _batches(src: Path, names: list[str]) -> Iterator[pa.RecordBatch]:
    """The published CSV (UTF-8, comma, double quotes, header) as text columns."""
    return read_batches(src, len(names), BLOCK_BYTES)


def _boolean(field: FieldInfo, text: pa.Array) -> pa.Array:
    trues = field.raw.get("trueValues") or list(TRUE_VALUES)
    falses = field.raw.get("falseValues") or list(FALSE_VALUES)
    is_true = pc.is_in(text, value_set=pa.array([str(v) for v in trues], pa.string()))
    is_false = pc.is_in(text, value_set=pa.array([str(v) for v in falses], pa.string()))
    if not pc.all(pc.or_(is_true, is_false)).as_py():
        raise ValueError("not a boolean")
    return is_true


# A column shorter than this is matched by Python's re and its dates checked by Python's
# calendar: pyarrow compiles a pattern on every call, and writing each date back to
# compare it (strftime) was a third of typing a 30-row date column.
SHORT_COLUMN = 128
_INTEGER = re.compile(r"-?[0-9]+")
_NUMBER = re.compile(r"-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_DATETIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}")


def _text(column: pa.Array) -> pa.Array:
    """The column as published text, an empty cell as null (the column itself when no
    cell is empty)."""
    if len(column) < SHORT_COLUMN and "" not in column.to_pylist():
        return column
    return pc.if_else(pc.equal(column, ""), pa.scalar(None, pa.string()), column)


def _all_match(values: pa.Array, pattern: re.Pattern[str]) -> bool:
    """Whether every value (no nulls) is matched whole by ``pattern``."""
    if len(values) < SHORT_COLUMN:
        return all(map(pattern.fullmatch, values.to_pylist()))
    return pc.all(pc.match_substring_regex(values, f"^{pattern.pattern}$")).as_py()


def _typed(field: FieldInfo, column: pa.Array) -> pa.Array:
    """The column as its Table Schema type; ValueError or ArrowInvalid when a value does
    not read as that type."""
    if field.type == "boolean":
        empty = pc.equal(column, "")
        return pc.if_else(empty, pa.scalar(None, pa.bool_()), _boolean(field, column))
    text = _text(column)
    values = text.drop_null() if text.null_count else text
    if field.type in ("integer", "year"):
        if len(values) and not _all_match(values, _INTEGER):
            raise ValueError("not an integer")
        return pc.cast(text, pa.int64())
    if field.type == "number":
        if len(values) and not _all_match(values, _NUMBER):
            raise ValueError("not a plain number")
        return pc.cast(text, pa.float64())
    if field.type == "date":
        if len(values) and not _all_match(values, _DATE):
            raise ValueError("not a date")
        return _exact(pc.cast(text, pa.date32()), text, "%Y-%m-%d", values, dt.date)
    if field.type == "datetime":
        if len(values) and not _all_match(values, _DATETIME):
            raise ValueError("not a datetime without zone")
        typed = pc.cast(text, pa.timestamp("s"))
        return _exact(typed, text, "%Y-%m-%dT%H:%M:%S", values, dt.datetime)
    return text


def _exact(
    values: pa.Array,
    text: pa.Array,
    pattern: str,
    written: pa.Array,
    kind: type[dt.date],
) -> pa.Array:
    """values, when each one written back is its text (no 2026-02-30 read as March 2nd).
    A short column whose ``written`` texts (its values, no nulls) all read as calendar
    dates (``kind.fromisoformat``) of years 1000-9999 is exact without writing them back:
    for those, arrow reads the same date and writes the same digits."""
    if len(written) < SHORT_COLUMN:
        try:
            if all(v[0] != "0" and kind.fromisoformat(v) for v in written.to_pylist()):
                return values
        except ValueError:
            pass  # arrow's own test decides
    back = pc.strftime(values, format=pattern)
    if not pc.all(pc.equal(pc.fill_null(back, ""), pc.fill_null(text, ""))).as_py():
        raise ValueError("a value reads as another")
    return values


def _arrow_type(field: FieldInfo) -> pa.DataType:
    return {
        "integer": pa.int64(),
        "year": pa.int64(),
        "number": pa.float64(),
        "boolean": pa.bool_(),
        "date": pa.date32(),
        "datetime": pa.timestamp("s"),
    }.get(field.type, pa.string())


Batches = Callable[[], Iterable[pa.RecordBatch]]  # the published CSV, already read (table.py)


def column_types(
    src: Path,
    fields: tuple[FieldInfo, ...],
    batches: Batches | None = None,
    keep: list[dict[int, pa.Array]] | None = None,
) -> list[bool]:
    """For each field, whether every value of its column reads as its type. With ``keep``,
    each batch's typed columns are appended to it, for the writer to take rather than
    convert again (only for batches held in memory anyway: data/table.py)."""
    typed = [_arrow_type(f) != pa.string() for f in fields]
    for batch in batches() if batches is not None else _batches(src, [f.name for f in fields]):
        converted: dict[int, pa.Array] = {}
        for i, field in enumerate(fields):
            if typed[i] and i < batch.num_columns:
                try:
                    converted[i] = by_distinct(partial(_typed, field), batch.column(i))
                except (ValueError, pa.ArrowInvalid):
                    typed[i] = False
        if keep is not None:
            keep.append(converted)
    return typed


def write_parquet(
    src: Path,
    dst: Path,
    fields: tuple[FieldInfo, ...],
    batches: Batches | None = None,
    held: bool = False,
) -> None:
    """Parquet of the published CSV ``src`` (see the module's docstring); ``batches``, when
    given, are its record batches already read, and ``held`` says they are in memory (the
    columns typed while choosing the types are then written as they are, not typed twice:
    on the real-sized catalog that was half of this writer's time)."""
    names = [f.name for f in fields]
    kept: list[dict[int, pa.Array]] | None = [] if held and batches is not None else None
    typed = column_types(src, fields, batches, kept)
    schema = pa.schema(
        [
            pa.field(f.name, _arrow_type(f) if ok else pa.string())
            for f, ok in zip(fields, typed, strict=True)
        ],
        metadata={
            "kaifang.titles": json.dumps(
                {f.name: f.title for f in fields if f.title}, ensure_ascii=False, sort_keys=True
            )
        },
    )

    def table_of(batch: pa.RecordBatch, converted: dict[int, pa.Array]) -> pa.Table:
        columns = []
        for i, (field, ok) in enumerate(zip(fields, typed, strict=True)):
            if ok and i in converted:
                columns.append(converted[i])
                continue
            column = batch.column(i) if i < batch.num_columns else pa.array([""] * batch.num_rows)
            columns.append(_typed(field, column) if ok else _text(column))
        return pa.Table.from_arrays(columns, schema=schema)

    # a table held in memory is written into memory and then to the file in one call:
    # the writer's many small writes and arrow's file object cost more than the copy
    # (40 of 280 µs for a 30-row table); a larger one is streamed to the file (as an
    # OSFile: a path would be resolved to a file system)
    sink = pa.BufferOutputStream() if kept is not None else pa.OSFile(str(dst), "wb")
    with (
        sink,
        pq.ParquetWriter(
            sink,
            schema,
            compression="zstd",
            compression_level=ZSTD_LEVEL,
            use_dictionary=True,
            write_statistics=True,
            version="2.6",
            data_page_size=PAGE_BYTES,
            dictionary_pagesize_limit=PAGE_BYTES,  # many distinct values: plain pages sooner
            write_page_index=True,
        ) as writer,
    ):
        pending: list[pa.Table] = []
        held = 0
        source = batches() if batches is not None else _batches(src, names)
        for number, batch in enumerate(source):
            if not batch.num_rows:
                continue
            pending.append(table_of(batch, kept[number] if kept is not None else {}))
            held += batch.num_rows
            while held >= ROW_GROUP_ROWS:
                whole = pa.concat_tables(pending)
                writer.write_table(whole.slice(0, ROW_GROUP_ROWS), row_group_size=ROW_GROUP_ROWS)
                rest = whole.slice(ROW_GROUP_ROWS)
                pending, held = ([rest] if rest.num_rows else []), rest.num_rows
        if held:
            writer.write_table(pa.concat_tables(pending), row_group_size=ROW_GROUP_ROWS)
    if isinstance(sink, pa.BufferOutputStream):
        with open(dst, "wb") as handle:
            handle.write(sink.getvalue())
