"""The vectorised validator must find exactly what frictionless finds.

Every test runs both on the same file and compares (type, row, field, note) of each
error, in order, and the row count; the fuzz test does so on generated broken files.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from pathlib import Path

import pytest
from frictionless import Resource, Schema
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.catalog.dialect import DEFAULT as DEFAULT_DIALECT
from generator.checks import fastcheck
from generator.checks.fastcheck import Unsupported, validate_csv

SCHEMA = {
    "fields": [
        {"name": "id", "type": "integer", "constraints": {"unique": True, "minimum": 1}},
        {
            "name": "name",
            "type": "string",
            "constraints": {
                "required": True,
                "maxLength": 5,
                "minLength": 1,
                "pattern": "[a-z]*",
                "enum": ["ab", "abc", "x", "zz", "b"],
            },
        },
        {"name": "v", "type": "number", "constraints": {"maximum": 100, "minimum": -5}},
        {"name": "d", "type": "date", "constraints": {"minimum": "2020-01-01"}},
        {"name": "b", "type": "boolean"},
        {"name": "y", "type": "year", "constraints": {"maximum": 2030}},
        {"name": "code", "type": "string", "constraints": {"unique": True}},
        {"name": "t", "type": "time"},
    ],
    "primaryKey": ["id", "name"],
    "missingValues": ["", "NA"],
}


def findings(errors) -> list[tuple]:
    return [
        (e.type, getattr(e, "row_number", None), getattr(e, "field_name", None), e.note)
        for e in errors
    ]


def reference(path: Path, schema: dict, encoding: str = "utf-8") -> tuple[int, list[tuple]]:
    """frictionless on the whole file, every error (validate.py counts them all)."""
    resource = Resource(
        path=path.name,
        basepath=str(path.parent),
        schema=Schema.from_descriptor(schema),
        format="csv",
        encoding=encoding,
        dialect=DEFAULT_DIALECT.frictionless(),  # as validate.py: declared, never guessed
    )
    task = resource.validate(limit_errors=0).tasks[0]
    return task.stats.get("rows") or 0, findings(task.errors)  # None when there are no rows


def fast(path: Path, schema: dict, encoding: str = "utf-8") -> tuple[int, list[tuple]]:
    report = validate_csv(path, Schema.from_descriptor(schema), encoding, keep=10**9)
    assert report.total == len(report.errors)
    return report.rows, findings(report.errors)


def assert_same(path: Path, schema: dict = SCHEMA, encoding: str = "utf-8") -> list[tuple]:
    expected = reference(path, schema, encoding)
    assert fast(path, schema, encoding) == expected
    return expected[1]


BROKEN = (
    "id,name,v,d,b,y,code,t\n"
    "1,ab,1.5,2020-01-02,true,2020,A1,10:00:00\n"
    "2,abc,101,2019-12-31,maybe,20x0,A2,25:00:00\n"
    "\n"
    "3,,x,2021-02-30,1,1999,A3,\n"
    "1,ab,3,2020-1-5,0,2000,A1,\n"
    " 4 ,ABCDEFG,-0,2020-05-05,TRUE,0000,A5,\n"
    "5,x,1e2\n"
    "6,zz,1,2020-01-01,false,2001,A6,,extra\n"
    "01,ab,NA,,,,A7,\n"
    ",,,,,,,\n"
    '7,"a\nb",1.0,2020-01-01,true,2000,A8,\n'
    "8,x,NaN,2020-02-29,true,2031,A8,\n"
    '9,b,+7,2021-02-29,False,2000,"A,9",\n'
    "99999999999999999999,b,0.1234567890123456789,2024-02-29,0,1000,A10,\n"
)


def test_many_error_kinds_match(tmp_path: Path):
    path = tmp_path / "broken.csv"
    path.write_text(BROKEN, encoding="utf-8")
    found = assert_same(path)
    kinds = {f[0] for f in found}
    assert kinds >= {
        "type-error",
        "constraint-error",
        "blank-row",
        "missing-cell",
        "extra-cell",
        "unique-error",
        "primary-key",
    }
    assert ("unique-error", 6, "id", "the same as in the row at position 2") in found


def test_counts_every_error_and_keeps_the_first(tmp_path: Path):
    path = tmp_path / "many.csv"
    rows = ["id,name,v,d,b,y,code,t"]
    rows += [f"{i % 700 + 1},ab,{i},bad-date,true,2000,C{i % 900},x" for i in range(3000)]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    found = assert_same(path)
    assert len(found) > 8000
    report = validate_csv(path, Schema.from_descriptor(SCHEMA), keep=20)
    assert findings(report.errors) == found[:20]
    assert report.by_type == Counter(f[0] for f in found)
    assert report.rows == 3000


def test_batches_and_malformed_rows_across_batch_edges(tmp_path: Path, monkeypatch):
    monkeypatch.setattr(fastcheck, "BLOCK_BYTES", 256)
    lines = ["id,name,v,d,b,y,code,t"]
    for i in range(1, 400):
        if i % 37 == 0:
            lines.append(f"{i},ab")  # too few cells
        elif i % 41 == 0:
            lines.append("")
        elif i % 53 == 0:
            lines.append(f'{i},"x\ny",1,2020-01-01,true,2000,Q{i},,more')
        else:
            lines.append(f"{i},x,{i % 120},2020-03-01,true,2000,Q{i % 350},")
    path = tmp_path / "edges.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert len(assert_same(path)) > 20


def test_gb18030_and_bom(tmp_path: Path):
    text = (
        "id,name,v,d,b,y,code,t\n1,x,1,2020-01-01,true,2000,北京,\n2,x,1,2020-01-01,是,2000,北京,\n"
    )
    gb = tmp_path / "gb.csv"
    gb.write_bytes(text.encode("gb18030"))
    assert assert_same(gb, encoding="gb18030")
    bom = tmp_path / "bom.csv"
    bom.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    assert assert_same(bom)


def test_what_it_does_not_model_is_refused(tmp_path: Path):
    path = tmp_path / "fk.csv"
    path.write_text("id,parent\n1,\n2,1\n", encoding="utf-8")
    schema = {
        "fields": [{"name": "id", "type": "integer"}, {"name": "parent", "type": "integer"}],
        "foreignKeys": [{"fields": ["parent"], "reference": {"resource": "", "fields": ["id"]}}],
    }
    with pytest.raises(Unsupported):
        validate_csv(path, Schema.from_descriptor(schema))
    wrong_header = tmp_path / "header.csv"
    wrong_header.write_text("id\n1\n", encoding="utf-8")
    with pytest.raises(Unsupported):
        validate_csv(wrong_header, Schema.from_descriptor(schema))


# -- fuzz: broken files generated from cells that sit on each rule's edge ---------------

CELLS = {
    "id": [
        "1",
        "2",
        "3",
        "01",
        " 2",
        "+3",
        "0",
        "-1",
        "x",
        "",
        "NA",
        "1.0",
        "99999999999999999999",
    ],
    "name": ["ab", "abc", "x", "b", "zz", "", "AB", "a b", "abcdef", "NA", "é"],
    "v": ["1", "1.5", "-0", "100", "100.0", "101", "-5", "-6", "1e2", "NaN", "", "x", ".5", "7."],
    "d": ["2020-01-01", "2019-12-31", "2020-02-29", "2021-02-29", "2020-1-5", "", "0999-01-01"],
    "b": ["true", "false", "TRUE", "1", "0", "yes", "", "NA"],
    "y": ["2000", "2031", "0000", "999", "20x0", "", "2030"],
    "code": ["A", "B", "C", "A,B", 'q"q', "", "line\nbreak", "北京"],
    "t": ["10:00:00", "25:00:00", "", "x"],
}
NAMES = [f["name"] for f in SCHEMA["fields"]]


@st.composite
def broken_csv(draw) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(NAMES)
    for _ in range(draw(st.integers(0, 25))):
        shape = draw(st.sampled_from(["row"] * 8 + ["short", "long", "empty"]))
        if shape == "empty":
            out.write("\n")
            continue
        row = [draw(st.sampled_from(CELLS[name])) for name in NAMES]
        if shape == "short":
            row = row[: draw(st.integers(1, len(NAMES) - 1))]
        elif shape == "long":
            row += ["extra"] * draw(st.integers(1, 2))
        writer.writerow(row)
    return out.getvalue()


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=broken_csv())
def test_fuzz_same_findings_as_frictionless(tmp_path: Path, text: str):
    assert_same_findings(tmp_path / "fuzz.csv", text, SCHEMA)


def assert_same_findings(path: Path, text: str, schema: dict) -> None:
    """The fast path finds what frictionless finds in ``text`` read with ``schema``."""
    path.write_text(text, encoding="utf-8")
    try:
        expected = reference(path, schema)
        got = fast(path, schema)
    except Unsupported:
        return  # refusing is always allowed: the caller then asks frictionless
    assert got == expected


def test_catalog_problems_are_the_same_on_both_paths(catalog, monkeypatch):
    from generator.catalog.loader import load_catalog
    from generator.checks import findings, validate

    fields = """\
        - {name: line_id, type: string, title: 线路编号, constraints: {unique: true}}
        - {name: stops, type: integer, title: 站点数, constraints: {minimum: 1}}
