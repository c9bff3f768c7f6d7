"""The dataset page's tables written in Python (generator/site/dataset_markup.py) give the
characters of the template loops they replaced, for values a template must escape."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from jinja2 import DictLoader
from markupsafe import Markup

from generator.data.derive import ChartData, FieldSummary
from generator.site.dataset_markup import PREVIEW_CELL_CHARS, chart_rows, summary_rows
from generator.site.render import make_environment

# the loops as templates/dataset/preview.html had them
SUMMARY_LOOP = (
    '{% for s in res.summaries %}<tr><th scope="row">{{ s.title or s.name }}{% if s.title and'
    ' s.title != s.name %} <code lang="en">{{ s.name }}</code>{% endif %}</th><td>{{ s.type }}'
    '</td><td class="num">{{ s.non_empty }}{% if res.rows %} <span class="muted">({{ \'%.0f\' %'
    ' (s.non_empty / res.rows * 100) }}%)</span>{% endif %}</td><td class="num">{{ s.distinct }}'
    "{% if s.distinct_capped %}+{% endif %}</td><td>{% if s.minimum %}{{ s.minimum|cell }} ~ "
    "{{ s.maximum|cell }}{% else %}{% for value, n in s.top %}{{ value|cell }} <span class="
    "\"muted\">({{ n }})</span>{% if not loop.last %}{{ '、' if lang == 'zh' else ', ' }}"
    "{% endif %}{% endfor %}{% endif %}</td></tr>{% endfor %}"
)
CHART_LOOP = (
    '{% for label, n in c.points %}<tr><td>{{ label }}</td><td class="num">{{ n }}</td></tr>'
    "{% endfor %}"
)

NASTY = "<b>\"x\" & 'y'</b>"
LONG = "x" * PREVIEW_CELL_CHARS + "<>"  # cut, and what is left escaped
SUMMARIES = [
    FieldSummary("id", "编号", "string", 30, 30, False, "", "", [("a", 3), (NASTY, 2), ("c", 1)]),
    FieldSummary("n", "", "integer", 29, 12, True, "-5", "1e3"),
    FieldSummary("same", "same", "number", 0, 0, False, "0", "9"),  # "0" is a range
    FieldSummary("t", NASTY, "string", 7, 1001, True, "", "", [(LONG, 7)]),
    FieldSummary("e", "空", "date", 3, 2, False, "", "", []),
    FieldSummary("odd", Markup("<i>safe</i>"), "year", 1, 1, False, "", "", [(2024, 1)]),
]


def _loop(source: str, **context: object) -> str:
    env = make_environment()
    env.loader = DictLoader({"loop.html": source})
    return env.get_template("loop.html").render(**context)


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("rows", [30, 0, 7])
def test_summary_rows_are_the_template_loop(lang: str, rows: int):
    res = SimpleNamespace(rows=rows, summaries=SUMMARIES)
    expected = _loop(SUMMARY_LOOP, res=res, lang=lang)
    assert str(summary_rows(res, lang)) == expected  # type: ignore[arg-type]
    assert "&lt;b&gt;&#34;x&#34; &amp; &#39;y&#39;&lt;/b&gt;" in expected
    assert ("、" in expected) == (lang == "zh")


def test_chart_rows_are_the_template_loop():
    chart = ChartData("category", "f", "F", "", [("<a>", 3), ("b&c", 0), ("2024-01", 1.5)])
    chart.points.append(["from a cache: a list", 2])  # type: ignore[arg-type]
    assert str(chart_rows(chart)) == _loop(CHART_LOOP, c=chart)
    assert isinstance(chart_rows(chart), Markup)


RELATED_LOOP = """{% from "_macros.html" import badge %}
<ul class="related-list">
  {% for rel in view.related %}
  <li><a href="{{ url('datasets/' ~ rel.id ~ '/') }}">{{ text(rel.title) }}</a> \
{{ badge(rel.open_type, lang) }}
    <span class="muted">{% set why = [] %}{% if rel.keywords %}{% set _ = why.append(\
t('related_keywords', tags=rel.keywords|join('、' if lang == 'zh' else ', '))) %}{% endif %}\
{% if rel.fields %}{% set _ = why.append(t('related_fields', fields=rel.fields[:3]|join(', '))) %}\
{% endif %}{% if rel.same_theme %}{% set _ = why.append(t('related_theme')) %}{% endif %}\
{% if rel.same_publisher %}{% set _ = why.append(t('related_publisher')) %}{% endif %}\
{{ why|join('；' if lang == 'zh' else '; ') }}</span></li>
  {% endfor %}
