"""Open / conditional / closed pages, the application pages, the open-type facet,
hide_closed, and desensitised derivatives."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from urllib.parse import unquote

import pytest
from ahocorasick_rs import AhoCorasick

from generator.catalog.loader import load_catalog
from generator.data.desensitise import HASH_SECRET_ENV
from generator.data.reader import iter_rows
from generator.policy import OpenType

from .conftest import DEMO_CATALOG, dataset_yaml
from .test_audit import CLOSED_ADDRESS, CLOSED_ID, write_catalog

SOURCE_FIELDS = """\
- {name: name, type: string, title: 姓名, sensitive: name}
- {name: id_number, type: string, title: 身份证号码, sensitive: id_number}
- {name: birth_date, type: date, title: 出生日期}
- {name: age, type: integer, title: 年龄}
- {name: district, type: string, title: 所属区县}
"""
SOURCE_CSV = (
    "name,id_number,birth_date,age,district\n"
    "欧阳明华,990103199204057098,1992-04-05,34,川东区\n"
    "司马晓燕,990108197310149618,1973-10-14,53,南湖区\n"
    "王强,990105200501013012,2005-01-01,21,湖滨区\n"
)
LEGAL = "legal_basis: 《中华人民共和国个人信息保护法》第三十四条\n"


# Three source rows are three groups of one: these tests are about the rules, so their
# derivatives accept that (tests/security/test_leak_doors_desensitise.py tests the measure).
SMALL_GROUPS = "accepted_risk: {min_group_size: 1, legal_basis: 测试数据只有三行}\n"


def derivative_yaml(
    rules: str, ds_id: str = "relief-open", source: str = "relief", extra: str = SMALL_GROUPS
) -> str:
    return (
        f"name: {ds_id}\ntitle: 救助名单（脱敏）\ndescription: 脱敏派生\npublisher: mzj\n"
        f"theme: social\nopen_type: 无条件开放\nupdate_frequency: monthly\n"
        f"issued: 2024-01-01\nmodified: 2026-11-01\nderived_from: {source}\n{extra}"
        "resources:\n  - name: rows\n    source: rows\n    schema:\n      fields:\n"
        + "".join(f"        - {line}\n" for line in rules.strip().splitlines())
    )


GOOD_RULES = """\
{name: name, desensitise: {rule: drop}}
{name: id_number, desensitise: {rule: mask, keep_start: 6, keep_end: 0}}
{name: birth_date, desensitise: {rule: generalise, to: month}}
{name: age, desensitise: {rule: generalise, bands: [0, 18, 35, 60]}}
{name: district, desensitise: keep}
"""


def with_source(catalog, hide_closed: bool = False):
    catalog.dataset("bus-lines")
    catalog.dataset(
        "relief",
        csv_text=SOURCE_CSV,
        descriptor=dataset_yaml(
            "relief",
            open_type="非开放",
            fields=SOURCE_FIELDS,
            extra=LEGAL,
            title="困难群众救助名单",
        ),
    )
    if hide_closed:
        site = catalog.root / "site.yaml"
        site.write_text(site.read_text().replace("hide_closed: false", "hide_closed: true"))


def published_rows(
    out: Path, ds_id: str = "relief-open", resource: str = "rows"
) -> list[dict[str, str]]:
    text = (out / "datasets" / ds_id / f"{resource}.csv").read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO(text)))


def test_derivative_publishes_only_transformed_values(catalog, cli, tmp_path: Path):
    with_source(catalog)
    catalog.dataset("relief-open", descriptor=derivative_yaml(GOOD_RULES))
    out = tmp_path / "site"
    result = cli("build", "--catalog", catalog.root, "--out", out)
    assert result.exit_code == 0, result.output
    rows = published_rows(out)
    assert list(rows[0]) == ["id_number", "birth_date", "age", "district"]
    assert [r["id_number"] for r in rows] == [
        "990103************",
        "990108************",
        "990105************",
    ]
    assert [r["birth_date"] for r in rows] == ["1992-04", "1973-10", "2005-01"]
    assert [r["age"] for r in rows] == ["18–34", "35–59", "18–34"]
    assert [r["district"] for r in rows] == ["川东区", "南湖区", "湖滨区"]
    everything = "\n".join(
        p.read_bytes().decode("utf-8", "replace") for p in out.rglob("*") if p.is_file()
    )
    for raw in ("欧阳明华", "司马晓燕", "990103199204057098", "1992-04-05"):
        assert raw not in everything
    page = (out / "datasets" / "relief-open" / "index.html").read_text(encoding="utf-8")
    assert 'href="/datasets/relief/"' in page  # links to its source's page
    assert "遮盖：保留前 6 位和后 0 位" in page
    assert "删除，不发布" in page and "泛化到月份" in page and "分段：&lt;0、0–17" in page
    source_page = (out / "datasets" / "relief" / "index.html").read_text(encoding="utf-8")
    assert 'href="/datasets/relief-open/"' in source_page
    en = (out / "en" / "datasets" / "relief-open" / "index.html").read_text(encoding="utf-8")
    assert "masked: first 6 and last 0 characters kept" in en


@pytest.mark.parametrize(
    ("rules", "message"),
    [
        (GOOD_RULES.replace("{name: district, desensitise: keep}\n", ""), "缺少：district"),
        (
            GOOD_RULES.replace("{name: district, desensitise: keep}", "{name: district}"),
            "字段 district 来自非开放数据，必须声明脱敏规则",
        ),
        (
            GOOD_RULES.replace("{rule: drop}", "{rule: keep}"),
            "标记为个人信息（sensitive: name），不能原样发布",
        ),
        (
            GOOD_RULES.replace("keep_end: 0", "keep_last: 4"),
            "规则 mask 不认识参数 keep_last",
        ),
        (
            GOOD_RULES.replace("keep_end: 0", "keep_end: 4"),
            "mask 规则保留了 keep_start 6、keep_end 4 个字符，超过脱敏强度下限",
        ),
        (
            GOOD_RULES.replace("to: month", "to: week"),
            "to 只能是 month 或 year",
        ),
        (
            GOOD_RULES.replace("{name: district,", "{name: street,"),
            "没有字段 street",
        ),
    ],
    ids=[
        "field-left-out",
        "no-rule",
        "keep-personal-data",
        "unknown-key",
        "weak-mask",
        "bad-to",
        "no-such",
    ],
)
def test_unsafe_or_wrong_rules_are_errors(catalog, cli, tmp_path: Path, rules, message):
    with_source(catalog)
    catalog.dataset("relief-open", descriptor=derivative_yaml(rules))
    result = cli("build", "--catalog", catalog.root, "--out", tmp_path / "site")
    assert result.exit_code == 1
    assert message in result.output
    assert "数据集 relief-open" in result.output
    assert "Traceback" not in result.output
    # held back (issue 16): the source is published, nothing of the derivative is
    assert not (tmp_path / "site" / "datasets" / "relief-open").exists()
    assert "暂缓发布 1 个数据集" in result.output


def test_hash_needs_the_site_secret(catalog, cli, tmp_path: Path, monkeypatch):
    with_source(catalog)
    rules = GOOD_RULES.replace("{rule: drop}", "{rule: hash}")
    catalog.dataset("relief-open", descriptor=derivative_yaml(rules))
    out = tmp_path / "site"
    monkeypatch.delenv(HASH_SECRET_ENV, raising=False)
    result = cli("build", "--catalog", catalog.root, "--out", out)
    assert result.exit_code == 1
    assert HASH_SECRET_ENV in result.output and "Traceback" not in result.output
    monkeypatch.setenv(HASH_SECRET_ENV, "s3cret-for-tests-0123456789")
    assert cli("build", "--catalog", catalog.root, "--out", out).exit_code == 0
    names = [r["name"] for r in published_rows(out)]
    assert all(len(n) == 64 and int(n, 16) >= 0 for n in names)
    assert len(set(names)) == 3
    monkeypatch.setenv(HASH_SECRET_ENV, "another-secret-0123456789")
    assert cli("build", "--catalog", catalog.root, "--out", out).exit_code == 0
    assert [r["name"] for r in published_rows(out)] != names


def test_derivative_resource_cannot_have_a_path(catalog, cli):
    with_source(catalog)
    text = derivative_yaml(GOOD_RULES).replace("source: rows", "source: rows\n    path: x.csv")
    catalog.dataset("relief-open", descriptor=text)
    result = cli("check", "--catalog", catalog.root)
    assert result.exit_code == 1
    assert "不能有 path" in result.output


def test_hide_closed_leaves_no_trace(catalog, cli, tmp_path: Path):
    with_source(catalog, hide_closed=True)
    catalog.dataset("relief-open", descriptor=derivative_yaml(GOOD_RULES))
    out = tmp_path / "site"
    result = cli("build", "--catalog", catalog.root, "--out", out)
    assert result.exit_code == 0, result.output
    assert not (out / "datasets" / "relief").exists()
    assert not (out / "apply").exists()
    assert not (out / "datasets" / "open-type" / "closed").exists()
    for path in out.rglob("*"):
        if path.is_file():
            text = path.read_bytes().decode("utf-8", "replace")
            assert "困难群众救助名单" not in text, path
            assert "/relief/" not in text and '"relief"' not in text, path
    page = (out / "datasets" / "relief-open" / "index.html").read_text(encoding="utf-8")
    assert "不在本平台公开列出的数据集" in page


def test_hidden_dataset_title_planted_fails_the_audit(catalog, cli, tmp_path: Path):
    with_source(catalog, hide_closed=True)
    catalog.dataset("bus-lines", readme="Bus relief services run at night.")  # a word
    result = cli("build", "--catalog", catalog.root, "--out", tmp_path / "site")
    assert result.exit_code == 0, result.output
    # a publisher's own words are no exemption (issue 13): the hidden title is a finding
    catalog.dataset("bus-lines", readme="参见困难群众救助名单。")
    result = cli("build", "--catalog", catalog.root, "--out", tmp_path / "site")
    assert result.exit_code == 1
    assert "数据集 relief" in result.output and "困难群众救助名单" not in result.output
    catalog.dataset("bus-lines", readme="见 [名单](/datasets/relief/)")
    result = cli("build", "--catalog", catalog.root, "--out", tmp_path / "site")
    assert result.exit_code == 1
    assert "数据集 relief" in result.output


def test_apply_pages_for_conditional_and_closed(catalog, cli, tmp_path: Path):
    write_catalog(catalog)
    out = tmp_path / "site"
    assert cli("build", "--catalog", catalog.root, "--out", out).exit_code == 0
    assert not (out / "apply" / "bus-lines").exists()
    for ds_id, title in (("contributions", "社保缴费明细"), ("relief", "救助名单")):
        for prefix in ("", "en/"):
            page = (out / prefix / "apply" / ds_id / "index.html").read_text(encoding="utf-8")
            assert f'href="https://example.gov.cn/apply?dataset={ds_id}&amp;title=' in page
            mailto = page.split('href="mailto:apply@example.gov.cn?', 1)[1].split('"', 1)[0]
            decoded = unquote(mailto.replace("&amp;", "&"))
            assert ds_id in decoded and (title if not prefix else "Bus lines") in decoded
            assert "subject=" in mailto and "body=" in mailto
            assert 'class="apply-form"' in page and "data-print" in page
            assert "static/apply.js" in page and "onclick" not in page  # CSP: no inline script
        dataset_page = (out / "datasets" / ds_id / "index.html").read_text(encoding="utf-8")
        assert f'href="/apply/{ds_id}/"' in dataset_page
    zh = (out / "apply" / "contributions" / "index.html").read_text(encoding="utf-8")
    for words in ("用途", "使用场景", "数据安全承诺", "仅向科研机构提供", "个人信息保护法"):
        assert words in zh
    assert 'value="rows.credit_code"' in zh  # conditional: the fields can be chosen
    closed = (out / "apply" / "relief" / "index.html").read_text(encoding="utf-8")
    assert 'value="rows.id_number"' not in closed  # closed: not even the field names
    css = (out / "static" / "kaifang.css").read_text(encoding="utf-8")
    assert "@media print" in css and ".apply-form" in css
    closed_page = (out / "datasets" / "relief" / "index.html").read_text(encoding="utf-8")
    assert "个人信息保护法" in closed_page and "<code>id_number</code>" not in closed_page
    conditional_page = (out / "datasets" / "contributions" / "index.html").read_text()
    assert "<code>credit_code</code>" in conditional_page and "仅向科研机构提供" in conditional_page
    assert CLOSED_ID not in closed_page and CLOSED_ADDRESS not in closed_page


def test_open_type_badge_and_facet_wherever_datasets_are_listed(catalog, cli, tmp_path: Path):
    write_catalog(catalog)
    out = tmp_path / "site"
    assert cli("build", "--catalog", catalog.root, "--out", out).exit_code == 0
    listing = (out / "datasets" / "index.html").read_text(encoding="utf-8")
    for ot in OpenType:
        # the list's facet links to one static page per open type (no JavaScript needed)
        assert f'href="/open-types/{ot.value}/"' in listing
        for prefix in ("", "en/"):
            page = (out / prefix / "open-types" / ot.value / "index.html").read_text()
            assert page.count('class="card"') == 1
            assert f'data-open-type="{ot.value}"' in page and f"badge-{ot.value}" in page
    assert listing.count('class="badge badge-') >= 3
    # theme and publisher pages: badges, and a filter by open type that is pure CSS
    theme = (out / "themes" / "transport" / "index.html").read_text(encoding="utf-8")
    assert "badge-open" in theme
    publisher = (out / "publishers" / "jtj" / "index.html").read_text(encoding="utf-8")
    assert 'id="ot-closed"' in publisher and 'label for="ot-conditional"' in publisher
    assert "<script" not in publisher.split("<main", 1)[1].split("</main>", 1)[0]


# --- the demo's derivative of a closed dataset -----------------------------------------------


def test_demo_derivative_of_closed_dataset(demo_site: Path):
    catalog, _ = load_catalog(DEMO_CATALOG)
    assert catalog is not None
    derivative = catalog.dataset("minimum-living-allowance-desensitised")
    source = catalog.dataset(derivative.derived_from)
    assert source.open_type is OpenType.CLOSED and derivative.open_type is OpenType.OPEN
    rows = published_rows(demo_site, derivative.id, "recipients")
    assert rows and all(r["id_number"].endswith("*" * 12) for r in rows)
    assert {r["birth_date"] for r in rows} == {"<1960", "1960–1979", "≥1980"}
    report = (demo_site / "datasets" / derivative.id / "validation.json").read_text("utf-8")
    assert '"smallest_group": 10' in report  # the group-size rule: at least 5
    # No raw value of a transformed or dropped source field is anywhere in the site.
    res = source.resources[0]
    rules = {fr.source_field.name: fr.rule.kind for fr in derivative.resources[0].derivation.rules}
    raw_rows = iter_rows(source, res)
    header = next(raw_rows)
    secret_columns = [i for i, name in enumerate(header) if rules[name] != "keep"]
    secrets = {row[i] for row in raw_rows for i in secret_columns if len(row[i]) >= 2}
    assert len(secrets) > 3000
    everything = "\n".join(
        p.read_bytes().decode("utf-8", "replace") for p in demo_site.rglob("*") if p.is_file()
    )
    open_data = "\n".join(
        ",".join(row)
        for ds in catalog.datasets
        if ds.open_type is OpenType.OPEN and not ds.derived_from
        for r in ds.resources
        for row in iter_rows(ds, r)
    )
    # A birth date may also be the founding date of a business in the open data.
    matcher = AhoCorasick(sorted(s for s in secrets if len(s) >= 3))
    public = set(matcher.find_matches_as_strings(open_data, overlapping=True))
    assert len(secrets) - len(public) > 3000
    leaked = set(matcher.find_matches_as_strings(everything, overlapping=True)) - public
    assert not leaked, sorted(leaked)[:5]
    page = (demo_site / "datasets" / derivative.id / "index.html").read_text(encoding="utf-8")
    assert f'href="/datasets/{source.id}/"' in page
