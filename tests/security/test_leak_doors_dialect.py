"""Issue 13, door 7 (one reader), and the cache and history doors the attack files miss.

Attack: declare a CSV dialect frictionless honours and see whether the published columns,
and the audit's view of closed data, follow it; plant a cache entry; link a history folder
out of the catalog.
"""

from __future__ import annotations

import csv
import io
import json
import sqlite3

import pytest

from ..conftest import dataset_yaml
from .helpers import LEGAL, PLANT_ADDRESS, PLANT_ID, PLANT_NAME, assert_clean_failure, kaifang


def with_dialect(descriptor: str, dialect: str) -> str:
    return descriptor.replace("    format: csv\n", f"    format: csv\n    dialect: {dialect}\n")


@pytest.mark.parametrize(
    ("dialect", "text"),
    [
        ('{delimiter: ";"}', "line_id;stops\nL001;12\nL002;30\n"),
        ('{delimiter: "\\t"}', "line_id\tstops\nL001\t12\nL002\t30\n"),
        ('{delimiter: "|", quoteChar: "\'"}', "line_id|stops\n'L001'|12\nL002|30\n"),
        ("{skipInitialSpace: true}", "line_id, stops\nL001, 12\nL002, 30\n"),
        ('{escapeChar: "\\\\", doubleQuote: false}', "line_id,stops\nL001,12\nL002,30\n"),
        ("{header: false}", "L001,12\nL002,30\n"),
    ],
)
def test_declared_dialect_of_open_csv_is_published_as_validated(catalog, tmp_path, dialect, text):
    catalog.dataset(
        "bus-lines", csv_text=text, descriptor=with_dialect(dataset_yaml("bus-lines"), dialect)
    )
    out = tmp_path / "site"
    run = kaifang("build", "--catalog", catalog.root, "--out", out, "--lang", "en")
    assert run.exit_code == 0, run.describe()
    published = (out / "datasets" / "bus-lines" / "rows.csv").read_text(encoding="utf-8")
    assert list(csv.reader(io.StringIO(published))) == [
        ["line_id", "stops"],
        ["L001", "12"],
        ["L002", "30"],
    ]


def test_undeclared_semicolon_file_is_not_guessed(catalog, tmp_path):
    """frictionless would sniff ';' and pass; the reader reads ','. Never guessed: an error."""
    catalog.dataset("bus-lines", csv_text="line_id;stops\nL001;12\nL002;30\n")
    run = kaifang("build", "--catalog", catalog.root, "--out", tmp_path / "site", "--lang", "en")
    assert_clean_failure(run, what="';' file without a dialect")
    assert "bus-lines" in run.output


@pytest.mark.parametrize(
    ("dialect", "key"),
    [
        ("{commentChar: '#'}", "commentChar"),
        ("{lineTerminator: '\\n'}", "lineTerminator"),
        ("{headerRows: [1, 2]}", "headerRows"),
        ('{delimiter: ":"}', "delimiter"),
        ("{header: maybe}", "header"),
    ],
)
def test_unsupported_dialect_is_refused_at_load(catalog, tmp_path, dialect, key):
    catalog.dataset("bus-lines", descriptor=with_dialect(dataset_yaml("bus-lines"), dialect))
    run = kaifang("check", "--catalog", catalog.root, "--no-cache", "--lang", "en")
    assert_clean_failure(run, what=f"dialect {dialect}")
    assert key in run.output and "delimiter, quoteChar" in run.output, run.describe()


CLOSED_FIELDS = """\
- {name: name, type: string, title: 姓名, sensitive: name}
- {name: id_number, type: string, title: 身份证号码, sensitive: id_number}
- {name: address, type: string, title: 住址, sensitive: address}
"""


def test_audit_looks_for_values_of_a_semicolon_closed_csv(catalog, tmp_path):
    """The audit reads the closed ';' file through the reader, cell by cell: the address
    alone, planted in a built page, is a finding (read with ',', it never would be)."""
    catalog.dataset(
        "relief",
        csv_text=f"name;id_number;address\n{PLANT_NAME};{PLANT_ID};{PLANT_ADDRESS}\n",
        descriptor=with_dialect(
            dataset_yaml("relief", open_type="非开放", fields=CLOSED_FIELDS, extra=LEGAL),
            '{delimiter: ";"}',
        ),
    )
    catalog.dataset("bus-lines")
    out = tmp_path / "site"
    built = kaifang("build", "--catalog", catalog.root, "--out", out, "--lang", "en")
    assert built.exit_code == 0, built.describe()
    page = out / "datasets" / "bus-lines" / "index.html"
    page.write_text(page.read_text(encoding="utf-8") + f"<p>{PLANT_ADDRESS}</p>", "utf-8")
    run = kaifang("audit", out, "--catalog", catalog.root, "--lang", "en")
    assert_clean_failure(run, what="closed address planted in a page")
    assert "relief" in run.output and PLANT_ADDRESS not in run.output, run.describe()


def test_planted_cache_entry_is_not_used(catalog, tmp_path):
    """An entry rewritten in the cache (with its object) does not pass: entries are signed
    with a key kept outside the cache."""
    catalog.dataset("bus-lines")
    cache = tmp_path / "cache"
    args = ["build", "--catalog", catalog.root, "--cache-dir", cache, "--lang", "en"]
    first = kaifang(*args, "--out", tmp_path / "a" / "site")
    assert first.exit_code == 0, first.describe()
    with sqlite3.connect(cache / "index.sqlite") as db:
        rows = db.execute("SELECT kind, key, value FROM entries WHERE kind='validate'").fetchall()
        assert rows
        for kind, key, value in rows:  # what an attacker writes: a report of its own
            forged = json.dumps({**json.loads(value), "metadata_completeness": 0.125})
            db.execute("UPDATE entries SET value=? WHERE kind=? AND key=?", (forged, kind, key))
    again = kaifang(*args, "--out", tmp_path / "b" / "site")
    assert again.exit_code == 0, again.describe()
    assert "validation 1/1" not in again.output, "a planted entry was reused"


def test_history_folder_linked_out_of_the_catalog_is_refused(catalog, tmp_path):
    catalog.dataset("bus-lines")
    outside = tmp_path / "elsewhere"
    (outside / "2026-11-18").mkdir(parents=True)
    (outside / "2026-11-18" / "rows.csv").write_text("line_id,stops\n外部机密甲乙丙,1\n")
    history = catalog.root / "history"
    history.mkdir()
    (history / "bus-lines").symlink_to(outside, target_is_directory=True)
    run = kaifang("build", "--catalog", catalog.root, "--out", tmp_path / "site", "--lang", "en")
    assert_clean_failure(run, what="history folder linked out")
    assert "history/bus-lines" in run.output, run.describe()
    assert (outside / "2026-11-18" / "rows.csv").exists(), "a file outside was deleted"