</ul>"""


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_related_items_are_the_template_loop(lang: str):
    from generator.i18n import translate
    from generator.model import Text
    from generator.policy import OpenType
    from generator.site.dataset_markup import related_items
    from generator.site.reuse import Related

    related = (
        Related("a&b", Text(zh=NASTY, en="A <en>"), OpenType.OPEN, ("k<1>", "k2"), ("x", "y")),
        Related("c", Text(zh="丙", en="C"), OpenType.CONDITIONAL, (), ("f1", "f2", "f3", "f4")),
        Related("d", Text(zh="丁", en="D"), OpenType.CLOSED, same_theme=True),
        Related("e", Text(zh="戊", en="E"), OpenType.OPEN, ("t",), same_publisher=True),
        Related("f", Text(zh="己", en="F"), OpenType.OPEN, same_theme=True, same_publisher=True),
    )

    def url(path: str) -> str:
        return "/base/" + ("" if lang == "zh" else "en/") + path

    env = make_environment()
    expected = env.from_string(RELATED_LOOP).render(
        view=SimpleNamespace(related=related),
        lang=lang,
        url=url,
        text=lambda value: value.get(lang),
        t=lambda key, **values: translate(key, lang, **values),
    )
    made = '<ul class="related-list">\n' + str(related_items(related, lang, url)) + "</ul>"
    assert made == expected.lstrip("\n")
    assert "badge-closed" in made and "a&amp;b" in made and "f3" in made and "f4" not in made


def test_a_chart_is_drawn_once_for_the_pages_of_every_language(monkeypatch):
    """chart_markup gives what the chart functions give in each language, and draws a
    chart once: only its title is in the page's language."""
    import generator.site.render as render
    from generator.site.charts import bar_chart, column_chart

    drawn = []
    for name in ("bar_drawing", "column_drawing"):
        draw = getattr(render, name)
        monkeypatch.setattr(
            render, name, lambda points, cid, draw=draw: drawn.append(cid) or draw(points, cid)
        )
    bars = ChartData("category", "f", "<F>", "", [("甲 & 乙", 3), ("b", 1)])
    months = ChartData("time", "d", "", "month", [("2024-01", 2), ("2024-02", 5)])
    empty = ChartData("category", "g", "", "", [])
    for lang in ("zh", "en"):
        for chart, draw in ((bars, bar_chart), (months, column_chart), (empty, bar_chart)):
            made = render.chart_markup(chart, lang, "chart-r-1")
            assert made == draw(chart.points, render.chart_title(chart, lang), "chart-r-1")
    assert drawn == ["chart-r-1"] * 3
    assert render.chart_markup(bars, "en", "chart-r-2").count('id="chart-r-2-t"') == 1
    assert drawn[-1] == "chart-r-2"


def test_dataset_pages_come_a_dataset_at_a_time_in_every_language():
    """The page tasks put a dataset's languages side by side (one worker renders them and
    shares what they have in common); the serial path renders in the same order."""
    from generator.site.render import start_dataset_pages

    done = []

    class Pages:
        def __init__(self, lang: str, views: list[str]) -> None:
            self.lang, self.views = lang, views

        def dataset_page(self, view: str) -> None:
            done.append((self.lang, view))

    renderers = {"zh": Pages("zh", ["a", "b", "c"]), "en": Pages("en", ["a", "b", "c"])}
    start_dataset_pages(renderers, jobs=1)  # type: ignore[arg-type]
    assert done == [(lang, v) for v in "abc" for lang in ("zh", "en")]


