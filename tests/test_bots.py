"""What bots fetch from the demo build passes the official validators and links only to
files that exist; nothing non-open gains a distribution anywhere."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from generator.catalog.geo import detect as detect_geo
from generator.catalog.loader import load_catalog
from generator.feeds.dcat import turtle_string
from generator.policy import OpenType

from .conftest import DEMO_CATALOG, SHARED

STANDARDS = SHARED / "standards"
DCAT_AP = STANDARDS / "dcat-ap-3.0.1"
POD = STANDARDS / "pod-data-json-1.1"
ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"

CATALOG, _ = load_catalog(DEMO_CATALOG)
assert CATALOG is not None
BASE = CATALOG.site.base_url
# open datasets whose status publishes data (issue 16: the demo's job-fairs is suspended)
OPEN = {d.id for d in CATALOG.datasets if d.open_type is OpenType.OPEN and d.status.publishes_data}
NOT_OPEN = {d.id for d in CATALOG.datasets if d.open_type is not OpenType.OPEN}
LISTED = {d.id for d in CATALOG.datasets}
REMOVED = {"bus-stops-2023"}  # issue 16: the demo's history removed it (a tombstone)


def download_count(ds) -> int:
    """Downloads of an open dataset's resources: CSV, Excel CSV, XLSX, JSON and Parquet
    each, and GeoJSON for a resource with coordinates (catalog/geo.py)."""
    return sum(5 + (detect_geo(r.fields, r.raw.get("geo")) is not None) for r in ds.resources)


def resolve(site: Path, url: str) -> Path:
    """The file a URL of the portal is served from (folders serve index.html)."""
    assert url.startswith(BASE), url
    path = url[len(BASE) :].split("#", 1)[0]
    return site / (path + "index.html" if path == "" or path.endswith("/") else path)


def urls_in(value: Any) -> list[str]:
    """Every string under value that is a URL of the portal."""
    if isinstance(value, str):
        return [value] if value.startswith(BASE) else []
    if isinstance(value, dict):
        return [u for v in value.values() for u in urls_in(v)]
    if isinstance(value, list):
        return [u for v in value for u in urls_in(v)]
    return []


def assert_resolve(site: Path, urls: list[str]) -> None:
    assert urls
    missing = sorted({u for u in urls if not resolve(site, u).is_file()})
    assert missing == []


# --- DCAT-AP ---------------------------------------------------------------------------
@pytest.fixture(scope="module")
def dcat(demo_site: Path):
    from rdflib import Graph

    turtle = Graph().parse(demo_site / "catalog.ttl", format="turtle")
    jsonld = Graph().parse(demo_site / "catalog.jsonld", format="json-ld")
    return turtle, jsonld


@pytest.fixture(scope="module")
def shacl_results(dcat) -> dict[str, list[tuple[str, str, str]]]:
    """One pyshacl run over all three DCAT-AP shape files, results split by file."""
    from pyshacl import validate
    from rdflib import Graph
    from rdflib.namespace import SH

    shapes = Graph()
    owner: dict[Any, str] = {}
    for name in ("shapes.ttl", "range.ttl", "shapes_recommended.ttl"):
        part = Graph().parse(DCAT_AP / name, format="turtle")
        for node in set(part.subjects()):
            owner.setdefault(node, name)
        shapes += part
    _conforms, report, _text = validate(dcat[0], shacl_graph=shapes, allow_warnings=True)
    results: dict[str, list[tuple[str, str, str]]] = {}
    for result in report.subjects(predicate=SH.focusNode):
        source = report.value(result, SH.sourceShape)
        results.setdefault(owner.get(source, "?"), []).append(
            (
                str(report.value(result, SH.focusNode)),
                str(report.value(result, SH.resultPath)),
                str(report.value(result, SH.resultSeverity)),
            )
        )
    return results


def test_dcat_turtle_and_jsonld_hold_the_same_triples(dcat):
    turtle, jsonld = dcat
    assert len(turtle) > 1000
    assert set(turtle) == set(jsonld)


@pytest.mark.parametrize(
    "text", ["plain", 'a "quote"', "back\\slash", "two\nlines\r", '中文 """ end"', "", "\\"]
)
def test_turtle_strings_read_back_as_written(text: str):
    from rdflib import Graph

    graph = Graph().parse(data=f"<http://a> <http://b> {turtle_string(text)} .", format="turtle")
    assert [str(o) for _, _, o in graph] == [text]


def test_dcat_has_zero_violations_of_the_mandatory_shapes(shacl_results):
    assert shacl_results.get("shapes.ttl", []) == []
    assert shacl_results.get("?", []) == []


def test_dcat_has_zero_violations_of_the_range_shapes(shacl_results):
    assert shacl_results.get("range.ttl", []) == []


