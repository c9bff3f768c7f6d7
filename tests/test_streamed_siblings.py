"""Large files are compressed, and their siblings read by the audit, a block at a time:
memory stays at one block whatever the size of a download (a 10M-row resource's JSON is
over 1 GB)."""

from __future__ import annotations

import gzip
import io
from pathlib import Path

import brotli
import pytest

from generator.audit import files
from generator.deploy import compress
from generator.runtime.cache import BuildCache
from generator.runtime.output import OutputTree

SECRET = "云川测试贸易有限公司"


def rows(n: int) -> str:
    return "".join(f'{{"站点": "第{i}号站点", "数量": {i * 7}}},\n' for i in range(n))


def tree(root: Path) -> OutputTree:
    out = OutputTree(root)
    out.write_text("datasets/d/rows.json", rows(3000))  # a data download: gzip only
    out.write_text("datasets/d/rows.geojson", rows(2000))  # gzip and brotli
    out.write_text("datasets/d/index.html", rows(500))  # under STREAM_BYTES: read whole
    return out


@pytest.fixture
def small_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(compress, "STREAM_BYTES", 60_000)
    monkeypatch.setattr(compress, "STREAM_BLOCK", 4096)


def test_large_files_are_compressed_block_by_block(
    tmp_path: Path, small_blocks: None, monkeypatch: pytest.MonkeyPatch
):
    read_whole = []
    real = compress._read_small

    def spy(path: str) -> bytes | None:
        data = real(path)
        if data is not None:  # read whole, not streamed
            read_whole.append(Path(path).name)
        return data

    monkeypatch.setattr(compress, "_read_small", spy)
    one, two = tree(tmp_path / "one"), tree(tmp_path / "two")
    compress.precompress(one, None, 1)
    compress.precompress(two, None, 1)
    assert read_whole.count("index.html") == 2 and "rows.json" not in read_whole
    assert "rows.geojson" not in read_whole
    siblings = sorted(rel for rel in one.files if rel.endswith((".gz", ".br")))
    assert siblings == [
        "datasets/d/index.html.br",
        "datasets/d/index.html.gz",
        "datasets/d/rows.geojson.br",
        "datasets/d/rows.geojson.gz",
        "datasets/d/rows.json.gz",
    ]
    for rel in siblings:
        packed = (one.root / rel).read_bytes()
        assert packed == (two.root / rel).read_bytes(), rel  # the same bytes every build
        unpack = gzip.decompress if rel.endswith(".gz") else brotli.decompress
        assert unpack(packed) == (one.root / rel[:-3]).read_bytes(), rel
        assert one.files[rel] == two.files[rel]
    result = compress.precompress(tree(tmp_path / "three"), None, 1)
    import hashlib

    original = hashlib.sha256((one.root / "datasets/d/rows.geojson").read_bytes()).hexdigest()
    assert result.proofs["datasets/d/rows.geojson.br"][1] == original  # what it was made from
    head = (one.root / "datasets/d/rows.json.gz").read_bytes()[:10]
    assert head[3] == 0 and head[4:8] == b"\0\0\0\0"  # no name, no time


def test_a_streamed_result_is_cached_under_its_own_method(tmp_path: Path, small_blocks: None):
    cache = BuildCache(tmp_path / "cache")
    first = compress.precompress(tree(tmp_path / "a"), cache, 1)
    assert first.written == 5 and first.reused == 0
    again = compress.precompress(tree(tmp_path / "b"), cache, 1)
    assert again.written == 0 and again.reused == 5
    cache.close()
    assert compress.method_for(60_000) != compress.method_for(59_999)


def test_a_sibling_no_smaller_than_its_file_is_dropped(tmp_path: Path, small_blocks: None):
    import os

    out = OutputTree(tmp_path)
    out.write_bytes("datasets/d/noise.json", os.urandom(70_000))  # does not compress
    compress.precompress(out, None, 1)
    assert not (tmp_path / "datasets/d/noise.json.gz").exists()
    assert not any(rel.startswith("datasets/d/noise.json.") for rel in out.files)


@pytest.mark.parametrize("suffix", [".br", ".gz"])
def test_the_audit_reads_a_sibling_block_by_block(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, suffix: str
):
    """A value across a block boundary is seen whole; the sibling is never decompressed
    in one piece (brotli.decompress, GzipFile.read() without a size)."""
    monkeypatch.setattr(files, "CHUNK", 1024)
    monkeypatch.setattr(files, "WHOLE_BROTLI_BYTES", 0)  # (a small .br is read whole)
    monkeypatch.setattr(brotli, "decompress", None)  # the old whole-file read would fail

    class NoWholeRead(gzip.GzipFile):
        def read(self, size: int | None = -1) -> bytes:
            assert size is not None and size >= 0, "a whole read"
            return super().read(size)

    monkeypatch.setattr(files, "_gunzip", lambda handle: NoWholeRead(fileobj=handle))
    text = ("x" * 1020 + SECRET + "y" * 5000).encode("utf-8")
    path = tmp_path / f"page.html{suffix}"
    path.write_bytes(brotli.compress(text) if suffix == ".br" else gzip.compress(text))
    pieces = [piece for _, piece in files._readable(path, path.name)]
    assert max(len(p) for p in pieces) <= 1024 + 1024  # a block and the one before's end
    page = [piece for _, piece in files._plain_pieces(io.BytesIO(text), "page.html")]
    assert pieces == page  # piece for piece: the audit compares a sibling's with its page's
    assert any(SECRET.encode("utf-8") in p for p in pieces)
    assert pieces[-1].endswith(b"y" * 100) and len(pieces) > 5


def test_a_cut_or_broken_brotli_sibling_is_unreadable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(files, "WHOLE_BROTLI_BYTES", 0)
    packed = brotli.compress(rows(2000).encode("utf-8"))
    (tmp_path / "cut.html.br").write_bytes(packed[: len(packed) // 2])
    (tmp_path / "bad.html.br").write_bytes(b"\xff" * 64)
    for name in ("cut.html.br", "bad.html.br"):
        with pytest.raises(files.Unreadable, match="brotli"):
            list(files._readable(tmp_path / name, name))


def test_an_archive_inside_a_sibling_is_still_opened(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """A compressed stream that holds another (gzip in brotli) needs seeking: it is read
    whole and opened, as before."""
    monkeypatch.setattr(files, "WHOLE_BROTLI_BYTES", 0)
    inner = gzip.compress(f"<p>{SECRET}</p>".encode())
    (tmp_path / "x.html.br").write_bytes(brotli.compress(inner))
    pieces = list(files._readable(tmp_path / "x.html.br", "x.html.br"))
    assert any(SECRET.encode("utf-8") in p for _, p in pieces)
