"""Same input, same output, byte for byte: with and without the cache, in any folder."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from generator.build import build

from .conftest import DEMO_CATALOG, CatalogFactory
from .test_incremental import tree

EPOCH = "1795000000"  # 2026-11-18


def test_demo_builds_are_byte_identical_with_and_without_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    catalog = tmp_path / "catalog"
    shutil.copytree(DEMO_CATALOG, catalog)
    cache = tmp_path / "cache"
    build(catalog, tmp_path / "a" / "site", use_cache=False)
    cold = build(catalog, tmp_path / "b" / "site", cache_dir=cache)
    warm = build(catalog, tmp_path / "c" / "site", cache_dir=cache)
    assert (
        cold.cache["derive_miss"]
        == warm.cache["derive_hit"]
        == len(list((catalog / "datasets").iterdir()))
    )
    assert warm.cache.get("validate_miss", 0) == warm.cache.get("page_miss", 0) == 0
    # Built from another folder: no absolute path or folder name leaks into the output.
    moved = tmp_path / "elsewhere" / "demo"
    shutil.copytree(catalog, moved)
    build(moved, tmp_path / "d" / "public", use_cache=False)

    reference = tree(tmp_path / "a" / "site")
    assert len(reference) > 100
    assert any(name.endswith(".csv") for name in reference)
    for other in ("b/site", "c/site", "d/public"):
        assert tree(tmp_path / other) == reference, other


def test_source_date_epoch_decides_the_build_date(
    catalog: CatalogFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    catalog.dataset("stops")  # modified 2026-11-01, updated monthly (32 days)
    page = tmp_path / "site" / "datasets" / "stops" / "index.html"
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1794960000")  # 2026-11-18: on time
    build(catalog.root, tmp_path / "site")
    assert "badge-overdue" not in page.read_text(encoding="utf-8")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1798761600")  # 2027-01-01: overdue
    result = build(catalog.root, tmp_path / "site")
    assert not result.up_to_date  # the date is part of what the output depends on
    assert "badge-overdue" in page.read_text(encoding="utf-8")


def test_pages_rendered_by_workers_are_cached_alike(
    catalog: CatalogFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """With worker processes, cached pages and pages rendered by workers are the same bytes."""
    from generator.runtime import parallel

    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    monkeypatch.setattr(parallel, "PARALLEL_THRESHOLD", 1)
    for i in range(3):
        catalog.dataset(f"ds-{i}", csv_text=f"line_id,stops\nL{i},{i}\n", title=f"线路{i}")
    cache = tmp_path / "cache"
    build(catalog.root, tmp_path / "a" / "site", jobs=2, use_cache=False)
    cold = build(catalog.root, tmp_path / "b" / "site", jobs=2, cache_dir=cache)
    catalog.dataset("ds-1", csv_text="line_id,stops\nL1,1\nL9,9\n", title="线路1")
    warm = build(catalog.root, tmp_path / "c" / "site", jobs=2, cache_dir=cache)
    build(catalog.root, tmp_path / "d" / "site", jobs=2, use_cache=False)
    assert cold.cache["page_miss"] > 0 and warm.cache["page_hit"] >= 4
    assert tree(tmp_path / "b" / "site") == tree(tmp_path / "a" / "site")
    assert tree(tmp_path / "c" / "site") == tree(tmp_path / "d" / "site")
