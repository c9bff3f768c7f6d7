"""Issue 13, door 1 (and the hash half of door 9, and the review's unscoped hashes):
desensitisation must be strong enough, decided by policy, measured on every derivative.

Attack: publish a derivative of a closed dataset whose rules hide (almost) nothing, and
check the build refuses it with a message naming the rule and the minimum.

ASSUMED INTERFACES (invented here, the issue leaves the spelling open):
- a source field may be marked ``quasi_identifier: true`` (the issue names this key);
- a derivative declares an accepted re-identification risk on its datapackage.yaml as
  ``accepted_risk: {min_group_size: N, legal_basis: TEXT}``;
- the measured smallest group appears in the derivative's validation.json under a key
  containing "group" (e.g. ``min_group_size`` / ``smallest_group``).
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest

from ..conftest import dataset_yaml
from .helpers import (
    LEGAL,
    PLANT_ID,
    Place,
    assert_absent,
    assert_clean_failure,
    kaifang,
    resident_id,
)

HASH_ENV = "KAIFANG_HASH_SECRET"
SECRET = "attack-tests-secret-0123456789abcdef"

SOURCE_FIELDS = """\
- {name: name, type: string, title: 姓名, sensitive: name}
- {name: id_number, type: string, title: 身份证号码, sensitive: id_number}
- {name: mobile, type: string, title: 手机号码, sensitive: mobile}
- {name: bank_card, type: string, title: 银行卡号, sensitive: bank_card}
- {name: sex, type: string, title: 性别, quasi_identifier: true}
- {name: birth_date, type: date, title: 出生日期, quasi_identifier: true}
- {name: district, type: string, title: 所属区县}
- {name: income, type: integer, title: 月收入, quasi_identifier: true}
"""
SURNAMES = "赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨朱秦尤许"
GIVEN = "子涵紫萱浩然雨桐梓轩欣怡宇航思远嘉怡俊杰"


def luhn_card(prefix: str) -> str:
    """A 19-digit UnionPay-like number with a valid Luhn check digit."""
    digits = [int(c) for c in prefix]
    total = 0
    for i, d in enumerate(reversed(digits)):
        if i % 2 == 0:
            d *= 2
            d -= 9 if d > 9 else 0
        total += d
    return prefix + str((10 - total % 10) % 10)


def source_rows(n: int, unique: bool = False) -> list[dict[str, str]]:
    """n fictional recipients. unique=False: region x sex x birth year groups of >= 5 rows."""
    rows = []
    for i in range(n):
        region = ("990103", "990105")[i % 2]
        sex = ("男", "女")[(i // 2) % 2]
        year = (1961, 1987)[(i // 4) % 2] if not unique else 1950 + i
        rows.append(
            {
                "name": SURNAMES[i % 20] + GIVEN[(2 * i) % 20 : (2 * i) % 20 + 2],
                "id_number": resident_id(region, f"{year}0{1 + i % 9}1{i % 10}", f"{i % 1000:03d}"),
                "mobile": f"139{57200000 + i * 7919 % 10**8:08d}"[:11],
                "bank_card": luhn_card(f"622202{i:012d}"),
                "sex": sex,
                "birth_date": f"{year}-0{1 + i % 9}-1{i % 10}",
                "district": ("川东区", "南湖区")[i % 2],
                "income": str(1200 + 37 * i),
            }
        )
    return rows


def csv_text(rows: list[dict[str, str]]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def derivative_yaml(
    rules: dict[str, str], ds_id: str = "relief-open", source: str = "relief", extra: str = ""
) -> str:
    lines = "".join(
        f"        - {{name: {name}, desensitise: {rule}}}\n" for name, rule in rules.items()
    )
    return (
        f"name: {ds_id}\ntitle: 救助名单（脱敏{ds_id}）\ndescription: 脱敏派生\npublisher: mzj\n"
        "theme: social\nopen_type: 无条件开放\nupdate_frequency: monthly\n"
        f"issued: 2024-01-01\nmodified: 2026-11-01\nderived_from: {source}\n{extra}"
        "resources:\n  - name: rows\n    source: rows\n    schema:\n      fields:\n" + lines
    )


DROP_ALL = {
    "name": "{rule: drop}",
    "id_number": "{rule: drop}",
    "mobile": "{rule: drop}",
    "bank_card": "{rule: drop}",
    "sex": "{rule: drop}",
    "birth_date": "{rule: drop}",
    "district": "{rule: drop}",
    "income": "{rule: drop}",
}
STRONG = {
    **DROP_ALL,
    "id_number": "{rule: mask, keep_start: 6, keep_end: 0}",
    "sex": "keep",
    "birth_date": "{rule: generalise, to: year}",
    "district": "keep",
}


def write_source(catalog, rows: list[dict[str, str]], ds_id: str = "relief") -> None:
    catalog.dataset("bus-lines")
    catalog.dataset(
        ds_id,
        csv_text=csv_text(rows),
        descriptor=dataset_yaml(
            ds_id,
            open_type="非开放",
            fields=SOURCE_FIELDS,
            extra=LEGAL,
            title=f"困难群众名单{ds_id}",
        ),
    )


def published(out: Path, ds_id: str = "relief-open") -> list[dict[str, str]]:
    text = (out / "datasets" / ds_id / "rows.csv").read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO(text)))


# --- control: a derivative that is strong enough still builds --------------------------------


def test_control_strong_rules_with_groups_of_five_build(catalog, tmp_path: Path):
    """Not an attack: region code only, birth year, sex, district, 5 rows per group. The
    new rules must not refuse every derivative."""
    rows = source_rows(40)
    write_source(catalog, rows)
    catalog.dataset("relief-open", descriptor=derivative_yaml(STRONG))
    out = tmp_path / "site"
    run = kaifang("build", "--catalog", catalog.root, "--out", out, "--lang", "en")
    assert run.exit_code == 0, f"a strong derivative was refused: {run.describe()}"
    assert {r["id_number"] for r in published(out)} == {"990103" + "*" * 12, "990105" + "*" * 12}
    assert_absent(
        [r["id_number"] for r in rows] + [r["name"] for r in rows if len(r["name"]) >= 3],
        Place("site", tree=out),
        what="source value of a strong derivative",
    )


# --- door 1: weak rules -----------------------------------------------------------------------

WEAK_MASKS = {
    # field, keep_start, keep_end, the most the policy may keep (issue 13 examples)
    "id-17-of-18": ("id_number", 10, 7, "6"),
    "id-14-digits": ("id_number", 14, 0, "6"),
    "mobile-3+5": ("mobile", 3, 5, "4"),
    "card-8+4": ("bank_card", 8, 4, "6"),
}


@pytest.mark.parametrize("case", list(WEAK_MASKS))
def test_weak_mask_on_sensitive_field_is_refused_naming_rule_and_minimum(
    catalog, tmp_path: Path, case: str
):
    field, start, end, minimum = WEAK_MASKS[case]
    rows = source_rows(40)
    write_source(catalog, rows)
    rules = {**DROP_ALL, field: f"{{rule: mask, keep_start: {start}, keep_end: {end}}}"}
    catalog.dataset("relief-open", descriptor=derivative_yaml(rules))
    out = tmp_path / "site"
    run = kaifang("build", "--catalog", catalog.root, "--out", out, "--lang", "en")
    if run.exit_code == 0:
        sample = published(out)[0][field]
        pytest.fail(
            f"mask keep_start {start}, keep_end {end} on sensitive {field} was published: "
            f"source {rows[0][field]} -> {sample} in datasets/relief-open/rows.csv"
        )
    assert_clean_failure(run, what=f"weak mask on {field}")
    assert "relief-open" in run.output, run.describe()
    lines = [ln for ln in run.output.splitlines() if "mask" in ln and field in ln]
    assert lines, f"no message names the rule (mask) and the field {field}: {run.describe()}"
    assert any(re.search(rf"(?<!\d){minimum}(?!\d)", ln) for ln in lines), (
        f"the message does not state the minimum ({minimum} characters may be kept): {lines}"
    )
    # the rest of the catalog may be published (issue 16), never the derivative
    assert not (out / "datasets" / "relief-open").exists()
    assert_absent([r[field] for r in rows], Place("site", tree=out), what=f"{field} of the source")


def test_generalise_one_band_per_value_is_refused(catalog, tmp_path: Path):
    """Bands [v, v+1) for every distinct income: exact amounts published as 'bands'."""
    rows = source_rows(40)
    write_source(catalog, rows)
    edges = sorted({int(r["income"]) for r in rows})
    bands = ", ".join(str(x) for v in edges for x in (v, v + 1))
    rules = {**DROP_ALL, "income": f"{{rule: generalise, bands: [{bands}]}}"}
    catalog.dataset("relief-open", descriptor=derivative_yaml(rules))
    out = tmp_path / "site"
    run = kaifang("build", "--catalog", catalog.root, "--out", out, "--lang", "en")
    if run.exit_code == 0:
        pytest.fail(
            "one band per distinct amount was published: "
            f"{[r['income'] for r in published(out)][:5]} in datasets/relief-open/rows.csv"
        )
    assert_clean_failure(run, what="one band per value")
    assert "relief-open" in run.output, run.describe()


UNIQUE_QI = {
    **DROP_ALL,
    "id_number": "{rule: mask, keep_start: 6, keep_end: 0}",
    "sex": "keep",
    "birth_date": "{rule: generalise, to: year}",
    "district": "keep",
}


def test_smallest_group_below_five_fails(catalog, tmp_path: Path):
    """Every row unique on region code, sex and birth year: one person per group."""
    write_source(catalog, source_rows(12, unique=True))
    catalog.dataset("relief-open", descriptor=derivative_yaml(UNIQUE_QI))
    out = tmp_path / "site"
    run = kaifang("build", "--catalog", catalog.root, "--out", out, "--lang", "en")
    assert run.exit_code != 0, (
        "a derivative whose every row is unique on its quasi-identifiers (group size 1 < "
        f"min_group_size 5) was published: {run.describe()}"
    )
    assert_clean_failure(run, what="group size 1")
    assert "relief-open" in run.output, run.describe()
    assert re.search(r"group|min_group_size|组", run.output), (
        f"the message does not say that the smallest group is too small: {run.describe()}"
    )


ACCEPTED = (
    "accepted_risk: {min_group_size: 1, legal_basis: 《云川市社会救助办法》第十二条要求公示}\n"
)


def test_small_groups_build_with_declared_accepted_risk_and_show_the_measure(
    catalog, tmp_path: Path
):
    write_source(catalog, source_rows(12, unique=True))
    catalog.dataset("relief-open", descriptor=derivative_yaml(UNIQUE_QI, extra=ACCEPTED))
    out = tmp_path / "site"
    run = kaifang("build", "--catalog", catalog.root, "--out", out, "--lang", "en")
    assert run.exit_code == 0, (
        f"accepted_risk with a legal basis (assumed interface) is not accepted: {run.describe()}"
    )
    report = (out / "datasets" / "relief-open" / "validation.json").read_text(encoding="utf-8")
    assert "group" in report.lower(), (
        "validation.json of the derivative does not show its smallest group size"
    )


def test_accepted_risk_without_legal_basis_is_not_enough(catalog, tmp_path: Path):
    write_source(catalog, source_rows(12, unique=True))
    extra = "accepted_risk: {min_group_size: 1}\n"
    catalog.dataset("relief-open", descriptor=derivative_yaml(UNIQUE_QI, extra=extra))
    out = tmp_path / "site"
    run = kaifang("build", "--catalog", catalog.root, "--out", out, "--lang", "en")
    assert_clean_failure(run, what="accepted_risk without legal_basis")
    assert "legal_basis" in run.output, run.describe()


# --- door 9 (hash half): HMAC digests are never personal data ---------------------------------


def test_hash_rule_on_1200_rows_builds(catalog, tmp_path: Path, monkeypatch):
    """About 0.5 % of hex digests contain 11 digits that look like a mobile number, or a
    Luhn-valid card number: the audit must know the hash rule's outputs."""
    monkeypatch.setenv(HASH_ENV, SECRET)
    rows = source_rows(1200)
    write_source(catalog, rows)
    rules = {**DROP_ALL, "id_number": "{rule: hash, scope: person}", "mobile": "{rule: hash}"}
    # A digest per person is a join key: every row is alone in its group, so the group-size
    # rule asks for a declared accepted risk (kaifang's interface); the attack stays the same.
    catalog.dataset("relief-open", descriptor=derivative_yaml(rules, extra=ACCEPTED))
    out = tmp_path / "site"
    run = kaifang("build", "--catalog", catalog.root, "--out", out, "--lang", "en")
    assert run.exit_code == 0, f"1,200 hashed rows fail the build: {run.describe()}"
    digests = [r["id_number"] for r in published(out)]
    assert len(digests) == 1200 and all(re.fullmatch(r"[0-9a-f]{64}", d) for d in digests)


