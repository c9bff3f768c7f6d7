"""Foreign keys checked column by column (generator/checks/foreignkeys.py) find exactly
what frictionless finds with the same resources in a package: the same errors, rows,
notes and order, on hand-made and generated files."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from frictionless import Package, Resource, Schema
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.catalog.dialect import DEFAULT as DEFAULT_DIALECT
from generator.catalog.loader import load_catalog
from generator.checks import findings as findings_module
from generator.checks.fastcheck import _Table, validate_csv
from generator.checks.foreignkeys import ForeignKey, as_list, reference_keys

from .test_fastcheck import findings

PARENT = {
    "fields": [
        {"name": "code", "type": "integer"},
        {"name": "part", "type": "string"},
        {"name": "size", "type": "number"},
    ],
    "missingValues": ["", "NA"],
}
CHILD = {
    "fields": [
        {"name": "id", "type": "integer"},
        {"name": "code", "type": "integer"},
        {"name": "part", "type": "string"},
        {"name": "size", "type": "number"},
    ],
    "missingValues": ["", "NA"],
    "primaryKey": ["id"],
}


def reference(tmp_path: Path, child: dict, parent_text: str, child_text: str) -> list[tuple]:
    (tmp_path / "parent.csv").write_text(parent_text, encoding="utf-8")
    (tmp_path / "child.csv").write_text(child_text, encoding="utf-8")
    dialect = DEFAULT_DIALECT.frictionless()
    package = Package(
        resources=[
            Resource(
                name="parent",
                path="parent.csv",
                schema=Schema.from_descriptor(PARENT),
                format="csv",
                encoding="utf-8",
                dialect=dialect,
            ),
            Resource(
                name="child",
                path="child.csv",
                schema=Schema.from_descriptor(child),
                format="csv",
                encoding="utf-8",
                dialect=DEFAULT_DIALECT.frictionless(),
            ),
        ],
        basepath=str(tmp_path),
    )
    task = package.get_resource("child").validate(limit_errors=0).tasks[0]
    return findings(task.errors)


def columnar(tmp_path: Path, child: dict) -> list[tuple]:
    schema = Schema.from_descriptor(child)
    keys: list[ForeignKey] = []
    index = {f.name: i for i, f in enumerate(schema.fields)}
    for fk in schema.foreign_keys:
        name = fk["reference"]["resource"]
        fields = as_list(fk["reference"]["fields"])
        if name:
            path, referenced = tmp_path / "parent.csv", Schema.from_descriptor(PARENT)
        else:
            path, referenced = tmp_path / "child.csv", schema.to_copy()
            referenced.foreign_keys = []
        with open(path, "rb") as handle:
            lookup = reference_keys(_Table(handle, referenced, "utf-8", 0, DEFAULT_DIALECT), fields)
        names = as_list(fk["fields"])
        keys.append(ForeignKey([index[n] for n in names], names, name, fields, lookup))
    report = validate_csv(tmp_path / "child.csv", schema, keep=10**9, foreign=keys)
    assert report.total == len(report.errors)
    return findings(report.errors)


def with_keys(*keys: tuple[list[str], str, list[str]]) -> dict:
    return {
        **CHILD,
        "foreignKeys": [
            {"fields": fields, "reference": {"resource": resource, "fields": ref}}
            for fields, resource, ref in keys
        ],
    }


PARENT_TEXT = "code,part,size\n1,a,1.5\n2,b,2\n3,,3.0\nx,c,4\n,d,\n7,e\n"
CHILD_TEXT = (
    "id,code,part,size\n"
    "1,1,a,1.5\n"  # found
    "2,15,a,1\n"  # 15 is no code, no id
    "3,,z,\n"  # the code is missing: not looked up
    "4,01,b,2.0\n"  # 01 is the integer 1
    "5,x,a,1\n"  # a type error is None: (None,) is not looked up
    "6,2\n"  # too few cells
    "7,3,c,3,extra\n"
    "\n"
    "8,NA,NA,NA\n"
    "9,7,e,\n"
)


@pytest.mark.parametrize(
    "keys",
    [
        [(["code"], "parent", ["code"])],
        [(["part"], "parent", ["part"])],
        [(["code", "part"], "parent", ["code", "part"])],  # a key over two fields
        [(["size"], "parent", ["size"])],  # numbers: 2 equals 2.0
        [(["code"], "parent", ["size"])],  # an integer looked up among numbers
        [(["code"], "", ["id"])],  # the resource itself
        [(["code"], "parent", ["code"]), (["part"], "parent", ["part"])],
    ],
)
def test_foreign_keys_match_frictionless(tmp_path: Path, keys):
    child = with_keys(*keys)
    expected = reference(tmp_path, child, PARENT_TEXT, CHILD_TEXT)
    assert any(f[0] == "foreign-key" for f in expected)
    assert columnar(tmp_path, child) == expected


def test_the_error_names_the_values_and_the_lookup_table(tmp_path: Path):
    child = with_keys((["code", "part"], "parent", ["code", "part"]))
    found = [f for f in columnar_after_reference(tmp_path, child) if f[0] == "foreign-key"]
    assert found[0] == (
        "foreign-key",
        3,
        None,
        'for "code, part": values "15, a" not found in the lookup table "parent" as "code, part"',
    )


def columnar_after_reference(tmp_path: Path, child: dict) -> list[tuple]:
    expected = reference(tmp_path, child, PARENT_TEXT, CHILD_TEXT)
    got = columnar(tmp_path, child)
    assert got == expected
    return got


CODES = ["1", "2", "3", "01", "1.0", "x", "", "NA", "9", " 2"]
PARTS = ["a", "b", "c", "", "NA", "A", "a b"]
SIZES = ["1", "1.5", "2", "2.0", "-0", "0", "", "x", "1e0"]


def _table(draw, header: list[str], columns: list[list[str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for _ in range(draw(st.integers(0, 12))):
        shape = draw(st.sampled_from(["row"] * 6 + ["short", "long", "empty"]))
        if shape == "empty":
            out.write("\n")
            continue
        row = [draw(st.sampled_from(values)) for values in columns]
        if shape == "short":
            row = row[: draw(st.integers(1, len(row) - 1))]
        elif shape == "long":
            row.append("extra")
        writer.writerow(row)
    return out.getvalue()


@st.composite
def two_tables(draw) -> tuple[str, str, list]:
    parent = _table(draw, ["code", "part", "size"], [CODES, PARTS, SIZES])
    ids = [str(i) for i in range(1, 6)]
    child = _table(draw, ["id", "code", "part", "size"], [ids, CODES, PARTS, SIZES])
    pairs = [
        (["code"], "parent", ["code"]),
        (["part"], "parent", ["part"]),
        (["code", "part"], "parent", ["code", "part"]),
        (["size"], "parent", ["size"]),
        (["code"], "parent", ["size"]),
        (["code"], "", ["id"]),
    ]
    keys = draw(st.lists(st.sampled_from(pairs), min_size=1, max_size=2, unique_by=str))
    return parent, child, keys


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(tables=two_tables())
def test_fuzz_foreign_keys_match_frictionless(tmp_path: Path, tables):
    parent, child_text, keys = tables
    child = with_keys(*keys)
    expected = reference(tmp_path, child, parent, child_text)
    assert columnar(tmp_path, child) == expected


# -- in the catalog: the columnar path reads every CSV resource, foreign keys or not -------

DESCRIPTOR = """\
name: lines
title: 线路
description: 外键
publisher: jtj
theme: transport
open_type: 无条件开放
update_frequency: monthly
issued: '2024-01-01'
modified: '2026-01-01'
resources:
  - name: lines
    path: data/lines.csv
    format: csv
    schema:
      fields:
        - {name: line_id, type: string}
      primaryKey: [line_id]
  - name: stops
    path: data/stops.csv
    format: csv
    schema:
      fields:
        - {name: stop_id, type: integer}
        - {name: line_id, type: string}
      foreignKeys:
        - fields: [line_id]
          reference: {resource: REFERENCED, fields: [line_id]}
