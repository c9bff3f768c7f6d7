"""The derive stage's shortcuts give what the longer way gave.

The cheap checks that decide whether a slower regular expression must run give the same
answer as that expression: a check that said "nothing here" wrongly would publish a
formula-like cell without its ' (Excel CSV), an illegal XML character (XLSX) or a raw
control character (JSON). A summary's most frequent values are those of a full sort."""

from __future__ import annotations

import pyarrow as pa
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from generator.data import downloads, fastderive, fastjson, fastxlsx
from generator.data.fastderive import _text_buffer, may_hold_controls

from .test_fastderive import FIELDS  # the same five fields of every type

# bytes that matter to the expressions, and a few that do not
ALPHABET = list(b',\n=@\t+-.eE0123456789 ax"\r\x00\x08\x0b\x1f') + [0xEF, 0xBC, 0xBF, 0xBE]
ALPHABET += [0x9D, 0x8B, 0x8D, 0xA0, 0xE5, 0x8C, 0x97]
TEXT = st.lists(st.sampled_from(ALPHABET), max_size=40).map(bytes)


@settings(max_examples=400, deadline=None)
@given(TEXT, st.integers(min_value=0, max_value=45))
@example(b"=1", 2)
@example(b"a,+x\n", 5)
@example(b"a,-1,b", 6)
@example(b"a\n-1e", 5)
@example(b"a\n\xef\xbc\x9d", 5)
@example(b"a,b\n@", 4)  # the last cell: its first byte at end - 1
@example(b"a,b\n@", 3)  # ... and beyond end
def test_formula_cells_found_as_the_expression_finds_them(data, end):
    end = min(end, len(data))
    expected = downloads._FORMULA_BYTES.search(data, 0, end) is not None
    least = downloads._FORMULA_NUMPY_FROM
    downloads._FORMULA_NUMPY_FROM = 1  # the numpy scan for these short texts too
    try:
        assert downloads._formula_cell(data, end) == expected
    finally:
        downloads._FORMULA_NUMPY_FROM = least


def test_formula_cell_before_the_end_only():
    assert downloads._FORMULA_NUMPY_FROM > 16  # these go through the expression ...
    long = b"1,2\n" * (downloads._FORMULA_NUMPY_FROM // 4)  # ... this through numpy
    assert not downloads._formula_cell(long, len(long))
    assert downloads._formula_cell(long + b"3,@x\n", len(long) + 5)
    assert downloads._formula_cell(b"=x" + long, len(long) + 2)
    assert downloads._formula_cell(b"1,=x", 4)
    assert not downloads._formula_cell(b"1,=x", 2)  # the cell starts at the end
    assert not downloads._formula_cell(b"", 0)
    assert downloads._formula_cell(b"\t", 1)
    assert not downloads._formula_cell(b"-12.5,+3\n", 9)  # numbers stay as they are


def _buffer(values: list[str]) -> memoryview:
    return _text_buffer(pa.array(values, pa.string()))


TEXTS = st.lists(
    st.text(alphabet=st.sampled_from(list('a北 \t\n\r\x00\x07\x08\x0b\x0c\x1f&<>"\\\ufffe\uffff')))
)


@settings(max_examples=300, deadline=None)
@given(TEXTS)
def test_control_check_never_hides_a_control(values):
    data = _buffer(values)
    if fastjson._RARE_BYTES.search(data) or fastxlsx._ILLEGAL_BYTES.search(
        data.tobytes().replace(b"\xef\xbf", b"")
    ):
        assert may_hold_controls(data)
    assert may_hold_controls(data) == any(ch < " " for value in values for ch in value)


@settings(max_examples=300, deadline=None)
@given(TEXTS)
def test_json_strings_and_xlsx_cells_as_before(values):
    """The column writers give what they gave with only the expressions: json.dumps's text
    for each value; the XLSX cell with illegal characters dropped and XML escaped."""
    import json

    column = pa.array(values, pa.string())
    try:
        strings = fastjson._string(column).to_pylist()
    except fastjson.Unsupported:
        assert fastjson._RARE_BYTES.search(_buffer(values))
    else:
        assert strings == [json.dumps(v, ensure_ascii=False) for v in values]
    refs = pa.array([str(i) for i in range(len(values))], pa.string())
    cells = fastxlsx._text_cells(column, '<c r="A', refs).to_pylist()
    for value, cell in zip(values, cells, strict=True):
        if value == "":
            assert cell is None
            continue
        text = fastxlsx.re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]", "", value)
        escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        assert f">{escaped}</t></is></c>" in cell


@settings(max_examples=300, deadline=None)
@given(
    st.dictionaries(st.text(alphabet="ab北0", max_size=3), st.integers(1, 4), max_size=30),
    st.integers(1, 7),
)
def test_top_values_as_a_full_sort(counts, k):
    """derive.top_values gives the first k of every value sorted by count, then value."""
    from collections import Counter

    from generator.data.derive import top_values

    expected = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:k]
    assert top_values(Counter(counts), k) == expected


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(alphabet='a北,\n"', max_size=4), max_size=12), st.data())
def test_text_buffer_of_string_slices(values, data):
    """_text_buffer reads a string array's 32-bit offsets, of a slice too, and gives the
    values end to end, as for a large_string array."""
    column = pa.array(values, pa.string())
    start = data.draw(st.integers(0, len(values)))
    stop = data.draw(st.integers(start, len(values)))
    part = column.slice(start, stop - start)
    expected = "".join(values[start:stop]).encode("utf-8")
    assert bytes(_text_buffer(part)) == expected
    assert bytes(_text_buffer(part.cast(pa.large_string()))) == expected


