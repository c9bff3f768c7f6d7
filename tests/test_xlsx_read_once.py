"""An XLSX source is parsed once by the validation stage (catalog/rows.py read_once): the
values openpyxl reads feed frictionless (as inline rows) and the personal-data and
control-character scans. Findings stay exactly frictionless's own, on its own reading of
the workbook, and the scans find what they found reading the workbook themselves."""

from __future__ import annotations

import datetime as dt
import textwrap
from collections import Counter
from pathlib import Path

import openpyxl
import pytest
from openpyxl.reader.excel import ExcelReader

from generator.catalog import rows as rows_module
from generator.catalog.loader import load_catalog
from generator.checks.findings import MAX_ERRORS_PER_RESOURCE, frictionless_findings
from generator.checks.validate import validate_dataset

from .test_frictionless_parity import frictionless_cli, kaifang_cli

DESCRIPTOR = textwrap.dedent("""\
    name: sheet
    title: 表格数据
    description: 用于比对 XLSX 的读取
    publisher: jtj
    theme: transport
    open_type: 无条件开放
    update_frequency: monthly
    issued: '2024-01-01'
    modified: '2026-01-01'
    resources:
      - name: lines
        path: data/lines.xlsx
        format: xlsx
        {sheet}
        schema:
          fields:
            - {{name: line_id, type: string, constraints: {{required: true, unique: true}}}}
            - {{name: stops, type: integer, constraints: {{minimum: 2}}}}
            - {{name: opened, type: date}}
            - {{name: fare, type: number}}
            - {{name: night, type: boolean}}
            - {{name: note, type: string}}
          primaryKey: [line_id]
""")

ROWS: list[list[object]] = [
    ["line_id", "stops", "opened", "fare", "night", "note"],
    ["L1", 12, dt.datetime(2021, 4, 1), 2, True, "常规"],
    ["L2", "三十", dt.datetime(2021, 5, 1, 8, 30), 2.5, False, "司机 13800138000"],
    [None, 1, "2021-02-30", "两元", "是", None],
    ["L1", 100, dt.date(2021, 6, 1), 1.25, None, "重复\ufeff编号"],
    [None, None, None, None, None, None],
    ["L6", 20, None, 3, True, "多", "余"],
    ["L7", 7],
    [123, 8, dt.datetime(2021, 8, 1), 0.1, 1, "身份证 11010519491231002X"],
]


def workbook(folder: Path, rows: list[list[object]], title: str = "Sheet") -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = title
    wb.create_sheet("其他").append(["other"])
    for row in rows:
        ws.append(row)
    ws["F12"] = "=B2*2"  # a formula: its cached value (none, written by openpyxl) is read
    (folder / "data" / "rows.csv").unlink(missing_ok=True)
    wb.save(folder / "data" / "lines.xlsx")


def write(catalog, sheet: str = "") -> Path:
    folder = catalog.dataset("sheet", descriptor=DESCRIPTOR.format(sheet=sheet))
    workbook(folder, ROWS, title="线路")
    return folder


class Opened:
    """Counts the workbooks opened: frictionless's load_workbook and Kaifang's reader
    (catalog/sheet.py) both read a workbook through openpyxl's ExcelReader."""

    def __init__(self, monkeypatch) -> None:
        self.count = 0
        real = ExcelReader.read

        def counting(reader):
            self.count += 1
            return real(reader)

        monkeypatch.setattr(ExcelReader, "read", counting)


