"""Map benchmark (issue 20): a resource of N points, built and opened in headless Chromium.

    python bench/map_bench.py [--points 50000] [--points 5000 …]

For each size: a catalog of one open dataset with N stations (name, district, lon, lat) is
built; the GeoJSON's size (and gzipped, as nginx and Caddy send it) is printed, then the
dataset page is served from 127.0.0.1 (every other host blocked) and timed in Chromium
with an empty cache: from navigation to every point clustered on the map (map.js sets
``data-points``), the bytes the page fetched, and the time a click on a cluster takes to
show the next zoom level. 50,000 is the largest resource the page draws a map for
(generator/data/geojson.py MAP_MAX_POINTS).
"""

from __future__ import annotations

import argparse
import functools
import gzip
import http.server
import os
import random
import sys
import tempfile
import threading
import time
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from playwright.sync_api import sync_playwright  # noqa: E402

from bench.synth import DISTRICTS, publishers_yaml, site_yaml  # noqa: E402
from generator.build import build  # noqa: E402

CHROMIUM = os.environ.get("KAIFANG_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
KINDS = ["充电站", "公共自行车站", "公交站", "停车场", "公共厕所", "便民服务点"]


def make_catalog(root: Path, points: int, seed: int = 20) -> Path:
    rng = random.Random(seed)
    dump = {"allow_unicode": True, "sort_keys": False}
    (root / "datasets" / "stations" / "data").mkdir(parents=True)
    (root / "site.yaml").write_text(yaml.safe_dump(site_yaml(), **dump), encoding="utf-8")
    (root / "publishers.yaml").write_text(yaml.safe_dump(publishers_yaml(), **dump), "utf-8")
    lines = ["station_id,name,district,lon,lat"]
    for i in range(points):
        district = rng.choice(DISTRICTS)
        name = f"{district}{rng.choice(KINDS)}{i + 1:06d}号"
        lon, lat = 87.3 + rng.random() * 0.6, 43.6 + rng.random() * 0.45
        lines.append(f"S{i + 1:07d},{name},{district},{lon:.5f},{lat:.5f}")
    folder = root / "datasets" / "stations"
    (folder / "data" / "stations.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    fields = [
        {"name": "station_id", "type": "string", "title": "站点编号"},
        {"name": "name", "type": "string", "title": "站点名称"},
        {"name": "district", "type": "string", "title": "所属区县"},
        {"name": "lon", "type": "number", "title": "经度"},
        {"name": "lat", "type": "number", "title": "纬度"},
    ]
    descriptor = {
        "name": "stations",
        "title": "便民设施点位",
        "description": "全市便民设施的名称与坐标（合成数据，用于地图性能测试）",
        "publisher": site_publisher(),
        "theme": site_yaml()["themes"][0]["id"],
        "open_type": "无条件开放",
        "update_frequency": site_yaml()["frequencies"][0]["id"],
        "issued": "2024-01-01",
        "modified": "2026-11-20",
        "resources": [
            {
                "name": "stations",
                "title": "点位",
                "path": "data/stations.csv",
                "format": "csv",
                "schema": {"fields": fields, "primaryKey": ["station_id"]},
            }
        ],
    }
    (folder / "datapackage.yaml").write_text(yaml.safe_dump(descriptor, **dump), "utf-8")
    return root


def site_publisher() -> str:
    return publishers_yaml()[0]["id"]


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


def measure(site: Path, points: int) -> dict[str, float]:
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Quiet, directory=str(site))
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/datasets/stations/"
    outside: list[str] = []
    fetched = [0]
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            page = browser.new_context(viewport={"width": 1200, "height": 900}).new_page()

            def route(r, request):
                if request.url.startswith("http://127.0.0.1:"):
                    r.continue_()
                else:
                    outside.append(request.url)
                    r.abort()

            page.route("**/*", route)
            started = time.perf_counter()
            page.goto(url)
            page.wait_for_selector(f"#map-canvas-stations[data-points='{points}']", timeout=600_000)
            ready = time.perf_counter() - started
            fetched[0] = page.evaluate(
                "() => performance.getEntriesByType('navigation').concat("
                "performance.getEntriesByType('resource'))"
                ".reduce((sum, e) => sum + e.transferSize, 0)"
            )
            cluster = page.locator("#map-canvas-stations .map-cluster").first
            clicked = time.perf_counter()
            cluster.click()
            page.wait_for_function(
                "() => document.querySelectorAll('#map-canvas-stations .map-cluster, "
                "#map-canvas-stations .map-point').length > 0 && "
                "!document.querySelector('#map-canvas-stations .leaflet-zoom-anim')",
                timeout=60_000,
            )
            zoomed = time.perf_counter() - clicked
            browser.close()
    finally:
        server.shutdown()
        server.server_close()
    return {"ready": ready, "bytes": fetched[0], "zoom": zoomed, "outside": len(outside)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, action="append", help="default: 5000 and 50000")
    args = parser.parse_args()
    for points in args.points or [5_000, 50_000]:
        with tempfile.TemporaryDirectory(prefix="kaifang-map-bench-") as tmp:
            root = make_catalog(Path(tmp) / "catalog", points)
            out = Path(tmp) / "site"
            started = time.perf_counter()
            build(root, out, use_cache=False)
            built = time.perf_counter() - started
            geojson = (out / "datasets/stations/stations.geojson").read_bytes()
            figures = measure(out, points)
            print(
                f"{points:>7,} points: build {built:.1f} s; GeoJSON {len(geojson) / 1e6:.2f} MB "
                f"({len(gzip.compress(geojson, 6)) / 1e6:.2f} MB gzipped); "
                f"page to all points clustered {figures['ready']:.2f} s, "
                f"{figures['bytes'] / 1e6:.2f} MB fetched (uncompressed server); "
                f"cluster click to next zoom {figures['zoom']:.2f} s; "
                f"requests outside 127.0.0.1: {figures['outside']}",
                flush=True,
            )


if __name__ == "__main__":
    main()
