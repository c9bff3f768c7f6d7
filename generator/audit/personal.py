"""Personal data in what leaves: open resources as published, the files kept under
archive/, and every metadata string the site shows.

The patterns and the checks real numbers pass live in generator/checks/personal.py, so
``kaifang check`` runs the same detection over the catalog; this module runs it again over
the built tree. Its names (personal_data, valid_resident_id, valid_mobile, luhn_valid,
valid_card) stay importable from here.
"""

from __future__ import annotations

import csv
import logging
from collections.abc import Iterator
from pathlib import Path

from ..checks.personal import (
    CARD_FIRST_DIGITS,
    ID_CHECK,
    ID_WEIGHTS,
    MOBILE_PREFIXES,
    ROW_JOIN,
    csv_bytes_findings,
    dataset_texts,
    declared_contacts,
    file_has_personal_data,
    luhn_valid,
    mask_value,
    metadata_problem,
    personal_data,
    site_texts,
    stream_has_personal_data,
    text_findings,
    valid_card,
    valid_mobile,
    valid_resident_id,
    valid_resident_id15,
)
from ..data.reader import iter_rows
from ..model import Catalog, Dataset, Resource
from ..policy import is_hash_output, pii_allowed, publishes_data
from ..runtime.files import data_file
from .findings import AuditResult, Finding

__all__ = [
    "CARD_FIRST_DIGITS",
    "ID_CHECK",
    "ID_WEIGHTS",
    "MOBILE_PREFIXES",
    "audit_personal_data",
    "luhn_valid",
    "personal_data",
    "valid_card",
    "valid_mobile",
    "valid_resident_id",
    "valid_resident_id15",
]

log = logging.getLogger(__name__)


def _published_csv(root: Path, ds: Dataset, res: Resource) -> Path | None:
    path = root / "datasets" / ds.id / f"{res.name}.csv"
    return path if path.is_file() else None


def _rows_of(root: Path, ds: Dataset, res: Resource) -> Iterator[list[str]]:
    path = _published_csv(root, ds, res)
    if path is None:
        yield from iter_rows(ds, res)
        return
    with open(path, encoding="utf-8", newline="") as handle:
        yield from csv.reader(handle)


def _has_personal_data(path: Path) -> bool:
    return file_has_personal_data(path)


def _source_has_personal_data(ds: Dataset, res: Resource) -> bool:
    """The quick check over a resource's own CSV file, for a resource whose CSV is not in
    the tree (a suspended dataset publishes no file): the check ``kaifang check`` runs over
    it, on the file opened safely inside the catalog. Anything else (an XLSX, a
    derivative) is read row by row: True."""
    if res.format != "csv" or not res.path or res.derivation is not None:
        return True
    with data_file(ds.folder, res.path, ds.id) as handle:
        return stream_has_personal_data(handle, res.encoding)


def audit_personal_data(root: Path, catalog: Catalog, result: AuditResult) -> None:
    for ds in catalog.datasets:
        if not publishes_data(ds.open_type):
            continue
        for res in ds.resources:
            path = _published_csv(root, ds, res)
            if path is not None and not _has_personal_data(path):
                continue  # the quick check over the whole file found nothing
            if path is None and not _source_has_personal_data(ds, res):
                continue  # nor over the resource's own file, which nothing published holds
            _audit_rows(root, ds, res, result)
        _audit_archive(root, ds, result)
    _audit_metadata(catalog, result)


def _audit_archive(root: Path, ds: Dataset, result: AuditResult) -> None:
    """Files kept from earlier versions (archive/<version>/<resource>.csv): judged by the
    dataset's current schema, like the files they were replaced by."""
    folder = root / "datasets" / ds.id / "archive"
    if not folder.is_dir():
        return
    for path in sorted(folder.rglob("*.csv")):
        output = path.relative_to(root).as_posix()
        for kind, field_name, row, masked in csv_bytes_findings(ds, path.read_bytes()):
            result.findings.append(
                Finding(
                    kind,
                    output,
                    masked=masked,
                    dataset=ds.id,
                    resource=path.stem,
                    field=field_name,
                    row=row,
                    file=output,
                    place="archive",
                )
            )


def _audit_metadata(catalog: Catalog, result: AuditResult) -> None:
    """Publisher-written text (README, descriptor strings, site.yaml, publishers.yaml), as
    the site shows it: no text is public just because the publisher wrote it."""
    found = list(text_findings(site_texts(catalog), declared_contacts(catalog)))
    for ds in catalog.datasets:
        texts = dataset_texts(ds, catalog.site.hide_closed)
        found += text_findings(texts, declared_contacts(catalog, ds))
    for finding in found:
        dataset = finding.where.dataset
        output = f"datasets/{dataset}/index.html" if dataset else "index.html"
        result.texts.append(metadata_problem(finding, output))


def _audit_rows(root: Path, ds: Dataset, res: Resource, result: AuditResult) -> None:
    by_name = {f.name: f for f in res.fields}
    rows = _rows_of(root, ds, res)
    header = next(rows, [])
    fields = [by_name.get(name) for name in header]
    output = f"datasets/{ds.id}/{res.name}.csv"
    if res.derivation is not None:
        source = res.derivation.source_dataset
        file = f"datasets/{source.id}/{res.derivation.source_resource.path}"
    else:
        file = f"datasets/{ds.id}/{res.path}"
    for number, row in enumerate(rows, start=2):
        # the row's cells joined by a character no pattern takes in (as kaifang check does):
        # whatever a cell holds, the joined row holds too, so a clean row costs one search
        if not any(True for _ in personal_data(ROW_JOIN.join(row).encode("utf-8"))):
            continue
        for i, cell in enumerate(row):
            if not cell or not any(ch.isdigit() or ch == "@" for ch in cell):
                continue
            info = fields[i] if i < len(fields) else None
            if info is not None and is_hash_output(info.raw, cell):
                continue  # a digest of the hash rule: its digits are no one's number
            for kind, value in personal_data(cell.encode("utf-8")):
                if info is not None and pii_allowed(info.raw, kind):
                    continue
                result.findings.append(
                    Finding(
                        kind,
                        output,
                        masked=mask_value(value),
                        dataset=ds.id,
                        resource=res.name,
                        field=header[i] if i < len(header) else f"#{i + 1}",
                        row=number,
                        file=file,
                    )
                )
