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
