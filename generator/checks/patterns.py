"""Regular expressions in `constraints.pattern` that could take exponential time.

Python's `re` (and so frictionless, and the column-wise check) matches by backtracking. A
pattern where one piece of text can be matched in many ways by a loop inside a loop —
``(a+)+``, ``(\\w+\\s?)*``, ``(a|ab)*`` — takes time exponential in the length of a cell that
almost matches: 35 characters keep a check busy for minutes. A catalog is input the
portal does not control, so such a pattern is refused before any data is matched against
it, with the field, the line and a way to rewrite it.

The test is on the parsed pattern (``re._parser``, the parser `re` itself uses), and
looks for the two shapes behind exponential backtracking:

* a loop (a repeat with no upper bound, or more than ``MAX_COUNT``) whose body holds a
  variable repeat, unless the body also has a piece that must match at least one
  character the inner repeat can never match — the separator in ``(\\.[\\w-]+)+`` or
  ``(\\d+,)*``, which tells each turn of the outer loop where to end;
* a loop over alternatives that can start with the same character (``(a|ab)*``,
  ``(\\d|\\w)+``) or that can match nothing.

Characters are compared on a sample alphabet (ASCII, the literals of the pattern, and a
few Chinese, full-width and space characters), so the test is a sound approximation for
the patterns publishers write (codes, dates, e-mail, phone numbers) and errs on the side
of refusing: a refused pattern can always be rewritten without the nested loop.
"""

from __future__ import annotations

import re
import re._constants as sre  # noqa: PLC2701  # the parser re itself uses
import re._parser as sre_parse  # noqa: PLC2701
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

MAX_COUNT = 8  # a fixed repeat count above this acts as a loop: (a+){20} is a 20-deep nest
MAX_PATTERN_LENGTH = 1000

_SAMPLE = (
    "".join(chr(c) for c in range(0x20, 0x7F))
    + "\t\n\r\u00a0\u3000\u00e9\u4e2d\u6587\u5e02\uff10\uff11\uff21\uff41\u00b2\u0663"
)


_LITERAL_OPS = (sre.LITERAL, sre.NOT_LITERAL)


@dataclass(frozen=True)
class Unsafe:
    """Why a pattern is refused, in both languages, with the piece that causes it."""

    zh: str
    en: str


@dataclass(frozen=True)
class _Info:
    chars: frozenset[str]  # every character the piece can consume
    first: frozenset[str]  # characters it can start with
    nullable: bool  # can match the empty string


class _Walker:
    def __init__(self, alphabet: frozenset[str]) -> None:
        self.alphabet = alphabet
        self.found: Unsafe | None = None

    # --- character sets -----------------------------------------------------------------

    def _in(self, items: list[tuple[Any, Any]]) -> frozenset[str]:
        negate = bool(items) and items[0][0] is sre.NEGATE
        members = {ch for ch in self.alphabet if any(self._member(ch, op, av) for op, av in items)}
        return frozenset(self.alphabet - members if negate else members)

    @staticmethod
    def _member(ch: str, op: Any, av: Any) -> bool:
        if op is sre.LITERAL:
            return ord(ch) == av
        if op is sre.RANGE:
            return av[0] <= ord(ch) <= av[1]
        if op is sre.CATEGORY:
            name = str(av)
            positive = {
                "CATEGORY_DIGIT": ch.isdecimal(),
                "CATEGORY_WORD": ch.isalnum() or ch == "_",
                "CATEGORY_SPACE": ch.isspace(),
                "CATEGORY_LINEBREAK": ch == "\n",
            }
            for key, value in positive.items():
                if name == key:
                    return value
                if name == key.replace("CATEGORY_", "CATEGORY_NOT_"):
                    return not value
            return True  # an unknown category: assume it matches (errs towards refusing)
        return False  # NEGATE is handled by the caller

    # --- the walk ---------------------------------------------------------------------------

    def seq(self, items: Iterable[tuple[Any, Any]]) -> _Info:
        chars: set[str] = set()
        first: set[str] = set()
        nullable = True
        for op, av in items:
            info = self.item(op, av)
            chars |= info.chars
            if nullable:
                first |= info.first
            nullable = nullable and info.nullable
        return _Info(frozenset(chars), frozenset(first), nullable)

    def item(self, op: Any, av: Any) -> _Info:
        if op is sre.LITERAL:
            one = frozenset({chr(av)})
            return _Info(one, one, False)
        if op is sre.NOT_LITERAL:
            rest = self.alphabet - {chr(av)}
            return _Info(rest, rest, False)
        if op is sre.ANY:
            rest = self.alphabet - {"\n"}
            return _Info(rest, rest, False)
        if op is sre.IN:
            members = self._in(av)
            return _Info(members, members, False)
        if op is sre.SUBPATTERN:
            return self.seq(av[-1])
        if op is sre.BRANCH:
            infos = [self.seq(branch) for branch in av[1]]
            return _Info(
                frozenset().union(*(i.chars for i in infos)),
                frozenset().union(*(i.first for i in infos)),
                any(i.nullable for i in infos),
            )
        if op in (sre.MAX_REPEAT, sre.MIN_REPEAT, getattr(sre, "POSSESSIVE_REPEAT", None)):
            low, high, body = av
            info = self.seq(body)
            if high is sre.MAXREPEAT or high > MAX_COUNT:
                self._loop(body, info)
            return _Info(info.chars, info.first, low == 0 or info.nullable)
        if op in (sre.ASSERT, sre.ASSERT_NOT):
            self.seq(av[1])  # a lookaround can hold a nested loop of its own
            return _Info(frozenset(), frozenset(), True)
        if op is getattr(sre, "ATOMIC_GROUP", None):
            return self.seq(av)
        if op is sre.GROUPREF_EXISTS:
            yes = self.seq(av[1])
            no = self.seq(av[2]) if av[2] is not None else _Info(frozenset(), frozenset(), True)
            return _Info(yes.chars | no.chars, yes.first | no.first, yes.nullable or no.nullable)
        if op is sre.GROUPREF:
            return _Info(self.alphabet, self.alphabet, True)  # unknown text: assume anything
        return _Info(frozenset(), frozenset(), True)  # AT (anchors) and the like

    def _loop(self, body: Any, info: _Info) -> None:
        """A loop over ``body``: refuse it when one text can go round it in many ways."""
        if self.found is not None:
            return
        items = _flatten(list(body))
        if info.nullable:
            self.found = Unsafe("循环体可以匹配空字符串", "the repeated part can match nothing")
            return
        for index, (op, av) in enumerate(items):
            if op is sre.BRANCH:
                alternatives = [self.seq(b) for b in av[1]]
                for i, a in enumerate(alternatives):
                    for b in alternatives[i + 1 :]:
                        if a.first & b.first:
                            self.found = Unsafe(
                                "重复的选择项可以从同一个字符开始（如 (a|a.)*）",
                                "alternatives inside a loop can start with the same character "
                                "(like (a|a.)*)",
                            )
                            return
            for inner in _variable_parts(op, av):
                inner_chars = self.seq(inner).chars
                separated = any(
                    not other.nullable and not (other.chars & inner_chars)
                    for other in (self.item(o, a) for j, (o, a) in enumerate(items) if j != index)
                )
                if not separated:
                    self.found = Unsafe(
                        "重复之中还有可变长度的重复（如 (a+)+、(\\w+\\s?)*），且之间没有分隔符",
                        "a variable repeat inside a loop (like (a+)+ or (\\w+\\s?)*) with no "
                        "separator between the turns",
                    )
                    return


