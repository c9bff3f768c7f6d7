"""/data.json in the Project Open Data metadata schema 1.1.

POD is a US federal schema: it requires bureauCode and programCode from US budget
tables, which have no Chinese equivalent. Kaifang writes the neutral placeholders
"000:00" and "000:000" (valid by the schema, meaning no federal bureau or programme) so
that generic POD harvesters, which validate against the schema, accept the file.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Sequence
from typing import Any

from ..data.records import DatasetRecord, status_notice
from ..i18n import translate
from ..model import Catalog
from ..runtime.output import OutputTree, WrittenFile
from ..tombstones import Tombstone

POD_SCHEMA = "https://project-open-data.cio.gov/v1.1/schema"
BUREAU_CODE = "000:00"
PROGRAM_CODE = "000:000"
RIGHTS_MAX = 255  # POD limits `rights` to 255 characters

# Site frequency ids -> ISO 8601 repeating durations, as POD wants them.
POD_FREQUENCIES = {
    "realtime": "R/PT1S",
    "continuous": "R/PT1S",
    "hourly": "R/PT1H",
    "daily": "R/P1D",
    "weekly": "R/P1W",
    "biweekly": "R/P2W",
    "monthly": "R/P1M",
    "quarterly": "R/P3M",
    "semiannual": "R/P6M",
    "yearly": "R/P1Y",
    "annual": "R/P1Y",
    "irregular": "irregular",
}


def _rights(rec: DatasetRecord) -> str | None:
    """Why access is restricted: the status (suspended, withdrawn, under objection) first,
    then the conditions and legal basis of conditional and closed data."""
    parts = [status_notice(rec.ds, "zh")] if not rec.ds.status.normal else []
    if rec.open:
        return _cut("；".join(parts)) if parts else None
    if rec.ds.open_conditions:
        parts.append(f"开放条件：{rec.ds.open_conditions}")
    if rec.ds.legal_basis:
        parts.append(f"依据：{rec.ds.legal_basis}")
    return _cut("；".join(parts) or rec.ds.open_type.label_zh)


def _cut(text: str) -> str:
    return text if len(text) <= RIGHTS_MAX else text[: RIGHTS_MAX - 1] + "…"


def pod_dataset(catalog: Catalog, rec: DatasetRecord) -> dict[str, Any]:
    ds = rec.ds
    publisher_name = rec.publisher.name.zh if rec.publisher else catalog.site.title.zh
    entry: dict[str, Any] = {
        "@type": "dcat:Dataset",
        "identifier": rec.page_url() + "#dataset",
        "title": ds.title.zh,
        "description": ds.description.zh,
        "keyword": list(dict.fromkeys(rec.keywords)),
        "modified": ds.modified.isoformat(),
        "issued": ds.issued.isoformat(),
        "publisher": {"@type": "org:Organization", "name": publisher_name},
        "contactPoint": {"@type": "vcard:Contact", "fn": rec.contact.name.zh},
        "accessLevel": rec.access_level,
        "bureauCode": [BUREAU_CODE],
        "programCode": [PROGRAM_CODE],
        "landingPage": rec.page_url(),
        "language": ["zh"],
    }
    if rec.contact.email:
        entry["contactPoint"]["hasEmail"] = "mailto:" + rec.contact.email
    rights = _rights(rec)
    if rights:
        entry["rights"] = rights
    if rec.theme:
        entry["theme"] = [rec.theme.label.zh]
    if ds.spatial:
        entry["spatial"] = ds.spatial
    if rec.temporal:
        entry["temporal"] = f"{rec.temporal[0]}/{rec.temporal[1]}"
    frequency = POD_FREQUENCIES.get(ds.update_frequency)
    if frequency:
        entry["accrualPeriodicity"] = frequency
    if rec.license and rec.license.path:
        entry["license"] = rec.license.path
    if rec.datapackage_url:
        entry["describedBy"] = rec.datapackage_url
        entry["describedByType"] = "application/json"
    if rec.open and rec.all_files:  # none while a status suspends or withdraws the data
        entry["distribution"] = [
            {
                "@type": "dcat:Distribution",
                "title": f"{d.title}（{d.format.label_zh}）"
                if d.resource
                else f"{ds.title.zh}（完整数据包）",
                "downloadURL": d.url,
                "mediaType": d.media_type,
                "format": d.format.label_en,
            }
            for d in rec.all_files
        ]
    entry["references"] = [rec.api_url]
    return entry


def pod_removed(catalog: Catalog, stone: Tombstone) -> dict[str, Any]:
    """A dataset removed from the catalog (tombstones.py): no longer available, so
    non-public, with when and why in `rights` and its tombstone page as landing page."""
    site = catalog.site
    publisher = catalog.publishers.get(stone.publisher)
    theme = site.themes.get(stone.theme)
    page = site.base_url + stone.page_path
    notice = stone.notice("zh")
    entry: dict[str, Any] = {
        "@type": "dcat:Dataset",
        "identifier": page + "#dataset",
        "title": translate("tombstone_title", "zh", title=stone.title.zh),
        "description": notice,
        "keyword": [stone.title.zh],
        "modified": stone.removed.isoformat(),
        "publisher": {
            "@type": "org:Organization",
            "name": publisher.name.zh if publisher else site.title.zh,
        },
        "contactPoint": {"@type": "vcard:Contact", "fn": site.contact.name.zh or site.title.zh},
        "accessLevel": "non-public",
        "rights": _cut(notice),
        "bureauCode": [BUREAU_CODE],
        "programCode": [PROGRAM_CODE],
        "landingPage": page,
        "language": ["zh"],
    }
    if site.contact.email:
        entry["contactPoint"]["hasEmail"] = "mailto:" + site.contact.email
    if theme:
        entry["theme"] = [theme.label.zh]
    if stone.successor:
        entry["references"] = [f"{site.base_url}datasets/{stone.successor}/"]
    return entry


def catalog_head(catalog: Catalog) -> dict[str, Any]:
    return {
        "@context": "https://project-open-data.cio.gov/v1.1/schema/catalog.jsonld",
        "@id": catalog.site.base_url + "data.json",
        "@type": "dcat:Catalog",
        "conformsTo": POD_SCHEMA,
        "describedBy": POD_SCHEMA + "/catalog.json",
    }


def write_data_json(
    catalog: Catalog,
    records: list[DatasetRecord],
    out: OutputTree,
    tombstones: Sequence[Tombstone] = (),
) -> WrittenFile:
    """Streamed one dataset at a time, so memory does not grow with the catalog; one
    dataset per line (json's C encoder: indenting would use the slow Python one). Removed
    datasets come last."""
    head = json.dumps(catalog_head(catalog), ensure_ascii=False, indent=2)
    entries = itertools.chain(
        (pod_dataset(catalog, rec) for rec in records),
        (pod_removed(catalog, stone) for stone in tombstones),
    )
    with open(out.path_for_stream("data.json"), "w", encoding="utf-8", newline="\n") as handle:
        handle.write(head[:-2] + ',\n  "dataset": [')
        empty = True
        for entry in entries:
            handle.write(("\n    " if empty else ",\n    ") + json.dumps(entry, ensure_ascii=False))
            empty = False
        handle.write("]\n}\n" if empty else "\n  ]\n}\n")
    return out.register("data.json")
