"""Small charts drawn at build time as inline SVG: no JavaScript, no CDN, no fonts to load.

Two shapes cover the portal: horizontal bars for categories (counts by publisher, by
value of a field) and columns for a time axis (records per month or year). Each chart is
an ``<svg role="img">`` with a title and a description for screen readers; the page
shows the same numbers in a table beside it, which remains the accessible source.
Colours come from CSS classes in kaifang.css, with fill attributes as a fallback.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Sequence
from functools import lru_cache

from markupsafe import Markup, escape

WIDTH = 480  # viewBox width; the SVG scales to its container
FONT = 13
BAR_ROW = 24
BRAND = "#0b4f8a"
INK = "#1f2933"
GRID = "#bcccdc"
MAX_LABEL_EM = 9.0


def text_width(text: str, size: float = FONT) -> float:
    """Approximate rendered width: CJK and full-width characters are 1 em, others 0.6."""
    return _ems(text) * size


# Labels and numbers recur across a site's charts (months, years, district names, counts):
# a third of drawing a chart was measuring them character by character.
@lru_cache(maxsize=8192)
def _ems(text: str) -> float:
    # Ambiguous-width characters (…, ·, ×) are as wide as CJK in the Chinese fonts
    return sum(1.0 if unicodedata.east_asian_width(ch) in "WFA" else 0.6 for ch in text)


@lru_cache(maxsize=8192)
def clip_label(text: str, max_em: float = MAX_LABEL_EM) -> str:
    if text_width(text, 1) <= max_em:
        return text
    out = ""
    for ch in text:
        if text_width(out + ch + "…", 1) > max_em:
            break
        out += ch
    return out + "…"


def nice_ceiling(value: float) -> float:
    """The smallest 1, 2 or 5 times a power of ten that is at least value."""
    if value <= 0:
        return 1
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if value <= step * power:
            return step * power
    return 10 * power


def format_number(value: float) -> str:
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.1f}"


# A chart without its title: the SVG's opening tag, and the rest of its lines after the
# title. Only the title depends on the page's language; a page worker draws the rest once
# for a dataset's pages in every language (render.chart_markup).
Drawing = tuple[str, str]


def _open(chart_id: str, height: float, desc: str) -> list[str]:
    return [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {height:.0f}" width="{WIDTH}" '
        f'height="{height:.0f}" role="img" aria-labelledby="{chart_id}-t {chart_id}-d" '
        f'xmlns="http://www.w3.org/2000/svg" focusable="false">',
        f'<desc id="{chart_id}-d">{escape(desc)}</desc>',
    ]


def _drawing(parts: list[str]) -> Drawing:
    return parts[0], "\n".join(parts[1:])


def titled(drawing: Drawing | None, title: str, chart_id: str) -> Markup:
    """The chart's SVG with its title (nothing for a chart without points)."""
    if drawing is None:
        return Markup("")
    head, rest = drawing
    return Markup(f'{head}\n<title id="{chart_id}-t">{escape(title)}</title>\n{rest}')


def describe(points: Sequence[tuple[str, float]], limit: int = 12) -> str:
    shown = "; ".join(f"{label}: {format_number(v)}" for label, v in points[:limit])
    more = f"; … (+{len(points) - limit})" if len(points) > limit else ""
    return shown + more


def bar_chart(points: Sequence[tuple[str, float]], title: str, chart_id: str) -> Markup:
    """Horizontal bars, one per category, labelled with the category and its value."""
    return titled(bar_drawing(points, chart_id), title, chart_id)


