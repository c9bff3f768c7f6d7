"""The table explorer's part of the build (issue 20): a block per open resource with a
Parquet file, none for data that is not open, and Parquet files a browser can read a few
rows of (small pages and a page index). The explorer itself: tests/browser/test_explorer.py."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pyarrow.parquet as pq

from generator.data.parquet import PAGE_BYTES
from generator.site.vendor import EXPLORER_MODULES


def test_each_open_resource_with_parquet_has_an_explorer(demo_site: Path):
    html = (demo_site / "datasets/bus-lines/index.html").read_text(encoding="utf-8")
    blocks = re.findall(r'<section class="explorer"[^>]*? hidden\s+data-resource="([^"]+)"', html)
    assert blocks == ["bus-lines", "bus-stops"]  # hidden until the script runs
    assert "table preview" in html  # the preview stays for readers without JavaScript
    fields = json.loads(re.findall(r"data-fields='([^']+)'", html)[1])
    assert fields == [
        "stop_id",
        "line_id",
        "direction",
        "seq",
        "stop_name",
        "district",
        "lon",
        "lat",
    ]
    assert 'data-src="/datasets/bus-lines/bus-stops.parquet"' in html
    for module in EXPLORER_MODULES:
        assert f'<link rel="modulepreload" href="/{module}">' in html
        assert (demo_site / module).is_file()
    en = (demo_site / "en/datasets/bus-lines/index.html").read_text(encoding="utf-8")
    assert "Explore all rows" in en and "rows match" in en


def test_no_explorer_for_data_that_is_not_open(demo_site: Path):
    for ds in ("enterprise-social-insurance", "minimum-living-allowance"):
        html = (demo_site / "datasets" / ds / "index.html").read_text(encoding="utf-8")
        assert 'class="explorer"' not in html and "explorer.js" not in html, ds


def test_parquet_has_small_pages_and_a_page_index(demo_site: Path):
    """hyparquet fetches only the pages that hold the rows shown when the offset index is
    there; without it every view of a large file reads whole 100,000-row column chunks."""
    meta = pq.ParquetFile(demo_site / "datasets/bus-lines/bus-stops.parquet").metadata
    for g in range(meta.num_row_groups):
        for c in range(meta.num_columns):
            column = meta.row_group(g).column(c)
            assert column.has_offset_index and column.has_column_index
    assert PAGE_BYTES <= 64 << 10
