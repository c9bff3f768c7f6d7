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
    """The search documents under STAGING/_search/, by language."""
    return _read(_listing(root)[0])


def _listing(root: Path) -> tuple[list[str], list[str]]:
    """(search documents, folders) under STAGING/_search/, paths as strings; a folder comes
    before the folders in it, and links are not followed. One scandir per folder: pathlib's
    rglob took 0.13 of 0.32 CPU-s to read 6,000 documents."""
    docs: list[str] = []
    folders: list[str] = []

    def walk(folder: str) -> None:
        folders.append(folder)
        with os.scandir(folder) as listing:
            for entry in listing:
                if entry.is_dir(follow_symlinks=False):
                    walk(entry.path)
                elif entry.name == "index.html":
                    docs.append(entry.path)

    top = os.path.join(root, SEARCH_DOCS)
    if os.path.isdir(top):
        walk(top)
    return docs, folders


def _read(paths: list[str]) -> dict[str, list[Doc]]:
    by_lang: dict[str, list[Doc]] = {}
    for path in sorted(paths, key=lambda p: p.split(os.sep)):  # the order of Path sorting
        with open(path, "rb") as handle:
            data = json.loads(handle.read())
        by_lang.setdefault(data["lang"], []).append(Doc.from_json(data))
    return by_lang


def _remove(docs: list[str], folders: list[str], root: Path) -> None:
    """Delete the search documents and their folders, as listed: the walk done already
    (shutil.rmtree lists and checks every folder again; 0.46 against 0.33 CPU-s for 6,000
    documents). Anything else found there is removed by rmtree."""
    try:
        for path in docs:
            os.unlink(path)
        for folder in reversed(folders):  # the folders in a folder before it
            os.rmdir(folder)
    except OSError:
        shutil.rmtree(root / SEARCH_DOCS, ignore_errors=True)


def build(root: Path, languages: list[str]) -> dict:
    docs, folders = _listing(root)
    by_lang = _read(docs)
    # read: deleted here, while the build compresses, not by the build's process later
    # (Indexing.finish only forgets them; 20,000 documents for 10,000 datasets)
    _remove(docs, folders, root)
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