def test_dcat_recommended_shapes_miss_only_what_the_catalog_cannot_say(shacl_results):
    """Known gaps: no licence on the 'apply for it' distribution of non-open data (there
    is none to give) and no bbox/centroid for places named only in text."""
    gaps = {
        (re.sub(r"datasets/[^/]+/", "datasets/*/", focus), re.split(r"[/#]", path)[-1])
        for focus, path, _severity in shacl_results.get("shapes_recommended.ttl", [])
    }
    allowed = {
        (BASE + "datasets/*/#access", "license"),
        *((focus, p) for focus, _ in gaps if "#place-" in focus for p in ("bbox", "centroid")),
    }
    assert gaps <= allowed, gaps - allowed


def test_dcat_access_rights_and_distributions_follow_the_open_type(dcat):
    from rdflib import Namespace, URIRef

    g = dcat[0]
    dcat_ns = Namespace("http://www.w3.org/ns/dcat#")
    dct = Namespace("http://purl.org/dc/terms/")
    rights = "http://publications.europa.eu/resource/authority/access-right/"
    expected = {"open": "PUBLIC", "conditional": "RESTRICTED", "closed": "NON_PUBLIC"}
    for ds in CATALOG.datasets:
        node = URIRef(f"{BASE}datasets/{ds.id}/#dataset")
        assert set(g.objects(node, dct.accessRights)) == {
            URIRef(rights + expected[ds.open_type.value])
        }
        downloads = [
            url
            for dist in g.objects(node, dcat_ns.distribution)
            for url in g.objects(dist, dcat_ns.downloadURL)
        ]
        if ds.id in OPEN:
            # CSV, Excel CSV, XLSX, JSON, Parquet (and GeoJSON) per resource, and the zip
            assert len(downloads) == download_count(ds) + 1
        else:
            assert downloads == []
    titles = {(str(o), o.language) for o in g.objects(URIRef(BASE + "#catalog"), dct.title)}
    assert {lang for _, lang in titles} == {"zh", "en"}


def test_every_dcat_iri_of_the_portal_resolves(demo_site: Path, dcat):
    iris = {str(t) for triple in dcat[0] for t in triple if str(t).startswith(BASE)}
    assert_resolve(demo_site, sorted(iris))


# --- data.json -------------------------------------------------------------------------
def test_data_json_is_valid_pod_1_1(demo_site: Path):
    from jsonschema import Draft4Validator
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT4

    schemas = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(POD.glob("*.json"))]
    registry = Registry().with_resources(
        (s["id"], Resource.from_contents(s, default_specification=DRAFT4)) for s in schemas
    )
    catalog_schema = next(s for s in schemas if s["id"].endswith("/catalog.json#"))
    doc = json.loads((demo_site / "data.json").read_text(encoding="utf-8"))
    errors = list(Draft4Validator(catalog_schema, registry=registry).iter_errors(doc))
    assert [e.message for e in errors] == []
    # The schema can fail: without a title a dataset is rejected.
    broken = json.loads(json.dumps(doc))
    del broken["dataset"][0]["title"]
    assert list(Draft4Validator(catalog_schema, registry=registry).iter_errors(broken))
    levels = {d["landingPage"].rstrip("/").rsplit("/", 1)[-1]: d for d in doc["dataset"]}
    assert {d["accessLevel"] for d in doc["dataset"]} == {
        "public",
        "restricted public",
        "non-public",
    }
    for ds_id in NOT_OPEN:
        assert "distribution" not in levels[ds_id] and levels[ds_id]["rights"]
    assert_resolve(demo_site, urls_in(doc))


# --- Frictionless ----------------------------------------------------------------------
def test_every_published_datapackage_is_valid_under_frictionless(demo_site: Path):
    import frictionless

    descriptors = sorted(demo_site.glob("datasets/*/datapackage.json"))
    assert {p.parent.name for p in descriptors} == OPEN
    for path in descriptors:
        report = frictionless.validate(path)
        assert report.valid, (path, report.flatten(["type", "message"]))
        names = {r["name"] for r in json.loads(path.read_text(encoding="utf-8"))["resources"]}
        assert names == {r.name for r in CATALOG.dataset(path.parent.name).resources}


