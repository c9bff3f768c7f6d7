"""The search index's words and ranking: Python (the build) and JavaScript (the browser)
must agree token for token, and the ranking must put what a citizen typed first."""

from __future__ import annotations

import base64
import dataclasses
import json
import shutil
import subprocess
from pathlib import Path

import pytest

from generator.search.engine import exact_rank, recall_misses, search
from generator.search.index import Doc, Index
from generator.search.text import fnv1a, parse_query, tokens

CORE = Path(__file__).resolve().parent.parent / "templates" / "static" / "search-core.js"
SAMPLES = [
    "公交线路及站点信息",
    "公共自行车站点实时状态（2024年）",
    "ＹＣ－ＪＴ－２０２１－０００１ Bus lines and stops",
    "中小学 课后托管",
    "〇号线 air-quality PM2.5",
    '"公交线路" 公交 OR 学校 -交通',
    "“空气 质量” | weather",
    "x",
]


def node_results() -> dict:
    if shutil.which("node") is None:
        pytest.fail("node is needed to run search-core.js (Debian package nodejs)")
    source = base64.b64encode(CORE.read_bytes()).decode()
    script = f"""
    const core = await import("data:text/javascript;base64,{source}");
    const samples = {json.dumps(SAMPLES, ensure_ascii=False)};
    const out = samples.map((s) => {{
      const q = core.parseQuery(s);
      return {{
        tokens: core.tokens(s),
        hashes: core.tokens(s).map(core.fnv1a),
        query: [q.clauses.map((c) => c.map((t) => [t.tokens, t.phrase])),
                q.negatives.map((t) => t.tokens), q.exact],
      }};
    }});
    console.log(JSON.stringify(out));
    """
    done = subprocess.run(
        ["node", "--input-type=module", "-e", script], capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout)


def test_browser_and_build_make_the_same_tokens_and_queries():
    for sample, js in zip(SAMPLES, node_results(), strict=True):
        q = parse_query(sample)
        assert js["tokens"] == tokens(sample), sample
        assert js["hashes"] == [fnv1a(t) for t in tokens(sample)], sample
        python = [
            [[[t.tokens, t.phrase] for t in clause] for clause in q.clauses],
            [t.tokens for t in q.negatives],
            q.exact,
        ]
        assert js["query"] == python, sample


def test_bigrams_need_no_dictionary():
    assert tokens("公交线路") == ["公交", "交线", "线路"]
    assert tokens("Bus lines, PM2.5") == ["bus", "line", "pm2", "5"]
    q = parse_query('"公交线路" 学校 OR 医院 -交通')
    assert [[t.text for t in c] for c in q.clauses] == [["公交线路"], ["学校", "医院"]]
    assert q.clauses[0][0].phrase and [t.text for t in q.negatives] == ["交通"] and not q.exact


def doc(i: str, title: str, open_type: str = "open", description: str = "", **extra) -> Doc:
    labels = {"open": "无条件开放", "conditional": "有条件开放", "closed": "非开放"}
    values = dict(
        id=i,
        url=f"/datasets/{i}/",
        title=title,
        description=description,
        identifier=f"YC-{i.upper()}-0001",
        keywords=[],
        publisher="云川市交通运输局",
        theme="交通出行",
        fields=[],
        open_type=open_type,
        open_label=labels[open_type],
        formats=["CSV"],
        frequency="每月",
        modified="2026-01-01",
    )
    values.update(extra)
    return Doc(**values)


def search_document(d: Doc, lang: str = "zh") -> dict:
    """The search document the site stage writes for a dataset page, as the indexer reads it."""
    return {"lang": lang, **dataclasses.asdict(d)}


@pytest.fixture
def index() -> Index:
    return Index.build(
        [
            doc("bus", "公交线路及站点信息", description="公交线路和站点。"),
            doc("bus2", "公交线路", "closed"),
            doc("traffic", "交通事故统计", description="按月统计交通事故。"),
            doc("school", "中小学名录", keywords=["学校"]),
            doc("bike", "公共自行车站点", "conditional", fields=["站点名称"]),
            doc("road", "道路里程", description="含公交专用道里程。"),
        ],
        "zh",
    )


def ids(index: Index, text: str) -> list[str]:
    return [index.docs[n].id for n in search(index, text)]


def test_exact_title_first_then_title_words_then_description(index: Index):
    assert ids(index, "公交线路") == ["bus2", "bus"]  # the exact title, even closed
    assert ids(index, "公交") == ["bus", "bus2", "road"]  # open before closed; then description
    assert ids(index, "公交线路及站点信息") == ["bus"]
    assert "traffic" not in ids(index, "公交")  # 交 alone is not a match


