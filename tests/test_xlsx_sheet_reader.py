"""generator/catalog/sheet.py reads a worksheet's values exactly as openpyxl's read-only
``iter_rows(values_only=True)`` does: on workbooks written by openpyxl, on the demo's (the
benchmark's are clones of it), and on sheet XML written by hand (missing references, rows
left out, repeated or out of order, a dimension smaller or larger than the data, rich text,
phonetic runs, empty and spaced text), fixed and generated."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

import openpyxl
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont

from generator.catalog.sheet import open_workbook, sheet_rows

ROOT = Path(__file__).resolve().parents[1]
NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
STRINGS_TYPE = (
    '<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
)


def both(data: bytes, sheet: int = 0) -> tuple[list, list]:
    """(openpyxl's rows, ours) of one sheet, each from its own load of the bytes."""
    theirs = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    ours = open_workbook(io.BytesIO(data))
    try:
        return (
            list(theirs.worksheets[sheet].iter_rows(values_only=True)),
            list(sheet_rows(ours.worksheets[sheet])),
        )
    finally:
        theirs.close()
        ours.close()


def saved(wb: openpyxl.Workbook) -> bytes:
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def with_sheet(xml: str, strings: str | None = None) -> bytes:
    """A workbook whose first sheet (and shared strings) is the given XML (openpyxl's own
    other parts)."""
    wb = openpyxl.Workbook()
    wb.active.append(["x"])
    wb.active.cell(row=1, column=2).number_format = "yyyy-mm-dd"  # style 1 is a date
    base = zipfile.ZipFile(io.BytesIO(saved(wb)))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as book:
        for info in base.infolist():
            data = base.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = xml.encode("utf-8")
            if info.filename == "[Content_Types].xml" and strings is not None:
                data = data.replace(b"</Types>", STRINGS_TYPE.encode() + b"</Types>")
            book.writestr(info, data)
        if strings is not None:  # openpyxl writes none: Excel keeps every text there
            book.writestr("xl/sharedStrings.xml", f'<sst xmlns="{NS}">{strings}</sst>')
    return out.getvalue()


def sheet_xml(rows: str, dimension: str | None = "A1:C4") -> str:
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    return f'<worksheet xmlns="{NS}">{dim}<sheetData>{rows}</sheetData></worksheet>'


def test_a_workbook_of_every_type_written_by_openpyxl():
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["名称", "数量", "日期", "时刻", "金额", "是否", "备注"])
    ws.append(["一", 1, dt.date(2024, 1, 2), dt.time(8, 30), 1.5, True, None])
    ws.append(["  空格  ", -2, dt.datetime(2024, 1, 2, 3, 4, 5), dt.timedelta(hours=30), 1e20])
    ws.append([None, None, None, None, None, None, None])
    ws.append(["_x000D_", "=1+1", "#N/A", "", 0, False, "尾"])
    rich = CellRichText(["红", TextBlock(InlineFont(b=True), "粗体"), "字"])
    ws.cell(row=7, column=3, value=rich)
    ws.cell(row=9, column=9, value="远处")
    other = wb.create_sheet("第二")
    other.append(["a", 1])
    data = saved(wb)
    for index in (0, 1):
        theirs, ours = both(data, index)
        assert ours == theirs
    assert len(both(data)[0]) == 9


def test_the_demo_workbooks():  # the benchmark clones them
    files = sorted((ROOT / "catalog").rglob("*.xlsx"))
    assert files
    for path in files:
        theirs, ours = both(path.read_bytes())
        assert ours == theirs, path


