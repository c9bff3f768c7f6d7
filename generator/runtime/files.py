"""Opening catalog files so that what is read is what was checked.

The loader checks that every data file resolves inside its dataset folder, but a check on
a path says nothing about the file a later ``open()`` of that path reaches: a file swapped
for a symbolic link between the check and the read (while a long build runs) would be
read, and published, from wherever the link points. So every read of a data file goes
through :func:`open_inside`, which opens the file once and checks the file it actually
opened, on the descriptor:

1. the path's real path must lie inside the boundary (the dataset folder);
2. that real path is opened with ``O_NOFOLLOW``: if its last component has become a link
   since step 1, the open fails;
3. the descriptor's own path (``/proc/self/fd/N``, where the system has it) must still lie
   inside the boundary, which catches a folder on the way swapped for a link, and the
   descriptor must be a regular file.

Whatever reads the file then reads that descriptor, never the path again.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import BinaryIO

from ..errors import KaifangError, Problem

_PROC_FD = Path("/proc/self/fd")


class UnsafeFileError(KaifangError):
    """A file left the place it was checked in, or is not a regular file any more."""

    def __init__(self, message: str, problems: list[Problem] | None = None) -> None:
        super().__init__(message, problems)

    def __reduce__(self):  # raised in worker processes: keep the problems when pickled
        return (type(self), (self.message, self.problems))


def _inside(real: str, boundary: str) -> bool:
    return real == boundary or real.startswith(boundary.rstrip(os.sep) + os.sep)


def _descriptor_path(fd: int) -> str | None:
    """The path the system records for an open descriptor (None where it has none)."""
    try:
        return os.readlink(_PROC_FD / str(fd))
    except OSError:
        return None


def _refuse(path: Path, shown: str, why_zh: str, why_en: str) -> UnsafeFileError:
    problem = Problem(
        "file-changed",
        f"文件 {shown} {why_zh}，未读取",
        f"file {shown} {why_en}; it was not read",
        file=shown,
        hint="构建期间不要替换目录中的文件（尤其不要换成指向目录外的链接），然后重新构建",
        hint_en="do not replace catalog files while a build runs (least of all by links "
        "pointing outside the catalog), then build again",
    )
    return UnsafeFileError(
        f"文件 {shown} {why_zh}，未发布任何内容 / file {shown} {why_en}; nothing was published",
        [problem],
    )


def open_inside(path: Path, boundary: Path, shown: str = "") -> BinaryIO:
    """Open ``path`` for reading in binary, refusing anything not inside ``boundary``.

    ``shown`` names the file in a message (relative to the catalog); raises
    :class:`UnsafeFileError` when the file is outside, a link out, or not a regular file.
    """
    shown = shown or path.name
    base = os.path.realpath(boundary)
    real = os.path.realpath(path)
    if not _inside(real, base):
        raise _refuse(path, shown, "指向数据集目录之外", "points outside its dataset folder")
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(real, flags)
    except OSError as exc:
        raise _refuse(
            path, shown, f"无法打开（{exc.strerror}）", f"cannot be opened ({exc.strerror})"
        ) from None
    try:
        info = os.fstat(fd)
        opened = _descriptor_path(fd)
        if opened is not None and not _inside(opened, base):
            raise _refuse(path, shown, "在检查后被移到数据集目录之外", "moved outside its folder")
        if not stat.S_ISREG(info.st_mode):
            raise _refuse(path, shown, "不是普通文件", "is not a regular file")
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_inside(path: Path, boundary: Path, shown: str = "") -> bytes:
    """The whole file, opened as :func:`open_inside` does."""
    with open_inside(path, boundary, shown) as handle:
        return handle.read()


def data_file(folder: Path, rel: str, dataset: str) -> BinaryIO:
    """A resource's data file (``rel`` inside the dataset ``folder``), opened safely."""
    return open_inside(folder / rel, folder, f"datasets/{dataset}/{rel}")
