"""How templates are compiled (generator/site/templating.py): interface text written in and
the fast output escape give the same bytes as Jinja's own compilation."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from jinja2 import DictLoader, Environment, UndefinedError
from jinja2.compiler import CodeGenerator
from jinja2.runtime import Context
from markupsafe import Markup, escape

import generator.site.render
from generator.build import build
from generator.i18n import translate
from generator.site.render import make_environment
from generator.site.templating import escape_output, fold_environment

from .conftest import DEMO_CATALOG
from .test_incremental import tree

EPOCH = "1795000000"


def _env(templates: dict[str, str]):
    env = make_environment()
    env.loader = DictLoader(templates)
    return env


def _render(env, name: str, lang: str) -> str:
    prefix = "" if lang == "zh" else f"{lang}/"
    return env.get_template(name).render(
        t=lambda key, **values: translate(key, lang, **values),
        url=lambda path="", lg=None: "/base/" + ("" if (lg or lang) == "zh" else prefix) + path,
        obj={"t": lambda key: f"<{key}>"},
        show=False,
    )


TEMPLATES = {
    "page.html": (
        "{% macro m(t) %}[{{ t('search') }}]{% endmacro %}"
        "<p title=\"{{ t('search_help') }}\">{{ t('search_help') }}</p>"
        "{{ t('titled', a=t('summary'), b='<b>') }}|{{ obj.t('skip') }}|{{ m(t) }}"
        "|{{ url('datasets/') }}|{{ url('datasets/', 'zh') }}|{{ t('sep') ~ t('search') }}"
        "|{% if show %}{{ t('no-such-key') }}{% endif %}"
    ),
}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_folded_template_gives_the_bytes_of_the_calls(lang: str):
    plain = _env(TEMPLATES)
    folded = fold_environment(plain, lang, "/base/")
    expected = _render(plain, "page.html", lang)
    assert '"公交线路"' in translate("search_help", "zh")  # quotes: escaped either way
    assert "&#34;" in expected or "&quot;" in expected or lang == "en"
    assert _render(folded, "page.html", lang) == expected
    # the calls are gone from the compiled code of the folded template only
    source = folded.loader.get_source(folded, "page.html")[0]
    code = folded.compile(folded._parse(source, "page.html", None), raw=True)
    assert "'search_help'" not in code and "'search_help'" in plain.compile(source, raw=True)
    assert "'skip'" in code  # obj.t('skip') is an attribute's call: left alone


class _Html:
    def __html__(self) -> str:
        return "<b>safe</b>"


class _Text(str):
    pass


@pytest.mark.parametrize(
    "value",
    [
        "",
        "plain",
        "<script>alert('x') & \"y\"</script>",
        "公交线路 &amp; 站点",
        Markup("<em>kept</em>"),
        0,
        -12,
        10**30,
        True,
        None,
        3.5,
        _Html(),
        _Text("<i>"),
        ["<", ">"],
    ],
)
def test_output_escape_gives_the_text_of_markupsafe(value: object):
    assert escape_output(value) == str(escape(value))


def test_outputs_are_compiled_to_the_fast_escape():
    env = _env({"out.html": "{{ a }}{% if b %}{{ b ~ '<' }}{% endif %}"})
    assert "environment.escape_output(" in env.compile(
        env.loader.get_source(env, "out.html")[0], raw=True
    )
    assert env.get_template("out.html").render(a="<x>", b=Markup("<y>")) == "&lt;x&gt;<y>&lt;"


def test_an_unknown_key_still_fails_where_it_is_used():
    folded = fold_environment(_env({"bad.html": "{{ t('no-such-key') }}"}), "zh", "/")
    with pytest.raises((KeyError, UndefinedError)):
        _render(folded, "bad.html", "zh")


def test_demo_pages_are_the_same_as_with_plain_jinja(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """Every page of the demo, rendered as compiled here and as Jinja compiles it."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    catalog = tmp_path / "catalog"
    shutil.copytree(DEMO_CATALOG, catalog)
    build(catalog, tmp_path / "a" / "site", use_cache=False, jobs=1)
    monkeypatch.setattr(generator.site.render, "fold_environment", lambda env, *_: env)
    monkeypatch.setattr(generator.site.render, "OutputCodeGenerator", CodeGenerator)
    monkeypatch.setattr(generator.site.render, "CallContext", Context)
    monkeypatch.setattr(generator.site.render, "PageEnvironment", Environment)
    build(catalog, tmp_path / "b" / "site", use_cache=False, jobs=1)
    folded, plain = tree(tmp_path / "a" / "site"), tree(tmp_path / "b" / "site")
    assert sum(name.endswith(".html") for name in plain) > 100
    assert folded == plain