# --- review: unscoped hashes join datasets -----------------------------------------------------


def test_unscoped_hash_does_not_silently_link_two_derivatives(catalog, tmp_path: Path, monkeypatch):
    """Two derivatives hash id_number without a scope: the same person gets the same
    digest in both, linking an allowance list to medical settlements. Either the default
    scope is per dataset (the digests differ) or the build warns about it."""
    monkeypatch.setenv(HASH_ENV, SECRET)
    rows = source_rows(10)
    rows[0]["id_number"] = PLANT_ID
    write_source(catalog, rows, "relief")
    write_source(catalog, rows, "medical")
    rules = {**DROP_ALL, "id_number": "{rule: hash}"}
    # hashed ID numbers are one group per person: accepted (with a basis) so the build runs
    catalog.dataset(
        "relief-open", descriptor=derivative_yaml(rules, "relief-open", "relief", ACCEPTED)
    )
    catalog.dataset(
        "medical-open", descriptor=derivative_yaml(rules, "medical-open", "medical", ACCEPTED)
    )
    out = tmp_path / "site"
    run = kaifang("build", "--catalog", catalog.root, "--out", out, "--lang", "en")
    # a warning line naming the hash scope (not the tmp path of this test)
    warned = any(
        re.search(r"\bscope\b", ln) and re.search(r"warning|error", ln)
        for ln in run.output.splitlines()
    )
    if run.exit_code != 0:
        assert_clean_failure(run, what="unscoped hash")
        assert warned, f"refused without naming scope: {run.describe()}"
        return
    a = {r["id_number"] for r in published(out, "relief-open")}
    b = {r["id_number"] for r in published(out, "medical-open")}
    assert warned or not (a & b), (
        f"{len(a & b)} digests are shared by relief-open and medical-open (same people, "
        "joinable) and the build printed no warning about hash scope"
    )


