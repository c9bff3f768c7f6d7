"""The JSON download written column by column: the same bytes as downloads.write_json.

downloads.write_json converts every cell in Python (json_value, then json.dumps), which
took a quarter of deriving the demo's tables. Here each record batch of the published CSV
becomes its JSON lines with pyarrow compute: a number that matches JSON's grammar is
written as its text, a boolean by the field's true/false values, an empty cell as null and
everything else as a JSON string escaped as json.dumps(ensure_ascii=False) escapes it.
What it does not reproduce (control characters json.dumps writes as \\u00XX, non-ASCII
digits that Python's \\d takes for digits) raises Unsupported, and the caller writes the
file row by row instead (tests compare both on generated text).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator
from functools import partial
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from ..checks.fastcheck import Unsupported
from ..model import FieldInfo
from .downloads import FALSE_VALUES, TRUE_VALUES
from .fastderive import _constant, _text_buffer, by_distinct, may_hold_controls
from .table import read_batches

BLOCK_BYTES = 4 << 20
_NUMBER = r"^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?$"  # downloads.JSON_NUMBER
_ESCAPES = (("\\", "\\\\"), ('"', '\\"'), ("\n", "\\n"), ("\r", "\\r"), ("\t", "\\t"))
_ESCAPES += (("\x08", "\\b"), ("\x0c", "\\f"))
_RARE_BYTES = re.compile(rb"[\x00-\x07\x0b\x0e-\x1f]")  # json.dumps writes \u00XX
_ESCAPE_BYTES = {raw: re.compile(re.escape(raw.encode())) for raw, _ in _ESCAPES}


def _string(column: pa.Array) -> pa.Array:
    """Each value as a JSON string. The column's bytes are searched first (one regular
    expression over the buffer), so a column with nothing to escape costs no pass."""
    data = _text_buffer(column)
    controls = may_hold_controls(data)
    if controls and _RARE_BYTES.search(data):
        raise Unsupported("control characters")
    for raw, escaped in _ESCAPES if controls else _ESCAPES[:2]:  # the rest are controls
        if _ESCAPE_BYTES[raw].search(data):  # ASCII: never inside a multi-byte character
            column = pc.replace_substring(column, raw, escaped)
    return pc.binary_join_element_wise(pa.scalar('"'), column, pa.scalar('"'), "")


def _values(field: FieldInfo, column: pa.Array) -> pa.Array:
    """The JSON text of each cell of one column (downloads.json_value, then _dump)."""
    n = len(column)
    empty = pc.equal(column, "")
    if field.type in ("integer", "number", "year"):
        if not pc.all(pc.string_is_ascii(column)).as_py():
            raise Unsupported("non-ASCII text in a number column")  # \d takes other digits
        number = pc.match_substring_regex(column, _NUMBER)
        if pc.all(pc.or_(number, empty)).as_py():
            value = column  # numbers as their text (the empty cells become null below)
        else:
            value = pc.if_else(number, column, _string(column))
    elif field.type == "boolean":
        trues = [str(v) for v in field.raw.get("trueValues") or TRUE_VALUES]
        falses = [str(v) for v in field.raw.get("falseValues") or FALSE_VALUES]
        is_true = pc.is_in(column, value_set=pa.array(trues, pa.string()))
        is_false = pc.is_in(column, value_set=pa.array(falses, pa.string()))
        value = pc.if_else(
            is_true,
            _constant("true", n),
            pc.if_else(is_false, _constant("false", n), _string(column)),
        )
    else:
        value = _string(column)
    if not pc.any(empty).as_py():  # no empty cell: no copy to put nulls in
        return value
    return pc.if_else(empty, _constant("null", n), value)


def record_bodies(
    batch: pa.RecordBatch,
    fields: tuple[FieldInfo, ...],
    keys: list[str] | None = None,
    before: str = "",
    after: str = "",
) -> pa.Array:
    """Each row's ``"field": value, ...`` as the row writer writes it between the braces
    of a record (``keys``: each field's ``"name": ``, when the caller has them already),
    with ``before`` and ``after`` around it. One join over the value columns and the
    constant text between them, so each cell's bytes are copied once, not three times
    (a join per cell, one for the separators, one for the braces: two thirds of this
    writer's time on the real-sized catalog). The GeoJSON writer uses it for each
    feature's properties."""
    if keys is None:
        keys = [json.dumps(f.name, ensure_ascii=False) + ": " for f in fields]
    if not fields:
        return _constant(before + after, batch.num_rows)
    parts: list[pa.Array | pa.Scalar] = []
    for i, (key, f) in enumerate(zip(keys, fields, strict=True)):
        parts.append(pa.scalar((before if i == 0 else ", ") + key, pa.string()))
        parts.append(by_distinct(partial(_values, f), batch.column(i)))
    if after:
        parts.append(pa.scalar(after, pa.string()))
    return pc.binary_join_element_wise(*parts, "")


def _reader(src: Path, width: int) -> Iterator[pa.RecordBatch]:
    return read_batches(src, width, BLOCK_BYTES)


def write_json_columnar(
    src: Path,
    dst: Path,
    header: dict[str, Any],
    fields: tuple[FieldInfo, ...],
    batches: Callable[[], Iterable[pa.RecordBatch]] | None = None,
) -> None:
    """downloads.write_json's file, from the published CSV ``src`` in record batches
    (``batches``: the same, already read; data/table.py)."""
    keys = [json.dumps(f.name, ensure_ascii=False) + ": " for f in fields]
    head = json.dumps(header, ensure_ascii=False, indent=2)
    first = True
    try:
        reader = batches() if batches is not None else _reader(src, len(fields))
        with open(dst, "wb") as handle:
            handle.write((head[:-1].rstrip() + ',\n  "data": [').encode("utf-8"))
            for batch in reader:
                n = batch.num_rows
                if not n:
                    continue
                lines = record_bodies(batch, fields, keys, ",\n    {", "}")
                data = _text_buffer(lines)
                if first:  # the first record has no comma before it
                    data = data[1:]
                    first = False
                handle.write(data)
            handle.write(b"\n  ]\n}\n" if not first else b"]\n}\n")
    except pa.ArrowInvalid as exc:  # its message quotes cells
        raise Unsupported("pyarrow cannot read the published CSV") from exc