def test_direct_calls_keep_what_jinja_passes_and_catches():
    """Plain functions are called at once; a function that asks for the context still gets
    it, and a StopIteration still gives an undefined value."""
    from jinja2 import pass_context

    @pass_context
    def who(context, suffix):
        return context["name"] + suffix

    def stop():
        raise StopIteration

    env = _env(
        {
            "calls.html": "{% macro m() %}M{{ who('?') }}{% endmacro %}"
            "{{ plain(1) }}|{{ who('!') }}|{{ stop() is defined }}|{{ m() }}"
        }
    )
    html = env.get_template("calls.html").render(
        plain=lambda n: n + 1, who=who, stop=stop, name="K"
    )
    assert html == "2|K!|False|MK?"
    assert env.context_class.__name__ == "CallContext"


NESTED = {
    "base.html": "<title>{% block title %}T{% endblock %}</title>"
    "{% block content %}{% endblock %}|{% block empty %}{% endblock %}",
    "part.html": "[{{ x }}{% set y = 'local' %}{{ y }}]",
    "page.html": "{% extends 'base.html' %}{% block title %}{{ x }}{% endblock %}"
    "{% block content %}{% include 'part.html' %}{% for x in ['<a>', 'b'] %}"
    "{% include 'part.html' %}{% endfor %}{% macro m() %}({% include 'part.html' %}){% endmacro %}"
    "{{ m() }}{% set y = 'outer' %}{% include 'part.html' %}{{ y }}"
    "{% include 'missing.html' ignore missing %}{% include ['part.html'] %}"
    "{% include 'alone.html' without context %}{% endblock %}",
    "alone.html": "{% set z = 'alone' %}{{ z }}",
}


def test_includes_and_blocks_give_the_bytes_of_plain_jinja_as_one_string_each():
    """An include and a block are joined into one string where they are used (instead of
    each of their strings passed up through every template above), with the same text."""
    fast = _env(NESTED)
    plain = Environment(loader=DictLoader(NESTED), autoescape=True, undefined=fast.undefined)
    expected = plain.get_template("page.html").render(x="<x>")
    assert fast.get_template("page.html").render(x="<x>") == expected
    assert "[&lt;a&gt;local]" in expected and "outer" in expected
    code = fast.compile(fast.loader.get_source(fast, "page.html")[0], "page.html", raw=True)
    assert "yield concat(template.root_render_func(" in code
    assert "yield concat(context.blocks[" in fast.compile(NESTED["base.html"], raw=True)
    # a page's content block comes up as one string: base.html's root yields it whole
    events = list(fast.get_template("page.html").generate(x="<x>"))
    assert any(event.startswith("[&lt;x&gt;local][&lt;a&gt;local]") for event in events)


def test_template_globals_are_a_plain_dict_in_which_a_template_s_own_win():
    env = _env({"g.html": "{{ level_label is defined }}|{{ xlsx_max_rows }}"})
    template = env.get_template("g.html", globals={"xlsx_max_rows": 7})
    assert type(template.globals) is dict
    assert template.render() == "True|7"
    assert env.globals["xlsx_max_rows"] != 7  # the environment's own are left as they were
