"""Foreign keys checked column by column, with exactly frictionless's findings.

frictionless reads the referenced resource row by row into a set of typed key tuples (rows
whose key is only None left out), then looks up each row's key (a key of only None is not
checked) and reports a ``foreign-key`` error after the row's cell, unique and primary-key
errors. Here both sides are read by the vectorised reader (generator/checks/fastcheck.py)
and each *distinct* raw key is typed once by frictionless's own cell reader, so the set and
the comparisons are frictionless's (Python equality of the same typed values: ``1`` equals
``1.0``, a type error is None) at the cost of the distinct keys, not of the rows.

Whatever this does not model (a reference to another dataset, to an XLSX resource or to
fields the referenced schema lacks) raises :class:`Unsupported`, and frictionless validates
the dataset as a package instead.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from frictionless import errors as fl_errors

from . import arrays
from .fastcheck import Unsupported, _Table

Reader = Callable[[Any], tuple[Any, Any]]  # frictionless's cell reader: (value, notes)
Key = tuple[Any, ...]


def typed_keys(
    columns: Sequence[pa.Array], readers: Sequence[Reader]
) -> tuple[list[Key], np.ndarray]:
    """The distinct keys of a batch's key columns, typed by frictionless's readers, and for
    each row the index of its key among them."""
    n = len(columns[0]) if columns else 0
    if not n:
        return [], np.zeros(0, dtype=np.int64)
    dictionaries: list[list[Any]] = []
    indices: list[np.ndarray] = []
    codes = np.zeros(n, dtype=np.int64)
    span = 1
    for column in columns:
        encoded = pc.dictionary_encode(column)
        dictionaries.append(encoded.dictionary.to_pylist())
        indices.append(arrays.numbers(encoded.indices).astype(np.int64))
        size = max(len(dictionaries[-1]), 1)
        if span * size >= 1 << 62:  # the combined code would overflow: number the pairs
            codes = np.unique(codes, return_inverse=True)[1].reshape(-1).astype(np.int64)
            span = int(codes.max()) + 1
        codes = codes * size + indices[-1]
        span *= size
    _, first, inverse = np.unique(codes, return_index=True, return_inverse=True)
    keys = [
        tuple(
            reader(dictionary[int(index[row])])[0]
            for reader, dictionary, index in zip(readers, dictionaries, indices, strict=True)
        )
        for row in first
    ]
    return keys, inverse.reshape(-1).astype(np.int64)


def checked(key: Key) -> bool:
    """frictionless looks up a key unless every value of it is None."""
    return any(value is not None for value in key)


@dataclass
class ForeignKey:
    """One ``foreignKeys`` entry of the resource being validated, with its lookup set."""

    fields: list[int]  # the validated resource's key fields, 0-based
    names: list[str]
    reference: str  # the referenced resource, as the descriptor names it
    reference_fields: list[str]
    lookup: set[Key] = field(default_factory=set)

    def failing(self, columns: Sequence[pa.Array], readers: Sequence[Reader]) -> np.ndarray:
        """A mask over a batch's rows: the key is looked up and not found."""
        keys, inverse = typed_keys(columns, readers)
        if not keys:
            return np.zeros(len(inverse), dtype=bool)
        bad = np.array([checked(k) and k not in self.lookup for k in keys], dtype=bool)
        return bad[inverse]

    def fails(self, key: Key) -> bool:
        return checked(key) and key not in self.lookup

    def error(self, row_number: int, cells: list[str], key: Key) -> fl_errors.Error:
        """frictionless's ForeignKeyError for this row, note and all."""
        note = 'for "{}": values "{}" not found in the lookup table "{}" as "{}"'.format(
            ", ".join(self.names),
            ", ".join(str(value) for value in key),
            self.reference,
            ", ".join(self.reference_fields),
        )
        return fl_errors.ForeignKeyError(
            note=note,
            cells=cells,
            row_number=row_number,
            field_names=list(self.names),
            field_cells=["" if value is None else str(value) for value in key],
            reference_name=self.reference,
            reference_field_names=list(self.reference_fields),
        )


def as_list(value: Any) -> list[str]:
    """A descriptor's field list, which may be one name."""
    return [value] if isinstance(value, str) else [str(v) for v in value or []]


def reference_keys(table: _Table, names: list[str]) -> set[Key]:
    """The lookup set frictionless builds from a referenced resource: the typed key of every
    row whose key is not only None (rows with the wrong number of cells included)."""
    from frictionless.table.row import Row

    index = {plan.name: plan.number - 1 for plan in table.plans}
    if not set(names) <= set(index):
        raise Unsupported("the referenced fields are not in the referenced schema")
    fields = [index[name] for name in names]
    readers = [table.plans[i].reader for i in fields]
    lookup: set[Key] = set()
    for batch, _numbers, odd in table._numbered(fields):
        if batch.num_rows:
            keys, _ = typed_keys([batch.column(k) for k in range(len(fields))], readers)
            lookup.update(k for k in keys if checked(k))
        for number, cells in odd:
            row = Row(cells, handlers=table.handlers, row_number=number)
            key = tuple(row[name] for name in names)
            if checked(key):
                lookup.add(key)
    return lookup
