"""Control characters and byte-order marks inside cells are data errors, named by row
and field with the code point, never by the cell; ordinary tabs, quoted line breaks and
the BOM at the start of a file are not."""

from __future__ import annotations

import re

from .conftest import dataset_yaml

LEGAL = "legal_basis: 《某条例》第三条\n"

FIELDS = """\
- {name: line_id, type: string, title: 线路编号}
- {name: stops, type: integer, title: 站点数}
"""


def _problems(output: str) -> list[tuple[str, str, str]]:
    return re.findall(r"行 (\d+) 字段 (\w+): .*?实际: (U\+[0-9A-F]{4})", output)


def test_control_characters_and_inner_boms_are_named_by_row_and_field(catalog, cli):
    text = (
        "\ufeffline_id,stops\n"  # the BOM at the start of the file is Excel's: fine
        "L0\x0001,3\n"
        '"L0\n02",4\n'  # a quoted line break: fine (and makes line numbers differ from rows)
        "\ufeffL003,5\n"
        "L\t004,6\n"  # a tab: fine
        "L005,\x0b7\n"
    )
    catalog.dataset("bus-lines", csv_text=text)
    run = cli("check", "--catalog", catalog.root)
    assert run.exit_code == 1, run.output
    assert _problems(run.output) == [
        ("2", "line_id", "U+0000"),
        ("4", "line_id", "U+FEFF"),
        ("6", "stops", "U+000B"),
    ], run.output
    assert "L0\x0001" not in run.output and "\x0b" not in run.output


def test_gbk_files_are_scanned_too(catalog, cli):
    catalog.dataset("bus-lines", csv_text="line_id,stops\n公交\x1f线,3\n", encoding="gbk")
    run = cli("check", "--catalog", catalog.root, "--lang", "en")
    assert run.exit_code == 1, run.output
    assert "row 2, field line_id holds an invisible control character U+001F" in run.output


def test_clean_files_and_unpublished_data_pass(catalog, cli):
    catalog.dataset("bus-lines", csv_text="line_id,stops\nL001,3\n")
    catalog.dataset(
        "closed-lines",
        csv_text="line_id,stops\nL\x00001,3\n",
        descriptor=dataset_yaml("closed-lines", open_type="非开放", extra=LEGAL),
    )
    run = cli("check", "--catalog", catalog.root)
    assert run.exit_code == 0, run.output


def test_a_bom_inside_a_workbook_cell(catalog, cli):
    import openpyxl

    descriptor = dataset_yaml("bus-lines", path="data/rows.xlsx").replace(
        "format: csv", "format: xlsx"
    )
    folder = catalog.dataset("bus-lines", descriptor=descriptor)
    book = openpyxl.Workbook()
    book.active.append(["line_id", "stops"])
    book.active.append(["L001", 3])
    book.active.append(["\ufeffL002", 4])
    book.save(folder / "data" / "rows.xlsx")
    run = cli("check", "--catalog", catalog.root)
    assert run.exit_code == 1, run.output
    assert _problems(run.output) == [("3", "line_id", "U+FEFF")], run.output
