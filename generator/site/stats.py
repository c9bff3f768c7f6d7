"""The /stats/ page: the catalogue counted by open type, publisher, theme, format and
update frequency, the open rate, and the datasets overdue for an update.

Only counts of datasets are published here, never a value of a dataset. The open rate
counts every catalogued dataset, including closed ones a site hides (``hide_closed``):
hiding a dataset's page must not flatter the rate. Every other table counts the datasets
listed on the site. Each table is also written as a CSV file, UTF-8 with a byte-order
mark so that Excel opens the Chinese correctly.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..data.downloads import excel_safe
from ..i18n import translate
from ..model import Catalog
from ..policy import OpenType, is_listed, level_label
from .facets import Facet

if TYPE_CHECKING:
    from .views import DatasetView

BOM = "\ufeff"


@dataclass(frozen=True)
class CountRow:
    id: str
    label: str
    count: int
    path: str = ""  # facet page listing these datasets, "" when there is none
    open: int = 0
    conditional: int = 0
    closed: int = 0
    overdue: int = 0


@dataclass(frozen=True)
class OverdueRow:
    view: DatasetView
    allowed_days: int
    days_late: int


@dataclass(frozen=True)
class StatsTable:
    key: str  # facet key, also the CSV file name
    title: str
    rows: tuple[CountRow, ...]
    columns: tuple[str, ...]  # which CountRow attributes after the label are shown

    @property
    def points(self) -> list[tuple[str, float]]:
        return [(row.label, row.count) for row in self.rows]


@dataclass(frozen=True)
class CatalogStats:
    date: dt.date
    catalogued: int
    listed: int
    hidden_closed: int
    open: int
    tables: tuple[StatsTable, ...]
    overdue: tuple[OverdueRow, ...]

    @property
    def open_rate(self) -> float:
        return self.open / self.catalogued if self.catalogued else 0.0

    @property
    def open_rate_text(self) -> str:
        return f"{self.open_rate * 100:.1f}%"


def _split(views: Sequence[DatasetView]) -> dict[str, int]:
    return {t.value: sum(1 for v in views if v.open_type is t) for t in OpenType}


def compute_stats(
    catalog: Catalog,
    views: Sequence[DatasetView],
    facets: Sequence[Facet],
    lang: str,
    today: dt.date,
) -> CatalogStats:
    all_types = [ds.open_type for ds in catalog.datasets]
    hidden = sum(1 for t in all_types if not is_listed(t, catalog.site.hide_closed))
    by_facet = {f.key: f for f in facets}

    def page_of(key: str, value_id: str) -> str:
        value = by_facet[key].value(value_id)
        return value.path if value else ""

    type_rows = tuple(
        CountRow(
            t.value,
            level_label(catalog.site.audience, t, lang),
            sum(1 for x in all_types if x is t),
            page_of("open_type", t.value),
        )
        for t in OpenType
    )
    tables = [
        StatsTable("open_type", translate("facet_open_type", lang), type_rows, ("count", "share"))
    ]
    split_columns = ("count", "open", "conditional", "closed")
    for key in ("publisher", "theme"):
        facet = by_facet[key]
        rows = tuple(
            CountRow(v.id, v.label, v.count, v.path, **_split(v.views)) for v in facet.values
        )
        tables.append(StatsTable(key, facet.title, rows, split_columns))
    fmt = by_facet["format"]
    tables.append(
        StatsTable(
            "format",
            fmt.title,
            tuple(CountRow(v.id, v.label, v.count, v.path) for v in fmt.values),
            ("count",),
        )
    )
    freq = by_facet["frequency"]
    tables.append(
        StatsTable(
            "frequency",
            freq.title,
            tuple(
                CountRow(v.id, v.label, v.count, v.path, overdue=sum(x.overdue for x in v.views))
                for v in freq.values
            ),
            ("count", "overdue"),
        )
    )

    overdue = []
    for view in views:
        frequency = catalog.site.frequencies.get(view.ds.update_frequency)
        if view.overdue and frequency and frequency.days is not None:
            late = (today - view.ds.modified).days - frequency.days
            overdue.append(OverdueRow(view, frequency.days, late))
    overdue.sort(key=lambda r: (-r.days_late, r.view.id))
    return CatalogStats(
        date=today,
        catalogued=len(all_types),
        listed=len(views),
        hidden_closed=hidden,
        open=sum(1 for t in all_types if t is OpenType.OPEN),
        tables=tuple(tables),
        overdue=tuple(overdue),
    )


COLUMN_KEYS = {
    "count": "stats_count",
    "share": "stats_share",
    "open": "stats_open_col",
    "conditional": "stats_conditional_col",
    "closed": "stats_closed_col",
    "overdue": "stats_overdue_col",
}


def cell(stats: CatalogStats, row: CountRow, column: str) -> str:
    if column == "share":
        return f"{row.count / stats.catalogued * 100:.1f}%" if stats.catalogued else "0.0%"
    return str(getattr(row, column))


def _csv(rows: list[list[str]]) -> bytes:
    """An Excel-facing CSV (BOM, CRLF). Titles and names are publisher text, so a cell
    Excel would run as a formula (=, +, -, @, tab, their full-width forms) gets a leading '."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerows([excel_safe(str(cell)) for cell in row] for row in rows)
    return (BOM + buffer.getvalue()).encode("utf-8")


def stats_csv_files(stats: CatalogStats, lang: str) -> dict[str, bytes]:
    """File name -> CSV bytes, one file per table plus the summary and the overdue list."""
    t = lambda key, **kw: translate(key, lang, **kw)  # noqa: E731
    files = {
        "summary.csv": _csv(
            [
                [t("stats_metric"), t("stats_value")],
                [t("stats_catalogued"), str(stats.catalogued)],
                [t("stats_open"), str(stats.open)],
                [t("stats_open_rate"), stats.open_rate_text],
                [t("stats_overdue"), str(len(stats.overdue))],
                [t("stats_date"), stats.date.isoformat()],
            ]
        )
    }
    for table in stats.tables:
        header = ["id", table.title] + [t(COLUMN_KEYS[c]) for c in table.columns]
        body = [[r.id, r.label] + [cell(stats, r, c) for c in table.columns] for r in table.rows]
        files[f"{table.key.replace('_', '-')}.csv"] = _csv([header, *body])
    files["overdue.csv"] = _csv(
        [
            [
                t("dataset_id"),
                t("dataset"),
                t("publisher"),
                t("update_frequency"),
                t("modified"),
                t("stats_allowed_days"),
                t("stats_days_late"),
            ]
        ]
        + [
            [
                r.view.id,
                r.view.ds.title.get(lang),
                r.view.publisher.name.get(lang) if r.view.publisher else r.view.ds.publisher,
                r.view.frequency_label,
                r.view.ds.modified.isoformat(),
                str(r.allowed_days),
                str(r.days_late),
            ]
            for r in stats.overdue
        ]
    )
    return files
