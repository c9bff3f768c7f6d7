"""History stage (4): each dataset's changelog, and the files it replaced, kept between builds.

Where it lives: ``<catalog>/history/<id>.json`` (the last published snapshot and the
entries) and ``<catalog>/history/<id>/<version>/<resource>.csv`` (replaced files), written
by `kaifang build` after a successful publish (`--no-record-history` skips it; previews
never record). In the catalog because it must survive a clean clone: a CI build from a
fresh checkout sees the same history as the publisher's laptop once it is committed, and
the output stays a function of the catalog alone, so builds stay reproducible. Git
history was the alternative and was not chosen: CI checkouts are shallow by default (the
history silently vanishes), not every catalog is a git repository, and commits are not
publications (a fix-up commit is not a change users were shown).

What a snapshot holds: the public metadata keys, the open type, each resource's fields
(name, type, title), and, only while the dataset is open, each resource's row count and
the sha256 of its source file. A snapshot of a conditional or closed dataset holds nothing
derived from values; when a dataset stops being open, row counts and data changes are
removed from its stored entries, and its archived files are deleted.

Replaced resources: when an open resource's data changes, the file it replaces is taken
from the site being replaced (the output folder) and kept for ``ARCHIVE_DAYS`` under
``/datasets/<id>/archive/<version>/<resource>.csv``, so a user who cited it can fetch it
again after its successor is published (the Xinjiang measures, art. 24: the old resource
goes offline only after its successor is usable, and users are told).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .checks.personal import archive_withdrawn, csv_bytes_findings
from .errors import CatalogError, Problem
from .i18n import STRINGS, translate
from .model import Catalog, Dataset
from .policy import OpenType, publishes_data, publishes_schema
from .runtime.files import data_file, read_inside
from .runtime.output import OutputTree

if TYPE_CHECKING:  # `kaifang check` imports this module; the derive stage (pandas) it never runs
    from .data.derive import PublishedDataset

FORMAT = 1
ARCHIVE_DAYS = 90  # how long a replaced file stays downloadable
HISTORY_DIR = "history"
METADATA_KEYS = (
    "title",
    "title_en",
    "description",
    "publisher",
    "theme",
    "keywords",
    "share_type",
    "open_conditions",
    "legal_basis",
    "update_frequency",
    "issued",
    "modified",
    "licenses",
    "spatial",
    "temporal",
    "status",  # 数据状态 (issue 16): a removed dataset's tombstone reads its reason here
)
CLOSED_VISIBLE = frozenset({"title", "title_en", "publisher", "legal_basis", "status"})
DATA_KINDS = frozenset({"rows", "data"})  # derived from values: open datasets only
LONG_TEXT = frozenset({"description", "status"})  # shown as "changed", not old -> new
SHORT = 120


@dataclass(frozen=True)
class Change:
    kind: str  # published, open_type, metadata, resource-added, resource-removed,
    # field-added, field-removed, field-type, field-title, rows, data
    subject: str = ""  # key, resource, or resource.field
    old: str = ""
    new: str = ""


@dataclass(frozen=True)
class Entry:
    date: str  # YYYY-MM-DD, the build date (SOURCE_DATE_EPOCH honoured)
    changes: tuple[Change, ...]


@dataclass(frozen=True)
class Archived:
    resource: str
    version: str  # the date the archived file was first published
    sha256: str
    bytes: int
    until: str  # last day it stays downloadable

    @property
    def url_path(self) -> str:
        return f"archive/{self.version}/{self.resource}.csv"


@dataclass
class DatasetHistory:
    dataset: str
    snapshot: dict[str, Any]
    entries: list[Entry] = field(default_factory=list)  # newest first
    archive: list[Archived] = field(default_factory=list)
    new_files: dict[str, bytes] = field(default_factory=dict)  # archive path -> bytes
    changed: bool = False  # differs from what is stored
    pending: Entry | None = None  # this build's entry, recorded only by publishing builds
    withdrawn: list[Problem] = field(default_factory=list)  # archived files with personal data


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    return str(value)


def snapshot(ds: Dataset, published: PublishedDataset | None) -> dict[str, Any]:
    """What a changelog compares; row counts and data hashes for open datasets only."""
    open_data = publishes_data(ds.open_type) and published is not None
    rows = {r.name: r.rows for r in published.resources} if published and open_data else {}
    resources = {}
    for res in ds.resources:
        item: dict[str, Any] = {"fields": [[f.name, f.type, f.title] for f in res.fields]}
        if open_data and res.name in rows:
            item["rows"] = rows[res.name]
            item["source"] = _source_digest(ds, res.path) if res.path else ""
        resources[res.name] = item
    return {
        "open_type": ds.open_type.value,
        "metadata": {k: _text(ds.descriptor.get(k)) for k in METADATA_KEYS},
        "resources": resources,
    }


def _source_digest(ds: Dataset, rel: str) -> str:
    digest = hashlib.sha256()
    with data_file(ds.folder, rel, ds.id) as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def _short(text: str) -> str:
    return text if len(text) <= SHORT else text[: SHORT - 1] + "…"


def diff(old: dict[str, Any] | None, new: dict[str, Any]) -> list[Change]:
    if old is None:
        return [Change("published")]
    changes: list[Change] = []
    if old.get("open_type") != new["open_type"]:
        changes.append(Change("open_type", "", old.get("open_type", ""), new["open_type"]))
    old_meta = old.get("metadata", {})
    for key in METADATA_KEYS:
        before, after = old_meta.get(key, ""), new["metadata"].get(key, "")
        if before != after:
            if key in LONG_TEXT:
                changes.append(Change("metadata", key))
            else:
                changes.append(Change("metadata", key, _short(before), _short(after)))
    old_res, new_res = old.get("resources", {}), new["resources"]
    for name in new_res:
        if name not in old_res:
            changes.append(Change("resource-added", name))
    for name in old_res:
        if name not in new_res:
            changes.append(Change("resource-removed", name))
    for name in (n for n in new_res if n in old_res):
        before = {f[0]: f for f in old_res[name].get("fields", [])}
        after = {f[0]: f for f in new_res[name]["fields"]}
        for fname, f in after.items():
            if fname not in before:
                changes.append(Change("field-added", f"{name}.{fname}", "", f[1]))
            elif before[fname][1] != f[1]:
                changes.append(Change("field-type", f"{name}.{fname}", before[fname][1], f[1]))
            elif before[fname][2] != f[2]:
                changes.append(Change("field-title", f"{name}.{fname}", before[fname][2], f[2]))
        for fname in before:
            if fname not in after:
                changes.append(Change("field-removed", f"{name}.{fname}"))
        o, n = old_res[name], new_res[name]
        if "rows" in o and "rows" in n:
            if o["rows"] != n["rows"]:
                changes.append(Change("rows", name, str(o["rows"]), str(n["rows"])))
            elif o.get("source") != n.get("source"):
                changes.append(Change("data", name))
    return changes


def visible(changes: tuple[Change, ...], open_type: OpenType) -> tuple[Change, ...]:
    """What the site may show of an entry, asked of the policy for the current open type."""
    shown = []
    for c in changes:
        if c.kind in DATA_KINDS and not publishes_data(open_type):
            continue
        if c.kind.startswith(("field-", "resource-")) and not publishes_schema(open_type):
            continue
        if c.kind == "metadata" and not publishes_schema(open_type):
            if c.subject not in CLOSED_VISIBLE:
                continue
        shown.append(c)
    return tuple(shown)


def describe(change: Change, lang: str) -> str:
    """One changelog line, for the dataset page and the Atom feed."""
    if change.kind == "published":
        return translate("change_published", lang)
    if change.kind == "open_type":
        old, new = (OpenType(v).label(lang) if v else "—" for v in (change.old, change.new))
        return translate("change_open_type", lang, old=old, new=new)
    if change.kind == "metadata":
        label = f"change_key_{change.subject}"
        if label not in STRINGS:
            label = change.subject
        key = translate(label, lang) if label in STRINGS else change.subject
        if change.subject in LONG_TEXT:
            return translate("change_metadata_changed", lang, name=key)
        return translate(
            "change_metadata", lang, name=key, old=change.old or "—", new=change.new or "—"
        )
    return translate(
        f"change_{change.kind}", lang, subject=change.subject, old=change.old, new=change.new
    )


def latest_changes(
    catalog: Catalog, histories: dict[str, DatasetHistory], recording: bool
) -> dict[str, Entry]:
    """Each dataset's newest recorded changelog entry the policy lets show, for the feeds.

    An entry this build does not record is left out: feeds stay the same in every build
    of an unchanged catalog, whatever the date (a bot compares them byte for byte).
    """
    latest = {}
    for ds in catalog.datasets:
        item = histories.get(ds.id)
        for entry in item.entries if item else []:
            if entry is item.pending and not recording:
                continue
            changes = visible(entry.changes, ds.open_type)
            if changes:
                latest[ds.id] = Entry(entry.date, changes)
                break
    return latest


# --- the state files ------------------------------------------------------------------------


def _state_path(root: Path, dataset_id: str) -> Path:
    return root / HISTORY_DIR / f"{dataset_id}.json"


class HistoryError(CatalogError):
    """A history record is damaged or names a file outside its folder: nothing is built."""


_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]*$")  # a resource name, as the profile allows
_SHA = re.compile(r"^[0-9a-f]{64}$")
CHANGE_KINDS = frozenset(
    {"published", "open_type", "metadata", "resource-added", "resource-removed", "field-added",
     "field-removed", "field-type", "field-title", "rows", "data", "removed"}
)  # fmt: skip


class _Bad(Exception):
    def __init__(self, where: str, zh: str, en: str) -> None:
        super().__init__(where)
        self.where, self.zh, self.en = where, zh, en


def _need(ok: bool, where: str, zh: str, en: str) -> None:
    if not ok:
        raise _Bad(where, zh, en)


def _keys(value: Any, where: str, required: set[str], optional: set[str] = frozenset()) -> None:
    _need(isinstance(value, dict), where, "应为对象 {…}", "must be an object {…}")
    missing = sorted(required - set(value))
    _need(not missing, where, f"缺少键 {', '.join(missing)}", f"lacks {', '.join(missing)}")
    unknown = sorted(str(k) for k in set(value) - required - optional)
    _need(
        not unknown,
        where,
        f"有未知的键 {', '.join(unknown)}",
        f"has unknown keys {', '.join(unknown)}",
    )


def _string(value: Any, where: str, pattern: re.Pattern[str] | None = None) -> None:
    _need(isinstance(value, str), where, "应为字符串", "must be a string")
    if pattern is not None:
        _need(bool(pattern.match(value)), where, "格式不对", f"does not match {pattern.pattern}")


def _count(value: Any, where: str) -> None:
    ok = isinstance(value, int) and not isinstance(value, bool) and value >= 0
    _need(ok, where, "应为非负整数", "must be a non-negative integer")


def _check_record(data: Any, dataset_id: str) -> None:
    """The record's shape, strictly: every key known, every value of its type, and archive
    items that can only name ``<version date>/<resource>.csv`` inside the dataset's folder."""
    _keys(data, "", {"format"}, {"dataset", "snapshot", "entries", "archive"})
    _need(data["format"] == FORMAT, "format", f"应为 {FORMAT}", f"must be {FORMAT}")
    if "dataset" in data:
        _need(
            data["dataset"] == dataset_id, "dataset", f"应为 {dataset_id}", f"must be {dataset_id}"
        )
    snap = data.get("snapshot", {})
    _keys(snap, "snapshot", set(), {"open_type", "metadata", "resources"})
    _string(snap.get("open_type", ""), "snapshot.open_type")
    meta = snap.get("metadata", {})
    _keys(meta, "snapshot.metadata", set(), set(METADATA_KEYS))
    for key, value in meta.items():
        _string(value, f"snapshot.metadata.{key}")
    resources = snap.get("resources", {})
    _need(isinstance(resources, dict), "snapshot.resources", "应为对象", "must be an object")
    for name, item in resources.items():
        at = f"snapshot.resources.{name}"
        _keys(item, at, {"fields"}, {"rows", "source"})
        _need(isinstance(item["fields"], list), f"{at}.fields", "应为列表", "must be a list")
        for i, f in enumerate(item["fields"]):
            ok = isinstance(f, list) and len(f) == 3 and all(isinstance(x, str) for x in f)
            _need(ok, f"{at}.fields[{i}]", "应为 [名称, 类型, 标题]", "must be [name, type, title]")
        if "rows" in item:
            _count(item["rows"], f"{at}.rows")
        _string(item.get("source", ""), f"{at}.source")
    entries = data.get("entries", [])
    _need(isinstance(entries, list), "entries", "应为列表", "must be a list")
    for i, entry in enumerate(entries):
        _keys(entry, f"entries[{i}]", {"date", "changes"})
        _string(entry["date"], f"entries[{i}].date", _DATE)
        _need(
            isinstance(entry["changes"], list),
            f"entries[{i}].changes",
            "应为列表",
            "must be a list",
        )
        for j, change in enumerate(entry["changes"]):
            at = f"entries[{i}].changes[{j}]"
            _keys(change, at, {"kind"}, {"subject", "old", "new"})
            _need(change["kind"] in CHANGE_KINDS, f"{at}.kind", "未知的更新类型", "unknown kind")
            for key in ("subject", "old", "new"):
                _string(change.get(key, ""), f"{at}.{key}")
    archive = data.get("archive", [])
    _need(isinstance(archive, list), "archive", "应为列表", "must be a list")
    for i, item in enumerate(archive):
        at = f"archive[{i}]"
        _keys(item, at, {"resource", "version", "sha256", "bytes", "until"})
        _string(item["resource"], f"{at}.resource", _NAME)  # no '/', no '..'
        _string(item["version"], f"{at}.version", _DATE)
        _string(item["until"], f"{at}.until", _DATE)
        _string(item["sha256"], f"{at}.sha256", _SHA)
        _count(item["bytes"], f"{at}.bytes")


