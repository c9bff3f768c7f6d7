"""Per-dataset isolation (issue 16): one department's broken update never stops the others.

A dataset whose checks fail is held back with its last published version (verified by
sha256 against the signed cache), a restriction in its new descriptor takes effect at
once, a catalog-wide error still stops everything, and --all-or-nothing keeps the old
behaviour.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from generator.build import build
from generator.errors import CatalogError
from generator.holdback import HeldBack

from .conftest import CatalogFactory

GOOD = "line_id,stops\nLX-40177,12\nLX-40178,30\n"
BROKEN = "line_id,stops\nLX-40177,十四\nLX-40178,30\n"  # 十四 in an integer column


def _site_text(out: Path) -> str:
    return "\n".join(
        p.read_bytes().decode("utf-8", "replace") for p in sorted(out.rglob("*")) if p.is_file()
    )


def _two(catalog: CatalogFactory, tmp_path: Path) -> tuple[Path, Path]:
    catalog.dataset("buses", title="公交线路")
    catalog.dataset("stops", csv_text=GOOD, title="公交站点")
    out, cache = tmp_path / "site", tmp_path / "cache"
    first = build(catalog.root, out, cache_dir=cache)
    assert first.held_back == []
    return out, cache


def test_one_broken_dataset_is_held_back_and_the_rest_is_published(
    catalog: CatalogFactory, tmp_path: Path
):
    out, cache = _two(catalog, tmp_path)
    old_csv = (out / "datasets" / "stops" / "rows.csv").read_bytes()
    old_page = (out / "datasets" / "stops" / "index.html").read_text(encoding="utf-8")
    assert "本次更新未通过检查" not in old_page

    catalog.dataset("buses", title="公交线路（新）")  # another department's update
    catalog.dataset("stops", csv_text=BROKEN, title="公交站点（改）")
    result = build(catalog.root, out, cache_dir=cache)

    assert result.held_back == [HeldBack("stops", "errors", "previous", "2026-11-01", 1)]
    assert result.published_ids == ["buses"]
    assert "公交线路（新）" in (out / "datasets" / "buses" / "index.html").read_text("utf-8")
    # the held-back dataset keeps its last published version, with a dated notice
    assert (out / "datasets" / "stops" / "rows.csv").read_bytes() == old_csv
    page = (out / "datasets" / "stops" / "index.html").read_text(encoding="utf-8")
    assert "本次更新未通过检查，仍显示上一版本（2026-11-01）" in page
    assert "公交站点（改）" not in page and "公交站点" in page
    en = (out / "en" / "datasets" / "stops" / "index.html").read_text(encoding="utf-8")
    assert "the previous version (2026-11-01) is still shown" in en

    # still broken: the next build shows the same version again, byte for byte
    again = build(catalog.root, out, cache_dir=cache)
    assert again.held_back == result.held_back
    assert (out / "datasets" / "stops" / "index.html").read_text(encoding="utf-8") == page

    # fixed: published afresh, the notice is gone
    catalog.dataset("stops", csv_text=GOOD, title="公交站点（改）")
    fixed = build(catalog.root, out, cache_dir=cache)
    assert fixed.held_back == []
    page = (out / "datasets" / "stops" / "index.html").read_text(encoding="utf-8")
    assert "公交站点（改）" in page and "本次更新未通过检查" not in page


def test_all_or_nothing_publishes_nothing(catalog: CatalogFactory, tmp_path: Path):
    out, cache = _two(catalog, tmp_path)
    before = _site_text(out)
    catalog.dataset("buses", title="公交线路（新）")
    catalog.dataset("stops", csv_text=BROKEN)
    with pytest.raises(CatalogError, match="未发布任何内容"):
        build(catalog.root, out, cache_dir=cache, all_or_nothing=True)
    assert _site_text(out) == before


def test_a_catalog_wide_error_still_stops_everything(catalog: CatalogFactory, tmp_path: Path):
    out, cache = _two(catalog, tmp_path)
    before = _site_text(out)
    catalog.dataset("buses", title="公交线路（新）")
    (catalog.root / "publishers.yaml").write_text("- id: jtj\n", encoding="utf-8")
    with pytest.raises(CatalogError, match="未发布任何内容"):
        build(catalog.root, out, cache_dir=cache)
    assert _site_text(out) == before


@pytest.mark.parametrize("open_type", ["非开放", "有条件开放"])
def test_a_broken_dataset_reclassified_keeps_no_data_on_the_site(
    catalog: CatalogFactory, tmp_path: Path, open_type: str
):
    out, cache = _two(catalog, tmp_path)
    assert "LX-40177" in _site_text(out)
    extra = "legal_basis: 《测试条例》第三条\nopen_conditions: 仅供科研\n"
    catalog.dataset("stops", csv_text=BROKEN, open_type=open_type, extra=extra)
    result = build(catalog.root, out, cache_dir=cache)
    assert [(h.dataset, h.outcome) for h in result.held_back] == [("stops", "withdrawn")]
    assert not (out / "datasets" / "stops").exists()
    assert not (out / "en" / "datasets" / "stops").exists()
    assert "LX-40177" not in _site_text(out)  # no old value anywhere: pages, feeds, index


def test_a_removed_resource_is_withdrawn_at_once(catalog: CatalogFactory, tmp_path: Path):
    out, cache = _two(catalog, tmp_path)
    folder = catalog.dataset("stops", csv_text=BROKEN)  # resource rows becomes lines
    text = (folder / "datapackage.yaml").read_text(encoding="utf-8")
    (folder / "datapackage.yaml").write_text(text.replace("- name: rows", "- name: lines"))
    result = build(catalog.root, out, cache_dir=cache)
    assert [(h.dataset, h.outcome) for h in result.held_back] == [("stops", "withdrawn")]
    assert "LX-40177" not in _site_text(out)


def test_a_broken_dataset_suspended_keeps_no_data_on_the_site(
    catalog: CatalogFactory, tmp_path: Path
):
    out, cache = _two(catalog, tmp_path)
    status = "status: {state: 暂停, since: 2026-11-20, reason: 核查}\n"
    catalog.dataset("stops", csv_text=BROKEN, extra=status)
    result = build(catalog.root, out, cache_dir=cache)
    assert [(h.dataset, h.outcome) for h in result.held_back] == [("stops", "withdrawn")]
    assert "LX-40177" not in _site_text(out)


def test_never_published_and_damaged_versions_are_left_out(catalog: CatalogFactory, tmp_path: Path):
    out, cache = _two(catalog, tmp_path)
    catalog.dataset("fresh", csv_text=BROKEN)
    (out / "datasets" / "stops" / "rows.csv").write_text("line_id,stops\nFORGED,1\n")
    catalog.dataset("stops", csv_text=BROKEN)
    result = build(catalog.root, out, cache_dir=cache)
    outcomes = {h.dataset: h.outcome for h in result.held_back}
    assert outcomes == {"fresh": "never-published", "stops": "damaged"}
    assert not (out / "datasets" / "fresh").exists()
    assert not (out / "datasets" / "stops").exists()
    assert "FORGED" not in _site_text(out)


def test_without_a_cache_nothing_unverified_is_copied(catalog: CatalogFactory, tmp_path: Path):
    out, _cache = _two(catalog, tmp_path)
    catalog.dataset("stops", csv_text=BROKEN)
    result = build(catalog.root, out, use_cache=False)
    assert [(h.dataset, h.outcome) for h in result.held_back] == [("stops", "never-published")]
    assert (out / "datasets" / "buses" / "index.html").is_file()


def test_cli_exits_1_and_lists_what_was_held_back(catalog: CatalogFactory, tmp_path: Path, cli):
    out, cache = _two(catalog, tmp_path)
    catalog.dataset("stops", csv_text=BROKEN)
    args = ("build", "--catalog", catalog.root, "--out", out, "--cache-dir", cache)
    result = cli(*args, "--no-record-history")
    assert result.exit_code == 1
    assert "暂缓发布 1 个数据集" in result.output
    assert "stops：检查未通过，仍显示上一版本（2026-11-01）" in result.output
    as_json = cli(*args, "--no-record-history", "--json", "--lang", "en", "--no-cache")
    assert as_json.exit_code == 1
    doc = json.loads(as_json.stdout)
    assert doc["ok"] is False and doc["published"] == ["buses"]
    assert doc["held_back"][0]["dataset"] == "stops"
    assert doc["held_back"][0]["reason"] == "errors"
    nothing = cli(*args, "--no-record-history", "--all-or-nothing")
    assert nothing.exit_code == 1
    assert "未发布任何内容" in nothing.output
