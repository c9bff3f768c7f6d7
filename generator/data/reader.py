"""Streaming access to a resource's rows, the same way for CSV and XLSX.

Rows come out as lists of strings in schema order so that derivation never holds a whole
file in memory. Only paths already checked by the loader are opened.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterator
from pathlib import Path

from ..model import Dataset, Resource
from .desensitise import derived_rows


def _cell_text(value: object) -> str:
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


def iter_rows(ds: Dataset, res: Resource) -> Iterator[list[str]]:
    """Yield the header row, then each data row, as strings.

    A derivative's rows are its source's rows with the desensitise rules applied: the
    untransformed values never leave this generator.
    """
    derivation = res.derivation
    if derivation is not None:
        source = iter_rows(derivation.source_dataset, derivation.source_resource)
        yield from derived_rows(derivation, source)
        return
    path: Path = ds.folder / res.path
    if res.format == "xlsx":
        from openpyxl import load_workbook

        wb = load_workbook(path, read_only=True, data_only=True)
        try:
            sheet = res.raw.get("sheet")
            if isinstance(sheet, str):
                ws = wb[sheet]
            elif isinstance(sheet, int) and not isinstance(sheet, bool) and sheet >= 1:
                ws = wb.worksheets[sheet - 1]  # 1-based, as in frictionless
            else:
                ws = wb.worksheets[0]
            for row in ws.iter_rows(values_only=True):
                cells = [_cell_text(v) for v in row]
                if any(cells):
                    yield cells
        finally:
            wb.close()
        return
    # res.encoding is the codec the loader established by strict decoding (generator/
    # encoding.py): GBK and GB18030 files are read as such, so the published UTF-8 has no
    # mojibake. Decoding stays strict: a file that changed since loading fails loudly.
    encoding = res.encoding.lower()
    if encoding in ("utf-8", "utf8"):
        encoding = "utf-8-sig"  # tolerate a BOM; it never reaches the output
    with open(path, encoding=encoding, errors="strict", newline="") as handle:
        yield from csv.reader(handle)
