"""The process pool: same results in the same order as one process, and failures that
name the dataset instead of hanging."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import time
from pathlib import Path

import pytest

from generator.build import build
from generator.catalog.loader import load_catalog
from generator.model import Catalog, Dataset
from generator.runtime import parallel
from generator.runtime.cache import BuildCache
from generator.runtime.parallel import DatasetPool, WorkerError
from generator.site.render import Renderer


def _load(factory, n: int) -> Catalog:
    for i in range(n):
        factory.dataset(f"ds-{i:02d}", csv_text=f"line_id,stops\nL{i},{i}\n")
    catalog, problems = load_catalog(factory.root)
    assert catalog is not None and not problems.errors
    return catalog


def slow_first(context: Catalog, ds: Dataset) -> tuple[str, int, bool]:
    # The first datasets finish last, so completion order is the reverse of input order.
    index = int(ds.id.split("-")[1])
    time.sleep(0.02 * (8 - index) if index < 8 else 0)
    return ds.id, os.getpid(), bool(context.datasets)


def die_on_third(context: Catalog, ds: Dataset) -> str:
    if ds.id == "ds-03":
        os._exit(7)  # a hard crash: no exception, no result
    return ds.id


def raise_on_third(context: Catalog, ds: Dataset) -> str:
    if ds.id == "ds-03":
        raise ValueError("boom")
    return ds.id


def test_results_keep_input_order_across_processes(catalog):
    cat = _load(catalog, 10)
    with DatasetPool(cat, jobs=2, threshold=1) as pool:
        results = pool.map(slow_first, cat.datasets)
    assert [r[0] for r in results] == [ds.id for ds in cat.datasets]
    assert len({r[1] for r in results}) == 2, "work was not spread over two processes"
    assert os.getpid() not in {r[1] for r in results}
    # A unit of work sees the catalog context without its datasets, in workers and inline.
    assert not any(r[2] for r in results)


def test_small_catalogs_run_in_process(catalog):
    cat = _load(catalog, 3)
    with DatasetPool(cat, jobs=2) as pool:
        assert not pool.uses_processes(len(cat.datasets))
        results = pool.map(slow_first, cat.datasets)
    assert {r[1] for r in results} == {os.getpid()}


def test_worker_crash_is_a_clear_error(catalog):
    cat = _load(catalog, 6)
    started = time.monotonic()
    with pytest.raises(WorkerError) as info, DatasetPool(cat, jobs=2, threshold=1) as pool:
        pool.map(die_on_third, cat.datasets)
    assert time.monotonic() - started < 30
    assert "ds-03" in info.value.message
    assert "--jobs 1" in info.value.message


def test_worker_exception_names_the_dataset(catalog):
    cat = _load(catalog, 6)
    with pytest.raises(WorkerError) as info, DatasetPool(cat, jobs=2, threshold=1) as pool:
        pool.map(raise_on_third, cat.datasets)
    assert "ds-03" in info.value.message
    assert "ValueError: boom" in info.value.message


def _tree(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def test_parallel_build_is_byte_identical(catalog, tmp_path, monkeypatch):
    _load(catalog, 12)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1795000000")
    serial = build(catalog.root, tmp_path / "serial", jobs=1)
    monkeypatch.setattr(parallel, "PARALLEL_THRESHOLD", 1)
    parallel_result = build(catalog.root, tmp_path / "parallel", jobs=2)
    assert serial.files == parallel_result.files
    assert _tree(tmp_path / "serial") == _tree(tmp_path / "parallel")
    assert set(parallel_result.stages) >= {"load", "validate", "derive", "render"}


def test_workers_keep_what_they_write_in_the_cache(catalog, tmp_path, monkeypatch):
    """Derivation and page workers store their files in the cache themselves; a second
    build into a new folder then copies every dataset's files and pages from it."""
    _load(catalog, 12)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1795000000")
    monkeypatch.setattr(parallel, "PARALLEL_THRESHOLD", 1)
    cache = tmp_path / "cache"
    with monkeypatch.context() as m:  # the build's own process stores nothing
        m.setattr(BuildCache, "store_file", lambda self, path, sha: None)
        first = build(catalog.root, tmp_path / "one", jobs=2, cache_dir=cache)
    assert first.cache["derive_miss"] == 12
    second = build(catalog.root, tmp_path / "two", jobs=2, cache_dir=cache)
    assert second.cache["derive_hit"] == 12
    # each dataset's page and search document in both languages came from the cache
    assert second.cache["page_hit"] >= 12 * 2 * 2
    assert _tree(tmp_path / "one") == _tree(tmp_path / "two")


