"""Memory does not grow with one resource: the audit reads published files in pieces."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from generator.audit import files, personal


def test_personal_data_check_in_pieces_matches_the_whole_file(tmp_path: Path, monkeypatch):
    monkeypatch.setattr(files, "CHUNK", 64)  # many pieces, values near every cut
    lines = [f"{i},站点{i},{i * 7 % 1000}" for i in range(400)]
    clean = tmp_path / "clean.csv"
    clean.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert not personal._has_personal_data(clean)
    assert not any(True for _ in personal.personal_data(clean.read_bytes()))
    for where in (0, 3, 199, 399):
        dirty = tmp_path / f"dirty-{where}.csv"
        marked = list(lines)
        marked[where] += ",13912345678"
        dirty.write_text("\n".join(marked), encoding="utf-8")  # no newline at the end
        whole = any(True for _ in personal.personal_data(dirty.read_bytes()))
        assert whole and personal._has_personal_data(dirty)


def test_zip_members_are_read_in_pieces(tmp_path: Path, monkeypatch):
    monkeypatch.setattr(files, "CHUNK", 1000)
    text = "".join(f"row {i}\n" for i in range(2000)).encode()
    path = tmp_path / "p.zip"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("rows.csv", text)
        archive.writestr("inner.zip", _zip_of("deep.txt", b"hello"))
    pieces = list(files._readable(path, "p.zip"))
    rows = [chunk for name, chunk in pieces if name == "p.zip!rows.csv"]
    assert len(rows) > 10 and max(len(c) for c in rows) <= 1000 + 4096
    assert rows[0].startswith(b"row 0\n") and rows[-1].endswith(b"row 1999\n")
    assert ("p.zip!inner.zip!deep.txt", b"hello") in pieces


def _zip_of(name: str, data: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(name, data)
    return buffer.getvalue()
