"""The API documents of issue 18: /api/v1/showcases.json and /api/v1/requests.json, with
their OpenAPI schemas (merged into :func:`~generator.feeds.api.openapi`).

A showcase or request names only datasets listed on the site (the catalog stage drops
links to hidden ones), so these documents name nothing the pages do not.
"""

from __future__ import annotations

import json
from typing import Any

from ..data.records import API_PREFIX, page_path
from ..model import REQUEST_KINDS, SHOWCASE_KINDS, Catalog, Text
from ..runtime.output import OutputTree, WrittenFile
from ..site.reuse import reply_figures

STRING = {"type": "string"}
URL = {"type": "string", "format": "uri"}
DATE = {"type": "string", "format": "date"}


def _text(value: Text) -> dict[str, str]:
    return {"zh": value.zh, "en": value.en or value.zh}


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    return {"anyOf": [schema, {"type": "null"}]}


def _object(props: dict[str, Any]) -> dict[str, Any]:
    return {"type": "object", "properties": props, "required": list(props)}


def _pages(catalog: Catalog, path: str) -> dict[str, str]:
    return {lg: catalog.site.base_url + page_path(path, lg) for lg in catalog.site.languages}


def showcases_doc(catalog: Catalog) -> dict[str, Any]:
    base = catalog.site.base_url + API_PREFIX
    return {
        "count": len(catalog.showcases),
        "showcases": [
            {
                "id": s.id,
                "title": _text(s.title),
                "description": _text(s.description),
                "kind": s.kind,
                "url": s.url,
                "image": s.image or None,
                "author": s.author or None,
                "date": s.date.isoformat(),
                "datasets": [base + f"datasets/{d}.json" for d in s.datasets],
                "page": _pages(catalog, f"showcases/{s.id}/"),
            }
            for s in catalog.showcases
        ],
    }


def requests_doc(catalog: Catalog) -> dict[str, Any]:
    base = catalog.site.base_url + API_PREFIX
    figures = reply_figures(catalog.requests)
    return {
        "count": figures.received,
        "replied": figures.replied,
        "median_reply_days": figures.median_days,
        "requests": [
            {
                "id": r.id,
                "kind": r.kind,
                "title": _text(r.title),
                "detail": _text(r.detail) if r.detail.zh else None,
                "dataset": base + f"datasets/{r.dataset}.json" if r.dataset else None,
                "publisher": r.publisher or None,
                "received": r.received.isoformat(),
                "replied": r.replied.isoformat() if r.replied else None,
                "reply_days": r.reply_days,
                "reply": _text(r.reply) if r.replied else None,
                "attachments": [{"title": a.title, "url": a.url} for a in r.attachments],
            }
            for r in catalog.requests
        ],
        "page": _pages(catalog, "requests/"),
    }


def _write(out: OutputTree, path: str, doc: Any) -> WrittenFile:
    return out.write_text(path, json.dumps(doc, ensure_ascii=False, separators=(",", ":")) + "\n")


def write_reuse_api(catalog: Catalog, out: OutputTree) -> list[WrittenFile]:
    return [
        _write(out, API_PREFIX + "showcases.json", showcases_doc(catalog)),
        _write(out, API_PREFIX + "requests.json", requests_doc(catalog)),
    ]


def reuse_schemas() -> dict[str, Any]:
    text = {"$ref": "#/components/schemas/Text"}
    pages = {"type": "object", "additionalProperties": URL, "minProperties": 1}
    showcase = _object(
        {
            "id": STRING,
            "title": text,
            "description": text,
            "kind": {"type": "string", "enum": list(SHOWCASE_KINDS)},
            "url": URL,
            "image": _nullable(URL),
            "author": _nullable(STRING),
            "date": DATE,
            "datasets": {"type": "array", "items": URL},
            "page": pages,
        }
    )
    request = _object(
        {
            "id": STRING,
            "kind": {"type": "string", "enum": list(REQUEST_KINDS)},
            "title": text,
            "detail": _nullable(text),
            "dataset": _nullable(URL),
            "publisher": _nullable(STRING),
            "received": DATE,
            "replied": _nullable(DATE),
            "reply_days": _nullable({"type": "integer", "minimum": 0}),
            "reply": _nullable(text),
            "attachments": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {"title": STRING, "url": URL},
                    "required": ["title", "url"],
                },
            },
        }
    )
    return {
        "Showcase": showcase,
        "ShowcaseList": _object(
            {"count": {"type": "integer"}, "showcases": {"type": "array", "items": showcase}}
        ),
        "RequestList": _object(
            {
                "count": {"type": "integer"},
                "replied": {"type": "integer"},
                "median_reply_days": _nullable({"type": "number"}),
                "requests": {"type": "array", "items": request},
                "page": pages,
            }
        ),
    }


REUSE_ENDPOINTS: list[tuple[str, str, str, str, str, str | None]] = [
    (
        "/showcases.json",
        "ShowcaseList",
        "listShowcases",
        "应用成果及其使用的数据集",
        "Showcases and the datasets they use",
        None,
    ),
    (
        "/requests.json",
        "RequestList",
        "listRequests",
        "数据需求、纠错、异议与答复",
        "Requests, corrections, objections and replies",
        None,
    ),
]