def test_jobs_option(catalog, cli, tmp_path):
    _load(catalog, 2)
    assert cli("check", "--catalog", catalog.root, "--jobs", "2").exit_code == 0
    assert (
        cli("build", "--catalog", catalog.root, "--out", tmp_path / "o", "-j", "1").exit_code == 0
    )
    assert cli("check", "--catalog", catalog.root, "--jobs", "0").exit_code == 2


def test_parallel_loading_keeps_datasets_and_problems_in_order(catalog, monkeypatch):
    for i in range(8):
        catalog.dataset(f"ds-{i:02d}", open_type="半开放" if i % 3 == 0 else "无条件开放")
    serial_catalog, serial_problems = load_catalog(catalog.root, jobs=1)
    monkeypatch.setattr(parallel, "PARALLEL_THRESHOLD", 1)
    par_catalog, par_problems = load_catalog(catalog.root, jobs=2)
    assert par_catalog == serial_catalog
    assert par_problems.items == serial_problems.items
    assert [p.dataset for p in par_problems.errors] == ["ds-00", "ds-03", "ds-06"]


def _page_entries(cache: Path) -> dict[str, tuple[str, int]]:
    """The page entries of a cache: key -> (value, generation that last used it)."""
    with sqlite3.connect(cache / "index.sqlite") as db:
        rows = db.execute("SELECT key, value, used FROM entries WHERE kind='page'").fetchall()
    return {key: (value, used) for key, value, used in rows}


def test_page_workers_look_their_pages_up_themselves(catalog, tmp_path, monkeypatch):
    """The build's process computes no dataset page's key (the workers do, and copy
    unchanged pages from the cache); a warm build counts the same hits as one process,
    and the entries the workers read stay alive."""
    _load(catalog, 12)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1795000000")
    cache = tmp_path / "cache"
    serial_cache = tmp_path / "serial-cache"
    build(catalog.root, tmp_path / "s1", jobs=1, cache_dir=serial_cache)
    serial = build(catalog.root, tmp_path / "s2", jobs=1, cache_dir=serial_cache)
    monkeypatch.setattr(parallel, "PARALLEL_THRESHOLD", 1)
    parent = os.getpid()
    specs = Renderer.dataset_page_specs

    def in_workers_only(self, view):
        assert os.getpid() != parent, "a dataset page's key was computed in the build"
        return specs(self, view)

    monkeypatch.setattr(Renderer, "dataset_page_specs", in_workers_only)
    first = build(catalog.root, tmp_path / "one", jobs=2, cache_dir=cache)
    assert first.cache["page_miss"] == serial.cache["page_hit"] + serial.cache.get("page_miss", 0)
    entries = _page_entries(cache)
    second = build(catalog.root, tmp_path / "two", jobs=2, cache_dir=cache)
    assert second.cache["page_hit"] == serial.cache["page_hit"] > 12 * 2 * 2
    assert second.cache.get("page_miss", 0) == serial.cache.get("page_miss", 0) == 0
    assert _tree(tmp_path / "one") == _tree(tmp_path / "two") == _tree(tmp_path / "s2")
    after = _page_entries(cache)
    assert after.keys() == entries.keys()
    assert len({used for _, used in after.values()}) == 1  # every page used by this build


def test_a_page_worker_renders_a_damaged_or_forged_page_again(catalog, tmp_path, monkeypatch):
    _load(catalog, 12)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1795000000")
    monkeypatch.setattr(parallel, "PARALLEL_THRESHOLD", 1)
    cache = tmp_path / "cache"
    build(catalog.root, tmp_path / "one", jobs=2, cache_dir=cache)
    page = "datasets/ds-03/index.html"
    sha = hashlib.sha256((tmp_path / "one" / page).read_bytes()).hexdigest()
    obj = cache / "objects" / sha[:2] / sha[2:]
    obj.unlink()
    obj.write_bytes(b"damaged")  # a page object of one dataset, wrong size
    with sqlite3.connect(cache / "index.sqlite") as db:  # another's entry, forged
        key, value = next((k, v) for k, (v, _) in _page_entries(cache).items() if '"size"' in v)
        db.execute("UPDATE entries SET mac='0' WHERE kind='page' AND key=?", (key,))
    second = build(catalog.root, tmp_path / "two", jobs=2, cache_dir=cache)
    assert second.cache["page_miss"] == 2 and second.cache["forged"] == 1
    assert _tree(tmp_path / "one") == _tree(tmp_path / "two")
    third = build(catalog.root, tmp_path / "three", jobs=2, cache_dir=cache)
    # the forged entry was written again, and the damaged object was removed when it was
    # found and stored again from the page rendered anew: nothing is rendered a third time
    assert third.cache.get("page_miss", 0) == 0 and third.cache["page_hit"] > 0
    assert obj.read_bytes() == (tmp_path / "one" / page).read_bytes()
    assert _tree(tmp_path / "one") == _tree(tmp_path / "three")
