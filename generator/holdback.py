"""Holding back a dataset whose update fails its checks, so the rest of the catalog publishes.

A provincial catalog gathers datasets from dozens of departments: one bad cell in one of
them must not stop every other department's update. After validation the build splits the
catalog (:func:`partition`): a problem that names no dataset (site.yaml, publishers.yaml)
still stops everything, while a dataset with errors of its own — or a derivative whose
source is held back — is left out of this build and keeps its last published version.

That version is the dataset's own files in the site being replaced (its pages in every
language, downloads, descriptor, kept files, application pages and API document), copied
only when every file still has the sha256 this build recorded for it in the signed cache
(:class:`Memory`), with a notice on its pages naming the date of that version. Safety
first: when the new descriptor restricts the dataset (a stricter open type, a resource
removed, hidden by ``hide_closed``, suspended or withdrawn) or cannot be read at all,
nothing of the old version is copied: the restriction takes effect at once, even though
the rest of the update waits.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
import typing
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from .data.derive import PublishedDataset
from .errors import KaifangError, Problem
from .i18n import translate
from .model import AcceptedRisk, Catalog, Dataset, Derivation, FieldRule, Resource
from .policy import OpenType, is_listed, is_more_restrictive
from .runtime.cache import BuildCache, decode, encode, entry_text
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


@dataclass(frozen=True)
class Previous:
    """A held-back dataset's last published version, shown again: in the lists, facets,
    feeds, API and search index as it was then, marked as held back."""

    dataset: Dataset
    published: PublishedDataset | None
    version: str  # its `modified` date
    copied: bool = True  # its pages were copied; False: restricted, rendered afresh, no file


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


def hold_late(
    catalog: Catalog,
    held: dict[str, tuple[str, int]],
    late: list[Problem],
    published: dict[str, PublishedDataset],
    out: OutputTree,
) -> Catalog:
    """Hold back the datasets whose errors showed only while deriving (a derivative whose
    smallest group is under min_group_size, data/risk.py), with their derivatives: their
    derived files leave the output, they leave ``published``, and ``held`` gains them."""
    counts: dict[str, int] = {}
    for p in late:
        if p.dataset:
            counts[p.dataset] = counts.get(p.dataset, 0) + 1
    more = {ds_id: (ERRORS, n) for ds_id, n in counts.items()}
    changed = True
    while changed:
        changed = False
        for ds in catalog.datasets:
            if ds.id not in more and ds.derived_from in more:
                more[ds.id] = (SOURCE, 0)
                changed = True
    for rel in [rel for rel in out.files if _owner(rel) in more]:
        out.remove(rel)
    for ds_id in more:
        published.pop(ds_id, None)
    held.update(more)
    return replace(catalog, datasets=tuple(ds for ds in catalog.datasets if ds.id not in more))


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


# --- the previous version's metadata, kept in the signed cache -------------------------------
#
# The lists, facets, feeds, API and search index need the held-back dataset as it was
# published, and the catalog folder now holds the broken update. The signed cache entry
# that lists the old files also holds the old `Dataset` and its published files (sizes,
# checksums): it is signed with a key kept outside the cache, so nobody who can only write
# the cache or the output folder can change what a held-back dataset says. (The previous
# build's API record in --out is not signed; trusting it would need its hash from this very
# entry, and it lacks what lists and search need.) Previews, statistics and charts are not
# kept: the dataset's pages are copied, not rendered again.

_LOOSE = {"YamlDoc": object}  # model.py names it for type checkers only


def _snapshot(ds: Dataset) -> Any:
    """The JSON form of a dataset as published, without its parsed YAML; a derivative's
    rules are kept without the source objects, linked again on restore."""
    slim = replace(
        ds, source=None, resources=tuple(replace(r, derivation=None) for r in ds.resources)
    )
    data = encode(slim)
    data["rules"] = {
        r.name: {
            "rules": encode(r.derivation.rules),
            "accepted_risk": encode(r.derivation.accepted_risk),
        }
        for r in ds.resources
        if r.derivation is not None
    }
    return data


def _relink(ds: Dataset, rules: dict, sources: dict[str, Dataset]) -> Dataset:
    """A previous derivative with its rules applied to its source as published now (the
    audit counts what the rules produce as public); without that source, no derivation:
    the caller then leaves it out of the audit's catalog."""
    source = sources.get(ds.derived_from)
    resources = []
    for r in ds.resources:
        saved = rules.get(r.name)
        src_res = (
            next((x for x in source.resources if x.name == r.source), None) if source else None
        )
        if saved is None or source is None or src_res is None:
            resources.append(r)
            continue
        derivation = Derivation(
            source,
            src_res,
            decode(tuple[FieldRule, ...], saved["rules"]),
            decode(AcceptedRisk | None, saved["accepted_risk"]),
        )
        resources.append(replace(r, derivation=derivation))
    return replace(ds, resources=tuple(resources))


