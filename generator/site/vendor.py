"""Third-party JavaScript the site runs, copied from node_modules into ``static/vendor/``.

No third-party code is committed to the repository: package.json names the npm packages
and their versions, ``npm ci`` installs them, and the build copies the files declared in
:data:`VENDORED` byte for byte into ``static/vendor/<package>/<file>``, each package with
its licence file beside it. node_modules is looked for in ``$KAIFANG_NODE_MODULES`` when
set, else at the root of the project the generator was installed from.

A missing file is an error, not a warning: a site built without it would differ from one
built on another machine from the same catalog, and the explorer's block on each dataset
page would point at a script that is not there.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from ..errors import KaifangError, Problem
from ..runtime.output import OutputTree

PROJECT_ROOT = Path(__file__).resolve().parent.parent.parent
VENDOR_DIR = "static/vendor"


@dataclass(frozen=True)
class Vendored:
    """Files of one npm package that the site serves, and the licence that goes with them."""

    package: str
    files: tuple[str, ...]  # paths inside the package, kept as they are under the vendor dir
    licence: str = "LICENSE"

    def url(self, file: str) -> str:
        """The file's path in the site, relative to the site root."""
        return f"{VENDOR_DIR}/{self.package}/{file}"


# hyparquet: every module that src/index.js reaches (src/node.js is left out: it imports
# Node's fs). The demo's Parquet is zstd, which hyparquet leaves to a decompressor: fzstd,
# pure JavaScript (hyparquet-compressors would add a WebAssembly snappy the CSP refuses).
HYPARQUET = Vendored(
    "hyparquet",
    tuple(
        f"src/{name}.js"
        for name in (
            "assemble bloom column constants convert datapage delta encoding filter "
            "geoparquet index indexes metadata plain plan query read rowgroup scan schema "
            "snappy thrift utils variant wkb xxhash"
        ).split()
    ),
)
FZSTD = Vendored("fzstd", ("esm/index.mjs",))

# The maps of resources with coordinates (templates/dataset/map.html). leaflet.markercluster
# rather than supercluster: it is a Leaflet layer, so its clusters are markers Leaflet already
# makes keyboard-reachable (Tab, Enter zooms in), with the spiderfier for points that share
# a place; supercluster only computes clusters and leaves drawing and focus to us.
# The images leaflet.css names are left out: they belong to the default marker icon and the
# layers control, which the maps do not use (points and clusters are CSS-drawn divIcons).
LEAFLET = Vendored("leaflet", ("dist/leaflet.js", "dist/leaflet.css"))
MARKERCLUSTER = Vendored(
    "leaflet.markercluster",
    ("dist/leaflet.markercluster.js", "dist/MarkerCluster.css"),
    licence="MIT-LICENCE.txt",
)

VENDORED: tuple[Vendored, ...] = (HYPARQUET, FZSTD, LEAFLET, MARKERCLUSTER)
# What static/explorer.js imports, for <link rel="modulepreload">: fetched at once instead
# of one level of imports after another (about 250 ms less to the first rows on localhost).
EXPLORER_MODULES: tuple[str, ...] = tuple(v.url(f) for v in (HYPARQUET, FZSTD) for f in v.files)


def node_modules() -> Path:
    """Where the npm packages are installed: ``$KAIFANG_NODE_MODULES`` or the project's own."""
    configured = os.environ.get("KAIFANG_NODE_MODULES")
    return Path(configured) if configured else PROJECT_ROOT / "node_modules"


def missing_files(vendored: tuple[Vendored, ...] = VENDORED) -> list[str]:
    """Declared files (licences included) not found in node_modules, as package/file."""
    root = node_modules()
    return [
        f"{v.package}/{name}"
        for v in vendored
        for name in (*v.files, v.licence)
        if not (root / v.package / name).is_file()
    ]


def require_vendored(vendored: tuple[Vendored, ...] = VENDORED) -> None:
    """Fail before anything is written when a declared file is not installed."""
    missing = missing_files(vendored)
    if not missing:
        return
    root = node_modules()
    shown = ", ".join(missing[:3]) + (f" (+{len(missing) - 3})" if len(missing) > 3 else "")
    raise KaifangError(
        f"缺少网站所需的 JavaScript 文件 / JavaScript files the site needs are missing: "
        f"{shown} in {root}",
        [
            Problem(
                code="vendor-missing",
                message=f"在 {root} 中找不到 {shown}",
                message_en=f"{shown} not found in {root}",
                file="package.json",
                expected="已安装的 npm 依赖 / the npm packages in package.json, installed",
                hint="在项目根目录运行 `npm ci`（或 `make build`），"
                "或将 KAIFANG_NODE_MODULES 设为已安装的 node_modules 目录",
                hint_en="run `npm ci` (or `make build`) in the project root, or set "
                "KAIFANG_NODE_MODULES to an installed node_modules folder",
            )
        ],
    )


def copy_vendored(out: OutputTree, vendored: tuple[Vendored, ...] = VENDORED) -> None:
    """Copy every declared file and each package's licence into the output, unchanged."""
    require_vendored(vendored)
    root = node_modules()
    for v in vendored:
        for name in (*v.files, v.licence):
            out.write_bytes(v.url(name), (root / v.package / name).read_bytes())
