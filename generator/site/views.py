"""What a page may know of a dataset: the typed views that templates, facets and statistics
read. What a view shows is decided by :mod:`generator.policy` through its properties,
never in a template."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..catalog.markup import render_markdown
from ..checks.validate import DatasetReport
from ..data.derive import PublishedDataset, PublishedResource
from ..data.downloads import format_names
from ..data.quality import Quality, ResourceQuality
from ..history import Archived, DatasetHistory, Entry, visible
from ..model import (
    Catalog,
    Dataset,
    Derivation,
    FieldRule,
    Publisher,
    RequestRecord,
    Resource,
    Showcase,
    Theme,
)
from ..policy import (
    OpenType,
    can_apply,
    is_listed,
    level_label,
    publishes_data,
    publishes_schema,
)

if TYPE_CHECKING:
    from .reuse import Related, Tag

# DatasetView fields that are functions of the dataset folder (and site and publishers, and
# the folders its derivatives read): validation, derivation and the README. The page cache
# keys them by those folders' hash.
FROM_DATASET_FOLDER = frozenset({"ds", "published", "report", "readme_html"})


@dataclass(frozen=True)
class DatasetView:
    """What templates may know about one dataset."""

    ds: Dataset
    publisher: Publisher | None
    theme: Theme | None
    frequency_label: str
    published: PublishedDataset | None
    report: DatasetReport | None
    readme_html: str
    overdue: bool
    quality: Quality | None = None
    source: Dataset | None = None  # derivative: its source, only when that is on the site
    derivatives: tuple[Dataset, ...] = ()  # desensitised derivatives of this dataset
    changelog: tuple[Entry, ...] = ()  # newest first, only what the policy lets show
    archive: tuple[Archived, ...] = ()  # replaced files still downloadable
    successor: Dataset | None = None  # status.replaced_by, only when that is on the site
    audience: str = "public"  # the portal, or the sharing catalog (share)
    held_back: str = ""  # held back (holdback.py): the date of the version still shown
    # issue 18, filled in by reuse.enrich_views: what users do with the dataset
    tags: tuple[Tag, ...] = ()
    related: tuple[Related, ...] = ()
    showcases: tuple[Showcase, ...] = ()
    requests: tuple[RequestRecord, ...] = ()

    @property
    def is_derivative(self) -> bool:
        return bool(self.ds.derived_from)

    @property
    def derivations(self) -> list[tuple[Resource, Derivation]]:
        """Each derivative resource with the rules applied to its source's fields."""
        return [(r, r.derivation) for r in self.ds.resources if r.derivation is not None]

    def resource_quality(self, name: str) -> ResourceQuality | None:
        """One resource's quality facts (a derivative's re-identification measure)."""
        if self.quality is None:
            return None
        return next((r for r in self.quality.resources if r.name == name), None)

    @property
    def rule_rows(self) -> list[tuple[Resource, list[tuple[str, str, FieldRule]]]]:
        """The derivation table of each resource: (field name, title, rule) per row.

        With the source on the site, every source field and its rule. With the source
        hidden (``hide_closed``), only the published fields under their published names:
        a hidden closed dataset shows no field list, so its derivative names none of the
        fields it drops."""
        rows = []
        for res, derivation in self.derivations:
            if self.source is not None:
                table = [
                    (fr.source_field.name, fr.source_field.title, fr) for fr in derivation.rules
                ]
            else:
                table = [
                    (fr.published.name, fr.published.title, fr)
                    for fr in derivation.rules
                    if fr.published is not None
                ]
            rows.append((res, table))
        return rows

    @property
    def id(self) -> str:
        return self.ds.id

    @property
    def open_type(self) -> OpenType:
        return self.ds.open_type

    @property
    def shows_data(self) -> bool:
        return publishes_data(self.ds.open_type) and self.published is not None

    @property
    def shows_schema(self) -> bool:
        return publishes_schema(self.ds.open_type)

    @property
    def can_apply(self) -> bool:
        return can_apply(self.ds.open_type, self.audience)

    def type_label(self, lang: str) -> str:
        """Its open type on the portal, its share type on the sharing catalog."""
        return level_label(self.audience, self.ds.open_type, lang)

    @property
    def resources(self) -> list[PublishedResource]:
        return self.published.resources if self.shows_data and self.published else []

    @property
    def formats(self) -> list[str]:
        if not self.shows_data:
            return []
        return format_names({fmt for r in self.resources for fmt in r.files})


