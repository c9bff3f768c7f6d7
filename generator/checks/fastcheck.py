"""Vectorised validation of large CSV resources, with exactly frictionless's findings.

frictionless checks a table one Python row at a time (about 10^5 rows/s); a national
catalog has resources of millions of rows. This module streams the file in record
batches with pyarrow and checks whole columns at once, yet reports the same errors as
``frictionless validate``: the same types (type-error, constraint-error, blank-row,
extra-cell, missing-cell, unique-error, primary-key, header errors), rows, fields, notes,
order and error limit. It gets there by never re-implementing a rule it cannot state
exactly:

- Each field has a *fast accept* test, a vectorised pattern that only values frictionless
  certainly parses can pass (``-?[0-9]{1,18}`` for an integer). Every other value,
  which in real files is rare, is read by frictionless's own cell reader.
- Header, dialect and malformed rows (wrong number of cells) are handled by frictionless
  objects too; pyarrow hands those rows over with their row numbers.
- Unique and primary-key checks keep one 64-bit hash per row (memory grows with the
  rows of one key column, 16 bytes a row, not with the file), find candidate duplicates
  by sorting, and confirm them by re-reading only those rows and running frictionless's
  algorithm on their values: a hash collision can never become a reported error.

Anything it does not model (unusual dialects, a header that does not line up with the
schema, foreign keys without their lookup sets: generator/checks/foreignkeys.py) raises
:class:`Unsupported`, and the caller uses frictionless.
"""

from __future__ import annotations

import csv
import io
import os
import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from typing import TYPE_CHECKING, Any, BinaryIO

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
from frictionless import Schema as FlSchema
from frictionless import errors as fl_errors

from ..catalog.dialect import DEFAULT as DEFAULT_DIALECT
from ..catalog.dialect import CsvDialect
from . import arrays
from .arrays import mask as _mask
from .csvhead import HeadUnreadable, read_head
from .keyhash import EPOCH as _EPOCH
from .keyhash import MIX as _MIX
from .keyhash import NULL_HASH, hash_array, hash_values
from .keyhash import combine as _combine
from .rowerrors import (
    CELL_ERRORS,
    ROW_END,
    ReadOrder,
    exactly_hashed,
    fk_maker,
    maker,
    repeats,
    rerank,
)

if TYPE_CHECKING:
    from .foreignkeys import ForeignKey

BLOCK_BYTES = 4 << 20  # pyarrow parses this much text per record batch

# Fast-accept patterns (RE2). Each accepts only strings the frictionless reader parses.
_INTEGER = r"^-?[0-9]{1,18}$"
_NUMBER = r"^-?[0-9]+(\.[0-9]+)?$"
_DATE = (  # a day of every year: no failed cast (a calendar check); 02-29: the reader's
    r"^[1-9][0-9]{3}-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])"
    r"|(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)|02-(?:0[1-9]|1[0-9]|2[0-8]))$"
)
_YEAR = r"^[0-9]{4}$"
_MAX_EXACT_DIGITS = 15  # decimals with at most 15 digits compare the same as float64
_BIJECTIVE = ("integer", "year", "date", "number")  # hash_array of their natives is 1:1


class Unsupported(Exception):
    """The fast path cannot promise frictionless's findings for this resource."""


@dataclass
class TableReport:
    rows: int
    errors: list[fl_errors.Error]  # the first ``keep``, in frictionless's order
    by_type: Counter[str] = field(default_factory=Counter)  # every error, counted

    @property
    def total(self) -> int:
        return sum(self.by_type.values())


# -- one field --------------------------------------------------------------------------


@dataclass
class _Checked:
    """What one field's column of a batch found, as masks over the batch's rows."""

    missing: np.ndarray  # the cell is a missing value
    type_error: np.ndarray
    constraint: dict[str, np.ndarray]  # constraint name -> failed, in frictionless order
    keys: np.ndarray | None = None  # uint64 hash of the parsed value, where needed
    null: np.ndarray | None = None  # the parsed value is None (missing or type error)


# A column of at most this many rows is matched against a fast-accept pattern by
# Python's re, value by value: pc.match_substring_regex compiles its RE2 pattern on every
# call (25-45 us whatever the rows), and a 30-row file paid that for every field. Python
# matches 128 values in about 30 us, where both ways cost the same (the same mask:
# tests/test_validate_costs.py).
SMALL_COLUMN = 128
# the fast-accept patterns for Python's re: the part inside ^...$, matched whole by
# fullmatch (RE2's $ is the end of the text, where re's $ also takes a final newline)
_WHOLE = {p: re.compile(p[1:-1]) for p in (_INTEGER, _NUMBER, _DATE, _YEAR)}