"""
    catalog.dataset("bus-lines", csv_text="line_id,stops\nL1,3\nL1,0\n\nL3,x,9\n", fields=fields)
    cat, problems = load_catalog(catalog.root)
    assert cat is not None and not problems.errors
    ds = cat.datasets[0]
    monkeypatch.setattr(findings, "FAST_PATH_MIN_BYTES", 1 << 40)
    slow = validate.validate_dataset(cat, ds)
    monkeypatch.setattr(findings, "FAST_PATH_MIN_BYTES", 0)
    quick = validate.validate_dataset(cat, ds)
    assert [p.as_dict() for p in quick.problems] == [p.as_dict() for p in slow.problems]
    assert {p.code for p in quick.problems} == {
        "data-unique-error",
        "data-constraint-error",
        "data-blank-row",
        "data-extra-cell",
        "data-type-error",
    }
    assert quick.rows == slow.rows == 4


# -- header errors: frictionless's Header judges the labels the column-wise path reads --------

HEADER_SCHEMA = {
    "fields": [
        {"name": "id", "type": "integer"},
        {"name": "name", "type": "string"},
        {"name": "v", "type": "number"},
    ]
}


@pytest.mark.parametrize(
    ("header", "handled"),
    [
        ("id,name,v", True),
        (" id , name ,v", True),  # labels are stripped
        ("ID,name,v", True),  # incorrect-label
        ("id,,v", True),  # blank-label
        ("id,id,v", True),  # duplicate-label
        ("id,name,value", True),
        ('"id","na\nme",v', False),  # a line break in a label: pyarrow skips a line
        ("\ufeffid,name,v", True),  # a byte-order mark
        ("id,name", False),  # a missing label: frictionless drops the field
        ("id,name,v,w", False),  # an extra label
    ],
)
def test_header_errors_match_frictionless(tmp_path: Path, header: str, handled: bool):
    path = tmp_path / "header.csv"
    path.write_text(header + "\n1,a,1.5\n2,b,x\n1,c,2\n", encoding="utf-8")
    expected = reference(path, HEADER_SCHEMA)
    try:
        got = fast(path, HEADER_SCHEMA)
    except Unsupported:
        assert not handled, "the column-wise path should read this header"
        return
    assert handled
    assert got == expected


@settings(max_examples=300, deadline=None)
@given(
    names=st.lists(st.sampled_from(["id", "ID", "name", "v", "", "名称"]), min_size=1, max_size=4),
    labels=st.lists(st.sampled_from(["id", "ID", "name", "v", "", "名称"]), max_size=5),
    match=st.sampled_from([None, "exact", "equal", "subset", "superset", "partial"]),
)
def test_a_header_taken_as_the_schema_is_one_frictionless_finds_no_error_in(
    names: list[str], labels: list[str], match: str | None
):
    """csvhead skips frictionless's Header when the labels are the field names; for every
    header it skips, the Header finds no error and expects the schema's fields."""
    from frictionless.table import Header

    from generator.checks.csvhead import Head, read_head

    descriptor: dict = {"fields": [{"name": n, "type": "string"} for n in names]}
    if match is not None:
        descriptor["fieldsMatch"] = match
    try:
        schema = Schema.from_descriptor(descriptor)
    except Exception:  # frictionless refuses the schema itself: nothing to compare
        return
    text = ",".join(labels) + "\nx\n"
    try:
        head = read_head(io.BytesIO(text.encode()), schema, "utf-8", csv.excel)
    except Exception:
        head = None
    try:
        header = Header(
            labels, fields=schema.fields, row_numbers=[1], fields_match=match or "exact"
        )
        reference_errors = [(e.type, e.field_number) for e in header.errors]
        expected = [f.name for f in header.get_expected_fields()]
    except Exception:
        reference_errors, expected = None, None
    if isinstance(head, Head) and not head.header_errors:
        assert reference_errors == []
        assert expected == names
    elif isinstance(head, Head):
        assert [(e.type, e.field_number) for e in head.header_errors] == reference_errors


