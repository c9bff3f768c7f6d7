"""Download formats of a published resource, written from its canonical UTF-8 CSV.

Every variant is derived from the CSV that derivation already wrote, so each one carries
exactly the published values (after any desensitisation) and nothing else. All writers
stream row by row: memory does not grow with the size of a resource. Archives (XLSX is a
zip too) are written by zipwriter.py with fixed timestamps and fixed document properties,
so the same input gives the same bytes in every build.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from json.encoder import encode_basestring  # type: ignore[attr-defined]
from pathlib import Path
from typing import Any

import numpy as np

from ..checks.fastcheck import Unsupported
from ..model import FieldInfo
from .zipwriter import ZipWriter


@dataclass(frozen=True)
class Format:
    """One download format: how it is named, served and catalogued."""

    key: str
    suffix: str  # appended to the resource name
    media_type: str  # IANA media type (no parameters: POD and DCAT want the bare type)
    eu_file_type: str  # code in the EU file-type vocabulary
    label_zh: str
    label_en: str

    def label(self, lang: str) -> str:
        return self.label_en if lang == "en" else self.label_zh


CSV = Format("csv", ".csv", "text/csv", "CSV", "CSV（UTF-8）", "CSV (UTF-8)")
EXCEL_CSV = Format(
    "excel-csv",
    ".excel.csv",
    "text/csv",
    "CSV",
    "CSV（Excel 兼容，带 BOM）",
    "CSV for Excel (UTF-8 with BOM)",
)
XLSX = Format(
    "xlsx",
    ".xlsx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "XLSX",
    "Excel 工作簿（XLSX）",
    "Excel workbook (XLSX)",
)
JSON = Format("json", ".json", "application/json", "JSON", "JSON（记录与字段）", "JSON records")
# Parquet: typed columns, compressed, read directly by pandas, polars, DuckDB, R and Spark
PARQUET = Format(
    "parquet",
    ".parquet",
    "application/vnd.apache.parquet",  # registered with IANA in 2024
    "PARQUET",
    "Parquet（列式，带类型）",
    "Parquet (columnar, typed)",
)
# GeoJSON (RFC 7946): the points of a resource with coordinates, for GIS tools and maps
GEOJSON = Format(
    "geojson",
    ".geojson",
    "application/geo+json",
    "GEOJSON",
    "GeoJSON（地图点位）",
    "GeoJSON (map points)",
)
ZIP = Format("zip", ".zip", "application/zip", "ZIP", "完整数据包（ZIP）", "Data package (ZIP)")

# Per-resource formats, in the order pages and catalogs list them.
RESOURCE_FORMATS: tuple[Format, ...] = (CSV, EXCEL_CSV, XLSX, JSON, PARQUET, GEOJSON)
FORMATS: dict[str, Format] = {f.key: f for f in (*RESOURCE_FORMATS, ZIP)}


def format_names(keys: Iterable[str]) -> list[str]:
    """Public format names (CSV, XLSX, JSON) of format keys, for badges and facets: the
    Excel-friendly CSV is a CSV, not a format of its own."""
    return sorted({FORMATS[k].eu_file_type if k in FORMATS else k.upper() for k in keys})


# Characters XML 1.0 cannot hold; an XLSX cell containing one would be unreadable.
XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
JSON_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?")
EXCEL_EXACT_DIGITS = 15  # Excel keeps 15 significant digits; longer integers stay text
EXCEL_MAX_CELL = 32_767
EXCEL_MAX_ROWS = 1_048_576  # rows of one worksheet, the header row included
# The package zip's members: libdeflate level 6 in memory (a 73 KB CSV of the demo in
# 0.52 ms and 8.9 KB, where zlib level 6 took 0.92 ms for 9.0 KB), zlib level 6 streamed.
ZIP_LEVEL = 6


def _read_csv(path: Path) -> Iterator[list[str]]:
    with open(path, encoding="utf-8", newline="") as handle:
        yield from csv.reader(handle)


# Formula injection ("CSV injection"): Excel and WPS evaluate a CSV cell that starts with
# one of these as a formula (=HYPERLINK(...) sends the reader's data away, =cmd|... runs a
# program). Full-width forms are included: an IME types them, and some versions accept them.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
# The same test on the bytes of unquoted UTF-8 lines, where a cell starts at ^ or after a
# comma and ends at a comma or $: every cell excel_safe changes matches (the fast copy
# must never skip one).
_FORMULA_BYTES = re.compile(
    rb"(?:^|,)(?:[=@\t]|\xef\xbc[\x9d\x8b\x8d\xa0]"
    rb"|[+-](?!(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?(?:,|$)))",
    re.MULTILINE,
)
# _FORMULA_BYTES without its "a cell starts here": matched at each cell whose first byte
# is one of _FORMULA_FIRST. The regular expression searched for a cell start at every byte
# (25 MB of the real-sized catalog's published CSVs: 0.55 CPU-s, where finding the cell
# starts with numpy and matching at the few that begin so takes 0.03)
_FORMULA_CELL = re.compile(_FORMULA_BYTES.pattern[len(rb"(?:^|,)") :], re.MULTILINE)
_FORMULA_FIRST = np.zeros(256, dtype=bool)
_FORMULA_FIRST[list(b"=@\t+-\xef")] = True
# below this many bytes the expression is searched as it is: numpy's calls cost more than
# it saves on a 1.6 KB CSV (700 synthetic ones: 0.103-0.112 CPU-s with the expression,
# 0.117-0.122 with numpy)
_FORMULA_NUMPY_FROM = 8 << 10


def _formula_cell(lines: bytes, end: int) -> bool:
    """Whether ``_FORMULA_BYTES.search(lines, 0, end)`` finds a cell, without searching
    every byte: the cells start at 0 and after each comma or newline (^ in MULTILINE), and
    only those starting with a byte of _FORMULA_FIRST can match."""
    if end < _FORMULA_NUMPY_FROM:
        return _FORMULA_BYTES.search(lines, 0, end) is not None
    raw = np.frombuffer(lines, dtype=np.uint8, count=end)
    before = raw[:-1]
    starts = np.flatnonzero((before == 0x2C) | (before == 0x0A)) + 1
    candidates = starts[_FORMULA_FIRST[raw[starts]]].tolist()
    if _FORMULA_FIRST[raw[0]]:
        candidates.insert(0, 0)
    return any(_FORMULA_CELL.match(lines, start, end) for start in candidates)


def excel_safe(cell: str) -> str:
    """The cell with a leading ' when Excel would evaluate it as a formula.

    A plain number (-3.5, +86, 1e-3) is left alone: Excel reads it as the same number, and
    a number column stays numbers. Only the Excel-compatible CSV is changed; the plain CSV
    and JSON keep the published value exactly, and the XLSX holds text as inline strings,
    which Excel never evaluates.
    """
    if cell.startswith(FORMULA_STARTS) and not PLAIN_NUMBER.fullmatch(cell):
        return "'" + cell
    return cell


def human_header(fields: Iterable[FieldInfo]) -> list[str]:
    """Column headings for people (the XLSX data sheet, the Excel CSV): each field's title,
    its name when it has none or when another field has the same title."""
    fields = list(fields)
    titles = [(f.title or "").strip() or f.name for f in fields]
    seen = {t: titles.count(t) for t in titles}
    return [t if seen[t] == 1 else f"{t}（{f.name}）" for t, f in zip(titles, fields, strict=True)]


def _header_line(header: list[str]) -> bytes:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerow([excel_safe(h) for h in header])
    return buf.getvalue().encode("utf-8")


def write_excel_csv(src: Path, dst: Path, header: list[str] | None = None) -> None:
    """UTF-8 with a byte-order mark and CRLF: Excel then opens Chinese text correctly, and
    a cell that Excel would run as a formula starts with ' (see :func:`excel_safe`).
    ``header``, when given, replaces the first row (the field titles, for people).

    UTF-8 with BOM rather than GB18030: it is lossless for every character, Excel 2016+
    and WPS detect it on Windows and macOS, and other tools read it as plain UTF-8.
    """
    if _copy_without_quotes(src, dst, header=header):
        return
    with open(dst, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        rows = _read_csv(src)
        if header is not None:
            next(rows, None)
            writer.writerow([excel_safe(h) for h in header])
        writer.writerows([excel_safe(cell) for cell in row] for row in rows)


def _copy_without_quotes(
    src: Path, dst: Path, block: int = 1 << 18, header: list[str] | None = None
) -> bool:
    """The Excel CSV of a published CSV with no quoted field and no formula-like cell, by
    bytes (GB/s, not rows/s).

    Without a quote character every newline ends a record, so the writer's output is the
    same text with CRLF; with one, a newline may sit inside a value, and a formula-like
    cell needs its ': False, write rows. Blocks are scanned in whole lines.
    """
    with open(src, "rb") as handle:
        rest = b""
        while chunk := handle.read(block):
            if b'"' in chunk or b"\r" in chunk:
                return False
            lines = rest + chunk
            cut = lines.rfind(b"\n") + 1
            if _formula_cell(lines, cut):
                return False
            rest = lines[cut:]
        if _formula_cell(rest, len(rest)):
            return False
    with open(src, "rb") as source, open(dst, "wb") as target:
        target.write(b"\xef\xbb\xbf")
        if header is not None:
            source.readline()  # the field names (no quote, so one line)
            target.write(_header_line(header))
        while chunk := source.read(block):
            target.write(chunk.replace(b"\n", b"\r\n"))
    return True


TRUE_VALUES = ("true", "True", "TRUE", "1")  # Table Schema defaults
FALSE_VALUES = ("false", "False", "FALSE", "0")


def json_value(field: FieldInfo, text: str) -> Any:
    """A CSV cell as a JSON value of its Table Schema type; empty cells become null.

    A value that does not parse as its type stays text rather than being guessed at.
    """
    if text == "":
        return None
    if field.type in ("integer", "number", "year"):
        return _RawNumber(text) if JSON_NUMBER.fullmatch(text) else text
    if field.type == "boolean":
        if text in (field.raw.get("trueValues") or TRUE_VALUES):
            return True
        if text in (field.raw.get("falseValues") or FALSE_VALUES):
            return False
    return text


class _RawNumber(str):
    """A number kept as its exact decimal text (no float rounding) in JSON output."""


def _dump(value: Any) -> str:
    """json.dumps(value, ensure_ascii=False) of a json_value: a string goes straight to
    the encoder's string function, which is what json.dumps calls for one (json.dumps
    with an argument makes a JSONEncoder per call: most of the row writer's time)."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, _RawNumber):
        return str.__str__(value)
    if type(value) is str:
        return encode_basestring(value)
    return json.dumps(value, ensure_ascii=False)