def _matches(column: pa.Array, pattern: str) -> np.ndarray:
    """Which values of a string column match one of the fast-accept patterns."""
    if len(column) <= SMALL_COLUMN:
        whole = _WHOLE[pattern].fullmatch
        return np.fromiter((whole(v) is not None for v in column.to_pylist()), bool, len(column))
    return _mask(pc.match_substring_regex(column, pattern))


def _isin(column: pa.Array, values: list[str]) -> np.ndarray:
    """column in values; a few equality tests beat building is_in's hash table per batch."""
    if len(values) > 8:
        return _mask(pc.is_in(column, value_set=arrays.strings(values)))
    out = np.zeros(len(column), dtype=bool)
    for value in values:
        out |= _mask(pc.equal(column, arrays.string(value)))
    return out


def _calendar_ok(column: pa.Array) -> np.ndarray:
    """YYYY-MM-DD strings that name a real day (the pattern has already matched)."""

    def part(start: int, stop: int) -> np.ndarray:
        piece = pc.utf8_slice_codeunits(column, start, stop)
        return arrays.numbers(pc.cast(piece, pa.int64()))

    year, month, day = part(0, 4), part(5, 7), part(8, 10)
    leap = ((year % 4 == 0) & (year % 100 != 0)) | (year % 400 == 0)
    days = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])[np.clip(month, 0, 12)]
    days = days + ((month == 2) & leap)
    return (month >= 1) & (month <= 12) & (day >= 1) & (day <= days)


