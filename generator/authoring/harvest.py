"""`kaifang harvest`: read another portal's catalog into records of datasets.

Sources: a DCAT-AP catalog (RDF/XML, Turtle or JSON-LD, Kaifang's own catalog.jsonld
included), a CKAN Action API response (``package_search`` or ``package_show``), or a
Project Open Data data.json, from a file or an http(s) URL. Each dataset becomes a
:class:`Harvested` record; a record that cannot be used (no title) becomes a
:class:`RecordError` and the rest is harvested. Writing them into the catalog, keeping what
a person edited, is :mod:`generator.authoring.harvest_write`.
"""

from __future__ import annotations

import hashlib
import json
import re
import urllib.error
import urllib.request
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from ..errors import KaifangError

MAX_SOURCE_BYTES = 200 * 1024 * 1024  # a catalog larger than this is refused, not read
TIMEOUT_SECONDS = 30
PUBLIC_ACCESS = "http://publications.europa.eu/resource/authority/access-right/PUBLIC"


class HarvestFailed(KaifangError):
    """The source as a whole cannot be read: unreachable, too large, not a catalog."""


@dataclass(frozen=True)
class RecordError:
    """One record of the source that was not harvested, and why (both languages)."""

    record: str  # its identifier or URI at the source, or its position
    zh: str
    en: str


@dataclass
class Distribution:
    title: str
    url: str
    format: str = ""
    bytes: int | None = None


@dataclass
class Harvested:
    """One dataset as the source describes it, before it is written into the catalog."""

    original: str  # its URL (or identifier) at the source
    name_hint: str  # the source's own short name, if any: the basis of the dataset id
    title: str
    title_en: str = ""
    description: str = ""
    description_en: str = ""
    identifier: str = ""
    publisher_id: str = ""
    publisher_zh: str = ""
    publisher_en: str = ""
    keywords: list[str] = field(default_factory=list)
    themes: list[str] = field(default_factory=list)  # ids, URIs or labels, as given
    frequency: str = ""  # an EU frequency code, an ISO 8601 period or a word
    license_name: str = ""
    license_url: str = ""
    license_title: str = ""
    issued: str = ""
    modified: str = ""
    public: bool = False  # the source says PUBLIC; anything else leaves the open type 待定
    withdrawn: bool = False  # the source marks it withdrawn (adms:status): not taken in
    distributions: list[Distribution] = field(default_factory=list)


@dataclass
class HarvestResult:
    portal: str
    records: list[Harvested]
    errors: list[RecordError]


# --- reading the source ---------------------------------------------------------------


def is_url(source: str) -> bool:
    return source.startswith(("http://", "https://"))


def read_source(source: str) -> bytes:
    """The bytes of a file path or http(s) URL; HarvestFailed with the reason otherwise."""
    if is_url(source):
        request = urllib.request.Request(source, headers={"User-Agent": "kaifang-harvest"})
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
                data = response.read(MAX_SOURCE_BYTES + 1)
        except urllib.error.HTTPError as exc:
            raise HarvestFailed(
                f"无法读取来源 {source}：服务器返回 HTTP {exc.code} / "
                f"cannot read {source}: the server answered HTTP {exc.code}"
            ) from None
        except (urllib.error.URLError, OSError, ValueError) as exc:
            reason = getattr(exc, "reason", exc)
            raise HarvestFailed(
                f"无法连接来源 {source}（{reason}），请检查网址和网络 / "
                f"cannot reach {source} ({reason}); check the URL and the network"
            ) from None
    else:
        path = Path(source)
        if not path.is_file():
            raise HarvestFailed(
                f"找不到来源文件 {source}，请给出文件路径或 http(s) 网址 / "
                f"no such source file: {source}; give a file path or an http(s) URL"
            )
        with path.open("rb") as handle:
            data = handle.read(MAX_SOURCE_BYTES + 1)
    if len(data) > MAX_SOURCE_BYTES:
        raise HarvestFailed(
            f"来源超过 {MAX_SOURCE_BYTES // 1024 // 1024} MB，未读取 / "
            f"the source is larger than {MAX_SOURCE_BYTES // 1024 // 1024} MB; not read"
        )
    return data