def bar_drawing(points: Sequence[tuple[str, float]], chart_id: str) -> Drawing | None:
    """:func:`bar_chart` without its title."""
    if not points:
        return None
    labels = [clip_label(label) for label, _ in points]
    label_w = min(max(text_width(label) for label in labels) + 8, WIDTH * 0.45)
    value_w = max(text_width(format_number(v)) for _, v in points) + 8
    plot_w = WIDTH - label_w - value_w
    top = max(v for _, v in points) or 1
    height = len(points) * BAR_ROW + 4
    parts = _open(chart_id, height, describe(points))
    for i, ((full, value), label) in enumerate(zip(points, labels, strict=True)):
        y = 2 + i * BAR_ROW
        w = max(plot_w * value / top, 1 if value else 0)
        mid = y + BAR_ROW / 2
        parts.append(
            f"<g><title>{escape(full)}: {format_number(value)}</title>"
            f'<text class="chart-label" x="{label_w - 6:.1f}" y="{mid:.1f}" '
            f'text-anchor="end" dominant-baseline="central" font-size="{FONT}" '
            f'fill="{INK}">{escape(label)}</text>'
            f'<rect class="chart-bar" x="{label_w:.1f}" y="{y + 4:.1f}" width="{w:.1f}" '
            f'height="{BAR_ROW - 8}" fill="{BRAND}"/>'
            f'<text class="chart-value" x="{label_w + w + 4:.1f}" y="{mid:.1f}" '
            f'dominant-baseline="central" font-size="{FONT}" fill="{INK}">'
            f"{format_number(value)}</text></g>"
        )
    parts.append("</svg>")
    return _drawing(parts)


def column_chart(points: Sequence[tuple[str, float]], title: str, chart_id: str) -> Markup:
    """Vertical columns along a time axis, with a few axis labels so none overlap."""
    return titled(column_drawing(points, chart_id), title, chart_id)


def column_drawing(points: Sequence[tuple[str, float]], chart_id: str) -> Drawing | None:
    """:func:`column_chart` without its title."""
    if not points:
        return None
    top = nice_ceiling(max(v for _, v in points))
    labels = [clip_label(label) for label, _ in points]
    longest = max(text_width(label) for label in labels) + 8
    # Axis labels are centred under their columns: the first needs half its width on the
    # left (持续扩大 lost the left of 持 when the margin held only the value axis), the
    # last the same on the right.
    axis = max(text_width(format_number(top * frac)) for frac in (0, 0.5, 1))  # 0.5 of 1
    left = max(axis + 8, longest / 2)
    bottom = 22
    plot_h = 160
    height = plot_h + bottom + 8
    right = longest / 2
    plot_w = WIDTH - left - right
    n = len(points)
    slot = plot_w / n
    gap = min(slot * 0.2, 4)
    every = max(1, math.ceil(n / max(1, int(plot_w // longest))))
    parts = _open(chart_id, height, describe(points))
    for frac in (0, 0.5, 1):
        y = 8 + plot_h * (1 - frac)
        parts.append(
            f'<line class="chart-grid" x1="{left:.1f}" x2="{left + plot_w:.1f}" y1="{y:.1f}" '
            f'y2="{y:.1f}" stroke="{GRID}" stroke-width="1"/>'
            f'<text class="chart-label" x="{left - 4:.1f}" y="{y:.1f}" text-anchor="end" '
            f'dominant-baseline="central" font-size="{FONT}" fill="{INK}">'
            f"{format_number(top * frac)}</text>"
        )
    for i, ((full, value), label) in enumerate(zip(points, labels, strict=True)):
        h = plot_h * value / top
        x = left + i * slot + gap / 2
        parts.append(
            f'<rect class="chart-bar" x="{x:.1f}" y="{8 + plot_h - h:.1f}" '
            f'width="{max(slot - gap, 1):.1f}" height="{h:.1f}" fill="{BRAND}">'
            f"<title>{escape(full)}: {format_number(value)}</title></rect>"
        )
        if i % every == 0:
            parts.append(
                f'<text class="chart-label" x="{x + (slot - gap) / 2:.1f}" '
                f'y="{8 + plot_h + 15:.1f}" text-anchor="middle" font-size="{FONT}" '
                f'fill="{INK}">{escape(label)}</text>'
            )
    parts.append("</svg>")
    return _drawing(parts)
