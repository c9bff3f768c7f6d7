"""The header and first rows of a CSV file, read as frictionless reads them, without
opening a frictionless resource.

The column-wise validator (generator/checks/fastcheck.py) needs frictionless's header
errors, its labels and the first rows as its parser splits them (to check that pyarrow
splits them the same). Opening a frictionless resource for that took 6.6 ms a resource (a
sample read twice, the dialect sniffed although every parameter is declared, a detector,
cell handlers for the rows, a copy of every field): on the real-sized catalog more than
checking the columns themselves. Here the rows come from Python's csv module with the
``csv.Dialect`` frictionless builds from the declared dialect, decoded as its loader
decodes them, and frictionless's own :class:`Header` judges the labels.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Any, BinaryIO

from frictionless.table import Header
from frictionless.table import fields_match as fields_match_module

SAMPLE_ROWS = 100  # frictionless's sample: the header row and the first rows after it


class HeadUnreadable(Exception):
    """The first rows cannot be read like frictionless reads them."""


@dataclass
class Head:
    labels: list[str]
    header_errors: list[Any]  # frictionless's header errors, in its order
    fragment: list[list[str]]  # the rows after the header, in the sample


def read_head(view: BinaryIO, schema: Any, encoding: str, dialect: csv.Dialect) -> Head:
    """The labels, header errors and first rows of an opened file (read from its start)."""
    text = io.TextIOWrapper(view, encoding=encoding, newline="")
    rows: list[list[str]] = []
    try:
        for cells in csv.reader(text, dialect=dialect):
            rows.append(cells)
            if len(rows) >= SAMPLE_ROWS:
                break
    except (UnicodeDecodeError, csv.Error) as exc:
        raise HeadUnreadable(type(exc).__name__) from exc
    finally:
        text.detach()  # the view stays open: the caller owns it
    if not rows:
        raise HeadUnreadable("empty source")
    labels = ["" if cell is None else str(cell).strip() for cell in rows[0]]
    declared = schema.fields_match if schema.has_defined("fields_match") else None
    if declared in (None, "exact") and _is_the_schema(labels, schema):
        return Head(labels, [], rows[1:])
    header = Header(
        labels,
        fields=schema.fields,
        row_numbers=[1],
        ignore_case=False,  # frictionless's header_case is true unless a dialect says not
        fields_match=fields_match_module.resolve(declared, schema_sync=False),
    )
    expected = [f.name for f in header.get_expected_fields()]
    if expected != [f.name for f in schema.fields] or len(labels) != len(expected):
        raise HeadUnreadable("the header does not line up with the schema")
    return Head(labels, list(header.errors), rows[1:])


def _is_the_schema(labels: list[str], schema: Any) -> bool:
    """Labels that are the schema's field names, in order, each once and none blank: under
    the default ``fieldsMatch`` (exact, by position) frictionless's Header finds no error
    in them and expects the schema's fields as they are. The usual file, judged without
    building a Header (which copies every field through its descriptor: 2 ms a resource,
    tests/test_fastcheck.py compares the two)."""
    names = [f.name for f in schema.fields]
    return labels == names and all(names) and len(set(names)) == len(names)
