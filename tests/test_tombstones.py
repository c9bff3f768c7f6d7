"""Removed datasets leave a tombstone (issue 16): /datasets/<id>/ says when and why, links
the successor, and the Atom feeds and the sitemap say so. URLs never silently die."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from generator.build import build

from .conftest import CatalogFactory, dataset_yaml

DAY1 = "1794960000"  # 2026-11-18
DAY2 = "1795219200"  # 2026-11-21
DAY3 = "1795478400"  # 2026-11-24
WITHDRAWN = (
    "status: {state: 撤回, since: 2026-11-17, reason: 并入公交线路数据集, replaced_by: buses}\n"
)


def test_a_removed_dataset_leaves_a_dated_tombstone(
    catalog: CatalogFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    catalog.dataset("buses", title="公交线路")
    catalog.dataset("stops", descriptor=dataset_yaml("stops", extra=WITHDRAWN, title="公交站点"))
    out = tmp_path / "site"
    monkeypatch.setenv("SOURCE_DATE_EPOCH", DAY1)
    build(catalog.root, out, record_history=True)

    shutil.rmtree(catalog.root / "datasets" / "stops")  # the department removes it
    monkeypatch.setenv("SOURCE_DATE_EPOCH", DAY2)
    result = build(catalog.root, out, record_history=True)
    assert result.history_recorded == 1
    page = (out / "datasets" / "stops" / "index.html").read_text(encoding="utf-8")
    assert "<h1>公交站点</h1>" in page
    assert "该数据集已于 2026-11-21 从目录中移除，不再提供。 原因：并入公交线路数据集。" in page
    assert '替代数据集：<a href="/datasets/buses/">公交线路</a>' in page
    assert '<meta name="robots" content="noindex">' in page
    en = (out / "en" / "datasets" / "stops" / "index.html").read_text(encoding="utf-8")
    assert "removed from the catalog on 2026-11-21" in en
    # the record says so, and keeps saying it
    state = json.loads((catalog.root / "history" / "stops.json").read_text(encoding="utf-8"))
    assert state["entries"][0] == {
        "date": "2026-11-21",
        "changes": [{"kind": "removed", "subject": "", "old": "", "new": ""}],
    }
    feed = (out / "feed.atom").read_text(encoding="utf-8")
    assert "<title>公交站点（已移除）</title>" in feed
    assert "<updated>2026-11-21T00:00:00Z</updated>" in feed
    sitemap = "".join(p.read_text(encoding="utf-8") for p in (out / "sitemaps").glob("*.xml"))
    assert "/datasets/stops/</loc>" in sitemap
    assert not (out / "datasets" / "stops" / "rows.csv").exists()

    monkeypatch.setenv("SOURCE_DATE_EPOCH", DAY3)  # later builds keep the removal date
    again = build(catalog.root, out, record_history=True)
    assert again.history_recorded == 0
    assert "已于 2026-11-21 从目录中移除" in (out / "datasets" / "stops" / "index.html").read_text(
        encoding="utf-8"
    )


def test_a_hidden_closed_dataset_leaves_nothing(
    catalog: CatalogFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    site = (catalog.root / "site.yaml").read_text(encoding="utf-8")
    site = site.replace("hide_closed: false", "hide_closed: true")
    (catalog.root / "site.yaml").write_text(site, encoding="utf-8")
    catalog.dataset("buses")
    closed = dataset_yaml(
        "secret-list", open_type="非开放", extra="legal_basis: 第三条\n", title="机密名单"
    )
    catalog.dataset("secret-list", descriptor=closed)
    out = tmp_path / "site"
    monkeypatch.setenv("SOURCE_DATE_EPOCH", DAY1)
    build(catalog.root, out, record_history=True)
    shutil.rmtree(catalog.root / "datasets" / "secret-list")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", DAY2)
    build(catalog.root, out, record_history=True)
    assert not (out / "datasets" / "secret-list").exists()
    text = "".join(p.read_text("utf-8", "replace") for p in out.rglob("*") if p.is_file())
    assert "机密名单" not in text and "secret-list" not in text


def test_without_a_history_record_there_is_no_tombstone(catalog: CatalogFactory, tmp_path: Path):
    catalog.dataset("buses")
    catalog.dataset("stops")
    out = tmp_path / "site"
    build(catalog.root, out)  # previews record no history
    shutil.rmtree(catalog.root / "datasets" / "stops")
    build(catalog.root, out)
    assert not (out / "datasets" / "stops").exists()
