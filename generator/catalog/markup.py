"""Catalog Markdown to safe HTML.

Publishers write README.md and descriptions; the result is sanitised with nh3 (the Rust
ammonia sanitiser) so script tags, event handlers and javascript: URLs never reach a page.
"""

from __future__ import annotations

import re

import markdown
import nh3

ALLOWED_TAGS = {
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "code",
    "dd",
    "del",
    "dl",
    "dt",
    "em",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "li",
    "ol",
    "p",
    "pre",
    "strong",
    "sub",
    "sup",
    "table",
    "tbody",
    "td",
    "th",
    "thead",
    "tr",
    "ul",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "th": {"align"}, "td": {"align"}}


def sanitise(html: str) -> str:
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )


def render_markdown(text: str) -> str:
    """Markdown to sanitised HTML; headings start at h2 because the page owns h1."""
    html = markdown.markdown(text, extensions=["tables", "sane_lists"], output_format="html")
    html = html.replace("<h1>", "<h2>").replace("</h1>", "</h2>")
    return sanitise(html)


UNSAFE_PATTERNS = (
    # tags that run code or change where the page loads things from
    re.compile(
        r"<\s*(?:script|iframe|frame|frameset|object|embed|applet|form|style|meta|link|base|svg|math)\b",
        re.IGNORECASE,
    ),
    # event handler attributes: <img src=x onerror=…>
    re.compile(r"<[a-zA-Z][^>]*?[\s/\"']on[a-zA-Z]+\s*=", re.IGNORECASE | re.DOTALL),
    # script URLs in Markdown links, autolinks and attributes (also with entities or spaces)
    re.compile(
        r"(?:j|&#0*106;|&#x0*6a;)\s*a\s*v\s*a\s*s\s*c\s*r\s*i\s*p\s*t\s*:|vbscript\s*:"
        r"|data\s*:\s*text/html",
        re.IGNORECASE,
    ),
)


def unsafe_html(text: str) -> list[tuple[int, str]]:
    """(line, snippet) of every script, event handler or script URL in Markdown source.

    The sanitiser removes all of them from pages anyway; this tells the publisher, so the
    check can fail instead of silently publishing a page that differs from the README.
    """
    found: dict[int, str] = {}
    for pattern in UNSAFE_PATTERNS:
        for match in pattern.finditer(text):
            line = text.count("\n", 0, match.start()) + 1
            snippet = text[match.start() : match.end() + 30].split("\n")[0]
            found.setdefault(line, snippet[:80])
    return sorted(found.items())
