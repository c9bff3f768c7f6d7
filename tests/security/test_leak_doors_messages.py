"""Issue 13, doors 5 and 8: messages never print a cell of non-open data or of a sensitive
field, and personal-data fields of open data are refused by check and build alike.

Attack: make closed and conditional data fail validation (a shifted row, enum, type,
pattern, unique and extra-cell errors) and look for the cells in the terminal, the JSON
report, the exception and the log; mark open fields as personal data and ask check.
"""

from __future__ import annotations

import csv
import io
import logging
from pathlib import Path

import pytest

from generator.build import build

from ..conftest import dataset_yaml
from .helpers import (
    LEGAL,
    PLANT_ADDRESS,
    PLANT_ID,
    PLANT_NAME,
    SHIFT_FIELDS,
    SHIFTED_CELLS,
    SHIFTED_CSV,
    Place,
    assert_absent,
    assert_clean_failure,
    kaifang,
    log_text,
)

CONDITIONAL_COMPANY = "云川翠湖贸易有限公司"


# --- door 5: messages print secrets -----------------------------------------------------------


def _channel_output(catalog, tmp_path: Path, channel: str) -> tuple[str, int]:
    """(text the channel shows, exit code or -1)."""
    if channel == "build":
        run = kaifang("build", "--catalog", catalog.root, "--out", tmp_path / "site")
        return run.output, run.exit_code
    if channel == "build-en":
        run = kaifang(
            "build", "--catalog", catalog.root, "--out", tmp_path / "site", "--lang", "en"
        )
        return run.output, run.exit_code
    if channel == "check-json":
        run = kaifang("check", "--catalog", catalog.root, "--json", "--no-cache")
        return run.output, run.exit_code
    assert channel == "exception"
    try:
        result = build(catalog.root, tmp_path / "site", use_cache=False)
    except Exception as exc:  # noqa: BLE001 - any exception: its text is what CI logs show
        texts = [str(exc), repr(exc), repr(vars(exc))]
        if exc.__cause__ is not None:
            texts.append(repr(exc.__cause__))
        return "\n".join(texts), 1
    if result.held_back:  # the rest was published (issue 16): the result is what CI logs
        return "\n".join([repr(result.held_back), repr(result.problems.items)]), 1
    return "", 0


CHANNELS = ["build", "build-en", "check-json", "exception"]


@pytest.mark.parametrize("channel", CHANNELS)
def test_shifted_row_of_closed_data_prints_no_cell(catalog, tmp_path: Path, caplog, channel):
    catalog.dataset("bus-lines")
    catalog.dataset(
        "relief",
        csv_text=SHIFTED_CSV,
        descriptor=dataset_yaml(
            "relief", open_type="非开放", fields=SHIFT_FIELDS, extra=LEGAL, title="救助名单"
        ),
    )
    caplog.set_level(logging.DEBUG)
    text, code = _channel_output(catalog, tmp_path, channel)
    assert code != 0, f"a shifted row of closed data passed validation ({channel}):\n{text}"
    assert "relief" in text, f"the error does not name the dataset ({channel}):\n{text[-2000:]}"
    assert_absent(
        SHIFTED_CELLS,
        Place(f"{channel} output", text=text),
        Place("log", text=log_text(caplog)),
        what=f"cell of closed data (sensitive address/name) in a data error message ({channel})",
    )


COND_FIELDS = """\
- {name: company, type: string, title: 单位名称, constraints: {unique: true}}
- {name: credit_code, type: string, title: 统一社会信用代码, constraints: {pattern: "[0-9A-Z]{18}"}}
- {name: status, type: string, title: 状态, constraints: {enum: [在册, 注销]}}
- {name: amount, type: integer, title: 缴费金额}
"""
GOOD_ROW = "云川湖滨物流有限公司,91990100MA1111111A,在册,12000"
COND_ERRORS = {
    "enum": (
        "云川翠湖贸易有限公司,91990100MA7777777Q,翠湖贸易状态异常待查,12000",
        "翠湖贸易状态异常待查",
    ),
    "type": ("云川翠湖贸易有限公司,91990100MA7777777Q,在册,翠湖ABC998877", "翠湖ABC998877"),
    "pattern": (
        "云川翠湖贸易有限公司,91990100MA7777777q-LEAK,在册,12000",
        "91990100MA7777777q-LEAK",
    ),
    "unique": (
        GOOD_ROW.replace("湖滨物流", "翠湖贸易")
        + "\n"
        + GOOD_ROW.replace("湖滨物流", "翠湖贸易").replace("1111111A", "2222222B"),
        CONDITIONAL_COMPANY,
    ),
    "extra-cell": (
        "云川翠湖贸易有限公司,91990100MA7777777Q,在册,12000,翠湖多余单元格8848",
        "翠湖多余单元格8848",
    ),
}


