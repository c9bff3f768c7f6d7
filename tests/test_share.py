"""The sharing catalog (共享目录): `kaifang build --audience share` publishes the demo by
share type, and its own audit looks for the values of 有条件共享 and 不予共享 datasets."""

from __future__ import annotations

import csv
import shutil
import textwrap
from pathlib import Path

import pytest

from generator.audit import audit
from generator.build import build
from generator.catalog.audience import for_audience
from generator.catalog.loader import load_catalog
from generator.policy import (
    PUBLICATION,
    Audience,
    OpenType,
    ShareType,
    can_apply,
    level_label,
    publication,
    publishes_data,
    publishes_schema,
    share_level,
)

from .conftest import DEMO_CATALOG

INTERNAL_VALUE = "内部台账QX-2026-778899号"  # a cell of the 非开放 but 无条件共享 dataset
INTERNAL = textwrap.dedent("""\
    name: internal-roster
    title: 基层网格员名册台账
    title_en: Grid officers roster
    description: 各街道网格员配置台账，不对社会开放，政务部门之间无条件共享。
    publisher: mzj
    theme: social
    keywords: [网格]
    open_type: 非开放
    share_type: 无条件共享
    legal_basis: 《云川市公共数据管理办法》第十七条
    update_frequency: irregular
    issued: '2025-01-01'
    modified: '2026-11-01'
    resources:
      - name: roster
        title: 网格员台账
        path: data/roster.csv
        format: csv
        schema:
          fields:
            - {name: ledger, type: string, title: 台账编号}
            - {name: grids, type: integer, title: 网格数}
    """)


