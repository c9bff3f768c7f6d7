"""The column-wise GeoJSON writer gives the bytes and the summary of the row-by-row one."""

from __future__ import annotations

import csv
from dataclasses import asdict
from pathlib import Path

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.catalog.geo import GeoColumns
from generator.checks.fastcheck import Unsupported
from generator.data import geojson
from generator.data.table import read_batches
from generator.model import FieldInfo

FIELDS = (
    FieldInfo("站点名称", "string"),
    FieldInfo("bikes", "integer"),
    FieldInfo("lon", "number"),
    FieldInfo("lat", "number"),
    FieldInfo("where", "geopoint"),
    FieldInfo("ok", "boolean"),
)
PAIR = GeoColumns(lon="lon", lat="lat")
NUMBERS = st.sampled_from(
    ["", "87.61", "-0", "-0.0", "0", "180", "180.0001", "-90", "1e-05", " 43.1", "1_0", "nan"]
    + ["inf", "-inf", "١٢", "87.600", "+3", "4.", ".5", "x", "116.39745300000001"]
    + ["116.397128", "-0.5", "0.0001", "0.00012", "43.123456789012", "180.5", "-90.25"]
    + ["0.1", "999.123456789012", "0.000012", "179.99999999999"]
)
POINTS = st.sampled_from(
    ["", "87.6, 43.8", "87.6,43.8", "200,1", "1,2,3", "a,b", "[1, 2]", '{"lon": 1, "lat": 2}']
)
TEXT = st.one_of(st.sampled_from(['"', "\n", "a,b", "\\", "是", "1"]), st.text(max_size=4))
ROWS = st.lists(st.tuples(TEXT, TEXT, NUMBERS, NUMBERS, POINTS, TEXT), max_size=8)


def both(tmp_path: Path, rows: list, columns: GeoColumns, fields=FIELDS):
    src = tmp_path / "rows.csv"
    with open(src, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow([f.name for f in fields])
        writer.writerows(rows)
    slow = geojson._write_rows(src, tmp_path / "slow.geojson", fields, columns)
    try:
        fast = geojson._write_columns(
            tmp_path / "fast.geojson",
            fields,
            columns,
            lambda: read_batches(src, len(fields), block_bytes=64),  # many small batches
        )
    except (Unsupported, pa.ArrowInvalid):  # what the JSON writer or pyarrow declines
        return (repr(asdict(slow)), (tmp_path / "slow.geojson").read_bytes()), None
    return (
        (repr(asdict(slow)), (tmp_path / "slow.geojson").read_bytes()),
        (repr(asdict(fast)), (tmp_path / "fast.geojson").read_bytes()),
    )


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(ROWS, st.sampled_from(["pair", "default", "array", "object"]))
def test_fuzz_same_bytes_and_summary_as_the_row_writer(tmp_path: Path, rows, kind: str):
    rows = [r for r in rows if any(c.strip("\r\n") for c in r) or r[0] == ""]
    if kind == "pair":
        columns = PAIR
    else:
        columns = GeoColumns(point="where", point_format=kind)
    slow, fast = both(tmp_path, rows, columns)
    if fast is not None:
        assert fast == slow


def test_typical_rows_and_no_rows(tmp_path: Path):
    rows = [["人民广场", "12", "87.61", "43.79", "", "true"], ["空", "3", "", "", "", ""]]
    rows += [[f"站{i}", str(i), "87.5", "-0.0", "", "0"] for i in range(60)]  # past the sample
    slow, fast = both(tmp_path, rows, PAIR)
    assert fast == slow and "'features': 61" in slow[0] and "-0.0" in slow[0]
    assert both(tmp_path, [], PAIR)[0] == both(tmp_path, [], PAIR)[1]


def test_declined_files_are_written_row_by_row(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A control character (the JSON writer's Unsupported) sends the file to the row loop,
    through write_geojson, to the row loop's bytes."""
    src = tmp_path / "rows.csv"
    src.write_text("站点名称,bikes,lon,lat,where,ok\n\x01,1,87.6,43.8,,\n", encoding="utf-8")
    rows_written = []
    real = geojson._write_rows
    monkeypatch.setattr(geojson, "_write_rows", lambda *a: rows_written.append(1) or real(*a))
    summary = geojson.write_geojson(
        src, tmp_path / "a.geojson", FIELDS, PAIR, lambda: read_batches(src, len(FIELDS))
    )
    assert rows_written == [1] and summary.features == 1
    assert b'"\\u0001"' in (tmp_path / "a.geojson").read_bytes()


def test_a_csv_pyarrow_cannot_read_is_written_row_by_row(tmp_path: Path):
    src = tmp_path / "rows.csv"
    src.write_text("站点名称,bikes,lon,lat,where,ok\n是,1,87.6,43.8,,\n", encoding="utf-8")

    def broken():
        raise pa.ArrowInvalid("CSV parse error")
        yield  # a generator, as read_batches is

    summary = geojson.write_geojson(src, tmp_path / "a.geojson", FIELDS, PAIR, broken)
    geojson._write_rows(src, tmp_path / "b.geojson", FIELDS, PAIR)
    assert summary.features == 1
    assert (tmp_path / "a.geojson").read_bytes() == (tmp_path / "b.geojson").read_bytes()


PLAIN_NUMBERS = st.one_of(
    st.sampled_from(["116.397128", "-0.5", "0.0001", "180.5", "-90.25", "43.123456789012"]),
    st.builds(
        lambda whole, digits: f"{whole}.{digits}",
        st.integers(-999, 999),
        st.text(alphabet="0123456789", min_size=0, max_size=11).map(lambda d: d + "7"),
    ).filter(lambda text: not text.lstrip("-").startswith("0.0000")),  # those are not plain
)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.tuples(PLAIN_NUMBERS, PLAIN_NUMBERS), min_size=1, max_size=12))
def test_plain_pairs_by_columns_as_the_row_writer(tmp_path: Path, pairs):
    """Plain decimals take the path without a Python step per row (in range or not, up to
    15 digits): the same bytes, bounds and sample as the row writer."""
    rows = [[f"站{i}", "1", lon, lat, "", "true"] for i, (lon, lat) in enumerate(pairs)]
    batch = next(iter(_one_batch(tmp_path, rows)))
    assert geojson._plain_pair(batch, [2, 3]) is not None
    slow, fast = both(tmp_path, rows, PAIR)
    assert fast == slow


def _one_batch(tmp_path: Path, rows: list):
    src = tmp_path / "plain.csv"
    with open(src, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow([f.name for f in FIELDS])
        writer.writerows(rows)
    return read_batches(src, len(FIELDS))
