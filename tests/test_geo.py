"""Coordinates: which fields hold points (catalog/geo.py), and the GeoJSON download
(data/geojson.py): valid RFC 7946, the same bytes in every build, only published fields."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from generator.build import build
from generator.catalog.geo import GeoColumns, detect, map_config, point_of
from generator.data.geojson import write_geojson
from generator.deploy.mediatypes import security_headers, tile_source
from generator.model import FieldInfo, Text

from .conftest import CatalogFactory, dataset_yaml
from .test_publishing import LEGAL, SMALL_GROUPS, derivative_yaml


def f(name: str, type_: str = "string", title: str = "", **raw: object) -> FieldInfo:
    return FieldInfo(name, type_, title, raw={"name": name, "type": type_, **raw})


# --- detection -------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["default", "array", "object"])
def test_geopoint_in_each_table_schema_format(fmt: str):
    extra = {} if fmt == "default" else {"format": fmt}
    fields = [f("name"), f("where", "geopoint", **extra)]
    assert detect(fields) == GeoColumns(point="where", point_format=fmt)


def test_pair_by_english_name():
    fields = [f("id"), f("lng", "number"), f("latitude", "number")]
    assert detect(fields) == GeoColumns(lon="lng", lat="latitude")


def test_pair_by_chinese_title_with_a_unit():
    fields = [f("x1", "number", "经度（度）"), f("y1", "number", "纬度"), f("n", "string", "名称")]
    assert detect(fields) == GeoColumns(lon="x1", lat="y1")


def test_no_coordinates():
    assert detect([f("name"), f("count", "integer")]) is None
    # a longitude alone is no point; text-typed coordinates are not declared as numbers
    assert detect([f("lon", "number"), f("name")]) is None
    assert detect([f("lon", "string"), f("lat", "string")]) is None


def test_declared_key_chooses_or_switches_off():
    fields = [f("lon", "number"), f("lat", "number"), f("east", "number"), f("north", "number")]
    assert detect(fields, False) is None
    assert detect(fields, {"lon": "east", "lat": "north"}) == GeoColumns(lon="east", lat="north")
    assert detect(fields, {"lon": "east", "lat": "nowhere"}) is None  # reported by the check


@pytest.mark.parametrize(
    ("columns", "row", "point"),
    [
        (GeoColumns(lon="x", lat="y"), ["87.5", "43.8"], (87.5, 43.8)),
        (GeoColumns(lon="x", lat="y"), ["187.5", "43.8"], None),  # out of range
        (GeoColumns(lon="x", lat="y"), ["87.5", "-91"], None),
        (GeoColumns(lon="x", lat="y"), ["", "43.8"], None),
        (GeoColumns(lon="x", lat="y"), ["nan", "43.8"], None),
        (GeoColumns(point="x"), ["87.5, 43.8", ""], (87.5, 43.8)),
        (GeoColumns(point="x", point_format="array"), ["[87.5, 43.8]", ""], (87.5, 43.8)),
        (
            GeoColumns(point="x", point_format="object"),
            ['{"lon": 87.5, "lat": 43.8}', ""],
            (87.5, 43.8),
        ),
        (GeoColumns(point="x", point_format="object"), ['{"lon": "a"}', ""], None),
        (GeoColumns(point="x", point_format="array"), ["not json", ""], None),
    ],
)
def test_points_out_of_range_or_unreadable_are_none(columns, row, point):
    assert point_of(columns, ["x", "y"], row) == point


def test_map_config_needs_tiles():
    assert map_config(None) is None
    config = map_config(
        {
            "tiles": "https://tiles.example/{z}/{x}/{y}.png",
            "attribution": {"zh": "底图", "en": "Map"},
        }
    )
    assert (
        config is not None and config.attribution == Text("底图", "Map") and config.max_zoom == 18
    )


# --- GeoJSON -----------------------------------------------------------------------------------

STATION_FIELDS = """\
- {name: station, type: string, title: 站点名称}
- {name: bikes, type: integer, title: 车辆数}
- {name: lon, type: number, title: 经度}
- {name: lat, type: number, title: 纬度}
"""
STATION_CSV = (
    "station,bikes,lon,lat\n"
    "人民广场,12,87.61,43.79\n"
    "错误坐标,3,200,43.7\n"
    "空坐标,4,,\n"
    '"湖滨,东门",0,87.6000,43.8\n'
)


def test_geojson_is_valid_and_counts_skipped_rows(tmp_path: Path):
    src = tmp_path / "rows.csv"
    src.write_text(STATION_CSV, encoding="utf-8")
    fields = (
        f("station", title="站点名称"),
        f("bikes", "integer"),
        f("lon", "number"),
        f("lat", "number"),
    )
    summary = write_geojson(src, tmp_path / "a.geojson", fields, GeoColumns(lon="lon", lat="lat"))
    doc = json.loads((tmp_path / "a.geojson").read_text("utf-8"))
    assert doc["type"] == "FeatureCollection" and "crs" not in doc  # RFC 7946: WGS 84 only
    assert [x["geometry"] for x in doc["features"]] == [
        {"type": "Point", "coordinates": [87.61, 43.79]},
        {"type": "Point", "coordinates": [87.6, 43.8]},
    ]
    assert doc["features"][1]["properties"] == {
        "station": "湖滨,东门",
        "bikes": 0,
        "lon": 87.6,
        "lat": 43.8,
    }
    assert (summary.features, summary.skipped, summary.label) == (2, 2, "station")
    assert summary.sample == [["人民广场", "87.61", "43.79"], ["湖滨,东门", "87.6", "43.8"]]
    write_geojson(src, tmp_path / "b.geojson", fields, GeoColumns(lon="lon", lat="lat"))
    assert (tmp_path / "a.geojson").read_bytes() == (tmp_path / "b.geojson").read_bytes()


def test_built_geojson_is_listed_and_deterministic(catalog: CatalogFactory, tmp_path: Path):
    catalog.dataset("bikes", csv_text=STATION_CSV, fields=STATION_FIELDS)
    catalog.dataset("plain")  # no coordinates: no GeoJSON
    first, second = tmp_path / "one", tmp_path / "two"
    build(catalog.root, first)
    build(catalog.root, second)
    path = Path("datasets/bikes/rows.geojson")
    assert (first / path).read_bytes() == (second / path).read_bytes()
    assert not list((first / "datasets" / "plain").glob("*.geojson"))
    api = json.loads((first / "api/v1/datasets/bikes.json").read_text("utf-8"))
    formats = {d["format"]: d["media_type"] for r in api["resources"] for d in r["downloads"]}
    assert formats["geojson"] == "application/geo+json"
    assert "application/geo+json" in (first / "catalog.jsonld").read_text("utf-8")
    page = (first / "datasets/bikes/index.html").read_text("utf-8")
    assert "rows.geojson" in page


def test_geo_key_naming_a_missing_field_is_an_error(catalog: CatalogFactory, cli):
    descriptor = dataset_yaml("bikes", fields=STATION_FIELDS).replace(
        "    format: csv\n", "    format: csv\n    geo: {lon: lon, lat: latitude}\n"
    )
    catalog.dataset("bikes", csv_text=STATION_CSV, descriptor=descriptor)
    result = cli("check", "--catalog", catalog.root)
    assert result.exit_code == 1
    assert "geo.lat 指定的字段 latitude 不在本资源发布的字段中" in result.output


def test_geo_false_switches_the_map_off(catalog: CatalogFactory, tmp_path: Path):
    descriptor = dataset_yaml("bikes", fields=STATION_FIELDS).replace(
        "    format: csv\n", "    format: csv\n    geo: false\n"
    )
    catalog.dataset("bikes", csv_text=STATION_CSV, descriptor=descriptor)
    build(catalog.root, tmp_path / "site")
    assert not (tmp_path / "site/datasets/bikes/rows.geojson").exists()


def test_derivative_geojson_holds_only_published_fields(catalog: CatalogFactory, tmp_path: Path):
    source_fields = (
        STATION_FIELDS + "- {name: keeper, type: string, title: 管理员, sensitive: name}\n"
    )
    source_csv = "station,bikes,lon,lat,keeper\n人民广场,12,87.61,43.79,欧阳明华\n"
    catalog.dataset(
        "stations",
        csv_text=source_csv,
        descriptor=dataset_yaml("stations", "非开放", fields=source_fields, extra=LEGAL),
    )
    rules = """\
{name: station, desensitise: keep}
{name: bikes, desensitise: drop}
{name: lon, desensitise: keep}
{name: lat, desensitise: keep}
{name: keeper, desensitise: drop}
"""
    catalog.dataset(
        "stations-open",
        descriptor=derivative_yaml(rules, "stations-open", "stations", SMALL_GROUPS),
    )
    out = tmp_path / "site"
    build(catalog.root, out)
    assert not list((out / "datasets" / "stations").glob("*.geojson"))  # closed: nothing
    doc = json.loads((out / "datasets/stations-open/rows.geojson").read_text("utf-8"))
    assert [x["properties"] for x in doc["features"]] == [
        {"station": "人民广场", "lon": 87.61, "lat": 43.79}
    ]


# --- a basemap from site.yaml ------------------------------------------------------------------

OSM = "https://{s}.tile.example.org/{z}/{x}/{y}.png"


@pytest.mark.parametrize(
    ("tiles", "source"),
    [
        (OSM, "https://*.tile.example.org"),
        (
            "https://t{s}.tianditu.gov.cn/vec_w/wmts?x={x}&y={y}&l={z}&tk=K",
            "https://*.tianditu.gov.cn",
        ),
        ("https://tiles.example.cn/{z}/{x}/{y}.png", "https://tiles.example.cn"),
    ],
)
def test_tile_host_becomes_a_csp_source(tiles: str, source: str):
    assert tile_source(tiles) == source
    csp = security_headers(tiles)["Content-Security-Policy"]
    assert f"img-src 'self' data: {source};" in csp
    assert "img-src 'self' data:;" in security_headers("")["Content-Security-Policy"]


def test_basemap_reaches_the_page_and_the_server_configs(catalog: CatalogFactory, tmp_path: Path):
    site = catalog.root / "site.yaml"
    site.write_text(
        site.read_text("utf-8")
        + f"map:\n  tiles: '{OSM}'\n  attribution: {{zh: © 地图贡献者, en: © map contributors}}\n",
        "utf-8",
    )
    catalog.dataset("bikes", csv_text=STATION_CSV, fields=STATION_FIELDS)
    out = tmp_path / "site"
    build(catalog.root, out)

    def config(page: str) -> dict:
        text = (out / page).read_text("utf-8")
        return json.loads(text.split('id="map-config-rows">')[1].split("</script>")[0])

    zh, en = config("datasets/bikes/index.html"), config("en/datasets/bikes/index.html")
    assert zh["tiles"] == OSM and zh["attribution"] == "© 地图贡献者"
    assert en["attribution"] == "© map contributors"
    for name in ("nginx.conf", "Caddyfile"):
        text = (tmp_path / "deploy" / name).read_text("utf-8")
        assert "img-src 'self' data: https://*.tile.example.org;" in text


def test_basemap_without_https_is_refused(catalog: CatalogFactory, cli):
    site = catalog.root / "site.yaml"
    site.write_text(
        site.read_text("utf-8") + "map: {tiles: 'http://tiles.example/{z}/{x}/{y}.png', "
        "attribution: 底图}\n",
        "utf-8",
    )
    catalog.dataset("bikes", csv_text=STATION_CSV, fields=STATION_FIELDS)
    result = cli("check", "--catalog", catalog.root)
    assert result.exit_code == 1
    assert "map.tiles" in result.output and "Traceback" not in result.output


def test_audit_reads_the_geojson(catalog: CatalogFactory, cli, tmp_path: Path):
    """A closed value that reached a GeoJSON file (escaped as JSON writes it) is a finding."""
    from .test_audit import CLOSED_ADDRESS, write_catalog

    write_catalog(catalog)
    catalog.dataset("bikes", csv_text=STATION_CSV, fields=STATION_FIELDS)
    out = tmp_path / "site"
    assert cli("build", "--catalog", catalog.root, "--out", out).exit_code == 0
    assert cli("audit", out, "--catalog", catalog.root).exit_code == 0
    target = out / "datasets/bikes/rows.geojson"
    doc = json.loads(target.read_text("utf-8"))
    doc["features"][0]["properties"]["station"] = CLOSED_ADDRESS
    target.write_text(json.dumps(doc), encoding="utf-8")  # \uXXXX escapes
    result = cli("audit", out, "--catalog", catalog.root)
    assert result.exit_code == 1
    assert "datasets/bikes/rows.geojson" in result.output and "数据集 relief" in result.output
    assert CLOSED_ADDRESS not in result.output


def test_too_many_points_gives_the_list_and_no_map(
    catalog: CatalogFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    import generator.data.geojson

    monkeypatch.setattr(generator.data.geojson, "MAP_MAX_POINTS", 1)
    catalog.dataset("bikes", csv_text=STATION_CSV, fields=STATION_FIELDS)
    out = tmp_path / "site"
    build(catalog.root, out, use_cache=False)
    page = (out / "datasets/bikes/index.html").read_text("utf-8")
    assert "map-canvas" not in page and "点位超过 1 个" in page
    assert "<td>人民广场</td>" in page  # the list stays
