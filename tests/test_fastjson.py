"""The column-wise JSON writer gives the bytes of the row-by-row one, on generated text."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.checks.fastcheck import Unsupported
from generator.data import fastjson
from generator.data.downloads import write_json
from generator.data.fastjson import write_json_columnar
from generator.model import FieldInfo

HEADER = {"name": "rows", "title": "表", "dataset": "d", "schema": {"fields": []}}
FIELDS = (
    FieldInfo("code", "string"),
    FieldInfo("数量", "integer"),
    FieldInfo("ratio", "number"),
    FieldInfo("ok", "boolean"),
    FieldInfo("flag", "boolean", raw={"trueValues": ["是"], "falseValues": ["否"]}),
    FieldInfo("day", "date"),
    FieldInfo("year", "year"),
)
CELLS = st.one_of(
    st.sampled_from(["", "0", "-0", "12", "0012", "1.50", "-3e5", "1E+2", ".5", "1.", "NaN"]),
    st.sampled_from(["true", "TRUE", "1", "false", "0", "是", "否", "yes"]),
    st.sampled_from(['"', "\\", "\n", "\r\n", "\t", "\x08", "\x0c", ",", "'", "=1+1"]),
    st.sampled_from(["\u2028", "\x7f", "１２", "٣", "公交,一号", "2026-01-31"]),
    st.text(max_size=6),
)


def both(tmp_path: Path, rows: list[list[str]], fields=FIELDS) -> tuple[bytes, bytes | None]:
    src = tmp_path / "rows.csv"
    with open(src, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow([f.name for f in fields])
        writer.writerows(rows)
    write_json(src, tmp_path / "slow.json", HEADER, fields)
    try:
        write_json_columnar(src, tmp_path / "fast.json", HEADER, fields)
    except Unsupported:
        return (tmp_path / "slow.json").read_bytes(), None
    return (tmp_path / "slow.json").read_bytes(), (tmp_path / "fast.json").read_bytes()


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.lists(CELLS, min_size=7, max_size=7), max_size=8))
def test_fuzz_same_bytes_as_the_row_writer(tmp_path: Path, rows: list[list[str]]):
    rows = [r for r in rows if any(c.strip("\r\n") for c in r) or r[0] == ""]
    slow, fast = both(tmp_path, rows)
    if fast is not None:
        assert fast == slow
        json.loads(fast)  # (the reference itself writes non-ASCII digits unquoted)


def test_same_bytes_on_typical_rows_and_no_rows(tmp_path: Path):
    rows = [
        ["007", "12", "0.10", "true", "是", "2026-01-31", "2026"],
        ['a "q" \\ b\nc', "", "x", "maybe", "否", "", ""],
    ]
    slow, fast = both(tmp_path, rows)
    assert fast == slow and fast is not None
    assert b'"ratio": 0.10' in fast and b'"flag": true' in fast and b'"flag": false' in fast
    assert both(tmp_path, [])[1] == both(tmp_path, [])[0]


def test_what_it_does_not_reproduce_is_declined(tmp_path: Path):
    assert both(tmp_path, [["\x01", "1", "1", "1", "是", "", ""]])[1] is None
    assert both(tmp_path, [["a", "１２", "1", "1", "是", "", ""]])[1] is None


def test_batches_do_not_change_the_bytes(tmp_path: Path, monkeypatch):
    rows = [[f"名称{i}", str(i), f"{i}.5", "true", "是", "2026-01-01", "2026"] for i in range(3000)]
    slow, fast = both(tmp_path, rows)
    monkeypatch.setattr(fastjson, "BLOCK_BYTES", 2048)
    assert both(tmp_path, rows)[1] == fast == slow


@pytest.mark.parametrize("name", ["after-school-care", "bus-lines", "weather-daily"])
def test_demo_json_is_what_the_row_writer_writes(demo_site: Path, tmp_path: Path, name: str):
    from generator.catalog.loader import load_catalog
    from tests.conftest import DEMO_CATALOG

    catalog, _ = load_catalog(DEMO_CATALOG)
    ds = catalog.dataset(name)
    for res in ds.resources:
        published = demo_site / "datasets" / name / f"{res.name}.json"
        header = json.loads(published.read_text(encoding="utf-8"))
        header.pop("data")
        write_json(published.with_suffix(".csv"), tmp_path / "slow.json", header, res.fields)
        assert (tmp_path / "slow.json").read_bytes() == published.read_bytes()
