"""Interface text and site links written into the compiled templates, once per language.

A dataset page calls ``t('key')`` about 150 times and ``url('path/')`` a dozen, and each
call went through Jinja's ``Context.call`` (attribute checks for pass-context markers,
then the call, then escaping its result): a third of a page's render for text that is the
same on every page of a language. A renderer compiles its templates in an environment of
its own language (:func:`fold_environment`), where :class:`ConstantCalls` replaces a call
with one literal argument and nothing else by the string it returns, before parsing; Jinja
then escapes that constant once, at compile time, into the template's own text. The
output is the same bytes: a constant goes through the same ``escape`` as a call's result.

Only the bare names ``t`` and ``url`` are folded (never ``x.t(...)``); every template
passes the renderer's own ``t`` and ``url`` down to its macros under those names, so the
name always means the renderer's function. A key the interface text does not have is
left to fail at run time, as before, where the page uses it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from jinja2 import Environment
from jinja2.ext import Extension
from jinja2.lexer import Token, TokenStream

from ..i18n import STRINGS, translate


class ConstantCalls(Extension):
    """Replaces ``t('literal')`` and ``url('literal')`` by their value in the environment's
    language (the environment's ``kaifang_constants``: name -> function of one string,
    returning None when the call must stay a call)."""

    def filter_stream(self, stream: TokenStream) -> Iterator[Token]:
        fold: dict[str, Callable[[str], str | None]] = getattr(
            self.environment, "kaifang_constants", {}
        )
        window: list[Token] = []  # up to 4 tokens read ahead
        previous: Token | None = None
        tokens = iter(stream)
        while True:
            while len(window) < 4:
                token = next(tokens, None)
                if token is None:
                    break
                window.append(token)
            if not window:
                return
            first = window[0]
            if (
                len(window) == 4
                and first.type == "name"
                and first.value in fold
                and (previous is None or previous.type != "dot")
                and window[1].type == "lparen"
                and window[2].type == "string"
                and window[3].type == "rparen"
            ):
                value = fold[first.value](window[2].value)
                if value is not None:
                    previous = Token(first.lineno, "string", value)
                    del window[:4]
                    yield previous
                    continue
            previous = window.pop(0)
            yield previous


def fold_environment(env: Environment, lang: str, base_path: str) -> Environment:
    """An overlay of ``env`` (same loader, filters and globals, templates compiled apart)
    whose templates have ``t('key')`` and ``url('path')`` of ``lang`` written in."""
    prefix = "" if lang == "zh" else f"{lang}/"

    def text(key: str) -> str | None:
        return translate(key, lang) if key in STRINGS else None

    overlay = env.overlay(extensions=[ConstantCalls])
    overlay.kaifang_constants = {  # type: ignore[attr-defined]
        "t": text,
        "url": lambda path: base_path + prefix + path,
    }
    return overlay
