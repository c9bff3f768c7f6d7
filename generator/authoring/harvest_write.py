"""Writing harvested records into a catalog, keeping what a person edited.

Each harvested dataset keeps, beside its datapackage.yaml, the descriptor its last harvest
wrote (``.harvest-base.json``). Running harvest again compares, key by key, three versions:
the source now, the last harvest (the base) and the file as it is (local). A key the person
did not touch (local == base) takes the source's new value; a key the source did not change
keeps the local value; a key both changed keeps the local value and is reported, never
overwritten silently. Datasets the source no longer lists are reported and kept.
"""

from __future__ import annotations

import json
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..catalog.placeholders import TO_FILL, UNDECIDED
from ..catalog.yamldoc import guarded_text
from ..feeds.dcat import EU_FREQUENCIES, EU_THEMES
from ..model import RESERVED_RESOURCE_NAMES, SiteConfig
from .harvest import Harvested, is_url, last_segment, short_hash
from .importer import slug
from .yamledit import Document, commented

BASE_FILE = ".harvest-base.json"
SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
ISO_PERIODS = {
    "R/PT1H": "hourly",
    "R/P1D": "daily",
    "R/P1W": "weekly",
    "R/P1M": "monthly",
    "R/P3M": "quarterly",
    "R/P1Y": "yearly",
    "IRREGULAR": "irregular",
}


@dataclass
class Outcome:
    """What harvest did to one dataset of the catalog."""

    dataset: str
    # created, updated, unchanged, gone (no longer at the source: kept), withdrawn (marked
    # withdrawn at the source: not created), withdrawn-kept (the local copy left as it is)
    action: str
    updated: list[str] = field(default_factory=list)  # keys taken from the source
    kept: list[str] = field(default_factory=list)  # keys edited locally and at the source
    downloaded: list[str] = field(default_factory=list)  # resources now local files
    errors: list[str] = field(default_factory=list)  # downloads that failed, and why


@dataclass
class Options:
    portal: str  # the source as given on the command line
    prefix: str = ""
    publisher: str = ""  # --publisher: every dataset gets this department
    download: bool = False  # --download: CSV and XLSX distributions become local resources


# --- one record -> one descriptor -------------------------------------------------------


def _slug_or(text: str, fallback: str) -> str:
    text = text.strip().lower()
    if SLUG.match(text) and len(text) <= 60:
        return text
    return slug(text, "-", fallback) if text else fallback


def theme_id(themes: list[str], site: SiteConfig) -> str:
    """The first theme of the source that names one of the site's themes."""
    eu_to_site: dict[str, str] = {}
    for site_id, (code, _) in EU_THEMES.items():
        if site_id in site.themes:
            eu_to_site.setdefault(code, site_id)
    labels = {
        label.lower(): t.id
        for t in site.themes.values()
        for label in (t.label.zh, t.label.en)
        if label
    }
    for theme in themes:
        segment = last_segment(theme) if is_url(theme) else theme
        for candidate in (segment, segment.lower()):
            if candidate in site.themes:
                return candidate
        if segment.upper() in eu_to_site:
            return eu_to_site[segment.upper()]
        if theme.lower() in labels:
            return labels[theme.lower()]
    return TO_FILL


def frequency_id(value: str, site: SiteConfig) -> str:
    """A frequency of site.yaml from an EU code, an ISO 8601 period or an id; a source that
    says nothing is irregular (不定期) when the site has that frequency."""
    eu_to_site: dict[str, str] = {}
    for site_id, (code, _) in EU_FREQUENCIES.items():
        if site_id in site.frequencies:
            eu_to_site.setdefault(code, site_id)
    value = value.strip()
    for candidate in (
        value.lower(),
        ISO_PERIODS.get(value.upper(), ""),
        eu_to_site.get(value.upper(), ""),
    ):
        if candidate and candidate in site.frequencies:
            return candidate
    return "irregular" if "irregular" in site.frequencies else TO_FILL


def publisher_of(record: Harvested, options: Options) -> str:
    if options.publisher:
        return options.publisher
    if not (record.publisher_id or record.publisher_zh or record.publisher_en):
        return TO_FILL
    fallback = f"publisher-{short_hash(record.publisher_zh or record.publisher_en)}"
    if record.publisher_id:
        return _slug_or(record.publisher_id, fallback)
    return _slug_or(record.publisher_en or record.publisher_zh, fallback)


