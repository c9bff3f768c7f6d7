"""Parts of a dataset page written in Python rather than as template loops.

A dataset page's tables (the preview, the field summaries, each chart's numbers), its
related datasets and its table explorer's inputs have several expressions per cell, item or
field; as Jinja loops, each went through the template machinery (attribute lookups, a loop
context, one output call per value, a macro call per badge). Each function here gives the
same characters the loop gave (tests/test_dataset_markup.py renders the old loops and
compares): a value is written as the template writes ``{{ value }}``
(:func:`~.templating.escape_output`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from markupsafe import Markup, escape

from ..data.derive import ChartData, FieldSummary, PublishedResource
from ..i18n import translate
from ..policy import level_label
from .templating import escape_output, escape_text

if TYPE_CHECKING:
    from .reuse import Related

NUMERIC_TYPES = ("integer", "number", "year")  # right-aligned in tables

# A preview cell longer than this is cut with an ellipsis: one cell of a megabyte (a pasted
# document, a base64 image) would otherwise make every dataset page that size.
PREVIEW_CELL_CHARS = 200


def cut_cell(value: object) -> str:
    """A value as a page shows it: cut at PREVIEW_CELL_CHARS (the download has it whole)."""
    text = str(value)
    return text if len(text) <= PREVIEW_CELL_CHARS else text[:PREVIEW_CELL_CHARS] + "…"


# The preview rows made last in this process, by resource, each kept with its resource (so
# its id is not reused while it is here): a dataset's pages in every language show the
# same cells, only an empty cell's label is in the page's language.
_PREVIEWS: dict[int, tuple[PublishedResource, list[str]]] = {}


def preview_rows(res: PublishedResource, empty_label: str) -> Markup:
    """The body rows of a preview table (a fifth of a page's render as a template loop).

    The first cell is a row header when its field is the primary key; an empty cell says
    so to screen readers; numbers are right-aligned.
    """
    entry = _PREVIEWS.get(id(res))
    if entry is None or entry[0] is not res:
        if len(_PREVIEWS) >= 64:  # a few datasets' resources: tasks come a dataset at a time
            _PREVIEWS.clear()
        entry = _PREVIEWS[id(res)] = (res, _preview_pieces(res))
    empty = f'<td class="empty"><span class="visually-hidden">{escape(empty_label)}</span></td>'
    return Markup(empty.join(entry[1]))


def _preview_pieces(res: PublishedResource) -> list[str]:
    """The preview's rows as text, cut where an empty cell goes."""
    cells = []
    for i, f in enumerate(res.fields):
        if i == 0 and f.name in res.primary_key:
            cells.append(('<th scope="row">', "</th>"))
        else:
            cells.append(('<td class="num">' if f.type in NUMERIC_TYPES else "<td>", "</td>"))
    pieces = []
    parts = []
    # a cell's text goes through markupsafe's C escaper as escape() does, without the
    # Markup object escape() wraps around each (a fifth of this function's time)
    for row in res.preview:
        parts.append("<tr>")
        for i, value in enumerate(row):
            if i >= len(cells):
                break  # a row is never longer than the fields; the loop did the same
            if value == "" and not (i == 0 and cells[0][0].startswith("<th")):
                pieces.append("".join(parts))
                parts = []
            else:
                parts.append(cells[i][0] + escape_text(cut_cell(value)) + cells[i][1])
        parts.append("</tr>")
    pieces.append("".join(parts))
    return pieces


def summary_rows(res: PublishedResource, lang: str) -> Markup:
    """The body rows of a resource's field summary table: per field its title (and name),
    type, non-empty count (and share of the rows), distinct count, and range or most
    frequent values."""
    sep = "、" if lang == "zh" else ", "
    rows = res.rows
    return Markup("".join([_summary_row(s, rows, sep) for s in res.summaries]))


def _summary_row(s: FieldSummary, rows: int, sep: str) -> str:
    out = escape_output  # a Markup value comes back as it is: joined below as str
    head = f"{out(s.title or s.name)}"
    if s.title and s.title != s.name:
        head += f' <code lang="en">{out(s.name)}</code>'
    filled = f"{out(s.non_empty)}"
    if rows:
        filled += f' <span class="muted">({out("%.0f" % (s.non_empty / rows * 100))}%)</span>'
    distinct = f"{out(s.distinct)}{'+' if s.distinct_capped else ''}"
    if s.minimum:
        spread = f"{out(cut_cell(s.minimum))} ~ {out(cut_cell(s.maximum))}"
    else:
        spread = sep.join(
            [f'{out(cut_cell(value))} <span class="muted">({out(n)})</span>' for value, n in s.top]
        )
    return (
        f'<tr><th scope="row">{head}</th><td>{out(s.type)}</td><td class="num">{filled}</td>'
        f'<td class="num">{distinct}</td><td>{spread}</td></tr>'
    )


def chart_rows(chart: ChartData) -> Markup:
    """The body rows of the table beside a chart: each label and its count."""
    return Markup("".join([_point_row(label, n) for label, n in chart.points]))


def _point_row(label: object, n: object) -> str:
    return f'<tr><td>{escape_output(label)}</td><td class="num">{escape_output(n)}</td></tr>'


def related_items(related: Sequence[Related], lang: str, url: Callable[[str], str]) -> Markup:
    """The items of a dataset's related datasets: a link, the open type's badge (the
    ``badge`` macro of _macros.html, public audience) and why they are related."""
    out = escape_output
    tags_sep, why_sep = ("、", "；") if lang == "zh" else (", ", "; ")
    theme, publisher = translate("related_theme", lang), translate("related_publisher", lang)
    items = []
    for rel in related:
        why = []
        if rel.keywords:
            why.append(translate("related_keywords", lang, tags=tags_sep.join(rel.keywords)))
        if rel.fields:
            why.append(translate("related_fields", lang, fields=", ".join(rel.fields[:3])))
        if rel.same_theme:
            why.append(theme)
        if rel.same_publisher:
            why.append(publisher)
        kind = rel.open_type
        items.append(
            f'  <li><a href="{out(url("datasets/" + rel.id + "/"))}">{out(rel.title.get(lang))}</a>'
            f' <span class="badge badge-{out(kind.value)}">'
            f"{out(level_label('public', kind, lang))}</span>\n"
            f'    <span class="muted">{out(why_sep.join(why))}</span></li>\n'
        )
    return Markup("".join(items))


# field types the explorer filters by a range (the others by the text they contain)
RANGED_TYPES = ("integer", "number", "year", "date", "datetime")


def explorer_filters(res: PublishedResource, ex: str, lang: str) -> Markup:
    """The table explorer's filter inputs for each field of a resource: a minimum and a
    maximum for numbers and dates, a text to contain for the others (``ex`` is the
    explorer's id)."""
    out = escape_output
    lines = []
    for number, fld in enumerate(res.fields, 1):
        label = fld.title or fld.name
        id_ = out(f"{ex}-f{number}")
        name = out(fld.name)
        if fld.type in RANGED_TYPES:
            kind = "date" if fld.type == "date" else "text" if fld.type == "datetime" else "number"
            step = ' step="any"' if kind == "number" else ""
            lines.append(
                f'      <p><label for="{id_}-min">{out(translate("ex_min", lang, field=label))}'
                f"</label>\n"
                f'        <input type="{kind}" id="{id_}-min" name="min.{name}"{step}>\n'
                f'        <label for="{id_}-max">{out(translate("ex_max", lang, field=label))}'
                f"</label>\n"
                f'        <input type="{kind}" id="{id_}-max" name="max.{name}"{step}></p>\n'
            )
        else:
            lines.append(
                f'      <p><label for="{id_}">{out(translate("ex_contains", lang, field=label))}'
                f"</label>\n"
                f'        <input type="text" id="{id_}" name="f.{name}"></p>\n'
            )
    return Markup("".join(lines))


def explorer_columns(res: PublishedResource) -> Markup:
    """The table explorer's column choices: a ticked box per field."""
    out = escape_output
    return Markup(
        "".join(
            [
                f'<label><input type="checkbox" name="c" value="{out(fld.name)}" checked>'
                f" {out(fld.title or fld.name)}</label>\n"
                for fld in res.fields
            ]
        )
    )


__all__: Sequence[str] = (
    "NUMERIC_TYPES",
    "PREVIEW_CELL_CHARS",
    "chart_rows",
    "cut_cell",
    "explorer_columns",
    "explorer_filters",
    "preview_rows",
    "related_items",
    "summary_rows",
)
