"""The column-wise XLSX data sheet gives the bytes of the row-by-row writer, on generated
text, and declines what it cannot reproduce."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.data import fastjson, fastxlsx
from generator.data.downloads import write_xlsx
from generator.model import FieldInfo

FIELDS = (
    FieldInfo("code", "string", title="代码"),
    FieldInfo("数量", "integer"),
    FieldInfo("ratio", "number"),
    FieldInfo("ok", "boolean"),
    FieldInfo("flag", "boolean", raw={"trueValues": ["是"], "falseValues": ["否"]}),
    FieldInfo("day", "date"),
    FieldInfo("year", "year"),
    FieldInfo("at", "datetime"),
)
NUMBERS = [
    "",
    "0",
    "-0",
    "00",
    "12",
    "0012",
    "-007",
    "1.50",
    "1.00",
    "-0.5",
    "0.0",
    "0.0001",
    "0.00001",
    "0.00010",
    "-3e5",
    "1E+2",
    ".5",
    "1.",
    "NaN",
    "123456789012345",
    "1234567890123456",
    "12345678901234.5",
    "1234567890123.45",
    "99999999999999999999",
    "000000000000000000001",
    "１２",
    "٣",
    "+5",
]
TEXT = [
    "true",
    "TRUE",
    "1",
    "false",
    "是",
    "否",
    "yes",
    "2026-01-31",
    "1899-12-31",
    "1900-01-01",
    "2024-02-29",
    "2026-02-30",
    "2026-13-01",
    "0999-01-01",
    "2026-1-31",
    "20260131",
    "=1+1",
    "a<b & c>d",
    " padded",
    "padded ",
    "\u3000全角",
    "尾\u00a0",
    "\t",
    "\x01x",
    "\ufffe",
    "\x0b",
    "\u2028",
    '"q"',
    "公交,一号",
    "a\nb",
    "\r\n",
]
CELLS = st.one_of(st.sampled_from(NUMBERS), st.sampled_from(TEXT), st.text(max_size=6))


def both(tmp_path: Path, rows: list[list[str]], fields=FIELDS) -> tuple[bytes, bytes]:
    src = tmp_path / "rows.csv"
    with open(src, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow([f.name for f in fields])
        writer.writerows(rows)
    out = {}
    for columnar in (False, True):
        dst = tmp_path / f"{columnar}.xlsx"
        day = dt.date(2026, 1, 2)
        rows_xml = fastxlsx.sheet_rows if columnar else None
        write_xlsx(src, dst, fields, "表", day, day, rows_xml=rows_xml)
        out[columnar] = dst.read_bytes()
    return out[False], out[True]


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.lists(CELLS, min_size=8, max_size=8), max_size=8))
def test_fuzz_same_bytes_as_the_row_writer(tmp_path: Path, rows: list[list[str]]):
    rows = [r for r in rows if any(c.strip("\r\n") for c in r) or r[0] == ""]
    slow, fast = both(tmp_path, rows)
    assert fast == slow


def test_every_listed_value_in_every_column(tmp_path: Path):
    values = NUMBERS + TEXT
    rows = [[v] * len(FIELDS) for v in values if v.strip("\r\n") or v == ""]
    slow, fast = both(tmp_path, rows)
    assert fast == slow


def test_the_columnar_path_is_taken_and_writes_what_excel_reads(tmp_path: Path, monkeypatch):
    from openpyxl import load_workbook

    taken = []
    real = fastxlsx.sheet_rows

    def spy(*args, **kwargs):
        taken.append(True)
        yield from real(*args, **kwargs)

    monkeypatch.setattr(fastxlsx, "sheet_rows", spy)  # looked up at call time
    rows = [["007", "0012", "1.50", "true", "是", "2026-01-31", "2026", "2026-01-31T08:00:00"]]
    both(tmp_path, rows)
    assert taken
    sheet = load_workbook(tmp_path / "True.xlsx")["data"]
    assert [c.value for c in sheet[1]] == [
        "代码",
        "数量",
        "ratio",
        "ok",
        "flag",
        "day",
        "year",
        "at",
    ]
    assert [c.value for c in sheet[2]] == [
        "007",
        12,
        1.5,
        True,
        True,
        dt.datetime(2026, 1, 31),
        2026,
        "2026-01-31T08:00:00",
    ]
    assert sheet["A2"].data_type == "s"  # a code keeps its leading zeros


def test_a_text_longer_than_a_cell_is_declined_and_written_row_by_row(tmp_path: Path):
    long = "长" * 40_000
    slow, fast = both(tmp_path, [[long, "1", "1", "1", "是", "", "", ""]])
    assert fast == slow


def test_batches_do_not_change_the_bytes(tmp_path: Path, monkeypatch):
    rows = [[str(i), str(i), f"{i}.5", "1", "是", "2026-01-31", "2026", " x"] for i in range(300)]
    slow, fast = both(tmp_path, rows)
    monkeypatch.setattr(fastjson, "BLOCK_BYTES", 256)
    assert both(tmp_path, rows) == (slow, fast)
    assert fast == slow
