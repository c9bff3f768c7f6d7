"""Last stage: move a finished build into place without ever leaving a half-written site/.

The build writes into a staging folder beside site/. On Linux the two folders are swapped
in one renameat2(RENAME_EXCHANGE) system call, so at every instant site/ is either the
previous build or the new one, whole. Elsewhere a rename pair is used, with the previous
site kept until the new one is in place.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import shutil
import tempfile
from pathlib import Path

STAGING_PREFIX = ".site.staging-"
OLD_PREFIX = ".site.old-"
RENAME_EXCHANGE = 2
AT_FDCWD = -100


def make_staging(out_dir: Path) -> Path:
    """A fresh, empty folder on the same filesystem as out_dir (so renames are atomic)."""
    out_dir = out_dir.resolve()
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    clean_leftovers(out_dir)
    return Path(tempfile.mkdtemp(prefix=STAGING_PREFIX + out_dir.name + "-", dir=out_dir.parent))


def clean_leftovers(out_dir: Path) -> None:
    """Remove staging folders left by builds that were killed."""
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
