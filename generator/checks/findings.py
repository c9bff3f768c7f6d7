"""The data findings of each resource, as frictionless reports them (type, row, field).

:func:`frictionless_findings` is the reference data path: it reports exactly what
frictionless reports, counting every error but keeping only the first few per resource.
Large CSV files go through the column-wise path (:mod:`generator.checks.fastcheck`), which
must produce the same findings.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from frictionless import Checklist, FrictionlessException
from frictionless import Package as FlPackage
from frictionless import Resource as FlResource
from frictionless import Schema as FlSchema
from frictionless.formats import ExcelControl

from ..model import Dataset, Resource
from .fastcheck import Unsupported, validate_csv

log = logging.getLogger(__name__)

# CSV files at least this large are validated by the vectorised path (generator/fastcheck):
# below it, frictionless's fixed cost per file is smaller than the path's set-up.
FAST_PATH_MIN_BYTES = 1 << 20
MAX_ERRORS_PER_RESOURCE = 20  # listed in the report; every error is counted

# --- the data findings, as frictionless reports them --------------------------------------


@dataclass(frozen=True)
class Finding:
    """One error in a resource's data, in frictionless's terms."""

    type: str  # frictionless error type: type-error, constraint-error, primary-key, …
    row: int | None  # frictionless rowNumber: the header is row 1
    field: str  # frictionless fieldName, "" for row and table errors
    cell: str = ""
    note: str = ""
    message: str = ""  # frictionless's English message
    field_number: int | None = None
    cells: tuple[str, ...] = ()


@dataclass
class ResourceFindings:
    name: str
    rows: int = 0
    fields: int = 0
    total: int = 0  # every error, including the ones not kept
    by_type: Counter[str] = field(default_factory=Counter)
    kept: list[Finding] = field(default_factory=list)


class _CountingChecklist(Checklist):
    """Counts every error frictionless finds but keeps only the first ``keep`` of them.

    frictionless stops at ``limit_errors``; we want the full count (a file with 80,000 bad
    rows should say so) without holding 80,000 error objects in memory.
    """

    def __init__(self, keep: int) -> None:
        super().__init__()
        object.__setattr__(self, "_keep", keep)
        object.__setattr__(self, "_by_type", Counter())

    def match(self, error: Any) -> bool:  # type: ignore[override]
        if not super().match(error):
            return False
        self._by_type[error.type] += 1  # type: ignore[attr-defined]
        return sum(self._by_type.values()) <= self._keep  # type: ignore[attr-defined]


def _finding(err: Any) -> Finding:
    return Finding(
        type=err.type,
        row=getattr(err, "row_number", None),
        field=getattr(err, "field_name", "") or "",
        cell=str(getattr(err, "cell", "") or ""),
        note=str(getattr(err, "note", "") or ""),
        message=str(getattr(err, "message", "") or ""),
        field_number=getattr(err, "field_number", None),
        cells=tuple(str(c) for c in getattr(err, "cells", []) or []),
    )


def _fl_schema(res: Resource, skipped: set[str]) -> dict[str, Any]:
    schema = dict(res.raw.get("schema") or {})
    fks = [
        fk
        for fk in schema.get("foreignKeys") or []
        if not (isinstance(fk, dict) and (fk.get("reference") or {}).get("resource") in skipped)
    ]
    if fks:
        schema["foreignKeys"] = fks
    else:
        schema.pop("foreignKeys", None)
    return schema


def _fl_resource(ds: Dataset, res: Resource) -> tuple[FlResource | None, str]:
    try:
        schema = FlSchema.from_descriptor(_fl_schema(res, set(ds.skipped_resources)))
    except FrictionlessException as exc:
        return None, str(exc.error.message if hasattr(exc, "error") else exc)
    options: dict[str, Any] = {}
    if res.format == "xlsx":
        sheet = res.raw.get("sheet")
        if isinstance(sheet, (str, int)) and not isinstance(sheet, bool):
            options["control"] = ExcelControl(sheet=sheet)
    else:
        options["encoding"] = res.encoding
    return (
        FlResource(
            name=res.name,
            path=res.path,
            schema=schema,
            format=res.format,
            basepath=str(ds.folder),
            **options,
        ),
        "",
    )


def _fast_findings(
    ds: Dataset, res: Resource, fl_res: FlResource, keep: int
) -> ResourceFindings | None:
    """The vectorised path (generator/fastcheck) for large CSV files; None to use
    frictionless, for small files and whatever the fast path declines."""
    path = ds.folder / res.path
    if res.format != "csv" or fl_res.schema is None:
        return None
    try:
        if path.stat().st_size < FAST_PATH_MIN_BYTES:
            return None
        table = validate_csv(path, fl_res.schema, res.encoding, keep=keep)
    except (Unsupported, OSError) as exc:
        log.info("%s/%s: frictionless validates this file (%s)", ds.id, res.name, exc)
        return None
    return ResourceFindings(
        name=res.name,
        rows=table.rows,
        fields=len(fl_res.schema.fields),
        total=table.total,
        by_type=Counter(table.by_type),
        kept=[_finding(e) for e in table.errors],
    )


def frictionless_findings(
    ds: Dataset, keep: int = MAX_ERRORS_PER_RESOURCE
) -> tuple[dict[str, ResourceFindings], dict[str, str]]:
    """Validate every resource of a dataset with frictionless, as one package so that foreign
    keys resolve. Returns the findings per resource and, separately, resources whose Table
    Schema frictionless could not read (name -> frictionless's message)."""
    fl_resources: list[FlResource] = []
    broken: dict[str, str] = {}
    for res in ds.resources:
        if res.derivation is not None:
            continue  # a derivative's rows are its source's, validated with the source
        fl_res, message = _fl_resource(ds, res)
        if fl_res is None:
            broken[res.name] = message
        else:
            fl_resources.append(fl_res)
    findings: dict[str, ResourceFindings] = {}
    if not fl_resources:
        return findings, broken
    if any(fl_res.schema and fl_res.schema.foreign_keys for fl_res in fl_resources):
        # foreign keys resolve inside a package; without them one resource needs none
        FlPackage(resources=fl_resources, basepath=str(ds.folder))
    sources = {res.name: res for res in ds.resources}
    for fl_res in fl_resources:
        fast = _fast_findings(ds, sources[fl_res.name], fl_res, keep)
        if fast is not None:
            findings[fl_res.name] = fast
            continue
        checklist = _CountingChecklist(keep)
        report = fl_res.validate(checklist, limit_errors=0)
        task = report.tasks[0] if report.tasks else None
        errors = list(task.errors) if task else list(report.errors)
        counted = checklist._by_type  # type: ignore[attr-defined]
        # errors raised while reading (not passed through the checklist) are counted too
        kept_through = min(sum(counted.values()), keep)
        extra = errors[kept_through:] if len(errors) > kept_through else []
        by_type = Counter(counted)
        for err in extra:
            by_type[err.type] += 1
        stats = task.stats if task else {}
        findings[fl_res.name] = ResourceFindings(
            name=fl_res.name,
            rows=int(stats.get("rows") or 0),
            fields=len(fl_res.schema.fields) if fl_res.schema else 0,
            total=sum(by_type.values()),
            by_type=by_type,
            kept=[_finding(e) for e in errors[: keep + len(extra)]],
        )
    return findings, broken
