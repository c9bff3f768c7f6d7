"""The XLSX data sheet written column by column: the same bytes as the row writer.

The row writer (downloads.write_xlsx through data/xlsx.py) converts every cell in Python
(xlsx_value, then xlsx._cell, then one f-string per cell reference); on a build of the
real-sized catalog that was over half of the derive stage. Here each record batch of the
published CSV becomes its ``<row>`` XML with pyarrow compute:

- text columns (every type but integer, year, number, boolean and date) are cleaned of
  the characters XML cannot hold, escaped and wrapped as inline strings on the column;
- typed columns repeat few values: each distinct value of the batch is converted once by
  the row writer's own functions and the results are taken back in row order.

Cell references (``A2``) and rows are joined on the columns as well. What it does not
reproduce exactly (a text longer than an Excel cell) raises Unsupported, and the caller
writes the workbook row by row instead (tests compare both).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Iterator
from functools import partial
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..checks.fastcheck import Unsupported
from ..model import FieldInfo
from .downloads import EXCEL_MAX_CELL, xlsx_value
from .fastderive import (
    DISTINCT_MIN_ROWS,
    DISTINCT_SHARE,
    _text_buffer,
    by_distinct,
    may_hold_controls,
)
from .fastjson import _reader
from .xlsx import EXCEL_EPOCH, _cell, column_letter

TYPED = {"integer", "year", "number", "boolean", "date"}  # what xlsx_value may turn into
# a number, a boolean or a date; every other type is text (downloads._clean_text)
_XML_ILLEGAL = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x{fffe}\x{ffff}]"  # downloads.XML_ILLEGAL
_ILLEGAL_BYTES = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]|\xef\xbf[\xbe\xbf]")
# the first two bytes of U+FFFE and U+FFFF: with no control and no such pair, the regular
# expression above (an alternation tried at every byte: 0.38 CPU-s on the real-sized
# catalog's 25 MB of published text) need not run
_BAD_LEAD = b"\xef\xbf"
# what str.strip() strips, less what _XML_ILLEGAL has removed by then
_SPACE_CHARS = "\t\n\r \x85\xa0\u1680" + "".join(map(chr, range(0x2000, 0x200B)))
_SPACE_CHARS += "\u2028\u2029\u202f\u205f\u3000"
_SPACES = pa.array(list(_SPACE_CHARS), pa.string())
# a cheap pre-check: the ASCII spaces, or a byte that may begin one of the others
_SPACE_BYTES = re.compile(rb"[\t\n\r \xc2\xe1\xe2\xe3]")
_EXCEL_DAY_ZERO = (dt.date(1970, 1, 1) - EXCEL_EPOCH).days  # date32 counts from 1970
_EXCEL_1900 = (dt.date(1900, 1, 1) - EXCEL_EPOCH).days  # earlier dates stay text
_REF_OPEN = len('<c r=""')  # what _cell writes before the rest of a cell, for an empty ref


def _data(column: pa.Array) -> memoryview:
    """The UTF-8 bytes of a string column's values, end to end (for cheap pre-checks)."""
    return _text_buffer(column)


_INLINE_OPEN, _INLINE_CLOSE = pa.scalar('" t="inlineStr"><is>'), pa.scalar("</t></is></c>")


def _text_cells(column: pa.Array, opener: str, refs: pa.Array) -> pa.Array:
    """xlsx._cell of each text value, its reference (``opener`` and ``refs``) included;
    null for an empty value (no cell). The cell is joined once from its parts (joined in
    steps, each cell's text was copied four times: that was most of the text columns'
    time); a column of repeated values (districts, categories) has each distinct value's
    part after the reference made once (:func:`_text_parts`) and spread by its indices."""
    if len(column) >= DISTINCT_MIN_ROWS:
        encoded = pc.dictionary_encode(column)
        if len(encoded.dictionary) <= DISTINCT_SHARE * len(column):
            start, text = _text_parts(encoded.dictionary)
            body = pc.binary_join_element_wise(_INLINE_OPEN, start, text, _INLINE_CLOSE, "")
            return pc.binary_join_element_wise(
                pa.scalar(opener), refs, body.take(encoded.indices), ""
            )
    start, text = _text_parts(column)
    return pc.binary_join_element_wise(
        pa.scalar(opener), refs, _INLINE_OPEN, start, text, _INLINE_CLOSE, ""
    )


