"""The validation stage's fixed costs per resource, cut without changing a finding: a
Table Schema is parsed by frictionless once per distinct descriptor in a process (for the
column-wise path, which only reads it), and the personal-data scan of a dataset's
metadata works out keys and lines only for strings that may hold personal data."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.catalog.loader import load_catalog
from generator.checks import fastcheck, filebytes, keyhash, personal
from generator.checks import findings as findings_module
from generator.checks.findings import _descriptor_key, _fl_resource, _shared_table_schema
from generator.checks.validate import validate_dataset
from generator.runtime import files
from generator.runtime.cache import encode

from .conftest import CatalogFactory, dataset_yaml

BAD_ROWS = "line_id,stops\nL001,12\nL001,x\n,7\nL004,\n"
OTHER_FIELDS = """\
- {name: line_id, type: string, title: 线路编号, constraints: {required: true}}
- {name: stops, type: integer, title: 站点数, constraints: {minimum: 10}}
"""


def _catalog(catalog: CatalogFactory):
    for i in range(3):  # one schema, three datasets
        catalog.dataset(f"same-{i}", csv_text=BAD_ROWS)
    catalog.dataset("other", csv_text=BAD_ROWS, fields=OTHER_FIELDS)
    # a schema frictionless refuses (the loader lets it through), twice
    refused = dataset_yaml("refused-a") + "      fieldsMatch: weird\n"
    catalog.dataset("refused-a", descriptor=refused)
    catalog.dataset("refused-b", descriptor=refused.replace("refused-a", "refused-b"))
    loaded, problems = load_catalog(catalog.root, 1)
    assert not problems.errors
    return loaded


@pytest.fixture
def fresh_schemas(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(findings_module, "_SHARED_SCHEMAS", type(findings_module._SHARED_SCHEMAS)())
    return findings_module._SHARED_SCHEMAS


def _count_parses(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls = [0]
    parse = findings_module._parse_schema

    def counted(descriptor):
        calls[0] += 1
        return parse(descriptor)

    monkeypatch.setattr(findings_module, "_parse_schema", counted)
    return calls


def test_a_repeated_schema_is_parsed_once_and_finds_the_same(
    catalog: CatalogFactory, monkeypatch: pytest.MonkeyPatch, fresh_schemas
) -> None:
    loaded = _catalog(catalog)
    calls = _count_parses(monkeypatch)
    shared = [encode(validate_dataset(loaded, ds)) for ds in loaded.datasets]
    assert calls[0] == 3  # the common schema, the other one, the refused one
    monkeypatch.setattr(findings_module, "SHARED_SCHEMAS_MAX", 0)  # parse every time
    fresh_schemas.clear()
    calls[0] = 0
    alone = [encode(validate_dataset(loaded, ds)) for ds in loaded.datasets]
    assert calls[0] == 6
    assert shared == alone
    same = [r for r in shared if r["dataset"].startswith("same-")]
    assert same[0]["resources"][0]["errors_by_type"] == {"type-error": 1}  # "x" stops
    [other] = [r for r in shared if r["dataset"] == "other"]  # required, minimum, type
    assert other["resources"][0]["errors_by_type"] == {"constraint-error": 2, "type-error": 1}
    assert [r["resources"] for r in same] == [same[0]["resources"]] * 3


def test_a_refused_schema_is_reported_each_time_with_frictionless_message(
    catalog: CatalogFactory, fresh_schemas
) -> None:
    loaded = _catalog(catalog)
    messages = []
    for name in ("refused-a", "refused-b"):
        report = validate_dataset(loaded, loaded.dataset(name))
        [problem] = [p for p in report.problems if p.code == "schema-invalid"]
        messages.append(problem.message_en)
        assert problem.dataset == name and problem.line is not None
    assert messages[0] == messages[1]
    assert "descriptor is not valid" in messages[0]


def test_frictionless_reads_with_a_schema_of_its_own(
    catalog: CatalogFactory, fresh_schemas
) -> None:
    loaded = _catalog(catalog)
    ds = loaded.dataset("same-0")
    shared, _ = _shared_table_schema(ds, ds.resources[0])
    again, _ = _shared_table_schema(loaded.dataset("same-1"), loaded.dataset("same-1").resources[0])
    assert shared is not None and again is shared
    fl_res, _ = _fl_resource(ds, ds.resources[0])
    assert fl_res is not None and fl_res.schema is not shared


def test_the_shared_schemas_stay_bounded(
    catalog: CatalogFactory, monkeypatch: pytest.MonkeyPatch, fresh_schemas
) -> None:
    monkeypatch.setattr(findings_module, "SHARED_SCHEMAS_MAX", 2)
    for i in range(5):
        fields = f"- {{name: line_id, type: string, title: 编号{i}}}\n"
        fields += "- {name: stops, type: integer}\n"
        catalog.dataset(f"ds-{i}", fields=fields)
    loaded, _ = load_catalog(catalog.root, 1)
    for ds in loaded.datasets:
        validate_dataset(loaded, ds)
    assert len(fresh_schemas) == 2


def test_descriptor_keys_tell_types_apart() -> None:
    keys = {
        _descriptor_key({"fields": [{"name": "a", "constraints": {"minimum": value}}]})
        for value in (1, 1.0, True, "1", None)
    }
    assert len(keys) == 5 and None not in keys
    assert _descriptor_key({"fields": [{"name": "a", "example": Path("x")}]}) is None
    assert _descriptor_key({1: "a"}) != _descriptor_key({"1": "a"})


# --- personal data in metadata ---------------------------------------------------------------

# the mobile number on line 4, the email address on line 23
DESCRIBED = dataset_yaml(
    "described",
    fields="""\
    - {name: line_id, type: string, title: 线路编号}
    - name: stops
      type: integer
      title: 站点数
      description: 站点联系人 zhang.san@example.cn