def harvest(source: str) -> HarvestResult:
    """Read and parse a source into records; the format is found from the content."""
    data = read_source(source)
    text = data.decode("utf-8-sig", errors="replace").lstrip()
    if text.startswith(("{", "[")):
        try:
            doc = json.loads(text)
        except json.JSONDecodeError as exc:
            raise HarvestFailed(
                f"来源不是有效的 JSON（第 {exc.lineno} 行第 {exc.colno} 列：{exc.msg}）/ "
                f"the source is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
            ) from None
        if isinstance(doc, dict) and isinstance(doc.get("dataset"), list):
            records, errors = from_pod(doc)
        elif isinstance(doc, dict) and "result" in doc and "@context" not in doc:
            records, errors = from_ckan(doc, source)
        else:
            records, errors = from_rdf(text, "json-ld", source)
    elif text.startswith("<"):
        records, errors = from_rdf(text, "xml", source)
    else:
        records, errors = from_rdf(text, "turtle", source)
    return HarvestResult(source, records, errors)


# --- small helpers ----------------------------------------------------------------------


def _str(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _date(value: Any) -> str:
    """YYYY-MM-DD from a date or date-time string; '' when there is none."""
    text = _str(value)
    return text[:10] if re.match(r"^\d{4}-\d{2}-\d{2}", text) else ""


def _size(value: Any) -> int | None:
    try:
        size = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return size if size >= 0 else None


def last_segment(uri: str) -> str:
    """The last non-empty path segment of a URI (the fragment ignored)."""
    path = urlparse(uri).path if is_url(uri) else uri
    parts = [p for p in path.split("/") if p]
    return parts[-1] if parts else ""


def short_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:8]


# --- CKAN -----------------------------------------------------------------------------


def from_ckan(doc: dict, source: str) -> tuple[list[Harvested], list[RecordError]]:
    result = doc.get("result")
    if doc.get("success") is False or result is None:
        raise HarvestFailed(
            "CKAN 接口返回失败（success: false）/ the CKAN API answered success: false"
        )
    packages = (
        result.get("results") if isinstance(result, dict) and "results" in result else [result]
    )
    if not isinstance(packages, list):
        raise HarvestFailed("CKAN 响应中没有 results 列表 / the CKAN response has no results list")
    site = source.split("/api/", 1)[0] if "/api/" in source else ""
    records, errors = [], []
    for i, pkg in enumerate(packages, 1):
        if not isinstance(pkg, dict):
            errors.append(RecordError(f"#{i}", "不是对象，已跳过", "not an object; skipped"))
            continue
        name = _str(pkg.get("name"))
        ref = name or _str(pkg.get("id")) or f"#{i}"
        if not _str(pkg.get("title")):
            errors.append(_no_title(ref))
            continue
        org = pkg.get("organization") if isinstance(pkg.get("organization"), dict) else {}
        extras = {
            _str(e.get("key")): e.get("value")
            for e in pkg.get("extras") or []
            if isinstance(e, dict)
        }
        access = _str(extras.get("access_rights"))
        public = (
            access.endswith("/PUBLIC") or access.upper() == "PUBLIC"
            if access
            else pkg.get("private") is False
        )
        records.append(
            Harvested(
                original=f"{site}/dataset/{name}" if site and name else ref,
                name_hint=name,
                title=_str(pkg.get("title")),
                description=_str(pkg.get("notes")),
                identifier=_str(pkg.get("id")),
                publisher_id=_str(org.get("name")),
                publisher_zh=_str(org.get("title")) or _str(org.get("name")),
                keywords=[
                    _str(t.get("name"))
                    for t in pkg.get("tags") or []
                    if isinstance(t, dict) and _str(t.get("name"))
                ],
                themes=[
                    _str(g.get("name"))
                    for g in pkg.get("groups") or []
                    if isinstance(g, dict) and _str(g.get("name"))
                ],
                frequency=_str(extras.get("frequency")),
                license_name=_str(pkg.get("license_id")),
                license_url=_str(pkg.get("license_url")),
                license_title=_str(pkg.get("license_title")),
                issued=_date(pkg.get("metadata_created")),
                modified=_date(pkg.get("metadata_modified")),
                public=public,
                distributions=[
                    Distribution(
                        _str(r.get("name")) or _str(r.get("format")) or "resource",
                        _str(r.get("url")),
                        _str(r.get("format")).lower(),
                        _size(r.get("size")),
                    )
                    for r in pkg.get("resources") or []
                    if isinstance(r, dict) and is_url(_str(r.get("url")))
                ],
            )
        )
    return records, errors


