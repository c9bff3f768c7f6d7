"""How Kaifang compiles its templates: what a page does on every render, done once.

Interface text and site links are written into the compiled templates, once per language.

A dataset page calls ``t('key')`` about 150 times and ``url('path/')`` a dozen, and each
call went through Jinja's ``Context.call`` (attribute checks for pass-context markers,
then the call, then escaping its result), for text that is the same on every page of a
language. A renderer compiles its templates in an environment of
its own language (:func:`fold_environment`), where :class:`ConstantCalls` replaces a call
with one literal argument and nothing else by the string it returns, before parsing; Jinja
then escapes that constant once, at compile time, into the template's own text. The
output is the same bytes: a constant goes through the same ``escape`` as a call's result.

Only the bare names ``t`` and ``url`` are folded (never ``x.t(...)``); every template
passes the renderer's own ``t`` and ``url`` down to its macros under those names, so the
name always means the renderer's function. A key the interface text does not have is
left to fail at run time, as before, where the page uses it.

Every ``{{ value }}`` of a page is escaped, about 500 times per dataset page, and
markupsafe's ``escape`` wraps each result in a new ``Markup`` object (a Python-level
constructor: most of the cost). Inside a page's output the wrapper is never looked at,
the text is joined into the page (and a macro's or block's text is wrapped once, as
before), so :class:`OutputCodeGenerator` makes each output call :func:`escape_output`:
the same characters escaped by markupsafe's own C escaper, without the wrapper.

A call in a template (``text(ds.title)``, ``x.startswith('a')``, a macro) goes through
``Context.call``, which first asks whether the callable wants the context passed in; for a
plain function or method it asks that through a new ``__call__`` wrapper object each time.
:class:`CallContext` calls plain functions and methods that carry no such marker at once,
and leaves everything else to Jinja.

Measured page by page in one process (the 2,000 dataset pages of the 1,000-dataset bench
catalog, each rendered both ways in turn, busy machine): the constants alone take a page
to 0.84 of its CPU time, the escape to 0.90 of that, both to 0.76; the direct calls take
that to 0.95.
"""

from __future__ import annotations

import types
from collections.abc import Callable, Iterator
from typing import Any

from jinja2 import Environment
from jinja2.compiler import CodeGenerator, Frame
from jinja2.ext import Extension
from jinja2.lexer import Token, TokenStream
from jinja2.nodes import Block, Const, Expr, Include
from jinja2.runtime import Context
from markupsafe import Markup, escape

from ..i18n import STRINGS, translate

try:  # the C escaper markupsafe's escape() calls; its pure-Python twin if not built
    from markupsafe import _escape_inner as _escape_text  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - depends on the installed markupsafe

    def _escape_text(text: str) -> str:
        return str(escape(text))


# The text escape() gives for a str, as a str (no Markup object around it).
escape_text: Callable[[str], str] = _escape_text


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


class PageEnvironment(Environment):
    """Jinja's environment, with each template's globals in one plain dict.

    Jinja chains a template's globals to the environment's (a ``ChainMap``), and every
    ``{% include %}`` and ``{% from ... import %}`` of a page lists that map's keys again
    (a new context takes ``set(globals)``; an import subtracts them from its own): walking
    a ChainMap is Python code, 19 includes and 3 imports per dataset page. The dict is
    made when the template is loaded; Kaifang sets its globals before loading any
    template and never changes them after (Jinja's documentation asks the same)."""

    def make_globals(self, d: dict[str, Any] | None) -> dict[str, Any]:  # type: ignore[override]
        return {**self.globals, **d} if d else dict(self.globals)


def escape_output(value: Any) -> str:
    """The text ``str(escape(value))`` gives, for a value a template writes out."""
    kind = value.__class__
    if kind is str:
        return _escape_text(value)
    if kind is Markup:
        return value  # already safe: escape() would copy it unchanged
    if kind is int:
        return str(value)  # digits and a minus sign: nothing to escape
    return escape(value)


class OutputCodeGenerator(CodeGenerator):
    """Compiles ``{{ value }}`` in autoescaped templates to :func:`escape_output`."""

    def _output_child_pre(self, node: Expr, frame: Frame, finalize: Any) -> None:
        if frame.eval_ctx.volatile or not frame.eval_ctx.autoescape:
            super()._output_child_pre(node, frame, finalize)
            return
        self.write("environment.escape_output(")
        if finalize.src is not None:
            self.write(finalize.src)

    def visit_Include(self, node: Include, frame: Frame) -> None:
        """``{% include %}`` as one string: the included template's text joined in C, where
        Jinja passes each of its strings on through a Python loop (and then through every
        block and template above it)."""
        if (
            node.ignore_missing
            or not node.with_context
            or self.environment.is_async
            or not isinstance(node.template, Const)
            or not isinstance(node.template.value, str)
        ):
            super().visit_Include(node, frame)
            return
        self.writeline("template = environment.get_template(", node)
        self.visit(node.template, frame)
        self.write(f", {self.name!r})")
        self.simple_write(
            "concat(template.root_render_func(template.new_context(context.get_all(), True,"
            f" {self.dump_local_context(frame)})))",
            frame,
        )

    def visit_Block(self, node: Block, frame: Frame) -> None:
        """A block as one string, for the same reason (the content block of a page yields
        most of its strings)."""
        if (
            self.environment.is_async
            or frame.buffer is not None
            or node.required
            or (frame.toplevel and (self.has_known_extends or self.extends_so_far > 0))
        ):
            super().visit_Block(node, frame)
            return
        context = self.derive_context(frame) if node.scoped else self.get_context_ref()
        self.writeline(f"yield concat(context.blocks[{node.name!r}][0]({context}))", node)


_PLAIN_CALLABLES = frozenset({types.FunctionType, types.MethodType, types.BuiltinFunctionType})


class CallContext(Context):
    """Jinja's context, with plain functions and methods called directly."""

    def call(__self, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805 - Jinja's names
        if __obj.__class__ in _PLAIN_CALLABLES and not hasattr(__obj, "jinja_pass_arg"):
            # what Context.call does for a callable that asks for nothing
            kwargs.pop("_loop_vars", None)
            kwargs.pop("_block_vars", None)
            try:
                return __obj(*args, **kwargs)
            except StopIteration:
                return __self.environment.undefined(
                    "value was undefined because a callable raised a StopIteration exception"
                )
        return super().call(__obj, *args, **kwargs)
