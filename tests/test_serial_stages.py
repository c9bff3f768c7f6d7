"""The stages that run in the build's main process (issue 14): what was made faster there
still gives what the slower code gave."""

from __future__ import annotations

import gc
import json
import os
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import generator.build
from generator import feeds
from generator.build import build
from generator.runtime import cache, parallel
from generator.runtime.cache import _SHA_MEMBER, _shas, sha_members
from generator.runtime.output import DuplicateOutputError, OutputTree

from .conftest import CatalogFactory

# keys and strings that look like the member the cache looks for, or like JSON syntax
TRICKY = st.sampled_from(
    ["sha256", "SHA256", "sha256 ", '"sha256": "', 'x": "', "\\", '"', ": ", "\n", "é", "{"]
)
TEXT = st.lists(st.one_of(TRICKY, st.text(max_size=4)), max_size=4).map("".join)
HEX = st.text(alphabet="0123456789abcdef", min_size=1, max_size=64)
LEAF = st.one_of(st.none(), st.booleans(), st.integers(), TEXT, HEX)
VALUE = st.recursive(
    LEAF,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.one_of(TRICKY, TEXT), inner, max_size=4),
        st.fixed_dictionaries({"sha256": st.one_of(HEX, TEXT, inner)}, optional={"x": inner}),
    ),
    max_leaves=20,
)


@settings(max_examples=400, deadline=None)
@given(VALUE)
@example({'"sha256": "sha256': ""})  # found by hypothesis in CI: a key ending in "sha256
@example({'k"sha256': "abc", "x": {"sha256": "ab12"}})
def test_the_hashes_an_entry_names_read_from_its_text_as_from_its_value(value: object) -> None:
    """cache.finish keeps the objects an entry names: it reads them from the entry's JSON
    text (json.dumps, as BuildCache.put writes it) instead of decoding and walking it."""
    text = json.dumps(value, ensure_ascii=False)
    # an object's name is hex; a string json has to escape (a quote, a backslash, a
    # control character) can never be one, and is the one thing the text may not show
    plain = {s for s in _shas(value) if json.dumps(s, ensure_ascii=False) == f'"{s}"'}
    assert set(_SHA_MEMBER.findall(text)) == plain
    assert sha_members(text) == _SHA_MEMBER.findall(text)  # what cache.finish uses


@settings(max_examples=400, deadline=None)
@given(st.lists(st.one_of(TRICKY, st.text(max_size=3)), max_size=12).map("".join))
@example(' "sha256": "ab"')
@example('"sha256": "ab", "sha256": "cd"')
@example('\\"sha256": "ab"')
def test_the_fast_member_search_finds_what_the_lookbehind_pattern_finds(text: str) -> None:
    """Any text, not only JSON: sha_members is _SHA_MEMBER.findall, match for match."""
    assert sha_members(text) == _SHA_MEMBER.findall(text)


def test_a_hash_member_is_found_however_deep_and_not_inside_a_string() -> None:
    value = {
        "files": [{"path": "a.csv", "sha256": "ab" * 32}, {"sha256": None}],
        "note": '{"sha256": "' + "cd" * 32 + '"}',  # text, not a member
        "nested": {"x": [[{"sha256": "ef" * 32}]]},
    }
    text = json.dumps(value, ensure_ascii=False)
    assert set(_SHA_MEMBER.findall(text)) == {"ab" * 32, "ef" * 32} == set(_shas(value))
    assert set(sha_members(text)) == {"ab" * 32, "ef" * 32}


def _tricky_tree(root: Path) -> Path:
    """A dataset folder with what the hash must tell apart: nested folders, names that
    sort differently as paths and as names, links in and out, a linked folder, a fifo."""
    folder = root / "datasets" / "a"
    (folder / "data" / "sub").mkdir(parents=True)
    (folder / "data-2").mkdir()
    (root / "outside.csv").write_text("x\n1\n")
    for rel, text in {
        "datapackage.yaml": "id: a\n",
        "README.md": "说明\n",
        "data/b.csv": "b\n1\n",
        "data/sub/c.csv": "c\n2\n",
        "data-2/d.csv": "d\n3\n",
        "data.csv": "e\n4\n",
        "数据.csv": "f\n5\n",
    }.items():
        (folder / rel).write_text(text, encoding="utf-8")
    (folder / "data" / "link-in.csv").symlink_to(folder / "data.csv")
    (folder / "link-out.csv").symlink_to(root.parent / "elsewhere.csv")
    (folder / "broken.csv").symlink_to(folder / "missing.csv")
    (folder / "linked-folder").symlink_to(folder / "data", target_is_directory=True)
    os.mkfifo(folder / "data" / "pipe")
    return folder


