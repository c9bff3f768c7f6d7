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


def _load(catalog, text: str, encoding: str = "utf-8"):
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
    return cat.datasets[0]


def _published(out: OutputTree, published: derive.PublishedResource) -> tuple:
    data = (out.root / published.files["csv"].path).read_bytes()
    return data, published.rows, published.preview, published.summaries, published.charts


def _derive_both(catalog, tmp_path: Path, monkeypatch, text: str, encoding: str = "utf-8"):
    ds = _load(catalog, text, encoding)
    results = []
    monkeypatch.setattr(derive, "COLUMNS_MIN_ROWS", 0)  # short tables take the columns too
    for threshold in (1 << 40, 0):
        monkeypatch.setattr(derive, "FAST_DERIVE_MIN_BYTES", threshold)
        out = OutputTree(tmp_path / f"out-{threshold}")
        results.append(_published(out, derive.derive_resource(ds, ds.resources[0], out)))
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


@pytest.mark.parametrize(
    ("prefix", "encoding"), [("\ufeff", "utf-8"), ("", "gb18030")], ids=["bom", "gb18030"]
)
def test_a_short_source_is_read_once_for_the_row_loop(
    catalog, tmp_path, monkeypatch, prefix, encoding
):
    """A source short enough for the row loop is read once: the bytes read to count its
    lines are the ones the loop parses, to what the loop gave opening the file itself."""
    from generator.catalog import rows as catalog_rows

    ds = _load(catalog, prefix + _rows(40), encoding)
    opened = []

    def counted(real):
        return lambda *args: opened.append(args[1]) or real(*args)

    monkeypatch.setattr(derive, "data_file", counted(derive.data_file))
    monkeypatch.setattr(catalog_rows, "data_file", counted(catalog_rows.data_file))
    out = OutputTree(tmp_path / "once")
    once = _published(out, derive.derive_resource(ds, ds.resources[0], out))
    assert len(opened) == 1
    monkeypatch.setattr(derive, "FAST_DERIVE_MIN_BYTES", 1 << 40)  # the loop opens it itself
    out = OutputTree(tmp_path / "itself")
    itself = _published(out, derive.derive_resource(ds, ds.resources[0], out))
    assert len(opened) == 2
    assert once == itself and once[1] == 40


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

    from generator.data.xlsx import column_letter, write_workbook
    from generator.data.zipwriter import ZipWriter

    assert [column_letter(i) for i in (0, 25, 26, 701, 702)] == ["A", "Z", "AA", "ZZ", "AAA"]
    wide = [[f"c{i}" for i in range(30)], [i * 1.5 if i % 2 else i for i in range(30)]]
    odd = [["a<b & c", " padded ", True, None, dt.date(2024, 2, 29), "=SUM(A1)", 12345678901234]]
    dst = tmp_path / "w.xlsx"
    with ZipWriter(dst, dt.date(2026, 1, 2)) as archive:
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


def test_derivative_statistics_from_the_columns_equal_the_row_loop(catalog, tmp_path, monkeypatch):
    """A desensitised derivative is written by the row loop (only its reader applies the
    rules); its statistics are counted on the columns of the CSV written, or cell by cell
    from that CSV when the columns decline: the row loop's own counts either way."""
    from generator.checks.fastcheck import Unsupported
    from generator.data.risk import RiskMeter

    from .conftest import dataset_yaml
    from .test_publishing import GOOD_RULES, LEGAL, SMALL_GROUPS, SOURCE_FIELDS, derivative_yaml

    lines = ["name,id_number,birth_date,age,district"]
    districts = ["川东区", "南湖区", '湖滨区,"北"', "新\n区", ""]
    for i in range(400):
        district = districts[i % 5]
        if any(c in district for c in ',"\n'):
            district = '"' + district.replace('"', '""') + '"'
        age = "" if i % 17 == 0 else str((i * 7) % 90)
        lines.append(
            f"人{i},9901{i:014d},{1950 + i % 60}-{1 + i % 12:02d}-0{1 + i % 9},{age},{district}"
        )
    catalog.dataset(
        "relief",
        csv_text="\n".join(lines) + "\n",
        descriptor=dataset_yaml("relief", open_type="非开放", fields=SOURCE_FIELDS, extra=LEGAL),
    )
    catalog.dataset("relief-open", descriptor=derivative_yaml(GOOD_RULES, extra=SMALL_GROUPS))
    cat, problems = load_catalog(catalog.root)
    assert cat is not None and not problems.errors, problems.items
    ds = next(d for d in cat.datasets if d.id == "relief-open")
    res = ds.resources[0]

    def derived(name: str):
        published = derive.derive_resource(ds, res, OutputTree(tmp_path / name))
        data = (tmp_path / name / published.files["csv"].path).read_bytes()
        return data, published.rows, published.preview, published.summaries, published.charts

    columns = derived("columns")
    declined = []

    def decline(*args, **kwargs):
        declined.append(1)
        raise Unsupported("test")

    monkeypatch.setattr(derive, "published_stats", decline)
    cells = derived("cells")
    stats = [derive._FieldStats(f) for f in res.fields]
    count, preview = derive._write_rows(
        ds, res, tmp_path / "loop.csv", stats, RiskMeter(res.derivation)
    )
    loop = ((tmp_path / "loop.csv").read_bytes(), count, preview, [s.summary() for s in stats])
    assert declined == [1]
    assert columns == cells
    assert columns[:4] == loop and count == 400
    assert columns[4] == derive.choose_charts(stats, derive.primary_key_of(res))
    assert any(s.name == "age" and s.top for s in columns[3])  # bands were counted
