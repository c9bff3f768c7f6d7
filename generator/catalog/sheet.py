"""The values of one worksheet, as openpyxl's read-only ``iter_rows(values_only=True)``
gives them, with less work per text cell.

openpyxl turns every inline string (``<c t="inlineStr"><is><t>…</t></is></c>``, how
Kaifang's own workbooks and many exports hold text) into a rich-text object to take its
text back out: two thirds of the time it spends on a sheet of such cells. A cell whose
inline string is one plain ``<t>`` is read here straight from the element; every other
cell (numbers, dates, shared strings, booleans, rich text, phonetic runs) goes through
openpyxl's own cell parser, and the rows are padded and numbered as openpyxl does (the
sheet's declared dimension bounds them, missing rows come back blank). The shared-strings
table, where Excel and WPS keep text, is read the same way by :func:`open_workbook`. The
tests compare the two on workbooks written by openpyxl, by Kaifang and by hand.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from openpyxl.cell.text import Text
from openpyxl.reader.excel import SHARED_STRINGS, ExcelReader
from openpyxl.utils.cell import coordinate_to_tuple
from openpyxl.worksheet._read_only import ReadOnlyWorksheet
from openpyxl.worksheet._reader import INLINE_STRING, WorkSheetParser
from openpyxl.xml.functions import iterparse

_TEXT = INLINE_STRING[: -len("is")] + "t"  # the main namespace's <t>
_SHARED = INLINE_STRING[: -len("is")] + "si"  # one string of the shared-strings table


def _plain(element: Any) -> str | None:
    """The text of an <is> or <si> holding one plain <t> (``<t/>`` is ""); None for any
    other content (rich-text runs, phonetic guides), which openpyxl's Text reads."""
    if len(element) != 1 or element[0].tag != _TEXT or len(element[0]):
        return None
    return element[0].text or ""


class _Book(ExcelReader):  # type: ignore[misc]
    """openpyxl's workbook reader; a plain shared string is read without a rich-text
    object (Excel keeps every text cell there), the rest as openpyxl reads it."""

    def read_strings(self) -> None:
        part = self.package.find(SHARED_STRINGS)
        if part is None or self.rich_text:
            super().read_strings()
            return
        strings: list[str] = []
        with self.archive.open(part.PartName[1:]) as source:
            for _, node in iterparse(source):
                if node.tag != _SHARED:
                    continue
                text = _plain(node)
                if text is None:
                    text = Text.from_tree(node).content
                strings.append(text.replace("x005F_", ""))  # as openpyxl's table reader
                node.clear()
        self.shared_strings = strings


def open_workbook(source: Any) -> Any:
    """``load_workbook(source, read_only=True, data_only=True)``, the shared strings read
    faster (the same strings)."""
    book = _Book(source, read_only=True, data_only=True)
    book.read()
    return book.wb


class _Parser(WorkSheetParser):  # type: ignore[misc]
    """openpyxl's sheet parser, with a plain inline string read without a rich-text object."""

    def parse_cell(self, element: Any) -> dict[str, Any]:
        if element.get("t") != "inlineStr" or not self.data_only or self.rich_text:
            return super().parse_cell(element)  # type: ignore[no-any-return]
        inline = element.find(INLINE_STRING)
        text = None if inline is None else _plain(inline)
        if text is None:
            return super().parse_cell(element)  # type: ignore[no-any-return]
        coordinate = element.get("r")
        if coordinate:
            row, column = coordinate_to_tuple(coordinate)
            self.col_counter = column
        else:  # a cell without its reference is the next one of its row
            self.col_counter += 1
            row, column = self.row_counter, self.col_counter
        style = element.get("s", 0)
        return {
            "row": row,
            "column": column,
            "value": text,
            "data_type": "s",
            "style_id": int(style) if style else style,
        }


def sheet_rows(ws: Any) -> Iterator[tuple[object, ...] | list[object]]:
    """Every row of a read-only worksheet (``load_workbook(read_only=True)``) as a tuple of
    values, exactly ``ws.iter_rows(values_only=True)``; any other worksheet is read by
    openpyxl itself."""
    if not isinstance(ws, ReadOnlyWorksheet):
        yield from ws.iter_rows(values_only=True)
        return
    book = ws.parent
    width, last = ws.max_column, ws.max_row  # the sheet's <dimension>, if it has one
    # a blank row: the dimension's width of None (an empty list, as openpyxl, without one)
    blank: tuple[object, ...] | list[object] = (None,) * width if width is not None else []
    expected = 1  # the number of the next row to yield
    number = 1
    with ws._get_source() as source:
        parser = _Parser(
            source,
            ws._shared_strings,
            data_only=book.data_only,
            epoch=book.epoch,
            date_formats=book._date_formats,
            timedelta_formats=book._timedelta_formats,
        )
        for number, cells in parser.parse():
            if last is not None and number > last:
                break
            while expected < number:  # rows the file leaves out are blank rows
                yield blank
                expected += 1
            if expected == number:  # a row repeated or out of order is not read again
                expected += 1
                yield _values(cells, width)
    if last is not None and number > last:  # cut at the dimension: its rows up to it
        while expected <= last:
            yield blank
            expected += 1


def _values(cells: list[dict[str, Any]], width: int | None) -> tuple[object, ...]:
    if not cells and not width:
        return ()
    size = width or cells[-1]["column"]
    values: list[object] = [None] * size
    for cell in cells:
        column = cell["column"]
        if 1 <= column <= size:
            values[column - 1] = cell["value"]
    return tuple(values)
