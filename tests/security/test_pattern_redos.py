"""A `constraints.pattern` that takes exponential time to match (ReDoS).

Python's `re` backtracks: ``(a+)+`` against 34 a's and a '!' runs for minutes, so one
hostile descriptor could stall `kaifang check` and every CI build of the catalog. Such a
pattern is refused before any cell is matched; the patterns publishers really write
(codes, IDs, phone numbers, e-mail, dates) are accepted and still checked.
"""

from __future__ import annotations

import re
import time

import pytest

from generator.checks.patterns import unsafe_pattern

from ..conftest import dataset_yaml
from .helpers import assert_clean_failure, kaifang, kaifang_subprocess

REFUSED = [
    r"(a+)+",
    r"(\w+\s?)*",
    r"(a|aa)*",
    r"(.*,)*",
    r"(a*)*",
    r"((a+)b?)+",
    r"(x+x+)+y",
    r"(a+){20}",
    r"([a-z]+)*[0-9]",
    r"(\d+\.?)+",
    r"(?=(a+)+)b",
    r"(\d+|\d+x)*",
    "a" * 1001,
]
ACCEPTED = [
    r"\d{17}[\dXx]",
    r"[\w.-]+@[\w-]+(\.[\w-]+)+",
    r"(\d+,)*\d+",
    r"([a-z]+-)*[a-z]+",
    r"(\w+\s)*",
    r"[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}",
    r"1[3-9]\d{9}",
    r"\d{4}-\d{2}-\d{2}",
    r"(ab|cd)+",
    r"[\u4e00-\u9fa5]+(市|县|区)",
    r"(\+86)?1\d{10}",
    r".*",
    r"(0|[1-9]\d*)(\.\d+)?",
    r"([A-Z]{2}\d{4})(,[A-Z]{2}\d{4})*",
    r"https?://\S+",
    r"(a|ab)*",
]


@pytest.mark.parametrize("pattern", REFUSED)
def test_patterns_with_nested_loops_are_refused(pattern: str):
    assert unsafe_pattern(pattern) is not None, pattern


@pytest.mark.parametrize("pattern", ACCEPTED)
def test_patterns_publishers_write_are_accepted(pattern: str):
    assert unsafe_pattern(pattern) is None, unsafe_pattern(pattern)
    # and they really are quick on the inputs that make the refused ones explode
    compiled = re.compile("^" + pattern + "$")
    started = time.perf_counter()
    for text in ("a" * 30 + "!", "1" * 30 + "!", "a," * 15 + "!", "中" * 30 + "!"):
        compiled.match(text)
    assert time.perf_counter() - started < 1.0, f"{pattern} backtracks"


def _catalog(catalog, pattern: str, cell: str) -> None:
    fields = f"""\
- {{name: line_id, type: string, title: 线路编号, constraints: {{pattern: '{pattern}'}}}}
- {{name: stops, type: integer, title: 站点数}}
"""
    catalog.dataset(
        "bus-lines",
        csv_text=f"line_id,stops\n{cell},3\nL002,4\n",
        descriptor=dataset_yaml("bus-lines", fields=fields),
    )


def test_check_refuses_an_exponential_pattern_at_once(catalog):
    _catalog(catalog, "(a+)+", "a" * 34 + "!")
    run = kaifang_subprocess("check", "--catalog", catalog.root, "--lang", "en", timeout=60)
    assert run.exit_code != -9, "kaifang check was still matching after 60 s"
    assert_clean_failure(run, what="an exponential pattern")
    assert "datasets/bus-lines/datapackage.yaml:" in run.output, run.describe()
    assert "line_id" in run.output and "exponential" in run.output, run.describe()
    assert "a" * 34 not in run.output, "the cell was quoted"


def test_a_safe_pattern_is_still_checked(catalog):
    _catalog(catalog, "L[0-9]{3}", "X001")
    run = kaifang("check", "--catalog", catalog.root, "--lang", "en")
    assert run.exit_code == 1, run.describe()
    assert "pattern" in run.output and "exponential" not in run.output, run.describe()
