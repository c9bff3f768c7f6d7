"""One table of what every file Kaifang writes is, and how it is served.

nginx, Caddy and ``kaifang serve`` all take their content types, compression and cache
rules from here, so what works locally works in production. Guessing (Python's
``mimetypes``, a server's default table) gets .atom, .jsonld, .ttl, .parquet and
the search index's files wrong or leaves them as application/octet-stream.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath
from urllib.parse import urlsplit

# suffix -> (content type, text: gets "; charset=utf-8" and precompressed siblings)
TYPES: dict[str, tuple[str, bool]] = {
    ".html": ("text/html", True),
    ".css": ("text/css", True),
    ".js": ("text/javascript", True),
    ".mjs": ("text/javascript", True),
    ".json": ("application/json", True),
    ".geojson": ("application/geo+json", True),
    ".jsonld": ("application/ld+json", True),
    ".ttl": ("text/turtle", True),
    ".xml": ("application/xml", True),
    ".atom": ("application/atom+xml", True),
    ".csv": ("text/csv", True),
    ".txt": ("text/plain", True),
    ".md": ("text/markdown", True),
    ".svg": ("image/svg+xml", True),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", False),
    ".zip": ("application/zip", False),
    ".parquet": ("application/vnd.apache.parquet", False),
    ".png": ("image/png", False),
    ".ico": ("image/x-icon", False),
    ".woff2": ("font/woff2", False),
    ".wasm": ("application/wasm", False),
    # the search index's shards and facet tables: gzip inside, opened by search-core.js
    ".bin": ("application/octet-stream", False),
}
DEFAULT_TYPE = "application/octet-stream"

# Text files of at least this size get precompressed siblings (.gz, .br: deploy/compress.py
# says why this size). Smaller text files from ON_THE_FLY_MIN_BYTES up are compressed by
# the server per request (nginx `gzip on`, Caddy `encode gzip`) at ON_THE_FLY_GZIP_LEVEL,
# which gives the bytes libdeflate's level 6 gives them; below that nothing is compressed
# (a compressed copy saves less than a packet).
COMPRESS_MIN_BYTES = 14 * 1024
ON_THE_FLY_MIN_BYTES = 1024
ON_THE_FLY_GZIP_LEVEL = 5

# Content-hashed files (a hash of their content in the name, e.g. vendor.3f2a…e1c0.js: the
# name changes whenever the content does) may be cached for a year; everything else is
# revalidated with ETag / Last-Modified on every use. The search index (search-index/) is
# not content-hashed: its meta.json names its shards by number, so it is revalidated.
LONG_CACHE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
HASHED_NAME = r"[._-][0-9a-f]{16,}\.[A-Za-z0-9]+$"
_HASHED = re.compile(HASHED_NAME)

# The site's own scripts are files under /static/; pages carry no inline script, handler
# or style attribute (schema.org JSON-LD and the search page's JSON configuration are
# data blocks, which CSP does not block); the search index is fetched from the site.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self' https: mailto:; frame-ancestors 'none'"
)


def tile_source(tiles: str) -> str:
    """The CSP source of a basemap's tile URL template (site.yaml ``map.tiles``):
    ``https://{s}.tile.example/{z}/{x}/{y}.png`` gives ``https://*.tile.example``."""
    host = urlsplit(tiles.replace("{", "%7B").replace("}", "%7D")).netloc
    labels = host.split(".")
    braced = [i for i, label in enumerate(labels) if "%7B" in label]
    if braced:
        labels = ["*", *labels[braced[-1] + 1 :]]
    return "https://" + ".".join(labels)


def security_headers(tiles: str = "") -> dict[str, str]:
    """The headers of every response; a basemap's tile host joins img-src."""
    if not tiles:
        return SECURITY_HEADERS
    csp = CSP.replace("img-src 'self' data:", f"img-src 'self' data: {tile_source(tiles)}")
    return {**SECURITY_HEADERS, "Content-Security-Policy": csp}


SECURITY_HEADERS: dict[str, str] = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
}
# The internal sharing catalog (--audience share) is for the government network only.
SHARE_HEADERS: dict[str, str] = {"X-Robots-Tag": "noindex, nofollow"}
PRIVATE_NETWORKS = ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "127.0.0.0/8", "::1")


def suffix_of(path: str) -> str:
    return PurePosixPath(path).suffix.lower()


def content_type(path: str) -> str:
    """The Content-Type header for a file of the site, with the charset of text files."""
    kind, text = TYPES.get(suffix_of(path), (DEFAULT_TYPE, False))
    return f"{kind}; charset=utf-8" if text else kind


def compressible(path: str) -> bool:
    return TYPES.get(suffix_of(path), (DEFAULT_TYPE, False))[1]


def text_types() -> list[str]:
    """The content types of the text files: the ones a server compresses on the fly."""
    return sorted({kind for kind, text in TYPES.values() if text})


def cache_control(path: str) -> str:
    """Cache-Control for a file at ``path`` (relative to the site root, POSIX)."""
    return LONG_CACHE if _HASHED.search(path) else REVALIDATE
