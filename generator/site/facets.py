"""The five facets of the dataset list: open type, publisher, theme, format, frequency.

One grouping serves the facet links of the list page (which work without JavaScript:
every value links to a pre-rendered page), the statistics page, and the filter values
that the search index stores, so a facet is labelled and counted the same everywhere.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..i18n import translate
from ..model import Catalog
from ..policy import OpenType, level_label

if TYPE_CHECKING:
    from .views import DatasetView

FACET_KEYS = ("open_type", "publisher", "theme", "format", "frequency")
# Facets whose value pages this stage renders; publisher and theme pages exist already.
RENDERED_FACETS = ("open_type", "format", "frequency")
# Facets with an index page of all their values (linked when the list shows only some).
INDEX_PAGES = {"publisher": "publishers/", "theme": "themes/"}
SIDEBAR_LIMIT = 12
FACET_PATHS = {
    "open_type": "open-types/",
    "publisher": "publishers/",
    "theme": "themes/",
    "format": "formats/",
    "frequency": "frequencies/",
}


@dataclass(frozen=True)
class FacetValue:
    key: str
    id: str
    label: str
    views: tuple[DatasetView, ...]

    @property
    def count(self) -> int:
        return len(self.views)

    @property
    def path(self) -> str:
        """Language-neutral folder of the page listing these datasets."""
        return f"{FACET_PATHS[self.key]}{self.id}/"


@dataclass(frozen=True)
class Facet:
    key: str
    title: str
    values: tuple[FacetValue, ...]

    def value(self, value_id: str) -> FacetValue | None:
        return next((v for v in self.values if v.id == value_id), None)

    @property
    def index_path(self) -> str:
        return INDEX_PAGES.get(self.key, "")

    def sidebar_values(self, current: FacetValue | None = None) -> tuple[FacetValue, ...]:
        """All values, or on a large catalogue the most used ones (and the current one),
        in catalogue order, so the sidebar stays short on a phone."""
        if len(self.values) <= SIDEBAR_LIMIT or not self.index_path:
            return self.values
        ranked = sorted(self.values, key=lambda v: -v.count)[:SIDEBAR_LIMIT]
        keep = {v.id for v in ranked} | ({current.id} if current else set())
        return tuple(v for v in self.values if v.id in keep)


def facet_labels(view: DatasetView, lang: str) -> dict[str, list[str]]:
    """The filter values one dataset carries, as shown in this language."""
    return {
        "open_type": [view.type_label(lang)],
        "publisher": [view.publisher.name.get(lang)] if view.publisher else [],
        "theme": [view.theme.label.get(lang)] if view.theme else [],
        "format": list(view.formats),
        "frequency": [view.frequency_label],
    }


def _group(
    views: Sequence[DatasetView],
    key: str,
    order: Sequence[tuple[str, str]],
    ids_of: Callable[[DatasetView], Sequence[str]],
) -> tuple[FacetValue, ...]:
    """The values in ``order`` that some view carries, each with its views in list order:
    one pass over the views (a pass per value, per facet and language, grew with the
    catalog times its publishers, themes and formats)."""
    members: dict[str, list[DatasetView]] = {value_id: [] for value_id, _ in order}
    for view in views:
        for value_id in dict.fromkeys(ids_of(view)):
            found = members.get(value_id)
            if found is not None:
                found.append(view)
    return tuple(
        FacetValue(key, value_id, label, tuple(members[value_id]))
        for value_id, label in order
        if members[value_id]
    )


def build_facets(catalog: Catalog, views: Sequence[DatasetView], lang: str) -> list[Facet]:
    site = catalog.site
    formats = sorted({fmt for v in views for fmt in v.formats})
    groups: dict[str, tuple[FacetValue, ...]] = {
        "open_type": _group(
            views,
            "open_type",
            [(t.value, level_label(site.audience, t, lang)) for t in OpenType],
            lambda v: [v.open_type.value],
        ),
        "publisher": _group(
            views,
            "publisher",
            [(p.id, p.name.get(lang)) for p in catalog.publishers.values()],
            lambda v: [v.ds.publisher],
        ),
        "theme": _group(
            views,
            "theme",
            [(t.id, t.label.get(lang)) for t in site.themes.values()],
            lambda v: [v.ds.theme],
        ),
        "format": _group(
            views,
            "format",
            [(f.lower(), f) for f in formats],
            lambda v: [f.lower() for f in v.formats],
        ),
        "frequency": _group(
            views,
            "frequency",
            [(f.id, f.label.get(lang)) for f in site.frequencies.values()],
            lambda v: [v.ds.update_frequency],
        ),
    }
    return [Facet(key, translate(f"facet_{key}", lang), groups[key]) for key in FACET_KEYS]
