"""Each dataset's changelog: recorded by publishing builds, shown on its page and in the
Atom feed, replaced files kept downloadable, and nothing derived from the values of
non-open data."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from generator.build import build

from .conftest import CatalogFactory

DAY1 = "1794960000"  # 2026-11-18
DAY2 = "1795219200"  # 2026-11-21


def test_changes_are_recorded_shown_and_replaced_files_kept(
    catalog: CatalogFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    catalog.dataset("stops", csv_text="line_id,stops\nS1,3\n", title="公交站点")
    out = tmp_path / "site"
    monkeypatch.setenv("SOURCE_DATE_EPOCH", DAY1)
    first = build(catalog.root, out, record_history=True)
    assert first.history_recorded == 1
    state = json.loads((catalog.root / "history" / "stops.json").read_text(encoding="utf-8"))
    assert state["entries"] == [
        {
            "date": "2026-11-18",
            "changes": [{"kind": "published", "subject": "", "old": "", "new": ""}],
        }
    ]
    old_csv = (out / "datasets" / "stops" / "rows.csv").read_bytes()

    # Nothing changed: nothing recorded, the same site.
    assert build(catalog.root, out, record_history=True).history_recorded == 0

    monkeypatch.setenv("SOURCE_DATE_EPOCH", DAY2)
    catalog.dataset(
        "stops",
        csv_text="line_id,stops,night\nS1,3,true\nS2,5,false\n",
        title="公交站点（含夜班）",
        fields="""\
        - {name: line_id, type: string, title: 线路编号}
        - {name: stops, type: integer, title: 站点数}
        - {name: night, type: boolean, title: 夜班}
""",
    )
    build(catalog.root, out, record_history=True)
    page = (out / "datasets" / "stops" / "index.html").read_text(encoding="utf-8")
    assert "更新记录" in page
    assert "2026-11-21" in page and "2026-11-18" in page
    assert "名称：公交站点 → 公交站点（含夜班）" in page
    assert "新增字段 rows.night（boolean）" in page
    assert "资源 rows 行数：1 → 2" in page
    en = (out / "en" / "datasets" / "stops" / "index.html").read_text(encoding="utf-8")
    assert "Resource rows rows: 1 → 2" in en
    # The replaced file stays downloadable, byte for byte, and the page links it.
    kept = out / "datasets" / "stops" / "archive" / "2026-11-18" / "rows.csv"
    assert kept.read_bytes() == old_csv
    assert 'href="/datasets/stops/archive/2026-11-18/rows.csv"' in page
    assert "保留至 2027-02-19" in page
    assert (catalog.root / "history" / "stops" / "2026-11-18" / "rows.csv").read_bytes() == old_csv
    # ... and the Atom feed tells bots what changed.
    feed = (out / "feed.atom").read_text(encoding="utf-8")
    assert "2026-11-21: 名称：公交站点 → 公交站点（含夜班）" in feed

    # From a clean checkout (no site/, no cache), the same record gives the same page.
    again = build(catalog.root, tmp_path / "fresh" / "site", use_cache=False)
    fresh = (tmp_path / "fresh" / "site" / "datasets" / "stops" / "index.html").read_text("utf-8")
    assert fresh == page
    assert again.history_recorded == 0


def test_non_open_history_reveals_nothing_derived_from_values(
    catalog: CatalogFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    catalog.dataset("relief", csv_text="line_id,stops\nS1,3\n")
    out = tmp_path / "site"
    monkeypatch.setenv("SOURCE_DATE_EPOCH", DAY1)
    build(catalog.root, out, record_history=True)
    catalog.dataset("relief", csv_text="line_id,stops\nS1,3\nS2,4\nS3,9\n")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", DAY2)
    build(catalog.root, out, record_history=True)
    assert (out / "datasets" / "relief" / "archive").is_dir()

    # It becomes conditional: row counts and kept files disappear from site and record.
    catalog.dataset(
        "relief",
        csv_text="line_id,stops\nS1,3\nS2,4\nS3,9\nS4,1\n",
        open_type="有条件开放",
        extra="legal_basis: 《条例》第十条\nopen_conditions: 仅限科研\n",
    )
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1795564800")  # 2026-11-25
    build(catalog.root, out, record_history=True)
    page = (out / "datasets" / "relief" / "index.html").read_text(encoding="utf-8")
    assert "开放类型：无条件开放 → 有条件开放" in page
    assert "行数" not in page.split('id="history"')[1]
    assert not (out / "datasets" / "relief" / "archive").exists()
    record = json.loads((catalog.root / "history" / "relief.json").read_text(encoding="utf-8"))
    assert set(record["snapshot"]["resources"]["rows"]) == {"fields"}  # no count, no hash
    kinds = {c["kind"] for e in record["entries"] for c in e["changes"]}
    assert kinds == {"published", "open_type", "metadata"}
    assert not (catalog.root / "history" / "relief").exists()
    feed = (out / "feed.atom").read_text(encoding="utf-8")
    assert "行数" not in feed