"""


def _catalog_findings(catalog, referenced: str, monkeypatch, fast: bool) -> tuple[dict, list]:
    folder = catalog.dataset("lines", descriptor=DESCRIPTOR.replace("REFERENCED", referenced))
    (folder / "data" / "rows.csv").unlink()
    (folder / "data" / "lines.csv").write_text("line_id\nL1\nL2\n", encoding="utf-8")
    (folder / "data" / "stops.csv").write_text("stop_id,line_id\n1,L1\n2,L9\n3,\n", "utf-8")
    cat, problems = load_catalog(catalog.root)
    assert cat is not None, problems.items
    read: list[str] = []
    real = findings_module.validate_csv

    def spy(source, schema, *args, **kwargs):
        report = real(source, schema, *args, **kwargs)
        read.append(schema.fields[0].name)
        return report

    monkeypatch.setattr(findings_module, "validate_csv", spy)
    monkeypatch.setattr(findings_module, "FAST_PATH_MIN_BYTES", 0 if fast else 1 << 40)
    found, broken = findings_module.frictionless_findings(cat.datasets[0])
    assert not broken
    summary = {
        name: [(f.type, f.row, f.field, f.note) for f in res.kept] for name, res in found.items()
    }
    return summary, read


def test_a_dataset_with_foreign_keys_is_read_column_wise(catalog, monkeypatch):
    fast, read = _catalog_findings(catalog, "lines", monkeypatch, fast=True)
    slow, _ = _catalog_findings(catalog, "lines", monkeypatch, fast=False)
    assert sorted(read) == ["line_id", "stop_id"]  # no file left to frictionless
    assert fast == slow
    assert [f[:2] for f in fast["stops"]] == [("foreign-key", 3)]


def test_a_reference_the_columnar_path_cannot_read_goes_to_frictionless(catalog, monkeypatch):
    fast, read = _catalog_findings(catalog, "nowhere", monkeypatch, fast=True)
    assert "stop_id" not in read  # frictionless reads it as a package, as it always did
    slow, _ = _catalog_findings(catalog, "nowhere", monkeypatch, fast=False)
    assert fast == slow


def test_a_repeated_key_makes_frictionless_read_the_whole_row_before_the_foreign_key(
    tmp_path: Path,
):
    """A row-level error makes frictionless read every field then (in schema order), so the
    foreign key's field loses its place at the front of the row (rowerrors.rerank)."""
    child = with_keys((["size"], "parent", ["size"]))
    parent = "code,part,size\n1,a,1\n"
    text = "id,code,part,size\n1,1,a,1\n1,1.0,a,x\n2,1.0,a,x\n"
    expected = reference(tmp_path, child, parent, text)
    assert [f[:3] for f in expected] == [
        ("type-error", 3, "code"),
        ("type-error", 3, "size"),
        ("primary-key", 3, None),
        ("type-error", 4, "size"),  # no row-level error: the key's field is read first
        ("type-error", 4, "code"),
    ]
    assert columnar(tmp_path, child) == expected