def linked(ds: Dataset) -> bool:
    """Whether every resource of a derivative is linked to its source (see _relink)."""
    return all(r.derivation is not None for r in ds.resources) if ds.derived_from else True


def _decode_fields(kind: type, data: dict, skip: dict[str, Any]) -> Any:
    hints = typing.get_type_hints(kind, localns=_LOOSE)
    values = {
        f.name: skip[f.name] if f.name in skip else decode(hints[f.name], data[f.name])
        for f in dataclasses.fields(kind)
    }
    return kind(**values)


def _restore_dataset(data: Any) -> Dataset:
    resources = tuple(
        _decode_fields(Resource, raw, {"derivation": None}) for raw in data["resources"]
    )
    return _decode_fields(Dataset, data, {"source": None, "resources": resources})


def _slim_published(published: PublishedDataset | None) -> Any:
    """The files of a published dataset (paths, sizes, sha256), no preview or statistic."""
    if published is None:
        return None
    resources = [
        replace(r, preview_header=[], preview=[], summaries=[], charts=[], risk=None)
        for r in published.resources
    ]
    return encode(replace(published, resources=resources))


def previous_version(
    entry: dict, sources: dict[str, Dataset]
) -> tuple[Dataset, PublishedDataset | None] | None:
    """The dataset and files a signed entry recorded, or None for an entry written before
    Kaifang kept them (its pages are still copied; it is then missing from the lists).
    ``sources``: the datasets published now, a previous derivative's source among them."""
    if "dataset" not in entry:
        return None
    try:
        ds = _restore_dataset(entry["dataset"])
        ds = _relink(ds, entry["dataset"].get("rules", {}), sources)
        raw = entry.get("published")
        return ds, (decode(PublishedDataset, raw) if raw is not None else None)
    except (KeyError, TypeError, ValueError):
        return None


class Memory:
    """Records, in the signed cache, each published dataset's files with their sha256, so a
    later build can show this version while an update is held back (``kept`` holds the
    entries of datasets this build held back and showed again). Made ahead of the swap:
    :meth:`prepare` builds the entries and their JSON text (the build calls it while the
    audit's workers scan the tree, when this process has nothing else to do), and
    :meth:`remember` stores them once the build is published.
    The entries depend on the dataset files of the output tree, which nothing writes after
    the compress stage: what is left (the search index) belongs to no dataset, and
    precompressed siblings are not recorded."""

    def __init__(
        self,
        cache: BuildCache,
        out_dir: Path,
        catalog: Catalog,
        out: OutputTree,
        kept: dict[str, dict],
        published: dict[str, PublishedDataset],
    ) -> None:
        self._cache, self._out_dir, self._catalog = cache, out_dir, catalog
        self._out, self._kept, self._published = out, kept, published
        self._entries: list[tuple[str, str]] | None = None  # dataset id, JSON text

    def prepare(self) -> None:
        if self._entries is not None or not self._cache.enabled:
            return
        files: dict[str, dict[str, str]] = {}
        for rel, written in self._out.files.items():
            if rel.endswith(PRECOMPRESSED):
                continue
            owner = _owner(rel)
            if owner is not None:
                files.setdefault(owner, {})[rel] = written.sha256
        catalog, published = self._catalog, self._published
        entries: list[tuple[str, str]] = []
        for ds in catalog.datasets:
            if not is_listed(ds.open_type, catalog.site.hide_closed):
                continue
            entry = {
                "open_type": ds.open_type.value,
                "resources": sorted(r.name for r in ds.resources),
                "data": ds.status.publishes_data,
                "version": ds.modified.isoformat(),
                "files": dict(sorted(files.get(ds.id, {}).items())),
                "dataset": _snapshot(ds),
                "published": _slim_published(published.get(ds.id)),
            }
            entries.append((ds.id, entry_text(entry)))
        for ds_id, entry in self._kept.items():
            entry = dict(entry, files=dict(sorted(files.get(ds_id, {}).items())))
            entries.append((ds_id, entry_text(entry)))
        self._entries = entries

    def remember(self) -> None:
        if not self._cache.enabled:
            return
        self.prepare()
        assert self._entries is not None
        prefix = _key(self._out_dir, "")  # resolved once, after the swap, not per dataset
        for ds_id, text in self._entries:
            self._cache.put_text(CACHE_KIND, prefix + ds_id, text)
        self._cache.flush()


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
    if not set(old.get("resources", [])) <= names:
        return True
    return _fields_restrict(new, (old.get("dataset") or {}).get("resources") or [])


