"""kaifang harvest: other portals' catalogs (DCAT-AP, CKAN, data.json) into a catalog, from
files and from a server on 127.0.0.1; remote resources; the three-way update."""

from __future__ import annotations

import json
import shutil
import threading
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import yaml

from generator.build import build
from generator.catalog.loader import load_catalog

FIXTURES = Path(__file__).resolve().parent / "harvest_fixtures"


class Served:
    def __init__(self, root: Path, port: int, requests: list[str]) -> None:
        self.root, self.port, self.requests = root, port, requests

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}/{path}"


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Served]:
    """A static server on 127.0.0.1 that records every path asked for."""
    root = tmp_path / "www"
    root.mkdir()
    requests: list[str] = []

    class Handler(SimpleHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            requests.append(self.path)
            super().do_GET()

        def log_message(self, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), partial(Handler, directory=str(root)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield Served(root, httpd.server_address[1], requests)
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture
def empty_catalog(tmp_path: Path, cli) -> Path:
    root = tmp_path / "catalog"
    result = cli(
        "new", "catalog", root, "--no-interactive", "--title", "省级平台",
        "--base-url", "https://data.province.example.cn/", "--email", "data@province.example.cn",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    return root


def descriptor(root: Path, ds_id: str) -> dict:
    return yaml.safe_load((root / "datasets" / ds_id / "datapackage.yaml").read_text("utf-8"))


def test_round_trip_of_the_demo_catalog_jsonld(demo_site, empty_catalog, cli):
    result = cli("harvest", demo_site / "catalog.jsonld", "--catalog", empty_catalog)
    assert result.exit_code == 0, result.output
    # the demo's removed dataset (a tombstone, withdrawn in DCAT) is reported, not created
    assert "bus-stops-2023：来源已将其撤回或删除，未采集" in result.output, result.output
    demo, _ = load_catalog(Path(__file__).resolve().parent.parent / "catalog")
    harvested, problems = load_catalog(empty_catalog)
    assert harvested is not None
    assert {ds.id for ds in harvested.datasets} == {ds.id for ds in demo.datasets}
    for ds in demo.datasets:
        got = harvested.dataset(ds.id)
        assert got.title == ds.title
        assert got.identifier == ds.identifier
        assert got.publisher == ds.publisher
        assert harvested.publishers[ds.publisher].name == demo.publishers[ds.publisher].name
        raw = descriptor(empty_catalog, ds.id)
        if ds.open_type.value == "open":
            assert raw["open_type"] == "无条件开放"
            licence = ds.licenses[0] if ds.licenses else demo.site.default_license
            assert got.licenses[0].path == licence.path
            assert got.remote_resources  # the published files, as links
        else:  # RESTRICTED / NON_PUBLIC: a person decides, check refuses until then
            assert raw["open_type"] == "待定"
        assert raw["harvest"]["original"] == f"{demo.site.base_url}datasets/{ds.id}/"
    undecided = [p for p in problems.errors if p.code == "placeholder"]
    assert {p.dataset for p in undecided} == {
        ds.id for ds in demo.datasets if ds.open_type.value != "open"
    }


def test_ckan_package_search_from_a_server_then_builds_without_fetching(
    server, empty_catalog, cli, tmp_path
):
    api = server.root / "api" / "3" / "action"
    api.mkdir(parents=True)
    text = (FIXTURES / "package_search.json").read_text(encoding="utf-8")
    # the resources live on the same server: the build must not ask for them
    (api / "package_search").write_text(
        text.replace("https://ckan.example.org", server.url("").rstrip("/")), encoding="utf-8"
    )
    result = cli("harvest", server.url("api/3/action/package_search"), "--catalog", empty_catalog)
    assert result.exit_code == 1  # one record had no title: said, and the rest harvested
    assert "untitled-record" in result.output and "没有标题" in result.output
    assert "Traceback" not in result.output
    parking = descriptor(empty_catalog, "parking-lots")
    assert parking["title"] == "公共停车场分布"
    assert parking["publisher"] == "city-transport"
    assert parking["theme"] == "transport" and parking["update_frequency"] == "monthly"
    assert parking["open_type"] == "无条件开放"  # private: false
    assert parking["licenses"][0]["path"] == "https://creativecommons.org/licenses/by/4.0/"
    assert parking["resources"][0]["url"].startswith(server.url("dataset/parking-lots/"))
    assert parking["resources"][0]["bytes"] == 20480
    assert parking["harvest"]["original"] == server.url("dataset/parking-lots")
    asked = len(server.requests)
    out = tmp_path / "site"
    built = build(empty_catalog, out)
    assert built.published_ids == ["parking-lots", "river-water-levels"] or sorted(
        built.published_ids
    ) == ["parking-lots", "river-water-levels"]
    assert not built.held_back
    assert len(server.requests) == asked  # remote resources are never fetched
    page = (out / "datasets" / "parking-lots" / "index.html").read_text(encoding="utf-8")
    assert (
        "远程资源" in page
        and server.url("dataset/parking-lots/resource/1/download/parking.csv") in page
    )
    assert "20.0 KB" in page or "20 KB" in page
    assert "采集来源" in page and server.url("dataset/parking-lots") in page


def test_pod_rdfxml_and_turtle_into_one_catalog_which_builds(server, empty_catalog, cli, tmp_path):
    shutil.copy(FIXTURES / "catalog.rdf", server.root / "catalog.rdf")
    for source, prefix in (
        (str(FIXTURES / "data.json"), "county-"),
        (server.url("catalog.rdf"), "city-b-"),
        (str(FIXTURES / "catalog.ttl"), "county-c-"),
    ):
        result = cli("harvest", source, "--catalog", empty_catalog, "--prefix", prefix)
        assert result.exit_code == 0, result.output
    library = descriptor(empty_catalog, "county-library-branches")
    assert library["open_type"] == "无条件开放" and library["update_frequency"] == "yearly"
    assert library["theme"] == "education"
    assert descriptor(empty_catalog, "county-internal-payroll")["open_type"] == "待定"
    bikes = descriptor(empty_catalog, "city-b-bike-docks")
    assert bikes["title_en"] == "Public bicycle docks" and bikes["theme"] == "transport"
    assert bikes["update_frequency"] == "weekly" and bikes["licenses"][0]["name"] == "CC-BY-4.0"
    assert bikes["resources"][0] == {
        "name": "zhan-dian-biao",
        "title": "站点表",
        "url": "https://opendata.city-b.example.cn/files/bike-docks.csv",
        "format": "csv",
        "bytes": 5120,
    }
    assert descriptor(empty_catalog, "city-b-court-cases")["open_type"] == "待定"  # RESTRICTED
    schools = descriptor(empty_catalog, "county-c-schools")
    assert schools["publisher"] == "jyj" and schools["resources"][0]["format"] == "xlsx"
    publishers = yaml.safe_load((empty_catalog / "publishers.yaml").read_text("utf-8"))
    names = {p["id"]: p["name"]["zh"] for p in publishers}
    assert names["jtj"] == "乙市交通运输局" and names["wjw"] == "丙县卫生健康委员会"
    built = build(empty_catalog, tmp_path / "site")
    assert sorted(built.published_ids) == [
        "city-b-bike-docks",
        "county-c-clinics",
        "county-c-schools",
        "county-library-branches",
    ]
    # the undecided ones wait for a person: held back, never published
    assert sorted(h.dataset for h in built.held_back) == [
        "city-b-court-cases",
        "county-internal-payroll",
    ]


def test_harvest_again_updates_keeps_local_edits_and_removes_nothing(empty_catalog, cli, tmp_path):
    source = tmp_path / "catalog.ttl"
    shutil.copy(FIXTURES / "catalog.ttl", source)
    assert cli("harvest", source, "--catalog", empty_catalog).exit_code == 0
    path = empty_catalog / "datasets" / "schools" / "datapackage.yaml"
    local = yaml.safe_load(path.read_text("utf-8"))
    local["description"] = "人工改写的摘要。"
    local["keywords"] = ["学校", "教育", "义务教育"]
    path.write_text(yaml.safe_dump(local, allow_unicode=True, sort_keys=False), "utf-8")
    text = source.read_text("utf-8")
    text = text.replace('"2026-09-01"^^xsd:date', '"2026-11-20"^^xsd:date')  # source update
    text = text.replace("丙县中小学的名称、地址和学段。", "丙县中小学名录（新版）。")  # and an edit
    text = text.replace('"村卫生室"@zh', '"村卫生室名单"@zh')
    source.write_text(text, "utf-8")
    result = cli("harvest", source, "--catalog", empty_catalog, "--lang", "en")
    assert result.exit_code == 0, result.output
    schools = descriptor(empty_catalog, "schools")
    assert schools["modified"] == "2026-11-20"  # untouched locally: the source's new value
    assert schools["description"] == "人工改写的摘要。"  # edited on both sides: local kept
    assert schools["keywords"] == ["学校", "教育", "义务教育"]  # local edit kept
    assert "schools: updated (modified); kept local edits of description" in result.output
    assert descriptor(empty_catalog, "clinics")["title"] == "村卫生室名单"
    # a dataset the source no longer lists is reported, and kept
    start = text.index("<https://data.county-c.example.cn/ds/clinics> a dcat:Dataset")
    source.write_text(text[:start], "utf-8")
    result = cli("harvest", source, "--catalog", empty_catalog, "--lang", "en")
    assert "clinics: no longer at the source; kept" in result.output
    assert (empty_catalog / "datasets" / "clinics" / "datapackage.yaml").is_file()


def test_reharvest_keeps_the_persons_comments(empty_catalog, cli, tmp_path):
    source = tmp_path / "catalog.ttl"
    shutil.copy(FIXTURES / "catalog.ttl", source)
    assert cli("harvest", source, "--catalog", empty_catalog).exit_code == 0
    path = empty_catalog / "datasets" / "schools" / "datapackage.yaml"
    text = path.read_text("utf-8")
    text = "# 教育局数据：每季度核对一次\n" + text.replace(
        "\ndescription:", "\n# 摘要由人工核对\ndescription:", 1
    )
    path.write_text(text, "utf-8")
    updated = source.read_text("utf-8").replace('"2026-09-01"^^xsd:date', '"2026-11-20"^^xsd:date')
    source.write_text(updated, "utf-8")
    result = cli("harvest", source, "--catalog", empty_catalog, "--lang", "en")
    assert result.exit_code == 0, result.output
    after = path.read_text("utf-8")
    assert after.startswith("# 教育局数据：每季度核对一次\n"), after[:200]
    assert "# 摘要由人工核对\ndescription:" in after, after
    assert descriptor(empty_catalog, "schools")["modified"] == "2026-11-20"


def test_unreachable_and_malformed_sources_are_clear_errors(empty_catalog, cli, tmp_path, server):
    bad = tmp_path / "bad.ttl"
    bad.write_text("@prefix dcat: <http://www.w3.org/ns/dcat#> .\n<a> dcat:title ", "utf-8")
    cases = [
        (server.url("missing.ttl"), "HTTP 404"),
        (bad, "not valid Turtle"),
        ("http://127.0.0.1:9/catalog.ttl", "cannot reach http://127.0.0.1:9/catalog.ttl"),
        (tmp_path / "nowhere.json", "no such source file"),
    ]
    for source, message in cases:
        result = cli("harvest", source, "--catalog", empty_catalog, "--lang", "en")
        assert result.exit_code == 1, source
        assert message in result.output, result.output
        assert "Traceback" not in result.output
    assert [p.name for p in (empty_catalog / "datasets").iterdir() if p.name[0] != "."] == []


def test_harvest_refuses_a_bad_prefix(empty_catalog, cli):
    result = cli("harvest", FIXTURES / "catalog.ttl", "--catalog", empty_catalog, "--prefix", "A B")
    assert result.exit_code == 2


def test_harvested_dataset_in_dcat_has_its_source_and_remote_distributions(
    empty_catalog, cli, tmp_path
):
    import rdflib
    from rdflib.namespace import DCAT, DCTERMS

    assert cli("harvest", FIXTURES / "catalog.rdf", "--catalog", empty_catalog).exit_code == 0
    out = tmp_path / "site"
    build(empty_catalog, out)
    graph = rdflib.Graph()
    graph.parse(out / "catalog.ttl", format="turtle")
    dataset = rdflib.URIRef("https://data.province.example.cn/datasets/bike-docks/#dataset")
    if (dataset, None, None) not in graph:
        dataset = next(s for s in graph.subjects(DCTERMS.identifier, rdflib.Literal("B-JT-0007")))
    assert rdflib.URIRef("https://opendata.city-b.example.cn/dataset/bike-docks.html") in set(
        graph.objects(dataset, DCTERMS.source)
    )
    adms = rdflib.Namespace("http://www.w3.org/ns/adms#")
    skos = rdflib.Namespace("http://www.w3.org/2004/02/skos/core#")
    [ident] = graph.objects(dataset, adms.identifier)
    assert str(graph.value(ident, skos.notation)) == "B-JT-0007"
    urls = {str(graph.value(d, DCAT.accessURL)) for d in graph.objects(dataset, DCAT.distribution)}
    assert "https://opendata.city-b.example.cn/files/bike-docks.csv" in urls
    # the harvested catalog round-trips through harvest again: same title and source
    again = tmp_path / "again"
    cli(
        "new", "catalog", again, "--no-interactive", "--title", "再采集",
        "--base-url", "https://x.example.cn/", "--email", "x@example.cn",
    )  # fmt: skip
    assert cli("harvest", out / "catalog.jsonld", "--catalog", again).exit_code == 0
    assert descriptor(again, "bike-docks")["title"] == "公共自行车站点"


def test_download_turns_remote_csv_into_a_checked_local_resource(server, empty_catalog, cli):
    api = server.root / "api" / "3" / "action"
    api.mkdir(parents=True)
    files = server.root / "dataset" / "parking-lots" / "resource" / "1" / "download"
    files.mkdir(parents=True)
    (files / "parking.csv").write_text(
        "停车场,泊位数\n人民广场停车场,320\n火车站停车场,540\n", encoding="utf-8"
    )
    text = (FIXTURES / "package_search.json").read_text(encoding="utf-8")
    (api / "package_search").write_text(
        text.replace("https://ckan.example.org", server.url("").rstrip("/")), encoding="utf-8"
    )
    result = cli(
        "harvest", server.url("api/3/action/package_search"), "--catalog", empty_catalog,
        "--download", "--lang", "en",
    )  # fmt: skip
    assert "parking-lots: created; downloaded: ting-che-chang-lie-biao" in result.output
    # the JSON distribution of the other dataset is not CSV or XLSX: left as a link
    parking = descriptor(empty_catalog, "parking-lots")
    [local] = [r for r in parking["resources"] if "path" in r]
    assert local["path"].startswith("data/") and local["format"] == "csv"
    assert [f["title"] for f in local["schema"]["fields"]] == ["停车场", "泊位数"]
    assert (empty_catalog / "datasets" / "parking-lots" / local["path"]).is_file()
    assert [r["name"] for r in parking["resources"] if "url" in r] == ["ting-che-chang-jie-kou"]
    check = cli("check", "--catalog", empty_catalog, "--json")
    report = json.loads(check.stdout)
    assert report["errors"] == 0, report
