"""64-bit hashes of key values for the unique and primary-key checks (fastcheck.py).

Equal values get equal hashes within one process, which is all the key checks need: rows
whose hashes repeat are only candidates, confirmed on the values themselves.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import numpy as np

NULL_HASH = np.uint64(0x9E3779B97F4A7C15)  # stands for None inside a composite key
MIX = np.uint64(0x100000001B3)
EPOCH = dt.date(1970, 1, 1)


def hash_array(values: np.ndarray, categorize: bool = False) -> np.ndarray:
    """64-bit hashes of parsed values: splitmix64 of the bits of numbers, Python's own
    hash() of anything else. Equal values get equal hashes within one process, which is
    all the key checks need (candidates are confirmed on the values themselves)."""
    if values.dtype == object:
        # hash() is a signed 64-bit int: its bits read as unsigned are hash(v) mod 2**64,
        # taken by map() in C instead of a generator masking each one (3x faster)
        return np.fromiter(map(hash, values), np.int64, len(values)).view(np.uint64)
    bits = np.ascontiguousarray(values).view(np.uint64).copy()
    bits += np.uint64(0x9E3779B97F4A7C15)
    bits = (bits ^ (bits >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    bits = (bits ^ (bits >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return bits ^ (bits >> np.uint64(31))


def hash_values(kind: str | None, values: list[Any]) -> np.ndarray:
    """Hashes of parsed values, equal to the vectorised hashes for equal values."""
    if not values:
        return np.zeros(0, dtype=np.uint64)
    out = np.empty(len(values), dtype=np.uint64)
    for i, value in enumerate(values):
        if value is None:
            out[i] = NULL_HASH
            continue
        try:
            if kind == "string" and isinstance(value, str):
                out[i] = hash_array(np.array([value], dtype=object), categorize=False)[0]
            elif kind in ("integer", "year") and isinstance(value, int):
                out[i] = hash_array(np.array([value], dtype=np.int64), categorize=False)[0]
            elif kind == "number" and isinstance(value, Decimal | int | float):
                as_float = np.array([float(value)], dtype=np.float64) + 0.0
                out[i] = hash_array(as_float, categorize=False)[0]
            elif kind == "date":
                days = np.array([(value - EPOCH).days], dtype=np.int64)
                out[i] = hash_array(days, categorize=False)[0]
            elif kind == "boolean" and isinstance(value, bool):
                out[i] = hash_array(np.array([int(value)], dtype=np.int64), categorize=False)[0]
            else:
                out[i] = np.uint64(hash(value) & 0xFFFFFFFFFFFFFFFF)
        except (OverflowError, TypeError, ValueError):
            out[i] = np.uint64(hash(value) & 0xFFFFFFFFFFFFFFFF)
    return out


def combine(parts: list[np.uint64]) -> np.uint64:
    """A composite key's hash from its parts', mixed as the vectorised primary key is."""
    digest = np.uint64(0)
    for part in parts:
        digest = digest * MIX ^ part
    return digest