def _text_parts(column: pa.Array) -> tuple[pa.Scalar | pa.Array, pa.Array]:
    """(<t> or <t xml:space="preserve">, the escaped text) of each value, the text null for
    an empty value. Each step runs only when the column's bytes call for it."""
    data = _data(column)
    raw = bytes(data)  # a copy: bytes are searched for a literal with memchr, not re
    text = column
    if (may_hold_controls(data) or _BAD_LEAD in raw) and _ILLEGAL_BYTES.search(data):
        text = pc.replace_substring_regex(text, _XML_ILLEGAL, "")
    if (
        len(data) > EXCEL_MAX_CELL
        and pc.any(pc.greater(pc.utf8_length(text), EXCEL_MAX_CELL)).as_py()
    ):
        raise Unsupported("a text longer than an Excel cell")
    for char, escaped in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;")):
        if char.encode() in raw:
            text = pc.replace_substring(text, char, escaped)
    start: pa.Scalar | pa.Array = pa.scalar("<t>")
    if _SPACE_BYTES.search(data):
        edges = pc.or_(
            pc.is_in(pc.utf8_slice_codeunits(text, 0, 1), value_set=_SPACES),
            pc.is_in(pc.utf8_slice_codeunits(text, -1, None), value_set=_SPACES),
        )
        if pc.any(edges).as_py():
            start = pc.if_else(edges, pa.scalar('<t xml:space="preserve">'), start)
    empty = pc.equal(column, "")
    if pc.any(empty).as_py():  # empty cells: nulls, which the row's join leaves out
        text = pc.if_else(empty, pa.scalar(None, pa.string()), text)
    return start, text


def _python_cells(field: FieldInfo, column: pa.Array) -> pa.Array:
    """The same, for a typed column: each distinct value converted once in Python."""
    encoded = pc.dictionary_encode(column)
    bodies = []
    for value in encoded.dictionary.to_pylist():
        converted = xlsx_value(field, value)
        bodies.append(None if converted is None else '"' + _cell("", converted)[_REF_OPEN:])
    return pa.array(bodies, pa.string()).take(encoded.indices)


def _digits(text: pa.Array) -> pa.Array:
    """downloads._significant_digits of plain decimal numbers (no exponent)."""
    plain = pc.replace_substring(pc.replace_substring(text, "-", ""), ".", "")
    mantissa = pc.utf8_ltrim(plain, characters="0")
    return pc.utf8_length(mantissa)


def _number_text(field: FieldInfo, column: pa.Array) -> tuple[pa.Array, pa.Array]:
    """(which cells are numbers written by arrow, their <v> text) for a numeric column.

    Integers of at most 15 significant digits are int(text); for a number column they are
    float(text), whose repr is the integer with ".0"; a decimal of at most 15 significant
    digits whose repr is positional (between 1e-4 and 1e16) is repr(float(text)): the
    digits without trailing zeros, since 15 digits always read back as themselves.
    Everything else (exponents, -0, longer numbers) is left to Python.
    """
    if field.type == "number":
        integer = pc.match_substring_regex(column, r"^-?[1-9][0-9]*$|^0$")
        decimal = pc.match_substring_regex(
            column, r"^-?(?:[1-9][0-9]*\.[0-9]+|0\.0{0,3}[1-9][0-9]*)$"
        )
    else:
        integer = pc.match_substring_regex(column, r"^-?[0-9]+$")
        decimal = pa.array([False] * len(column), pa.bool_())
    short = pc.less_equal(_digits(column), 15)
    integer = pc.and_(integer, short)
    decimal = pc.and_(pc.and_(decimal, pc.invert(integer)), short)
    as_int = pc.cast(pc.if_else(integer, column, "0"), pa.int64())
    int_text = pc.cast(as_int, pa.string())
    if field.type == "number":
        int_text = pc.binary_join_element_wise(int_text, ".0", "")
    if not pc.any(decimal).as_py():
        return integer, int_text
    dec_text = pc.replace_substring_regex(pc.if_else(decimal, column, "0.0"), r"0+$", "")
    dec_text = pc.replace_substring_regex(dec_text, r"\.$", ".0")
    return pc.or_(integer, decimal), pc.if_else(integer, int_text, dec_text)


