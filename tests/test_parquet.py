"""The Parquet download: typed columns where every value reads as its type, the published
values exactly, fixed row groups, the same bytes in every build, and the audit reads it."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from generator.audit import files as audit_files
from generator.audit.files import _readable
from generator.build import build
from generator.data import parquet
from generator.data.parquet import write_parquet
from generator.model import FieldInfo

from .test_downloads import CSV_TEXT, FIELDS  # the same typed table, written as Parquet


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from .conftest import CatalogFactory

    root = tmp_path_factory.mktemp("pq")
    factory = CatalogFactory(root / "catalog")
    factory.dataset("typed", csv_text=CSV_TEXT, fields=FIELDS)
    factory.dataset("closed-one", open_type="非开放", extra="legal_basis: 《某条例》第三条\n")
    factory.dataset(
        "cond-one",
        open_type="有条件开放",
        extra="legal_basis: 《某条例》第三条\nopen_conditions: 仅限科研\n",
    )
    out = root / "site"
    build(factory.root, out)
    return out / "datasets"


def test_open_resources_get_typed_parquet_and_non_open_none(built: Path):
    table = pq.read_table(built / "typed" / "rows.parquet")
    assert table.schema.types == [
        pa.string(),
        pa.string(),
        pa.int64(),
        pa.float64(),
        pa.bool_(),
        pa.date32(),
        pa.int64(),
    ]
    assert table.to_pylist() == [
        {
            "code": "007",  # a code stays text with its zeros
            "name": "公交,一号",
            "count": 12,
            "ratio": 0.1,
            "ok": True,
            "day": dt.date(2026, 1, 31),
            "big": 110101199001011234,
        },
        {
            "code": "008",
            "name": "=1+1",
            "count": None,
            "ratio": 3.5,
            "ok": False,
            "day": None,
            "big": None,
        },
    ]
    assert not list((built / "closed-one").glob("*.parquet"))
    assert not list((built / "cond-one").glob("*.parquet"))
    page = (built / "typed" / "index.html").read_text(encoding="utf-8")
    assert "rows.parquet" in page


def test_demo_parquet_has_every_row_of_the_csv(demo_site: Path):
    files = sorted((demo_site / "datasets").glob("*/*.parquet"))
    assert len(files) >= 16
    for path in files:
        rows = list(csv.reader(io.StringIO(path.with_suffix(".csv").read_text(encoding="utf-8"))))
        table = pq.read_table(path)
        assert table.column_names == rows[0], path
        assert table.num_rows == len(rows) - 1, path
        for name in table.column_names:  # text columns are the published text exactly
            if table.schema.field(name).type == pa.string():
                column = table.column(name).to_pylist()
                index = rows[0].index(name)
                assert [v or "" for v in column] == [r[index] for r in rows[1:]], (path, name)


def _write(tmp_path: Path, text: str, fields: tuple[FieldInfo, ...], name: str) -> Path:
    src = tmp_path / "in.csv"
    src.write_text(text, encoding="utf-8")
    dst = tmp_path / name
    write_parquet(src, dst, fields)
    return dst


def test_a_value_that_does_not_read_keeps_the_column_text(tmp_path: Path):
    fields = (
        FieldInfo("n", "integer"),
        FieldInfo("x", "number"),
        FieldInfo("d", "date"),
        FieldInfo("b", "boolean"),
        FieldInfo("huge", "integer"),
    )
    text = "n,x,d,b,huge\n1,1.5,2026-01-01,true,1\n二,NaN,2026-02-30,maybe,123456789012345678901\n"
    table = pq.read_table(_write(tmp_path, text, fields, "out.parquet"))
    assert table.schema.types == [pa.string()] * 5
    assert table.column("n").to_pylist() == ["1", "二"]
    assert table.column("huge").to_pylist() == ["1", "123456789012345678901"]


def test_row_groups_are_fixed_and_bytes_do_not_depend_on_batches(tmp_path: Path, monkeypatch):
    fields = (FieldInfo("id", "integer"), FieldInfo("name", "string"))
    text = "id,name\n" + "".join(f"{i},名称{i % 7}\n" for i in range(2500))
    monkeypatch.setattr(parquet, "ROW_GROUP_ROWS", 1000)
    first = _write(tmp_path, text, fields, "a.parquet")
    monkeypatch.setattr(parquet, "BLOCK_BYTES", 4096)  # many small record batches
    second = _write(tmp_path, text, fields, "b.parquet")
    assert first.read_bytes() == second.read_bytes()
    meta = pq.ParquetFile(first).metadata
    assert [meta.row_group(i).num_rows for i in range(meta.num_row_groups)] == [1000, 1000, 500]
    assert meta.row_group(0).column(0).compression == "ZSTD"
    assert b"created_by" not in (meta.metadata or {})  # no clock, no host in the metadata


def test_held_batches_are_typed_once_to_the_same_bytes(tmp_path: Path, monkeypatch):
    """Batches held in memory (data/table.py): the columns typed while choosing the types
    are the ones written, so each column of each batch is typed once; a column that stops
    reading as its type in a later batch is written as text, as when read twice."""
    from generator.data.table import PublishedTable

    fields = (FieldInfo("id", "integer"), FieldInfo("day", "date"), FieldInfo("n", "number"))
    text = "id,day,n\n" + "".join(f"{i},2026-01-{i % 28 + 1:02d},{i}.5\n" for i in range(3000))
    text += "3000,2026-02-30,1\n"  # the last batch: day no longer reads as a date
    src = tmp_path / "rows.csv"
    src.write_text(text, encoding="utf-8")
    monkeypatch.setattr("generator.data.table.BLOCK_BYTES", 8192)  # several batches
    table = PublishedTable(src, len(fields))
    assert table.held and len(list(table.batches())) > 3
    calls = []
    real = parquet._typed
    monkeypatch.setattr(parquet, "_typed", lambda f, c: calls.append(f.name) or real(f, c))
    write_parquet(src, tmp_path / "held.parquet", fields, table.batches, held=True)
    batches = len(list(table.batches()))
    assert calls.count("id") == batches and calls.count("n") == batches
    calls.clear()
    write_parquet(src, tmp_path / "twice.parquet", fields, table.batches)
    assert calls.count("id") == 2 * batches
    assert (tmp_path / "held.parquet").read_bytes() == (tmp_path / "twice.parquet").read_bytes()
    types = pq.read_table(tmp_path / "held.parquet").schema.types
    assert types == [pa.int64(), pa.string(), pa.float64()]


def test_the_audit_reads_the_values_of_a_parquet_file(tmp_path: Path, monkeypatch):
    """Pages are compressed (zstd, dictionaries): the audit reads the values themselves,
    of every row group and every type, not the file's bytes."""
    monkeypatch.setattr(parquet, "ROW_GROUP_ROWS", 100)
    fields = (FieldInfo("who", "string"), FieldInfo("n", "integer"))
    filler = "".join(f"住户{i % 3},{i}\n" for i in range(150))
    text = "who,n\n" + filler + "欧阳某某住址幸福路12号,1234567890\n"
    path = _write(tmp_path, text, fields, "x.parquet")
    assert pq.ParquetFile(path).metadata.num_row_groups == 2
    pieces = list(_readable(path, "x.parquet"))
    assert {name for name, _piece in pieces} == {"x.parquet"}
    seen = b"\n".join(piece for _name, piece in pieces)
    assert "欧阳某某住址幸福路12号".encode() in seen
    assert b"1234567890" in seen  # an integer column, as its digits
    assert b"who" in seen


