"""numpy arrays and Python values to Arrow and back, over the raw buffers.

pyarrow imports pandas the first time it converts a Python or numpy object (``pa.array``,
``pa.scalar``, a Python literal given to a compute function, ``Array.to_numpy``): it asks
pandas whether the object is one of its own. That import took 0.2 to 0.35 s of a 2 s
``kaifang check`` on a 1M-row file, and validation never touches pandas. The validator
(generator/checks/fastcheck.py, foreignkeys.py) moves its masks, row numbers and parsed
numbers across through these functions instead, which only wrap or read buffers;
tests/test_check_imports.py fails if a check imports pandas again.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import numpy as np
import pyarrow as pa

# numpy dtype -> the Arrow type with the same bytes
_TYPES = {
    np.dtype(np.int64): pa.int64(),
    np.dtype(np.uint64): pa.uint64(),
    np.dtype(np.int32): pa.int32(),
    np.dtype(np.uint32): pa.uint32(),
    np.dtype(np.float64): pa.float64(),
}
_DTYPES = {str(arrow): dtype for dtype, arrow in _TYPES.items()}
_DTYPES["date32[day]"] = np.dtype(np.int32)  # days since 1970-01-01


def array(values: np.ndarray) -> pa.Array:
    """An Arrow array of a one-dimensional numpy array of booleans or fixed-width numbers,
    without nulls."""
    values = np.ascontiguousarray(values)
    n = len(values)
    if values.dtype == np.bool_:
        bits = np.packbits(values, bitorder="little")
        return pa.Array.from_buffers(pa.bool_(), n, [None, pa.py_buffer(bits)])
    kind = _TYPES.get(values.dtype)
    if kind is None:
        raise TypeError(f"no Arrow type for {values.dtype}")
    return pa.Array.from_buffers(kind, n, [None, pa.py_buffer(values)])


def strings(values: Sequence[str]) -> pa.Array:
    """An Arrow string array of Python strings."""
    encoded = [v.encode("utf-8") for v in values]  # a lone surrogate raises, as in pa.array
    offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
    np.cumsum([len(b) for b in encoded], out=offsets[1:])
    kind = pa.large_string() if offsets[-1] >= 1 << 31 else pa.string()
    if kind == pa.string():
        offsets = offsets.astype(np.int32)
    data = pa.py_buffer(b"".join(encoded))
    return pa.Array.from_buffers(kind, len(encoded), [None, pa.py_buffer(offsets), data])


@lru_cache(maxsize=4096)
def string(value: str) -> pa.Scalar:
    """An Arrow string scalar, for compute functions that compare a column with it: the
    same few (missing values, true and false values, fillers) for every batch of every
    file, so each is made once."""
    return strings([value])[0]


def _chunk(values: pa.Array | pa.ChunkedArray) -> pa.Array:
    if isinstance(values, pa.ChunkedArray):
        return values.combine_chunks() if values.num_chunks != 1 else values.chunk(0)
    return values


def mask(values: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """A boolean Arrow array as a numpy mask; a null is False."""
    values = _chunk(values)
    n, offset = len(values), values.offset
    validity, data = values.buffers()[:2]
    out = _bits(data, offset, n) if data is not None else np.zeros(n, dtype=bool)
    if values.null_count and validity is not None:
        out &= _bits(validity, offset, n)
    return out


def _bits(buffer: pa.Buffer, offset: int, n: int) -> np.ndarray:
    packed = np.frombuffer(buffer, dtype=np.uint8)
    return np.unpackbits(packed, bitorder="little", count=offset + n)[offset:].astype(bool)


def numbers(values: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """A fixed-width Arrow array without nulls (integers, floats, date32) as numpy."""
    values = _chunk(values)
    if values.null_count:
        raise ValueError("numbers() takes no nulls")
    dtype = _DTYPES[str(values.type)]
    data = values.buffers()[1]
    if data is None:
        return np.zeros(0, dtype=dtype)
    view = np.frombuffer(data, dtype=dtype, count=values.offset + len(values))
    return view[values.offset :].copy()  # writable, as to_numpy's copies were