@pytest.mark.parametrize("sheet", ["", "sheet: 线路", "sheet: 1"])
def test_one_parse_per_source_same_report(catalog, monkeypatch, sheet):
    write(catalog, sheet)
    cat, _ = load_catalog(catalog.root)
    assert cat is not None
    ds = cat.dataset("sheet")
    opened = Opened(monkeypatch)
    shared = validate_dataset(cat, ds)
    assert opened.count == 1  # frictionless, the personal-data and control scans: one parse
    monkeypatch.setattr(rows_module, "SHARE_MAX_BYTES", -1)  # every reader opens it itself
    opened.count = 0
    alone = validate_dataset(cat, ds)
    assert opened.count == 3  # as before: frictionless, personal data, control characters
    assert shared == alone  # every finding (type, row, field, cell) and every problem
    codes = Counter(p.code for p in shared.problems)
    assert codes["pii-in-data-mobile"] == 1 and codes["pii-in-data-id_number"] == 1
    assert codes["data-control-character"] == 1
    kinds = {t for r in shared.resources for t in r.errors_by_type}
    # the seventh column of one row makes the header's seventh cell blank: extra-label
    assert {"type-error", "constraint-error", "primary-key", "unique-error", "blank-row"} <= kinds
    assert "extra-label" in kinds


def test_same_findings_as_frictionless_validate_on_the_workbook(catalog, cli):
    folder = write(catalog)
    reference = frictionless_cli(folder)  # frictionless's own reading of the .xlsx
    code, report, ours = kaifang_cli(cli, catalog)
    assert code == 1
    del ours["lines", "control-character", 5, "note"]  # Kaifang's own check, not frictionless's
    assert sum(reference.values()) > MAX_ERRORS_PER_RESOURCE
    assert ours <= reference and sum(ours.values()) == MAX_ERRORS_PER_RESOURCE
    cat, _ = load_catalog(catalog.root)
    assert cat is not None
    with rows_module.read_once():  # as the validation stage reads it
        findings, _ = frictionless_findings(cat.dataset("sheet"))
    by_kind = Counter(kind for _, kind, _, _ in reference)
    assert findings["lines"].by_type == by_kind  # every error counted, unlisted ones too


def test_a_sheet_frictionless_counts_differently_is_read_by_frictionless(catalog, monkeypatch):
    """sheet: 0 is the last sheet to frictionless (Python's [-1]), the first to the reader:
    frictionless then reads the bytes itself, and its findings are its own."""
    write(catalog, "sheet: 0")
    cat, _ = load_catalog(catalog.root)
    assert cat is not None
    ds = cat.dataset("sheet")
    opened = Opened(monkeypatch)
    with rows_module.read_once():
        findings, _ = frictionless_findings(ds)
    assert opened.count == 1  # frictionless's own parse; no shared values made for it
    monkeypatch.setattr(rows_module, "SHARE_MAX_BYTES", -1)
    assert frictionless_findings(ds)[0] == findings


def test_an_unreadable_workbook_is_reported_as_frictionless_reports_it(catalog, monkeypatch):
    folder = write(catalog)
    cat, _ = load_catalog(catalog.root)
    assert cat is not None
    ds = cat.dataset("sheet")
    (folder / "data" / "lines.xlsx").write_bytes(b"PK\x03\x04 not a workbook")
    with rows_module.read_once():
        shared = frictionless_findings(ds)
    assert rows_module.sheet_values(ds, ds.resources[0]) is None  # outside the block
    alone = frictionless_findings(ds)
    assert shared == alone
    assert [f.type for f in shared[0]["lines"].kept] == ["format-error"]


def test_values_are_held_only_inside_the_block(catalog):
    write(catalog)
    cat, _ = load_catalog(catalog.root)
    assert cat is not None
    ds = cat.dataset("sheet")
    res = ds.resources[0]
    assert rows_module.sheet_values(ds, res) is None
    with rows_module.read_once():
        values = rows_module.sheet_values(ds, res)
        assert values is not None and values[0][:2] == ["line_id", "stops"]
        assert rows_module.sheet_values(ds, res) is values  # the same parse, shared
        # every row as openpyxl reads it, the blank one too: frictionless numbers rows so
        assert len(values) == 12
        # frictionless's copy is its own: what it does to its rows the scans never see
        before = [list(r) for r in values]
        frictionless_findings(ds)
        assert values == before
        texts = list(rows_module.source_rows(ds, res))
    assert texts == list(rows_module.source_rows(ds, res))  # the same text rows either way