@pytest.mark.parametrize("in_arrow", [False, True])
def test_the_audit_reads_every_value_of_a_long_column(tmp_path: Path, monkeypatch, in_arrow: bool):
    """Columns of at least JOIN_IN_ARROW values are joined by Arrow instead of as Python
    strings: every value is still read, in the last row group and the last row too, with
    empty cells between them, and the pieces are those of the Python join."""
    monkeypatch.setattr(parquet, "ROW_GROUP_ROWS", 700)
    monkeypatch.setattr(audit_files, "JOIN_IN_ARROW", 1 if in_arrow else 10**9)
    fields = (FieldInfo("who", "string"), FieldInfo("n", "integer"), FieldInfo("day", "date"))
    rows = [f"住户{i % 7},{i if i % 5 else ''},2024-01-{i % 28 + 1:02d}\n" for i in range(1500)]
    text = "who,n,day\n" + "".join(rows) + "欧阳某某住址幸福路12号,1234567890,2024-02-29\n"
    path = _write(tmp_path, text, fields, "long.parquet")
    assert pq.ParquetFile(path).metadata.num_row_groups == 3
    pieces = [piece for _name, piece in _readable(path, "long.parquet")]
    seen = b"\n".join(pieces)
    assert "欧阳某某住址幸福路12号".encode() in seen
    assert b"\n1234567890" in seen and b"2024-02-29" in seen
    table = pq.read_table(path)
    expected = []
    for group in range(3):
        part = pq.ParquetFile(path).read_row_group(group)
        for column in part.columns:
            expected.append("\n".join("" if v is None else str(v) for v in column.to_pylist()))
    assert [p.decode("utf-8") for p in pieces[1:]] == expected
    assert table.num_rows == 1501