# --- further attacks (kaifang's own, beside the ones above) -----------------------------------


@pytest.mark.parametrize(
    ("field", "sensitive", "rule", "limit"),
    [
        ("name", "name", "{rule: mask, keep_start: 2, keep_end: 0}", "keep_start <= 1"),
        ("id_number", "id_number", "{rule: mask, keep_start: 0, keep_end: 4}", "keep_end <= 0"),
        ("mobile", "mobile", "{rule: mask, keep_start: 3, keep_end: 5}", "keep_end <= 4"),
    ],
    ids=["name-2-chars", "id-last-4", "mobile-3+5"],
)
def test_weak_mask_is_refused_by_check_too(catalog, field, sensitive, rule, limit):
    """`kaifang check` refuses what the build refuses, with the limit in the message."""
    write_source(catalog, source_rows(40))
    catalog.dataset("relief-open", descriptor=derivative_yaml({**DROP_ALL, field: rule}))
    run = kaifang("check", "--catalog", catalog.root, "--lang", "en")
    assert_clean_failure(run, what=f"check with a weak mask on {field}")
    assert f"field {field} (sensitive: {sensitive}): rule mask" in run.output, run.describe()
    assert limit in run.output, run.describe()


def test_group_size_is_checked_by_check_and_names_no_value(catalog):
    rows = source_rows(12, unique=True)
    write_source(catalog, rows)
    catalog.dataset("relief-open", descriptor=derivative_yaml(UNIQUE_QI))
    for command in ("check", "build"):
        args = ["--out", catalog.root.parent / "out"] if command == "build" else []
        run = kaifang(command, "--catalog", catalog.root, *args)
        assert_clean_failure(run, what=f"{command}: group size 1")
        assert "最小分组只有 1 行" in run.output and "min_group_size 5" in run.output
        assert "id_number, sex, birth_date" in run.output  # the fields used
        assert "accepted_risk" in run.output  # the way out, in the hint
        # never a value of a group: no region code, birth year or planted value
        assert_absent(
            ["990103", "990105"] + [r["birth_date"][:4] for r in rows] + [PLANT_ID],
            Place(f"{command} output", text=run.output),
            what="a value of a small group",
        )


