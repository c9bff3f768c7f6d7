"""Issue 13, doors 8 and 9: `check` runs the personal-data check `build` runs, and
personal data is found whatever its spelling, in data and in text.

(The attack tests of door 7, CSV dialects, and of door 8's `sensitive` and `pii_allowed`
rules are landed with those changes, from the `attacks` branch.)

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
    PLANT_ID,
    PLANT_MOBILE,
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


# --- door 8: check and build disagree ------------------------------------------------------------


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
    # more spellings (issue 13, door 9)
    "id-4-4-4-4-2": " ".join(PLANT_ID[i : i + 4] for i in range(0, 18, 4)),
    "id-fullwidth-spaced": f"{PLANT_ID[:6]}\u3000{PLANT_ID[6:]}".translate(FULLWIDTH),
    "mobile-ideographic-space": "\u3000".join(
        (PLANT_MOBILE[:3], PLANT_MOBILE[3:7], PLANT_MOBILE[7:])
    ),
    "mobile-plus86": f"+86 {PLANT_MOBILE[:3]} {PLANT_MOBILE[3:7]} {PLANT_MOBILE[7:]}",
    "mobile-0086-dashes": f"0086-{PLANT_MOBILE[:3]}-{PLANT_MOBILE[3:7]}-{PLANT_MOBILE[7:]}",
    "email-spaces-at": "ouyang.zixuan @ example.com",
}


@pytest.mark.parametrize("where", ["data", "readme"])
@pytest.mark.parametrize("spelling", list(SPELLINGS))
def test_personal_data_in_any_spelling_fails_the_build(catalog, tmp_path: Path, spelling, where):
    value = SPELLINGS[spelling]
    if where == "data":
        catalog.dataset(
            "bus-lines",
            csv_text=open_csv(f"联系 {value}"),
            descriptor=dataset_yaml("bus-lines", fields=NOTE_FIELDS),
        )
    else:
        catalog.dataset("bus-lines", readme=f"# 公交线路\n\n投诉电话及联系人：{value}。\n")
    out = tmp_path / "site"
    run = kaifang("build", "--catalog", catalog.root, "--out", out, "--lang", "en")
    if run.exit_code == 0:
        assert_absent(
            [value],
            Place("site", tree=out),
            what=f"personal data spelled {spelling!r} in the open {where}",
        )
    assert_clean_failure(run, what=f"{spelling} in {where}")
    assert "bus-lines" in run.output, run.describe()
    assert value not in run.output, f"the message prints the value in full: {run.describe()}"
