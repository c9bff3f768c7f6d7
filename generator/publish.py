"""Publish stage (9, the last): move a finished build into place, never half-written.

The build writes into a staging folder beside site/. On Linux the two folders are swapped
in one renameat2(RENAME_EXCHANGE) system call, so at every instant site/ is either the
previous build or the new one, whole. Elsewhere a rename pair is used, with the previous
site kept until the new one is in place.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import fcntl
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .errors import KaifangError

STAGING_PREFIX = ".site.staging-"
OLD_PREFIX = ".site.old-"
LOCK_PREFIX = ".site.lock-"
PAUSE_ENV = "KAIFANG_TEST_PAUSE_AT"  # tests: stop the build at a named point, to kill it
RENAME_EXCHANGE = 2
AT_FDCWD = -100


# An output folder holding one of these is a catalog or a source tree, not a site: the
# swap would move it away and delete it. (A built site has datasets/<id>/ too, but never a
# datapackage.yaml in it.)
SOURCE_MARKERS = ("site.yaml", "publishers.yaml", ".git", "pyproject.toml")


class OutDirRefused(KaifangError):
    """--out would replace or write into the catalog or a source tree: wrong usage."""

    exit_code = 2


def _looks_like_source(folder: Path) -> str | None:
    """The marker that shows folder is a catalog or source tree, or None."""
    if not folder.is_dir():
        return None
    for name in SOURCE_MARKERS:
        if (folder / name).exists():
            return name
    datasets = folder / "datasets"
    if datasets.is_dir() and next(datasets.glob("*/datapackage.yaml"), None) is not None:
        return "datasets/*/datapackage.yaml"
    return None


def guard_out_dir(catalog_dir: Path, out_dir: Path) -> None:
    """Refuse an output folder that is, holds or sits inside the catalog, or that is a
    catalog or source tree: publishing swaps out_dir away and deletes what was there.

    Runs before anything is created (lock, cache, staging). Symlinks are resolved, so a
    link to the catalog is the catalog.
    """
    catalog = catalog_dir.resolve()
    out = out_dir.resolve()
    why = why_en = ""
    if out == catalog:
        why, why_en = "就是目录文件夹", "is the catalog folder"
    elif out.is_relative_to(catalog):
        why, why_en = "位于目录文件夹之内", "is inside the catalog folder"
    elif catalog.is_relative_to(out):
        why, why_en = "包含目录文件夹", "contains the catalog folder"
    else:
        marker = _looks_like_source(out)
        if marker is not None:
            why = f"看起来是目录或源代码文件夹（含有 {marker}）"
            why_en = f"looks like a catalog or source folder (it holds {marker})"
    if not why:
        return
    suggestion = catalog.parent / ("site" if catalog.parent / "site" != out else "public-site")
    raise OutDirRefused(
        f"输出文件夹 {out} {why}（目录：{catalog}）；构建会用网站替换该文件夹并删除其中的内容，"
        f"未做任何改动。请选择目录之外的文件夹，例如 --out {suggestion}\n"
        f"the output folder {out} {why_en} (catalog: {catalog}); building would replace it "
        f"with the site and delete what it holds, so nothing was done. Pick a folder outside "
        f"the catalog, e.g. --out {suggestion}"
    )


def make_staging(out_dir: Path) -> Path:
    """A fresh, empty folder on the same filesystem as out_dir (so renames are atomic)."""
    out_dir = out_dir.resolve()
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    clean_leftovers(out_dir)
    return Path(tempfile.mkdtemp(prefix=STAGING_PREFIX + out_dir.name + "-", dir=out_dir.parent))


class BuildBusy(KaifangError):
    """Another build is writing the same output folder."""


_HELD_LOCKS: set[int] = set()


def _close_locks_in_child() -> None:
    """A process forked during a build (a worker) closes its copy of the lock: otherwise a
    worker that outlives a killed build keeps the folder locked."""
    for fd in list(_HELD_LOCKS):
        try:
            os.close(fd)
        except OSError:
            pass
    _HELD_LOCKS.clear()


os.register_at_fork(after_in_child=_close_locks_in_child)


@contextmanager
def build_lock(out_dir: Path) -> Iterator[None]:
    """Hold an exclusive lock on out_dir for a whole build.

    Two builds into one folder would remove each other's staging folders. The lock is an
    flock, so the kernel releases it when a build dies, even by SIGKILL.
    """
    out_dir = out_dir.resolve()
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(out_dir.parent / (LOCK_PREFIX + out_dir.name), os.O_RDWR | os.O_CREAT, 0o644)
    _HELD_LOCKS.add(fd)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BuildBusy(
                f"另一个构建正在写入 {out_dir}，请等它结束 / "
                f"another build is writing {out_dir}; wait for it to finish"
            ) from None
        yield
    finally:
        _HELD_LOCKS.discard(fd)
        os.close(fd)


def pause_point(name: str) -> None:
    """For the kill tests: when KAIFANG_TEST_PAUSE_AT names this point, say so and wait."""
    if os.environ.get(PAUSE_ENV) == name:
        sys.stderr.write(f"kaifang: paused at {name}\n")
        sys.stderr.flush()
        time.sleep(3600)


def clean_leftovers(out_dir: Path) -> None:
    """Remove staging folders left by builds that were killed.

    Where the two-rename fallback was interrupted between its renames, out_dir is
    missing and the previous site waits in an OLD_PREFIX folder: it is put back.
    """
    olds = sorted(out_dir.parent.glob(OLD_PREFIX + out_dir.name + "-*"))
    if not out_dir.exists() and olds:
        os.rename(olds[-1], out_dir)
    for prefix in (STAGING_PREFIX, OLD_PREFIX):
        for path in out_dir.parent.glob(prefix + out_dir.name + "-*"):
            shutil.rmtree(path, ignore_errors=True)


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two paths; False when the system cannot."""
    libc_name = ctypes.util.find_library("c")
    if not libc_name:
        return False
    try:
        libc = ctypes.CDLL(libc_name, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [
        ctypes.c_int,
        ctypes.c_char_p,
        ctypes.c_int,
        ctypes.c_char_p,
        ctypes.c_uint,
    ]
    result = renameat2(AT_FDCWD, os.fsencode(a), AT_FDCWD, os.fsencode(b), RENAME_EXCHANGE)
    return result == 0


def swap_into_place(staging: Path, out_dir: Path) -> None:
    out_dir = out_dir.resolve()
    os.chmod(staging, 0o755)  # mkdtemp makes it private; a served site must be readable
    if not out_dir.exists():
        os.rename(staging, out_dir)
        return
    if _exchange(staging, out_dir):
        shutil.rmtree(staging)  # now holds the previous build
        return
    old = Path(tempfile.mkdtemp(prefix=OLD_PREFIX + out_dir.name + "-", dir=out_dir.parent))
    os.rmdir(old)
    os.rename(out_dir, old)
    os.rename(staging, out_dir)
    shutil.rmtree(old)


def discard(staging: Path) -> None:
    shutil.rmtree(staging, ignore_errors=True)


def manifest(out_dir: Path) -> dict[str, list[int]]:
    """Size and mtime of every file of a published tree, to tell later if it was touched.

    The same walk as os.walk (links to folders are not followed), by scandir entries and
    relative names built as it goes: a path join, a relpath and a stat call per file took
    0.29 s for a site of 17,860 files."""
    files: dict[str, list[int]] = {}

    def walk(folder: str, prefix: str) -> None:
        try:
            listing = os.scandir(folder)
        except OSError:
            return
        folders = []
        with listing:
            for entry in listing:
                try:
                    is_dir = entry.is_dir()
                except OSError:
                    is_dir = False
                if is_dir:
                    if not entry.is_symlink():
                        folders.append(entry)
                    continue
                st = entry.stat()
                files[prefix + entry.name] = [st.st_size, st.st_mtime_ns]
        for entry in folders:
            walk(entry.path, f"{prefix}{entry.name}/")

    walk(os.fspath(out_dir), "")
    return files