def test_a_rows_key_fields_are_read_first_as_frictionless_reads_them(tmp_path: Path):
    """frictionless reads the unique, then the primary-key fields of a row before the
    others, so their cell errors come first in the row, whatever their position."""
    schema = {
        "fields": [
            {"name": "v", "type": "number"},
            {"name": "n", "type": "integer"},
            {"name": "code", "type": "integer", "constraints": {"unique": True, "maximum": 9}},
        ],
        "primaryKey": ["n"],
    }
    path = tmp_path / "order.csv"
    path.write_text("v,n,code\nx,y,z\nx,1,10\n1,2,3\nx,,5,extra\n", encoding="utf-8")
    expected = reference(path, schema)
    assert [f[2] for f in expected[1][:3]] == ["code", "n", "v"]
    assert fast(path, schema) == expected


def test_a_repeated_unique_value_makes_frictionless_read_the_rest_of_the_row(tmp_path: Path):
    schema = {
        "fields": [
            {"name": "v", "type": "number"},
            {"name": "a", "type": "integer", "constraints": {"unique": True}},
            {"name": "b", "type": "integer", "constraints": {"unique": True, "maximum": 5}},
        ],
    }
    path = tmp_path / "unique.csv"
    path.write_text("v,a,b\n1,1,1\nx,1,9\nx,2,8\n", encoding="utf-8")
    expected = reference(path, schema)
    assert [f[:3] for f in expected[1]] == [
        ("type-error", 3, "v"),  # a repeats: the whole row is read, in schema order
        ("constraint-error", 3, "b"),
        ("unique-error", 3, "a"),
        ("constraint-error", 4, "b"),  # nothing repeats: the unique fields are read first
        ("type-error", 4, "v"),
    ]
    assert fast(path, schema) == expected


# the same cells with the keys on later fields: a row's errors come in frictionless's
# reading order (keys first, the whole row on a row-level error), not the schema's
LATE_KEYS = {
    **SCHEMA,
    "fields": [
        {**f, "constraints": {**f.get("constraints", {}), "unique": True}}
        if f["name"] == "y"
        else {
            **f,
            "constraints": {k: v for k, v in f.get("constraints", {}).items() if k != "unique"},
        }
        for f in SCHEMA["fields"]
    ],
    "primaryKey": ["d", "b"],
}


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=broken_csv())
def test_fuzz_keys_on_later_fields(tmp_path: Path, text: str):
    assert_same_findings(tmp_path / "late.csv", text, LATE_KEYS)