def _history_error(rel: str, what: str, what_en: str) -> HistoryError:
    problem = Problem(
        "history-invalid",
        f"更新记录 {rel} 无效：{what}",
        f"history record {rel} is invalid: {what_en}",
        file=rel,
        hint=f"从版本库恢复 {rel}；若无法恢复，删除它（及同名文件夹）后重新构建，"
        "更新记录将从头开始",
        hint_en=f"restore {rel} from version control; failing that, delete it (and its folder) "
        "and build again: the history then starts afresh",
    )
    return HistoryError(
        f"更新记录 {rel} 无效，未发布任何内容 / history record {rel} is invalid; "
        "nothing was published",
        [problem],
    )


def _inside_catalog(root: Path, path: Path) -> bool:
    """No link anywhere between the catalog and path: history is written as well as read."""
    if path.is_symlink() or (path.parent != root and not _inside_catalog(root, path.parent)):
        return False
    return True


def load_state(root: Path, dataset_id: str) -> dict[str, Any] | None:
    """The dataset's stored record, checked strictly (None when there is none yet).

    A record is input like the catalog: damaged, or naming anything but its own kept files,
    it stops the build with :class:`HistoryError` rather than being trusted or silently
    started afresh (which would rewrite the changelog users were shown)."""
    path = _state_path(root, dataset_id)
    rel = f"{HISTORY_DIR}/{dataset_id}.json"
    folder = root / HISTORY_DIR / dataset_id
    for item in (path, folder):
        if (item.exists() or item.is_symlink()) and not _inside_catalog(root, item):
            raise _history_error(rel, f"{item.name} 是符号链接", f"{item.name} is a symbolic link")
    if not path.is_file():
        return None
    try:
        data = json.loads(read_inside(path, root / HISTORY_DIR, rel).decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise _history_error(rel, f"不是有效的 JSON（{exc}）", f"not valid JSON ({exc})") from None
    try:
        _check_record(data, dataset_id)
    except _Bad as bad:
        where = bad.where or "（顶层）"
        raise _history_error(
            rel, f"{where}：{bad.zh}", f"{bad.where or '(top)'}: {bad.en}"
        ) from None
    return data


def check_records(catalog: Catalog) -> list[Problem]:
    """Every dataset's history record checked as :func:`load_state` checks it, for
    ``kaifang check``: what would stop a build stops the check too."""
    problems: list[Problem] = []
    for ds in catalog.datasets:
        try:
            load_state(catalog.root, ds.id)
        except HistoryError as exc:
            problems.extend(replace(p, dataset=ds.id) for p in exc.problems)
    return problems


def _entries(data: dict[str, Any]) -> list[Entry]:
    return [
        Entry(e["date"], tuple(Change(**c) for c in e["changes"])) for e in data.get("entries", [])
    ]


def _archive(data: dict[str, Any]) -> list[Archived]:
    return [Archived(**a) for a in data.get("archive", [])]


def plan(
    catalog: Catalog,
    published: dict[str, PublishedDataset],
    previous_site: Path,
    today: dt.date,
) -> dict[str, DatasetHistory]:
    """The history every dataset will have once this build is published (nothing written)."""
    histories: dict[str, DatasetHistory] = {}
    day = today.isoformat()
    for ds in catalog.datasets:
        stored = load_state(catalog.root, ds.id)
        new = snapshot(ds, published.get(ds.id))
        old = stored.get("snapshot") if stored else None
        entries = _entries(stored) if stored else []
        archive = _archive(stored) if stored else []
        history = DatasetHistory(ds.id, new, entries, archive)
        since = data_since(entries, list(old.get("resources", {})) if old else [])
        changes = diff(old, new)
        if changes:
            history.pending = Entry(day, tuple(changes))
            history.entries.insert(0, history.pending)
            history.changed = True
        if publishes_data(ds.open_type) and ds.status.publishes_data and old is not None:
            _archive_replaced(history, ds, old, new, previous_site, today, since)
        if not publishes_data(ds.open_type):
            scrubbed = [
                Entry(e.date, tuple(c for c in e.changes if c.kind not in DATA_KINDS))
                for e in history.entries
            ]
            if scrubbed != history.entries or history.archive:
                history.entries, history.archive, history.changed = scrubbed, [], True
        kept = [a for a in history.archive if a.until >= day]
        if kept != history.archive:
            history.archive, history.changed = kept, True
        histories[ds.id] = history
    return histories


def _archive_replaced(
    history: DatasetHistory,
    ds: Dataset,
    old: dict[str, Any],
    new: dict[str, Any],
    previous_site: Path,
    today: dt.date,
    since: dict[str, str],
) -> None:
    """Keep the published file of every open resource whose data this build replaces."""
    for name, before in old.get("resources", {}).items():
        after = new["resources"].get(name, {})
        if "source" not in before or before.get("source") == after.get("source"):
            continue
        published_file = previous_site / "datasets" / ds.id / f"{name}.csv"
        if not published_file.is_file():
            continue  # nothing was published to keep (a clean checkout without site/)
        data = published_file.read_bytes()
        version = since.get(name) or today.isoformat()
        item = Archived(
            resource=name,
            version=version,
            sha256=hashlib.sha256(data).hexdigest(),
            bytes=len(data),
            until=(today + dt.timedelta(days=ARCHIVE_DAYS)).isoformat(),
        )
        history.archive = [a for a in history.archive if a.url_path != item.url_path]
        history.archive.insert(0, item)
        history.new_files[item.url_path] = data
        history.changed = True


def publish_archive(catalog: Catalog, history: DatasetHistory, out: OutputTree) -> None:
    """Write the dataset's kept files into the output, if the policy lets it publish data."""
    ds = catalog.dataset(history.dataset)
    if not publishes_data(ds.open_type) or not ds.status.publishes_data:
        return  # no kept file either while the dataset is suspended or withdrawn
    folder = catalog.root / HISTORY_DIR / ds.id
    for item in list(history.archive):
        data = history.new_files.get(item.url_path)
        if data is None:
            path = folder / item.version / f"{item.resource}.csv"
            if not path.is_file() or path.stat().st_size != item.bytes:
                continue  # not committed with the record: listed no more than published
            # the record was checked (a date and a resource name, no '/' or '..'); the open
            # is checked again on the descriptor: only a file inside this folder is read
            data = read_inside(path, folder, f"{HISTORY_DIR}/{ds.id}/{item.url_path}")
            if len(data) != item.bytes:
                continue
        found = csv_bytes_findings(ds, data)
        if found:  # e.g. mobiles a correction removed: withdrawn, never kept for 90 days
            history.archive.remove(item)
            history.new_files.pop(item.url_path, None)
            history.changed = True
            history.withdrawn.append(archive_withdrawn(ds, item.url_path, found))
            continue
        out.write_bytes(f"datasets/{ds.id}/{item.url_path}", data)


def publish_archives(
    catalog: Catalog, histories: dict[str, DatasetHistory], out: OutputTree
) -> None:
    """Every dataset's kept files, as :func:`publish_archive` allows."""
    for item in histories.values():
        publish_archive(catalog, item, out)


def save(catalog: Catalog, histories: dict[str, DatasetHistory], today: dt.date) -> int:
    """Write what changed into the catalog's history folder; returns datasets written."""
    root = catalog.root / HISTORY_DIR
    written = 0
    for history in histories.values():
        if not history.changed:
            continue
        folder = root / history.dataset
        for rel, data in history.new_files.items():
            target = folder / rel.removeprefix("archive/")
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp = target.with_name(target.name + ".tmp")
            tmp.write_bytes(data)
            os.replace(tmp, target)
        keep = {f"{a.version}/{a.resource}.csv" for a in history.archive}
        if folder.is_dir():
            for path in sorted(folder.rglob("*.csv")):
                if path.relative_to(folder).as_posix() not in keep:
                    path.unlink()
            for sub in sorted(folder.iterdir()):
                if sub.is_dir() and not any(sub.iterdir()):
                    sub.rmdir()
            if not any(folder.iterdir()):
                folder.rmdir()
        state = {
            "format": FORMAT,
            "dataset": history.dataset,
            "snapshot": history.snapshot,
            "entries": [
                {"date": e.date, "changes": [c.__dict__ for c in e.changes]}
                for e in history.entries
            ],
            "archive": [a.__dict__ for a in history.archive],
        }
        root.mkdir(exist_ok=True)
        path = _state_path(catalog.root, history.dataset)
        tmp = path.with_name(path.name + ".tmp")
        text = json.dumps(state, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
        written += 1
    return written


def data_since(entries: list[Entry], resources: list[str]) -> dict[str, str]:
    """For each resource, the date of the newest entry that published its current data."""
    since: dict[str, str] = {}
    for entry in entries:  # newest first
        for c in entry.changes:
            if c.kind == "published":
                for name in resources:
                    since.setdefault(name, entry.date)
            elif c.kind in DATA_KINDS or c.kind == "resource-added":
                since.setdefault(c.subject, entry.date)
    return since
