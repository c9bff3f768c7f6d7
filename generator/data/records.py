"""The machine-readable view of each dataset, shared by every catalog, feed and the API.

DCAT, data.json, schema.org, Atom and the JSON API all describe the same facts; they are
resolved here once (absolute URLs, contact fallbacks, licence, downloads with checksums)
and the access decisions are taken from :mod:`generator.policy`, never by a serializer.
A dataset whose data is not published has no downloads here, so no serializer can list
one by mistake.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from ..i18n import translate
from ..model import Catalog, Dataset, Frequency, License, Publisher, SiteConfig, Text, Theme
from ..policy import (
    EU_ACCESS_RIGHTS,
    POD_ACCESS_LEVEL,
    publishes_data,
    publishes_schema,
    shows_in_output,
)
from .downloads import FORMATS, RESOURCE_FORMATS, ZIP, Format

if TYPE_CHECKING:
    from .derive import PublishedDataset

API_PREFIX = "api/v1/"


def absolute(site: SiteConfig, path: str) -> str:
    """Absolute URL of an output path ('' is the home page; folders end in '/')."""
    return site.base_url + path


def page_path(path: str, lang: str) -> str:
    return path if lang == "zh" else f"{lang}/{path}"


def feed_path(lang: str, publisher: str | None = None) -> str:
    folder = f"publishers/{publisher}/" if publisher else ""
    return page_path(folder + "feed.atom", lang)


def status_notice(ds: Dataset, lang: str) -> str:
    """The text of a dataset's status banner ('' while normal), as every output says it."""
    st = ds.status
    if st.normal:
        return ""
    body = translate(
        f"status_notice_{st.state.value}",
        lang,
        since=st.since.isoformat() if st.since else "—",
        reason=st.reason.get(lang) or "—",
        reply_by=st.reply_by.isoformat() if st.reply_by else "—",
    )
    return st.state.label(lang) + translate("sep", lang) + body


def parse_partial_date(value: str) -> str | None:
    """An ISO date, year-month or year as written, or None when it is none of them."""
    value = value.strip()
    if re.fullmatch(r"\d{4}", value) or re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", value):
        return value
    try:
        return dt.date.fromisoformat(value).isoformat() if len(value) == 10 else None
    except ValueError:
        return None


@dataclass(frozen=True)
class Download:
    """One published file, as bots see it."""

    resource: str  # resource name; "" for the whole data package
    title: str
    format: Format
    path: str  # output path
    url: str
    size: int
    sha256: str

    @property
    def media_type(self) -> str:
        return self.format.media_type


@dataclass(frozen=True)
class ContactPoint:
    name: Text
    email: str
    phone: str
    url: str = ""


@dataclass(frozen=True)
class DatasetRecord:
    ds: Dataset
    publisher: Publisher | None
    theme: Theme | None
    frequency: Frequency | None
    contact: ContactPoint
    license: License | None  # only for open data
    downloads: tuple[Download, ...]  # every per-resource file, empty unless open
    package: Download | None  # the zip of the whole data package
    datapackage_url: str | None
    page_path: str  # language-neutral, e.g. datasets/x/
    base_url: str
    source_id: str = ""  # a desensitised derivative's source, when that is on the site
    derivative_ids: tuple[str, ...] = ()  # open derivatives of this dataset on the site
    held_back: str = ""  # held back (holdback.py): the date of the version still shown

    @property
    def id(self) -> str:
        return self.ds.id

    @property
    def open(self) -> bool:
        return publishes_data(self.ds.open_type)

    @property
    def shows_schema(self) -> bool:
        return publishes_schema(self.ds.open_type)

    def page_url(self, lang: str = "zh") -> str:
        return self.base_url + page_path(self.page_path, lang)

    @property
    def api_path(self) -> str:
        return f"{API_PREFIX}datasets/{self.ds.id}.json"

    @property
    def api_url(self) -> str:
        return self.base_url + self.api_path

    @property
    def access_rights(self) -> str:
        return EU_ACCESS_RIGHTS[self.ds.open_type]

    @property
    def access_level(self) -> str:
        return POD_ACCESS_LEVEL[self.ds.open_type]

    @property
    def identifier(self) -> str:
        return self.ds.identifier or self.ds.id

    @property
    def keywords(self) -> tuple[str, ...]:
        """Keywords, or the theme's label when the publisher gave none."""
        if self.ds.keywords:
            return self.ds.keywords
        return (self.theme.label.zh,) if self.theme else (self.ds.title.zh,)

    @property
    def temporal(self) -> tuple[str, str] | None:
        """Start and end as ISO dates (or year / year-month), when both parse."""
        if not self.ds.temporal:
            return None
        start, end = (parse_partial_date(v) for v in self.ds.temporal)
        return (start, end) if start and end else None

    @property
    def all_files(self) -> tuple[Download, ...]:
        return self.downloads + ((self.package,) if self.package else ())

    def by_resource(self) -> list[tuple[str, str, list[Download]]]:
        """(resource name, title, its downloads) in descriptor order."""
        groups: dict[str, tuple[str, list[Download]]] = {}
        for d in self.downloads:
            groups.setdefault(d.resource, (d.title, []))[1].append(d)
        return [(name, title, files) for name, (title, files) in groups.items()]


