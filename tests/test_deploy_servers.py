"""The site behind real web servers: Debian's nginx and Caddy with the configurations the
build writes, and `kaifang serve`, answer with the right types, compression, caching,
Range requests, 404 pages and security headers."""

from __future__ import annotations

import gzip
import shutil
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import brotli
import pytest

from generator.audit import audit
from generator.build import build
from generator.catalog.loader import load_catalog
from generator.deploy.compress import brotli_bytes, gzip_bytes
from generator.deploy.mediatypes import COMPRESS_MIN_BYTES, CSP, ON_THE_FLY_MIN_BYTES
from generator.deploy.servers import deploy_dir

from .servers import run_caddy, run_nginx
from .test_audit import CLOSED_ADDRESS, write_catalog


def fetch(url: str, **headers: str) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers=headers)
    try:
        response = urllib.request.urlopen(request, timeout=10)
    except urllib.error.HTTPError as error:
        response = error
    with response:
        return response.status, {k.lower(): v for k, v in response.headers.items()}, response.read()


@pytest.fixture(scope="module")
def served(demo_site: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the demo site with one content-hashed file added (the demo has none)."""
    site = tmp_path_factory.mktemp("served") / "site"
    shutil.copytree(demo_site, site)
    (site / HASHED.lstrip("/")).write_text("export const x = 1;\n", encoding="utf-8")
    return site


@pytest.fixture(scope="module")
def nginx_url(served: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with run_nginx(served, tmp_path_factory.mktemp("nginx")) as url:
        yield url


@pytest.fixture(scope="module")
def caddy_url(served: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with run_caddy(served, tmp_path_factory.mktemp("caddy")) as url:
        yield url


# Files of every kind the demo writes, with the type a server must give them.
TYPES = {
    "/": "text/html; charset=utf-8",
    "/feed.atom": "application/atom+xml; charset=utf-8",
    "/catalog.jsonld": "application/ld+json; charset=utf-8",
    "/catalog.ttl": "text/turtle; charset=utf-8",
    "/data.json": "application/json; charset=utf-8",
    "/sitemap.xml": "application/xml; charset=utf-8",
    "/robots.txt": "text/plain; charset=utf-8",
    "/static/kaifang.css": "text/css; charset=utf-8",
    "/static/search.js": "text/javascript; charset=utf-8",
    "/static/favicon.svg": "image/svg+xml; charset=utf-8",
    "/datasets/bus-lines/bus-lines.csv": "text/csv; charset=utf-8",
    "/datasets/bus-lines/bus-lines.xlsx": (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    ),
    "/datasets/bus-lines/bus-lines.zip": "application/zip",
    "/search-index/zh/meta.json": "application/json; charset=utf-8",
    "/search-index/zh/s/0.bin": "application/octet-stream",
}
HASHED = "/static/vendor.0123456789abcdef.js"  # a content-hashed name, as vendored JS has


@pytest.fixture(params=["nginx", "caddy"])
def server(request: pytest.FixtureRequest) -> str:
    return request.getfixturevalue(f"{request.param}_url")


def test_content_types_of_every_kind_of_file(server: str):
    for path, expected in TYPES.items():
        status, headers, _ = fetch(server + path)
        assert status == 200, path
        assert headers["content-type"] == expected, path
        assert headers["x-content-type-options"] == "nosniff"


def test_precompressed_siblings_are_negotiated(server: str, demo_site: Path):
    path = "/datasets/bus-lines/"
    page = (demo_site / "datasets/bus-lines/index.html").read_bytes()
    assert len(page) >= COMPRESS_MIN_BYTES  # a page with siblings
    status, headers, body = fetch(server + path, **{"Accept-Encoding": "br"})
    assert (status, headers["content-encoding"]) == (200, "br")
    assert brotli.decompress(body) == page
    assert "accept-encoding" in headers.get("vary", "").lower()
    status, headers, body = fetch(server + path, **{"Accept-Encoding": "gzip"})
    assert (status, headers["content-encoding"]) == (200, "gzip")
    assert body == (demo_site / "datasets/bus-lines/index.html.gz").read_bytes()
    status, headers, body = fetch(server + path, **{"Accept-Encoding": "identity"})
    assert "content-encoding" not in headers and body == page
    assert headers["content-type"] == "text/html; charset=utf-8"


def test_small_text_files_are_compressed_on_the_fly(server: str, demo_site: Path):
    """Below COMPRESS_MIN_BYTES a text file has no siblings: the server gzips it per
    request, so a browser gets it compressed as before; a tiny one is sent as it is."""
    small = {"/": "index.html", "/en/": "en/index.html", "/robots.txt": "robots.txt"}
    for path, rel in small.items():
        data = (demo_site / rel).read_bytes()
        assert not (demo_site / (rel + ".gz")).exists(), rel
        status, headers, body = fetch(server + path, **{"Accept-Encoding": "gzip, br"})
        assert status == 200, path
        if len(data) >= ON_THE_FLY_MIN_BYTES:
            assert headers.get("content-encoding") == "gzip", path
            assert gzip.decompress(body) == data, path
            assert "accept-encoding" in headers.get("vary", "").lower()
        else:
            assert "content-encoding" not in headers and body == data, path
    assert len((demo_site / "index.html").read_bytes()) >= ON_THE_FLY_MIN_BYTES
    _, headers, body = fetch(server + "/", **{"Accept-Encoding": "identity"})
    assert "content-encoding" not in headers and body == (demo_site / "index.html").read_bytes()


def test_data_downloads_are_sent_gzip_to_every_client(server: str, demo_site: Path):
    """A CSV or a resource's JSON has a .gz and no .br (scripts fetch them, with gzip): a
    browser asking for either gets the gzip copy; the map's GeoJSON keeps its brotli."""
    for rel in ("datasets/bus-lines/bus-lines.csv", "datasets/bus-lines/bus-lines.json"):
        assert not (demo_site / (rel + ".br")).exists(), rel
        status, headers, body = fetch(server + "/" + rel, **{"Accept-Encoding": "br, gzip"})
        assert (status, headers.get("content-encoding")) == (200, "gzip"), rel
        assert body == (demo_site / (rel + ".gz")).read_bytes(), rel
    rel = "datasets/bus-lines/bus-stops.geojson"
    status, headers, body = fetch(server + "/" + rel, **{"Accept-Encoding": "br, gzip"})
    assert (status, headers.get("content-encoding")) == (200, "br")
    assert brotli.decompress(body) == (demo_site / rel).read_bytes()


def test_range_request_is_answered_206(server: str, demo_site: Path):
    data = (demo_site / "datasets" / "bus-lines" / "bus-lines.csv").read_bytes()
    status, headers, body = fetch(
        server + "/datasets/bus-lines/bus-lines.csv",
        Range="bytes=10-29",
        **{"Accept-Encoding": "identity"},
    )
    assert status == 206
    assert headers["content-range"] == f"bytes 10-29/{len(data)}"
    assert body == data[10:30]
    status, headers, body = fetch(server + "/datasets/bus-lines/bus-lines.xlsx", Range="bytes=-4")
    assert status == 206 and len(body) == 4


def test_missing_pages_get_the_404_page_of_their_language(server: str):
    status, headers, body = fetch(server + "/datasets/no-such-dataset/")
    assert status == 404 and "页面不存在" in body.decode()
    assert headers["content-type"] == "text/html; charset=utf-8"
    status, _, body = fetch(server + "/en/datasets/no-such-dataset/")
    assert status == 404 and "Page not found" in body.decode()


def test_cache_lifetimes(server: str, demo_site: Path):
    _, headers, _ = fetch(server + HASHED)
    assert headers["cache-control"] == "public, max-age=31536000, immutable"
    assert headers["content-security-policy"] == CSP
    for path in ("/", "/search-index/zh/meta.json", "/datasets/bus-lines/bus-lines.csv"):
        _, headers, _ = fetch(server + path)
        assert headers["cache-control"] == "no-cache", path
        assert headers["content-security-policy"] == CSP
        assert headers["referrer-policy"] == "strict-origin-when-cross-origin"
        assert "last-modified" in headers and "etag" in headers


def test_nginx_revalidates_with_etag(nginx_url: str):
    _, headers, _ = fetch(nginx_url + "/feed.atom")
    status, _, body = fetch(nginx_url + "/feed.atom", **{"If-None-Match": headers["etag"]})
    assert status == 304 and body == b""


def test_configs_are_written_beside_the_site_never_inside(demo_site: Path):
    folder = deploy_dir(demo_site)
    assert folder.parent == demo_site.parent
    assert {p.name for p in folder.iterdir()} == {"nginx.conf", "Caddyfile"}
    assert f"root {demo_site.resolve()};" in (folder / "nginx.conf").read_text()
    assert not list(demo_site.rglob("nginx.conf")) and not list(demo_site.rglob("Caddyfile"))


def test_internal_configuration_answers_private_networks_only():
    from generator.deploy.servers import caddyfile, nginx_config

    conf = nginx_config(Path("/srv/share"), "https://share.example.gov.cn/", internal=True)
    assert "allow 10.0.0.0/8;" in conf and "deny all;" in conf and "X-Robots-Tag" in conf
    assert "deny all" not in nginx_config(Path("/srv/site"), "https://data.example.gov.cn/")
    assert "respond @outside 403" in caddyfile(Path("/srv/share"), "https://x/", internal=True)


def test_precompressed_siblings_are_the_same_bytes_in_every_build(catalog, tmp_path: Path):
    write_catalog(catalog)
    one, two = tmp_path / "one" / "site", tmp_path / "two" / "site"
    build(catalog.root, one, use_cache=False)
    build(catalog.root, two, use_cache=True, cache_dir=tmp_path / "cache")
    build(catalog.root, two, use_cache=True, cache_dir=tmp_path / "cache")  # from the cache
    siblings = sorted(p.relative_to(one) for p in one.rglob("*") if p.suffix in (".gz", ".br"))
    assert any(p.suffix == ".br" for p in siblings) and any(p.suffix == ".gz" for p in siblings)
    for rel in siblings:
        assert (one / rel).read_bytes() == (two / rel).read_bytes(), rel
        original = (one / rel).with_suffix("").read_bytes()
        unpack = brotli.decompress if rel.suffix == ".br" else gzip.decompress
        assert unpack((one / rel).read_bytes()) == original
    assert gzip_bytes(b"x" * 5000) == gzip_bytes(b"x" * 5000)  # mtime 0: no clock inside


def test_the_audit_reads_brotli_siblings_like_the_page(catalog, tmp_path: Path):
    write_catalog(catalog)
    out = tmp_path / "site"
    build(catalog.root, out, use_cache=False)
    loaded, _ = load_catalog(catalog.root)
    assert audit(out, loaded).ok
    page = (out / "index.html").read_bytes() + f"<p>{CLOSED_ADDRESS}</p>".encode()
    (out / "index.html.br").write_bytes(brotli_bytes(page))
    (out / "en" / "index.html.br").write_bytes(b"not brotli at all")
    findings = audit(out, loaded).findings
    where = {(f.kind, f.output) for f in findings}
    assert ("leak", "index.html.br") in where
    assert ("unreadable", "en/index.html.br") in where


# --- kaifang serve: what works locally works in production ------------------------------


@pytest.fixture(scope="module")
def serve_url(demo_site: Path) -> Iterator[str]:
    from generator.authoring.serve import PreviewState, start_server

    server = start_server(demo_site, "127.0.0.1", 0, PreviewState())
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_serve_answers_like_the_production_server(serve_url: str, demo_site: Path):
    for path, expected in TYPES.items():
        status, headers, _ = fetch(serve_url + path)
        assert (status, headers["content-type"]) == (200, expected), path
        assert headers["content-security-policy"] == CSP
    data = (demo_site / "datasets" / "bus-lines" / "bus-lines.csv").read_bytes()
    status, headers, body = fetch(
        serve_url + "/datasets/bus-lines/bus-lines.csv", Range="bytes=5-14"
    )
    assert (status, body) == (206, data[5:15])
    assert headers["content-range"] == f"bytes 5-14/{len(data)}"
    status, headers, _ = fetch(serve_url + "/datasets/bus-lines/bus-lines.csv", Range="bytes=-3")
    assert status == 206 and headers["content-range"].startswith(f"bytes {len(data) - 3}-")
    status, headers, _ = fetch(
        serve_url + "/datasets/bus-lines/bus-lines.csv", Range=f"bytes={len(data)}-"
    )
    assert status == 416 and headers["content-range"] == f"bytes */{len(data)}"
    status, _, body = fetch(serve_url + "/en/nowhere/")
    assert status == 404 and "Page not found" in body.decode()


def test_parse_range():
    from generator.authoring.serve import parse_range

    assert parse_range("bytes=0-9", 100) == (0, 9)
    assert parse_range("bytes=90-", 100) == (90, 99)
    assert parse_range("bytes=-10", 100) == (90, 99)
    assert parse_range("bytes=50-500", 100) == (50, 99)
    assert parse_range("bytes=100-", 100) == (-1, -1)
    assert parse_range("bytes=0-1,5-6", 100) is None
    assert parse_range("items=0-1", 100) is None
    assert parse_range("bytes=9-2", 100) is None


def test_the_code_fingerprint_covers_every_stage():
    """A Kaifang upgrade (this one adds the compress stage) must not be taken for an
    up-to-date site: the cache's code fingerprint hashes the whole package, not only the
    folder of cache.py (it did after the move to runtime/)."""
    from generator.runtime import cache

    assert cache.PACKAGE == Path(cache.__file__).resolve().parent.parent
    assert (cache.PACKAGE / "deploy" / "compress.py").is_file()


def test_a_held_back_dataset_gets_siblings_of_the_page_shown(catalog, tmp_path: Path):
    """A held-back dataset's old page is shown with a notice: its .gz/.br are made from
    that page, not kept from the old version (a server would send them instead)."""
    catalog.dataset("buses", title="公交线路")
    catalog.dataset("stops", csv_text="line_id,stops\nL1,12\nL2,30\n", title="公交站点")
    out, cache = tmp_path / "site", tmp_path / "cache"
    build(catalog.root, out, cache_dir=cache)
    catalog.dataset("stops", csv_text="line_id,stops\nL1,十四\nL2,30\n", title="公交站点")
    result = build(catalog.root, out, cache_dir=cache)
    assert [h.dataset for h in result.held_back] == ["stops"]
    page = out / "datasets" / "stops" / "index.html"
    assert "本次更新未通过检查" in page.read_text(encoding="utf-8")
    assert brotli.decompress(page.with_name("index.html.br").read_bytes()) == page.read_bytes()
    assert gzip.decompress(page.with_name("index.html.gz").read_bytes()) == page.read_bytes()
