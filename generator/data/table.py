"""The published CSV read once, for every download written from it.

The JSON, Parquet (twice: its column types, then its rows) and XLSX writers each read the
published CSV as record batches of text columns. A resource of a few MiB is read once and
its batches are held for all of them; a larger one is read again by each, so memory stays
bounded by one batch (pyarrow's block) whatever the file's size.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pa_csv

BLOCK_BYTES = 4 << 20
HOLD_BYTES = 16 << 20  # published CSVs up to this size are read once and held


def read_batches(src: Path, width: int, block_bytes: int | None = None) -> Iterator[pa.RecordBatch]:
    """The published CSV (UTF-8, comma, double quotes, a header row) as ``width`` text
    columns named c0, c1, ...; empty cells are empty strings, never null."""
    columns = [f"c{i}" for i in range(width)]
    reader = pa_csv.open_csv(
        src,
        read_options=pa_csv.ReadOptions(
            use_threads=False,
            block_size=block_bytes or BLOCK_BYTES,
            skip_rows=1,
            column_names=columns,
        ),
        parse_options=pa_csv.ParseOptions(newlines_in_values=True, ignore_empty_lines=False),
        convert_options=pa_csv.ConvertOptions(
            column_types={c: pa.string() for c in columns},
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
        ),
    )
    yield from reader


class PublishedTable:
    """The record batches of one published CSV, held when it is small enough."""

    def __init__(self, src: Path, width: int, columns: list[pa.Array] | None = None) -> None:
        """``columns``: the published CSV's values, when derivation had them in one batch
        (data/fastderive.py); they are its batch when the file is read in one block too,
        and the file is then not read again."""
        self.src, self.width = src, width
        self._held: list[pa.RecordBatch] | None = None
        size = src.stat().st_size
        if columns is not None and size <= BLOCK_BYTES and len(columns) == width:
            names = [f"c{i}" for i in range(width)]
            self._held = [pa.RecordBatch.from_arrays(columns, names=names)]
        elif size <= HOLD_BYTES:
            try:
                self._held = list(read_batches(src, width))
            except pa.ArrowInvalid:
                self._held = None  # each writer meets the error and takes its row path

    @property
    def held(self) -> bool:
        """Whether the batches are in memory (each call of :meth:`batches` gives the same
        arrays), rather than read again from the file."""
        return self._held is not None

    def batches(self) -> Iterator[pa.RecordBatch]:
        if self._held is not None:
            return iter(self._held)
        return read_batches(self.src, self.width)