def json_cell(field: FieldInfo) -> Callable[[str], str]:
    """``_dump(json_value(field, text))``, with the field's type looked up once."""
    if field.type in ("integer", "number", "year"):
        number = JSON_NUMBER.fullmatch
        return lambda text: (text if number(text) else encode_basestring(text)) if text else "null"
    if field.type == "boolean":
        return lambda text: _dump(json_value(field, text))
    return lambda text: encode_basestring(text) if text else "null"


def write_json(src: Path, dst: Path, header: dict[str, Any], fields: tuple[FieldInfo, ...]) -> None:
    """``{...header, "data": [{field: value}, ...]}``, one record per line, streamed."""
    cells_of = [(json.dumps(f.name, ensure_ascii=False) + ": ", json_cell(f)) for f in fields]
    rows = _read_csv(src)
    next(rows, None)  # the header: field names come from the schema
    head = json.dumps(header, ensure_ascii=False, indent=2)
    with open(dst, "w", encoding="utf-8", newline="\n") as handle:
        handle.write(head[:-1].rstrip() + ',\n  "data": [')
        first = True
        for row in rows:
            cells = [name + cell(value) for (name, cell), value in zip(cells_of, row, strict=False)]
            handle.write(("\n    {" if first else ",\n    {") + ", ".join(cells) + "}")
            first = False
        handle.write("\n  ]\n}\n" if not first else "]\n}\n")


