"""frictionless's errors for the column-wise validator, and their order inside a row.

frictionless reads a row's fields lazily: first the unique fields (in schema order), then
the primary key's, then the foreign keys' — each read adds that field's cell errors — and
the first time a row-level error is added (a repeated unique value, a repeated or empty
primary key, a missing foreign key) it reads every other field, in schema order, before
adding it. :func:`rerank` gives the cell errors of a row that order.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import numpy as np
from frictionless import errors as fl_errors

if TYPE_CHECKING:
    from .fastcheck import _FieldPlan, _Finding
    from .foreignkeys import ForeignKey

CELL_ERRORS = ("type-error", "constraint-error")
ROW_END = 1  # stage of missing-cell and extra-cell errors: after a full read of the row


def maker(plan: _FieldPlan | None, what: str) -> Callable[[int, list[str]], fl_errors.Error]:
    def make(row_number: int, cells: list[str]) -> fl_errors.Error:
        if what == "blank":
            return fl_errors.BlankRowError(note="", cells=cells, row_number=row_number)
        if what == "pk-none":
            return fl_errors.PrimaryKeyError(
                note='cells composing the primary keys are all "None"',
                cells=cells,
                row_number=row_number,
            )
        assert plan is not None
        common = dict(
            cells=cells,
            row_number=row_number,
            cell=str(cells[plan.number - 1]),
            field_name=plan.name,
            field_number=plan.number,
        )
        if what == "type":
            return fl_errors.TypeError(note=plan.note_type(), **common)
        return fl_errors.ConstraintError(note=plan.note_constraint(what), **common)

    return make


def fk_maker(fk: ForeignKey, readers: list[Any]) -> Callable[[int, list[str]], Any]:
    def make(row_number: int, cells: list[str]) -> fl_errors.Error:
        key = tuple(read(cells[i])[0] for read, i in zip(readers, fk.fields, strict=True))
        return fk.error(row_number, cells, key)

    return make


class ReadOrder:
    """The order frictionless reads a row's fields in, by what the row's keys found."""

    def __init__(
        self, fields: list[str], unique: list[str], primary: list[str], foreign: list[list[str]]
    ):
        self.fields = fields
        self.first = list(dict.fromkeys(unique + primary + [n for fk in foreign for n in fk]))
        self.unique_end = {name: self.first.index(name) + 1 for name in unique}
        self.primary_end = len(dict.fromkeys(unique + primary))
        self.plain = self.rank(len(self.first))

    def rank(self, read_first: int) -> dict[str, int]:
        """Field -> place, when the first ``read_first`` fields are read before the rest."""
        head = self.first[:read_first]
        order = head + [name for name in self.fields if name not in head]
        return {name: place + 1 for place, name in enumerate(order)}

    def trigger(self, finding: _Finding) -> int | None:
        """How many fields were read first when this row-level error made frictionless
        read the whole row (None: not such an error)."""
        error = finding.error
        if error.type == "unique-error":
            return self.unique_end.get(getattr(error, "field_name", ""), len(self.first))
        if error.type == "primary-key":
            return self.primary_end
        if error.type == "foreign-key":
            return max(self.first.index(n) + 1 for n in error.field_names)
        return None


def rerank(findings: list[_Finding], order: ReadOrder) -> None:
    """Give the cell errors of rows with a row-level error frictionless's order (the others
    already have it: ``order.plain``)."""
    read_first: dict[int, int] = {}
    for f in findings:
        t = order.trigger(f)
        if t is not None:
            read_first[f.row] = min(t, read_first.get(f.row, t))
    ranks = {t: order.rank(t) for t in set(read_first.values())}
    for f in findings:
        t = read_first.get(f.row)
        if t is None or f.order[0] != 0 or f.error.type not in CELL_ERRORS:
            continue
        f.order = (0, ranks[t][f.error.field_name], f.order[2])


def repeats(
    rows: np.ndarray, hashes: np.ndarray, keep: int, limit: int | None
) -> tuple[int, dict[int, int]]:
    """Repeated values where a hash is the value itself (a bijection of a number, a date):
    how many rows repeat an earlier one, and for the first ``keep`` of them up to row
    ``limit`` the row of the occurrence before, as frictionless's memory names it."""
    order = np.lexsort((rows, hashes))
    rows, hashes = rows[order], hashes[order]
    again = hashes[1:] == hashes[:-1]
    later, earlier = rows[1:][again], rows[:-1][again]
    if limit is not None:  # later rows cannot be listed: no need to read them again
        later, earlier = later[later <= limit], earlier[later <= limit]
    first = np.argsort(later, kind="stable")[:keep]
    return int(again.sum()), dict(zip(later[first].tolist(), earlier[first].tolist(), strict=True))


def exactly_hashed(kind: str | None, value: Any) -> bool:
    """Whether fastcheck's hash of a value frictionless parsed is the value itself: an int
    of int64, a day, a decimal of at most 15 digits (one float each); None is never hashed."""
    if value is None:
        return True
    if kind in ("integer", "year"):
        return isinstance(value, int) and not isinstance(value, bool) and -(2**63) <= value < 2**63
    if kind == "date":
        return isinstance(value, dt.date) and not isinstance(value, dt.datetime)
    if kind == "number" and isinstance(value, Decimal) and value.is_finite():
        return len(value.as_tuple().digits) <= 15
    return False
