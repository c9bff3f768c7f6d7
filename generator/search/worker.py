"""The indexer process: ``python -m generator.search.worker STAGING LANG…``.

Reads the search documents the site stage wrote under ``_search/`` (and deletes them:
nothing else reads them), writes the index of
each language under ``search-index/<lang>/`` and prints one JSON line: the files written
(relative to STAGING), the pages indexed and the recall check's warnings.
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import sys
import time
from pathlib import Path

from ..site import SEARCH_DOCS
from . import BUNDLE_DIR
from .engine import recall_misses, recall_problem
from .index import Doc, Index, write_index


def read_docs(root: Path) -> dict[str, list[Doc]]:
    by_lang: dict[str, list[Doc]] = {}
    for path in sorted((root / SEARCH_DOCS).rglob("index.html")):
        data = json.loads(path.read_text(encoding="utf-8"))
        by_lang.setdefault(data["lang"], []).append(Doc.from_json(data))
    return by_lang


def build(root: Path, languages: list[str]) -> dict:
    by_lang = read_docs(root)
    # read: deleted here, while the build compresses, not by the build's process later
    # (Indexing.finish only forgets them; 20,000 documents for 10,000 datasets)
    shutil.rmtree(root / SEARCH_DOCS, ignore_errors=True)
    files: list[str] = []
    problems = []
    pages = 0
    for lang in languages:
        index = Index.build(by_lang.get(lang, []), lang)
        pages += len(index.docs)
        folder = f"{BUNDLE_DIR}/{lang}/"
        for rel, data in sorted(write_index(index, root / folder).items()):
            path = root / folder / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
            files.append(folder + rel)
        problems += [dataclasses.asdict(recall_problem(m)) for m in recall_misses(index)]
    # when it finished, for the stage's time (the build may only ask for the index later)
    return {"files": files, "pages": pages, "problems": problems, "finished": time.time()}


def main() -> None:
    root = Path(sys.argv[1])
    print(json.dumps(build(root, sys.argv[2:]), ensure_ascii=False))
    sys.stdout.flush()
    # Every file is written and closed, the report printed: freeing the index object by
    # object as the interpreter exits took 0.3-0.6 s while the build waited for this process.
    os._exit(0)


if __name__ == "__main__":
    main()