def _no_title(ref: str) -> RecordError:
    return RecordError(
        ref,
        "没有标题（title），未采集；请在来源补上标题",
        "has no title; not harvested (add one at the source)",
    )


# --- Project Open Data ----------------------------------------------------------------


def from_pod(doc: dict) -> tuple[list[Harvested], list[RecordError]]:
    records, errors = [], []
    for i, ds in enumerate(doc["dataset"], 1):
        if not isinstance(ds, dict):
            errors.append(RecordError(f"#{i}", "不是对象，已跳过", "not an object; skipped"))
            continue
        ref = _str(ds.get("identifier")) or f"#{i}"
        if not _str(ds.get("title")):
            errors.append(_no_title(ref))
            continue
        publisher = ds.get("publisher") if isinstance(ds.get("publisher"), dict) else {}
        landing = _str(ds.get("landingPage"))
        records.append(
            Harvested(
                original=landing or ref,
                name_hint=last_segment(landing) if landing else "",
                title=_str(ds.get("title")),
                description=_str(ds.get("description")),
                identifier=_str(ds.get("identifier")),
                publisher_zh=_str(publisher.get("name")),
                keywords=[_str(k) for k in ds.get("keyword") or [] if _str(k)],
                themes=[_str(t) for t in ds.get("theme") or [] if _str(t)],
                frequency=_str(ds.get("accrualPeriodicity")),
                license_url=_str(ds.get("license")),
                issued=_date(ds.get("issued")),
                modified=_date(ds.get("modified")),
                public=_str(ds.get("accessLevel")) == "public",
                distributions=[
                    Distribution(
                        _str(d.get("title")) or _str(d.get("format")) or "resource",
                        _str(d.get("downloadURL")) or _str(d.get("accessURL")),
                        (
                            _str(d.get("format")) or _str(d.get("mediaType")).rsplit("/", 1)[-1]
                        ).lower(),
                    )
                    for d in ds.get("distribution") or []
                    if isinstance(d, dict)
                    and is_url(_str(d.get("downloadURL")) or _str(d.get("accessURL")))
                ],
            )
        )
    return records, errors


# --- DCAT (RDF/XML, Turtle, JSON-LD) --------------------------------------------------


