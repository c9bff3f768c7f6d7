"""schema.org Dataset JSON-LD for each dataset page, and the citation shown beside it.

Search engines read the JSON-LD; people copy the citation. Both are built from the same
:class:`~generator.records.DatasetRecord` as the catalogs, so a non-open dataset never
gains a distribution or a licence here either.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from json.encoder import encode_basestring  # json's own (C) string encoder
from typing import Any

from markupsafe import Markup

from ..data.records import DatasetRecord, page_path
from ..model import SiteConfig

# JSON inside <script> must not be able to close the element or open a comment.
_SCRIPT_ESCAPES = {
    "<": "\\u003c",
    ">": "\\u003e",
    "&": "\\u0026",
    "\u2028": "\\u2028",
    "\u2029": "\\u2029",
}


def dataset_jsonld(site: SiteConfig, rec: DatasetRecord, lang: str) -> dict[str, Any]:
    ds = rec.ds
    portal_url = site.base_url + page_path("", lang)
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Dataset",
        "@id": rec.page_url() + "#dataset",
        "name": ds.title.get(lang),
        "description": ds.description.get(lang),
        "url": rec.page_url(lang),
        "identifier": rec.identifier,
        "keywords": list(rec.keywords),
        "inLanguage": "zh-CN",
        "datePublished": ds.issued.isoformat(),
        "dateModified": ds.modified.isoformat(),
        "isAccessibleForFree": rec.open,
        "includedInDataCatalog": {
            "@type": "DataCatalog",
            "name": site.title.get(lang),
            "url": portal_url,
        },
    }
    if ds.title.en and lang != "en":
        data["alternateName"] = ds.title.en
    if rec.publisher is not None:
        org = {
            "@type": "GovernmentOrganization",
            "name": rec.publisher.name.get(lang),
            "url": site.base_url + page_path(f"publishers/{rec.publisher.id}/", lang),
        }
        data["creator"] = org
        data["publisher"] = org
    if rec.source_id:
        data["isBasedOn"] = site.base_url + page_path(f"datasets/{rec.source_id}/", lang)
    if rec.license is not None:
        data["license"] = rec.license.path or rec.license.name
    if rec.temporal:
        data["temporalCoverage"] = f"{rec.temporal[0]}/{rec.temporal[1]}"
    if ds.spatial:
        data["spatialCoverage"] = {"@type": "Place", "name": ds.spatial}
    if rec.open and rec.all_files:  # none while a status suspends or withdraws the data
        data["distribution"] = [
            {
                "@type": "DataDownload",
                "name": f"{d.title} ({d.format.label(lang)})"
                if d.resource
                else d.format.label(lang),
                "encodingFormat": d.media_type,
                "contentUrl": d.url,
                "contentSize": f"{d.size} B",
                "sha256": d.sha256,
            }
            for d in rec.all_files
        ]
    else:
        conditions = "；".join(x for x in (ds.open_conditions, ds.legal_basis) if x)
        if conditions:
            data["conditionsOfAccess"] = conditions
    return data


def indented_json(value: Any, level: int = 0) -> str:
    """``json.dumps(value, ensure_ascii=False, indent=1)``, the same characters: json writes
    indented text with its pure-Python encoder, one generator per dict and list (most of
    a page's JSON-LD time); here strings go to json's C string encoder and every other
    value that is not a dict or list to json.dumps itself."""
    kind = value.__class__
    if kind is str:
        return encode_basestring(value)
    if kind is dict:
        if not value:
            return "{}"
        inner = "\n" + " " * (level + 1)
        items = []
        for key, item in value.items():
            if key.__class__ is not str:  # json turns other keys into text: let it
                return _dumps_at(value, level)
            items.append(f"{encode_basestring(key)}: {indented_json(item, level + 1)}")
        return "{" + inner + ("," + inner).join(items) + "\n" + " " * level + "}"
    if kind is list or kind is tuple:
        if not value:
            return "[]"
        inner = "\n" + " " * (level + 1)
        items = [indented_json(item, level + 1) for item in value]
        return "[" + inner + ("," + inner).join(items) + "\n" + " " * level + "]"
    if kind is bool or kind is int or value is None:
        return json.dumps(value)
    return _dumps_at(value, level)


def _dumps_at(value: Any, level: int) -> str:
    """json.dumps of a value written ``level`` deep in an indented document."""
    return json.dumps(value, ensure_ascii=False, indent=1).replace("\n", "\n" + " " * level)


def jsonld_script(data: dict[str, Any]) -> Markup:
    text = indented_json(data)
    for raw, escaped in _SCRIPT_ESCAPES.items():
        text = text.replace(raw, escaped)
    return Markup(f'<script type="application/ld+json">\n{text}\n</script>')


@dataclass(frozen=True)
class Citation:
    """A reference with a hole for the date of access, which the reader fills in."""

    style: str
    before: str
    access_placeholder: str
    after: str


def citation(site: SiteConfig, rec: DatasetRecord, lang: str) -> Citation:
    ds = rec.ds
    if lang == "en":
        author = rec.publisher.name.get("en") if rec.publisher else site.title.get("en")
        title = ds.title.get("en")
        return Citation(
            "APA",
            f"{author}. ({ds.modified.year}). {title} (Version {ds.modified.isoformat()}) "
            f"[Data set]. {site.title.get('en')}. Retrieved ",
            "[date accessed]",
            f", from {rec.page_url('en')}",
        )
    # GB/T 7714-2015: 主要责任者. 题名[DS/OL]. 出版者, 出版年(更新日期)[引用日期]. 获取和访问路径.
    author = rec.publisher.name.zh if rec.publisher else site.title.zh
    return Citation(
        "GB/T 7714-2015",
        f"{author}. {ds.title.zh}[DS/OL]. {site.title.zh}, "
        f"{ds.issued.year}({ds.modified.isoformat()})[",
        "引用日期",
        f"]. {rec.page_url('zh')}.",
    )
