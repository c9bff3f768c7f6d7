"""The zip writer of the XLSX and package downloads: zipfile and openpyxl read back what
it writes, in memory and streamed, with Zip64 where a size or an offset needs it, and the
same members give the same bytes."""

from __future__ import annotations

import datetime as dt
import random
import zipfile
from pathlib import Path

import pytest

from generator.data import zipwriter
from generator.data.zipwriter import ZipWriter

DAY = dt.date(2026, 11, 5)


def _members() -> list[tuple[str, bytes]]:
    rng = random.Random(14)
    noise = bytes(rng.getrandbits(8) for _ in range(50_000))  # deflate makes it larger
    text = "".join(f"{i},公交线路{i % 97},{rng.random()}\n" for i in range(20_000)).encode()
    return [("a.txt", b"hello"), ("empty", b""), ("数据/表.csv", text), ("noise.bin", noise)]


def _write(path: Path, members: list[tuple[str, bytes]], how: str) -> None:
    with ZipWriter(path, DAY) as archive:
        for name, data in members:
            if how == "whole":
                archive.writestr(name, data, 6)
            elif how == "constant":
                archive.writestr(name, data, 6, constant=True)
            else:  # in chunks of 7,000 bytes, streamed or held by MEMORY_BYTES
                chunks = [memoryview(data)[i : i + 7000] for i in range(0, len(data), 7000)]
                archive.write_chunks(name, chunks, 6, 6)


def _check(path: Path, members: list[tuple[str, bytes]]) -> None:
    with zipfile.ZipFile(path) as archive:
        assert archive.testzip() is None  # every CRC-32 right
        assert archive.namelist() == [name for name, _ in members]
        for info, (name, data) in zip(archive.infolist(), members, strict=True):
            assert archive.read(info) == data, name
            assert info.date_time == (2026, 11, 5, 0, 0, 0)
            assert info.compress_type == zipfile.ZIP_DEFLATED
            assert info.external_attr == 0o644 << 16 and info.create_system == 3
            assert (info.flag_bits & 0x800) == (0 if name.isascii() else 0x800)


@pytest.mark.parametrize("how", ["whole", "constant", "chunks"])
@pytest.mark.parametrize("memory", [4 << 20, 10_000])  # held, or streamed through zlib
def test_zipfile_reads_back_every_member(tmp_path: Path, how: str, memory: int, monkeypatch):
    monkeypatch.setattr(zipwriter, "MEMORY_BYTES", memory)
    members = _members()
    _write(tmp_path / "a.zip", members, how)
    _check(tmp_path / "a.zip", members)
    _write(tmp_path / "b.zip", members, how)
    assert (tmp_path / "a.zip").read_bytes() == (tmp_path / "b.zip").read_bytes()


def test_whole_and_constant_members_are_the_same_bytes(tmp_path: Path):
    members = _members()
    _write(tmp_path / "whole.zip", members, "whole")
    _write(tmp_path / "constant.zip", members, "constant")
    _write(tmp_path / "again.zip", members, "constant")  # from the process's store
    whole = (tmp_path / "whole.zip").read_bytes()
    assert whole == (tmp_path / "constant.zip").read_bytes()
    assert whole == (tmp_path / "again.zip").read_bytes()


@pytest.mark.parametrize("memory", [4 << 20, 10_000])
def test_zip64_where_sizes_and_offsets_need_it(tmp_path: Path, memory: int, monkeypatch):
    """Sizes and offsets past ZIP64_FROM (4 GiB in a build; 1,000 bytes here) go into Zip64
    fields and records, which zipfile then reads instead of the 4-byte fields."""
    monkeypatch.setattr(zipwriter, "MEMORY_BYTES", memory)
    monkeypatch.setattr(zipwriter, "ZIP64_FROM", 1000)
    members = _members()
    _write(tmp_path / "big.zip", members, "chunks")
    raw = (tmp_path / "big.zip").read_bytes()
    assert b"PK\x06\x06" in raw and b"PK\x06\x07" in raw  # Zip64 end record and locator
    _check(tmp_path / "big.zip", members)


def test_a_file_member_is_read_in_blocks_when_large(tmp_path: Path, monkeypatch):
    monkeypatch.setattr(zipwriter, "MEMORY_BYTES", 100_000)
    monkeypatch.setattr(zipwriter, "_READ_BYTES", 30_000)
    data, small = _members()[2][1], b"name\n" * 1000
    (tmp_path / "rows.csv").write_bytes(data)  # streamed
    (tmp_path / "small.csv").write_bytes(small)  # held
    with ZipWriter(tmp_path / "p.zip", DAY) as archive:
        archive.write_file("rows.csv", tmp_path / "rows.csv", 6, 6)
        archive.write_file("small.csv", tmp_path / "small.csv", 6, 6)
    _check(tmp_path / "p.zip", [("rows.csv", data), ("small.csv", small)])


def test_dates_before_1980_are_1980(tmp_path: Path):
    with ZipWriter(tmp_path / "old.zip", dt.date(1970, 1, 1)) as archive:
        archive.writestr("x", b"x", 1)
    with zipfile.ZipFile(tmp_path / "old.zip") as archive:
        assert archive.infolist()[0].date_time == (1980, 1, 1, 0, 0, 0)


def test_a_failed_member_leaves_no_half_closed_file(tmp_path: Path):
    def broken():
        yield b"start"
        raise RuntimeError("the source went away")

    with pytest.raises(RuntimeError), ZipWriter(tmp_path / "x.zip", DAY) as archive:
        archive.write_chunks("x", broken(), 1, 1)
    assert archive._file.closed