NUMBERISH = st.sampled_from(
    ["", "0", "-0", "12", "007", "1.50", "-3.25", "1e3", "2024-02-30", "2024-01-05", "x", "true"]
    + ["False", "1", "99999999999999999", "0.0001", "北京", 'a"b', "1.0", "  7"]
)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(NUMBERISH, min_size=2, max_size=30),
    st.sampled_from(["integer", "number", "year", "date", "boolean", "string", "datetime"]),
)
def test_converted_once_per_distinct_value(values, kind):
    """by_distinct gives each writer's conversion of the whole column (or its error), for
    the XLSX cells, the JSON values and the Parquet types."""
    from functools import partial

    from generator.data import parquet
    from generator.data.fastderive import by_distinct
    from generator.model import FieldInfo

    field = FieldInfo(name="f", title="", type=kind, raw={"name": "f", "type": kind})
    column = pa.array(values, pa.string())
    converts = [partial(fastjson._values, field), partial(parquet._typed, field)]
    if kind in fastxlsx.TYPED:
        converts.append(partial(fastxlsx._typed_cells, field))
    for convert in converts:
        try:
            expected = convert(column)
        except (ValueError, pa.ArrowInvalid, fastjson.Unsupported) as exc:
            expected = type(exc)
        least = fastderive.DISTINCT_MIN_ROWS
        fastderive.DISTINCT_MIN_ROWS = 2  # short columns too, here
        try:
            got = by_distinct(convert, column)
        except (ValueError, pa.ArrowInvalid, fastjson.Unsupported) as exc:
            got = type(exc)
        finally:
            fastderive.DISTINCT_MIN_ROWS = least
        if isinstance(expected, type):
            assert got is expected
        else:
            assert got.equals(expected), (convert, values)


def test_the_writers_of_a_held_table_share_each_columns_encoding(monkeypatch):
    """Inside shared_encodings a column is dictionary-encoded once for every writer; a
    slice of it, with other values, is encoded on its own; outside, nothing is kept."""
    import pyarrow.compute as pc

    from generator.data.fastderive import by_distinct, shared_encodings

    encoded = []
    real = pc.dictionary_encode
    monkeypatch.setattr(fastderive.pc, "dictionary_encode", lambda c: encoded.append(1) or real(c))
    batch = pa.RecordBatch.from_arrays([pa.array([str(i % 7) for i in range(400)])], ["c0"])
    as_int = lambda c: pc.cast(c, pa.int64())  # noqa: E731
    as_len = pc.utf8_length
    with shared_encodings():
        first = by_distinct(as_int, batch.column(0))
        second = by_distinct(as_len, batch.column(0))  # another writer, another wrapper
        assert len(encoded) == 1
        tail = by_distinct(as_int, batch.column(0).slice(150))
        assert len(encoded) == 2
    assert first.equals(as_int(batch.column(0))) and second.equals(as_len(batch.column(0)))
    assert tail.equals(as_int(batch.column(0).slice(150)))
    assert fastderive._SHARED is None
    by_distinct(as_int, batch.column(0))
    assert len(encoded) == 3


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.sampled_from(["", "北京", " a", "a&b<c>", "x\x01y", "\u3000z", "q"]), max_size=30)
)
def test_xlsx_text_cells_of_repeated_values(values):
    """A text column's cells made once per distinct value are the cells made per value."""
    column = pa.array(values, pa.string())
    refs = pa.array([str(i + 2) for i in range(len(values))], pa.string())
    share, least = fastxlsx.DISTINCT_SHARE, fastxlsx.DISTINCT_MIN_ROWS
    try:
        fastxlsx.DISTINCT_MIN_ROWS = 2  # short columns too, here
        once = fastxlsx._text_cells(column, '<c r="B', refs)
        fastxlsx.DISTINCT_SHARE = -1.0  # never by distinct values
        each = fastxlsx._text_cells(column, '<c r="B', refs)
    finally:
        fastxlsx.DISTINCT_SHARE, fastxlsx.DISTINCT_MIN_ROWS = share, least
    assert once.equals(each)


ONE_FIELD = "- {name: note, type: string, title: 备注}\n"


@pytest.mark.parametrize("fields", ["five", "one"])
def test_row_loop_columns_are_the_parsed_csv(catalog, tmp_path, fields):
    """The columns the row loop hands to the downloads are the strings pyarrow parses
    from the CSV it wrote: quotes, commas, CR, LF and CRLF inside values, empty values,
    a row of one empty field, Chinese text."""
    import csv
    import io

    from generator.catalog.loader import load_catalog
    from generator.data import derive
    from generator.data.table import read_batches

    notes = ["plain", "has,comma", 'has "quote"', "two\nlines", "cr\rhere", "crlf\r\nx", "", "北京"]
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    if fields == "one":
        writer.writerow(["note"])
        writer.writerows([[n] for n in notes * 3])
        schema = ONE_FIELD
    else:
        writer.writerow(["day", "note", "extra", "code", "count", "amount"])
        for i, note in enumerate(notes * 3):
            writer.writerow([f"2024-01-1{i % 10}", note, "x", f"C{i}", str(i - 3), ""])
        schema = FIELDS
    catalog.dataset("short", csv_text=buf.getvalue(), fields=schema)
    cat, _ = load_catalog(catalog.root)
    ds = cat.datasets[0]
    res = ds.resources[0]
    keep: list = []
    target = tmp_path / "short.csv"
    count, _, _ = derive.write_published_csv(ds, res, target, None, keep)
    assert len(keep) == 1  # a short table: the row loop, which kept its columns
    (parsed,) = list(read_batches(target, len(res.fields)))
    assert count == parsed.num_rows >= len(notes) * 3
    assert [c.to_pylist() for c in keep[0]] == [c.to_pylist() for c in parsed.columns]
    assert all(c.type == pa.string() for c in keep[0])