def test_the_frictionless_command_accepts_a_descriptor(demo_site: Path):
    cli = Path(sys.executable).parent / "frictionless"
    result = subprocess.run(
        [str(cli), "validate", "--json", "datapackage.json"],
        cwd=demo_site / "datasets" / "schools",
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout[-2000:]
    assert json.loads(result.stdout)["valid"] is True


# --- XML: sitemaps and feeds ------------------------------------------------------------
def test_every_xml_output_parses(demo_site: Path):
    files = sorted(demo_site.rglob("*.xml")) + sorted(demo_site.rglob("*.atom"))
    assert len(files) >= 4
    for path in files:
        ET.parse(path)


def test_sitemap_index_lists_every_page_once(demo_site: Path):
    index = ET.parse(demo_site / "sitemap.xml").getroot()
    assert index.tag == SITEMAP + "sitemapindex"
    pages: list[str] = []
    for loc in index.iter(SITEMAP + "loc"):
        urlset = ET.parse(resolve(demo_site, loc.text or "")).getroot()
        assert urlset.tag == SITEMAP + "urlset"
        chunk = [u.text or "" for u in urlset.iter(SITEMAP + "loc")]
        assert len(chunk) <= 10_000
        pages += chunk
    assert len(pages) == len(set(pages))
    assert_resolve(demo_site, pages)
    html = {p.relative_to(demo_site).as_posix() for p in demo_site.rglob("index.html")}
    assert {resolve(demo_site, u).relative_to(demo_site).as_posix() for u in pages} == html
    robots = (demo_site / "robots.txt").read_text(encoding="utf-8")
    assert f"Sitemap: {BASE}sitemap.xml" in robots


def test_feeds_link_only_to_files_and_date_entries_from_the_catalog(demo_site: Path):
    feeds = [demo_site / "feed.atom", demo_site / "en" / "feed.atom"]
    feeds += sorted(demo_site.glob("publishers/*/feed.atom"))
    assert len(feeds) > 3
    modified = {d.id: d.modified.isoformat() for d in CATALOG.datasets}
    for path in feeds:
        feed = ET.parse(path).getroot()
        entries = feed.findall(ATOM + "entry")
        assert entries
        updated = [e.findtext(ATOM + "updated") for e in entries]
        assert feed.findtext(ATOM + "updated") == max(updated)
        links = [link.get("href") or "" for link in feed.iter(ATOM + "link")]
        assert_resolve(demo_site, links)
        for entry in entries:
            page = next(
                link.get("href")
                for link in entry.findall(ATOM + "link")
                if link.get("rel") == "alternate"
            )
            ds_id = page.rstrip("/").rsplit("/", 1)[-1]
            terms = {c.get("term") for c in entry.findall(ATOM + "category")}
            if "removed" in terms:  # issue 16: a tombstone, dated by the recorded removal
                assert ds_id in REMOVED
                assert entry.findtext(ATOM + "updated") == "2025-09-30T00:00:00Z"
                continue
            if any(t.startswith("status-") for t in terms):  # issue 16: dated by the status
                since = CATALOG.dataset(ds_id).status.since
                assert entry.findtext(ATOM + "updated") == f"{since}T00:00:00Z"
                continue
            assert entry.findtext(ATOM + "updated") == modified[ds_id] + "T00:00:00Z"
            enclosures = [x for x in entry.findall(ATOM + "link") if x.get("rel") == "enclosure"]
            assert bool(enclosures) == (ds_id in OPEN)


# --- the JSON API ----------------------------------------------------------------------
@pytest.fixture(scope="module")
def openapi_doc(demo_site: Path) -> dict:
    return json.loads((demo_site / "api" / "v1" / "openapi.json").read_text(encoding="utf-8"))


def test_openapi_description_is_valid_3_1(openapi_doc: dict):
    from openapi_spec_validator import validate

    assert openapi_doc["openapi"] == "3.1.0"
    validate(openapi_doc)
    broken = json.loads(json.dumps(openapi_doc))
    del broken["info"]
    with pytest.raises(Exception, match="info"):
        validate(broken)


def _api_documents(demo_site: Path) -> list[tuple[str, Path]]:
    api = demo_site / "api" / "v1"
    docs = [("Index", api / "index.json"), ("DatasetList", api / "datasets.json")]
    docs += [("PublisherList", api / "publishers.json"), ("ThemeList", api / "themes.json")]
    docs += [
        ("Dataset" if p.stem in LISTED else "RemovedDataset", p)
        for p in sorted((api / "datasets").glob("*.json"))
    ]
    docs += [("PublisherDetail", p) for p in sorted((api / "publishers").glob("*.json"))]
    docs += [("ThemeDetail", p) for p in sorted((api / "themes").glob("*.json"))]
    return docs


def test_every_api_document_matches_its_openapi_schema_and_resolves(demo_site: Path, openapi_doc):
    from jsonschema import Draft202012Validator

    docs = _api_documents(demo_site)
    assert len([d for d in docs if d[0] == "Dataset"]) == len(CATALOG.datasets)
    assert {p.stem for kind, p in docs if kind == "RemovedDataset"} == REMOVED
    for schema, path in docs:
        validator = Draft202012Validator(
            {"$ref": f"#/components/schemas/{schema}", "components": openapi_doc["components"]},
            format_checker=Draft202012Validator.FORMAT_CHECKER,
        )
        doc = json.loads(path.read_text(encoding="utf-8"))
        assert [e.message for e in validator.iter_errors(doc)] == [], path
        assert_resolve(demo_site, urls_in(doc))


def test_api_follows_the_publication_rules(demo_site: Path):
    for ds in CATALOG.datasets:
        doc = json.loads((demo_site / f"api/v1/datasets/{ds.id}.json").read_text(encoding="utf-8"))
        files = [d for r in doc["resources"] for d in r.get("downloads", [])]
        if ds.open_type is OpenType.OPEN and not ds.status.publishes_data:  # suspended
            assert files == [] and doc["package"] is None and doc["datapackage"] is None
            assert doc["status"]["state"] == ds.status.state.value
        elif ds.open_type is OpenType.OPEN:
            assert len(files) == download_count(ds) and doc["package"]["sha256"]
            for d in files:
                assert resolve(demo_site, d["url"]).stat().st_size == d["size"]
        elif ds.open_type is OpenType.CONDITIONAL:
            assert files == [] and doc["package"] is None and doc["datapackage"] is None
            assert all("rows" not in r and r["fields"] for r in doc["resources"])
        else:
            assert doc["resources"] == [] and doc["package"] is None


def test_api_docs_page_has_curl_examples_in_both_languages(demo_site: Path):
    zh = (demo_site / "api" / "index.html").read_text(encoding="utf-8")
    en = (demo_site / "en" / "api" / "index.html").read_text(encoding="utf-8")
    for html in (zh, en):
        assert f"curl -s {BASE}api/v1/datasets.json" in html
        assert "openapi.json" in html
    assert "接口一览" in zh and "Endpoints" in en


# --- dataset pages: schema.org, citation, developer block --------------------------------
def _jsonld(html: str) -> dict:
    match = re.search(r'<script type="application/ld\+json">\n(.*?)\n</script>', html, re.S)
    assert match
    return json.loads(match.group(1))


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_dataset_page_has_schema_org_citation_and_developer_block(demo_site: Path, lang: str):
    prefix = "" if lang == "zh" else "en/"
    for ds in CATALOG.datasets:
        html = (demo_site / prefix / "datasets" / ds.id / "index.html").read_text(encoding="utf-8")
        data = _jsonld(html)
        assert data["@type"] == "Dataset"
        for key in (
            "name",
            "description",
            "url",
            "identifier",
            "keywords",
            "creator",
            "temporalCoverage",
            "spatialCoverage",
            "isAccessibleForFree",
            "includedInDataCatalog",
        ):
            assert data.get(key) not in (None, "", []), (ds.id, key)
        assert data["url"] == f"{BASE}{prefix}datasets/{ds.id}/"
        if ds.id in OPEN:
            assert data["license"] and data["isAccessibleForFree"] is True
            assert len(data["distribution"]) == download_count(ds) + 1
            assert_resolve(demo_site, [d["contentUrl"] for d in data["distribution"]])
            assert "sha256sum -c" in html
        else:
            assert "distribution" not in data and "license" not in data
        assert 'id="citation-text"' in html and f"{BASE}{prefix}datasets/{ds.id}/" in html
        assert ("[DS/OL]" in html) == (lang == "zh")
        assert f"{BASE}api/v1/datasets/{ds.id}.json" in html


def test_a_derivative_links_to_its_source_everywhere(demo_site: Path, dcat):
    from rdflib import Namespace, URIRef

    derivative = next(d for d in CATALOG.datasets if d.derived_from)
    source = derivative.derived_from
    assert derivative.id in OPEN and source in NOT_OPEN
    dct = Namespace("http://purl.org/dc/terms/")
    node = URIRef(f"{BASE}datasets/{derivative.id}/#dataset")
    assert set(dcat[0].objects(node, dct.source)) == {URIRef(f"{BASE}datasets/{source}/#dataset")}
    api = demo_site / "api" / "v1" / "datasets"
    doc = json.loads((api / f"{derivative.id}.json").read_text(encoding="utf-8"))
    assert doc["derived_from"] == f"{BASE}api/v1/datasets/{source}.json"
    source_doc = json.loads((api / f"{source}.json").read_text(encoding="utf-8"))
    assert source_doc["derivatives"] == [f"{BASE}api/v1/datasets/{derivative.id}.json"]
    assert source_doc["resources"] == [] and source_doc["package"] is None
    html = (demo_site / "datasets" / derivative.id / "index.html").read_text(encoding="utf-8")
    assert _jsonld(html)["isBasedOn"] == f"{BASE}datasets/{source}/"
