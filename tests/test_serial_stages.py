"""The stages that run in the build's main process (issue 14): what was made faster there
still gives what the slower code gave."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from generator.runtime.cache import _SHA_MEMBER, _shas

# keys and strings that look like the member the cache looks for, or like JSON syntax
TRICKY = st.sampled_from(
    ["sha256", "SHA256", "sha256 ", '"sha256": "', 'x": "', "\\", '"', ": ", "\n", "é", "{"]
)
TEXT = st.lists(st.one_of(TRICKY, st.text(max_size=4)), max_size=4).map("".join)
HEX = st.text(alphabet="0123456789abcdef", min_size=1, max_size=64)
LEAF = st.one_of(st.none(), st.booleans(), st.integers(), TEXT, HEX)
VALUE = st.recursive(
    LEAF,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.one_of(TRICKY, TEXT), inner, max_size=4),
        st.fixed_dictionaries({"sha256": st.one_of(HEX, TEXT, inner)}, optional={"x": inner}),
    ),
    max_leaves=20,
)


@settings(max_examples=400, deadline=None)
@given(VALUE)
def test_the_hashes_an_entry_names_read_from_its_text_as_from_its_value(value: object) -> None:
    """cache.finish keeps the objects an entry names: it reads them from the entry's JSON
    text (json.dumps, as BuildCache.put writes it) instead of decoding and walking it."""
    text = json.dumps(value, ensure_ascii=False)
    # an object's name is hex; a string json has to escape (a quote, a backslash, a
    # control character) can never be one, and is the one thing the text may not show
    plain = {s for s in _shas(value) if json.dumps(s, ensure_ascii=False) == f'"{s}"'}
    assert set(_SHA_MEMBER.findall(text)) == plain


def test_a_hash_member_is_found_however_deep_and_not_inside_a_string() -> None:
    value = {
        "files": [{"path": "a.csv", "sha256": "ab" * 32}, {"sha256": None}],
        "note": '{"sha256": "' + "cd" * 32 + '"}',  # text, not a member
        "nested": {"x": [[{"sha256": "ef" * 32}]]},
    }
    text = json.dumps(value, ensure_ascii=False)
    assert set(_SHA_MEMBER.findall(text)) == {"ab" * 32, "ef" * 32} == set(_shas(value))
