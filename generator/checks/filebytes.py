"""A resource's bytes, read once for every check of one dataset.

The validation of a dataset reads each CSV file several times over: the column-wise
check (csvhead and pyarrow), the personal-data scan, the control-character scan, and
frictionless when the column-wise path declines. Inside :func:`read_once` (validate.py
wraps each dataset in it) the file is opened once, by descriptor and checked
(runtime/files.py), and every reader takes the same bytes: one open and one read instead
of three, and every check judges the same contents.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from contextvars import ContextVar
from typing import BinaryIO

from ..model import Dataset, Resource
from ..runtime.files import data_file

# Larger files are read by each check in pieces, as before: memory stays at one piece
SHARE_MAX_BYTES = 16 << 20

_SHARED: ContextVar[dict[str, bytes | None] | None] = ContextVar("file_bytes", default=None)


@contextmanager
def read_once() -> Iterator[None]:
    """Inside the block, each resource file is read at most once (see :func:`file_bytes`)."""
    token = _SHARED.set({})
    try:
        yield
    finally:
        _SHARED.reset(token)


def file_bytes(ds: Dataset, res: Resource) -> bytes | None:
    """The whole file of a resource, read once inside :func:`read_once`; None outside the
    block, for a file over SHARE_MAX_BYTES, or one that cannot be read: each check then
    opens it itself and reports what goes wrong as it always did. A file that left the
    place it was checked in raises UnsafeFileError here, as it does in every reader."""
    shared = _SHARED.get()
    if shared is None or not res.path:
        return None
    key = str(ds.folder / res.path)
    if key in shared:
        return shared[key]
    data: bytes | None = None
    try:
        with data_file(ds.folder, res.path, ds.id) as handle:
            if os.fstat(handle.fileno()).st_size <= SHARE_MAX_BYTES:
                data = handle.read(SHARE_MAX_BYTES + 1)
                if len(data) > SHARE_MAX_BYTES:  # grew since fstat: read in pieces
                    data = None
    except OSError:
        data = None
    shared[key] = data
    return data


def opened(ds: Dataset, res: Resource) -> AbstractContextManager[BinaryIO | bytes]:
    """The file's bytes when read once (:func:`file_bytes`), else the file opened safely."""
    data = file_bytes(ds, res)
    return nullcontext(data) if data is not None else data_file(ds.folder, res.path, ds.id)
