"""Server configurations for a built site: nginx and Caddy, written beside the output.

``kaifang build --out site`` writes ``deploy/nginx.conf`` and ``deploy/Caddyfile`` in the
folder that holds ``site/`` (never inside it: the audit reads everything inside, and a
server configuration is not for the public). Both come from :mod:`.mediatypes`: the
content type of every file Kaifang writes, the precompressed siblings (and gzip per
request for the smaller text files, which have none), cache lifetimes, Range requests
(both servers answer them for static files), the 404 page of each language and the
security headers. The site is assumed to be at the root of its host name.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlparse

from .. import __version__
from .mediatypes import (
    DEFAULT_TYPE,
    HASHED_NAME,
    LONG_CACHE,
    ON_THE_FLY_GZIP_LEVEL,
    ON_THE_FLY_MIN_BYTES,
    PRIVATE_NETWORKS,
    REVALIDATE,
    SHARE_HEADERS,
    TYPES,
    security_headers,
    text_types,
)

DEPLOY_DIRNAME = "deploy"
BROTLI_NOTE = (
    "# .br files need nginx's brotli_static module: apt-get install libnginx-mod-http-brotli-static"
)
NOT_FOUND = {"zh": "/404/index.html", "en": "/en/404/index.html"}
HASHED_LOCATION = HASHED_NAME


def deploy_dir(out_dir: Path) -> Path:
    """Where the configurations of the site in out_dir go: beside it, not inside."""
    return out_dir.resolve().parent / DEPLOY_DIRNAME


def _host(base_url: str) -> str:
    return urlparse(base_url).hostname or "localhost"


def _headers(internal: bool, tiles: str = "") -> dict[str, str]:
    return {**security_headers(tiles), **(SHARE_HEADERS if internal else {})}


def nginx_config(
    root: Path,
    base_url: str,
    *,
    listen: str = "80",
    internal: bool = False,
    brotli: bool = True,
    tiles: str = "",
) -> str:
    """A ``server { }`` block for nginx's http context (e.g. in sites-enabled/).

    ``brotli``: serve the .br files (needs Debian's libnginx-mod-http-brotli-static).
    ``internal``: the sharing catalog, answered only on private networks and never indexed.
    """
    by_type: dict[str, list[str]] = {}
    for suffix, (kind, _text) in TYPES.items():
        by_type.setdefault(kind, []).append(suffix[1:])
    types = "\n".join(f"        {kind} {' '.join(exts)};" for kind, exts in by_type.items())
    # nginx always compresses text/html and warns when it is listed again
    compressed_types = [kind for kind in text_types() if kind != "text/html"]

    def headers(cache: str, indent: str) -> str:
        lines = [f'add_header Cache-Control "{cache}" always;']
        lines += [f'add_header {k} "{v}" always;' for k, v in _headers(internal, tiles).items()]
        return "\n".join(indent + line for line in lines)

    access = ""
    if internal:
        access = "".join(f"    allow {net};\n" for net in PRIVATE_NETWORKS) + "    deny all;\n"
    return f"""\
# nginx configuration written by Kaifang {__version__} (`kaifang build`); see README "Deployment".
# Include it in nginx's http block, e.g. as /etc/nginx/sites-enabled/kaifang.conf.
{BROTLI_NOTE if brotli else ""}
server {{
    listen {listen};
    server_name {_host(base_url)};
    root {root};
    index index.html;
{access}
    # Every file Kaifang writes, with its type; a `types` block replaces mime.types here.
    types {{
{types}
    }}
    default_type {DEFAULT_TYPE};
    charset utf-8;
    charset_types {" ".join(compressed_types)};

    # Precompressed siblings (page.html.gz, page.html.br) that the build wrote beside the
    # larger text files; the smaller ones are compressed per request.
    gzip_static on;
    gzip on;
    gzip_comp_level {ON_THE_FLY_GZIP_LEVEL};
    gzip_min_length {ON_THE_FLY_MIN_BYTES};
    gzip_types {" ".join(compressed_types)};
    gzip_vary on;
{"    brotli_static on;" if brotli else ""}
    etag on;
    server_tokens off;

    error_page 404 {NOT_FOUND["zh"]};

    location / {{
        try_files $uri $uri/ =404;
{headers(REVALIDATE, "        ")}
    }}
    location /en/ {{
        error_page 404 {NOT_FOUND["en"]};
        try_files $uri $uri/ =404;
{headers(REVALIDATE, "        ")}
    }}
    # Content-hashed names change with the content: a year in every cache is safe.
    location ~ "{HASHED_LOCATION}" {{
{headers(LONG_CACHE, "        ")}
    }}
}}
"""


def caddyfile(
    root: Path,
    base_url: str,
    *,
    internal: bool = False,
    address: str | None = None,
    tiles: str = "",
) -> str:
    """A Caddyfile site block with the same types, headers and 404 pages as nginx;
    ``address`` replaces the host name of base_url (Caddy then gets its certificate)."""
    lines = [
        f'# Caddyfile written by Kaifang {__version__} (`kaifang build`); see README "Deployment".',
        f"{address or _host(base_url)} {{",
        f"\troot * {root}",
    ]
    if internal:
        lines += [
            f"\t@outside not remote_ip {' '.join(PRIVATE_NETWORKS)}",
            "\trespond @outside 403",
        ]
    lines.append("\theader {")
    for key, value in _headers(internal, tiles).items():
        lines.append(f'\t\t{key} "{value}"')
    lines.append("\t}")
    # matchers that exclude each other: Caddy orders header directives by itself
    lines.append(f"\t@hashed path_regexp {HASHED_LOCATION}")
    lines.append(f'\theader @hashed Cache-Control "{LONG_CACHE}"')
    lines.append(f"\t@revalidated not path_regexp {HASHED_LOCATION}")
    lines.append(f'\theader @revalidated Cache-Control "{REVALIDATE}"')
    for suffix, (kind, text) in TYPES.items():
        name = "type_" + suffix[1:].replace("_", "")
        value = f"{kind}; charset=utf-8" if text else kind
        lines.append(f"\t@{name} path *{suffix}")
        lines.append(f'\theader @{name} Content-Type "{value}"')
    # the smaller text files, which have no precompressed siblings (a sibling that
    # file_server sends already has its Content-Encoding, and encode leaves it alone)
    lines += [
        "\tencode {",
        f"\t\tgzip {ON_THE_FLY_GZIP_LEVEL}",
        f"\t\tminimum_length {ON_THE_FLY_MIN_BYTES}",
        "\t\tmatch {",
        *(f"\t\t\theader Content-Type {kind}*" for kind in text_types()),
        "\t\t}",
        "\t}",
        "\tfile_server {",
        "\t\tprecompressed br gzip",
        "\t}",
        "\thandle_errors {",
        "\t\t@en path /en/*",
        f"\t\trewrite @en {NOT_FOUND['en']}",
        "\t\t@zh not path /en/*",
        f"\t\trewrite @zh {NOT_FOUND['zh']}",
        "\t\tfile_server",
        "\t}",
        "}",
    ]
    return "\n".join(lines) + "\n"


def write_server_configs(
    out_dir: Path, base_url: str, internal: bool = False, tiles: str = ""
) -> Path:
    """Write deploy/nginx.conf and deploy/Caddyfile beside out_dir; returns the folder.
    ``tiles``: the basemap's URL template (site.yaml ``map``), whose host the CSP allows."""
    folder = deploy_dir(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    root = out_dir.resolve()
    for name, text in (
        ("nginx.conf", nginx_config(root, base_url, internal=internal, tiles=tiles)),
        ("Caddyfile", caddyfile(root, base_url, internal=internal, tiles=tiles)),
    ):
        target = folder / name
        if not target.exists() or target.read_text(encoding="utf-8") != text:
            tmp = target.with_name(name + ".tmp")
            tmp.write_text(text, encoding="utf-8")
            tmp.replace(target)
    return folder
