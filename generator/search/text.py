"""The words of the search index, and of a query: one definition, mirrored in search-core.js.

Why character bigrams rather than a word segmenter: Pagefind segmented the index with
jieba and the query with the browser's ``Intl.Segmenter``; where the two dictionaries
disagree (公交线路: jieba 公交线路, ICU 公/交/线路) the words never meet, and on 100,000
synthetic pages 公交线路 found 0 of 3,177 matching pages. Overlapping bigrams need no
dictionary: a query that is a substring of a text has all its bigrams in that text, so
it is always found, and the browser computes exactly what the build computed (the test
suite runs both implementations on the same strings). Single characters are indexed for
titles and keywords only, so one-character queries still work without doubling the index.

Latin letters and digits form words (lower-cased, a final plural ``s`` dropped), so
identifiers, field names and English pages are searched by word.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

# Han characters of the Basic Multilingual Plane (CJK ext. A, unified, compatibility) and 〇.
HAN = "\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_RUN = re.compile(f"[{HAN}]+|[a-z0-9]+")
_PART = re.compile(r'["“”]([^"“”]*)["“”]?|(\S+)')
EXACT = "="  # prefix of the token that holds a whole title or identifier


def normalise(text: str) -> str:
    """Full-width forms to half-width (ＡＢＣ１２３, （）), then lower case."""
    return unicodedata.normalize("NFKC", text).lower()


def runs(text: str) -> list[str]:
    """The runs of Han characters and of Latin letters and digits, in order."""
    return _RUN.findall(normalise(text))


def is_han(run: str) -> bool:
    return run[0] >= "\u3007"


def stem(word: str) -> str:
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


def run_tokens(run: str) -> list[str]:
    if not is_han(run):
        return [stem(run)]
    if len(run) == 1:
        return [run]
    return [run[i : i + 2] for i in range(len(run) - 1)]


def tokens(text: str) -> list[str]:
    """Distinct tokens of a text, in first-seen order."""
    seen: dict[str, None] = {}
    for run in runs(text):
        for token in run_tokens(run):
            seen.setdefault(token, None)
    return list(seen)


def characters(text: str) -> list[str]:
    """The single Han characters of a text (indexed for titles and keywords)."""
    return run_characters(runs(text))


def run_characters(parts: list[str]) -> list[str]:
    """:func:`characters` of a text's :func:`runs`."""
    return sorted({c for run in parts if is_han(run) for c in run})


def key(text: str) -> str:
    """A text reduced to its letters, digits and Han characters: what an exact match compares."""
    return "".join(runs(text))


def exact_token(text: str) -> str:
    return run_exact_token(runs(text))


def run_exact_token(parts: list[str]) -> str:
    """:func:`exact_token` of a text's :func:`runs`."""
    return EXACT + "".join(parts) if parts else ""


def fnv1a(token: str) -> int:
    """32-bit FNV-1a of the UTF-8 bytes: the token's id in the index files."""
    h = 0x811C9DC5
    for byte in token.encode("utf-8"):
        h = ((h ^ byte) * 0x01000193) & 0xFFFFFFFF
    return h


@dataclass
class Term:
    text: str
    tokens: list[str]
    phrase: bool = False


@dataclass
class Query:
    clauses: list[list[Term]] = field(default_factory=list)  # AND of ORs
    negatives: list[Term] = field(default_factory=list)
    exact: str = ""  # the exact-match token of the whole query, when it has no operator

    @property
    def empty(self) -> bool:
        return not self.clauses


def parse_query(text: str) -> Query:
    """Words are AND-ed; ``"…"`` (or “…”) is a phrase; ``OR`` (or ``|``) between two words
    accepts either; ``-word`` excludes. A Chinese run without spaces is one term."""
    text = unicodedata.normalize("NFKC", text)
    query = Query()
    pending_or = False
    operators = False
    positives: list[str] = []
    for match in _PART.finditer(text):
        quoted, bare = match.group(1), match.group(2)
        if bare is not None and bare in ("OR", "|"):
            pending_or = bool(query.clauses)
            operators = True
            continue
        negative = bare is not None and bare.startswith("-") and len(bare) > 1
        body = quoted if quoted is not None else (bare[1:] if negative else bare)
        assert body is not None
        term = Term(body, tokens(body), phrase=quoted is not None)
        if not term.tokens:
            continue
        if negative:
            query.negatives.append(term)
            operators = True
        elif pending_or:
            query.clauses[-1].append(term)
        else:
            query.clauses.append([term])
            positives.append(body)
        pending_or = False
        if quoted is not None:
            operators = True
    if not operators and positives:
        query.exact = exact_token("".join(positives))
    return query
