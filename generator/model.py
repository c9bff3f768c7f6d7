"""Typed objects passed between pipeline stages.

Loading produces a :class:`Catalog`; later stages only read it. Values that come from the
publisher's YAML are normalised here once (dates parsed, open type mapped) so templates
never see raw input.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .policy import DEFAULT_MIN_GROUP_SIZE, OpenType, ShareType, Status, status_publishes_data

if TYPE_CHECKING:  # a type only: the model imports no stage
    from .catalog.yamldoc import YamlDoc

# A resource with one of these names would put its JSON download on top of a file the
# dataset folder already has (datapackage.json, and validation.json from data/quality.py).
RESERVED_RESOURCE_NAMES = frozenset({"datapackage", "validation"})


@dataclass(frozen=True)
class Text:
    """A string in Chinese with an optional English version."""

    zh: str
    en: str = ""

    def get(self, lang: str) -> str:
        return self.en if lang == "en" and self.en else self.zh


@dataclass(frozen=True)
class Theme:
    id: str
    label: Text


@dataclass(frozen=True)
class Frequency:
    id: str
    label: Text
    days: int | None  # None: irregular, never overdue


@dataclass(frozen=True)
class Channel:
    url: str = ""
    email: str = ""


@dataclass(frozen=True)
class License:
    name: str
    title: str = ""
    path: str = ""


@dataclass(frozen=True)
class Contact:
    name: Text = Text("")
    email: str = ""
    phone: str = ""
    address: Text = Text("")


@dataclass(frozen=True)
class MapConfig:
    """The basemap of dataset maps (site.yaml ``map``): a tile URL template such as
    ``https://tile.example/{z}/{x}/{y}.png`` and the attribution its licence requires.
    Without one, maps draw their points over a plain longitude/latitude grid and request
    no tile at all."""

    tiles: str
    attribution: Text
    max_zoom: int = 18
    subdomains: str = "abc"  # what replaces {s} in the tile host


@dataclass(frozen=True)
class SiteConfig:
    title: Text
    description: Text
    base_url: str
    languages: tuple[str, ...]
    contact: Contact
    default_license: License | None
    hide_closed: bool
    channels: dict[str, Channel]
    themes: dict[str, Theme]
    frequencies: dict[str, Frequency]
    # desensitised derivatives: fewest rows that may share their quasi-identifiers
    min_group_size: int = DEFAULT_MIN_GROUP_SIZE
    # who the build is for: "public" (the portal) or "share" (the sharing catalog, 共享目录)
    audience: str = "public"
    footer: Text = Text("")  # the legal basis the footer states (provincial portals differ)
    terms: Text = Text("")  # the platform's use agreement, Markdown (site.yaml or terms.md)
    map: MapConfig | None = None  # the basemap of dataset maps; None: a grid, no tile requests

    @cached_property
    def base_path(self) -> str:
        """Path part of base_url, always ending in '/', used for root-relative links (made
        once: every link on every page asks for it)."""
        from urllib.parse import urlparse

        path = urlparse(self.base_url).path or "/"
        return path if path.endswith("/") else path + "/"


@dataclass(frozen=True)
class Publisher:
    id: str
    name: Text
    code: str = ""
    contact: Contact = Contact()


@dataclass(frozen=True)
class FieldInfo:
    name: str
    type: str
    title: str = ""
    description: str = ""
    constraints: dict[str, Any] = field(default_factory=dict)
    raw: dict[str, Any] = field(default_factory=dict)  # the full Table Schema field


@dataclass(frozen=True)
class Rule:
    """A desensitisation rule (脱敏规则) for one field of a derivative."""

    kind: str  # keep, mask, hash, generalise, drop (see policy.DESENSITISE_RULES)
    keep_start: int = 0  # mask: characters shown at the start
    keep_end: int = 0  # mask: characters shown at the end
    to: str = ""  # generalise: month or year
    bands: tuple[float, ...] = ()  # generalise: band edges for numbers
    scope: str = ""  # hash: mixed into the message so hashes do not link across fields


@dataclass(frozen=True)
class FieldRule:
    """What a derivative does with one field of its source."""

    source_field: FieldInfo
    rule: Rule
    published: FieldInfo | None  # None when the rule drops the field


@dataclass(frozen=True)
class AcceptedRisk:
    """A derivative's declared exception to site.yaml's min_group_size, with its basis."""

    min_group_size: int
    legal_basis: str
    reason: str = ""
    declared_at: str = ""  # "accepted_risk" or "resources.NAME.accepted_risk"


@dataclass(frozen=True, eq=False)
class Derivation:
    """How a derivative resource is computed from a resource of another dataset.

    Set by the loader once every dataset is loaded; the source objects are the ones in
    the catalog, so the reader streams the source's own checked file.
    """

    source_dataset: Dataset
    source_resource: Resource
    rules: tuple[FieldRule, ...]  # in the derivative's field order, dropped fields included
    accepted_risk: AcceptedRisk | None = None  # the resource's, else the dataset's


@dataclass(frozen=True)
class Resource:
    name: str
    title: str
    path: str  # relative to the dataset folder, checked to stay inside it; "" for derivatives
    format: str  # csv or xlsx
    encoding: str
    fields: tuple[FieldInfo, ...]  # for a derivative: the published (transformed) fields
    raw: dict[str, Any]  # the resource descriptor as written
    # `encoding` above is the codec the file is read with (detected, checked against this)
    declared_encoding: str | None = None
    source: str = ""  # derivative: name of the source resource
    derivation: Derivation | None = None

    @property
    def file_name(self) -> str:
        return Path(self.path).name

    @staticmethod
    def read_from_files(raw_resources: object) -> list[tuple[int, Any]]:
        """(index, descriptor) of the resources the loader reads: a remote resource (a url
        and no path, see RemoteResource) is shown with its link and never read."""
        if not isinstance(raw_resources, list):
            return []
        return [
            (i, raw)
            for i, raw in enumerate(raw_resources)
            if not (isinstance(raw, dict) and "url" in raw and "path" not in raw)
        ]


@dataclass(frozen=True)
class DatasetStatus:
    """数据状态: normal unless the catalog says otherwise (``status:`` in the descriptor)."""

    state: Status = Status.NORMAL
    since: dt.date | None = None
    reason: Text = Text("")
    reply_by: dt.date | None = None  # under objection: when an answer is expected
    replaced_by: str = ""  # the id of the dataset that replaces this one

    @property
    def normal(self) -> bool:
        return self.state is Status.NORMAL

    @property
    def publishes_data(self) -> bool:
        return status_publishes_data(self.state)


@dataclass(frozen=True)
class RemoteResource:
    """A resource with a ``url`` instead of a ``path`` (harvested from another portal):
    listed with its link, format and size, never fetched or published by the build."""

    name: str
    title: str
    url: str
    format: str = ""
    bytes: int | None = None


@dataclass(frozen=True)
class HarvestSource:
    """Where a harvested dataset came from (``harvest:`` in the descriptor)."""

    portal: str  # the catalog harvested: a URL, or the file's name
    original: str  # the dataset's own URL or identifier at the source
    identifier: str = ""  # its identifier there (adms:identifier)


def _is_web_url(value: object) -> bool:
    return isinstance(value, str) and value.startswith(("https://", "http://"))


@dataclass(frozen=True)
class Dataset:
    id: str
    folder: Path
    identifier: str
    title: Text
    description: Text
    readme_markdown: str
    publisher: str
    theme: str
    keywords: tuple[str, ...]
    open_type: OpenType
    share_type: ShareType | None
    open_conditions: str
    legal_basis: str
    update_frequency: str
    issued: dt.date
    modified: dt.date
    licenses: tuple[License, ...]
    contact: Contact
    spatial: str
    temporal: tuple[str, str] | None
    resources: tuple[Resource, ...]
    descriptor: dict[str, Any]  # the datapackage.yaml as written
    share_conditions: str = ""
    source: YamlDoc | None = None  # the parsed datapackage.yaml, with the line of each key
    skipped_resources: tuple[str, ...] = ()  # resources left out because of errors
    derived_from: str = ""  # id of the source dataset of a desensitised derivative
    status: DatasetStatus = DatasetStatus()

    @cached_property
    def remote_resources(self) -> tuple[RemoteResource, ...]:
        """The resources the descriptor gives a url (http or https) instead of a path."""
        found = []
        for raw in self.descriptor.get("resources") or []:
            if isinstance(raw, dict) and "path" not in raw and _is_web_url(raw.get("url")):
                size = raw.get("bytes")
                found.append(
                    RemoteResource(
                        name=str(raw.get("name") or ""),
                        title=str(raw.get("title") or raw.get("name") or ""),
                        url=raw["url"],
                        format=str(raw.get("format") or ""),
                        bytes=size if isinstance(size, int) and size >= 0 else None,
                    )
                )
        return tuple(found)

    @cached_property
    def harvest(self) -> HarvestSource | None:
        raw = self.descriptor.get("harvest")
        if not isinstance(raw, dict) or not raw.get("portal"):
            return None
        return HarvestSource(
            str(raw.get("portal")), str(raw.get("original") or ""), str(raw.get("identifier") or "")
        )


@dataclass(frozen=True)
class Link:
    title: str
    url: str


@dataclass(frozen=True)
class Showcase:
    """成果展示: something built with the portal's data (catalog/showcases/<id>.yaml)."""

    id: str
    title: Text
    description: Text
    url: str
    kind: str  # app, analysis, visualisation, news, paper (SHOWCASE_KINDS)
    author: str
    date: dt.date
    datasets: tuple[str, ...]
    image: str = ""