@pytest.fixture(scope="session")
def two_sites(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    """The demo plus one 非开放/无条件共享 dataset, built for both audiences (one cache
    folder: what one audience's build cached must not decide the other's)."""
    base = tmp_path_factory.mktemp("share")
    root = base / "catalog"
    shutil.copytree(DEMO_CATALOG, root, ignore=shutil.ignore_patterns("history"))
    folder = root / "datasets" / "internal-roster"
    (folder / "data").mkdir(parents=True)
    (folder / "datapackage.yaml").write_text(INTERNAL, encoding="utf-8")
    (folder / "data" / "roster.csv").write_text(
        f"ledger,grids\n{INTERNAL_VALUE},12\n内部台账QX-2026-778900号,9\n", encoding="utf-8"
    )
    public, share = base / "public", base / "share"
    build(root, public, cache_dir=base / "cache")
    build(root, share, cache_dir=base / "cache", audience="share")
    return root, public, share


def _names(folder: Path) -> list[str]:
    """The files of a folder, without the precompressed .gz/.br siblings of each."""
    return sorted(p.name for p in folder.iterdir() if p.suffix not in {".gz", ".br"})


def _text_files(root: Path) -> list[Path]:
    return [
        p
        for p in root.rglob("*")
        if p.is_file()
        and p.suffix in {".html", ".json", ".csv", ".txt", ".xml", ".ttl", ".jsonld", ".atom"}
    ]


def _contains(root: Path, value: str) -> list[Path]:
    return [
        p for p in _text_files(root) if value in p.read_text(encoding="utf-8", errors="replace")
    ]


def test_unconditionally_shared_file_is_in_the_share_site_only(two_sites):
    _, public, share = two_sites
    shared_csv = share / "datasets" / "internal-roster" / "roster.csv"
    assert INTERNAL_VALUE in shared_csv.read_text(encoding="utf-8")
    assert (share / "datasets" / "internal-roster" / "roster.xlsx").is_file()
    assert not (public / "datasets" / "internal-roster" / "roster.csv").exists()
    assert _contains(public, INTERNAL_VALUE) == []
    page = (public / "datasets" / "internal-roster" / "index.html").read_text(encoding="utf-8")
    assert "非开放" in page  # listed on the portal with its legal basis, nothing more


def test_no_value_of_a_not_shared_dataset_reaches_the_share_site(two_sites):
    root, _, share = two_sites
    folder = share / "datasets" / "traffic-violation-records"
    assert _names(folder) == ["index.html", "validation.json"]
    assert not (share / "apply" / "traffic-violation-records").exists()  # 不予共享: no application
    with (root / "datasets/traffic-violation-records/data/violations.csv").open(
        encoding="utf-8"
    ) as f:
        rows = list(csv.DictReader(f))[:40]
    for row in rows:
        for field in ("license_number", "driver_name", "mobile", "location", "record_id"):
            assert _contains(share, row[field]) == [], (field, row[field])
    page = (folder / "index.html").read_text(encoding="utf-8")
    assert "不予共享" in page and "道路交通安全法" in page  # metadata and legal basis


def test_conditionally_shared_dataset_has_conditions_and_a_share_application(two_sites):
    _, public, share = two_sites
    ds = share / "datasets" / "minimum-living-allowance"
    assert _names(ds) == ["index.html", "validation.json"]
    page = (ds / "index.html").read_text(encoding="utf-8")
    assert "有条件共享" in page and "共享条件" in page
    apply = (share / "apply" / "minimum-living-allowance" / "index.html").read_text(
        encoding="utf-8"
    )
    assert "申请共享" in apply and "申请部门" in apply and "履职法律依据" in apply
    assert 'name="fields"' in apply  # the fields to request
    public_apply = (public / "apply" / "minimum-living-allowance" / "index.html").read_text(
        encoding="utf-8"
    )
    assert "申请共享" not in public_apply and "申请数据" in public_apply


def test_every_share_page_says_it_is_internal_and_no_public_feed_is_written(two_sites):
    _, public, share = two_sites
    pages = list(share.rglob("*.html"))
    assert len(pages) > 50
    for page in pages:
        html = page.read_text(encoding="utf-8")
        assert '<meta name="robots" content="noindex, nofollow">' in html, page
        assert 'class="internal-banner"' in html, page
        assert "catalog.jsonld" not in html and "feed.atom" not in html, page
    for name in ("catalog.jsonld", "catalog.ttl", "data.json", "feed.atom", "sitemap.xml", "api"):
        assert not (share / name).exists(), name
        assert (public / name).exists(), name
    assert (share / "robots.txt").read_text(encoding="utf-8") == "User-agent: *\nDisallow: /\n"
    nginx = (share.parent / "deploy" / "nginx.conf").read_text(encoding="utf-8")
    assert "noindex" in nginx  # the server configuration of the share build is internal
    en = (share / "en" / "index.html").read_text(encoding="utf-8")
    assert "for internal use on the government network only" in en
    public_home = (public / "index.html").read_text(encoding="utf-8")
    assert "internal-banner" not in public_home and "noindex" not in public_home


def test_both_audits_pass_and_the_share_audit_looks_for_more(two_sites):
    root, public, share = two_sites
    catalog, _ = load_catalog(root)
    public_result = audit(public, catalog)
    share_result = audit(share, for_audience(catalog, "share"))
    assert public_result.ok and share_result.ok
    # the public audit looks for the roster's values, the share audit does not (it is
    # shared unconditionally); the share audit looks for every 不予共享/有条件共享 value
    assert public_result.secrets > share_result.secrets > 0


def test_a_planted_not_shared_value_fails_the_share_audit(two_sites, cli, tmp_path):
    root, _, share = two_sites
    copy = tmp_path / "share"
    shutil.copytree(share, copy)
    assert cli("audit", copy, "--catalog", root, "--audience", "share").exit_code == 0
    with (root / "datasets/traffic-violation-records/data/violations.csv").open(
        encoding="utf-8"
    ) as f:
        licence = next(csv.DictReader(f))["license_number"]
    page = copy / "datasets" / "bus-lines" / "index.html"
    page.write_text(page.read_text(encoding="utf-8") + f"<!-- {licence} -->", encoding="utf-8")
    result = cli("audit", copy, "--catalog", root, "--audience", "share", "--lang", "en")
    assert result.exit_code == 1
    assert "traffic-violation-records" in result.output
    assert "datasets/bus-lines/index.html" in result.output
    assert licence not in result.output


def test_the_roster_is_a_finding_for_the_public_audit_of_the_share_site(two_sites, cli):
    """The share site is not a public site: audited as one, its shared files fail."""
    root, _, share = two_sites
    result = cli("audit", share, "--catalog", root, "--lang", "en")
    assert result.exit_code == 1
    assert "internal-roster" in result.output
    assert INTERNAL_VALUE not in result.output


# --- the policy table ------------------------------------------------------------------


def test_one_table_says_what_each_audience_gets():
    assert {(a.value, t) for a, t in PUBLICATION} == {
        ("public", "open"),
        ("public", "conditional"),
        ("public", "closed"),
        ("share", "unconditional"),
        ("share", "conditional"),
        ("share", "none"),
    }
    for audience in Audience:
        for level in OpenType:
            row = publication(audience, level)
            assert row.data == publishes_data(level)
            assert row.schema == publishes_schema(level)
            assert row.apply == can_apply(level, audience)
    # the portal as before: conditional and closed may be applied for
    assert [can_apply(t) for t in OpenType] == [False, True, True]
    # the sharing catalog: 不予共享 is metadata and legal basis only
    assert [can_apply(share_level(s), "share") for s in ShareType] == [False, True, False]
    assert level_label("share", share_level(ShareType.NONE), "zh") == "不予共享"
    assert level_label("public", OpenType.CLOSED, "en") == "Not open"


def test_a_dataset_without_share_type_is_not_shared(catalog):
    catalog.dataset("plain")  # 无条件开放, no share_type
    loaded, problems = load_catalog(catalog.root)
    assert loaded is not None and not problems.errors
    shared = for_audience(loaded, "share")
    assert shared.dataset("plain").open_type is OpenType.CLOSED
    assert shared.site.audience == "share"
    assert for_audience(loaded, "public") is loaded


def test_build_refuses_an_unknown_audience(cli, catalog, tmp_path):
    catalog.dataset("plain")
    result = cli(
        "build", "--catalog", catalog.root, "--out", tmp_path / "out", "--audience", "everyone"
    )
    assert result.exit_code == 2