@pytest.mark.parametrize("channel", ["build", "check-json"])
@pytest.mark.parametrize("error", list(COND_ERRORS))
def test_conditional_data_errors_print_no_cell(catalog, tmp_path: Path, caplog, error, channel):
    """Review: enum, type, pattern, unique and extra-cell errors of conditional data (fields
    not marked sensitive) print the cell."""
    row, planted = COND_ERRORS[error]
    catalog.dataset("bus-lines")
    catalog.dataset(
        "contributions",
        csv_text=f"company,credit_code,status,amount\n{GOOD_ROW}\n{row}\n",
        descriptor=dataset_yaml(
            "contributions",
            open_type="有条件开放",
            fields=COND_FIELDS,
            extra=LEGAL + "open_conditions: 仅向科研机构提供\n",
            title="社保缴费明细",
        ),
    )
    caplog.set_level(logging.DEBUG)
    text, code = _channel_output(catalog, tmp_path, channel)
    assert code != 0, f"the {error} error was not reported ({channel}):\n{text}"
    assert "contributions" in text, text[-2000:]
    assert_absent(
        [planted, "云川湖滨物流有限公司"],
        Place(f"{channel} output", text=text),
        Place("log", text=log_text(caplog)),
        what=f"cell of conditional data in a {error} message ({channel})",
    )


# --- door 8: personal-data fields of open data --------------------------------------------------

NOTE_FIELDS = """\
- {name: line_id, type: string, title: 线路编号}
- {name: stops, type: integer, title: 站点数}
- {name: note, type: string, title: 备注}
"""


def open_csv(note: str) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerows([["line_id", "stops", "note"], ["L001", "12", "首班车"], ["L002", "30", note]])
    return buffer.getvalue()


@pytest.mark.parametrize("verb", ["check", "build"])
def test_sensitive_field_in_open_data_without_derivative_is_an_error(catalog, tmp_path, verb):
    fields = NOTE_FIELDS.replace("title: 备注}", "title: 联系人, sensitive: name}")
    catalog.dataset(
        "bus-lines",
        csv_text=open_csv(PLANT_NAME),
        descriptor=dataset_yaml("bus-lines", fields=fields),
    )
    args = ["--out", tmp_path / "site"] if verb == "build" else ["--no-cache"]
    run = kaifang(verb, "--catalog", catalog.root, *args, "--lang", "en")
    if verb == "build" and run.exit_code == 0:
        assert_absent(
            [PLANT_NAME],
            Place("site", tree=tmp_path / "site"),
            what="value of an open field marked sensitive: name",
        )
    assert_clean_failure(run, what=f"{verb}: open field marked sensitive: name")
    assert "sensitive" in run.output and "note" in run.output, run.describe()


@pytest.mark.parametrize("verb", ["check", "build"])
def test_pii_allowed_contradicting_sensitive_is_an_error(catalog, tmp_path, verb):
    fields = NOTE_FIELDS.replace(
        "title: 备注}", "title: 证件号码, sensitive: id_number, pii_allowed: true}"
    )
    catalog.dataset(
        "bus-lines",
        csv_text=open_csv(PLANT_ID),
        descriptor=dataset_yaml("bus-lines", fields=fields),
    )
    args = ["--out", tmp_path / "site"] if verb == "build" else ["--no-cache"]
    run = kaifang(verb, "--catalog", catalog.root, *args, "--lang", "en")
    if verb == "build" and run.exit_code == 0:
        assert_absent(
            [PLANT_ID],
            Place("site", tree=tmp_path / "site"),
            what="ID numbers of a field with sensitive: id_number and pii_allowed: true",
        )
    assert_clean_failure(run, what=f"{verb}: pii_allowed: true beside sensitive: id_number")
    assert "pii_allowed" in run.output, run.describe()


# --- an internal error in a worker ---------------------------------------------------------------


def _choke_on_a_cell(context, ds):
    # what a bug in a stage looks like: Python's message quotes the value it choked on
    int(PLANT_ADDRESS if ds.id.endswith("3") else "1")


def test_a_worker_crash_on_a_cell_does_not_print_the_cell(catalog, caplog):
    from generator.catalog.loader import load_catalog
    from generator.runtime.parallel import DatasetPool, WorkerError

    for i in range(5):
        catalog.dataset(f"ds-{i}", csv_text=f"line_id,stops\nL{i},{i}\n")
    cat, _ = load_catalog(catalog.root)
    caplog.set_level(logging.DEBUG)
    with pytest.raises(WorkerError) as info, DatasetPool(cat, jobs=2, threshold=1) as pool:
        pool.map(_choke_on_a_cell, cat.datasets)
    text = info.value.message
    assert "ds-3" in text and "ValueError" in text and "_choke_on_a_cell" in text
    assert_absent(
        [PLANT_ADDRESS],
        Place("error message", text=text),
        Place("log", text=log_text(caplog)),
        what="a cell quoted by an exception in a worker",
    )