def descriptor(record: Harvested, site: SiteConfig, options: Options) -> dict[str, Any]:
    """The datapackage.yaml this record gives, before merging with a local edit."""
    doc: dict[str, Any] = {"title": record.title}
    if record.title_en:
        doc["title_en"] = record.title_en
    doc["description"] = record.description or TO_FILL
    if record.description_en:
        doc["description_en"] = record.description_en
    if record.identifier:
        doc["identifier"] = record.identifier
    doc["publisher"] = publisher_of(record, options)
    doc["theme"] = theme_id(record.themes, site)
    if record.keywords:
        doc["keywords"] = record.keywords
    # access rights: PUBLIC only is open; anything else waits for a person (check refuses)
    doc["open_type"] = "无条件开放" if record.public else UNDECIDED
    doc["update_frequency"] = frequency_id(record.frequency, site)
    doc["issued"] = record.issued or record.modified or TO_FILL
    doc["modified"] = record.modified or record.issued or TO_FILL
    if record.license_name or record.license_url:
        lic = {"name": record.license_name or record.license_url}
        if record.license_title:
            lic["title"] = record.license_title
        if record.license_url:
            lic["path"] = record.license_url
        doc["licenses"] = [lic]
    resources, names = [], set()
    for i, dist in enumerate(record.distributions, 1):
        name = _slug_or(dist.title, f"resource-{i}")
        if name in names or name in RESERVED_RESOURCE_NAMES:
            name = f"{name}-{i}"
        names.add(name)
        res: dict[str, Any] = {"name": name, "title": dist.title, "url": dist.url}
        if dist.format:
            res["format"] = dist.format
        if dist.bytes is not None:
            res["bytes"] = dist.bytes
        resources.append(res)
    doc["resources"] = resources
    harvest = {"portal": options.portal, "original": record.original}
    if record.identifier:
        harvest["identifier"] = record.identifier
    doc["harvest"] = harvest
    return doc


# --- the three-way merge -----------------------------------------------------------------


def merge(
    source: dict[str, Any], base: dict[str, Any] | None, local: dict[str, Any]
) -> tuple[dict[str, Any], list[str], list[str]]:
    """(merged descriptor, keys taken from the source, keys kept although both changed)."""
    if base is None:  # a dataset harvest did not write: every difference is the person's
        base = local
    merged: dict[str, Any] = {}
    updated, kept = [], []
    missing = object()
    for key in list(local) + [k for k in source if k not in local]:
        ours, theirs, was = (
            local.get(key, missing),
            source.get(key, missing),
            base.get(key, missing),
        )
        if ours == theirs:
            value = ours
        elif ours == was:  # untouched locally: the source's value, or gone with it
            value = theirs
            updated.append(key)
        elif theirs == was:  # unchanged at the source: the local edit stays
            value = ours
        else:
            value = ours
            kept.append(key)
        if value is not missing:
            merged[key] = value
    return merged, updated, kept


# --- the catalog ------------------------------------------------------------------------


def _existing_by_original(root: Path) -> dict[str, str]:
    """original URL -> dataset id, for datasets an earlier harvest wrote."""
    found: dict[str, str] = {}
    for base_file in sorted((root / "datasets").glob(f"*/{BASE_FILE}")):
        try:
            base = json.loads(base_file.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError):
            continue
        original = (base.get("harvest") or {}).get("original")
        if isinstance(original, str):
            found[original] = base_file.parent.name
    return found


def _dump(doc: dict[str, Any]) -> str:
    return yaml.safe_dump(doc, allow_unicode=True, sort_keys=False, width=100)


def write_records(
    root: Path, records: list[Harvested], site: SiteConfig, options: Options
) -> list[Outcome]:
    """Create or update one dataset folder per record; report what happened to each."""
    existing = _existing_by_original(root)
    taken = {p.name for p in (root / "datasets").iterdir() if p.is_dir()}
    outcomes: list[Outcome] = []
    seen: set[str] = set()
    for record in records:
        ds_id = existing.get(record.original)
        if ds_id is None:
            wanted = options.prefix + _slug_or(
                record.name_hint or record.title_en or record.title,
                f"dataset-{short_hash(record.original)}",
            )
            ds_id = (
                wanted
                if wanted not in taken and wanted not in seen
                else (f"{wanted}-{short_hash(record.original)}")
            )
        seen.add(ds_id)
        taken.add(ds_id)
        if record.withdrawn:  # removed or withdrawn at the source: nothing to take in
            outcomes.append(
                Outcome(ds_id, "withdrawn-kept" if ds_id in existing.values() else "withdrawn")
            )
            continue
        outcome = _write_one(root / "datasets" / ds_id, descriptor(record, site, options))
        if options.download:
            download_resources(root, outcome)
        outcomes.append(outcome)
    harvested_here = {o.dataset for o in outcomes}
    for ds_id in sorted(existing.values()):
        base = json.loads((root / "datasets" / ds_id / BASE_FILE).read_text(encoding="utf-8"))
        if (base.get("harvest") or {}).get("portal") == options.portal and (
            ds_id not in harvested_here
        ):
            outcomes.append(Outcome(ds_id, "gone"))
    _add_publishers(root, records, options)
    return outcomes


