"""The end of a build: the publish record's file list comes from the audit's reads (the
published tree is not walked again after the swap), and cache.finish: which entries keep
which objects alive, when this build wrote or checked the entry itself (it is not read and
checked again) and when it did not."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path

import pytest

from generator import build as build_module
from generator import publish
from generator.build import build
from generator.runtime import parallel
from generator.runtime.cache import (
    CACHE_DIRNAME,
    BuildCache,
    entry_mac,
    object_path,
    store_object,
)

from .conftest import CatalogFactory
from .test_incremental import three


def _publish_record(cache_root: Path) -> dict:
    with sqlite3.connect(cache_root / "index.sqlite") as db:
        rows = db.execute("SELECT value FROM entries WHERE kind='publish'").fetchall()
    assert len(rows) == 1
    return json.loads(rows[0][0])


@pytest.mark.parametrize("jobs", [1, 2])
def test_the_record_of_the_published_files_is_what_the_audit_read(
    catalog: CatalogFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, jobs: int
):
    """Every file of the site, with the size and mtime a walk of the published tree gives,
    and no walk of it after the swap; the next build of the same input is up to date, and
    one after a file changed is not."""
    three(catalog)
    out = tmp_path / "site"
    walks: list[Path] = []
    real_manifest = publish.manifest

    def counting(root: Path) -> dict[str, list[int]]:
        walks.append(root)
        return real_manifest(root)

    monkeypatch.setattr(build_module.publish, "manifest", counting)
    first = build(catalog.root, out, jobs=jobs)
    assert not first.up_to_date and walks == []
    record = _publish_record(tmp_path / CACHE_DIRNAME)
    assert record["files"] == real_manifest(out.resolve())
    assert len(record["files"]) == first.files
    again = build(catalog.root, out, jobs=jobs)
    assert again.up_to_date
    page = out / "datasets" / "stops" / "index.html"
    page.write_text(page.read_text(encoding="utf-8") + "<!-- edited -->", encoding="utf-8")
    assert not build(catalog.root, out, jobs=jobs).up_to_date


def _object(cache_root: Path, tmp_path: Path, text: str) -> str:
    """Store a file with this text as an object; its sha256."""
    data = text.encode()
    sha = hashlib.sha256(data).hexdigest()
    source = tmp_path / f"src-{sha[:8]}"
    source.write_bytes(data)
    store_object(cache_root, source, sha)
    return sha


def _objects(cache_root: Path) -> set[str]:
    folder = cache_root / "objects"
    return {sub.name + obj.name for sub in folder.iterdir() for obj in sub.iterdir()}


def _rows(cache_root: Path) -> dict[tuple[str, str], str]:
    with sqlite3.connect(cache_root / "index.sqlite") as db:
        return {(k, key): v for k, key, v in db.execute("SELECT kind, key, value FROM entries")}


def _set_value(cache_root: Path, kind: str, key: str, value: str, mac: str | None = None) -> None:
    with sqlite3.connect(cache_root / "index.sqlite") as db:
        if mac is None:  # the value alone: what a tamperer without the key can do
            db.execute("UPDATE entries SET value=? WHERE kind=? AND key=?", (value, kind, key))
        else:
            db.execute(
                "UPDATE entries SET value=?, mac=? WHERE kind=? AND key=?", (value, mac, kind, key)
            )


def test_finish_keeps_the_objects_of_the_entries_written_and_removes_the_others(tmp_path):
    root = tmp_path / "cache"
    cache = BuildCache(root)
    kept = _object(root, tmp_path, "kept")
    orphan = _object(root, tmp_path, "orphan")
    cache.put("page", "k1", {"files": [{"sha256": kept, "size": 4}]})
    cache.put("page", "k2", {"note": "no object"})
    cache.finish()
    cache.close()
    assert _objects(root) == {kept}
    assert orphan not in _objects(root) and set(_rows(root)) == {("page", "k1"), ("page", "k2")}


def test_an_entry_read_and_checked_keeps_its_objects_in_a_later_build(tmp_path):
    root = tmp_path / "cache"
    first = BuildCache(root)
    sha = _object(root, tmp_path, "page bytes")
    first.put("page", "k", {"sha256": sha})
    first.finish()
    first.close()
    second = BuildCache(root)
    assert second.get("page", "k") == {"sha256": sha}
    second.finish()
    second.close()
    assert _objects(root) == {sha}


def test_an_entry_planted_before_the_build_keeps_no_object_and_is_removed(tmp_path):
    root = tmp_path / "cache"
    first = BuildCache(root)
    genuine = _object(root, tmp_path, "genuine")
    first.put("page", "k", {"sha256": genuine})
    first.put("page", "other", {"x": 1})
    first.finish()
    first.close()
    planted = _object(root, tmp_path, "planted")
    _set_value(root, "page", "k", json.dumps({"sha256": planted}))  # no valid MAC
    second = BuildCache(root)
    second.get("page", "other")  # this build reads another entry only
    second.finish()
    second.close()
    assert ("page", "k") not in _rows(root), "a planted entry survived"
    assert _objects(root) == set(), "a planted or orphaned object survived"


def test_an_entry_changed_after_this_build_wrote_it_keeps_only_the_objects_written(tmp_path):
    """Its text changed without its MAC: the objects kept are those of the text written;
    the next build that reads it refuses it (test_planted_cache_entry_is_not_used)."""
    root = tmp_path / "cache"
    cache = BuildCache(root)
    genuine = _object(root, tmp_path, "genuine")
    planted = _object(root, tmp_path, "planted")
    cache.put("page", "k", {"sha256": genuine})
    cache.flush()
    _set_value(root, "page", "k", json.dumps({"sha256": planted}))
    cache.finish()
    cache.close()
    assert _objects(root) == {genuine}
    again = BuildCache(root)
    assert again.get("page", "k") is None and again.stats["forged"] == 1
    again.close()


def test_an_entry_another_build_replaced_with_a_valid_mac_keeps_its_own_objects(tmp_path):
    """Two builds sharing a cache: an entry rewritten (signed) by the other after this one
    wrote it is read and checked, and its objects are kept."""
    root = tmp_path / "cache"
    cache = BuildCache(root)
    mine = _object(root, tmp_path, "mine")
    theirs = _object(root, tmp_path, "theirs")
    cache.put("page", "k", {"sha256": mine})
    cache.flush()
    value = json.dumps({"sha256": theirs}, ensure_ascii=False)
    _set_value(root, "page", "k", value, entry_mac(cache._key, "page", "k", value))
    cache.finish()
    cache.close()
    assert _objects(root) == {theirs}
    assert object_path(root, theirs).read_bytes() == b"theirs"


def test_a_warm_build_takes_the_page_entries_its_workers_checked(
    catalog: CatalogFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """The page workers check the page entries they use; cache.finish takes those by their
    MAC and the objects they name, without reading and checking them again, and keeps the
    pages' objects."""
    three(catalog)
    monkeypatch.setattr(parallel, "PARALLEL_THRESHOLD", 1)  # the pages in worker processes
    cache_dir = tmp_path / "cache"
    build(catalog.root, tmp_path / "a" / "site", jobs=2, cache_dir=cache_dir)
    checked: list[str] = []
    real_mac = BuildCache._mac

    def counting(self: BuildCache, kind: str, key: str, value: str) -> str:
        checked.append(kind)
        return real_mac(self, kind, key, value)

    real_finish = BuildCache.finish

    def finish(self: BuildCache) -> None:
        self.flush()  # what this build wrote is signed before counting starts
        monkeypatch.setattr(BuildCache, "_mac", counting)
        real_finish(self)

    monkeypatch.setattr(BuildCache, "finish", finish)
    warm = build(catalog.root, tmp_path / "b" / "site", jobs=2, cache_dir=cache_dir)
    assert warm.cache["page_hit"] > 0 and not warm.up_to_date
    assert "page" not in checked, "an entry a page worker checked was checked again"
    pages = [json.loads(v)["sha256"] for (kind, _), v in _rows(cache_dir).items() if kind == "page"]
    assert pages and all(sha in _objects(cache_dir) for sha in pages)