def is_overdue(ds: Dataset, days: int | None, today: dt.date) -> bool:
    return days is not None and (today - ds.modified).days > days


def readme_html(catalog: Catalog) -> dict[str, str]:
    """Each listed dataset's README as sanitised HTML: the same in every language, and
    Markdown took a fifth of the site stage's own time when it was made once per language."""
    hide_closed = catalog.site.hide_closed
    return {
        ds.id: render_markdown(ds.readme_markdown)
        for ds in catalog.datasets
        if ds.readme_markdown and is_listed(ds.open_type, hide_closed)
    }


def build_views(
    catalog: Catalog,
    published: dict[str, PublishedDataset],
    reports: dict[str, DatasetReport],
    lang: str,
    today: dt.date,
    qualities: dict[str, Quality] | None = None,
    histories: dict[str, DatasetHistory] | None = None,
    held: dict[str, str] | None = None,
    readmes: dict[str, str] | None = None,
) -> list[DatasetView]:
    """The views of the listed datasets in one language, newest first. held: the datasets
    shown as their previous version, and its date (holdback.py). ``readmes``: the README of
    each dataset as HTML (:func:`readme_html`), made once for every language."""
    held = held or {}
    views = []
    hide_closed = catalog.site.hide_closed
    on_site = {ds.id: ds for ds in catalog.datasets if is_listed(ds.open_type, hide_closed)}
    if readmes is None:
        readmes = readme_html(catalog)
    # each dataset's derivatives, found once: a scan of all datasets per dataset made this
    # quadratic (100 million comparisons for 10,000 datasets, in each language)
    derived: dict[str, list[Dataset]] = {}
    for d in on_site.values():
        if d.derived_from and d.derived_from != d.id:
            derived.setdefault(d.derived_from, []).append(d)
    for ds in catalog.datasets:
        if ds.id not in on_site:
            continue
        freq = catalog.site.frequencies.get(ds.update_frequency)
        views.append(
            DatasetView(
                ds=ds,
                publisher=catalog.publishers.get(ds.publisher),
                theme=catalog.site.themes.get(ds.theme),
                frequency_label=freq.label.get(lang) if freq else ds.update_frequency,
                published=published.get(ds.id),
                report=reports.get(ds.id),
                readme_html=readmes.get(ds.id, ""),
                overdue=is_overdue(ds, freq.days if freq else None, today),
                quality=(qualities or {}).get(ds.id),
                source=on_site.get(ds.derived_from) if ds.derived_from else None,
                derivatives=tuple(derived.get(ds.id, ())),
                successor=on_site.get(ds.status.replaced_by) if ds.status.replaced_by else None,
                **changelog_of(
                    (histories or {}).get(ds.id), ds.open_type, ds.status.publishes_data
                ),
                audience=catalog.site.audience,
                held_back=held.get(ds.id, ""),
            )
        )
    views.sort(key=lambda v: (-v.ds.modified.toordinal(), v.id))
    return views


def changelog_of(
    item: DatasetHistory | None, open_type: OpenType, status_publishes: bool = True
) -> dict[str, tuple]:
    """The entries and kept files a dataset page may show, as the policy decides now (no
    kept file while a status suspends or withdraws the data)."""
    if item is None:
        return {}
    entries = []
    for entry in item.entries:
        changes = visible(entry.changes, open_type)
        if changes:
            entries.append(Entry(entry.date, changes))
    archive = tuple(item.archive) if publishes_data(open_type) and status_publishes else ()
    return {"changelog": tuple(entries), "archive": archive}
