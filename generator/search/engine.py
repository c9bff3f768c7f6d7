"""The ranking of search-core.js, in Python: for the recall check of every build and tests.

Order of results: an exact match of the whole query (a title or identifier, letters,
digits and Han characters compared) first; then the score, summed over the query's terms,
of the fields that hold every token of the term (title 64, keywords 24, publisher and theme
12, description 8, field names and identifier 4) plus a quarter of the fields that hold
some of them; then open before conditional before closed; then title order.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import Problem
from .index import DESCRIPTION, FIELD_BITS, FIELDS, KEYWORDS, NAMES, TITLE, Index
from .text import Query, Term, parse_query

WEIGHTS = {TITLE: 64, KEYWORDS: 24, NAMES: 12, DESCRIPTION: 8, FIELDS: 4}
RECALL_RANK = 3


def weight(mask: int) -> int:
    return sum(w for bit, w in WEIGHTS.items() if mask & bit)


def term_match(index: Index, term: Term, doc: int) -> tuple[int, int] | None:
    """(fields holding every token, fields holding any) of a document, or None."""
    every, some = FIELD_BITS, 0
    for token in term.tokens:
        entry = index.postings.get(token)
        mask = entry.mask_of(doc) & FIELD_BITS if entry else 0
        if not mask:
            return None
        every &= mask
        some |= mask
    if term.phrase and not every:
        return None
    return every, some


def term_docs(index: Index, term: Term) -> set[int]:
    lists = [index.postings.get(t) for t in term.tokens]
    if any(p is None for p in lists):
        return set()
    lists.sort(key=lambda p: len(p.docs))  # type: ignore[union-attr]
    found = set(lists[0].docs)  # type: ignore[union-attr]
    return {d for d in found if term_match(index, term, d) is not None}


def score(index: Index, query: Query, doc: int) -> int | None:
    total = 0
    for clause in query.clauses:
        best = None
        for term in clause:
            match = term_match(index, term, doc)
            if match is not None:
                value = weight(match[0]) + weight(match[1]) // 4
                best = value if best is None else max(best, value)
        if best is None:
            return None
        total += best
    if any(term_match(index, t, doc) is not None for t in query.negatives):
        return None
    return total


def is_exact(index: Index, query: Query, doc: int) -> bool:
    entry = index.postings.get(query.exact) if query.exact else None
    return bool(entry and entry.mask_of(doc))


def sort_key(index: Index, query: Query, doc: int, value: int) -> tuple[int, int, int, int]:
    return (0 if is_exact(index, query, doc) else 1, -value, index.open_rank(doc), doc)


def search(index: Index, text: str) -> list[int]:
    """Document numbers matching the query, best first (the full search, for tests)."""
    query = parse_query(text)
    if query.empty:
        return []
    candidates: set[int] | None = None
    for clause in query.clauses:
        found: set[int] = set().union(*(term_docs(index, t) for t in clause))
        candidates = found if candidates is None else candidates & found
    scored = []
    for doc in candidates or ():
        value = score(index, query, doc)
        if value is not None:
            scored.append(sort_key(index, query, doc, value))
    if not scored:
        return partial_search(index, query)
    return [key[3] for key in sorted(scored)]


def partial_search(index: Index, query: Query) -> list[int]:
    """The fallback when no document holds every token of a plain query: documents with
    at least 60 % of its tokens (one of two), most tokens first (search-core.js's
    partialMatch)."""
    if not query.exact:  # a query with operators means what it says
        return []
    tokens = list(
        dict.fromkeys(t for clause in query.clauses for term in clause for t in term.tokens)
    )
    if len(tokens) < 2:
        return []
    need = 1 if len(tokens) == 2 else -(-len(tokens) * 3 // 5)
    found: dict[int, list[int]] = {}
    for token in tokens:
        entry = index.postings.get(token)
        for doc, mask in zip(entry.docs, entry.masks, strict=True) if entry else ():
            if mask & FIELD_BITS:
                count_score = found.setdefault(doc, [0, 0])
                count_score[0] += 1
                count_score[1] += weight(mask & FIELD_BITS)
    keys = [
        (-(count * 1000 + value), index.open_rank(doc), doc)
        for doc, (count, value) in found.items()
        if count >= need
    ]
    return [key[2] for key in sorted(keys)]


def exact_rank(index: Index, text: str, doc: int) -> int | None:
    """Rank (1-based) of a document for a query that exactly matches it, computed over the
    documents that match exactly (they come before every other result), or None when the
    document does not match exactly."""
    query = parse_query(text)
    entry = index.postings.get(query.exact) if query.exact else None
    if entry is None or not entry.mask_of(doc):
        return None
    keys = []
    for other in entry.docs:
        value = score(index, query, other)
        if value is not None:
            keys.append(sort_key(index, query, other, value))
    order = [key[3] for key in sorted(keys)]
    return order.index(doc) + 1 if doc in order else None


@dataclass(frozen=True)
class Miss:
    dataset: str
    lang: str
    by: str  # "title" or "identifier"
    query: str
    rank: int | None


def recall_misses(index: Index) -> list[Miss]:
    """Every listed dataset must come in the top 3 for its own title and identifier."""
    misses = []
    for number, doc in enumerate(index.docs):
        for by, text in (("title", doc.title), ("identifier", doc.identifier)):
            if not text.strip():
                continue
            rank = exact_rank(index, text, number)
            if rank is None or rank > RECALL_RANK:
                misses.append(Miss(doc.id, index.lang, by, text, rank))
    return misses


def recall_problem(miss: Miss) -> Problem:
    by_zh = "名称" if miss.by == "title" else "信息资源代码"
    where_zh = "未找到" if miss.rank is None else f"排在第 {miss.rank} 位"
    where_en = "not found" if miss.rank is None else f"ranked {miss.rank}"
    return Problem(
        code="search-recall",
        message=(
            f"搜索（{miss.lang}）按数据集自己的{by_zh}“{miss.query}”{where_zh}，"
            f"不在前 {RECALL_RANK} 位；请让名称或代码更有区分度（可能与其他数据集同名）"
        ),
        message_en=(
            f"search ({miss.lang}) for the dataset's own {miss.by} “{miss.query}”: {where_en}, "
            f"not in the top {RECALL_RANK}; make it distinct (another dataset may share it)"
        ),
        dataset=miss.dataset,
        severity="warning",
        field=miss.by,
    )
