"""Stage 6: files for bots: sitemap and robots.txt (feeds and catalogs grow here)."""

from __future__ import annotations

from xml.sax.saxutils import escape

from .model import Catalog
from .output import OutputTree


def write_sitemap(catalog: Catalog, out: OutputTree) -> None:
    base = catalog.site.base_url.rstrip("/") + "/"
    pages = sorted(p[: -len("index.html")] for p in out.files if p.endswith("index.html"))
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">',
    ]
    lines += [f"  <url><loc>{escape(base + p)}</loc></url>" for p in pages]
    lines.append("</urlset>")
    out.write_text("sitemap.xml", "\n".join(lines) + "\n")
    out.write_text("robots.txt", f"User-agent: *\nAllow: /\nSitemap: {base}sitemap.xml\n")


def write_feeds(catalog: Catalog, out: OutputTree) -> None:
    write_sitemap(catalog, out)
