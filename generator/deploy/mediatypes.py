"""One table of what every file Kaifang writes is, and how it is served.

nginx, Caddy and ``kaifang serve`` all take their content types, compression and cache
rules from here, so what works locally works in production. Guessing (Python's
``mimetypes``, a server's default table) gets .atom, .jsonld, .ttl, .parquet and
Pagefind's files wrong or leaves them as application/octet-stream.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath

# suffix -> (content type, text: gets "; charset=utf-8" and precompressed siblings)
TYPES: dict[str, tuple[str, bool]] = {
    ".html": ("text/html", True),
    ".css": ("text/css", True),
    ".js": ("text/javascript", True),
    ".mjs": ("text/javascript", True),
    ".json": ("application/json", True),
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
    # Pagefind's index: compressed binary files, fetched by its script
    ".pagefind": ("application/wasm", False),
    ".pf_meta": ("application/octet-stream", False),
    ".pf_index": ("application/octet-stream", False),
    ".pf_fragment": ("application/octet-stream", False),
    ".pf_filter": ("application/octet-stream", False),
}
DEFAULT_TYPE = "application/octet-stream"

# Files below this size are sent as they are: a compressed copy saves less than a packet.
COMPRESS_MIN_BYTES = 1024

# Content-hashed files (their name changes whenever their content does) may be cached for
# a year; everything else is revalidated with ETag / Last-Modified on every use.
LONG_CACHE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
_HASHED = re.compile(
    r"^pagefind/(?:fragment|index|filter)/[^/]+_[0-9a-f]+\.pf_|^pagefind/[^/]+_[0-9a-f]+\.pf_meta$"
)

# The site's own scripts are files under /static/ and /pagefind/; Pagefind compiles
# WebAssembly ('wasm-unsafe-eval') and runs a worker from its own folder. Pages carry no
# inline script or style attribute (schema.org JSON-LD is data, which CSP does not block).
CSP = (
    "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; "
    "img-src 'self' data:; font-src 'self'; connect-src 'self'; worker-src 'self'; "
    "object-src 'none'; base-uri 'self'; form-action 'self' https: mailto:; "
    "frame-ancestors 'none'"
)
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


def cache_control(path: str) -> str:
    """Cache-Control for a file at ``path`` (relative to the site root, POSIX)."""
    return LONG_CACHE if _HASHED.search(path) else REVALIDATE
