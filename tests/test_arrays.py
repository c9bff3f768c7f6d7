"""generator/checks/arrays.py gives what pyarrow's own conversions give, without pandas.

Each test compares with ``pa.array``/``to_pylist`` on generated values, slices (an offset
into the buffers) and nulls included.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest
from hypothesis import given
from hypothesis import strategies as st

from generator.checks import arrays

slices = st.tuples(st.integers(0, 40), st.integers(0, 40))


@given(values=st.lists(st.booleans(), max_size=70), cut=slices)
def test_a_mask_becomes_the_arrow_booleans_and_back(values: list[bool], cut: tuple[int, int]):
    made = arrays.array(np.array(values, dtype=bool))
    assert made.equals(pa.array(values, pa.bool_()))
    start, length = cut
    part = made.slice(start, length)
    assert arrays.mask(part).tolist() == part.to_pylist()


@given(values=st.lists(st.one_of(st.none(), st.booleans()), max_size=70), cut=slices)
def test_a_null_is_false_in_a_mask(values: list[bool | None], cut: tuple[int, int]):
    start, length = cut
    part = pa.array(values, pa.bool_()).slice(start, length)
    assert arrays.mask(part).tolist() == [bool(v) for v in part.to_pylist()]
    chunked = pa.chunked_array([part, part], pa.bool_())
    assert arrays.mask(chunked).tolist() == [bool(v) for v in chunked.to_pylist()]


@pytest.mark.parametrize(
    ("dtype", "kind"),
    [(np.int64, pa.int64()), (np.uint64, pa.uint64()), (np.int32, pa.int32()),
     (np.uint32, pa.uint32()), (np.float64, pa.float64())],
)  # fmt: skip
def test_numbers_keep_their_type_and_offset(dtype, kind):
    values = np.arange(-5, 45).astype(dtype)
    made = arrays.array(values)
    assert made.type == kind and made.to_pylist() == values.tolist()
    part = made.slice(7, 20)
    back = arrays.numbers(part)
    assert back.dtype == dtype and back.tolist() == values[7:27].tolist()
    back[0] = 1  # a copy: the caller may write to it
    assert made.to_pylist() == values.tolist()


def test_days_read_as_their_count_and_nulls_are_refused():
    days = pc.cast(pa.array(["1970-01-02", "2024-02-29"]), pa.date32())
    assert arrays.numbers(days).tolist() == [1, 19782]
    with pytest.raises(ValueError):
        arrays.numbers(pa.array([1, None], pa.int64()))
    with pytest.raises(TypeError):
        arrays.array(np.array(["a"], dtype=object))


@given(values=st.lists(st.text(max_size=6), max_size=30))
def test_strings_are_arrow_strings(values: list[str]):
    made = arrays.strings(values)
    assert made.equals(pa.array(values, pa.string()))
    for value in values[:3]:
        assert arrays.string(value).equals(pa.scalar(value, pa.string()))
