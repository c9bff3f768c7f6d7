"""Holding back a dataset whose update fails its checks, so the rest of the catalog publishes.

A provincial catalog gathers datasets from dozens of departments: one bad cell in one of
them must not stop every other department's update. After validation the build splits the
catalog (:func:`partition`): a problem that names no dataset (site.yaml, publishers.yaml)
still stops everything, while a dataset with errors of its own — or a derivative whose
source is held back — is left out of this build and keeps its last published version.

That version is the dataset's own files in the site being replaced (its pages in every
language, downloads, descriptor, kept files, application pages and API document), copied
only when every file still has the sha256 this build recorded for it in the signed cache
(:func:`remember`), with a notice on its pages naming the date of that version. Safety
first: when the new descriptor restricts the dataset (a stricter open type, a resource
removed, hidden by ``hide_closed``, suspended or withdrawn) or cannot be read at all,
nothing of the old version is copied: the restriction takes effect at once, even though
the rest of the update waits.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, replace
from pathlib import Path

from .errors import KaifangError, Problem
from .i18n import translate
from .model import Catalog, Dataset
from .policy import OpenType, is_listed, is_more_restrictive
from .runtime.cache import BuildCache
from .runtime.files import read_inside
from .runtime.output import OutputTree

CACHE_KIND = "holdback"
NOTICE_START = "<!--kaifang:notice-->"
NOTICE_END = "<!--/kaifang:notice-->"
_NOTICE = re.compile(re.escape(NOTICE_START) + ".*?" + re.escape(NOTICE_END), re.S)

# why a dataset is held back
ERRORS = "errors"  # its own checks failed
SOURCE = "source-held-back"  # the dataset it is derived from is held back
# what the site shows of it
PREVIOUS = "previous"  # its last published version, with a notice
NEVER = "never-published"  # nothing: no verified previous version exists
WITHDRAWN = "withdrawn"  # nothing: the new descriptor restricts it, or cannot be read
DAMAGED = "damaged"  # nothing: the previous files are missing or changed since published


@dataclass(frozen=True)
class HeldBack:
    """One dataset left out of this build, why, and what the site shows of it."""

    dataset: str
    reason: str  # ERRORS or SOURCE
    outcome: str  # PREVIOUS, NEVER, WITHDRAWN or DAMAGED
    version: str = ""  # PREVIOUS: the `modified` date of the version still shown
    errors: int = 0  # problems that hold it back (errors, and warnings under --strict)


def blocking(problems: list[Problem], strict: bool) -> list[Problem]:
    return [p for p in problems if p.severity == "error" or strict]


def partition(
    catalog: Catalog, problems: list[Problem], strict: bool
) -> tuple[Catalog, dict[str, tuple[str, int]]]:
    """The catalog without the datasets held back, and {id: (reason, blocking problems)}.

    Call only when no blocking problem is catalog-wide. Derivatives of a held-back dataset
    are held back too: their values come from it.
    """
    counts: dict[str, int] = {}
    for p in blocking(problems, strict):
        counts[p.dataset] = counts.get(p.dataset, 0) + 1
    held = {ds_id: (ERRORS, n) for ds_id, n in counts.items()}
    changed = True
    while changed:  # a derivative of a derivative is held back as well
        changed = False
        for ds in catalog.datasets:
            if ds.id not in held and ds.derived_from in held:
                held[ds.id] = (SOURCE, 0)
                changed = True
    kept = tuple(ds for ds in catalog.datasets if ds.id not in held)
    return replace(catalog, datasets=kept), held


# The .gz/.br siblings the deploy stage writes of every text file: made again from the
# restored files (whose pages gain a notice), never kept with a version.
PRECOMPRESSED = (".gz", ".br")


# precompressed siblings (deploy/compress.py) are made again from what is copied
SIBLINGS = (".br", ".gz")


def _owner(rel: str) -> str | None:
    """The dataset an output file belongs to, or None for a shared file (lists, feeds) and
    for precompressed siblings, which the build writes again for the files copied."""
    if rel.endswith(SIBLINGS):
        return None
    parts = rel.split("/")
    if parts[0] == "en":
        parts = parts[1:]
    if len(parts) > 2 and parts[0] in ("datasets", "apply"):
        return parts[1]
    if len(parts) == 4 and parts[:3] == ["api", "v1", "datasets"] and parts[3].endswith(".json"):
        return parts[3][: -len(".json")]
    return None


def _key(out_dir: Path, dataset_id: str) -> str:
    return f"{out_dir.resolve()}\x1f{dataset_id}"


def remember(
    cache: BuildCache, out_dir: Path, catalog: Catalog, out: OutputTree, kept: dict[str, dict]
) -> None:
    """Record, in the signed cache, each published dataset's files with their sha256, so a
    later build can show this version while an update is held back. ``kept`` holds the
    entries of datasets this build held back and showed again."""
    if not cache.enabled:
        return
    files: dict[str, dict[str, str]] = {}
    for rel, written in out.files.items():
        if rel.endswith(PRECOMPRESSED):
            continue
        owner = _owner(rel)
        if owner is not None:
            files.setdefault(owner, {})[rel] = written.sha256
    for ds in catalog.datasets:
        if not is_listed(ds.open_type, catalog.site.hide_closed):
            continue
        entry = {
            "open_type": ds.open_type.value,
            "resources": sorted(r.name for r in ds.resources),
            "data": ds.status.publishes_data,
            "version": ds.modified.isoformat(),
            "files": dict(sorted(files.get(ds.id, {}).items())),
        }
        cache.put(CACHE_KIND, _key(out_dir, ds.id), entry)
    for ds_id, entry in kept.items():
        entry = dict(entry, files=dict(sorted(files.get(ds_id, {}).items())))
        cache.put(CACHE_KIND, _key(out_dir, ds_id), entry)
    cache.flush()


def _restricts(new: Dataset | None, old: dict, hide_closed: bool) -> bool:
    """Whether the new descriptor takes anything away that the old version published."""
    if new is None:
        return True  # unreadable: nothing known, so nothing old is shown
    if not is_listed(new.open_type, hide_closed):
        return True
    try:
        old_type = OpenType(old["open_type"])
    except (KeyError, ValueError):
        return True
    if is_more_restrictive(new.open_type, old_type):
        return True
    if not new.status.publishes_data and old.get("data", True):
        return True  # suspended or withdrawn (数据状态) in the held-back update
    names = {r.name for r in new.resources} | set(new.skipped_resources)
    return not set(old.get("resources", [])) <= names


def _with_notice(data: bytes, rel: str, version: str) -> bytes:
    lang = "en" if rel.startswith("en/") else "zh"
    text = translate("held_back_notice", lang, date=version)
    banner = (
        f'{NOTICE_START}<p class="notice notice-held-back" role="status">{text}</p>{NOTICE_END}'
    )
    html = data.decode("utf-8")
    return _NOTICE.sub(lambda _m: banner, html, count=1).encode("utf-8")


def restore(
    full: Catalog,
    held: dict[str, tuple[str, int]],
    cache: BuildCache,
    previous_site: Path,
    out: OutputTree,
) -> tuple[list[HeldBack], dict[str, dict]]:
    """Copy each held-back dataset's last published version into the output when that is
    safe and verified; returns what became of each, and the cache entries to keep."""
    by_id = {ds.id: ds for ds in full.datasets}
    results: list[HeldBack] = []
    kept: dict[str, dict] = {}
    withdrawn: set[str] = set()
    # sources before derivatives: a derivative of a withdrawn source is withdrawn too
    order = sorted(held, key=lambda i: (held[i][0] == SOURCE, i))
    for ds_id in order:
        reason, errors = held[ds_id]
        new = by_id.get(ds_id)
        old = cache.get(CACHE_KIND, _key(previous_site, ds_id)) if cache.enabled else None
        if old is None or not old.get("files"):
            outcome = NEVER
        elif _restricts(new, old, full.site.hide_closed) or (
            new is not None and new.derived_from in withdrawn
        ):
            outcome = WITHDRAWN
        else:
            outcome = _copy(old, previous_site, out)
        if outcome in (WITHDRAWN, NEVER) and old is not None:
            withdrawn.add(ds_id)
        if outcome == PREVIOUS:
            kept[ds_id] = old
        results.append(
            HeldBack(ds_id, reason, outcome, old.get("version", "") if old else "", errors)
        )
    results.sort(key=lambda h: h.dataset)
    return results, kept


def _copy(old: dict, previous_site: Path, out: OutputTree) -> str:
    """Every file of the old version, checked against its recorded sha256 before any is
    written: one missing or changed file and none is shown."""
    files: dict[str, bytes] = {}
    root = previous_site.resolve()
    for rel, sha in old["files"].items():
        if rel.endswith(PRECOMPRESSED):
            continue
        if _owner(rel) is None or ".." in rel.split("/"):
            return DAMAGED
        try:
            data = read_inside(root / rel, root, rel)
        except (OSError, KaifangError):
            return DAMAGED
        if hashlib.sha256(data).hexdigest() != sha:
            return DAMAGED
        files[rel] = data
    for rel, data in files.items():
        if rel.endswith(".html"):
            data = _with_notice(data, rel, old.get("version", ""))
        out.write_bytes(rel, data)
    return PREVIOUS


# --- what a person is told: the build's summary and the preview overlay --------------------

HELD_REASONS = {
    "errors": ("检查未通过", "its checks failed"),
    "source-held-back": ("其来源数据集被暂缓", "its source dataset is held back"),
}
HELD_OUTCOMES = {
    "previous": ("仍显示上一版本（{version}）", "the previous version ({version}) is still shown"),
    "never-published": ("从未发布过，暂不发布", "never published before: left out"),
    "withdrawn": (
        "新描述收紧了开放范围（或无法读取），旧版本已撤下",
        "the new descriptor restricts it (or cannot be read): the old version is withdrawn",
    ),
    "damaged": (
        "上一版本的文件缺失或被改动，暂不发布",
        "the previous version's files are missing or changed: left out",
    ),
}


def held_back_lines(held: list[HeldBack], lang: str) -> list[str]:
    """One line per dataset left out of this build: why, and what the site shows."""
    i = 0 if lang == "zh" else 1
    head = f"  暂缓发布 {len(held)} 个数据集：" if i == 0 else f"  held back {len(held)} datasets:"
    lines = [head]
    for h in held:
        why = HELD_REASONS[h.reason][i]
        shown = HELD_OUTCOMES[h.outcome][i].format(version=h.version)
        sep = "：" if lang == "zh" else ": "
        lines.append(f"    {h.dataset}{sep}{why}{'，' if lang == 'zh' else '; '}{shown}")
    return lines
