"""The precompressed siblings (deploy/compress.py): the same bytes and the same record
whatever the number of worker processes, and nothing compressed twice on a cached rebuild."""

from __future__ import annotations

import gzip
from pathlib import Path

import brotli

from generator.deploy.compress import PARALLEL_FILES, gzip_bytes, is_data_download, precompress
from generator.deploy.mediatypes import COMPRESS_MIN_BYTES
from generator.runtime.cache import BuildCache
from generator.runtime.output import OutputTree


def page(n: int) -> str:
    """A page of some kilobytes, different for each n (so every sibling differs)."""
    rows = "".join(f"<tr><td>云川市第{n}号站点</td><td>{n * i}</td></tr>\n" for i in range(400))
    return f"<!doctype html><title>第{n}页</title><table>\n{rows}</table>\n"


def make_tree(root: Path, files: int, changed: int | None = None) -> OutputTree:
    """A staging tree of ``files`` pages; page ``changed`` gets other content."""
    out = OutputTree(root)
    for n in reversed(range(files)):  # written out of path order, as stages do
        out.write_text(f"datasets/d{n:03d}/index.html", page(999 if n == changed else n))
    out.write_text("small.html", "<p>短</p>" * 1200)  # under COMPRESS_MIN_BYTES: no siblings
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


def test_data_downloads_get_gzip_only(tmp_path: Path):
    """CSV and resource JSON downloads get a .gz and no .br; pages, the datapackage, the
    validation report and the map's GeoJSON get both; the threshold is the file's size."""
    out = OutputTree(tmp_path)
    big = page(1) * 2
    names = [
        "datasets/d/rows.csv",
        "datasets/d/rows.excel.csv",
        "datasets/d/rows.json",
        "datasets/d/archive/2026-01-01/rows.csv",
        "stats/datasets.csv",
        "datasets/d/datapackage.json",
        "datasets/d/validation.json",
        "datasets/d/rows.geojson",
        "datasets/d/index.html",
        "api/v1/datasets/d.json",
    ]
    for rel in names:
        out.write_text(rel, big)
    out.write_text("datasets/e/index.html", "x" * (COMPRESS_MIN_BYTES - 1))
    out.write_text("datasets/f/index.html", "y" * COMPRESS_MIN_BYTES)
    precompress(out, None, 1)
    gzip_only = {rel for rel in names if is_data_download(rel)}
    assert gzip_only == set(names[:5])
    for rel in names:
        assert rel + ".gz" in out.files, rel
        assert (rel + ".br" in out.files) == (rel not in gzip_only), rel
    assert "datasets/e/index.html.gz" not in out.files
    assert {"datasets/f/index.html.gz", "datasets/f/index.html.br"} <= set(out.files)