CASES = {
    "plain": '<row r="1"><c r="A1" t="inlineStr"><is><t>甲</t></is></c>'
    '<c r="B1"><v>2</v></c></row>',
    "no references": '<row><c t="inlineStr"><is><t>a</t></is></c>'
    '<c t="inlineStr"><is><t>b</t></is></c></row>'
    '<row><c><v>1</v></c><c t="inlineStr"><is><t/></is></c></row>',
    "rows left out": '<row r="2"><c r="B2" t="inlineStr"><is><t>b</t></is></c></row>'
    '<row r="4"><c r="C4" t="inlineStr"><is><t>c</t></is></c></row>',
    "repeated and out of order": '<row r="2"><c r="A2" t="inlineStr"><is><t>x</t></is></c></row>'
    '<row r="2"><c r="A2" t="inlineStr"><is><t>y</t></is></c></row>'
    '<row r="1"><c r="A1" t="inlineStr"><is><t>z</t></is></c></row>',
    "beyond the dimension": '<row r="1"><c r="A1" t="inlineStr"><is><t>a</t></is></c>'
    '<c r="E1" t="inlineStr"><is><t>e</t></is></c></row>'
    '<row r="6"><c r="A6" t="inlineStr"><is><t>f</t></is></c></row>',
    "rich and phonetic": '<row r="1"><c r="A1" t="inlineStr"><is><r><t>红</t></r><r><rPr><b/></rPr>'
    '<t>字</t></r></is></c><c r="B1" t="inlineStr"><is><t>漢</t><rPh sb="0" eb="1"><t>かん</t>'
    '</rPh></is></c><c r="C1" t="inlineStr"><is/></c><c r="A2" t="inlineStr"/></row>',
    "spaces and escapes": '<row r="1"><c r="A1" t="inlineStr"><is><t xml:space="preserve">  a  </t>'
    '</is></c><c r="B1" t="inlineStr"><is><t>_x0001_&amp;&lt;</t></is></c>'
    '<c r="C1" s="1" t="inlineStr"><is><t>45000</t></is></c></row>',
    "dates and other types": '<row r="1"><c r="A1" s="1"><v>45000</v></c>'
    '<c r="B1" t="b"><v>1</v></c>'
    '<c r="C1" t="str"><f>A1</f><v>公式</v></c><c r="D1" t="e"><v>#DIV/0!</v></c>'
    '<c r="E1" t="d"><v>2024-01-02T03:04:05</v></c><c r="F1"><v>1.50</v></c></row>',
}


def test_sheets_written_by_hand():
    for name, rows in CASES.items():
        for dimension in ("A1:C4", "A1:B1", None):
            theirs, ours = both(with_sheet(sheet_xml(rows, dimension)))
            assert ours == theirs, (name, dimension)


SHARED = (
    '<si><t>甲</t></si><si><t/></si><si><t xml:space="preserve"> 乙 </t></si>'
    "<si><r><t>红</t></r><r><rPr><b/></rPr><t>字</t></r></si>"
    '<si><t>漢</t><rPh sb="0" eb="1"><t>かん</t></rPh></si>'
    "<si><t>_x005F_x0001_ and _x000D_</t></si><si/>"
)


def test_shared_strings_written_by_hand():
    cells = "".join(f'<c r="{"ABCDEFG"[i]}1" t="s"><v>{i}</v></c>' for i in range(7))
    theirs, ours = both(with_sheet(sheet_xml(f'<row r="1">{cells}</row>', "A1:G1"), SHARED))
    assert ours == theirs
    assert ours[0][:3] == ("甲", "", " 乙 ")


_TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=6)


def _cell(kind: str, text: str, number: int) -> str:
    escaped = text.replace("&", "&amp;").replace("<", "&lt;")
    return {
        "inline": f'<is><t xml:space="preserve">{escaped}</t></is>',
        "empty": "<is><t/></is>",
        "runs": f"<is><r><t>{escaped}</t></r><r><t>!</t></r></is>",
        "number": f"<v>{number}</v>",
        "date": f"<v>{abs(number) % 60000}</v>",
        "none": "",
    }[kind]


_CELLS = st.lists(
    st.tuples(
        st.sampled_from(["inline", "empty", "runs", "number", "date", "none"]),
        _TEXT,
        st.integers(-(10**6), 10**6),
        st.booleans(),  # whether the cell names its reference
    ),
    max_size=5,
)


@settings(max_examples=60, deadline=None)
@given(
    rows=st.lists(st.tuples(st.integers(1, 6), st.booleans(), _CELLS), max_size=6),
    dimension=st.sampled_from([None, "A1:B2", "A1:D6", "A1:F9"]),
)
def test_generated_sheets(rows, dimension):
    xml = []
    for number, named, cells in rows:
        parts = []
        for column, (kind, text, value, ref) in enumerate(cells, start=1):
            attrs = f' r="{"ABCDE"[column - 1]}{number}"' if ref and named else ""
            if kind in ("inline", "empty", "runs"):
                attrs += ' t="inlineStr"'
            if kind == "date":
                attrs += ' s="1"'
            parts.append(f"<c{attrs}>{_cell(kind, text, value)}</c>")
        reference = f' r="{number}"' if named else ""
        xml.append(f"<row{reference}>{''.join(parts)}</row>")
    theirs, ours = both(with_sheet(sheet_xml("".join(xml), dimension)))
    assert ours == theirs