def from_rdf(text: str, fmt: str, source: str) -> tuple[list[Harvested], list[RecordError]]:
    import rdflib  # imported here: only DCAT sources need it
    from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF

    ADMS = rdflib.Namespace("http://www.w3.org/ns/adms#")  # noqa: N806

    graph = rdflib.Graph()
    try:
        with warnings.catch_warnings():  # rdflib's JSON-LD parser warns about its own internals
            warnings.simplefilter("ignore", DeprecationWarning)
            graph.parse(data=text, format=fmt, publicID=source if is_url(source) else None)
    except Exception as exc:  # rdflib raises many kinds for malformed input  # noqa: BLE001
        kind = {"xml": "RDF/XML", "turtle": "Turtle", "json-ld": "JSON-LD"}[fmt]
        detail = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
        raise HarvestFailed(
            f"来源不是有效的 {kind}：{detail} / the source is not valid {kind}: {detail}"
        ) from None

    def texts(node: Any, prop: Any) -> tuple[str, str]:
        """(Chinese or untagged, English) literals of a property."""
        zh = en = other = ""
        for value in graph.objects(node, prop):
            if not isinstance(value, rdflib.Literal):
                continue
            lang = (value.language or "").lower()
            if lang.startswith("en"):
                en = en or str(value).strip()
            elif lang.startswith("zh"):
                zh = zh or str(value).strip()
            else:
                other = other or str(value).strip()
        return zh or other or en, en

    def first(node: Any, *props: Any) -> Any:
        for prop in props:
            for value in graph.objects(node, prop):
                return value
        return None

    records, errors = [], []
    datasets = sorted(set(graph.subjects(RDF.type, DCAT.Dataset)), key=str)
    if not datasets:
        raise HarvestFailed(
            "来源中没有 dcat:Dataset，不是 DCAT 目录 / "
            "the source holds no dcat:Dataset: not a DCAT catalog"
        )
    for node in datasets:
        ref = str(node) if isinstance(node, rdflib.URIRef) else f"_:{short_hash(str(node))}"
        title, title_en = texts(node, DCTERMS.title)
        if not title:
            errors.append(_no_title(ref))
            continue
        description, description_en = texts(node, DCTERMS.description)
        publisher = first(node, DCTERMS.publisher)
        pub_zh, pub_en = texts(publisher, FOAF.name) if publisher is not None else ("", "")
        license_node = first(node, DCTERMS.license)
        dists = []
        for dist in sorted(graph.objects(node, DCAT.distribution), key=str):
            url = first(dist, DCAT.downloadURL, DCAT.accessURL)
            if url is None or not is_url(str(url)):
                continue
            license_node = license_node or first(dist, DCTERMS.license)
            fmt_node = first(dist, DCTERMS.format, DCAT.mediaType)
            fmt_text = last_segment(str(fmt_node)) if fmt_node is not None else ""
            dist_title, _ = texts(dist, DCTERMS.title)
            dists.append(
                Distribution(
                    dist_title or fmt_text or "resource",
                    str(url),
                    fmt_text.lower(),
                    _size(first(dist, DCAT.byteSize)),
                )
            )
        lic_name = lic_title = lic_url = ""
        if license_node is not None:
            lic_url = str(license_node) if isinstance(license_node, rdflib.URIRef) else ""
            lic_name = str(first(license_node, DCTERMS.identifier) or "") or lic_url
            lic_title, _ = texts(license_node, DCTERMS.title)
        access = first(node, DCTERMS.accessRights)
        status = first(node, ADMS.status)
        keywords = sorted(
            {str(k).strip() for k in graph.objects(node, DCAT.keyword) if str(k).strip()}
        )
        records.append(
            Harvested(
                original=str(first(node, DCAT.landingPage) or ref),
                name_hint=last_segment(ref) if isinstance(node, rdflib.URIRef) else "",
                title=title,
                title_en=title_en if title_en != title else "",
                description=description,
                description_en=description_en if description_en != description else "",
                identifier=str(first(node, DCTERMS.identifier) or ""),
                publisher_id=_publisher_id(publisher),
                publisher_zh=pub_zh,
                publisher_en=pub_en if pub_en != pub_zh else "",
                keywords=keywords,
                themes=sorted(str(t) for t in graph.objects(node, DCAT.theme)),
                frequency=last_segment(str(first(node, DCTERMS.accrualPeriodicity) or "")),
                license_name=lic_name,
                license_url=lic_url,
                license_title=lic_title,
                issued=_date(str(first(node, DCTERMS.issued) or "")),
                modified=_date(str(first(node, DCTERMS.modified) or "")),
                public=access is not None and str(access) == PUBLIC_ACCESS,
                withdrawn=status is not None and str(status).rstrip("/").endswith("/WITHDRAWN"),
                distributions=dists,
            )
        )
    return records, errors


def _publisher_id(node: Any) -> str:
    """A publisher's id from its URI: Kaifang writes /publishers/<id>/#agent."""
    if node is None or not is_url(str(node)):
        return ""
    return last_segment(str(node))
