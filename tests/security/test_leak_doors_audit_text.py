"""Issue 13, doors 2, 3, 8 and 9, the cases the first attack files leave out: the archive
withdrawn across publishing builds (record_history), an archived file planted into a built
site, declared contacts in text, personal data in site.yaml, `check` on metadata text, and
the false positives the detection must not have."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from generator.build import build
from generator.checks.personal import personal_data, valid_resident_id15

from ..conftest import dataset_yaml
from .helpers import PLANT_ID, PLANT_MOBILE, Place, assert_absent, assert_clean_failure, kaifang

DAY1 = "1794960000"  # 2026-11-18
DAY2 = "1795219200"  # 2026-11-21
FIELDS_V1 = """\
- {name: line_id, type: string, title: 线路编号}
- {name: stops, type: integer, title: 站点数}
- {name: contact, type: string, title: 联系电话, pii_allowed: [mobile]}
"""
FIELDS_V2 = FIELDS_V1.replace(", pii_allowed: [mobile]", "")
OTHER_MOBILE = "13698765432"


def _two_publishing_builds(catalog, out: Path, monkeypatch, keep_allowance: bool):
    catalog.dataset(
        "hotline",
        csv_text=f"line_id,stops,contact\nL1,3,{PLANT_MOBILE}\nL2,5,{OTHER_MOBILE}\n",
        descriptor=dataset_yaml("hotline", fields=FIELDS_V1),
    )
    monkeypatch.setenv("SOURCE_DATE_EPOCH", DAY1)
    build(catalog.root, out, record_history=True)
    catalog.dataset(
        "hotline",
        csv_text="line_id,stops,contact\nL1,3,0991-1234567\nL2,5,0991-7654321\n",
        descriptor=dataset_yaml("hotline", fields=FIELDS_V1 if keep_allowance else FIELDS_V2),
    )
    monkeypatch.setenv("SOURCE_DATE_EPOCH", DAY2)
    return build(catalog.root, out, record_history=True)


def test_archived_version_with_personal_data_is_withdrawn(catalog, tmp_path: Path, monkeypatch):
    out = tmp_path / "site"
    result = _two_publishing_builds(catalog, out, monkeypatch, keep_allowance=False)
    warnings = [p for p in result.problems.items if p.code == "archive-withdrawn-pii"]
    assert warnings and warnings[0].dataset == "hotline", result.problems.items
    assert PLANT_MOBILE not in warnings[0].render("en")
    assert not (out / "datasets" / "hotline" / "archive").exists()
    # nor kept in the catalog's history for a later build to publish
    assert_absent(
        [PLANT_MOBILE, OTHER_MOBILE],
        Place("site", tree=out),
        Place("history", tree=catalog.root / "history"),
        what="withdrawn mobile",
    )
    page = (out / "datasets" / "hotline" / "index.html").read_text(encoding="utf-8")
    assert "archive/2026-11-18" not in page


def test_archived_version_still_allowed_stays_downloadable(catalog, tmp_path: Path, monkeypatch):
    """The control: with the allowance kept, the replaced file is archived as before."""
    out = tmp_path / "site"
    result = _two_publishing_builds(catalog, out, monkeypatch, keep_allowance=True)
    assert not [p for p in result.problems.items if p.code == "archive-withdrawn-pii"]
    kept = out / "datasets" / "hotline" / "archive" / "2026-11-18" / "rows.csv"
    assert PLANT_MOBILE in kept.read_text(encoding="utf-8")


def test_audit_finds_personal_data_planted_under_archive(catalog, tmp_path: Path):
    catalog.dataset("bus-lines")
    out = tmp_path / "site"
    assert kaifang("build", "--catalog", catalog.root, "--out", out).exit_code == 0
    planted = out / "datasets" / "bus-lines" / "archive" / "2026-01-01" / "rows.csv"
    planted.parent.mkdir(parents=True)
    planted.write_text(f"line_id,stops\nL1 {PLANT_ID},3\n", encoding="utf-8")
    run = kaifang("audit", out, "--catalog", catalog.root, "--lang", "en")
    assert_clean_failure(run, what="ID number in an archived file")
    assert "archive" in run.output and "bus-lines" in run.output, run.describe()
    assert PLANT_ID not in run.output


def test_declared_contact_may_appear_in_text_other_addresses_may_not(catalog, tmp_path: Path):
    site_email = (catalog.root / "site.yaml").read_text(encoding="utf-8")
    assert "email:" in site_email, "the fixture's site.yaml declares a contact e-mail"
    declared = next(
        line.split("email:")[1].strip(" }'\"\n").split(",")[0].strip(" }'\"")
        for line in site_email.splitlines()
        if "email:" in line
    )
    catalog.dataset("bus-lines", readme=f"# 线路\n\n意见请发送至 {declared} 。\n")
    ok = kaifang("build", "--catalog", catalog.root, "--out", tmp_path / "a")
    assert ok.exit_code == 0, f"declared contact {declared!r} in a README: {ok.describe()}"
    catalog.dataset("bus-lines", readme="# 线路\n\n意见请发送至 wang.xiaoming@example.com 。\n")
    bad = kaifang("build", "--catalog", catalog.root, "--out", tmp_path / "b", "--lang", "en")
    assert_clean_failure(bad, what="an undeclared e-mail in a README")
    assert "README" in bad.output and "wang.xiaoming@example.com" not in bad.output


@pytest.mark.parametrize("verb", ["check", "build"])
def test_personal_data_in_site_yaml_fails(catalog, tmp_path: Path, verb):
    site = catalog.root / "site.yaml"
    text = site.read_text(encoding="utf-8")
    assert "\ndescription:" in text
    site.write_text(
        text.replace("\ndescription:", f"\ndescription: 值班手机 {PLANT_MOBILE}\nx-old:", 1),
        encoding="utf-8",
    )
    catalog.dataset("bus-lines")
    args = ["--out", tmp_path / "site"] if verb == "build" else ["--no-cache"]
    run = kaifang(verb, "--catalog", catalog.root, *args, "--lang", "en")
    assert_clean_failure(run, what=f"{verb}: a mobile in site.yaml")
    assert "site.yaml" in run.output and PLANT_MOBILE not in run.output, run.describe()


def test_check_fails_on_personal_data_in_a_readme(catalog):
    catalog.dataset("bus-lines", readme=f"# 线路\n\n联系人身份证 {PLANT_ID}\n")
    run = kaifang("check", "--catalog", catalog.root, "--no-cache", "--lang", "en")
    assert_clean_failure(run, what="check: an ID number in a README")
    assert "README" in run.output and PLANT_ID not in run.output, run.describe()


# --- detection without false positives ------------------------------------------------------


def _kinds(text: str) -> list[str]:
    return [kind for kind, _ in personal_data(text.encode("utf-8"))]


def test_hex_digests_are_not_taken_for_numbers():
    """The hash rule publishes HMAC-SHA256 hex: its digit runs touch letters."""
    hits = [h for i in range(5000) if _kinds(h := hashlib.sha256(f"{i}".encode()).hexdigest())]
    assert not hits, hits[:3]


def test_registration_numbers_and_coordinates_are_not_personal_data():
    # a 15-digit business registration number passes ISO 7064 MOD 11,10: not an ID number
    base = "11010801234567"
    number = next(base + d for d in "0123456789" if not valid_resident_id15(base + d))
    assert _kinds(f"注册号 {number}") == []
    assert _kinds("经度 131.2345678，纬度 45.7654321") == []
    assert _kinds("金额 1,395,720,884 元") == []


def test_spellings_of_one_number_are_found_once_each():
    assert _kinds(f"+86 {PLANT_MOBILE[:3]} {PLANT_MOBILE[3:7]} {PLANT_MOBILE[7:]}") == ["mobile"]
    assert _kinds(f"0086-{PLANT_MOBILE}") == ["mobile"]
    assert _kinds(f"{PLANT_MOBILE[:3]}\u3000{PLANT_MOBILE[3:7]}\u3000{PLANT_MOBILE[7:]}") == [
        "mobile"
    ]
    assert _kinds(f"{PLANT_ID[:6]}\u200b{PLANT_ID[6:]}") == ["id_number"]
    assert _kinds("wang @ example.com") == ["email"]


def test_a_closed_value_used_as_a_file_name_is_found(catalog, tmp_path: Path):
    """Resource names are slugs, and a closed case number can be one: the name of a
    published file is output too."""
    closed_id = "jz-20261107-0042"  # a relief case number of the closed dataset
    catalog.dataset(
        "relief",
        csv_text=f"name,id_number\n欧阳紫萱,{closed_id}\n",
        descriptor=dataset_yaml(
            "relief",
            open_type="非开放",
            extra="legal_basis: 《云川市社会救助办法》第十二条\n",
            title="救助名单",
            fields="- {name: name, type: string, title: 姓名}\n"
            "- {name: id_number, type: string, title: 案件编号}\n",
        ),
    )
    descriptor = dataset_yaml("bus-lines").replace("name: rows", f"name: '{closed_id}'")
    catalog.dataset("bus-lines", descriptor=descriptor)
    run = kaifang("build", "--catalog", catalog.root, "--out", tmp_path / "site", "--lang", "en")
    assert run.exit_code == 1, run.describe()
    assert "relief" in run.output, run.describe()
    assert_absent([closed_id], Place("terminal", text=run.output), what="the file name's value")
    assert not (tmp_path / "site" / "datasets" / "bus-lines").exists()


def test_a_file_name_alone_is_read_by_the_audit(catalog, tmp_path: Path):
    """The value only in a file's name, nowhere in any content: still a finding."""
    closed = "jz-20261107-0042"
    catalog.dataset(
        "relief",
        csv_text=f"name,case\n欧阳紫萱,{closed}\n",
        descriptor=dataset_yaml(
            "relief",
            open_type="非开放",
            extra="legal_basis: 《云川市社会救助办法》第十二条\n",
            title="救助名单",
            fields="- {name: name, type: string, title: 姓名}\n"
            "- {name: case, type: string, title: 案件编号}\n",
        ),
    )
    out = tmp_path / "site"
    assert kaifang("build", "--catalog", catalog.root, "--out", out).exit_code == 0
    (out / "static" / f"{closed}.txt").write_text("nothing here", encoding="utf-8")
    run = kaifang("audit", out, "--catalog", catalog.root, "--lang", "en")
    assert run.exit_code == 1 and "static/jz-" in run.output, run.describe()
    assert_absent([closed], Place("terminal", text=run.output), what="the file name's value")