def _date_text(column: pa.Array) -> tuple[pa.Array, pa.Array]:
    """(which cells are yyyy-mm-dd dates from 1900 on, their Excel serial day numbers)."""
    iso = pc.match_substring_regex(column, r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
    stamps = pc.strptime(pc.if_else(iso, column, ""), "%Y-%m-%d", "s", error_is_null=True)
    days = pc.cast(pc.cast(stamps, pa.date32()), pa.int32())
    days = pc.add(pc.cast(days, pa.int64()), _EXCEL_DAY_ZERO)
    same = pc.equal(pc.strftime(stamps, "%Y-%m-%d"), column)  # arrow reads 02-30 as 03-02
    fast = pc.fill_null(pc.and_(same, pc.greater_equal(days, _EXCEL_1900)), False)
    return fast, pc.cast(pc.fill_null(days, 0), pa.string())


def _typed_cells(field: FieldInfo, column: pa.Array) -> pa.Array:
    """The cells of an integer, year, number, boolean or date column."""
    if field.type == "date":
        fast, text = _date_text(column)
        opener = '" s="1"><v>'
    elif field.type in ("integer", "year", "number"):
        fast, text = _number_text(field, column)
        opener = '"><v>'
    else:
        return _python_cells(field, column)
    numbers = pc.binary_join_element_wise(pa.scalar(opener), text, pa.scalar("</v></c>"), "")
    empty = pc.equal(column, "")
    if pc.all(pc.or_(fast, empty)).as_py():  # nothing left for Python: empty cells are no
        # cells (null), as _python_cells gives them; a fast cell is never empty
        if not pc.any(empty).as_py():
            return numbers
        return pc.if_else(empty, pa.scalar(None, pa.string()), numbers)
    rest = _python_cells(field, pc.if_else(fast, "", column))
    return pc.if_else(fast, numbers, rest)


def sheet_rows(
    src: Path,
    fields: tuple[FieldInfo, ...],
    first_row: int = 2,
    batches: Callable[[], Iterable[pa.RecordBatch]] | None = None,
) -> Iterator[memoryview]:
    """The ``<row>`` elements of the published CSV ``src``'s data rows, a batch at a time,
    numbered from ``first_row`` (the header row is the row writer's)."""
    openers = [f'<c r="{column_letter(i)}' for i in range(len(fields))]
    number = first_row
    try:
        for batch in batches() if batches is not None else _reader(src, len(fields)):
            n = batch.num_rows
            if not n:
                continue
            refs = pc.cast(pa.array(np.arange(number, number + n, dtype=np.int64)), pa.string())
            cells = []  # null where a value is empty: no cell
            for i, field in enumerate(fields):
                column = batch.column(i)
                if field.type in TYPED:
                    body = by_distinct(partial(_typed_cells, field), column)
                    cells.append(pc.binary_join_element_wise(pa.scalar(openers[i]), refs, body, ""))
                else:
                    cells.append(_text_cells(column, openers[i], refs))
            rows = pc.binary_join_element_wise(
                pa.scalar('<row r="'),
                refs,
                pa.scalar('">'),
                *cells,
                pa.scalar("</row>"),
                "",
                null_handling="replace",
                null_replacement="",
            )
            number += n
            yield _text_buffer(rows)
    except pa.ArrowInvalid as exc:  # its message quotes cells
        raise Unsupported("pyarrow cannot read the published CSV") from exc
