"""Removed datasets leave a tombstone (issue 16): /datasets/<id>/ says when and why, links
the successor, and the Atom feeds and the sitemap say so. URLs never silently die."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from generator.build import build

from .conftest import CatalogFactory, dataset_yaml

DAY1 = "1794960000"  # 2026-11-18
DAY2 = "1795219200"  # 2026-11-21
DAY3 = "1795478400"  # 2026-11-24
WITHDRAWN = (
    "status: {state: 撤回, since: 2026-11-17, reason: 并入公交线路数据集, replaced_by: buses}\n"
)


def test_a_removed_dataset_leaves_a_dated_tombstone(
    catalog: CatalogFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    catalog.dataset("buses", title="公交线路")
    catalog.dataset("stops", descriptor=dataset_yaml("stops", extra=WITHDRAWN, title="公交站点"))
    out = tmp_path / "site"
    monkeypatch.setenv("SOURCE_DATE_EPOCH", DAY1)
    build(catalog.root, out, record_history=True)

    shutil.rmtree(catalog.root / "datasets" / "stops")  # the department removes it
    monkeypatch.setenv("SOURCE_DATE_EPOCH", DAY2)
    result = build(catalog.root, out, record_history=True)
    assert result.history_recorded == 1
    page = (out / "datasets" / "stops" / "index.html").read_text(encoding="utf-8")
    assert "<h1>公交站点</h1>" in page
    assert "该数据集已于 2026-11-21 从目录中移除，不再提供。 原因：并入公交线路数据集。" in page
    assert '替代数据集：<a href="/datasets/buses/">公交线路</a>' in page
    assert '<meta name="robots" content="noindex">' in page
    en = (out / "en" / "datasets" / "stops" / "index.html").read_text(encoding="utf-8")
    assert "removed from the catalog on 2026-11-21" in en
    # the record says so, and keeps saying it
    state = json.loads((catalog.root / "history" / "stops.json").read_text(encoding="utf-8"))
    assert state["entries"][0] == {
        "date": "2026-11-21",
        "changes": [{"kind": "removed", "subject": "", "old": "", "new": ""}],
    }
    feed = (out / "feed.atom").read_text(encoding="utf-8")
    assert "<title>公交站点（已移除）</title>" in feed
    assert "<updated>2026-11-21T00:00:00Z</updated>" in feed
    sitemap = "".join(p.read_text(encoding="utf-8") for p in (out / "sitemaps").glob("*.xml"))
    assert "/datasets/stops/</loc>" in sitemap
    assert not (out / "datasets" / "stops" / "rows.csv").exists()

    monkeypatch.setenv("SOURCE_DATE_EPOCH", DAY3)  # later builds keep the removal date
    again = build(catalog.root, out, record_history=True)
    assert again.history_recorded == 0
    assert "已于 2026-11-21 从目录中移除" in (out / "datasets" / "stops" / "index.html").read_text(
        encoding="utf-8"
    )


def test_a_hidden_closed_dataset_leaves_nothing(
    catalog: CatalogFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    site = (catalog.root / "site.yaml").read_text(encoding="utf-8")
    site = site.replace("hide_closed: false", "hide_closed: true")
    (catalog.root / "site.yaml").write_text(site, encoding="utf-8")
    catalog.dataset("buses")
    closed = dataset_yaml(
        "secret-list", open_type="非开放", extra="legal_basis: 第三条\n", title="机密名单"
    )
    catalog.dataset("secret-list", descriptor=closed)
    out = tmp_path / "site"
    monkeypatch.setenv("SOURCE_DATE_EPOCH", DAY1)
    build(catalog.root, out, record_history=True)
    shutil.rmtree(catalog.root / "datasets" / "secret-list")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", DAY2)
    build(catalog.root, out, record_history=True)
    assert not (out / "datasets" / "secret-list").exists()
    text = "".join(p.read_text("utf-8", "replace") for p in out.rglob("*") if p.is_file())
    assert "机密名单" not in text and "secret-list" not in text


def test_without_a_history_record_there_is_no_tombstone(catalog: CatalogFactory, tmp_path: Path):
    catalog.dataset("buses")
    catalog.dataset("stops")
    out = tmp_path / "site"
    build(catalog.root, out)  # previews record no history
    shutil.rmtree(catalog.root / "datasets" / "stops")
    build(catalog.root, out)
    assert not (out / "datasets" / "stops").exists()


def _removed_site(catalog: CatalogFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    catalog.dataset("buses", title="公交线路")
    catalog.dataset("stops", descriptor=dataset_yaml("stops", extra=WITHDRAWN, title="公交站点"))
    out = tmp_path / "site"
    monkeypatch.setenv("SOURCE_DATE_EPOCH", DAY1)
    build(catalog.root, out, record_history=True)
    shutil.rmtree(catalog.root / "datasets" / "stops")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", DAY2)
    build(catalog.root, out, record_history=True)
    return out


def test_a_tombstone_is_in_the_api_with_its_date_reason_and_successor(
    catalog: CatalogFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    from jsonschema import Draft202012Validator

    out = _removed_site(catalog, tmp_path, monkeypatch)
    api = out / "api" / "v1"
    listing = json.loads((api / "datasets.json").read_text("utf-8"))
    assert [d["id"] for d in listing["datasets"]] == ["buses"] and listing["count"] == 1
    record = json.loads((api / "datasets" / "stops.json").read_text("utf-8"))
    assert listing["removed"] == [record]
    assert record["state"] == "removed" and record["removed"] == "2026-11-21"
    assert record["title"]["zh"] == "公交站点"
    assert record["reason"]["zh"] == "并入公交线路数据集"
    assert record["replaced_by"].endswith("/api/v1/datasets/buses.json")
    assert "2026-11-21 从目录中移除" in record["notice"]["zh"]
    assert record["page"]["zh"].endswith("/datasets/stops/")
    # both documents match the OpenAPI description the site publishes
    openapi = json.loads((api / "openapi.json").read_text("utf-8"))
    for schema, doc in [("DatasetOrRemoved", record), ("DatasetList", listing)]:
        validator = Draft202012Validator(
            {"$ref": f"#/components/schemas/{schema}", "components": openapi["components"]},
            format_checker=Draft202012Validator.FORMAT_CHECKER,
        )
        assert [e.message for e in validator.iter_errors(doc)] == []
    broken = dict(record, removed="yesterday")  # the schema can fail
    assert list(validator.iter_errors({**listing, "removed": [broken]}))


def test_a_tombstone_is_in_dcat_and_data_json_and_both_stay_valid(
    catalog: CatalogFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    from jsonschema import Draft4Validator
    from pyshacl import validate
    from rdflib import XSD, Graph, Literal, Namespace, URIRef
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT4

    from .test_bots import DCAT_AP, POD

    out = _removed_site(catalog, tmp_path, monkeypatch)
    base = "https://data.example.gov.cn/"
    graph = Graph().parse(out / "catalog.ttl", format="turtle")
    assert len(graph) == len(Graph().parse(out / "catalog.jsonld", format="json-ld"))
    node = URIRef(base + "datasets/stops/#dataset")
    dct, adms = Namespace("http://purl.org/dc/terms/"), Namespace("http://www.w3.org/ns/adms#")
    dcat = Namespace("http://www.w3.org/ns/dcat#")
    assert (URIRef(base + "#catalog"), dcat.dataset, node) in graph
    assert set(graph.objects(node, adms.status)) == {
        URIRef("http://publications.europa.eu/resource/authority/dataset-status/WITHDRAWN")
    }
    assert (node, dct.isReplacedBy, URIRef(base + "datasets/buses/#dataset")) in graph
    assert (node, dct.modified, Literal("2026-11-21", datatype=XSD.date)) in graph
    notes = {str(o) for o in graph.objects(node, adms.versionNotes)}
    assert any("2026-11-21" in n and "并入公交线路数据集" in n for n in notes)
    assert not [
        u
        for d in graph.objects(node, dcat.distribution)
        for u in graph.objects(d, dcat.downloadURL)
    ]
    # mandatory and range shapes: nothing; recommended: only what the fixture's datasets
    # lack as well (no spatial or temporal coverage in its descriptors)
    sh = Namespace("http://www.w3.org/ns/shacl#")
    for name in ("shapes.ttl", "range.ttl", "shapes_recommended.ttl"):
        shapes = Graph().parse(DCAT_AP / name, format="turtle")
        _ok, report, text = validate(graph, shacl_graph=shapes, allow_warnings=True)
        gaps = {
            (str(report.value(r, sh.focusNode)), str(report.value(r, sh.resultPath)))
            for r in report.subjects(sh.focusNode)
        }
        if name != "shapes_recommended.ttl":
            assert gaps == set(), (name, text)
        else:
            mine = {path for focus, path in gaps if "datasets/stops/" in focus}
            assert mine <= {str(dct.spatial), str(dct.temporal)}, text

    schemas = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(POD.glob("*.json"))]
    registry = Registry().with_resources(
        (s["id"], Resource.from_contents(s, default_specification=DRAFT4)) for s in schemas
    )
    catalog_schema = next(s for s in schemas if s["id"].endswith("/catalog.json#"))
    doc = json.loads((out / "data.json").read_text(encoding="utf-8"))
    assert [
        e.message for e in Draft4Validator(catalog_schema, registry=registry).iter_errors(doc)
    ] == []
    entry = next(d for d in doc["dataset"] if d["landingPage"] == base + "datasets/stops/")
    assert entry["accessLevel"] == "non-public" and "distribution" not in entry
    assert entry["title"] == "公交站点（已移除）" and entry["modified"] == "2026-11-21"
    assert "并入公交线路数据集" in entry["rights"]
    assert entry["references"] == [base + "datasets/buses/"]