""",
).replace("测试数据集 described", "测试数据集，咨询电话 13912345678")


def test_metadata_scan_finds_the_same_and_locates_only_candidates(
    catalog: CatalogFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    catalog.dataset("described", descriptor=DESCRIBED)
    loaded, _ = load_catalog(catalog.root, 1)
    ds = loaded.dataset("described")
    assert ds.source is not None
    located: list[tuple] = []
    line = ds.source.line

    def counted(path):
        located.append(tuple(path))
        return line(path)

    monkeypatch.setattr(ds.source, "line", counted)
    found = [
        (f.kind, f.where.key, f.line)
        for f in personal.text_findings(personal.dataset_texts(ds, False), frozenset())
    ]
    assert found == [
        ("mobile", "description", 4),
        ("email", "resources[0].schema.fields[1].description", 23),
    ]
    # every string with a digit or an '@' is located, and no other
    every = [text for _, text in personal._strings(ds.descriptor, ())]
    assert len(located) == sum(personal.may_hold_personal_data(t) for t in every) < len(every)
    assert ("title",) not in located and ("resources", 0, "title") not in located


def test_may_hold_personal_data_is_the_digit_test() -> None:
    for text in ("无", "abc", "", "２０", "¹", "a@b", "＠", "٣"):
        expected = any(c.isdigit() or c in "@＠" for c in text)
        assert personal.may_hold_personal_data(text) == expected


# --- small columns ---------------------------------------------------------------------------

CELLS = st.text(
    alphabet=st.sampled_from("0123456789-.+ e\n２٣x") | st.characters(exclude_categories=["Cs"]),
    max_size=12,
)


@settings(max_examples=300, deadline=None)
@given(st.lists(CELLS, min_size=1, max_size=fastcheck.SMALL_COLUMN))
def test_a_small_column_is_tested_as_arrow_tests_a_large_one(values: list[str]) -> None:
    small = pa.array(values, pa.string())
    # the same values, padded past SMALL_COLUMN: arrow's compute functions test them
    large = pa.array(values + ["x"] * (fastcheck.SMALL_COLUMN + 1), pa.string())
    n = len(values)
    for pattern in fastcheck._WHOLE:
        assert list(fastcheck._matches(small, pattern)) == list(
            fastcheck._matches(large, pattern)[:n]
        ), pattern


def test_the_patterns_tell_a_final_newline_apart() -> None:
    column = pa.array(["12\n", "12", "2024-01-31\n", "1.5\n", "\n12"], pa.string())
    assert list(fastcheck._matches(column, fastcheck._INTEGER)) == [0, 1, 0, 0, 0]
    assert list(fastcheck._matches(column, fastcheck._DATE)) == [0, 0, 0, 0, 0]
    assert list(fastcheck._matches(column, fastcheck._NUMBER)) == [0, 1, 0, 0, 0]


def test_object_hashes_are_python_hashes_mod_2_64() -> None:
    values = np.array(["", "无", "a" * 100, -1, 2**70, (1, None), 3.5], dtype=object)
    expected = [hash(v) & 0xFFFFFFFFFFFFFFFF for v in values]
    assert [int(h) for h in keyhash.hash_array(values)] == expected
    assert any(hash(v) < 0 for v in values)


# --- a CSV file read once per dataset ---------------------------------------------------------

READ_ONCE = dataset_yaml(
    "read-once",
    fields="""\