def _rel(path: Path) -> str:
    """datasets/<id>/datapackage.yaml, as messages name a descriptor."""
    return f"datasets/{path.parent.name}/{path.name}"


def _apply(target: dict[str, Any], merged: dict[str, Any]) -> None:
    """Make the loaded mapping equal to ``merged`` in place: unchanged keys keep their
    comments and formatting, changed ones are replaced, new ones are appended in order."""
    for key in [k for k in target if k not in merged]:
        del target[key]
    for key, value in merged.items():
        if key not in target or target[key] != value:
            target[key] = commented(value)


def _write_one(folder: Path, source: dict[str, Any]) -> Outcome:
    path, base_path = folder / "datapackage.yaml", folder / BASE_FILE
    if not path.exists():
        folder.mkdir(parents=True, exist_ok=True)
        path.write_text(_dump(source), encoding="utf-8")
        base_path.write_text(json.dumps(source, ensure_ascii=False, indent=1), encoding="utf-8")
        return Outcome(folder.name, "created")
    # ruamel.yaml's round trip: the person's comments, key order and quoting stay, and
    # only the keys the merge changed are rewritten
    doc = Document(guarded_text(path, _rel(path)))
    local = doc.data if isinstance(doc.data, dict) else {}
    base = json.loads(base_path.read_text(encoding="utf-8")) if base_path.exists() else None
    merged, updated, kept = merge(source, base, dict(local))
    if merged != dict(local):
        if isinstance(doc.data, dict):
            _apply(doc.data, merged)
            path.write_text(doc.dump(), encoding="utf-8")
        else:
            path.write_text(_dump(merged), encoding="utf-8")
    base_path.write_text(json.dumps(source, ensure_ascii=False, indent=1), encoding="utf-8")
    action = "updated" if updated else "unchanged"
    return Outcome(folder.name, action, updated, kept)


def _add_publishers(root: Path, records: list[Harvested], options: Options) -> None:
    """Departments the harvested datasets name that publishers.yaml does not have yet."""
    if options.publisher:
        return
    path = root / "publishers.yaml"
    text = guarded_text(path, "publishers.yaml") if path.exists() else ""
    current = yaml.safe_load(text) if text.strip() else None
    known = {p.get("id") for p in current or [] if isinstance(p, dict)}
    new = []
    for record in records:
        pid = publisher_of(record, options)
        if pid == TO_FILL or pid in known:
            continue
        known.add(pid)
        name = {"zh": record.publisher_zh or record.publisher_en}
        if record.publisher_en:
            name["en"] = record.publisher_en
        new.append({"id": pid, "name": name})
    if not new:
        return
    if not current:  # empty, [] or only comments: the list starts here
        comments = "".join(line + "\n" for line in text.splitlines() if line.startswith("#"))
        path.write_text(comments + _dump(new), encoding="utf-8")
    else:
        path.write_text(text.rstrip("\n") + "\n" + _dump(new), encoding="utf-8")


# --- --download: remote CSV and XLSX files become local resources -------------------------

DOWNLOADABLE = ("csv", "xlsx")


def download_resources(root: Path, outcome: Outcome) -> None:
    """Fetch each remote CSV or XLSX resource and import it as a local file (schema
    inferred, checked like any other file); a failure keeps the remote resource."""
    from ..errors import KaifangError
    from .harvest import read_source
    from .intodataset import import_file

    path = root / "datasets" / outcome.dataset / "datapackage.yaml"
    doc = yaml.safe_load(guarded_text(path, _rel(path)))
    for res in list(doc.get("resources") or []):
        fmt = str(res.get("format") or "").lower() if isinstance(res, dict) else ""
        if fmt not in DOWNLOADABLE or "url" not in res or "path" in res:
            continue
        try:
            data = read_source(str(res["url"]))
        except KaifangError as exc:
            outcome.errors.append(f"{res['name']}: {exc.format_message()}")
            continue
        with tempfile.TemporaryDirectory() as tmp:
            local = Path(tmp) / f"{res['name']}.{fmt}"
            local.write_bytes(data)
            doc["resources"] = [r for r in doc["resources"] if r is not res]
            path.write_text(_dump(doc), encoding="utf-8")
            try:
                import_file(local, root, dataset_id=outcome.dataset)
            except KaifangError as exc:
                doc["resources"].append(res)  # the link stays: nothing is lost
                path.write_text(_dump(doc), encoding="utf-8")
                outcome.errors.append(f"{res['name']}: {exc.format_message()}")
                continue
        doc = yaml.safe_load(guarded_text(path, _rel(path)))
        outcome.downloaded.append(str(res["name"]))
