"""Issue 13, doors 7, 8 and 9: one reader for every dialect, `check` runs what `build`
runs, and personal data is found whatever its spelling, in data and in text.

ASSUMED INTERFACE: `kaifang check` exits 1 for the same personal-data and policy errors
that fail `kaifang build` (the issue: "check runs every check build runs except writing").
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from ..conftest import dataset_yaml
from .helpers import (
    LEGAL,
    PLANT_ADDRESS,
    PLANT_ID,
    PLANT_MOBILE,
    PLANT_NAME,
    Place,
    assert_absent,
    assert_clean_failure,
    kaifang,
)

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


# --- door 7: the reader and the validator disagree ----------------------------------------------

DIALECT = "    dialect: {delimiter: \";\"}\n"


def with_dialect(descriptor: str) -> str:
    return descriptor.replace("    format: csv\n", "    format: csv\n" + DIALECT)


def test_semicolon_dialect_of_open_csv_is_read_or_refused(catalog, tmp_path: Path):
    catalog.dataset(
        "bus-lines",
        csv_text="line_id;stops\nL001;12\nL002;30\n",
        descriptor=with_dialect(dataset_yaml("bus-lines")),
    )
    out = tmp_path / "site"
    run = kaifang("build", "--catalog", catalog.root, "--out", out, "--lang", "en")
    if run.exit_code != 0:
        assert_clean_failure(run, what="dialect delimiter ';'")
        assert "dialect" in run.output or "delimiter" in run.output, run.describe()
        return
    published = (out / "datasets" / "bus-lines" / "rows.csv").read_text(encoding="utf-8")
    rows = list(csv.reader(io.StringIO(published)))
    assert rows == [["line_id", "stops"], ["L001", "12"], ["L002", "30"]], (
        f"validation honoured delimiter ';' but the published rows.csv is {rows!r}"
    )


CLOSED_FIELDS = """\
- {name: name, type: string, title: 姓名, sensitive: name}
- {name: id_number, type: string, title: 身份证号码, sensitive: id_number}
- {name: address, type: string, title: 住址, sensitive: address}
"""


def test_closed_values_of_a_semicolon_csv_are_looked_for(catalog, tmp_path: Path):
    """The audit must read the closed CSV the way frictionless does; read with ',' each row
    is one long cell and the address alone is never looked for."""
    catalog.dataset(
        "relief",
        csv_text=f"name;id_number;address\n{PLANT_NAME};{PLANT_ID};{PLANT_ADDRESS}\n"
        "司马晓燕;990108197310149618;南湖区湖滨街道康宁路17号\n",
        descriptor=with_dialect(
            dataset_yaml("relief", open_type="非开放", fields=CLOSED_FIELDS, extra=LEGAL,
                         title="救助名单")
        ),
    )
    catalog.dataset("bus-lines", readme=f"# 线路\n\n途经 {PLANT_ADDRESS} 附近。\n")
    out = tmp_path / "site"
    run = kaifang("build", "--catalog", catalog.root, "--out", out, "--lang", "en")
    if run.exit_code == 0:
        assert_absent(
            [PLANT_ADDRESS], Place("site", tree=out), what="address of a closed ';' CSV"
        )
    assert_clean_failure(run, what="closed value of a ';' CSV in an open README")
    assert "relief" in run.output, run.describe()
    assert_absent([PLANT_ADDRESS], Place("terminal", text=run.output))


# --- door 8: check and build disagree --------------------------------------------------------------


def test_check_fails_where_build_fails_on_personal_data(catalog, tmp_path: Path):
    catalog.dataset(
        "bus-lines",
        csv_text=open_csv(f"联系 {PLANT_ID}"),
        descriptor=dataset_yaml("bus-lines", fields=NOTE_FIELDS),
    )
    built = kaifang("build", "--catalog", catalog.root, "--out", tmp_path / "site", "--lang", "en")
    assert built.exit_code == 1, f"control: build should fail on an ID number: {built.describe()}"
    checked = kaifang("check", "--catalog", catalog.root, "--no-cache", "--lang", "en")
    assert checked.exit_code == 1, (
        f"build fails on personal data but `kaifang check` says: {checked.describe()}"
    )
    assert_clean_failure(checked, what="check on personal data")
    assert "bus-lines" in checked.output and PLANT_ID not in checked.output, checked.describe()


@pytest.mark.parametrize("verb", ["check", "build"])
def test_sensitive_field_in_open_data_without_derivative_is_an_error(catalog, tmp_path, verb):
    fields = NOTE_FIELDS.replace("title: 备注}", "title: 联系人, sensitive: name}")
    catalog.dataset("bus-lines", csv_text=open_csv(PLANT_NAME),
                    descriptor=dataset_yaml("bus-lines", fields=fields))
    args = ["--out", tmp_path / "site"] if verb == "build" else ["--no-cache"]
    run = kaifang(verb, "--catalog", catalog.root, *args, "--lang", "en")
    if verb == "build" and run.exit_code == 0:
        assert_absent([PLANT_NAME], Place("site", tree=tmp_path / "site"),
                      what="value of an open field marked sensitive: name")
    assert_clean_failure(run, what=f"{verb}: open field marked sensitive: name")
    assert "sensitive" in run.output and "note" in run.output, run.describe()


@pytest.mark.parametrize("verb", ["check", "build"])
def test_pii_allowed_contradicting_sensitive_is_an_error(catalog, tmp_path, verb):
    fields = NOTE_FIELDS.replace(
        "title: 备注}", "title: 证件号码, sensitive: id_number, pii_allowed: true}"
    )
    catalog.dataset("bus-lines", csv_text=open_csv(PLANT_ID),
                    descriptor=dataset_yaml("bus-lines", fields=fields))
    args = ["--out", tmp_path / "site"] if verb == "build" else ["--no-cache"]
    run = kaifang(verb, "--catalog", catalog.root, *args, "--lang", "en")
    if verb == "build" and run.exit_code == 0:
        assert_absent([PLANT_ID], Place("site", tree=tmp_path / "site"),
                      what="ID numbers of a field with sensitive: id_number and pii_allowed: true")
    assert_clean_failure(run, what=f"{verb}: pii_allowed: true beside sensitive: id_number")
    assert "pii_allowed" in run.output, run.describe()


# --- door 9: detection gaps --------------------------------------------------------------------

FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
ID15 = PLANT_ID[:6] + PLANT_ID[8:14] + PLANT_ID[14:17]  # 990103 870512 413: the 1st-generation form
SPELLINGS = {
    "id-spaces": f"{PLANT_ID[:6]} {PLANT_ID[6:14]} {PLANT_ID[14:]}",
    "id-dashes": f"{PLANT_ID[:6]}-{PLANT_ID[6:14]}-{PLANT_ID[14:]}",
    "id-fullwidth": PLANT_ID.translate(FULLWIDTH),
    "id-15-digit": ID15,
    "mobile-dots": f"{PLANT_MOBILE[:3]}.{PLANT_MOBILE[3:7]}.{PLANT_MOBILE[7:]}",
    "mobile-nbsp": f"{PLANT_MOBILE[:3]}\u00a0{PLANT_MOBILE[3:7]}\u00a0{PLANT_MOBILE[7:]}",
    "mobile-fullwidth": PLANT_MOBILE.translate(FULLWIDTH),
    "email-fullwidth-at": "ouyang.zixuan＠example.com",
}


@pytest.mark.parametrize("where", ["data", "readme"])
@pytest.mark.parametrize("spelling", list(SPELLINGS))
def test_personal_data_in_any_spelling_fails_the_build(catalog, tmp_path: Path, spelling, where):
    value = SPELLINGS[spelling]
    if where == "data":
        catalog.dataset("bus-lines", csv_text=open_csv(f"联系 {value}"),
                        descriptor=dataset_yaml("bus-lines", fields=NOTE_FIELDS))
    else:
        catalog.dataset("bus-lines", readme=f"# 公交线路\n\n投诉电话及联系人：{value}。\n")
    out = tmp_path / "site"
    run = kaifang("build", "--catalog", catalog.root, "--out", out, "--lang", "en")
    if run.exit_code == 0:
        assert_absent([value], Place("site", tree=out),
                      what=f"personal data spelled {spelling!r} in the open {where}")
    assert_clean_failure(run, what=f"{spelling} in {where}")
    assert "bus-lines" in run.output, run.describe()
    assert value not in run.output, f"the message prints the value in full: {run.describe()}"
