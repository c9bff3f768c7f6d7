"""The static JSON API under /api/v1/, its OpenAPI 3.1 description and its docs page.

Plain files, so any static host serves it and bots can poll with If-None-Match. The
documents follow the publication rules exactly like the pages: a conditional dataset
shows its fields but no row count or file; a closed one shows neither.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from ..catalog.attribution import Party, attribution
from ..data.downloads import FORMATS, RESOURCE_FORMATS
from ..data.records import (
    API_PREFIX,
    DatasetRecord,
    Download,
    feed_path,
    newest,
    page_path,
    status_notice,
)
from ..i18n import translate
from ..model import Catalog, Publisher, Text, Theme
from ..policy import publishes_schema
from ..runtime.output import OutputTree, WrittenFile
from ..tombstones import Tombstone
from .reuse_api import REUSE_ENDPOINTS, reuse_schemas, write_reuse_api

API_VERSION = "1.0.0"


def text(value: Text) -> dict[str, str]:
    return {"zh": value.zh, "en": value.en or value.zh}


def write_compact(out: OutputTree, path: str, doc: Any) -> WrittenFile:
    """JSON on one line: a third of the bytes, and json's C encoder (indent makes it use
    the pure-Python one, the slowest part of this stage on large catalogs)."""
    return out.write_text(path, json.dumps(doc, ensure_ascii=False, separators=(",", ":")) + "\n")


class Api:
    def __init__(
        self,
        catalog: Catalog,
        records: list[DatasetRecord],
        published: dict[str, Any],
        tombstones: Sequence[Tombstone] = (),
    ) -> None:
        self.tombstones = tombstones
        self.catalog = catalog
        self.site = catalog.site
        self.base = catalog.site.base_url
        self.records = records
        self.published = published
        self.listed = {r.id for r in records}
        # a dataset's summary is in datasets.json, its publisher's and its theme's
        # documents, and begins its own: made once (read-only; its own document copies it)
        self._summaries: dict[str, dict[str, Any]] = {}

    def url(self, path: str) -> str:
        return self.base + API_PREFIX + path

    def pages(self, path: str) -> dict[str, str]:
        return {lg: self.base + page_path(path, lg) for lg in self.site.languages}

    # --- documents -------------------------------------------------------------------
    def download(self, d: Download) -> dict[str, Any]:
        return {
            "format": d.format.key,
            "media_type": d.media_type,
            "url": d.url,
            "size": d.size,
            "sha256": d.sha256,
        }

    def summary(self, rec: DatasetRecord) -> dict[str, Any]:
        found = self._summaries.get(rec.id)
        if found is None:
            found = self._summaries[rec.id] = self._summary(rec)
        return found

    def _summary(self, rec: DatasetRecord) -> dict[str, Any]:
        ds = rec.ds
        return {
            "id": rec.id,
            "identifier": rec.identifier,
            "title": text(ds.title),
            "publisher": rec.publisher.id if rec.publisher else None,
            "theme": rec.theme.id if rec.theme else None,
            "open_type": ds.open_type.value,
            "access_level": rec.access_level,
            "issued": ds.issued.isoformat(),
            "modified": ds.modified.isoformat(),
            "formats": sorted({d.format.key for d in rec.all_files}),
            "status": self.status(rec),
            "held_back": self.held_back(rec),
            "page": self.pages(rec.page_path),
            "api": rec.api_url,
        }

    def status(self, rec: DatasetRecord) -> dict[str, Any]:
        """数据状态: normal, or suspended / withdrawn / under objection with date and reason."""
        st = rec.ds.status
        successor = st.replaced_by if st.replaced_by in self.listed else ""
        return {
            "state": st.state.value,
            "label": {"zh": st.state.label_zh, "en": st.state.label_en},
            "since": st.since.isoformat() if st.since else None,
            "reason": text(st.reason) if st.reason.zh else None,
            "reply_by": st.reply_by.isoformat() if st.reply_by else None,
            "replaced_by": self.url(f"datasets/{successor}.json") if successor else None,
            "notice": {"zh": status_notice(rec.ds, "zh"), "en": status_notice(rec.ds, "en")}
            if not st.normal
            else None,
            "publishes_data": st.publishes_data,
        }

    def removed(self, stone: Tombstone) -> dict[str, Any]:
        """A dataset removed from the catalog (tombstones.py): its title, when and why."""
        successor = stone.successor if stone.successor in self.listed else ""
        return {
            "id": stone.dataset,
            "title": text(stone.title),
            "state": "removed",
            "removed": stone.removed.isoformat(),
            "reason": text(stone.reason) if stone.reason.zh else None,
            "replaced_by": self.url(f"datasets/{successor}.json") if successor else None,
            "notice": {lg: stone.notice(lg) for lg in ("zh", "en")},
            "page": self.pages(stone.page_path),
            "api": self.url(f"datasets/{stone.dataset}.json"),
        }

    def held_back(self, rec: DatasetRecord) -> dict[str, Any] | None:
        """An update that failed its checks (holdback.py): the version described is the
        previous one, dated by its `modified`."""
        if not rec.held_back:
            return None
        return {
            "version": rec.held_back,
            "notice": {
                lg: translate("held_back_notice", lg, date=rec.held_back) for lg in ("zh", "en")
            },
        }

    def dataset(self, rec: DatasetRecord) -> dict[str, Any]:
        ds = rec.ds
        doc = dict(self.summary(rec))  # the summary itself stays as the lists show it
        freq = rec.frequency
        doc |= {
            "description": text(ds.description),
            "keywords": list(ds.keywords),
            "open_type_label": {"zh": ds.open_type.label_zh, "en": ds.open_type.label_en},
            "access_rights": rec.access_rights,
            "share_type": ds.share_type.value if ds.share_type else None,
            "share_conditions": ds.share_conditions or None,
            "update_frequency": {
                "id": ds.update_frequency,
                "label": text(freq.label)
                if freq
                else {"zh": ds.update_frequency, "en": ds.update_frequency},
            },
            "spatial": ds.spatial or None,
            "temporal": {"start": rec.temporal[0], "end": rec.temporal[1]}
            if rec.temporal
            else None,
            "license": {
                "name": rec.license.name,
                "title": rec.license.title or rec.license.name,
                "url": rec.license.path or None,
            }
            if rec.license
            else None,
            "contact": {
                "name": text(rec.contact.name),
                "email": rec.contact.email or None,
                "phone": rec.contact.phone or None,
            },
            "legal_basis": ds.legal_basis or None,
            "open_conditions": ds.open_conditions or None,
            **self.attribution(rec),
            "apply": self.apply(rec),
            "derived_from": self.url(f"datasets/{rec.source_id}.json") if rec.source_id else None,
            "derivatives": [self.url(f"datasets/{d}.json") for d in rec.derivative_ids],
            "datapackage": rec.datapackage_url,
            "package": self.download(rec.package) if rec.package else None,
            "resources": self.resources(rec),
            "links": {
                "publisher": self.url(f"publishers/{rec.publisher.id}.json")
                if rec.publisher
                else None,
                "theme": self.url(f"themes/{rec.theme.id}.json") if rec.theme else None,
                "catalog": self.url("datasets.json"),
                "feed": self.base + page_path(f"datasets/{rec.id}/feed.atom", "zh"),
            },
        }
        return doc

    def attribution(self, rec: DatasetRecord) -> dict[str, Any]:
        """The package's own sources, contributors, homepage and version (not for closed
        datasets, whose metadata stays to title, publisher and legal basis)."""
        credit = attribution(rec.ds.descriptor) if publishes_schema(rec.ds.open_type) else None

        def party(p: Party) -> dict[str, Any]:
            return {
                "title": p.title,
                "path": p.path or None,
                "email": p.email or None,
                "role": p.role or None,
            }

        return {
            "sources": [party(p) for p in credit.sources] if credit else [],
            "contributors": [party(p) for p in credit.contributors] if credit else [],
            "homepage": (credit.homepage or None) if credit else None,
            "version": (credit.version or None) if credit else None,
        }

    def apply(self, rec: DatasetRecord) -> dict[str, Any] | None:
        if rec.open:
            return None
        channel = self.site.channels.get("apply")
        return {
            "url": (channel.url or None) if channel else None,
            "email": (channel.email or None) if channel else None,
            "page": self.pages(rec.page_path),
        }

    def resources(self, rec: DatasetRecord) -> list[dict[str, Any]]:
        """Field lists for open and conditional data; rows and files for open data only."""
        if not rec.shows_schema:
            return []
        published = self.published.get(rec.id) if rec.open else None
        rows = {r.name: r.rows for r in published.resources} if published else {}
        files = {name: files for name, _title, files in rec.by_resource()}
        out = []
        for res in rec.ds.resources:
            entry: dict[str, Any] = {
                "name": res.name,
                "title": res.title,
                "fields": [
                    {
                        "name": f.name,
                        "type": f.type,
                        "title": f.title or None,
                        "description": f.description or None,
                    }
                    for f in res.fields
                ],
            }
            if rec.open:
                entry["rows"] = rows.get(res.name)
                entry["downloads"] = [self.download(d) for d in files.get(res.name, [])]
            out.append(entry)
        return out

    def publisher(self, pub: Publisher, mine: list[DatasetRecord], full: bool) -> dict[str, Any]:
        doc: dict[str, Any] = {
            "id": pub.id,
            "name": text(pub.name),
            "code": pub.code or None,
            "datasets_count": len(mine),
            "page": self.pages(f"publishers/{pub.id}/"),
            "feed": self.base + feed_path("zh", pub.id) if mine else None,
            "api": self.url(f"publishers/{pub.id}.json"),
        }
        if full:
            doc["contact"] = {
                "email": pub.contact.email or None,
                "phone": pub.contact.phone or None,
            }
            doc["datasets"] = [self.summary(r) for r in mine]
        return doc

    def theme(self, theme: Theme, mine: list[DatasetRecord], full: bool) -> dict[str, Any]:
        doc: dict[str, Any] = {
            "id": theme.id,
            "label": text(theme.label),
            "datasets_count": len(mine),
            "page": self.pages(f"themes/{theme.id}/"),
            "api": self.url(f"themes/{theme.id}.json"),
        }
        if full:
            doc["datasets"] = [self.summary(r) for r in mine]
        return doc

    def index(self) -> dict[str, Any]:
        modified = newest(self.records)
        counts = {
            t: sum(1 for r in self.records if r.ds.open_type.value == t)
            for t in ("open", "conditional", "closed")
        }
        return {
            "api_version": API_VERSION,
            "title": text(self.site.title),
            "description": text(self.site.description),
            "modified": modified.isoformat() if modified else None,
            "counts": {
                "datasets": len(self.records),
                **counts,
                "publishers": len(self.catalog.publishers),
                "themes": len(self.site.themes),
            },
            "formats": {
                f.key: {"media_type": f.media_type, "label": {"zh": f.label_zh, "en": f.label_en}}
                for f in FORMATS.values()
            },
            "links": {
                "datasets": self.url("datasets.json"),
                "publishers": self.url("publishers.json"),
                "themes": self.url("themes.json"),
                "showcases": self.url("showcases.json"),
                "requests": self.url("requests.json"),
                "openapi": self.url("openapi.json"),
                "docs": self.pages("api/"),
                "dcat_jsonld": self.base + "catalog.jsonld",
                "dcat_turtle": self.base + "catalog.ttl",
                "data_json": self.base + "data.json",
                "feed": self.base + "feed.atom",
                "sitemap": self.base + "sitemap.xml",
            },
        }

    def write(self, out: OutputTree) -> list[WrittenFile]:
        """The entry point and the OpenAPI description are indented for people; the
        documents, one per dataset, publisher and theme, are compact (pipe them to jq)."""
        written = [out.write_json(API_PREFIX + "index.json", self.index())]
        written.append(
            write_compact(
                out,
                API_PREFIX + "datasets.json",
                {
                    "count": len(self.records),
                    "datasets": [self.summary(r) for r in self.records],
                    "removed": [self.removed(t) for t in self.tombstones],
                },
            )
        )
        for rec in self.records:
            written.append(write_compact(out, rec.api_path, self.dataset(rec)))
        for stone in self.tombstones:  # the URL a bot knew still answers: removed, when, why
            path = f"{API_PREFIX}datasets/{stone.dataset}.json"
            written.append(write_compact(out, path, self.removed(stone)))
        by_publisher = _grouped(self.records, self.catalog.publishers, _publisher_id)
        written.append(
            write_compact(
                out,
                API_PREFIX + "publishers.json",
                {
                    "count": len(self.catalog.publishers),
                    "publishers": [
                        self.publisher(p, by_publisher[p.id], full=False)
                        for p in self.catalog.publishers.values()
                    ],
                },
            )
        )
        for pub in self.catalog.publishers.values():
            written.append(
                write_compact(
                    out,
                    API_PREFIX + f"publishers/{pub.id}.json",
                    self.publisher(pub, by_publisher[pub.id], full=True),
                )
            )
        by_theme = _grouped(self.records, self.site.themes, _theme_id)
        written.append(
            write_compact(
                out,
                API_PREFIX + "themes.json",
                {
                    "count": len(self.site.themes),
                    "themes": [
                        self.theme(t, by_theme[t.id], full=False) for t in self.site.themes.values()
                    ],
                },
            )
        )
        for theme in self.site.themes.values():
            written.append(
                write_compact(
                    out,
                    API_PREFIX + f"themes/{theme.id}.json",
                    self.theme(theme, by_theme[theme.id], full=True),
                )
            )
        written += write_reuse_api(self.catalog, out)
        written.append(out.write_json(API_PREFIX + "openapi.json", openapi(self.catalog)))
        return written


def _publisher_id(rec: DatasetRecord) -> str | None:
    return rec.publisher.id if rec.publisher else None


def _theme_id(rec: DatasetRecord) -> str | None:
    return rec.theme.id if rec.theme else None


def _grouped(
    records: list[DatasetRecord], keys: Iterable[str], key: Callable[[DatasetRecord], str | None]
) -> dict[str, list[DatasetRecord]]:
    """The records of each key, in the order of records: one pass over them, not one per
    publisher or theme."""
    groups: dict[str, list[DatasetRecord]] = {k: [] for k in keys}
    for rec in records:
        k = key(rec)
        found = groups.get(k) if k is not None else None
        if found is not None:
            found.append(rec)
    return groups


# --- OpenAPI 3.1 ---------------------------------------------------------------------
def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    return {"anyOf": [schema, {"type": "null"}]}


STRING = {"type": "string"}
URL = {"type": "string", "format": "uri"}
DATE = {"type": "string", "format": "date"}


def _object(props: dict[str, Any], required: list[str] | None = None) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": props,
        "required": required if required is not None else list(props),
    }


def schemas() -> dict[str, Any]:
    text_schema = _object({"zh": STRING, "en": STRING})
    pages = {"type": "object", "additionalProperties": URL, "minProperties": 1}
    download = _object(
        {
            "format": {"type": "string", "enum": [f.key for f in FORMATS.values()]},
            "media_type": STRING,
            "url": URL,
            "size": {"type": "integer", "minimum": 0},
            "sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
        }
    )
    field = _object(
        {
            "name": STRING,
            "type": STRING,
            "title": _nullable(STRING),
            "description": _nullable(STRING),
        }
    )
    resource = _object(
        {
            "name": STRING,
            "title": STRING,
            "fields": {"type": "array", "items": _ref("Field")},
            "rows": {"type": ["integer", "null"], "description": "open data only"},
            "downloads": {
                "type": "array",
                "items": _ref("Download"),
                "description": "open data only: " + ", ".join(f.key for f in RESOURCE_FORMATS),
            },
        },
        required=["name", "title", "fields"],
    )
    summary_props = {
        "id": STRING,
        "identifier": STRING,
        "title": _ref("Text"),
        "publisher": _nullable(STRING),
        "theme": _nullable(STRING),
        "open_type": {"type": "string", "enum": ["open", "conditional", "closed"]},
        "access_level": {"type": "string", "enum": ["public", "restricted public", "non-public"]},
        "issued": DATE,
        "modified": DATE,
        "formats": {"type": "array", "items": STRING},
        "status": _object(
            {
                "state": {
                    "type": "string",
                    "enum": ["normal", "suspended", "withdrawn", "objection"],
                },
                "label": _ref("Text"),
                "since": _nullable(DATE),
                "reason": _nullable(_ref("Text")),
                "reply_by": _nullable(DATE),
                "replaced_by": _nullable(URL),
                "notice": _nullable(_ref("Text")),
                "publishes_data": {"type": "boolean"},
            }
        ),
        "held_back": _nullable(_object({"version": DATE, "notice": _ref("Text")})),
        "page": _ref("Pages"),
        "api": URL,
    }
    summary = _object(summary_props)
    removed = _object(
        {
            "id": STRING,
            "title": _ref("Text"),
            "state": {"const": "removed"},
            "removed": DATE,
            "reason": _nullable(_ref("Text")),
            "replaced_by": _nullable(URL),
            "notice": _ref("Text"),
            "page": _ref("Pages"),
            "api": URL,
        }
    )
    party = _object(
        {
            "title": STRING,
            "path": _nullable(URL),
            "email": _nullable(STRING),
            "role": _nullable(STRING),
        }
    )
    dataset = _object(
        summary_props
        | {
            "description": _ref("Text"),
            "keywords": {"type": "array", "items": STRING},
            "open_type_label": _ref("Text"),
            "access_rights": URL,
            "share_type": _nullable(
                {"type": "string", "enum": ["unconditional", "conditional", "none"]}
            ),
            "share_conditions": _nullable(STRING),
            "update_frequency": _object({"id": STRING, "label": _ref("Text")}),
            "spatial": _nullable(STRING),
            "temporal": _nullable(_object({"start": STRING, "end": STRING})),
            "license": _nullable(_object({"name": STRING, "title": STRING, "url": _nullable(URL)})),
            "contact": _object(
                {"name": _ref("Text"), "email": _nullable(STRING), "phone": _nullable(STRING)}
            ),
            "legal_basis": _nullable(STRING),
            "open_conditions": _nullable(STRING),
            "sources": {"type": "array", "items": party},
            "contributors": {"type": "array", "items": party},
            "homepage": _nullable(URL),
            "version": _nullable(STRING),
            "apply": _nullable(
                _object({"url": _nullable(URL), "email": _nullable(STRING), "page": _ref("Pages")})
            ),
            "derived_from": _nullable(URL),
            "derivatives": {"type": "array", "items": URL},
            "datapackage": _nullable(URL),
            "package": _nullable(_ref("Download")),
            "resources": {"type": "array", "items": _ref("Resource")},
            "links": _object(
                {
                    "publisher": _nullable(URL),
                    "theme": _nullable(URL),
                    "catalog": URL,
                    "feed": URL,
                }
            ),
        }
    )
    publisher_props = {
        "id": STRING,
        "name": _ref("Text"),
        "code": _nullable(STRING),
        "datasets_count": {"type": "integer", "minimum": 0},
        "page": _ref("Pages"),
        "feed": _nullable(URL),
        "api": URL,
    }
    theme_props = {
        "id": STRING,
        "label": _ref("Text"),
        "datasets_count": {"type": "integer", "minimum": 0},
        "page": _ref("Pages"),
        "api": URL,
    }
    summaries = {"type": "array", "items": _ref("DatasetSummary")}
    return {
        "Text": text_schema,
        "Pages": pages,
        "Download": download,
        "Field": field,
        "Resource": resource,
        "DatasetSummary": summary,
        "Dataset": dataset,
        "RemovedDataset": removed,
        "DatasetOrRemoved": {"oneOf": [_ref("Dataset"), _ref("RemovedDataset")]},
        "DatasetList": _object(
            {
                "count": {"type": "integer"},
                "datasets": summaries,
                "removed": {"type": "array", "items": _ref("RemovedDataset")},
            }
        ),
        "Publisher": _object(publisher_props),
        "PublisherDetail": _object(
            publisher_props
            | {
                "contact": _object({"email": _nullable(STRING), "phone": _nullable(STRING)}),
                "datasets": summaries,
            }
        ),
        "PublisherList": _object(
            {
                "count": {"type": "integer"},
                "publishers": {"type": "array", "items": _ref("Publisher")},
            }
        ),
        "Theme": _object(theme_props),
        "ThemeDetail": _object(theme_props | {"datasets": summaries}),
        "ThemeList": _object(
            {"count": {"type": "integer"}, "themes": {"type": "array", "items": _ref("Theme")}}
        ),
        "Index": _object(
            {
                "api_version": STRING,
                "title": _ref("Text"),
                "description": _ref("Text"),
                "modified": _nullable(DATE),
                "counts": {"type": "object", "additionalProperties": {"type": "integer"}},
                "formats": {"type": "object"},
                "links": {"type": "object"},
            }
        ),
    }


# (path, schema, operationId, zh summary, en summary, path parameter)
ENDPOINTS: list[tuple[str, str, str, str, str, str | None]] = [
    (
        "/index.json",
        "Index",
        "getIndex",
        "API 入口：统计与链接",
        "Entry point: counts and links",
        None,
    ),
    (
        "/datasets.json",
        "DatasetList",
        "listDatasets",
        "全部数据集摘要",
        "All datasets, summarised",
        None,
    ),
    (
        "/datasets/{id}.json",
        "DatasetOrRemoved",
        "getDataset",
        "一个数据集的完整元数据、字段与下载文件（已移除的数据集：移除日期、原因与替代数据集）",
        "One dataset: metadata, fields and files (a removed one: when, why, its successor)",
        "id",
    ),
    ("/publishers.json", "PublisherList", "listPublishers", "全部提供部门", "All publishers", None),
    (
        "/publishers/{id}.json",
        "PublisherDetail",
        "getPublisher",
        "一个提供部门及其数据集",
        "One publisher and its datasets",
        "id",
    ),
    ("/themes.json", "ThemeList", "listThemes", "全部领域", "All themes", None),
    (
        "/themes/{id}.json",
        "ThemeDetail",
        "getTheme",
        "一个领域及其数据集",
        "One theme and its datasets",
        "id",
    ),
]


def openapi(catalog: Catalog) -> dict[str, Any]:
    site = catalog.site
    paths: dict[str, Any] = {}
    for path, schema, op_id, zh, en, param in ENDPOINTS + REUSE_ENDPOINTS:
        operation: dict[str, Any] = {
            "operationId": op_id,
            "summary": f"{zh} / {en}",
            "responses": {
                "200": {
                    "description": "OK",
                    "content": {"application/json": {"schema": _ref(schema)}},
                },
                "404": {"description": "不存在 / not found"},
            },
        }
        if param:
            operation["parameters"] = [
                {
                    "name": param,
                    "in": "path",
                    "required": True,
                    "description": "小写字母、数字、连字符 / lower-case id",
                    "schema": {"type": "string", "pattern": "^[a-z0-9][a-z0-9_-]*$"},
                }
            ]
        paths[path] = {"get": operation}
    info: dict[str, Any] = {
        "title": f"{site.title.zh} API / {site.title.en or site.title.zh} API",
        "version": API_VERSION,
        "description": "静态只读 JSON 文件，无需密钥；数据集按开放类型发布："
        "有条件开放只含字段，非开放不含字段与文件。"
        "\n\nStatic, read-only JSON files; no key needed. Conditional datasets list their "
        "fields only; closed datasets list neither fields nor files.",
    }
    if site.contact.email:
        info["contact"] = {
            "name": site.contact.name.get("en") or site.title.zh,
            "email": site.contact.email,
        }
    if site.default_license and site.default_license.path:
        info["license"] = {"name": site.default_license.name, "url": site.default_license.path}
    return {
        "openapi": "3.1.0",
        "info": info,
        "servers": [{"url": site.base_url + API_PREFIX.rstrip("/")}],
        "paths": paths,
        "components": {"schemas": schemas() | reuse_schemas()},
    }


def write_api(
    catalog: Catalog,
    records: list[DatasetRecord],
    published: dict[str, Any],
    out: OutputTree,
    tombstones: Sequence[Tombstone] = (),
) -> list[WrittenFile]:
    return Api(catalog, records, published, tombstones).write(out)