def _flatten(items: list[tuple[Any, Any]]) -> list[tuple[Any, Any]]:
    """The body's pieces, with plain groups opened: ((a)(b+))+ is a, b+."""
    out: list[tuple[Any, Any]] = []
    for op, av in items:
        if op is sre.SUBPATTERN:
            out.extend(_flatten(list(av[-1])))
        else:
            out.append((op, av))
    return out


def _variable_parts(op: Any, av: Any) -> Iterable[Any]:
    """Parts of variable length inside one piece (the piece itself included): the bodies
    of repeats such as a+ or a{1,3}, and alternations with an empty alternative (Python
    reads a|ab as a(?:|b), an optional b)."""
    if op in (sre.MAX_REPEAT, sre.MIN_REPEAT, getattr(sre, "POSSESSIVE_REPEAT", None)):
        low, high, body = av
        if low != high:
            yield body
        for o, a in body:
            yield from _variable_parts(o, a)
    elif op is sre.SUBPATTERN:
        for o, a in av[-1]:
            yield from _variable_parts(o, a)
    elif op is sre.BRANCH:
        if any(not branch for branch in av[1]):
            yield [(op, av)]
        for branch in av[1]:
            for o, a in branch:
                yield from _variable_parts(o, a)


def _literals(node: Any) -> set[str]:
    """Every character the pattern names literally, wherever it stands in the parse tree
    (a SubPattern, its (op, argument) pairs, and their nested tuples and lists)."""
    if isinstance(node, sre_parse.SubPattern):
        node = node.data
    if isinstance(node, tuple) and len(node) == 2 and any(node[0] is op for op in _LITERAL_OPS):
        return {chr(node[1])}
    found: set[str] = set()
    if isinstance(node, (list, tuple)):
        for part in node:
            found |= _literals(part)
    return found


def unsafe_pattern(pattern: str) -> Unsafe | None:
    """Why ``pattern`` could take exponential time to match, or None when it cannot.
    A pattern Python cannot compile is left to the Table Schema check (not refused here)."""
    if len(pattern) > MAX_PATTERN_LENGTH:
        return Unsafe(
            f"长度超过 {MAX_PATTERN_LENGTH} 个字符", f"longer than {MAX_PATTERN_LENGTH} characters"
        )
    try:
        parsed = sre_parse.parse(pattern)
    except (re.error, RecursionError, OverflowError):
        return None
    alphabet = frozenset(_SAMPLE) | _literals(parsed)
    walker = _Walker(alphabet)
    walker.seq(parsed.data)
    return walker.found
