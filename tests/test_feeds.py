"""Feeds are cheap to poll: unchanged datasets keep identical bytes, a changed one gets a
new entry; sitemaps split at 10,000 URLs per file."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from bench.synth import make_catalog
from generator.build import build
from generator.catalog.loader import load_catalog
from generator.data.records import build_records
from generator.feeds import sitemap
from generator.runtime.output import OutputTree, WrittenFile

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def entries(feed: Path) -> dict[str, str]:
    """Dataset id -> the exact text of its <entry> element."""
    text = feed.read_text(encoding="utf-8")
    found = {}
    for block in re.findall(r"  <entry>\n.*?  </entry>\n", text, re.S):
        ds_id = re.search(r"datasets/([^/]+)/\"", block)
        assert ds_id
        found[ds_id.group(1)] = block
    return found


FEEDS = ("feed.atom", "en/feed.atom", "publishers/jtj/feed.atom", "en/publishers/jtj/feed.atom")


def test_a_changed_dataset_gets_a_new_entry_and_the_others_keep_their_bytes(
    catalog, tmp_path: Path
):
    catalog.dataset("bus-lines")
    catalog.dataset("bus-stops")
    catalog.dataset("metro", extra="")
    first, second, third = tmp_path / "1", tmp_path / "2", tmp_path / "3"
    build(catalog.root, first)
    build(catalog.root, second)
    for feed in FEEDS:
        assert (first / feed).read_bytes() == (second / feed).read_bytes(), feed

    descriptor = catalog.root / "datasets" / "bus-stops" / "datapackage.yaml"
    descriptor.write_text(
        descriptor.read_text(encoding="utf-8").replace(
            "modified: 2026-11-01", "modified: 2026-11-20"
        ),
        encoding="utf-8",
    )
    build(catalog.root, third)
    for feed in FEEDS:
        before, after = entries(second / feed), entries(third / feed)
        assert set(before) == set(after) == {"bus-lines", "bus-stops", "metro"}
        assert after["bus-lines"] == before["bus-lines"]
        assert after["metro"] == before["metro"]
        changed = ET.fromstring(
            after["bus-stops"].replace(
                "  <entry>", '<entry xmlns="http://www.w3.org/2005/Atom">', 1
            )
        )
        assert changed.findtext(ATOM + "updated") == "2026-11-20T00:00:00Z"
        assert changed.findtext(ATOM + "id", "").endswith("datasets/bus-stops/2026-11-20")
        assert before["bus-stops"] != after["bus-stops"]
        root = ET.parse(third / feed).getroot()
        assert root.findtext(ATOM + "updated") == "2026-11-20T00:00:00Z"
        first_entry = root.find(ATOM + "entry")
        assert first_entry is not None and "bus-stops" in (first_entry.findtext(ATOM + "id") or "")


def test_feed_dates_do_not_follow_the_clock(catalog, tmp_path: Path, monkeypatch):
    catalog.dataset("bus-lines")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    build(catalog.root, tmp_path / "a")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1900000000")
    build(catalog.root, tmp_path / "b")
    for name in ("feed.atom", "sitemap.xml", "sitemaps/pages-1.xml", "catalog.ttl", "data.json"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name


def test_hidden_closed_datasets_are_in_no_feed_or_catalog(catalog, tmp_path: Path):
    catalog.dataset("bus-lines")
    catalog.dataset("secret-one", open_type="非开放", extra="legal_basis: 《某条例》第三条\n")
    site_yaml = catalog.root / "site.yaml"
    site_yaml.write_text(
        site_yaml.read_text(encoding="utf-8").replace("hide_closed: false", "hide_closed: true"),
        encoding="utf-8",
    )
    out = tmp_path / "out"
    build(catalog.root, out)
    for name in ("feed.atom", "catalog.ttl", "catalog.jsonld", "data.json", "api/v1/datasets.json"):
        assert "secret-one" not in (out / name).read_text(encoding="utf-8"), name
    assert "secret-one" not in "".join(
        p.read_text(encoding="utf-8") for p in (out / "sitemaps").glob("*.xml")
    )
    assert not (out / "api" / "v1" / "datasets" / "secret-one.json").exists()


def test_sitemap_of_a_synthetic_catalog_splits_into_files_of_at_most_n(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    root = make_catalog(tmp_path / "catalog", 40, rows=3)
    monkeypatch.setattr(sitemap, "URLS_PER_SITEMAP", 25)
    out = tmp_path / "site"
    build(root, out)
    index = ET.parse(out / "sitemap.xml").getroot()
    files = [loc.text or "" for loc in index.iter(SITEMAP + "loc")]
    assert len(files) >= 4
    listed: list[str] = []
    for url in files:
        path = out / url.split("/", 3)[3]
        urls = [loc.text or "" for loc in ET.parse(path).getroot().iter(SITEMAP + "loc")]
        assert 0 < len(urls) <= 25
        listed += urls
    pages = sorted(p.relative_to(out).as_posix() for p in out.rglob("index.html"))
    assert len(listed) == len(pages) == len(set(listed)) > 80


def test_sitemap_files_hold_at_most_10000_urls(tmp_path: Path):
    """The real limit, on a synthetic set of 25,001 pages (no build needed)."""
    catalog, _ = load_catalog(make_catalog(tmp_path / "catalog", 1, rows=1))
    assert catalog is not None
    out = OutputTree(tmp_path / "site")
    for i in range(25_001):
        page = f"datasets/ds-{i:06d}/index.html"
        out.files[page] = WrittenFile(page, 0, "")  # as if rendered
    sitemap.write_sitemaps(catalog, build_records(catalog, {}), out)
    counts = [
        len(ET.parse(tmp_path / "site" / "sitemaps" / f"pages-{n}.xml").getroot())
        for n in (1, 2, 3)
    ]
    assert counts == [10_000, 10_000, 5_001]
    index = ET.parse(tmp_path / "site" / "sitemap.xml").getroot()
    assert len(index) == 3
