"""A workbook row of formulas whose results were never saved reads as blank (openpyxl
writes no cached values, nor do many exporters). The message says so and how to fix it,
instead of the CSV advice about commas and quotes."""

from __future__ import annotations

import openpyxl

from .conftest import dataset_yaml


def test_formula_only_row_is_explained(catalog, cli):
    descriptor = dataset_yaml("bus-lines", path="data/rows.xlsx").replace(
        "format: csv", "format: xlsx"
    )
    folder = catalog.dataset("bus-lines", descriptor=descriptor)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["line_id", "stops"])
    sheet.append(["L001", 3])
    sheet.append(['=CONCAT("L","002")', "=1+3"])  # no cached results
    sheet.append(["L003", 5])
    book.save(folder / "data" / "rows.xlsx")

    zh = cli("check", "--catalog", catalog.root)
    assert zh.exit_code == 1, zh.output
    assert "第 3 行是空行，或只有未保存计算结果的公式" in zh.output, zh.output
    assert "保存一次" in zh.output and "逗号" not in zh.output, zh.output

    en = cli("check", "--catalog", catalog.root, "--lang", "en")
    assert "formulas whose results were never saved" in en.output, en.output
