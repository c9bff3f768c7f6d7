"""The single writer (runtime/output.py) and the cache's object store (runtime/cache.py):
the guards and hashes stay while the per-file system calls go."""

from __future__ import annotations

import errno
import hashlib
import os
from pathlib import Path

import pytest

from generator.runtime import cache
from generator.runtime.output import DuplicateOutputError, OutputTree


def test_writes_make_their_folders_and_record_size_and_hash(tmp_path: Path):
    out = OutputTree(tmp_path / "site")
    written = out.write_text("datasets/a/b/index.html", "<p>开放</p>")
    data = "<p>开放</p>".encode()
    assert (tmp_path / "site/datasets/a/b/index.html").read_bytes() == data
    assert (written.size, written.sha256) == (len(data), hashlib.sha256(data).hexdigest())
    out.write_bytes("datasets/a/b/c.json", b"{}")  # into a folder made by the first write
    assert out.files["datasets/a/b/c.json"].size == 2


def test_duplicates_and_escapes_are_refused(tmp_path: Path):
    out = OutputTree(tmp_path / "site")
    out.write_text("index.html", "first")
    with pytest.raises(DuplicateOutputError):
        out.write_text("index.html", "second")
    assert (tmp_path / "site/index.html").read_text() == "first"
    for rel in ("/etc/x", "../x", "a/../../x", "a/.."):
        with pytest.raises(ValueError, match="escapes"):
            out.write_text(rel, "x")
        with pytest.raises(ValueError, match="escapes"):
            out.path_for_stream(rel)
    assert not (tmp_path / "x").exists()


def test_a_folder_removed_after_a_write_is_made_again(tmp_path: Path):
    out = OutputTree(tmp_path / "site")
    out.write_text("_search/a.html", "a")
    out.remove_under("_search/")
    out.write_text("_search/a.html", "again")
    assert (tmp_path / "site/_search/a.html").read_text() == "again"


def test_objects_are_linked_once_by_hash(tmp_path: Path):
    site = tmp_path / "site"
    out = OutputTree(site)
    first = out.write_text("a.html", "same bytes")
    out.write_text("b.html", "same bytes")
    store = tmp_path / "cache"
    cache.store_object(store, site / "a.html", first.sha256)
    cache.store_object(store, site / "b.html", first.sha256)  # already there: kept
    stored = cache.object_path(store, first.sha256)
    assert os.path.samefile(stored, site / "a.html")
    assert [p.name for p in stored.parent.iterdir()] == [stored.name]  # no temporary left
    with pytest.raises(FileNotFoundError):
        cache.store_object(store, site / "missing.html", "0" * 64)


def test_objects_are_copied_where_links_fail(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    site = tmp_path / "site"
    written = OutputTree(site).write_text("a.html", "copied")

    def no_links(*args: object) -> None:
        raise OSError(errno.EXDEV, "cross-device link")

    monkeypatch.setattr(cache.os, "link", no_links)
    cache.store_object(tmp_path / "cache", site / "a.html", written.sha256)
    stored = cache.object_path(tmp_path / "cache", written.sha256)
    assert stored.read_text() == "copied" and not os.path.samefile(stored, site / "a.html")
    assert [p.name for p in stored.parent.iterdir()] == [stored.name]


def test_the_published_manifest_lists_what_os_walk_lists(tmp_path: Path):
    """publish.manifest walks by scandir: the same files, sizes and mtimes, in the same
    order, as os.walk (a link to a folder is listed by neither, a link to a file by both)."""
    from generator.publish import manifest

    site = tmp_path / "site"
    out = OutputTree(site)
    for rel in ("index.html", "datasets/a/index.html", "datasets/a/b.csv", "en/x/y/z.json"):
        out.write_text(rel, rel * 3)
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "f.txt").write_text("x")
    (site / "linked").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    (site / "datasets" / "file-link.txt").symlink_to(tmp_path / "elsewhere" / "f.txt")
    expected: dict[str, list[int]] = {}
    for folder, _dirs, names in os.walk(site):
        for name in names:
            st = os.stat(os.path.join(folder, name))
            rel = os.path.relpath(os.path.join(folder, name), site).replace(os.sep, "/")
            expected[rel] = [st.st_size, st.st_mtime_ns]
    listed = manifest(site)
    assert listed == expected and list(listed) == list(expected)
    assert "datasets/file-link.txt" in listed and not any(k.startswith("linked/") for k in listed)


def test_cache_encoding_of_every_kind_of_value():
    """cache.encode takes exact built-in types first and a dataclass's fields once per
    type; the JSON-able form stays what it was for each kind of value."""
    import dataclasses
    import datetime as dt
    import enum

    class Kind(enum.StrEnum):
        TYPE = "type-error"

    class Level(enum.Enum):
        HIGH = 3

    @dataclasses.dataclass
    class Cell:
        field: str
        row: int
        kind: Kind
        level: Level
        note: str | None = None

    @dataclasses.dataclass(frozen=True)
    class Report:
        path: Path
        day: dt.date
        at: dt.datetime
        cells: list[Cell]
        stats: dict
        pair: tuple[int, str]
        ok: bool

    report = Report(
        Path("/x/a.csv"),
        dt.date(2026, 1, 2),
        dt.datetime(2026, 1, 2, 3, 4, 5),
        [Cell("名称", 2, Kind.TYPE, Level.HIGH)],
        {1: 2.5, "x": [1, None, True]},
        (7, "七"),
        False,
    )
    assert cache.encode([report]) == [
        {
            "path": "/x/a.csv",
            "day": "2026-01-02",
            "at": "2026-01-02T03:04:05",
            "cells": [{"field": "名称", "row": 2, "kind": "type-error", "level": 3, "note": None}],
            "stats": {"1": 2.5, "x": [1, None, True]},
            "pair": [7, "七"],
            "ok": False,
        }
    ]
    assert type(cache.encode([report])[0]["cells"][0]["kind"]) is str  # not the enum
    with pytest.raises(TypeError, match="cannot cache a set"):
        cache.encode({"s": {1}})
