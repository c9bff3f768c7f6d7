"""Incremental builds: unchanged datasets are neither revalidated nor rederived, a change is
picked up, and nothing cached outlives the policy that allowed it."""

from __future__ import annotations

import hashlib
import shutil
from collections import Counter
from pathlib import Path

import pytest

from generator import build as build_module
from generator.build import build
from generator.checks import validate
from generator.checks.validate import DatasetReport
from generator.data import derive
from generator.data.derive import PublishedDataset
from generator.runtime.cache import CACHE_DIRNAME, decode, encode
from generator.site import render

from .conftest import CatalogFactory


def tree(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """Counts of the per-dataset unit of work, by dataset."""
    counts: Counter[str] = Counter()
    real_validate, real_derive = validate.validate_dataset, derive.derive_dataset

    def counting_validate(catalog, ds):
        counts[f"validate:{ds.id}"] += 1
        return real_validate(catalog, ds)

    def counting_derive(catalog, ds, out):
        counts[f"derive:{ds.id}"] += 1
        return real_derive(catalog, ds, out)

    monkeypatch.setattr(validate, "validate_dataset", counting_validate)
    monkeypatch.setattr(derive, "derive_dataset", counting_derive)
    return counts


def three(catalog: CatalogFactory) -> None:
    catalog.dataset("bus-lines")
    catalog.dataset("stops", csv_text="line_id,stops\nS1,3\n", title="公交站点")
    catalog.dataset(
        "welfare",
        open_type="有条件开放",
        extra="legal_basis: 《条例》第十条\nopen_conditions: 仅限科研\n",
        csv_text="line_id,stops\nSECRET-W-001,7\n",
        title="低保名单",
    )


def test_unchanged_datasets_are_not_revalidated_or_rederived(
    catalog: CatalogFactory, calls: Counter[str], tmp_path: Path
):
    three(catalog)
    out = tmp_path / "site"
    first = build(catalog.root, out)
    assert sum(calls.values()) == 6 and first.cache["validate_miss"] == 3
    assert (tmp_path / CACHE_DIRNAME).is_dir() and not (out / CACHE_DIRNAME).exists()
    before = tree(out)

    calls.clear()
    again = build(catalog.root, out)
    assert again.up_to_date and not calls
    assert tree(out) == before

    # Output damaged after publishing: the site is rebuilt, still without revalidating.
    (out / "datasets" / "stops" / "rows.csv").unlink()
    repaired = build(catalog.root, out)
    assert not repaired.up_to_date and not calls
    assert repaired.cache["validate_hit"] == 3 and repaired.cache["derive_hit"] == 3
    assert tree(out) == before

    # One data file changes: that dataset alone is validated and derived again, and the
    # lists and its page show the change.
    catalog.dataset("stops", csv_text="line_id,stops\nS1,3\nS2,4\nS3,5\n", title="公交站点（新）")
    changed = build(catalog.root, out)
    assert calls == Counter({"validate:stops": 1, "derive:stops": 1})
    assert (out / "datasets" / "stops" / "rows.csv").read_text() == (
        "line_id,stops\nS1,3\nS2,4\nS3,5\n"
    )
    assert "公交站点（新）" in (out / "datasets" / "index.html").read_text(encoding="utf-8")
    assert "公交站点（新）" in (out / "index.html").read_text(encoding="utf-8")
    assert changed.cache["page_hit"] >= 4  # the other two datasets' pages, zh and en
    after = tree(out)
    assert after["datasets/bus-lines/rows.csv"] == before["datasets/bus-lines/rows.csv"]
    assert after["sitemap.xml"] == before["sitemap.xml"]

    # site.yaml is read by every dataset's validation: all are validated again.
    calls.clear()
    site = catalog.root / "site.yaml"
    site.write_text(site.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    build(catalog.root, out)
    assert calls["validate:bus-lines"] == calls["validate:welfare"] == 1


def test_no_cache_flag_validates_everything(catalog: CatalogFactory, calls, tmp_path: Path):
    three(catalog)
    out = tmp_path / "site"
    build(catalog.root, out)
    calls.clear()
    result = build(catalog.root, out, use_cache=False)
    assert not result.up_to_date and calls["validate:bus-lines"] == 1


def test_a_cached_result_never_publishes_data_the_policy_now_keeps_in(
    catalog: CatalogFactory, tmp_path: Path
):
    catalog.dataset("stops", csv_text="line_id,stops\nSECRET-S-77,3\n")
    out = tmp_path / "site"
    build(catalog.root, out)
    assert "SECRET-S-77" in (out / "datasets" / "stops" / "rows.csv").read_text()
    catalog.dataset(
        "stops",
        csv_text="line_id,stops\nSECRET-S-77,3\n",
        open_type="有条件开放",
        extra="legal_basis: 《条例》第十条\nopen_conditions: 仅限科研\n",
    )
    build(catalog.root, out)
    assert not (out / "datasets" / "stops" / "rows.csv").exists()
    leaked = [p for p in out.rglob("*") if p.is_file() and b"SECRET-S-77" in p.read_bytes()]
    assert leaked == []


def test_a_missing_cache_object_is_derived_again(catalog: CatalogFactory, calls, tmp_path):
    catalog.dataset("stops", csv_text="line_id,stops\nS1,3\n")
    out = tmp_path / "site"
    build(catalog.root, out)
    expected = tree(out)
    for obj in (tmp_path / CACHE_DIRNAME / "objects").rglob("*"):
        if obj.is_file():
            obj.write_bytes(b"damaged")  # wrong size: never copied into a site
    calls.clear()
    shutil.rmtree(out)
    build(catalog.root, out)
    assert calls["derive:stops"] == 1
    assert tree(out) == expected


def test_an_output_edited_in_place_never_comes_back_from_the_cache(
    catalog: CatalogFactory, calls, tmp_path
):
    """Cache objects may be hard links to the published files: an edit made in place to
    a published file (same size) reaches the object, and the hash check refuses it."""
    catalog.dataset("stops", csv_text="line_id,stops\nS1,3\n")
    out = tmp_path / "site"
    build(catalog.root, out)
    expected = tree(out)
    for rel in ("datasets/stops/rows.csv", "datasets/stops/index.html"):
        data = (out / rel).read_bytes()
        with open(out / rel, "r+b") as handle:  # same file, same size
            handle.write(data.replace(b"S1", b"X9") if b"S1" in data else data[::-1])
    calls.clear()
    shutil.rmtree(out)
    build(catalog.root, out)
    assert calls["derive:stops"] == 1
    assert tree(out) == expected


def test_templates_invalidate_pages_but_not_validation(
    catalog: CatalogFactory, calls, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    templates = tmp_path / "templates"
    shutil.copytree(render.TEMPLATES, templates)
    monkeypatch.setattr(render, "TEMPLATES", templates)
    monkeypatch.setattr(build_module, "TEMPLATES", templates)
    catalog.dataset("stops")
    out = tmp_path / "site"
    build(catalog.root, out)
    base = templates / "base.html"
    base.write_text(base.read_text().replace("</footer>", "<p>MARK-42</p></footer>"))
    calls.clear()
    result = build(catalog.root, out)
    assert not calls and result.cache.get("page_hit", 0) == 0
    assert "MARK-42" in (out / "datasets" / "stops" / "index.html").read_text(encoding="utf-8")


def test_cached_results_read_back_equal(demo_site: Path):
    """The typed JSON codec round-trips the demo's real validation and derivation results."""
    from generator.catalog.loader import load_catalog
    from generator.runtime.output import OutputTree

    from .conftest import DEMO_CATALOG

    cat, _ = load_catalog(DEMO_CATALOG)
    assert cat is not None
    for ds in cat.datasets[:6]:
        report = validate.validate_dataset(cat, ds)
        assert decode(DatasetReport, encode(report)) == report
        published = derive.derive_dataset(cat, ds, OutputTree(demo_site.parent / "codec"))
        assert decode(PublishedDataset | None, encode(published)) == published


def test_a_derivative_follows_its_source(catalog: CatalogFactory, calls, tmp_path: Path):
    """A desensitised derivative reads another dataset's file: a change there re-derives it."""
    from .test_publishing import GOOD_RULES, SOURCE_CSV, derivative_yaml, with_source

    with_source(catalog)
    catalog.dataset("relief-open", descriptor=derivative_yaml(GOOD_RULES))
    out = tmp_path / "site"
    build(catalog.root, out)
    source = catalog.root / "datasets" / "relief" / "data" / "rows.csv"
    source.write_text(SOURCE_CSV + "赵六,990105200501013020,2001-02-03,25,川东区\n", "utf-8")
    calls.clear()
    build(catalog.root, out)
    assert calls["derive:relief-open"] == 1 and calls["derive:bus-lines"] == 0
    published = (out / "datasets" / "relief-open" / "rows.csv").read_text(encoding="utf-8")
    assert "990105************,2001-02,18–34,川东区" in published  # the new row


def test_bytecode_written_by_imports_does_not_change_the_code_fingerprint(tmp_path: Path):
    from generator.runtime import cache

    package = tmp_path / "pkg"
    (package / "sub").mkdir(parents=True)
    (package / "a.py").write_text("x = 1\n")
    (package / "sub" / "b.json").write_text("{}")
    before = cache._source_digest(package)
    (package / "__pycache__").mkdir()
    (package / "__pycache__" / "a.cpython-311.pyc").write_bytes(b"written by an import")
    assert cache._source_digest(package) == before
    (package / "a.py").write_text("x = 2\n")
    assert cache._source_digest(package) != before
