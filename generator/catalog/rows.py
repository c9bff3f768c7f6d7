"""Reading a resource's own file: its rows as lists of strings, CSV or XLSX.

The one reader of data files for every stage: the checks (personal data in open data), the
data stage (through :mod:`generator.data.reader`, which adds derivatives) and the audit all
read a file as frictionless validated it. Only paths the loader checked are opened, each
once, by descriptor, with its real path checked on the descriptor (runtime/files.py); CSV
files are parsed with the resource's dialect (catalog/dialect.py).

An XLSX sheet costs far more to parse than its CSV would (openpyxl builds an object per
cell: ~60 ms for 3,000 cells). Inside :func:`read_once` a sheet is parsed once and its
values are shared by every reader of that block: the validation stage feeds them to
frictionless and to the personal-data and control-character scans, which read the same
workbook three times otherwise.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from ..model import Dataset, Resource
from ..runtime.files import data_file
from .dialect import dialect_of

log = logging.getLogger(__name__)


def cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


# A workbook at most this large has its values held in memory to be shared inside
# read_once (about 40 bytes of values per byte of .xlsx); a larger one is streamed by
# each reader, as outside the block.
SHARE_MAX_BYTES = 4 << 20

_SHARED: ContextVar[dict[tuple[str, str], list[list[object]]] | None] = ContextVar(
    "kaifang_shared_sheets", default=None
)


@contextmanager
def read_once() -> Iterator[None]:
    """Inside the block, each XLSX sheet is parsed at most once (see :func:`sheet_values`)."""
    token = _SHARED.set({})
    try:
        yield
    finally:
        _SHARED.reset(token)


def _sheet(wb: object, res: Resource) -> object:
    sheet = res.raw.get("sheet")
    if isinstance(sheet, str):
        return wb[sheet]  # type: ignore[index]
    if isinstance(sheet, int) and not isinstance(sheet, bool) and sheet >= 1:
        return wb.worksheets[sheet - 1]  # type: ignore[attr-defined]  # 1-based, as frictionless
    return wb.worksheets[0]  # type: ignore[attr-defined]


def sheet_values(ds: Dataset, res: Resource) -> list[list[object]] | None:
    """Every row of the resource's sheet (blank ones too) as openpyxl gives its values
    (read-only, cached values of formulas), exactly the cells frictionless reads.

    Parsed once inside :func:`read_once` and shared there; None outside the block, for a
    workbook over SHARE_MAX_BYTES, or when the file cannot be read: each reader then opens
    it itself and reports what goes wrong as it always did.
    """
    shared = _SHARED.get()
    if shared is None or res.format != "xlsx" or not res.path:
        return None
    key = (str(ds.folder / res.path), repr(res.raw.get("sheet")))
    if key in shared:
        return shared[key]
    try:
        if (ds.folder / res.path).stat().st_size > SHARE_MAX_BYTES:
            return None
        from .sheet import open_workbook, sheet_rows  # openpyxl: only when a sheet is read

        with data_file(ds.folder, res.path, ds.id) as handle:
            wb = open_workbook(handle)
            try:
                rows = [list(row) for row in sheet_rows(_sheet(wb, res))]
            finally:
                wb.close()
    except Exception as exc:  # noqa: BLE001 - whatever openpyxl raises, each reader's own
        # open raises it again and reports it as it always did (frictionless: format-error)
        log.debug("%s/%s: not shared (%s)", ds.id, res.name, type(exc).__name__)
        return None
    shared[key] = rows
    return rows


def source_rows(ds: Dataset, res: Resource, data: bytes | None = None) -> Iterator[list[str]]:
    """Yield the header row, then each data row, of the resource's own file (of a CSV
    file's ``data``, when a caller read it already through data_file)."""
    if res.format == "xlsx":
        yield from _xlsx_rows(ds, res)
        return
    # res.encoding is the codec the loader established by strict decoding (generator/
    # encoding.py): GBK and GB18030 files are read as such, so the published UTF-8 has no
    # mojibake. Decoding stays strict: a file that changed since loading fails loudly.
    encoding = res.encoding.lower()
    if encoding in ("utf-8", "utf8"):
        encoding = "utf-8-sig"  # tolerate a BOM; it never reaches the output
    dialect = dialect_of(res.raw)  # the one frictionless validated the file with
    with io.BytesIO(data) if data is not None else data_file(ds.folder, res.path, ds.id) as raw:
        handle = io.TextIOWrapper(raw, encoding=encoding, errors="strict", newline="")
        rows = csv.reader(handle, dialect.python())
        if not dialect.header:  # no header row in the file: the schema names the columns
            yield [f.name for f in res.fields]
        yield from rows


def _xlsx_rows(ds: Dataset, res: Resource) -> Iterator[list[str]]:
    shared = sheet_values(ds, res)
    if shared is not None:
        yield from _text_rows(shared)
        return
    from .sheet import open_workbook, sheet_rows  # openpyxl: only when a sheet is read

    with data_file(ds.folder, res.path, ds.id) as handle:
        wb = open_workbook(handle)
        try:
            yield from _text_rows(sheet_rows(_sheet(wb, res)))
        finally:
            wb.close()


def _text_rows(values: Iterator[tuple[object, ...]] | list[list[object]]) -> Iterator[list[str]]:
    for row in values:
        cells = [cell_text(v) for v in row]
        if any(cells):
            yield cells
