"""The precompressed siblings (deploy/compress.py): the same bytes and the same record
whatever the number of worker processes, and nothing compressed twice on a cached rebuild."""

from __future__ import annotations

import gzip
from pathlib import Path

import brotli

from generator.deploy.compress import PARALLEL_FILES, gzip_bytes, precompress
from generator.runtime.cache import BuildCache
from generator.runtime.output import OutputTree


def page(n: int) -> str:
    """A page of some kilobytes, different for each n (so every sibling differs)."""
    rows = "".join(f"<tr><td>云川市第{n}号站点</td><td>{n * i}</td></tr>\n" for i in range(80))
    return f"<!doctype html><title>第{n}页</title><table>\n{rows}</table>\n"


def make_tree(root: Path, files: int, changed: int | None = None) -> OutputTree:
    """A staging tree of ``files`` pages; page ``changed`` gets other content."""
    out = OutputTree(root)
    for n in reversed(range(files)):  # written out of path order, as stages do
        out.write_text(f"datasets/d{n:03d}/index.html", page(999 if n == changed else n))
    out.write_text("small.html", "<p>短</p>")  # under 1 KiB: no siblings
    out.write_bytes("datasets/d000/data.parquet", b"PAR1" + bytes(4000))  # not text
    return out


def test_siblings_are_the_same_for_any_number_of_workers(tmp_path: Path):
    files = PARALLEL_FILES + 12  # enough for the worker pool
    one, two = make_tree(tmp_path / "one", files), make_tree(tmp_path / "two", files)
    first, second = precompress(one, None, 1), precompress(two, None, 2)
    assert first == second and first.files == files and first.written == 2 * files
    assert list(one.files) == list(two.files)  # recorded in the same order too
    assert one.files == two.files
    siblings = [rel for rel in one.files if rel.endswith((".gz", ".br"))]
    assert len(siblings) == 2 * files
    for rel in siblings:
        data = (two.root / rel).read_bytes()
        assert data == (one.root / rel).read_bytes(), rel
        original = (one.root / rel[:-3]).read_bytes()
        assert (gzip.decompress if rel.endswith(".gz") else brotli.decompress)(data) == original
    assert not (one.root / "small.html.gz").exists()
    assert not (one.root / "datasets/d000/data.parquet.gz").exists()


def test_gzip_header_names_no_time_and_no_file():
    packed = gzip_bytes(page(1).encode())
    assert packed[:3] == b"\x1f\x8b\x08" and packed[3] == 0  # no FNAME, no FEXTRA
    assert packed[4:8] == b"\0\0\0\0"  # MTIME 0


def test_a_cached_rebuild_compresses_nothing_again(tmp_path: Path):
    files = PARALLEL_FILES + 2
    cache = BuildCache(tmp_path / "cache")
    first = precompress(make_tree(tmp_path / "a", files), cache, 2)
    assert first.written == 2 * files and first.reused == 0
    cache.close()
    cache = BuildCache(tmp_path / "cache")
    out = make_tree(tmp_path / "b", files, changed=1)  # one page changed: compressed again
    again = precompress(out, cache, 2)
    cache.close()
    assert again.reused == 2 * (files - 1) and again.written == 2
    fresh = make_tree(tmp_path / "c", files, changed=1)
    precompress(fresh, None, 1)
    assert out.files == fresh.files
    for rel in out.files:
        assert (out.root / rel).read_bytes() == (fresh.root / rel).read_bytes(), rel
