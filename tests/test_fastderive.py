"""The columnar derivation writes the same bytes and summaries as the row loop."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.catalog.loader import load_catalog
from generator.data import derive, fastderive
from generator.runtime.output import OutputTree

FIELDS = """\
- {name: code, type: string, title: 编号}
- {name: amount, type: number, title: 金额}
- {name: count, type: integer, title: 数量}
- {name: day, type: date, title: 日期}
- {name: note, type: string, title: 备注}
"""


def _rows(n: int) -> str:
    # columns in another order than the schema, and one column the schema does not name
    lines = ["day,note,extra,code,count,amount"]
    for i in range(n):
        note = ["plain", "has,comma", 'has "quote"', "two\nlines", "", "北京"][i % 6]
        if '"' in note or "," in note or "\n" in note:
            note = '"' + note.replace('"', '""') + '"'
        amount = "" if i % 11 == 0 else f"{(i * 37) % 1000 / 8:g}"
        lines.append(f"2024-0{1 + i % 9}-1{i % 10},{note},x{i},C{i % 13},{i % 7 - 3},{amount}")
    return "\n".join(lines) + "\n"


def _derive_both(catalog, tmp_path: Path, monkeypatch, text: str, encoding: str = "utf-8"):
    catalog.dataset("big", csv_text=text, fields=FIELDS, encoding=encoding)
    if encoding != "utf-8":
        path = catalog.root / "datasets/big/datapackage.yaml"
        path.write_text(
            path.read_text(encoding="utf-8").replace(
                "format: csv", f"format: csv\n    encoding: {encoding}"
            ),
            encoding="utf-8",
        )
    cat, problems = load_catalog(catalog.root)
    assert cat is not None and not problems.errors, problems.items
    ds = cat.datasets[0]
    results = []
    for threshold in (1 << 40, 0):
        monkeypatch.setattr(derive, "FAST_DERIVE_MIN_BYTES", threshold)
        out = OutputTree(tmp_path / f"out-{threshold}")
        published = derive.derive_resource(ds, ds.resources[0], out)
        data = (out.root / published.files["csv"].path).read_bytes()
        results.append(
            (data, published.rows, published.preview, published.summaries, published.charts)
        )
    return results


@pytest.mark.parametrize("cap", [5, 10_000])
def test_same_bytes_and_summaries(catalog, tmp_path, monkeypatch, cap):
    monkeypatch.setattr(derive, "DISTINCT_CAP", cap)
    monkeypatch.setattr(fastderive, "BLOCK_BYTES", 512)  # many batches
    loop, columnar = _derive_both(catalog, tmp_path, monkeypatch, _rows(300))
    assert columnar == loop
    assert loop[1] == 300
    assert any(s.distinct_capped for s in loop[3]) == (cap == 5)
    assert any(chart.kind == "time" for chart in loop[4])  # the day field's monthly counts


@pytest.mark.parametrize(
    ("prefix", "encoding"), [("\ufeff", "utf-8"), ("", "gb18030")], ids=["bom", "gb18030"]
)
def test_bom_and_gb18030(catalog, tmp_path, monkeypatch, prefix, encoding):
    text = prefix + _rows(40)
    loop, columnar = _derive_both(catalog, tmp_path, monkeypatch, text, encoding)
    assert columnar == loop
    assert loop[0].startswith(b"code,amount,count,day,note\n")


def test_declines_what_it_cannot_copy_exactly(tmp_path):
    source = tmp_path / "s.csv"
    source.write_text("a,b\n1,2\n3\n", encoding="utf-8")  # a short row
    stats = [derive._FieldStats(derive.FieldInfo("a", "integer"))]
    with pytest.raises(fastderive.Unsupported), open(source, "rb") as handle:
        fastderive.write_csv_and_stats(
            handle,
            "utf-8",
            ["a"],
            ["integer"],
            tmp_path / "t.csv",
            stats,
            20,
            derive.ORDERED,
            derive.NUMERIC,
            10,
        )


def test_excel_csv_by_bytes_equals_the_row_writer(tmp_path):
    import csv as csv_module

    from generator.data import downloads

    src = tmp_path / "plain.csv"
    src.write_text("a,b\n1,北京\n2,\n", encoding="utf-8")
    fast_copy = tmp_path / "fast.csv"
    assert downloads._copy_without_quotes(src, fast_copy)
    rows_copy = tmp_path / "rows.csv"
    with open(rows_copy, "w", encoding="utf-8-sig", newline="") as handle:
        csv_module.writer(handle, lineterminator="\r\n").writerows(downloads._read_csv(src))
    assert fast_copy.read_bytes() == rows_copy.read_bytes()
    quoted = tmp_path / "quoted.csv"
    quoted.write_text('a,b\n1,"x\ny"\n', encoding="utf-8")
    assert not downloads._copy_without_quotes(quoted, tmp_path / "no.csv")


def test_no_xlsx_beyond_a_worksheet(catalog, tmp_path):
    from generator.data import downloads

    catalog.dataset("big")
    cat, _ = load_catalog(catalog.root)
    ds = cat.datasets[0]
    out = OutputTree(tmp_path / "out")
    published = derive.derive_resource(ds, ds.resources[0], out)
    assert "xlsx" in published.files
    src = out.root / published.files["csv"].path
    files = derive.write_variants(
        ds, ds.resources[0], src, OutputTree(tmp_path / "o2"), rows=downloads.EXCEL_MAX_ROWS
    )
    assert "xlsx" not in files and {"excel-csv", "json"} <= set(files)


def test_xlsx_writer_round_trips_through_openpyxl(tmp_path):
    import datetime as dt

    from openpyxl import load_workbook

    from generator.data.downloads import DeterministicZipFile, zip_date_time
    from generator.data.xlsx import column_letter, write_workbook

    assert [column_letter(i) for i in (0, 25, 26, 701, 702)] == ["A", "Z", "AA", "ZZ", "AAA"]
    wide = [[f"c{i}" for i in range(30)], [i * 1.5 if i % 2 else i for i in range(30)]]
    odd = [["a<b & c", " padded ", True, None, dt.date(2024, 2, 29), "=SUM(A1)", 12345678901234]]
    dst = tmp_path / "w.xlsx"
    with DeterministicZipFile(dst, zip_date_time(dt.date(2026, 1, 2))) as archive:
        write_workbook(
            archive,
            [("data", iter(wide)), ("其他", iter(odd))],
            "标题 & co",
            dt.date(2024, 1, 1),
            dt.date(2026, 1, 2),
        )
    wb = load_workbook(dst)
    assert wb.sheetnames == ["data", "其他"]
    assert [list(r) for r in wb["data"].iter_rows(values_only=True)] == wide
    row = next(wb["其他"].iter_rows(values_only=True))
    assert row == (
        "a<b & c",
        " padded ",
        True,
        None,
        dt.datetime(2024, 2, 29),
        "=SUM(A1)",
        12345678901234,
    )
    assert wb["其他"]["F1"].data_type == "s"
    assert wb.properties.title == "标题 & co"
