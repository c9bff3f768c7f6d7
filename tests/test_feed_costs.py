"""The feeds stage does each dataset's work once: DCAT's shared nodes are made once, a
dataset's Atom entry is rendered once per language for every feed that shows it, and the
catalogs' text is written directly, giving the bytes json.dumps and quote gave."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import quote

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.build import build
from generator.feeds import atom, dcat
from generator.feeds.dcat import IRI, IRI_SAFE, Lit, Node, serialize

from .conftest import CatalogFactory

TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=12)
IRIS = st.builds(IRI, TEXT)
LITS = st.builds(
    Lit,
    TEXT.filter(bool),
    st.sampled_from([None, "", "zh", "en"]),
    st.sampled_from([None, "", "xsd:date", "xsd:hexBinary"]),
)
NODES = st.builds(
    Node,
    TEXT,
    st.lists(st.sampled_from(["dcat:Dataset", "foaf:Agent", "skos:Concept"]), unique=True),
    st.dictionaries(TEXT.filter(bool), st.lists(IRIS | LITS, min_size=1, max_size=3)),
)


def _as_dict(node: Node) -> dict[str, object]:
    """The node's JSON-LD document, as a dict for json.dumps."""
    doc: dict[str, object] = {"@id": node.iri}
    if node.types:
        doc["@type"] = sorted(node.types)
    for prop in sorted(node.props):
        values: list[dict[str, str]] = []
        for v in node.props[prop]:
            if isinstance(v, IRI):
                values.append({"@id": str(v)})
                continue
            one = {"@value": v.value}
            if v.lang:
                one["@language"] = v.lang
            if v.datatype:
                one["@type"] = v.datatype
            values.append(one)
        doc[prop] = values
    return doc


@settings(deadline=None)  # the shared machine is slow at times: no time limit per example
@given(NODES)
def test_a_nodes_jsonld_line_is_what_json_dumps_gives(node: Node):
    line, _turtle = serialize(node)
    assert line == json.dumps(_as_dict(node), ensure_ascii=False)


@settings(deadline=None)
@given(TEXT)
def test_an_iri_is_percent_encoded_as_quote_does_it_and_only_once(text: str):
    iri = IRI(text)
    assert iri == quote(text, safe=IRI_SAFE)
    assert IRI(iri) == iri == IRI(str(iri))


@pytest.mark.parametrize("text", ["http://a/b c", "https://例子.cn/数据", "a%20b", "x<y>\"z'"])
def test_iris_with_characters_to_encode(text: str):
    assert IRI(text) == quote(text, safe=IRI_SAFE)


def _small_catalog(catalog: CatalogFactory) -> None:
    for i in range(6):
        catalog.dataset(f"ds-{i:02d}", csv_text=f"line_id,stops\nL{i},{i}\n")


def test_each_datasets_entry_is_rendered_once_per_language(
    catalog: CatalogFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """The portal's, publisher's, theme's, tags' and the dataset's own feed show the
    same entry (no changelog yet): rendered once per dataset and language."""
    _small_catalog(catalog)
    calls: list[tuple[str, str]] = []
    real = atom.render_entry

    def counted(rec, lang, change=None):  # type: ignore[no-untyped-def]
        calls.append((rec.id, lang))
        return real(rec, lang, change)

    monkeypatch.setattr(atom, "render_entry", counted)
    out = tmp_path / "site"
    build(catalog.root, out, jobs=1, use_cache=False, record_history=False)
    assert sorted(calls) == sorted({(f"ds-{i:02d}", lg) for i in range(6) for lg in ("zh", "en")})
    own = (out / "datasets" / "ds-03" / "feed.atom").read_text(encoding="utf-8")
    portal = (out / "feed.atom").read_text(encoding="utf-8")
    entry = own[own.index("  <entry>") : own.index("</feed>")]
    assert entry in portal


def test_dcat_makes_each_publishers_and_licences_node_once(
    catalog: CatalogFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    _small_catalog(catalog)
    made: list[str] = []
    real_agent, real_licence = dcat.CatalogBuilder._agent, dcat.CatalogBuilder._licence

    def agent(self, pub):  # type: ignore[no-untyped-def]
        made.append("agent " + pub.id)
        return real_agent(self, pub)

    def licence(self, lic):  # type: ignore[no-untyped-def]
        made.append("licence " + lic.name)
        return real_licence(self, lic)

    monkeypatch.setattr(dcat.CatalogBuilder, "_agent", agent)
    monkeypatch.setattr(dcat.CatalogBuilder, "_licence", licence)
    out = tmp_path / "site"
    build(catalog.root, out, jobs=1, use_cache=False, record_history=False)
    assert made and len(made) == len(set(made))
    turtle = (out / "catalog.ttl").read_text(encoding="utf-8")
    assert turtle.count("a foaf:Agent, foaf:Organization") >= 2  # the portal and a publisher