def test_site_min_group_size_raises_the_bar(catalog, tmp_path: Path):
    """Groups of 5 pass the default; site.yaml's min_group_size: 6 refuses them."""
    write_source(catalog, source_rows(40))
    catalog.dataset("relief-open", descriptor=derivative_yaml(STRONG))
    site = catalog.root / "site.yaml"
    site.write_text(site.read_text(encoding="utf-8") + "min_group_size: 6\n", encoding="utf-8")
    run = kaifang("build", "--catalog", catalog.root, "--out", tmp_path / "site", "--lang", "en")
    assert_clean_failure(run, what="groups of 5 under min_group_size 6")
    assert "the smallest group has 5 rows" in run.output and "min_group_size 6" in run.output
    assert not (tmp_path / "site" / "datasets" / "relief-open").exists()


def test_accepted_risk_cannot_lower_below_what_it_declares(catalog, tmp_path: Path):
    """accepted_risk: {min_group_size: 2} does not let groups of one through."""
    write_source(catalog, source_rows(12, unique=True))
    extra = "accepted_risk: {min_group_size: 2, legal_basis: 《某办法》第三条}\n"
    catalog.dataset("relief-open", descriptor=derivative_yaml(UNIQUE_QI, extra=extra))
    run = kaifang("build", "--catalog", catalog.root, "--out", tmp_path / "site", "--lang", "en")
    assert_clean_failure(run, what="groups of one under accepted_risk 2")
    assert "below min_group_size 2" in run.output, run.describe()