@dataclass(frozen=True)
class RequestRecord:
    """A data request, correction, objection or complaint received through a channel, with
    its reply (catalog/requests/<id>.yaml, kept by the data bureau)."""

    id: str
    kind: str  # request, correction, objection, complaint (REQUEST_KINDS)
    title: Text
    received: dt.date
    dataset: str = ""  # the dataset it is about, if any
    publisher: str = ""  # the department answering (the dataset's when left out)
    detail: Text = Text("")
    reply: Text = Text("")
    replied: dt.date | None = None
    attachments: tuple[Link, ...] = ()

    @property
    def reply_days(self) -> int | None:
        return (self.replied - self.received).days if self.replied else None


SHOWCASE_KINDS = ("app", "analysis", "visualisation", "news", "paper")
REQUEST_KINDS = ("request", "correction", "objection", "complaint")


@dataclass(frozen=True)
class Catalog:
    root: Path
    site: SiteConfig
    publishers: dict[str, Publisher]
    datasets: tuple[Dataset, ...]
    showcases: tuple[Showcase, ...] = ()
    requests: tuple[RequestRecord, ...] = ()

    def dataset(self, dataset_id: str) -> Dataset:
        return self._by_id[dataset_id]

    @cached_property
    def derivative_sources(self) -> frozenset[str]:
        """Ids of the datasets a desensitised derivative is made from (computed once)."""
        return frozenset(
            res.derivation.source_dataset.id
            for ds in self.datasets
            for res in ds.resources
            if res.derivation is not None
        )

    @cached_property
    def _by_id(self) -> dict[str, Dataset]:
        """Datasets by id, made once: a scan per lookup made builds quadratic. The first
        of a repeated id wins, as the scan did (the loader refuses duplicates anyway)."""
        index: dict[str, Dataset] = {}
        for ds in self.datasets:
            index.setdefault(ds.id, ds)
        return index