def test_arrow_joins_like_python_on_chunked_and_empty_columns(monkeypatch):
    monkeypatch.setattr(audit_files, "JOIN_IN_ARROW", 1)
    for chunks in ([["甲", "", "乙丙"], ["x" * 300]], [[]], [["", ""]], [["a"], [], ["b", "c"]]):
        column = pa.chunked_array(chunks, type=pa.string())
        assert audit_files._joined(column) == "\n".join(column.to_pylist()).encode()


# cells whose typing is decided at the edges: calendar, years before 1000, overflow, signs
EDGE_COLUMNS = [
    ("integer", ["1", "", "-7", "007"]),
    ("integer", ["1", "9223372036854775808"]),
    ("integer", ["1", "+2"]),
    ("integer", ["1", "١٢"]),  # Arabic-Indic digits: Python's \d, not [0-9]
    ("year", ["2026", "", "0999"]),
    ("number", ["1.5", "", "-0", "1e5", "2E-3", "0.10"]),
    ("number", ["1.5", ".5"]),
    ("number", ["1.5", "NaN"]),
    ("number", ["1.5", "01"]),
    ("date", ["2026-01-31", "", "2024-02-29"]),
    ("date", ["2026-01-31", "2026-02-30"]),
    ("date", ["2026-01-31", "2023-02-29"]),
    ("date", ["0999-12-31", "1000-01-01"]),
    ("date", ["0000-01-01"]),
    ("date", ["0001-01-01"]),
    ("date", ["2026-13-01"]),
    ("date", ["2026-1-01"]),
    ("datetime", ["2026-01-31T23:59:59", "", "2024-02-29T00:00:00"]),
    ("datetime", ["2026-01-31T24:00:00"]),
    ("datetime", ["2026-01-31T23:59:60"]),
    ("datetime", ["0100-01-31T10:00:00"]),
    ("datetime", ["2026-01-31 10:00:00"]),
    ("string", ["a", "", "b"]),
    ("string", ["a", "b"]),
]


def _typed_or_error(field: FieldInfo, column: pa.Array) -> object:
    try:
        typed = parquet._typed(field, column)
    except (ValueError, pa.ArrowInvalid) as exc:
        return type(exc).__name__
    if typed.type == pa.date32():  # year 0 is a date to arrow, not to Python
        return typed.type, typed.view(pa.int32()).to_pylist()
    if pa.types.is_timestamp(typed.type):
        return typed.type, typed.view(pa.int64()).to_pylist()
    return typed.type, typed.to_pylist()


@pytest.mark.parametrize(("kind", "cells"), EDGE_COLUMNS)
def test_a_short_column_is_typed_as_a_long_one_is(kind: str, cells: list[str], monkeypatch):
    """Short columns are matched by Python's re and their dates checked by Python's
    calendar; long ones by arrow (its regular expressions, and each date written back).
    Both give the same column, or both refuse it."""
    field = FieldInfo("c", kind)
    column = pa.array(cells, pa.string())
    short = _typed_or_error(field, column)
    monkeypatch.setattr(parquet, "SHORT_COLUMN", 0)  # every column the long way
    assert _typed_or_error(field, column) == short
    long_column = pa.array(cells * 200, pa.string())  # long enough for arrow anyway
    expected = _typed_or_error(field, long_column)
    monkeypatch.setattr(parquet, "SHORT_COLUMN", 10**6)
    assert _typed_or_error(field, long_column) == expected


def test_a_short_table_is_the_same_parquet_both_ways(tmp_path: Path, monkeypatch):
    """Held in memory and written there first, or streamed to the file; short columns
    typed by Python or by arrow: the same bytes."""
    from generator.data.table import PublishedTable

    fields = (
        FieldInfo("id", "integer"),
        FieldInfo("day", "date", title="日期"),
        FieldInfo("at", "datetime"),
        FieldInfo("n", "number"),
        FieldInfo("name", "string"),
    )
    text = "id,day,at,n,name\n" + "".join(
        f"{i},2026-01-{i % 28 + 1:02d},2026-01-01T10:00:{i:02d},{i}.5,{'' if i % 3 else '名'}\n"
        for i in range(30)
    )
    src = tmp_path / "rows.csv"
    src.write_text(text, encoding="utf-8")
    table = PublishedTable(src, len(fields))
    write_parquet(src, tmp_path / "held.parquet", fields, table.batches, held=True)
    monkeypatch.setattr(parquet, "SHORT_COLUMN", 0)
    write_parquet(src, tmp_path / "streamed.parquet", fields)
    assert (tmp_path / "held.parquet").read_bytes() == (tmp_path / "streamed.parquet").read_bytes()
    types = pq.read_table(tmp_path / "held.parquet").schema.types
    assert types == [pa.int64(), pa.date32(), pa.timestamp("ms"), pa.float64(), pa.string()]