def test_accepted_risk_on_a_dataset_that_is_not_derived_is_an_error(catalog, tmp_path: Path):
    extra = "accepted_risk: {min_group_size: 1, legal_basis: 《某办法》第三条}\n"
    catalog.dataset("bus-lines", descriptor=dataset_yaml("bus-lines", extra=extra))
    run = kaifang("build", "--catalog", catalog.root, "--out", tmp_path / "site", "--lang", "en")
    assert_clean_failure(run, what="accepted_risk without derived_from")
    assert "accepted_risk is for desensitised derivatives" in run.output, run.describe()


def test_bands_holding_one_distinct_amount_are_refused(catalog, tmp_path: Path):
    """Wide bands on a number field, but one band holds a single distinct amount: that
    amount is published exactly (a household's income). Refused without showing it."""
    rows = source_rows(40)
    for i, row in enumerate(rows):  # incomes 1000..1999, one household at 5,678
        row["income"] = str(1000 + (i * 37) % 1000)
    rows[7]["income"] = "5678"
    write_source(catalog, rows)
    rules = {**STRONG, "income": "{rule: generalise, bands: [1000, 2000, 5000, 10000]}"}
    catalog.dataset("relief-open", descriptor=derivative_yaml(rules))
    run = kaifang("build", "--catalog", catalog.root, "--out", tmp_path / "site", "--lang", "en")
    assert_clean_failure(run, what="a band with one distinct amount")
    assert "income: 5000–9999" in run.output, run.describe()
    assert "5678" not in run.output


