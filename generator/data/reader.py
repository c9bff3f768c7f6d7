"""Streaming access to a resource's rows, the same way for CSV and XLSX, derivatives too.

Rows come out as lists of strings in schema order so that derivation never holds a whole
file in memory. A resource's own file is read by :func:`generator.catalog.rows.source_rows`
(one reader for every stage); a derivative's rows are its source's, desensitised here.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..catalog.rows import source_rows
from ..model import Dataset, Resource
from .desensitise import Meter, derived_rows


def iter_rows(
    ds: Dataset, res: Resource, meter: Meter | None = None, data: bytes | None = None
) -> Iterator[list[str]]:
    """Yield the header row, then each data row, as strings.

    A derivative's rows are its source's rows with the desensitise rules applied: the
    untransformed values never leave this generator; ``meter`` sees each row of a
    derivative on the way (data/risk.py). ``data``: a CSV source's bytes, already read.
    """
    derivation = res.derivation
    if derivation is not None:
        source = iter_rows(derivation.source_dataset, derivation.source_resource)
        yield from derived_rows(derivation, source, meter)
        return
    yield from source_rows(ds, res, data)