def test_the_catalog_hash_reads_the_same_files_in_the_same_order_by_directory_entries(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """tree_digest knows a file that is no link from its directory entry; reached through
    a linked folder (every file needs its real path then) it walks as before: same hash."""
    root = tmp_path / "catalog"
    folder = _tricky_tree(root)
    (root / "alias").symlink_to(folder, target_is_directory=True)
    through_link = cache.tree_digest(root / "alias", root)
    with monkeypatch.context() as m:  # the folder itself is no link: os.walk is not used
        m.setattr(cache.os, "walk", None)
        direct = cache.tree_digest(folder, root)
    assert direct == through_link
    (folder / "data" / "sub" / "c.csv").write_text("c\n3\n")  # content counts
    assert cache.tree_digest(folder, root) != direct


def test_the_catalog_feeds_are_written_by_a_process_of_their_own(
    catalog: CatalogFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With two jobs, DCAT-AP and data.json come from a forked process (its pid is not
    this one's), the other feeds from this one; the files and what the build records of
    them are those of one process; a path both write stops the build."""
    for i in range(4):
        catalog.dataset(f"ds-{i:02d}", csv_text=f"line_id,stops\nL{i},{i}\n")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1795000000")
    log = tmp_path / "writers.txt"  # "writer pid" lines, from whichever process wrote
    real_catalogs, real_api = feeds.write_catalogs, feeds.write_api

    def catalogs(*args: object, **kwargs: object) -> object:
        with open(log, "a") as handle:
            handle.write(f"catalogs {os.getpid()}\n")
        return real_catalogs(*args, **kwargs)

    def api(*args: object, **kwargs: object) -> object:
        with open(log, "a") as handle:
            handle.write(f"api {os.getpid()}\n")
        return real_api(*args, **kwargs)

    monkeypatch.setattr(feeds, "write_catalogs", catalogs)
    monkeypatch.setattr(feeds, "write_api", api)
    serial = build(catalog.root, tmp_path / "serial", jobs=1, use_cache=False)
    here = str(os.getpid())
    assert _writers(log) == {("catalogs", here), ("api", here)}
    monkeypatch.setattr(parallel, "PARALLEL_THRESHOLD", 1)
    forked = build(catalog.root, tmp_path / "forked", jobs=2, use_cache=False)
    writers = _writers(log)
    (catalogs_pid,) = [pid for name, pid in writers if name == "catalogs"]
    assert writers == {("catalogs", catalogs_pid), ("api", here)} and catalogs_pid != here
    assert serial.files == forked.files
    assert _tree(tmp_path / "serial") == _tree(tmp_path / "forked")

    def clash(
        cat: object, records: object, shown: object, out: OutputTree, *rest: object
    ) -> object:
        out.write_text("catalog.ttl", "")  # the forked process writes it too
        return real_api(cat, records, shown, out, *rest)

    monkeypatch.setattr(feeds, "write_api", clash)
    with pytest.raises(DuplicateOutputError, match="catalog.ttl"):
        build(catalog.root, tmp_path / "clash", jobs=2, use_cache=False)
    assert not (tmp_path / "clash").exists()


def _writers(log: Path) -> set[tuple[str, ...]]:
    found = {tuple(line.split()) for line in log.read_text().splitlines()}
    log.unlink()
    return found


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_the_catalogs_start_before_the_render_stage_and_the_heap_is_frozen_until_the_end(
    catalog: CatalogFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """DCAT-AP and data.json are started before the render stage (their process runs while
    the views are made, before the page workers start); what the build holds after derive
    is out of the collector's reach during the render stage, and collectable again once
    build() returns, whether it succeeds or fails."""
    for i in range(4):
        catalog.dataset(f"ds-{i:02d}", csv_text=f"line_id,stops\nL{i},{i}\n")
    calls: list[tuple[str, int]] = []
    real_start, real_render = generator.build.start_catalogs, generator.build.render_site

    def start(*args: object, **kwargs: object) -> object:
        calls.append(("catalogs", gc.get_freeze_count()))
        return real_start(*args, **kwargs)

    def render(*args: object, **kwargs: object) -> object:
        calls.append(("render", gc.get_freeze_count()))
        return real_render(*args, **kwargs)

    monkeypatch.setattr(generator.build, "start_catalogs", start)
    monkeypatch.setattr(generator.build, "render_site", render)
    monkeypatch.setattr(parallel, "PARALLEL_THRESHOLD", 1)
    build(catalog.root, tmp_path / "site", jobs=2, use_cache=False)
    assert [name for name, _ in calls] == ["catalogs", "render"]
    assert all(frozen > 0 for _, frozen in calls)
    assert gc.get_freeze_count() == 0

    def broken(*args: object, **kwargs: object) -> object:
        raise RuntimeError("render failed")

    monkeypatch.setattr(generator.build, "render_site", broken)
    with pytest.raises(RuntimeError, match="render failed"):
        build(catalog.root, tmp_path / "failed", jobs=2, use_cache=False)
    assert gc.get_freeze_count() == 0