class _FieldPlan:
    """How to check one field: vectorised where exact, frictionless's reader elsewhere."""

    def __init__(self, fl_field: Any, index: int, missing_values: list[str], keyed: bool):
        self.field = fl_field
        self.name: str = fl_field.name
        self.number = index + 1
        self.keyed = keyed
        self.reader = fl_field.create_cell_reader()
        self.value_reader = fl_field.create_value_reader()
        self.missing = [str(v) for v in missing_values]
        self.required = bool(fl_field.constraints.get("required"))
        self.constraints = [
            name
            for name in fl_field.supported_constraints
            if fl_field.constraints.get(name) is not None
        ]
        self.kind = self._vector_kind()
        self.hashed_slow = False  # a key value hashed from frictionless's reader's output
        self._pattern: re.Pattern[str] | None = None
        if "pattern" in self.constraints:
            self._pattern = re.compile("^" + str(fl_field.constraints["pattern"]) + "$")

    # Which values can be checked as whole columns, exactly as frictionless would.
    def _vector_kind(self) -> str | None:
        f = self.field
        kind = f.type
        if kind == "string" and f.format == "default":
            allowed = {"required", "minLength", "maxLength", "pattern", "enum"}
        elif kind == "integer" and f.bare_number:
            allowed = {"required", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"}
            allowed |= {"enum"}
        elif kind == "number" and f.bare_number and f.decimal_char == "." and not f.group_char:
            allowed = {"required", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"}
        elif kind == "boolean":
            allowed = {"required"}
        elif kind == "date" and f.format == "default":
            allowed = {"required", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"}
        elif kind == "year":
            allowed = {"required", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"}
            allowed |= {"enum"}
        else:
            return None
        if not set(self.constraints) <= allowed:
            return None
        try:
            self._bounds = {
                name: self._bound(self.field.constraints[name])
                for name in self.constraints
                if name in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum")
            }
            self._enum = self._enum_array() if "enum" in self.constraints else None
        except (ValueError, TypeError, OverflowError, pa.ArrowException):
            return None
        return kind

    def _bound(self, raw: Any) -> Any:
        value = self.value_reader(raw)
        if value is None:
            raise ValueError("bound does not parse")
        if self.field.type == "number":
            if not isinstance(value, Decimal | int) or not Decimal(value).is_finite():
                raise ValueError("inexact bound")
            if len(Decimal(value).as_tuple().digits) > _MAX_EXACT_DIGITS:
                raise ValueError("inexact bound")
            return float(value)
        if self.field.type in ("integer", "year"):
            if type(value) is not int:  # noqa: E721 - a bool is no bound of an integer
                raise ValueError("not an integer bound")
            return int(np.int64(value))  # OverflowError beyond int64, as arrow's cast
        return value

    def _enum_array(self) -> pa.Array:
        values = [self.value_reader(v) for v in self.field.constraints["enum"]]
        values = [v for v in values if v is not None]
        if self.field.type == "string":
            return arrays.strings(values)
        return arrays.array(np.array(values, dtype=np.int64))

    def note_type(self) -> str:
        return f'type is "{self.field.type}/{self.field.format}"'

    def note_constraint(self, name: str) -> str:
        return f'constraint "{name}" is "{self.field.constraints[name]}"'

    # -- checking a column -------------------------------------------------------------

    def check(self, column: pa.Array) -> _Checked:
        n = len(column)
        missing = _isin(column, self.missing)
        result = _Checked(
            missing=missing,
            type_error=np.zeros(n, dtype=bool),
            constraint={name: np.zeros(n, dtype=bool) for name in self.constraints},
        )
        if self.required:
            result.constraint["required"] |= missing
        keys = np.zeros(n, dtype=np.uint64) if self.keyed else None
        if self.kind is None:
            slow = ~missing
            fast = np.zeros(n, dtype=bool)
        else:
            fast, natives = self._fast(column, missing)
            if fast.any():
                self._vector_constraints(column, fast, natives, result)
                if keys is not None:
                    keys[fast] = self._hash_natives(natives, fast)
            slow = ~missing & ~fast
        if slow.any():
            self._slow(column, slow, result, keys)
        if keys is not None:
            result.keys = keys
            result.null = missing | result.type_error
        return result

    def _fast(self, column: pa.Array, missing: np.ndarray) -> tuple[np.ndarray, Any]:
        kind = self.kind
        if kind == "string":
            return ~missing, column
        if kind == "boolean":
            trues = _isin(column, [str(v) for v in self.field.true_values])
            falses = _isin(column, [str(v) for v in self.field.false_values])
            valid = (trues | falses) & ~missing
            # anything else is a type error, decided here without the slow reader
            return valid | ~missing, (valid, ~falses)
        pattern = {"integer": _INTEGER, "number": _NUMBER, "date": _DATE, "year": _YEAR}[kind]
        fast = _matches(column, pattern) & ~missing
        if kind == "number":
            digits = arrays.numbers(pc.utf8_length(column)).astype(np.int64)
            digits -= np.asarray(_mask(pc.starts_with(column, "-")), dtype=np.int64)
            digits -= np.asarray(_mask(pc.match_substring(column, ".")), dtype=np.int64)
            fast &= digits <= _MAX_EXACT_DIGITS
        filled = pc.if_else(arrays.array(fast), column, arrays.string(self._filler()))
        if kind in ("integer", "year"):
            natives = arrays.numbers(pc.cast(filled, pa.int64()))
        elif kind == "number":
            natives = arrays.numbers(pc.cast(filled, pa.float64()))
            natives = natives + 0.0  # -0.0 == 0 as a Decimal; make it hash the same
        else:  # date: arrow's cast is strict ISO; impossible days fall to the slow reader
            try:
                parsed = pc.cast(filled, pa.date32())
            except pa.ArrowInvalid:
                fast &= _calendar_ok(filled)
                filled = pc.if_else(arrays.array(fast), column, arrays.string(self._filler()))
                parsed = pc.cast(filled, pa.date32())
            natives = arrays.numbers(parsed).astype(np.int64)
        return fast, natives

    def _filler(self) -> str:
        return {"integer": "0", "year": "0000", "number": "0", "date": "2000-01-01"}[str(self.kind)]

    def _vector_constraints(
        self, column: pa.Array, fast: np.ndarray, natives: Any, result: _Checked
    ) -> None:
        kind = self.kind
        if kind == "boolean":
            valid, _ = natives
            result.type_error |= fast & ~valid
            return
        for name in self.constraints:
            if name == "required":
                continue
            failed: np.ndarray
            if name in self._bounds:
                bound = self._bounds[name]
                if kind == "date":
                    bound = (bound - _EPOCH).days
                values = natives
                failed = {
                    "minimum": values < bound,
                    "maximum": values > bound,
                    "exclusiveMinimum": values <= bound,
                    "exclusiveMaximum": values >= bound,
                }[name]
            elif name == "enum":
                assert self._enum is not None
                if kind == "string":
                    inside = _mask(pc.is_in(column, value_set=self._enum))
                else:
                    inside = _mask(pc.is_in(arrays.array(natives), value_set=self._enum))
                failed = ~inside
            elif name in ("minLength", "maxLength"):
                length = arrays.numbers(pc.utf8_length(column)).astype(np.int64)
                limit = int(self.field.constraints[name])
                failed = length < limit if name == "minLength" else length > limit
            elif name == "pattern":
                failed = self._pattern_failures(column)
            else:  # pragma: no cover - excluded by _vector_kind
                raise Unsupported(name)
            result.constraint[name] |= fast & failed

    def _pattern_failures(self, column: pa.Array) -> np.ndarray:
        assert self._pattern is not None
        encoded = pc.dictionary_encode(column)
        pattern = self._pattern
        verdict = np.array(
            [pattern.match(v) is None for v in encoded.dictionary.to_pylist()], dtype=bool
        )
        indices = arrays.numbers(encoded.indices).astype(np.int64)
        return verdict[indices] if len(verdict) else np.zeros(len(column), dtype=bool)

    def _hash_natives(self, natives: Any, fast: np.ndarray) -> np.ndarray:
        if self.kind == "string":
            values = np.array(natives.filter(arrays.array(fast)).to_pylist(), dtype=object)
            return hash_array(values, categorize=False)
        if self.kind == "boolean":
            _, truth = natives
            return hash_array(np.asarray(truth[fast], dtype=np.int64), categorize=False)
        return hash_array(natives[fast], categorize=False)

    def _slow(
        self, column: pa.Array, slow: np.ndarray, result: _Checked, keys: np.ndarray | None
    ) -> None:
        """frictionless's reader on each distinct slow value; results spread back by index."""
        positions = np.flatnonzero(slow)
        encoded = pc.dictionary_encode(column.take(arrays.array(positions)))
        outcomes = [self.reader(v) for v in encoded.dictionary.to_pylist()]
        indices = arrays.numbers(encoded.indices).astype(np.int64)
        type_bad = np.array([bool(notes and "type" in notes) for _, notes in outcomes], bool)
        result.type_error[positions] |= type_bad[indices]
        for name in self.constraints:
            bad = np.array([bool(notes and name in notes) for _, notes in outcomes], bool)
            result.constraint[name][positions] |= bad[indices]
        if keys is not None:
            hashes = hash_values(self.kind, [value for value, _ in outcomes])
            keys[positions] = hashes[indices]
            self.hashed_slow |= not all(exactly_hashed(self.kind, v) for v, _ in outcomes)

    def key_of(self, value: Any) -> np.uint64:
        return hash_values(self.kind, [value])[0]


# -- the table --------------------------------------------------------------------------


@dataclass
class _Finding:
    row: int
    order: tuple[int, int, int]  # (stage, field, constraint) inside the row
    error: fl_errors.Error


@dataclass
class _KeyColumn:
    """Hashes of one unique field, or of the primary key, for every row with a value."""

    name: str  # field name, or "" for the primary key
    fields: list[int]
    rows: list[np.ndarray] = field(default_factory=list)
    hashes: list[np.ndarray] = field(default_factory=list)
    candidates: np.ndarray | None = None  # sorted rows whose hash repeats
    exact: dict[int, int] | None = None  # repeating row -> the row before, when hashes are values


class _Table:
    def __init__(
        self,
        source: BinaryIO | bytes,
        schema: FlSchema,
        encoding: str,
        keep: int,
        dialect: CsvDialect,
        foreign: list[ForeignKey] | None = None,
    ) -> None:
        # opened once, checked (runtime/files.py), and read in passes: by descriptor, or
        # the file's bytes read once for every check of the dataset (checks/filebytes.py)
        self.data = source if isinstance(source, bytes) else None
        self.fd = source.fileno() if not isinstance(source, bytes) else -1
        self.declared = dialect
        self.foreign = foreign  # with their lookups (checks/foreignkeys.py), when declared
        self.schema = schema
        self.encoding = encoding
        self.keep = keep
        self._open_with_frictionless()
        pk = list(schema.primary_key)
        unique = [f.name for f in schema.fields if f.constraints.get("unique")]
        keyed = set(pk) | set(unique)
        missing = schema.missing_values
        self.plans = [
            _FieldPlan(
                f,
                i,
                f.missing_values if f.has_defined("missing_values") else missing,
                f.name in keyed,
            )
            for i, f in enumerate(schema.fields)
        ]
        index = {p.name: p.number - 1 for p in self.plans}
        self.unique = [_KeyColumn(name, [index[name]]) for name in unique]
        self.primary = _KeyColumn("", [index[n] for n in pk]) if pk else None
        self.keys = self.unique + ([self.primary] if self.primary else [])
        fk_names = [fk.names for fk in self.foreign or []]
        self.read = ReadOrder([p.name for p in self.plans], unique, pk, fk_names)

    @cached_property
    def handlers(self) -> dict[str, Any]:
        """frictionless's cell handlers, the reader of rows with the wrong number of cells:
        built on the first such row (they copy every field, 5 ms a resource)."""
        from frictionless.table.row import create_cell_handlers

        return create_cell_handlers(list(self.schema.fields))

    def _open_with_frictionless(self) -> None:
        """Read the header and first rows as frictionless does (checks/csvhead.py); refuse
        what we do not mirror."""
        if self.schema.foreign_keys and self.foreign is None:
            raise Unsupported("foreign keys without their lookups")
        self.dialect = self._dialect()
        try:
            head = read_head(self._view(), self.schema, self._python_encoding(), self.dialect)
        except HeadUnreadable as exc:
            raise Unsupported(str(exc)) from exc
        self.header_errors = head.header_errors
        self.labels = head.labels
        self.fragment = head.fragment

    def _view(self) -> BinaryIO:
        """The opened file from its start (each pass reads it again; the descriptor stays)."""
        if self.data is not None:
            return io.BytesIO(self.data)
        view = open(self.fd, "rb", closefd=False)  # noqa: SIM115 - the table owns the fd
        view.seek(0)
        return view

    def _dialect(self) -> csv.Dialect:
        """The declared dialect, as frictionless reads it; pyarrow cannot mirror escapes,
        initial spaces or a file without a header."""
        declared = self.declared
        if declared.escape_char or declared.skip_initial_space or not declared.header:
            raise Unsupported("dialect with escapes, initial spaces or no header")
        if not declared.double_quote:
            raise Unsupported("dialect without doubled quotes")
        return declared.python()

    def _python_encoding(self) -> str:
        enc = self.encoding.lower()
        return "utf-8-sig" if enc in ("utf-8", "utf8") else self.encoding

    # -- streaming ---------------------------------------------------------------------

    def _batches(
        self, invalid: list[tuple[int, list[str]]], columns: list[int] | None = None
    ) -> Iterator[pa.RecordBatch]:
        names = [f"c{i}" for i in range(len(self.labels))]
        delimiter = self.dialect.delimiter

        def on_invalid(row: Any) -> str:
            if row.number is None:
                raise Unsupported("row number unknown")
            cells = next(csv.reader(io.StringIO(row.text), self.dialect), [])
            invalid.append((int(row.number), cells))
            return "skip"

        enc = self.encoding.lower()
        read = pa_csv.ReadOptions(
            use_threads=False,
            block_size=BLOCK_BYTES,
            skip_rows=1,
            column_names=names,
            encoding="utf8" if enc in ("utf-8", "utf8", "utf-8-sig") else self.encoding,
        )
        parse = pa_csv.ParseOptions(
            delimiter=delimiter,
            quote_char=self.dialect.quotechar or False,
            double_quote=self.dialect.doublequote,
            escape_char=False,
            newlines_in_values=True,
            ignore_empty_lines=False,
            invalid_row_handler=on_invalid,
        )
        convert = pa_csv.ConvertOptions(
            column_types={n: pa.string() for n in names},
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
            include_columns=[names[i] for i in columns] if columns is not None else None,
        )
        try:
            source = self._view() if self.data is None else pa.BufferReader(self.data)
            reader = pa_csv.open_csv(
                source, read_options=read, parse_options=parse, convert_options=convert
            )
            yield from reader
        except pa.ArrowException as exc:
            raise Unsupported("pyarrow cannot read the file") from exc  # its message quotes cells

    def _numbered(
        self, columns: list[int] | None = None
    ) -> Iterator[tuple[pa.RecordBatch, np.ndarray, list[tuple[int, list[str]]]]]:
        """Batches with the row number of each row, and the malformed rows before them."""
        invalid: list[tuple[int, list[str]]] = []
        next_row = 2  # the header is row 1
        for batch in self._batches(invalid, columns):
            n = batch.num_rows
            if next_row + n > 0xFFFFFFFF:
                raise Unsupported("more than 4 billion rows")
            pending = sorted(r for r, _ in invalid)
            window = np.arange(next_row, next_row + n + len(pending), dtype=np.int64)
            if pending:
                window = window[~np.isin(window, np.array(pending, dtype=np.int64))]
            numbers = window[:n]
            last = int(numbers[-1]) if n else next_row - 1
            before = [(r, c) for r, c in invalid if r <= last]
            invalid[:] = [(r, c) for r, c in invalid if r > last]
            next_row = last + 1
            yield batch, numbers, before
        if invalid:
            yield pa.RecordBatch.from_pylist([]), np.zeros(0, np.int64), invalid

    def _check_fragment(
        self, batch: pa.RecordBatch, numbers: np.ndarray, odd: list[tuple[int, list[str]]]
    ) -> None:
        """Our parse of the first rows must equal frictionless's, or we do not go on."""
        want = len(self.fragment)
        rows: dict[int, list[str]] = {r: cells for r, cells in odd if r < want + 2}
        head = min(batch.num_rows, want)
        columns = [batch.column(i).slice(0, head).to_pylist() for i in range(batch.num_columns)]
        if head == want and not rows:  # the usual file: every row the same, as lists in C
            if [list(row) for row in zip(*columns, strict=True)] == self.fragment:
                return
        for i in range(head):
            rows[int(numbers[i])] = [c[i] for c in columns]
        ours = [rows[r] for r in sorted(rows)][:want]
        theirs = [["" if c is None else str(c) for c in row] for row in self.fragment]

        def same(a: list[str], b: list[str]) -> bool:
            # an empty line is [] to Python's csv and a row of "" to pyarrow: both blank
            return a == b or (not any(a) and not any(b) and (not a or not b))

        if not all(same(a, b) for a, b in zip(ours, theirs, strict=False)):
            raise Unsupported("the sample parses differently")

    # -- the run -----------------------------------------------------------------------

    def run(self) -> TableReport:
        """Count every error by type and keep the first ``keep`` in frictionless's order
        (header errors, then row by row), as validate.py's counting checklist does."""
        by_type: Counter[str] = Counter(e.type for e in self.header_errors)
        kept: list[_Finding] = []
        rows = 0
        first = True
        for batch, numbers, odd in self._numbered():
            if first and self.fragment:
                self._check_fragment(batch, numbers, odd)
            first = False
            limit_row = kept[-1].row if len(kept) >= self.keep else None
            found = self._odd_rows(odd, by_type, limit_row)
            if batch.num_rows:
                found += self._batch(batch, numbers, by_type, limit_row)
                rows = max(rows, int(numbers[-1]) - 1)
            if odd:
                rows = max(rows, max(r for r, _ in odd) - 1)
            if found:
                kept = _whole_rows(sorted(kept + found, key=_order), self.keep)
        limit = kept[-1].row if kept and len(kept) >= self.keep else None
        kept += self._key_findings(by_type, limit)
        rerank(kept, self.read)
        kept.sort(key=_order)
        errors = (list(self.header_errors) + [f.error for f in kept])[: self.keep]
        return TableReport(rows=rows, errors=errors, by_type=by_type)

    def _odd_rows(
        self, odd: list[tuple[int, list[str]]], by_type: Counter[str], limit_row: int | None
    ) -> list[_Finding]:
        """Rows with the wrong number of cells: frictionless's own Row decides."""
        from frictionless.table.row import Row

        out: list[_Finding] = []
        for number, cells in odd:
            row = Row(cells, handlers=self.handlers, row_number=number)
            for name in self.read.first:  # read first, as frictionless reads them
                row[name]
            wanted = limit_row is None or number <= limit_row
            for k, error in enumerate(row.errors):
                by_type[error.type] += 1
                if wanted:
                    cell = error.type in CELL_ERRORS
                    place = (0, self.read.plain[error.field_name], k) if cell else (ROW_END, 0, k)
                    out.append(_Finding(number, place, error))
            text = [str(c) if c is not None else "" for c in cells]
            for key in self.keys:
                values = [row[self.plans[i].name] for i in key.fields]
                if all(v is None for v in values):
                    if not key.name:  # the primary key
                        by_type["primary-key"] += 1
                        if wanted:
                            error = maker(None, "pk-none")(number, text)
                            out.append(_Finding(number, (4, 0, 0), error))
                    continue
                digest = _combine(
                    [self.plans[i].key_of(v) for i, v in zip(key.fields, values, strict=True)]
                )
                key.rows.append(np.array([number], dtype=np.uint32))
                for i, v in zip(key.fields, values, strict=True):  # parsed by frictionless
                    self.plans[i].hashed_slow |= not exactly_hashed(self.plans[i].kind, v)
                key.hashes.append(np.array([digest], dtype=np.uint64))
            for k, fk in enumerate(self.foreign or []):
                values = tuple(row[self.plans[i].name] for i in fk.fields)
                if fk.fails(values):
                    by_type["foreign-key"] += 1
                    if wanted:
                        out.append(_Finding(number, (5, k, 0), fk.error(number, text, values)))
        return out

    def _batch(
        self,
        batch: pa.RecordBatch,
        numbers: np.ndarray,
        by_type: Counter[str],
        limit_row: int | None,
    ) -> list[_Finding]:
        checked = [plan.check(batch.column(plan.number - 1)) for plan in self.plans]
        n = batch.num_rows
        blank = np.ones(n, dtype=bool)
        for c in checked:
            blank &= c.missing
        # (rows, order inside a row, how to build the error) for every kind of error
        spots: list[tuple[np.ndarray, tuple[int, int, int], Callable[..., Any], str]] = []
        for plan, c in zip(self.plans, checked, strict=True):
            bad = np.flatnonzero(c.type_error & ~blank)
            rank = self.read.plain[plan.name]
            spots.append((bad, (0, rank, 0), maker(plan, "type"), "type-error"))
            for k, name in enumerate(plan.constraints):
                bad = np.flatnonzero(c.constraint[name] & ~c.type_error & ~blank)
                spots.append((bad, (0, rank, k + 1), maker(plan, name), "constraint-error"))
        spots.append((np.flatnonzero(blank), (0, 0, 0), maker(None, "blank"), "blank-row"))
        for key in self.unique:
            c = checked[key.fields[0]]
            assert c.keys is not None and c.null is not None
            keep = ~c.null
            key.rows.append(numbers[keep].astype(np.uint32))
            key.hashes.append(c.keys[keep])
        if self.primary is not None:
            all_null = np.ones(n, dtype=bool)
            digest = np.zeros(n, dtype=np.uint64)
            for i in self.primary.fields:
                c = checked[i]
                assert c.keys is not None and c.null is not None
                all_null &= c.null
                digest = digest * _MIX ^ np.where(c.null, NULL_HASH, c.keys)
            self.primary.rows.append(numbers[~all_null].astype(np.uint32))
            self.primary.hashes.append(digest[~all_null])
            spots.append(
                (np.flatnonzero(all_null), (4, 0, 0), maker(None, "pk-none"), "primary-key")
            )
        for k, fk in enumerate(self.foreign or []):
            readers = [self.plans[i].reader for i in fk.fields]
            bad = fk.failing([batch.column(i) for i in fk.fields], readers)
            spots.append((np.flatnonzero(bad), (5, k, 0), fk_maker(fk, readers), "foreign-key"))
        for rows_at, _, _, kind in spots:
            if len(rows_at):
                by_type[kind] += len(rows_at)
        if limit_row is not None:
            spots = [(r[numbers[r] <= limit_row], o, m, k) for r, o, m, k in spots]
        if not sum(len(spot[0]) for spot in spots):
            return []
        index = np.concatenate([spot[0] for spot in spots])
        which = np.concatenate(
            [np.full(len(spot[0]), k, dtype=np.int64) for k, spot in enumerate(spots)]
        )
        order = np.lexsort((which, index))
        if len(order) > self.keep:  # the first ``keep``, and the rest of the last one's row
            order = order[index[order] <= index[order[self.keep - 1]]] if self.keep else order[:0]
        cells_of = self._cells(batch, np.unique(index[order]))
        out: list[_Finding] = []
        for j in order:
            i = int(index[j])
            _, rank, make, _ = spots[int(which[j])]
            number = int(numbers[i])
            out.append(_Finding(number, rank, make(number, cells_of[i])))
        return out

    def _cells(self, batch: pa.RecordBatch, wanted: np.ndarray) -> dict[int, list[str]]:
        taken = batch.take(arrays.array(wanted))
        columns = [taken.column(i).to_pylist() for i in range(taken.num_columns)]
        return {int(i): [col[k] for col in columns] for k, i in enumerate(wanted)}

    # -- unique and primary keys --------------------------------------------------------

    def _key_findings(self, by_type: Counter[str], limit: int | None) -> list[_Finding]:
        """Count repeated keys exactly and keep the first ones.

        The hashes name the rows that may repeat (members of a group of equal hashes);
        a second pass reads just those rows and runs frictionless's own algorithm
        (a dict of the parsed values) on them, so memory grows with the repeated rows,
        never with the file, and a hash collision is never reported.
        """
        members: list[np.ndarray] = []
        active: list[_KeyColumn] = []
        for key in self.keys:
            if not key.rows:
                continue
            # 8 bytes a row for the hashes, a sorted copy of them, and 4 for row numbers:
            # about 200 MB at 10M rows, where sorting (hash, row) pairs took 500 MB
            hashes = np.concatenate(key.hashes)
            key.hashes = []
            ordered = np.sort(hashes)
            repeated = ordered[1:][ordered[1:] == ordered[:-1]]
            del ordered
            if not len(repeated):
                key.rows = []
                continue
            in_group = np.isin(hashes, np.unique(repeated))
            rows = np.concatenate(key.rows)[in_group].astype(np.int64)
            key.rows = []
            plan = self.plans[key.fields[0]]
            if len(key.fields) == 1 and plan.kind in _BIJECTIVE and not plan.hashed_slow:
                # the hash of an int64, a float64 or a day is that value, bijectively: the
                # repeats are exact, and only the listed ones are read again for their cells
                count, key.exact = repeats(rows, hashes[in_group], self.keep, limit)
                by_type["unique-error" if key.name else "primary-key"] += count
                rows = np.array(sorted(key.exact), dtype=np.int64)
                if not len(rows):
                    continue
            del hashes
            key.candidates = np.sort(rows)
            members.append(key.candidates)
            active.append(key)
        if not active:
            return []
        want = np.unique(np.concatenate(members))
        memory: dict[int, dict[Any, int]] = {id(key): {} for key in active}
        out: list[_Finding] = []
        for number, cells in self._rows_at(want):
            text = ["" if c is None else str(c) for c in cells]
            for key in active:
                assert key.candidates is not None
                position = np.searchsorted(key.candidates, number)
                if position >= len(key.candidates) or key.candidates[position] != number:
                    continue
                values = [
                    self.plans[i].reader(cells[i] if i < len(cells) else None)[0]
                    for i in key.fields
                ]
                seen = memory[id(key)]
                if key.name:
                    value: Any = values[0]
                    if value is None:
                        continue
                else:
                    value = tuple(values)
                    if set(value) == {None}:
                        continue
                if key.exact is not None:  # counted already
                    match = key.exact[number]
                else:
                    match = seen.get(value)
                    seen[value] = number
                    if not match:
                        continue
                    by_type["unique-error" if key.name else "primary-key"] += 1
                note = f"the same as in the row at position {match}"
                if key.name:
                    plan = self.plans[key.fields[0]]
                    error: fl_errors.Error = fl_errors.UniqueError(
                        note=note,
                        cells=text,
                        row_number=number,
                        cell=str(value),
                        field_name=plan.name,
                        field_number=plan.number,
                    )
                    rank = (3, plan.number, 0)
                else:
                    error = fl_errors.PrimaryKeyError(note=note, cells=text, row_number=number)
                    rank = (4, 1, 0)
                if len(out) < self.keep:
                    out.append(_Finding(number, rank, error))
        return out

    def _rows_at(self, want: np.ndarray) -> Iterator[tuple[int, list[str | None]]]:
        """Second pass: (row number, cells) of the wanted rows, in row order."""
        lookup = set(want.tolist())
        last = int(want[-1])
        for batch, numbers, odd in self._numbered():
            found: list[tuple[int, list[str | None]]] = [
                (number, list(cells)) for number, cells in odd if number in lookup
            ]
            if batch.num_rows:
                hit = np.flatnonzero(np.isin(numbers, want))
                if len(hit):
                    found += [
                        (int(numbers[i]), list(cells))
                        for i, cells in self._cells(batch, hit).items()
                    ]
            found.sort(key=lambda item: item[0])
            yield from found
            if numbers.size and numbers[-1] >= last:
                break


def _order(finding: _Finding) -> tuple[int, tuple[int, int, int]]:
    return finding.row, finding.order


def _whole_rows(findings: list[_Finding], keep: int) -> list[_Finding]:
    """The first ``keep`` findings and the rest of the last one's row (a row's order is
    settled only when its key errors are known: rowerrors.rerank)."""
    if len(findings) <= keep:
        return findings
    if not keep:
        return []
    last = findings[keep - 1].row
    return [f for f in findings[:keep] + findings[keep:] if f.row <= last]


def validate_csv(
    source: BinaryIO | bytes | str | os.PathLike,
    schema: FlSchema,
    encoding: str = "utf-8",
    keep: int = 20,
    dialect: CsvDialect = DEFAULT_DIALECT,
    foreign: list[ForeignKey] | None = None,
) -> TableReport:
    """Validate one opened CSV file (or its bytes) against its Table Schema, read with
    ``dialect``: every
    error counted by type, the first ``keep`` returned. Raises Unsupported when
    frictionless must do it instead."""
    if isinstance(source, (str, os.PathLike)):  # tests and benchmarks: a trusted path
        with open(source, "rb") as handle:
            return validate_csv(handle, schema, encoding, keep, dialect, foreign)
    with np.errstate(over="ignore"):
        return _Table(source, schema, encoding, keep, dialect, foreign).run()
