"""Issue 13, doors 2 and 3: publisher-written text and the archive are outputs like any
other. A closed record pasted into a README, personal data in a description, the title of
a hidden dataset in a derivative's README, the field list of a hidden source, and a
corrected file kept under archive/ must fail the build or leave no trace."""

from __future__ import annotations

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

CLOSED_FIELDS = """\
- {name: name, type: string, title: 姓名, sensitive: name}
- {name: id_number, type: string, title: 身份证号码, sensitive: id_number}
- {name: mobile, type: string, title: 救助对象联系手机, sensitive: mobile}
- {name: address, type: string, title: 救助对象家庭住址, sensitive: address}
- {name: district, type: string, title: 所属区县}
"""
CLOSED_CSV = (
    "name,id_number,mobile,address,district\n"
    f"{PLANT_NAME},{PLANT_ID},{PLANT_MOBILE},{PLANT_ADDRESS},川东区\n"
    "司马晓燕,990108197310149618,13812345678,南湖区湖滨街道17号,南湖区\n"
)
HIDDEN_TITLE = "困难群众救助名单"


def closed_relief(catalog, hide: bool = False) -> None:
    catalog.dataset(
        "relief",
        csv_text=CLOSED_CSV,
        descriptor=dataset_yaml(
            "relief", open_type="非开放", fields=CLOSED_FIELDS, extra=LEGAL, title=HIDDEN_TITLE
        ),
    )
    if hide:
        site = catalog.root / "site.yaml"
        site.write_text(site.read_text().replace("hide_closed: false", "hide_closed: true"))


RECORD = f"联系人 {PLANT_NAME}，住址 {PLANT_ADDRESS}"
FULL_RECORD = f"{RECORD}，身份证 {PLANT_ID}，手机 {PLANT_MOBILE}"


def _in_readme(catalog, text: str) -> None:
    catalog.dataset("bus-lines", readme=f"# 公交线路\n\n数据说明。{text}\n")


def _in_description(catalog, text: str) -> None:
    descriptor = dataset_yaml("bus-lines").replace(
        "description: 测试数据集 bus-lines", f"description: 测试数据集。{text}"
    )
    catalog.dataset("bus-lines", descriptor=descriptor)


def _in_field_description(catalog, text: str) -> None:
    fields = f"""\
- {{name: line_id, type: string, title: 线路编号, description: "{text}"}}
- {{name: stops, type: integer, title: 站点数}}
"""
    catalog.dataset("bus-lines", descriptor=dataset_yaml("bus-lines", fields=fields))


PASTE = {
    "readme": _in_readme,
    "description": _in_description,
    "field-description": _in_field_description,
}


# --- door 2: a closed record pasted into open metadata --------------------------------------


@pytest.mark.parametrize("where", list(PASTE))
def test_closed_record_pasted_into_open_metadata_fails_the_audit(
    catalog, tmp_path: Path, where: str
):
    """Name and address only (no ID-shaped value): the audit has to find them as values of
    the closed dataset, not as personal data."""
    closed_relief(catalog)
    PASTE[where](catalog, RECORD)
    out = tmp_path / "site"
    run = kaifang("build", "--catalog", catalog.root, "--out", out, "--lang", "en")
    if run.exit_code == 0:
        assert_absent(
            [PLANT_NAME, PLANT_ADDRESS],
            Place("site", tree=out),
            what=f"closed record pasted into the open dataset's {where} was published and",
        )
    assert_clean_failure(run, what=f"closed record in {where}")
    assert "relief" in run.output, f"the finding does not name the closed dataset: {run.describe()}"
    assert_absent([PLANT_NAME, PLANT_ADDRESS], Place("terminal", text=run.output))
    assert not out.exists()


@pytest.mark.parametrize("where", list(PASTE))
@pytest.mark.parametrize(
    "value", [PLANT_ID, PLANT_MOBILE, "ouyang.zixuan@example.com"], ids=["id", "mobile", "email"]
)
def test_personal_data_in_open_metadata_text_fails(catalog, tmp_path: Path, where: str, value):
    """No closed dataset at all: an ID number, a mobile or an e-mail in publisher-written
    text is personal data like in a CSV cell."""
    catalog.dataset("bus-lines")  # written by PASTE below
    PASTE[where](catalog, f"如有疑问请联系 {value} 。")
    out = tmp_path / "site"
    run = kaifang("build", "--catalog", catalog.root, "--out", out, "--lang", "en")
    if run.exit_code == 0:
        assert_absent([value], Place("site", tree=out), what=f"personal data in the {where}")
    assert_clean_failure(run, what=f"personal data in {where}")
    assert "bus-lines" in run.output, run.describe()
    assert_absent([value], Place("terminal", text=run.output))


# --- door 2: hide_closed --------------------------------------------------------------------

RULES = """\
        - {name: name, desensitise: {rule: drop}}
        - {name: id_number, desensitise: {rule: mask, keep_start: 6, keep_end: 0}}
        - {name: mobile, desensitise: {rule: drop}}
        - {name: address, desensitise: {rule: drop}}
        - {name: district, desensitise: keep}
"""


