"""Leaflet and its clustering plugin, copied from node_modules into the site with their
licences (no CDN: the portal must work offline and on hosts that forbid third parties).

A stand-in for the shared vendoring module of the table explorer (issue 20): it copies a
declared list of files, byte for byte, to ``static/vendor/<package>/``. node_modules is
the one beside the installed generator (``npm ci`` from package-lock.json), or
``$KAIFANG_NODE_MODULES``.
"""

from __future__ import annotations

import os
from pathlib import Path

from ..errors import KaifangError
from ..runtime.output import OutputTree

# leaflet.markercluster rather than supercluster: it is a Leaflet layer, so clusters are
# markers Leaflet already makes keyboard-reachable (Tab, Enter zooms in), with the
# spiderfier for points that share a place; supercluster only computes clusters and would
# leave drawing, focus and expansion to our own code.
MAP_ASSETS: tuple[tuple[str, str], ...] = (
    ("leaflet", "dist/leaflet.js"),
    ("leaflet", "dist/leaflet.css"),
    ("leaflet", "dist/images/layers.png"),
    ("leaflet", "dist/images/layers-2x.png"),
    ("leaflet", "dist/images/marker-icon.png"),
    ("leaflet", "dist/images/marker-icon-2x.png"),
    ("leaflet", "dist/images/marker-shadow.png"),
    ("leaflet", "LICENSE"),
    ("leaflet.markercluster", "dist/leaflet.markercluster.js"),
    ("leaflet.markercluster", "dist/MarkerCluster.css"),
    ("leaflet.markercluster", "MIT-LICENCE.txt"),
)


def node_modules() -> Path:
    override = os.environ.get("KAIFANG_NODE_MODULES")
    return Path(override) if override else Path(__file__).resolve().parents[2] / "node_modules"


def vendored_path(package: str, file: str) -> str:
    """Where a vendored file is published, relative to the site root."""
    return f"static/vendor/{package}/{file.removeprefix('dist/')}"


def copy_map_assets(out: OutputTree) -> None:
    root = node_modules()
    missing = [f"{p}/{f}" for p, f in MAP_ASSETS if not (root / p / f).is_file()]
    if missing:
        raise KaifangError(
            f"缺少地图所需的 JavaScript 库：{root}/{missing[0]}。请在项目目录运行 npm ci"
            "（make build 会自动运行），或用 KAIFANG_NODE_MODULES 指向 node_modules 目录。\n"
            f"missing the map's JavaScript library {root}/{missing[0]}: run `npm ci` in the "
            "project folder (make build does), or point KAIFANG_NODE_MODULES at node_modules."
        )
    for package, file in MAP_ASSETS:
        out.write_bytes(vendored_path(package, file), (root / package / file).read_bytes())