def test_email_mask_never_shows_the_name(catalog, tmp_path: Path):
    """A mask on an e-mail field keeps at most the @ and the domain, whatever keep_end."""
    rows = source_rows(40)
    fields = SOURCE_FIELDS + "- {name: email, type: string, title: 邮箱, sensitive: email}\n"
    for i, row in enumerate(rows):
        row["email"] = f"ouyang.zixuan{10 + i}@mail.example.cn"  # one length: one group
    catalog.dataset("bus-lines")
    catalog.dataset(
        "relief",
        csv_text=csv_text(rows),
        descriptor=dataset_yaml(
            "relief", open_type="非开放", fields=fields, extra=LEGAL, title="困难群众名单"
        ),
    )
    rules = {**STRONG, "email": "{rule: mask, keep_start: 0, keep_end: 40}"}
    catalog.dataset("relief-open", descriptor=derivative_yaml(rules))
    out = tmp_path / "site"
    run = kaifang("build", "--catalog", catalog.root, "--out", out, "--lang", "en")
    assert run.exit_code == 0, run.describe()
    shown = {r["email"] for r in published(out)}
    assert all(re.fullmatch(r"\*+@mail\.example\.cn", e) for e in shown), sorted(shown)[:3]
    assert_absent(["ouyang", "zixuan"], Place("site", tree=out), what="the name of an e-mail")


def test_explicit_scope_links_on_purpose_and_default_scope_does_not(
    catalog, tmp_path: Path, monkeypatch
):
    monkeypatch.setenv(HASH_ENV, SECRET)
    rows = source_rows(10)
    write_source(catalog, rows, "relief")
    write_source(catalog, rows, "medical")
    for ds_id, source in (("relief-open", "relief"), ("medical-open", "medical")):
        rules = {**DROP_ALL, "id_number": "{rule: hash, scope: person}", "mobile": "{rule: hash}"}
        catalog.dataset(ds_id, descriptor=derivative_yaml(rules, ds_id, source, ACCEPTED))
    out = tmp_path / "site"
    run = kaifang("build", "--catalog", catalog.root, "--out", out, "--lang", "en")
    assert run.exit_code == 0, run.describe()
    a, b = published(out, "relief-open"), published(out, "medical-open")
    assert [r["id_number"] for r in a] == [r["id_number"] for r in b]  # scope: person
    assert not {r["mobile"] for r in a} & {r["mobile"] for r in b}  # default: per dataset
    package = (out / "datasets" / "relief-open" / "datapackage.json").read_text("utf-8")
    assert '"scope": "dataset:relief-open"' in package  # documented in the published schema


def test_hash_digests_that_look_like_numbers_are_not_personal_data(monkeypatch):
    """The 1,200-row test above passes only if the audit knows digests: make sure some
    digests really do look like a mobile or card number, and that a real number in the
    same field is still a finding."""
    from generator.audit.personal import personal_data
    from generator.policy import is_hash_output

    monkeypatch.setenv(HASH_ENV, SECRET)
    from generator.data.desensitise import _hash

    digest = _hash("dataset:relief-open")
    digests = [digest(str(i)) for i in range(3000)]
    # digit runs that a detection blind to letters takes for a mobile or card number
    looks_like = [d for d in digests if re.search(r"(?<!\d)(?:1[3-9]\d{9}|\d{13,19})(?!\d)", d)]
    assert looks_like, "no digest of 3,000 holds a number-like digit run: the attack is void"
    # such runs touch letters, and the detection takes no number that touches an ASCII
    # letter (generator/checks/personal.py) ...
    flagged = [d for d in digests if any(personal_data(d.encode()))]
    assert not flagged, f"{len(flagged)} of 3,000 digests are taken for personal data"
    # ... and is_hash_output is the second guard, for hash-published fields only
    raw = {"name": "mobile", "desensitise": {"rule": "hash", "algorithm": "HMAC-SHA256"}}
    assert all(is_hash_output(raw, d) for d in looks_like)
    assert not is_hash_output(raw, "13957208846")
    assert not is_hash_output({"name": "mobile"}, looks_like[0])  # only hash-published fields
