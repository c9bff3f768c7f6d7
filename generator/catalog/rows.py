"""Reading a resource's own file: its rows as lists of strings, CSV or XLSX.

The one reader of data files for every stage: the checks (personal data in open data), the
data stage (through :mod:`generator.data.reader`, which adds derivatives) and the audit all
read a file as frictionless validated it. Only paths the loader checked are opened, each
once, by descriptor, with its real path checked on the descriptor (runtime/files.py); CSV
files are parsed with the resource's dialect (catalog/dialect.py).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator

from ..model import Dataset, Resource
from ..runtime.files import data_file
from .dialect import dialect_of


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


def source_rows(ds: Dataset, res: Resource) -> Iterator[list[str]]:
    """Yield the header row, then each data row, of the resource's own file."""
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
    with data_file(ds.folder, res.path, ds.id) as raw:
        handle = io.TextIOWrapper(raw, encoding=encoding, errors="strict", newline="")
        rows = csv.reader(handle, dialect.python())
        if not dialect.header:  # no header row in the file: the schema names the columns
            yield [f.name for f in res.fields]
        yield from rows


def _xlsx_rows(ds: Dataset, res: Resource) -> Iterator[list[str]]:
    from openpyxl import load_workbook

    with data_file(ds.folder, res.path, ds.id) as handle:
        wb = load_workbook(handle, read_only=True, data_only=True)
        try:
            sheet = res.raw.get("sheet")
            if isinstance(sheet, str):
                ws = wb[sheet]
            elif isinstance(sheet, int) and not isinstance(sheet, bool) and sheet >= 1:
                ws = wb.worksheets[sheet - 1]  # 1-based, as in frictionless
            else:
                ws = wb.worksheets[0]
            for row in ws.iter_rows(values_only=True):
                cells = [cell_text(v) for v in row]
                if any(cells):
                    yield cells
        finally:
            wb.close()