def test_operators(index: Index):
    assert ids(index, '"线路站点"') == []  # a phrase needs its characters in that order
    assert set(ids(index, "公交 OR 学校")) == {"bus", "bus2", "road", "school"}
    assert ids(index, "公交 -站点") == ["bus2", "road"]
    assert ids(index, "站点") == ["bus", "bike"]  # title and description, then title and field


def test_identifier_and_recall(index: Index):
    assert ids(index, "YC-BUS-0001")[0] == "bus"
    number = next(n for n, d in enumerate(index.docs) if d.id == "bus")
    assert exact_rank(index, "公交线路及站点信息", number) == 1
    assert recall_misses(index) == []
    crowded = Index.build([doc(f"d{n}", "同名数据") for n in range(4)], "zh")
    misses = recall_misses(crowded)
    assert [(m.dataset, m.by, m.rank) for m in misses] == [("d3", "title", 4)]


def test_words_typed_together_fall_back_to_most_of_their_tokens(index: Index):
    care = Index.build(
        [*index.docs, doc("care", "中小学课后服务（课后托管）", "conditional")], "zh"
    )
    # 中小学托管 -> 中小 小学 学托 托管; no title has 学托: three of four find "care" only
    assert [care.docs[n].id for n in search(care, "中小学托管")] == ["care"]
    # two tokens: one is enough, and the document holding both comes first
    assert [care.docs[n].id for n in search(care, "公交 zzz")][:2] == ["bus", "bus2"]
    # what the whole query finds is never mixed with partial matches
    assert ids(index, "公交线路") == ["bus2", "bus"]
    # operators mean what they say: no fallback
    assert search(care, '"中小学托管"') == [] and search(care, "中小学托管 -服务") == []


def test_the_indexer_deletes_the_documents_it_read(tmp_path: Path):
    """The indexer process removes the search documents itself once read (the build's
    process only forgets them in finish), and every index file is registered."""
    from generator.runtime.output import OutputTree
    from generator.search import SEARCH_DOCS, start_search_index

    out = OutputTree(tmp_path / "staging")
    for i, title in enumerate(["公交线路", "空气质量"]):
        document = search_document(doc(f"d{i}", title))
        out.write_text(f"{SEARCH_DOCS}datasets/d{i}/index.html", json.dumps(document))
    with start_search_index(out, ["zh"]) as indexing:
        assert indexing.process.wait(timeout=120) == 0
        assert not (out.root / SEARCH_DOCS).exists()  # gone before the build asks
        assert any(rel.startswith(SEARCH_DOCS) for rel in out.files)  # not yet forgotten
        result = indexing.finish()
    assert result.pages == 2
    assert not any(rel.startswith(SEARCH_DOCS) for rel in out.files)
    assert sorted(
        p.relative_to(out.root).as_posix() for p in out.root.rglob("*") if p.is_file()
    ) == sorted(out.files)


def test_a_documents_tokens_are_those_of_each_text_with_its_fields():
    """doc_tokens normalises each text once: it must give what tokens(), characters() and
    exact_token() give of each text, with the bits of every field that holds the token."""
    from generator.search.index import (
        DESCRIPTION,
        FIELDS,
        KEYWORDS,
        NAMES,
        TITLE,
        doc_tokens,
    )
    from generator.search.text import characters, exact_token

    d = doc(
        "a1",
        "公交线路及站点信息（２０２４）Bus Lines",
        description="云川市 bus stops 公交线路 PM2.5 ＡＢＣ",
        keywords=["公交", "线路", "stops", "〇号线"],
        fields=["line_id", "站点名称", "Stops"],
        identifier="ＹＣ－ＪＴ－２０２１－０００１",
        publisher="云川市交通运输局",
        theme="",
    )
    expected: dict[str, int] = {}
    for texts, bit, chars in (
        ([d.title], TITLE, True),
        (d.keywords, KEYWORDS, True),
        ([d.description], DESCRIPTION, False),
        ([d.publisher, d.theme], NAMES, False),
        ([*d.fields, d.identifier], FIELDS, False),
    ):
        for text in texts:
            for token in tokens(text) + (characters(text) if chars else []):
                expected[token] = expected.get(token, 0) | bit
    for text, bit in ((d.title, TITLE), (d.identifier, FIELDS)):
        if exact_token(text):
            expected[exact_token(text)] = expected.get(exact_token(text), 0) | bit
    assert doc_tokens(d) == expected
    assert list(doc_tokens(d)) == list(expected)  # the same order too
    blank = doc_tokens(dataclasses.replace(d, identifier="", title="——"))
    assert not any(k.startswith("=") for k in blank), "an empty exact token was indexed"