def _significant_digits(number: str) -> int:
    mantissa = re.split("[eE]", number.lstrip("-"))[0].replace(".", "")
    return len(mantissa.lstrip("0"))


def xlsx_value(field: FieldInfo, text: str) -> Any:
    """A CSV cell as the value an Excel cell should hold.

    Numbers become numbers only while Excel can hold them exactly (15 digits): a long
    code typed as integer stays text rather than turning into 1.2E+17.
    """
    if text == "":
        return None
    if field.type in ("integer", "year") and re.fullmatch(r"-?\d+", text):
        return int(text) if _significant_digits(text) <= EXCEL_EXACT_DIGITS else text
    if field.type == "number" and JSON_NUMBER.fullmatch(text):
        return float(text) if _significant_digits(text) <= EXCEL_EXACT_DIGITS else text
    if field.type == "boolean":
        value = json_value(field, text)
        if isinstance(value, bool):
            return value
    if field.type == "date":
        try:
            day = dt.date.fromisoformat(text)
        except ValueError:
            return _clean_text(text)
        return day if day.year >= 1900 else text
    return _clean_text(text)


def _clean_text(text: str) -> str:
    return XML_ILLEGAL.sub("", text)[:EXCEL_MAX_CELL]


def write_xlsx(
    src: Path,
    dst: Path,
    fields: tuple[FieldInfo, ...],
    title: str,
    created: dt.date,
    modified: dt.date,
    sheet_title: str = "data",
    fields_sheet_title: str = "fields",
    rows_xml: Callable[[Path, tuple[FieldInfo, ...]], Iterable[bytes | memoryview]] | None = None,
) -> None:
    """A workbook: the rows on one sheet headed by the field titles, and on another the
    field names, titles, types and descriptions.

    Written by generator/xlsx.py (a few fixed parts and one XML line per row): text is
    always an inline string, so a cell like "=1+1" stays data and never a formula. With
    ``rows_xml`` (fastxlsx.sheet_rows) the data rows come as XML converted column by
    column; when it declines the file (Unsupported), row by row, to the same bytes.
    """
    from .xlsx import write_workbook

    def data_rows() -> Iterator[list[Any]]:
        rows = _read_csv(src)
        next(rows, None)
        for row in rows:
            yield [xlsx_value(field, value) for field, value in zip(fields, row, strict=False)]

    def field_rows() -> Iterator[list[Any]]:
        yield ["name", "title", "type", "description"]
        for f in fields:
            yield [_clean_text(v) or None for v in (f.name, f.title, f.type, f.description)]

    def write(rows: Iterable[list[Any]], more: Iterable[bytes]) -> None:
        header = [[_clean_text(h) for h in human_header(fields)]]  # for people: the titles
        with ZipWriter(dst, modified) as archive:
            write_workbook(
                archive,
                [
                    (sheet_title, itertools.chain(header, rows), more),
                    (fields_sheet_title, field_rows(), ()),
                ],
                title,
                created,
                modified,
            )

    if rows_xml is not None:
        try:
            write((), rows_xml(src, fields))
            return
        except Unsupported:
            pass  # written again, row by row
    write(data_rows(), ())


def write_zip(dst: Path, members: list[tuple[str, Path]], day: dt.date) -> None:
    """A zip of files in the given order, with fixed timestamps."""
    with ZipWriter(dst, day) as archive:
        for arcname, path in members:
            archive.write_file(arcname, path, ZIP_LEVEL, ZIP_LEVEL)