- {name: line_id, type: string, title: 线路编号, constraints: {unique: true}}
- {name: stops, type: integer, title: 站点数}
- {name: note, type: string, title: 备注}
""",
)
READ_ONCE_ROWS = (
    "line_id,stops,note\n"
    "L001,12,司机 13912345678\n"  # personal data
    "L002,x,\x0b\n"  # a type error, a control character
    "L001,7,\n"  # a repeated unique value
)


def _read_once_catalog(catalog: CatalogFactory, rows: str = READ_ONCE_ROWS):
    catalog.dataset("read-once", csv_text=rows, descriptor=READ_ONCE)
    loaded, _ = load_catalog(catalog.root, 1)
    return loaded, loaded.dataset("read-once")


def test_a_csv_file_is_opened_once_for_every_check(
    catalog: CatalogFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    # no personal data nor control character: those are then located row by row, a read
    # of its own (catalog/rows.py)
    clean = READ_ONCE_ROWS.replace("13912345678", "").replace("\x0b", "")
    loaded, ds = _read_once_catalog(catalog, clean)
    opened: list[str] = []
    open_inside = files.open_inside

    def counted(path, boundary, shown=""):
        opened.append(str(shown))
        return open_inside(path, boundary, shown)

    monkeypatch.setattr(files, "open_inside", counted)

    def no_path_open(*args, **kwargs):
        raise AssertionError("the personal-data scan opened the file by its path")

    monkeypatch.setattr(personal, "open", no_path_open, raising=False)
    report = validate_dataset(loaded, ds)
    assert opened == ["datasets/read-once/data/rows.csv"]
    assert report.resources[0].errors_by_type == {"type-error": 1, "unique-error": 1}


def test_reading_once_finds_what_each_reader_finds_alone(
    catalog: CatalogFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    loaded, ds = _read_once_catalog(catalog)
    once = encode(validate_dataset(loaded, ds))
    monkeypatch.setattr(filebytes, "SHARE_MAX_BYTES", 10)  # too large to share: each reads
    alone = encode(validate_dataset(loaded, ds))
    assert once == alone
    codes = sorted(p["code"] for p in once["problems"])
    assert "pii-in-data-mobile" in codes and any("control" in c for c in codes), codes
    assert once["resources"][0]["errors_by_type"] == {"type-error": 1, "unique-error": 1}


def test_a_file_moved_out_after_loading_is_still_refused(
    catalog: CatalogFactory, tmp_path: Path
) -> None:
    loaded, ds = _read_once_catalog(catalog)
    secret = tmp_path / "secret.csv"
    secret.write_text(READ_ONCE_ROWS, encoding="utf-8")
    target = ds.folder / "data" / "rows.csv"
    target.unlink()
    target.symlink_to(secret)
    with pytest.raises(files.UnsafeFileError):
        validate_dataset(loaded, ds)
