"""The RDF graph DCAT-AP is assembled in, and its two texts: plain nodes (every node has
an IRI, no blank nodes, so both serializations are stable from build to build), written as
one line of compact JSON-LD and one Turtle subject block each.

Kept apart from :mod:`generator.feeds.dcat`, which says what goes into the graph.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import NamedTuple
from urllib.parse import quote

IRI_SAFE = ":/?#[]@!$&'()*+,;=%~-._"


class Lit(NamedTuple):
    """A literal. A named tuple: made and compared twice as fast as a frozen dataclass,
    some fifty thousand times per thousand datasets."""

    value: str
    lang: str | None = None
    datatype: str | None = None  # a CURIE, e.g. xsd:date


class IRI(str):
    """An IRI object value (plain strings are never used as objects).

    Characters that may not appear in an IRI (spaces, quotes, angle brackets...) are
    percent-encoded, so a licence URL typed with a space cannot break the Turtle.
    """

    def __new__(cls, value: str) -> IRI:
        if type(value) is IRI:  # already encoded (encoding is idempotent: % is kept)
            return value
        return super().__new__(cls, _safe_iri(value))


# Every character that quote(value, safe=IRI_SAFE) leaves as it is: a string made of these
# alone (almost every IRI of a catalog) is returned without encoding it to UTF-8 and back.
_IRI_UNCHANGED = re.compile(r"[A-Za-z0-9_.~:/?#\[\]@!$&'()*+,;=%-]*").fullmatch


def _safe_iri(value: str) -> str:
    return value if _IRI_UNCHANGED(value) else _quote_iri(value)


@lru_cache(maxsize=1 << 12)
def _quote_iri(value: str) -> str:
    return quote(value, safe=IRI_SAFE)


Value = Lit | IRI


MANY_VALUES = 16  # values added at once from which Node.add checks them against a set


@dataclass(slots=True)
class Node:
    iri: str
    types: list[str]
    props: dict[str, list[Value]] = field(default_factory=dict)

    def add(self, prop: str, *values: Value | None) -> Node:
        """Values not yet there, in order. The catalog's and the API service's lists of
        every dataset are checked against a set: a list scan per value grew with the
        square of the catalog (50 million comparisons each at 10,000 datasets)."""
        bucket = None
        seen: set[Value] | None = None
        for value in values:
            if value is None or (type(value) is Lit and not value.value):
                continue
            if bucket is None:
                bucket = self.props.setdefault(prop, [])
                if len(values) > MANY_VALUES:
                    seen = set(bucket)
            if seen is None:
                if value not in bucket:
                    bucket.append(value)
            elif value not in seen:
                seen.add(value)
                bucket.append(value)
        return self


class Graph:
    """Nodes by IRI; adding a node twice merges its properties.

    Nodes whose IRI starts with one of ``local_prefixes`` (one dataset's page) are kept
    apart so they can be written and dropped dataset by dataset: memory then holds one
    dataset plus the shared vocabulary, however large the catalog.
    """

    def __init__(self) -> None:
        self.nodes: dict[str, Node] = {}  # shared: agents, concepts, licences, places...
        self.local: dict[str, Node] = {}
        self.local_prefixes: tuple[str, ...] = ()

    def node(self, iri: str, *types: str) -> Node:
        iri = str(iri) if type(iri) is IRI else _safe_iri(iri)
        bucket = self.local if iri.startswith(self.local_prefixes or ("\0",)) else self.nodes
        node = bucket.get(iri)
        if node is None:
            node = bucket[iri] = Node(iri, [])
        for t in types:
            if t not in node.types:
                node.types.append(t)
        return node

    def take(self, nodes: dict[str, Node]) -> list[Node]:
        """The given nodes in output order, removed from the graph."""
        found = ordered(nodes.values())
        nodes.clear()
        return found


def texts(zh: str, en: str = "") -> list[Value]:
    """A Chinese literal and, when there is one, its English version."""
    return [Lit(zh, "zh")] + ([Lit(en, "en")] if en else [])


def date(value: str) -> Lit:
    kind = {4: "xsd:gYear", 7: "xsd:gYearMonth"}.get(len(value), "xsd:date")
    return Lit(value, datatype=kind)


TYPE_ORDER = ("dcat:Catalog", "dcat:DataService", "dcat:Dataset", "dcat:Distribution")


def ordered(nodes: Iterable[Node]) -> list[Node]:
    """Catalog first, then services, datasets, distributions, then the rest; by IRI."""

    def rank(node: Node) -> tuple[int, str]:
        found = [TYPE_ORDER.index(t) for t in node.types if t in TYPE_ORDER]
        return (min(found) if found else len(TYPE_ORDER), node.iri)

    return sorted(nodes, key=rank)


_TURTLE_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"})


def turtle_string(text: str) -> str:
    """A Turtle string literal: in double quotes, with the four characters Turtle's
    STRING_LITERAL_QUOTE forbids escaped (backslash, quote, line feed, carriage return).
    Building an rdflib Literal for each value took a quarter of the catalog's time."""
    return '"' + text.translate(_TURTLE_ESCAPES) + '"'


# json.dumps(..., ensure_ascii=False) of one string: the C function json's encoder calls
_json_string: Callable[[str], str] = json.encoder.encode_basestring  # type: ignore[attr-defined]


def serialize(node: Node) -> tuple[str, str]:
    """One node as a line of compact JSON-LD and as a Turtle subject block, in one pass.

    The JSON-LD line is the text ``json.dumps(doc, ensure_ascii=False)`` gives for the
    node's document (``{"@id": ..., "@type": [...], prop: [{"@id": ...} or {"@value":
    ..., "@language"/"@type": ...}]}``, properties sorted), written out directly: building
    a dict per value and encoding it again took a third of the catalog's time. IRIs are
    already percent-encoded (see :class:`IRI`), so they go between angle brackets as they
    are; the Turtle is written directly rather than through rdflib's serializer, which
    sorts the whole graph in memory and takes seconds per thousand datasets. Both parse
    to the same triples (a test checks it).
    """
    jsonld = ['{"@id": ', _json_string(node.iri)]
    turtle = []
    if node.types:
        types = sorted(node.types)
        jsonld += [', "@type": [', ", ".join(map(_json_string, types)), "]"]
        turtle.append("a " + ", ".join(types))
    props = node.props
    for prop in sorted(props):
        as_json = []
        as_turtle = []
        for v in props[prop]:
            if type(v) is IRI:
                as_json.append('{"@id": ' + _json_string(v) + "}")
                as_turtle.append("<" + v + ">")
                continue
            value, lang, datatype = v
            quoted = '"' + value.translate(_TURTLE_ESCAPES) + '"'
            if lang:
                if datatype:
                    as_json.append(
                        f'{{"@value": {_json_string(value)}, "@language": {_json_string(lang)}, '
                        f'"@type": {_json_string(datatype)}}}'
                    )
                else:
                    as_json.append(
                        f'{{"@value": {_json_string(value)}, "@language": {_json_string(lang)}}}'
                    )
                as_turtle.append(quoted + "@" + lang)
            elif datatype:
                as_json.append(
                    f'{{"@value": {_json_string(value)}, "@type": {_json_string(datatype)}}}'
                )
                as_turtle.append(quoted + "^^" + datatype)
            else:
                as_json.append('{"@value": ' + _json_string(value) + "}")
                as_turtle.append(quoted)
        jsonld += [", ", _json_string(prop), ": [", ", ".join(as_json), "]"]
        turtle.append(prop + " " + ",\n        ".join(as_turtle))
    jsonld.append("}")
    block = f"<{node.iri}>\n    " + " ;\n    ".join(turtle) + " .\n"
    return "".join(jsonld), block