EXPLORER_LOOPS = """{% set ranged = ('integer', 'number', 'year', 'date', 'datetime') %}
    <fieldset class="explorer-filters">
      <legend>L</legend>
      {% for fld in res.fields %}{% set label = fld.title or fld.name %}\
{% set id = ex ~ '-f' ~ loop.index %}
      {% if fld.type in ranged %}
      {% set kind = 'date' if fld.type == 'date' else 'text' if fld.type == 'datetime' \
else 'number' %}
      <p><label for="{{ id }}-min">{{ t('ex_min', field=label) }}</label>
        <input type="{{ kind }}" id="{{ id }}-min" name="min.{{ fld.name }}"\
{% if kind == 'number' %} step="any"{% endif %}>
        <label for="{{ id }}-max">{{ t('ex_max', field=label) }}</label>
        <input type="{{ kind }}" id="{{ id }}-max" name="max.{{ fld.name }}"\
{% if kind == 'number' %} step="any"{% endif %}></p>
      {% else %}
      <p><label for="{{ id }}">{{ t('ex_contains', field=label) }}</label>
        <input type="text" id="{{ id }}" name="f.{{ fld.name }}"></p>
      {% endif %}
      {% endfor %}
    </fieldset>
    <fieldset class="explorer-columns">
      {% for fld in res.fields %}<label><input type="checkbox" name="c" value="{{ fld.name }}" \
checked> {{ fld.title or fld.name }}</label>
      {% endfor %}
    </fieldset>
"""


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_explorer_inputs_are_the_template_loops(lang: str):
    from generator.i18n import translate
    from generator.site.dataset_markup import explorer_columns, explorer_filters

    fields = [
        SimpleNamespace(name=name, title=title, type=kind)
        for name, title, kind in [
            ("n", "数量", "integer"),
            ("x&y", NASTY, "number"),
            ("y", "", "year"),
            ("d", "日期", "date"),
            ("t", "时刻", "datetime"),
            ("s", "", "string"),
            ("<b>", "名称 <b>", "string"),
            ("ok", "是否", "boolean"),
        ]
    ]
    res = SimpleNamespace(fields=fields)
    expected = (
        make_environment()
        .from_string(EXPLORER_LOOPS)
        .render(res=res, ex="ex-2", t=lambda key, **values: translate(key, lang, **values))
    )
    made = (
        '    <fieldset class="explorer-filters">\n      <legend>L</legend>\n'
        + str(explorer_filters(res, "ex-2", lang))  # type: ignore[arg-type]
        + '    </fieldset>\n    <fieldset class="explorer-columns">\n'
        + str(explorer_columns(res))  # type: ignore[arg-type]
        + "    </fieldset>\n"
    )
    assert made == expected
    assert 'type="text" id="ex-2-f5-min"' in made and 'step="any"' in made


def test_indented_json_is_the_text_of_json_dumps():
    """The JSON-LD of a page is written as json.dumps(indent=1, ensure_ascii=False) writes
    it, for nested dicts, lists, tuples and every kind of value (seeded random documents)."""
    import json
    import random

    from generator.site.schemaorg import indented_json

    rng = random.Random(14)
    leaves = ["", "中文", 'a\n"b"\\', "<\u2028>", "😀\x00", True, False, None, 0, -7, 2**70, 1.5]
    leaves.append(float("inf"))

    def document(depth: int = 0) -> object:
        roll = rng.random()
        if depth < 4 and roll < 0.25:
            return {
                rng.choice(["@id", "名", "<k>"]) + str(i): document(depth + 1) for i in range(4)
            }
        if depth < 4 and roll < 0.4:
            return [document(depth + 1) for _ in range(rng.randint(0, 3))]
        if depth < 4 and roll < 0.45:
            return tuple(document(depth + 1) for _ in range(rng.randint(0, 2)))
        return rng.choice(leaves)

    for _ in range(3000):
        value = {"d": document(), "e": {}, "f": []}
        assert indented_json(value) == json.dumps(value, ensure_ascii=False, indent=1)
    odd_keys = {"a": [{1: "one", None: [2.5]}], "b": {True: {}}}
    assert indented_json(odd_keys) == json.dumps(odd_keys, ensure_ascii=False, indent=1)


def test_preview_rows_are_made_once_for_the_pages_of_every_language(monkeypatch):
    import generator.site.dataset_markup as markup

    made = []
    pieces = markup._preview_pieces
    monkeypatch.setattr(markup, "_preview_pieces", lambda res: made.append(res) or pieces(res))
    fields = (SimpleNamespace(name="id", type="string"), SimpleNamespace(name="n", type="number"))
    res = SimpleNamespace(fields=fields, primary_key=(), preview=[["", "1"], ["a", ""], ["", ""]])
    zh, en = markup.preview_rows(res, "空"), markup.preview_rows(res, "empty <cell>")  # type: ignore[arg-type]
    assert made == [res]
    hidden = '<td class="empty"><span class="visually-hidden">{}</span></td>'
    assert str(zh) == (
        f'<tr>{hidden.format("空")}<td class="num">1</td></tr><tr><td>a</td>{hidden.format("空")}'
        f"</tr><tr>{hidden.format('空') * 2}</tr>"
    )
    assert str(en) == str(zh).replace("空", "empty &lt;cell&gt;")
