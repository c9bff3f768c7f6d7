"""Download formats: same values in every format, typed where the format can type them,
byte-identical across builds, and memory that does not grow with the resource."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import tracemalloc
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook

from bench.synth import large_csv_schema, make_large_csv
from generator.build import build
from generator.data import downloads
from generator.data.downloads import excel_safe, write_excel_csv, write_json, write_xlsx
from generator.data.fastxlsx import sheet_rows
from generator.model import FieldInfo

FIELDS = """\
        - {name: code, type: string, title: 编码}
        - {name: name, type: string, title: 名称}
        - {name: count, type: integer, title: 数量}
        - {name: ratio, type: number, title: 比例}
        - {name: ok, type: boolean, title: 是否}
        - {name: day, type: date, title: 日期}
        - {name: big, type: integer, title: 长编码}
"""
CSV_TEXT = (
    "code,name,count,ratio,ok,day,big\n"
    '007,"公交,一号",12,0.10,true,2026-01-31,110101199001011234\n'
    "008,=1+1,,3.5,false,,\n"
)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from .conftest import CatalogFactory

    root = tmp_path_factory.mktemp("dl")
    factory = CatalogFactory(root / "catalog")
    factory.dataset("typed", csv_text=CSV_TEXT, fields=FIELDS)
    factory.dataset("closed-one", open_type="非开放", extra="legal_basis: 《某条例》第三条\n")
    out = root / "site"
    build(factory.root, out)
    return out / "datasets" / "typed"


def test_every_format_is_published_for_open_data(built: Path):
    downloads = {
        "datapackage.json",
        "rows.csv",
        "rows.excel.csv",
        "rows.json",
        "rows.xlsx",
        "typed.zip",
    }
    assert downloads <= {p.name for p in built.iterdir()}
    closed = {p.name for p in (built.parent / "closed-one").iterdir()}
    assert "index.html" in closed
    assert closed & (downloads | {"closed-one.zip"}) == set()


def test_excel_csv_has_bom_crlf_and_the_same_rows(built: Path):
    raw = (built / "rows.excel.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert b"\r\n" in raw and b"\n" not in raw.replace(b"\r\n", b"")
    excel_rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    plain_rows = list(csv.reader(io.StringIO((built / "rows.csv").read_text(encoding="utf-8"))))
    # for people the field titles head the columns; programs read names in the plain CSV
    assert excel_rows[0] == ["编码", "名称", "数量", "比例", "是否", "日期", "长编码"]
    assert plain_rows[0] == ["code", "name", "count", "ratio", "ok", "day", "big"]
    # the same rows, except that a cell Excel would run as a formula starts with '
    assert excel_rows[1:] == [[excel_safe(cell) for cell in row] for row in plain_rows[1:]]
    assert excel_rows[1][1] == "公交,一号"
    assert "=1+1" in plain_rows[2] and "'=1+1" in excel_rows[2]


def test_json_has_schema_and_typed_records(built: Path):
    doc = json.loads((built / "rows.json").read_text(encoding="utf-8"))
    assert doc["name"] == "rows" and doc["dataset"] == "typed"
    assert [f["name"] for f in doc["schema"]["fields"]][:3] == ["code", "name", "count"]
    first, second = doc["data"]
    assert first == {
        "code": "007",
        "name": "公交,一号",
        "count": 12,
        "ratio": 0.10,
        "ok": True,
        "day": "2026-01-31",
        "big": 110101199001011234,
    }
    assert '"ratio": 0.10' in (built / "rows.json").read_text(encoding="utf-8")  # exact text
    assert second["count"] is None and second["ok"] is False and second["name"] == "=1+1"


def test_xlsx_keeps_types_codes_and_never_makes_formulas(built: Path):
    wb = load_workbook(built / "rows.xlsx")
    assert wb.sheetnames == ["data", "fields"]
    rows = list(wb["data"].iter_rows(values_only=True))
    assert rows[0] == ("编码", "名称", "数量", "比例", "是否", "日期", "长编码")  # titles
    assert rows[1][:6] == ("007", "公交,一号", 12, 0.1, True, dt.datetime(2026, 1, 31))
    assert rows[1][6] == "110101199001011234"  # 18 digits: exact as text, not 1.1E+17
    cell = wb["data"]["B3"]
    assert cell.value == "=1+1" and cell.data_type == "s"
    assert list(wb["fields"].iter_rows(values_only=True))[1] == ("code", "编码", "string", None)
    assert wb.properties.created == dt.datetime(2024, 1, 1)
    assert wb.properties.modified == dt.datetime(2026, 11, 1)


def test_zip_holds_the_descriptor_and_csvs_with_fixed_times(built: Path):
    with zipfile.ZipFile(built / "typed.zip") as archive:
        assert archive.namelist() == ["datapackage.json", "rows.csv"]
        assert {i.date_time for i in archive.infolist()} == {(2026, 11, 1, 0, 0, 0)}
        assert archive.read("rows.csv") == (built / "rows.csv").read_bytes()
        assert archive.read("datapackage.json") == (built / "datapackage.json").read_bytes()
    with zipfile.ZipFile(built / "rows.xlsx") as archive:
        assert {i.date_time for i in archive.infolist()} == {(2026, 11, 1, 0, 0, 0)}


def test_two_builds_are_byte_identical(catalog, tmp_path: Path, monkeypatch):
    catalog.dataset("typed", csv_text=CSV_TEXT, fields=FIELDS)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1790000000")
    first, second = tmp_path / "a", tmp_path / "b"
    build(catalog.root, first)
    build(catalog.root, second)
    files = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    assert Path("datasets/typed/rows.xlsx") in files
    assert files == sorted(p.relative_to(second) for p in second.rglob("*") if p.is_file())
    assert [f for f in files if (first / f).read_bytes() != (second / f).read_bytes()] == []


def _peak(func) -> int:
    tracemalloc.start()
    try:
        func()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


# openpyxl is slow under tracemalloc, so the workbook test uses fewer rows.
@pytest.mark.parametrize(
    "writer,rows",
    [("excel-csv", 20_000), ("json", 20_000), ("xlsx", 6_000), ("xlsx-columns", 20_000)],
)
def test_memory_does_not_grow_with_rows(tmp_path: Path, writer: str, rows: int, monkeypatch):
    from generator.data import zipwriter

    # a zip member is held (and deflated in one call) up to MEMORY_BYTES, so that constant
    # bounds a workbook's memory; set low, the large sheets here must stream
    monkeypatch.setattr(zipwriter, "MEMORY_BYTES", 256 * 1024)
    fields = tuple(FieldInfo(f["name"], f["type"]) for f in large_csv_schema()["fields"])
    small = make_large_csv(tmp_path / "small.csv", rows // 20)
    large = make_large_csv(tmp_path / "large.csv", rows)

    def run(src: Path) -> None:
        dst = tmp_path / f"out-{writer}"
        if writer == "excel-csv":
            write_excel_csv(src, dst)
        elif writer == "json":
            write_json(src, dst, {"name": "x"}, fields)
        elif writer == "xlsx":
            write_xlsx(src, dst, fields, "x", dt.date(2026, 1, 1), dt.date(2026, 1, 1))
        else:
            day = dt.date(2026, 1, 1)
            write_xlsx(src, dst, fields, "x", day, day, rows_xml=sheet_rows)

    run(small)  # imports and caches happen outside the measurement
    small_peak, large_peak = _peak(lambda: run(small)), _peak(lambda: run(large))
    # Holding the extra rows in memory would cost several MiB (checked by hand by making
    # the CSV reader return a list); streaming writers stay flat.
    assert large_peak - small_peak < 1024 * 1024, (small_peak, large_peak)


def test_no_xlsx_beyond_what_an_excel_sheet_holds(catalog, tmp_path: Path, monkeypatch):
    from generator.data import downloads

    monkeypatch.setattr(downloads, "EXCEL_MAX_ROWS", 2)  # a header and one row
    catalog.dataset("two-rows")
    out = tmp_path / "out"
    build(catalog.root, out, jobs=1)
    folder = out / "datasets" / "two-rows"
    assert not (folder / "rows.xlsx").exists() and (folder / "rows.json").is_file()
    assert "行的资源不提供 XLSX" in (folder / "index.html").read_text(encoding="utf-8")


def test_a_resource_name_that_would_clash_with_a_dataset_file_is_an_error(catalog, cli):
    from .conftest import dataset_yaml

    descriptor = dataset_yaml("bus-lines").replace("- name: rows", "- name: datapackage")
    catalog.dataset("bus-lines", descriptor=descriptor)
    result = cli("check", "--catalog", catalog.root)
    assert result.exit_code == 1
    assert "资源名 datapackage 是保留名" in result.output
    assert "datasets/bus-lines/datapackage.yaml" in result.output
    assert "Traceback" not in result.output


def test_human_headers_for_people_and_names_for_programs(tmp_path: Path):
    """Titles head the Excel CSV on both paths (bytes and rows); a missing or repeated
    title falls back to the name; a title Excel would run as a formula gets its '."""
    fields = (
        FieldInfo("a", "string", "区划代码", "", {}),
        FieldInfo("b", "string", "", "", {}),
        FieldInfo("c", "integer", "=数量", "", {}),
        FieldInfo("d", "integer", "区划代码", "", {}),
    )
    header = downloads.human_header(fields)
    assert header == ["区划代码（a）", "b", "=数量", "区划代码（d）"]
    for text in ("a,b,c,d\n1,x,2,3\n", 'a,b,c,d\n1,"x,y",2,3\n'):
        src = tmp_path / "src.csv"
        src.write_text(text, encoding="utf-8")
        dst = tmp_path / "dst.csv"
        write_excel_csv(src, dst, header)
        lines = dst.read_bytes().decode("utf-8-sig").split("\r\n")
        assert lines[0] == "区划代码（a）,b,'=数量,区划代码（d）"
        assert lines[1] in ("1,x,2,3", '1,"x,y",2,3')


TRICKY_CELLS = [
    "",
    "公交",
    'say "hi"',
    "back\\slash",
    "line\nbreak\r\ttab",
    "\x00\x01\x1f\x7f",
    "\u2028\u2029",
    "😀 non-BMP",
    "12",
    "-0.5e3",
    "01",
    "1.",
    "NaN",
    "true",
    "FALSE",
    "yes",
]


@pytest.mark.parametrize("kind", ["string", "integer", "number", "year", "boolean", "date"])
def test_json_cells_are_what_json_dumps_writes(kind: str):
    """The row writer's JSON text of a cell, made without json.dumps, is json.dumps's."""
    from generator.data.downloads import _dump, _RawNumber, json_cell, json_value

    field = FieldInfo("c", kind, raw={"trueValues": ["yes"]} if kind == "boolean" else {})
    cell = json_cell(field)
    for text in TRICKY_CELLS:
        value = json_value(field, text)
        expected = (
            str(value) if isinstance(value, _RawNumber) else json.dumps(value, ensure_ascii=False)
        )
        assert _dump(value) == expected, (kind, text)
        assert cell(text) == expected, (kind, text)
