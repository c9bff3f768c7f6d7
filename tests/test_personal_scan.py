"""The fast scans of a whole file for personal data answer exactly as the regular
expressions they stand in for (generator/checks/personal.py)."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from generator.checks import personal
from generator.checks.personal import _UNUSUAL, has_unusual, personal_data

# characters _UNUSUAL looks for, their neighbours in the same UTF-8 blocks, and plain text
NEAR = (
    "１９＋－．＠Ｘｘ（：，＊Ａｙ\u00a0\u00ad\u00e9\u3000\u3001\u2000\u200d\u200e"
    "\u2010\u201c\u202f\u205f\u2060\u2061\ufeff\ufefe"
)
PLAIN = "a1 -.云测"


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 70_000), st.sampled_from(NEAR)), max_size=4),
    st.integers(0, 2),
)
def test_has_unusual_agrees_with_the_regex_on_large_texts(spots, cut):
    chars = list(PLAIN * 9_000)[:70_000]
    for at, ch in spots:
        chars[min(at, len(chars) - 1)] = ch
    text = "".join(chars).encode("utf-8")
    text = text[: len(text) - cut]  # a sequence cut short at the end
    assert len(text) >= personal._LARGE_TEXT
    assert has_unusual(text) == (_UNUSUAL.search(text) is not None)


def test_has_unusual_finds_a_character_at_the_very_end():
    text = b"a" * 100_000 + "\u3000".encode()
    assert has_unusual(text)
    assert not has_unusual(text[:-1])


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="0123456789 -.a,", max_size=80))
def test_candidate_runs_are_the_regex_runs(text):
    digitish = text.encode().translate(personal._DIGITISH)
    expected = [(m.start(), m.end()) for m in re.finditer(rb"0{11,}", digitish)]
    assert list(personal._candidate_runs(digitish)) == expected


def test_a_large_file_with_a_full_width_mobile_number_is_found():
    row = "云川市,监测站,１３８ ００１３ ８０００\n"
    text = ("云川市,监测站,12.5\n" * 5_000 + row).encode("utf-8")
    assert len(text) >= personal._LARGE_TEXT
    assert ("mobile", "138 0013 8000") in list(personal_data(text))


def test_rows_of_an_open_csv_are_scanned_cell_by_cell_where_the_row_holds_something(catalog):
    from generator.catalog.loader import load_catalog
    from generator.checks.personal import data_problems

    fields = """\
        - {name: line_id, type: string, title: 线路编号}
        - {name: phone, type: string, title: 服务电话, pii_allowed: [mobile]}
        - {name: note, type: string, title: 备注}
"""
    rows = [
        "line_id,phone,note",
        "L001,13800138000,无",  # an allowed mobile number: no finding
        "L002,0991-2345678,车长 13900139000",  # a mobile number in the note
        "L003,12345678901234,编号 2024-01-02",  # digits that are nobody's
        "L004,,联系 a.b@example.cn 或 １３７ ００１３ ７０００",  # e-mail and full-width mobile
    ]
    catalog.dataset("pii-rows", csv_text="\n".join(rows) + "\n", fields=fields)
    cat, problems = load_catalog(catalog.root)
    assert cat is not None, problems.items
    found = [(p.code, p.row, p.field, p.found) for p in data_problems(cat.datasets[0])]
    assert found == [
        ("pii-in-data-mobile", 3, "note", "139*****000"),
        ("pii-in-data-mobile", 5, "note", "137*******000"),
        ("pii-in-data-email", 5, "note", "a.b********.cn"),
    ]
