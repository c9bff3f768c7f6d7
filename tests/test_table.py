"""One read of the published CSV for the XLSX, JSON and Parquet downloads (data/table.py):
held or read again, the files are the same bytes, and small files take the held path;
short tables take the row writers."""

from __future__ import annotations

from pathlib import Path

from generator.catalog.loader import load_catalog
from generator.data import derive, table
from generator.runtime.output import OutputTree

FIELDS = """\
- {name: code, type: string, title: 编号}
- {name: amount, type: number, title: 金额}
- {name: day, type: date, title: 日期}
- {name: ok, type: boolean, title: 有效}
"""


def _csv(n: int) -> str:
    lines = ["code,amount,day,ok"]
    for i in range(n):
        note = ["0071", '"a,b"', '"q ""x"""', '"two\nlines"', "", "=1+1"][i % 6]
        lines.append(f"{note},{i * 1.25},2026-0{1 + i % 9}-1{i % 10},{'true' if i % 2 else 0}")
    return "\n".join(lines) + "\n"


def _derive(catalog, tmp_path: Path, name: str) -> dict[str, bytes]:
    cat, problems = load_catalog(catalog.root)
    assert cat is not None and not problems.errors, problems.items
    ds = cat.datasets[0]
    out = OutputTree(tmp_path / name)
    published = derive.derive_resource(ds, ds.resources[0], out)
    return {k: (out.root / f.path).read_bytes() for k, f in published.files.items()}


def test_held_and_streamed_batches_give_the_same_files(catalog, tmp_path, monkeypatch):
    catalog.dataset("t", csv_text=_csv(500), fields=FIELDS)
    held: list[bool] = []
    real_init = table.PublishedTable.__init__

    def spy(self, src, width, columns=None):
        real_init(self, src, width, columns)
        held.append(self._held is not None)

    monkeypatch.setattr(table.PublishedTable, "__init__", spy)
    monkeypatch.setattr(table, "BLOCK_BYTES", 1024)  # several batches
    once = _derive(catalog, tmp_path, "held")
    monkeypatch.setattr(table, "HOLD_BYTES", 0)
    again = _derive(catalog, tmp_path, "streamed")
    assert held == [True, False]
    assert set(once) >= {"csv", "excel-csv", "xlsx", "json", "parquet"}
    assert once == again


def test_short_tables_take_the_row_writers_and_longer_ones_the_columns(
    catalog, tmp_path, monkeypatch
):
    """Under COLUMNS_MIN_ROWS rows the published CSV and the XLSX sheet are written by the
    row loops, under JSON_COLUMNS_MIN_ROWS the JSON too (per-call costs of pyarrow outweigh
    its speed there); the same files either way."""
    catalog.dataset("t", csv_text=_csv(12), fields=FIELDS)
    calls: list[str] = []

    def spy(name):
        real = getattr(derive, name)

        def call(*args, **kwargs):
            calls.append(name)
            return real(*args, **kwargs)

        monkeypatch.setattr(derive, name, call)

    for name in ("write_csv_and_stats", "sheet_rows", "write_json_columnar"):
        spy(name)
    rows = _derive(catalog, tmp_path, "rows")
    assert calls == []
    monkeypatch.setattr(derive, "COLUMNS_MIN_ROWS", 12)
    assert _derive(catalog, tmp_path, "csv-xlsx") == rows
    assert calls == ["write_csv_and_stats", "sheet_rows"]
    monkeypatch.setattr(derive, "JSON_COLUMNS_MIN_ROWS", 12)
    assert _derive(catalog, tmp_path, "columns") == rows
    assert calls[2:] == ["write_csv_and_stats", "sheet_rows", "write_json_columnar"]
    monkeypatch.setattr(derive, "FAST_DERIVE_MIN_BYTES", 1 << 40)
    assert _derive(catalog, tmp_path, "loop") == rows


def test_derivation_columns_feed_the_downloads_without_a_second_read(
    catalog, tmp_path, monkeypatch
):
    """A CSV read in one batch: the columns the published CSV was written from are the
    downloads' batch, and the published CSV is not read again; the same files and the
    same published record as when it is read."""
    catalog.dataset("t", csv_text=_csv(300), fields=FIELDS)
    reads = []
    real_read = table.read_batches
    monkeypatch.setattr(
        table, "read_batches", lambda *a, **k: reads.append(1) or real_read(*a, **k)
    )
    cat, problems = load_catalog(catalog.root)
    assert cat is not None and not problems.errors, problems.items
    ds = cat.datasets[0]

    def derived(name: str):
        out = OutputTree(tmp_path / name)
        published = derive.derive_resource(ds, ds.resources[0], out)
        files = {k: (out.root / f.path).read_bytes() for k, f in published.files.items()}
        return files, repr(published)

    taken = derived("taken")
    assert reads == []
    real_table = table.PublishedTable
    monkeypatch.setattr(
        derive, "PublishedTable", lambda src, width, columns=None: real_table(src, width)
    )
    read = derived("read")
    assert reads == [1]
    assert taken == read and set(taken[0]) >= {"xlsx", "json", "parquet"}