PERSONAL_KEYS = ("sensitive", "quasi_identifier")


def _fields_restrict(new: Dataset, old_resources: list) -> bool:
    """Whether the new descriptor says less may be published of a field the old version
    published: the field is gone (dropped from the schema or by a derivative's rule), is
    now marked personal (`sensitive`, `quasi_identifier`) or allows fewer kinds of
    personal data (`pii_allowed`). The publisher has just said those values must not be
    out, so the old files go at once, even though the update is held back."""
    by_name = {r.name: {f.name: f.raw for f in r.fields} for r in new.resources}
    for res in old_resources:
        new_fields = by_name.get(res.get("name")) if isinstance(res, dict) else None
        if new_fields is None:
            continue  # a resource skipped in the update: judged by the names above
        for old_field in res.get("fields") or []:
            raw_old = old_field.get("raw") or {}
            raw_new = new_fields.get(old_field.get("name"))
            if raw_new is None:
                return True
            if any(raw_new.get(k) and not raw_old.get(k) for k in PERSONAL_KEYS):
                return True
            allowed_old = raw_old.get("pii_allowed") or []
            allowed_new = raw_new.get("pii_allowed") or []
            if isinstance(allowed_old, list) and isinstance(allowed_new, list):
                if not set(map(str, allowed_old)) <= set(map(str, allowed_new)):
                    return True
    return False


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
) -> tuple[list[HeldBack], dict[str, dict], dict[str, Previous]]:
    """Copy each held-back dataset's last published version into the output when that is
    safe and verified; returns what became of each, the cache entries to keep, and the
    versions shown again, for the lists, feeds and search index."""
    by_id = {ds.id: ds for ds in full.datasets}
    sources = {i: ds for i, ds in by_id.items() if i not in held}
    results: list[HeldBack] = []
    kept: dict[str, dict] = {}
    shown: dict[str, Previous] = {}
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
            view = _restricted_view(old, new, sources, full.site.hide_closed)
            if view is not None:
                shown[ds_id] = Previous(view, None, old.get("version", ""), copied=False)
        else:
            version = previous_version(old, sources)
            outcome = _copy(old, previous_site, out, with_api=version is None)
            if outcome == PREVIOUS and version is not None:
                shown[ds_id] = Previous(*version, old.get("version", ""))
        if outcome in (WITHDRAWN, NEVER) and old is not None:
            withdrawn.add(ds_id)
        if outcome == PREVIOUS:
            kept[ds_id] = old
        results.append(
            HeldBack(ds_id, reason, outcome, old.get("version", "") if old else "", errors)
        )
    results.sort(key=lambda h: h.dataset)
    return results, kept, shown


def _restricted_view(
    old: dict, new: Dataset | None, sources: dict[str, Dataset], hide_closed: bool
) -> Dataset | None:
    """The previous version with the new descriptor's restriction applied, for a dataset
    whose update restricts it: its stricter open type (with the conditions and legal basis
    the new descriptor gives), a status that stops the data, only the resources the new
    descriptor still names; never a file. None when nothing may be listed: hidden by
    ``hide_closed``, unreadable, a derivative (its source decides), or no record kept."""
    if new is None or new.derived_from or not is_listed(new.open_type, hide_closed):
        return None
    version = previous_version(old, sources)
    if version is None:
        return None
    before = version[0]
    stricter = is_more_restrictive(new.open_type, before.open_type)
    names = {r.name for r in new.resources} | set(new.skipped_resources)
    return replace(
        before,
        open_type=new.open_type if stricter else before.open_type,
        open_conditions=new.open_conditions if stricter else before.open_conditions,
        legal_basis=new.legal_basis if stricter else before.legal_basis,
        status=before.status if new.status.publishes_data else new.status,
        resources=tuple(r for r in before.resources if r.name in names),
    )


def _copy(old: dict, previous_site: Path, out: OutputTree, with_api: bool) -> str:
    """Every file of the old version, checked against its recorded sha256 before any is
    written: one missing or changed file and none is shown. Its API document is written
    again by the feeds stage (marked as held back) when the entry holds its record."""
    files: dict[str, bytes] = {}
    root = previous_site.resolve()
    for rel, sha in old["files"].items():
        if rel.endswith(PRECOMPRESSED) or (not with_api and rel.startswith("api/")):
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