def derivative(readme: str | None = None) -> tuple[str, str | None]:
    text = (
        "name: relief-open\ntitle: 救助统计（脱敏）\ndescription: 脱敏派生\npublisher: mzj\n"
        "theme: social\nopen_type: 无条件开放\nupdate_frequency: monthly\n"
        "issued: 2024-01-01\nmodified: 2026-11-01\nderived_from: relief\n"
        # group size: both rows share region 990103/990108 -> groups of 1; accepted here so
        # that only the door under test decides (assumed interface, see the desensitise file)
        "accepted_risk: {min_group_size: 1, legal_basis: 测试用}\n"
        "resources:\n  - name: rows\n    source: rows\n    schema:\n      fields:\n" + RULES
    )
    return text, readme


def test_derivative_readme_naming_a_hidden_dataset_fails(catalog, tmp_path: Path):
    catalog.dataset("bus-lines")
    closed_relief(catalog, hide=True)
    text, _ = derivative()
    catalog.dataset("relief-open", descriptor=text, readme=f"本数据集由{HIDDEN_TITLE}脱敏而来。\n")
    out = tmp_path / "site"
    run = kaifang("build", "--catalog", catalog.root, "--out", out, "--lang", "en")
    if run.exit_code == 0:
        assert_absent(
            [HIDDEN_TITLE], Place("site", tree=out), what="title of a hidden (hide_closed) dataset"
        )
    assert_clean_failure(run, what="hidden title in a derivative README")
    assert "relief" in run.output, run.describe()


def test_derivative_of_hidden_source_lists_no_dropped_fields(catalog, tmp_path: Path):
    """A hidden closed dataset publishes no field list, so its derivative may not either:
    dropped fields (their names, titles and rules) appear nowhere."""
    catalog.dataset("bus-lines")
    closed_relief(catalog, hide=True)
    text, _ = derivative()
    catalog.dataset("relief-open", descriptor=text)
    out = tmp_path / "site"
    run = kaifang("build", "--catalog", catalog.root, "--out", out, "--lang", "en")
    # the derivative itself is fine: it must build, or this test would prove nothing
    assert run.exit_code == 0, run.describe()
    page = (out / "datasets" / "relief-open" / "index.html").read_text(encoding="utf-8")
    assert "<code>district</code>" in page, "the published fields and their rules are listed"
    assert_absent(
        [
            "救助对象联系手机",
            "救助对象家庭住址",
            "<code>mobile</code>",
            "<code>address</code>",
            # a field's name in JSON (API, datapackage.json, JSON-LD); a bare "mobile" is
            # too generic a word (the vendored leaflet.js has it)
            '"name": "mobile"',
            '"name":"mobile"',
            '"name": "address"',
            '"name":"address"',
        ],
        Place("site", tree=out),
        what="a dropped field of the hidden source",
    )


# --- door 3: the archive keeps what was corrected ---------------------------------------------

DAY1 = "1794960000"  # 2026-11-18
DAY2 = "1795219200"  # 2026-11-21
HOTLINE_V1 = """\
- {name: line_id, type: string, title: 线路编号}
- {name: stops, type: integer, title: 站点数}
- {name: contact, type: string, title: 联系电话, pii_allowed: [mobile]}
"""
HOTLINE_V2 = HOTLINE_V1.replace(", pii_allowed: [mobile]", "")


def test_corrected_personal_data_is_not_kept_under_archive(catalog, tmp_path: Path, monkeypatch):
    """v1 published drivers' mobile numbers (wrongly allowed); v2 corrects the data and
    removes the allowance. The replaced v1 file must not stay downloadable for 90 days."""
    other = "13698765432"
    catalog.dataset(
        "hotline",
        csv_text=f"line_id,stops,contact\nL1,3,{PLANT_MOBILE}\nL2,5,{other}\n",
        descriptor=dataset_yaml("hotline", fields=HOTLINE_V1),
    )
    out = tmp_path / "site"
    monkeypatch.setenv("SOURCE_DATE_EPOCH", DAY1)
    first = kaifang("build", "--catalog", catalog.root, "--out", out)
    assert first.exit_code == 0, first.describe()
    catalog.dataset(
        "hotline",
        csv_text="line_id,stops,contact\nL1,3,0991-1234567\nL2,5,0991-7654321\n",
        descriptor=dataset_yaml("hotline", fields=HOTLINE_V2),
    )
    monkeypatch.setenv("SOURCE_DATE_EPOCH", DAY2)
    second = kaifang("build", "--catalog", catalog.root, "--out", out, "--lang", "en")
    if second.exit_code != 0:
        assert_clean_failure(second, what="archived personal data")
        assert "archive" in second.output, second.describe()
        return
    assert_absent(
        [PLANT_MOBILE, other],
        Place("site", tree=out),
        what="mobile numbers removed by a correction are still published under archive/ and",
    )