def _contact(catalog_site: SiteConfig, ds: Dataset, publisher: Publisher | None) -> ContactPoint:
    """The dataset's contact, else its publisher's, else the portal's: never empty."""
    site_contact = catalog_site.contact
    pub_contact = publisher.contact if publisher else None
    name = ds.contact.name if ds.contact.name.zh else Text("")
    if not name.zh:
        name = publisher.name if publisher else site_contact.name
    elif publisher and not name.en:
        # A department's own unit ("数据管理科") reads best with its department.
        name = Text(f"{publisher.name.zh}{name.zh}", publisher.name.en or "")
    email = ds.contact.email or (pub_contact.email if pub_contact else "") or site_contact.email
    phone = ds.contact.phone or (pub_contact.phone if pub_contact else "") or site_contact.phone
    feedback = catalog_site.channels.get("feedback")
    return ContactPoint(name, email, phone, feedback.url if feedback else "")


def build_record(
    site: SiteConfig,
    ds: Dataset,
    publisher: Publisher | None,
    published: PublishedDataset | None,
    source: Dataset | None = None,
    derivatives: tuple[Dataset, ...] = (),
) -> DatasetRecord:
    """``source`` and ``derivatives`` only as far as they are on the site themselves."""
    downloads: list[Download] = []
    package = None
    datapackage_url = None
    lic = None
    if publishes_data(ds.open_type) and published is not None:
        lic = ds.licenses[0] if ds.licenses else site.default_license
        for res in published.resources:
            for fmt in RESOURCE_FORMATS:
                f = res.files.get(fmt.key)
                if f is not None:
                    downloads.append(
                        Download(
                            res.name,
                            res.title,
                            fmt,
                            f.path,
                            site.base_url + f.path,
                            f.size,
                            f.sha256,
                        )
                    )
        if published.package is not None:
            p = published.package
            package = Download(
                "", ds.title.zh, ZIP, p.path, site.base_url + p.path, p.size, p.sha256
            )
        if published.datapackage is not None:
            datapackage_url = site.base_url + published.datapackage.path
    return DatasetRecord(
        ds=ds,
        publisher=publisher,
        theme=site.themes.get(ds.theme),
        frequency=site.frequencies.get(ds.update_frequency),
        contact=_contact(site, ds, publisher),
        license=lic,
        downloads=tuple(downloads),
        package=package,
        datapackage_url=datapackage_url,
        page_path=f"datasets/{ds.id}/",
        base_url=site.base_url,
        source_id=source.id if source is not None else "",
        derivative_ids=tuple(sorted(d.id for d in derivatives)),
    )


def build_records(
    catalog: Catalog, published: dict[str, PublishedDataset], held: dict[str, str] | None = None
) -> list[DatasetRecord]:
    """Every dataset on the site (closed ones vanish when the site hides them), by id.

    held: the datasets shown as their previous version, and its date (holdback.py)."""
    held = held or {}
    on_site = {
        ds.id: ds
        for ds in sorted(catalog.datasets, key=lambda d: d.id)
        if shows_in_output(ds.open_type, catalog.site.hide_closed)
    }
    derivatives: dict[str, list[Dataset]] = {}
    for d in on_site.values():  # one pass: a scan per dataset made this quadratic
        if d.derived_from and d.derived_from != d.id:
            derivatives.setdefault(d.derived_from, []).append(d)
    records = [
        build_record(
            catalog.site,
            ds,
            catalog.publishers.get(ds.publisher),
            published.get(ds.id),
            source=on_site.get(ds.derived_from) if ds.derived_from else None,
            derivatives=tuple(derivatives.get(ds.id, ())),
        )
        for ds in on_site.values()
    ]
    return [replace(r, held_back=held[r.id]) if r.id in held else r for r in records]


def newest(records: list[DatasetRecord]) -> dt.date | None:
    return max((r.ds.modified for r in records), default=None)


__all__ = [
    "FORMATS",
    "ContactPoint",
    "DatasetRecord",
    "Download",
    "absolute",
    "build_record",
    "build_records",
    "newest",
]
