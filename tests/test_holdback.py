"""Per-dataset isolation (issue 16): one department's broken update never stops the others.

A dataset whose checks fail is held back with its last published version (verified by
sha256 against the signed cache), a restriction in its new descriptor takes effect at
once, a catalog-wide error still stops everything, and --all-or-nothing keeps the old
behaviour.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from pathlib import Path

import brotli
import pytest

from generator.build import build
from generator.errors import CatalogError
from generator.holdback import HeldBack

from .conftest import CatalogFactory

GOOD = "line_id,stops\nLX-40177,12\nLX-40178,30\n"
BROKEN = "line_id,stops\nLX-40177,十四\nLX-40178,30\n"  # 十四 in an integer column


def _site_text(out: Path) -> str:
    """Every file of the site as text, compressed ones (search index, .gz, .br) opened."""
    texts = []
    for p in sorted(out.rglob("*")):
        if not p.is_file():
            continue
        data = p.read_bytes()
        if data[:2] == b"\x1f\x8b":
            data = gzip.decompress(data)
        elif p.suffix == ".br":
            data = brotli.decompress(data)
        texts.append(data.decode("utf-8", "replace"))
    return "\n".join(texts)


def _two(catalog: CatalogFactory, tmp_path: Path) -> tuple[Path, Path]:
    catalog.dataset("buses", title="公交线路")
    catalog.dataset("stops", csv_text=GOOD, title="公交站点")
    out, cache = tmp_path / "site", tmp_path / "cache"
    first = build(catalog.root, out, cache_dir=cache)
    assert first.held_back == []
    return out, cache


def test_one_broken_dataset_is_held_back_and_the_rest_is_published(
    catalog: CatalogFactory, tmp_path: Path
):
    out, cache = _two(catalog, tmp_path)
    old_csv = (out / "datasets" / "stops" / "rows.csv").read_bytes()
    old_page = (out / "datasets" / "stops" / "index.html").read_text(encoding="utf-8")
    assert "本次更新未通过检查" not in old_page

    catalog.dataset("buses", title="公交线路（新）")  # another department's update
    catalog.dataset("stops", csv_text=BROKEN, title="公交站点（改）")
    result = build(catalog.root, out, cache_dir=cache)

    assert result.held_back == [HeldBack("stops", "errors", "previous", "2026-11-01", 1)]
    assert result.published_ids == ["buses"]
    assert "公交线路（新）" in (out / "datasets" / "buses" / "index.html").read_text("utf-8")
    # the held-back dataset keeps its last published version, with a dated notice
    assert (out / "datasets" / "stops" / "rows.csv").read_bytes() == old_csv
    page = (out / "datasets" / "stops" / "index.html").read_text(encoding="utf-8")
    assert "本次更新未通过检查，仍显示上一版本（2026-11-01）" in page
    assert "公交站点（改）" not in page and "公交站点" in page
    en = (out / "en" / "datasets" / "stops" / "index.html").read_text(encoding="utf-8")
    assert "the previous version (2026-11-01) is still shown" in en

    # still broken: the next build shows the same version again, byte for byte
    again = build(catalog.root, out, cache_dir=cache)
    assert again.held_back == result.held_back
    assert (out / "datasets" / "stops" / "index.html").read_text(encoding="utf-8") == page

    # fixed: published afresh, the notice is gone
    catalog.dataset("stops", csv_text=GOOD, title="公交站点（改）")
    fixed = build(catalog.root, out, cache_dir=cache)
    assert fixed.held_back == []
    page = (out / "datasets" / "stops" / "index.html").read_text(encoding="utf-8")
    assert "公交站点（改）" in page and "本次更新未通过检查" not in page


def test_all_or_nothing_publishes_nothing(catalog: CatalogFactory, tmp_path: Path):
    out, cache = _two(catalog, tmp_path)
    before = _site_text(out)
    catalog.dataset("buses", title="公交线路（新）")
    catalog.dataset("stops", csv_text=BROKEN)
    with pytest.raises(CatalogError, match="未发布任何内容"):
        build(catalog.root, out, cache_dir=cache, all_or_nothing=True)
    assert _site_text(out) == before


def test_a_catalog_wide_error_still_stops_everything(catalog: CatalogFactory, tmp_path: Path):
    out, cache = _two(catalog, tmp_path)
    before = _site_text(out)
    catalog.dataset("buses", title="公交线路（新）")
    (catalog.root / "publishers.yaml").write_text("- id: jtj\n", encoding="utf-8")
    with pytest.raises(CatalogError, match="未发布任何内容"):
        build(catalog.root, out, cache_dir=cache)
    assert _site_text(out) == before


@pytest.mark.parametrize("open_type", ["非开放", "有条件开放"])
def test_a_broken_dataset_reclassified_keeps_no_data_on_the_site(
    catalog: CatalogFactory, tmp_path: Path, open_type: str
):
    out, cache = _two(catalog, tmp_path)
    assert "LX-40177" in _site_text(out)
    extra = "legal_basis: 《测试条例》第三条\nopen_conditions: 仅供科研\n"
    catalog.dataset("stops", csv_text=BROKEN, open_type=open_type, extra=extra)
    result = build(catalog.root, out, cache_dir=cache)
    assert [(h.dataset, h.outcome) for h in result.held_back] == [("stops", "withdrawn")]
    text = _site_text(out)  # pages, feeds, catalogs, API, search index, compressed copies
    assert "LX-40177" not in text and "LX-40178" not in text
    assert "datasets/stops/rows" not in text  # no download is listed anywhere either
    # listed, as the restriction makes it: its previous metadata under the new open type
    kind = "closed" if open_type == "非开放" else "conditional"
    where = _everywhere(out, "stops")
    assert where == dict(dict.fromkeys(where, True), **{"open-type facet": False})
    assert "datasets/stops/" in (out / "open-types" / kind / "index.html").read_text("utf-8")
    doc = json.loads((out / "api" / "v1" / "datasets" / "stops.json").read_text("utf-8"))
    assert doc["open_type"] == kind and doc["package"] is None and doc["datapackage"] is None
    assert not [d for r in doc["resources"] for d in r.get("downloads", [])]
    assert doc["legal_basis"] == "《测试条例》第三条"
    kept = {p.name for p in (out / "datasets" / "stops").iterdir()}
    assert {n.split(".")[0] for n in kept} <= {"index", "feed"}, kept  # pages, no data file
    page = (out / "datasets" / "stops" / "index.html").read_text("utf-8")
    assert "公交站点" in page and "LX-" not in page


def test_a_removed_resource_is_withdrawn_at_once(catalog: CatalogFactory, tmp_path: Path):
    out, cache = _two(catalog, tmp_path)
    folder = catalog.dataset("stops", csv_text=BROKEN)  # resource rows becomes lines
    text = (folder / "datapackage.yaml").read_text(encoding="utf-8")
    (folder / "datapackage.yaml").write_text(text.replace("- name: rows", "- name: lines"))
    result = build(catalog.root, out, cache_dir=cache)
    assert [(h.dataset, h.outcome) for h in result.held_back] == [("stops", "withdrawn")]
    assert "LX-40177" not in _site_text(out)


def test_a_broken_dataset_suspended_keeps_no_data_on_the_site(
    catalog: CatalogFactory, tmp_path: Path
):
    out, cache = _two(catalog, tmp_path)
    status = "status: {state: 暂停, since: 2026-11-20, reason: 核查}\n"
    catalog.dataset("stops", csv_text=BROKEN, extra=status)
    result = build(catalog.root, out, cache_dir=cache)
    assert [(h.dataset, h.outcome) for h in result.held_back] == [("stops", "withdrawn")]
    assert "LX-40177" not in _site_text(out)


def test_never_published_and_damaged_versions_are_left_out(catalog: CatalogFactory, tmp_path: Path):
    out, cache = _two(catalog, tmp_path)
    catalog.dataset("fresh", csv_text=BROKEN)
    (out / "datasets" / "stops" / "rows.csv").write_text("line_id,stops\nFORGED,1\n")
    catalog.dataset("stops", csv_text=BROKEN)
    result = build(catalog.root, out, cache_dir=cache)
    outcomes = {h.dataset: h.outcome for h in result.held_back}
    assert outcomes == {"fresh": "never-published", "stops": "damaged"}
    assert not (out / "datasets" / "fresh").exists()
    assert not (out / "datasets" / "stops").exists()
    assert "FORGED" not in _site_text(out)


def test_without_a_cache_nothing_unverified_is_copied(catalog: CatalogFactory, tmp_path: Path):
    out, _cache = _two(catalog, tmp_path)
    catalog.dataset("stops", csv_text=BROKEN)
    result = build(catalog.root, out, use_cache=False)
    assert [(h.dataset, h.outcome) for h in result.held_back] == [("stops", "never-published")]
    assert (out / "datasets" / "buses" / "index.html").is_file()


def test_cli_exits_1_and_lists_what_was_held_back(catalog: CatalogFactory, tmp_path: Path, cli):
    out, cache = _two(catalog, tmp_path)
    catalog.dataset("stops", csv_text=BROKEN)
    args = ("build", "--catalog", catalog.root, "--out", out, "--cache-dir", cache)
    result = cli(*args, "--no-record-history")
    assert result.exit_code == 1
    assert "暂缓发布 1 个数据集" in result.output
    assert "stops：检查未通过，仍显示上一版本（2026-11-01）" in result.output
    as_json = cli(*args, "--no-record-history", "--json", "--lang", "en", "--no-cache")
    assert as_json.exit_code == 1
    doc = json.loads(as_json.stdout)
    assert doc["ok"] is False and doc["published"] == ["buses"]
    assert doc["held_back"][0]["dataset"] == "stops"
    assert doc["held_back"][0]["reason"] == "errors"
    nothing = cli(*args, "--no-record-history", "--all-or-nothing")
    assert nothing.exit_code == 1
    assert "未发布任何内容" in nothing.output


def _search_records(out: Path, lang: str = "zh") -> str:
    """The result records of the search index, decompressed."""
    chunks = sorted((out / "search-index" / lang / "d").glob("*.json*"))
    texts = []
    for chunk in chunks:
        data = chunk.read_bytes()
        texts.append((gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data).decode("utf-8"))
    return "\n".join(texts)


def _everywhere(out: Path, ds_id: str) -> dict[str, bool]:
    """Where a dataset is listed: pages of lists and facets, feeds, catalogs, API, search."""
    api = json.loads((out / "api" / "v1" / "datasets.json").read_text("utf-8"))
    return {
        "list": f"datasets/{ds_id}/" in (out / "datasets" / "index.html").read_text("utf-8"),
        "en-list": f"datasets/{ds_id}/"
        in (out / "en" / "datasets" / "index.html").read_text("utf-8"),
        "publisher": f"datasets/{ds_id}/"
        in (out / "publishers" / "jtj" / "index.html").read_text("utf-8"),
        "theme": f"datasets/{ds_id}/"
        in (out / "themes" / "transport" / "index.html").read_text("utf-8"),
        "open-type facet": f"datasets/{ds_id}/"
        in (out / "open-types" / "open" / "index.html").read_text("utf-8"),
        "atom": f"datasets/{ds_id}/" in (out / "feed.atom").read_text("utf-8"),
        "dcat": f"datasets/{ds_id}/" in (out / "catalog.ttl").read_text("utf-8"),
        "jsonld": f"datasets/{ds_id}/" in (out / "catalog.jsonld").read_text("utf-8"),
        "data.json": f"datasets/{ds_id}/" in (out / "data.json").read_text("utf-8"),
        "sitemap": any(
            f"datasets/{ds_id}/" in p.read_text("utf-8") for p in (out / "sitemaps").glob("*.xml")
        ),
        "api": any(d["id"] == ds_id for d in api["datasets"]),
        "search": f"/datasets/{ds_id}/" in _search_records(out),
    }


def test_a_held_back_dataset_stays_in_every_list_feed_and_the_search_as_its_previous_version(
    catalog: CatalogFactory, tmp_path: Path
):
    out, cache = _two(catalog, tmp_path)
    assert all(_everywhere(out, "stops").values())
    old_csv_sha = hashlib.sha256((out / "datasets" / "stops" / "rows.csv").read_bytes()).hexdigest()

    catalog.dataset("buses", title="公交线路（新）")
    catalog.dataset("stops", csv_text=BROKEN, title="公交站点（改）")
    result = build(catalog.root, out, cache_dir=cache)
    assert [(h.dataset, h.outcome) for h in result.held_back] == [("stops", "previous")]

    where = _everywhere(out, "stops")
    assert where == dict.fromkeys(where, True)
    text = _site_text(out)
    assert "公交站点（改）" not in text  # the broken update's title is nowhere: the old one is
    assert "公交站点" in _search_records(out)
    # marked as held back in the lists and the API, which describes the previous files
    listing = (out / "datasets" / "index.html").read_text("utf-8")
    assert "badge-held-back" in listing and "暂缓更新" in listing
    assert "update held back" in (out / "en" / "datasets" / "index.html").read_text("utf-8")
    doc = json.loads((out / "api" / "v1" / "datasets" / "stops.json").read_text("utf-8"))
    assert doc["held_back"]["version"] == "2026-11-01"
    assert "仍显示上一版本（2026-11-01）" in doc["held_back"]["notice"]["zh"]
    assert old_csv_sha in json.dumps(doc)
    buses = json.loads((out / "api" / "v1" / "datasets" / "buses.json").read_text("utf-8"))
    assert buses["held_back"] is None

    # still broken: the same bytes again
    again_dir = tmp_path / "again"
    snapshot = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    build(catalog.root, out, cache_dir=cache)
    assert {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()} == snapshot
    assert not again_dir.exists()


def test_a_held_back_dataset_never_published_stays_out_of_every_list(
    catalog: CatalogFactory, tmp_path: Path
):
    out, cache = _two(catalog, tmp_path)
    catalog.dataset("fresh", csv_text=BROKEN, title="新数据集")
    result = build(catalog.root, out, cache_dir=cache)
    assert [(h.dataset, h.outcome) for h in result.held_back] == [("fresh", "never-published")]
    where = _everywhere(out, "fresh")
    assert where == dict.fromkeys(where, False)
    assert "新数据集" not in _site_text(out)


def test_a_derivative_with_too_small_groups_is_held_back_not_the_whole_build(
    catalog: CatalogFactory, tmp_path: Path
):
    from .test_publishing import GOOD_RULES, derivative_yaml, with_source

    with_source(catalog)
    catalog.dataset("relief-open", descriptor=derivative_yaml(GOOD_RULES))
    out, cache = tmp_path / "site", tmp_path / "cache"
    first = build(catalog.root, out, cache_dir=cache)
    assert first.held_back == [] and (out / "datasets" / "relief-open" / "rows.csv").is_file()
    old_csv = (out / "datasets" / "relief-open" / "rows.csv").read_bytes()

    # the accepted risk is dropped: three rows are three groups of one, under 5
    catalog.dataset("relief-open", descriptor=derivative_yaml(GOOD_RULES, extra=""))
    catalog.dataset("bus-lines", title="公交线路（新）")
    result = build(catalog.root, out, cache_dir=cache)
    assert [(h.dataset, h.reason, h.outcome) for h in result.held_back] == [
        ("relief-open", "errors", "previous")
    ]
    assert any(p.code == "reidentification-risk" for p in result.problems.errors)
    assert "公交线路（新）" in (out / "datasets" / "bus-lines" / "index.html").read_text("utf-8")
    assert (out / "datasets" / "relief-open" / "rows.csv").read_bytes() == old_csv
    assert "datasets/relief-open/" in (out / "datasets" / "index.html").read_text("utf-8")

    with pytest.raises(CatalogError, match="未发布任何内容"):
        build(catalog.root, out, cache_dir=cache, all_or_nothing=True)

    # never published before: left out, and the rest still publishes
    fresh = tmp_path / "fresh"
    again = build(catalog.root, fresh, cache_dir=tmp_path / "cache2")
    assert [(h.dataset, h.outcome) for h in again.held_back] == [("relief-open", "never-published")]
    assert not (fresh / "datasets" / "relief-open").exists()
    assert "datasets/relief-open/" not in _site_text(fresh)
    assert (fresh / "datasets" / "bus-lines" / "index.html").is_file()


CONTACTS = "line_id,stops,contact\nLX-40177,12,13957208846\nLX-40178,30,13957208847\n"
CONTACT_FIELDS = """\
- {name: line_id, type: string, title: 线路编号}
- {name: stops, type: integer, title: 站点数}
- {name: contact, type: string, title: 联系电话, pii_allowed: [mobile]}
"""


@pytest.mark.parametrize(
    "change",
    [
        "sensitive",  # the column is now declared personal (and fails: no public_basis)
        "dropped",  # the column is removed from the schema (and the file still has it)
        "not allowed",  # pii_allowed withdrawn: the numbers are personal data after all
    ],
)
def test_a_field_newly_restricted_withdraws_the_old_files_at_once(
    catalog: CatalogFactory, tmp_path: Path, change: str
):
    """A broken update that says less may be published of a field than the version on
    the site (now `sensitive`, removed, or no longer `pii_allowed`) withdraws the old
    files at once: the publisher has just said those values must not be out."""
    from .conftest import dataset_yaml

    catalog.dataset("buses", title="公交线路")
    catalog.dataset(
        "stops", csv_text=CONTACTS, descriptor=dataset_yaml("stops", fields=CONTACT_FIELDS)
    )
    out, cache = tmp_path / "site", tmp_path / "cache"
    assert build(catalog.root, out, cache_dir=cache).held_back == []
    assert "13957208846" in _site_text(out)
    fields = {
        "sensitive": CONTACT_FIELDS.replace("pii_allowed: [mobile]", "sensitive: mobile"),
        "dropped": CONTACT_FIELDS.rsplit("- {name: contact", 1)[0],
        "not allowed": CONTACT_FIELDS.replace(", pii_allowed: [mobile]", ""),
    }[change]
    broken = CONTACTS.replace("LX-40177,12", "LX-40177,十四")
    catalog.dataset("stops", csv_text=broken, descriptor=dataset_yaml("stops", fields=fields))
    result = build(catalog.root, out, cache_dir=cache)
    assert [(h.dataset, h.outcome) for h in result.held_back] == [("stops", "withdrawn")]
    text = _site_text(out)
    assert "13957208846" not in text and "13957208847" not in text
    assert "datasets/stops/rows" not in text
    assert (out / "datasets" / "buses" / "rows.csv").is_file()  # the others are published
