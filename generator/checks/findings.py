"""The data findings of each resource, as frictionless reports them (type, row, field).

:func:`frictionless_findings` is the reference data path: it reports exactly what
frictionless reports, counting every error but keeping only the first few per resource.
CSV files go through the column-wise path (:mod:`generator.checks.fastcheck`), which must
produce the same findings; frictionless reads whatever that path declines.
"""

from __future__ import annotations

import logging
from collections import Counter, OrderedDict
from dataclasses import dataclass, field
from typing import Any

from frictionless import Checklist, FrictionlessException
from frictionless import Package as FlPackage
from frictionless import Resource as FlResource
from frictionless import Schema as FlSchema
from frictionless.formats import ExcelControl

from ..catalog.dialect import dialect_of
from ..catalog.rows import sheet_values
from ..model import Dataset, Resource
from ..runtime.files import read_inside
from .fastcheck import Unsupported, _Table, validate_csv
from .filebytes import file_bytes, opened
from .foreignkeys import ForeignKey, as_list, reference_keys

log = logging.getLogger(__name__)

# CSV files at least this large are validated by the vectorised path (generator/fastcheck):
# every one. On the demo's open datasets (104-3,396 rows) it takes 0.70 of frictionless's
# time (1.40 s against 2.02 s for the 21 datasets); frictionless stays the reference in the
# tests and reads what the fast path declines (foreign keys, XLSX, unusual dialects).
FAST_PATH_MIN_BYTES = 0
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


def _fast_candidate(ds: Dataset, res: Resource) -> bool:
    return res.format == "csv" and (ds.folder / res.path).stat().st_size >= FAST_PATH_MIN_BYTES


@dataclass(frozen=True)
class _SchemaOnly:
    """A CSV resource the column-wise path reads itself: its name and frictionless's
    schema, without a frictionless resource (0.2 ms each) until frictionless must read it."""

    name: str
    schema: FlSchema


def _fl_table_schema(ds: Dataset, res: Resource) -> tuple[FlSchema | None, str]:
    """frictionless's Schema of the resource, new (frictionless reads with it and may keep
    state in it), or None and frictionless's message for a schema it refuses."""
    return _parse_schema(_fl_schema(res, set(ds.skipped_resources)))


def _parse_schema(descriptor: dict[str, Any]) -> tuple[FlSchema | None, str]:
    try:
        return FlSchema.from_descriptor(descriptor), ""
    except FrictionlessException as exc:
        return None, str(exc.error.message if hasattr(exc, "error") else exc)


# Schemas parsed for the column-wise path, by descriptor. Schema.from_descriptor checks the
# descriptor against the Table Schema profile with jsonschema, every field on its own:
# 2-10 ms a resource, more than checking a real-sized file's columns; catalogs repeat
# schemas (one per kind of table, a dataset per year or district). The outcome depends on
# the descriptor alone, so a repeat takes the one parsed before, refusal message included.
# The column-wise path only reads a Schema; frictionless is always given a new one.
_SHARED_SCHEMAS: OrderedDict[str, tuple[FlSchema | None, str]] = OrderedDict()
SHARED_SCHEMAS_MAX = 256  # per process; an LRU: memory stays bounded on any catalog
_PLAIN = (str, int, float, bool, type(None))


def _descriptor_key(value: Any) -> str | None:
    """repr() of a descriptor made of plain JSON-like values (the loader's YAML): equal
    keys, equal descriptors, types included (1, 1.0, True and "1" differ). None for
    anything else, which is then parsed every time."""

    def plain(item: Any) -> bool:
        kind = type(item)
        if kind is dict:
            return all(type(k) in _PLAIN and plain(v) for k, v in item.items())
        if kind is list:
            return all(plain(v) for v in item)
        return kind in _PLAIN

    return repr(value) if plain(value) else None


def _shared_table_schema(ds: Dataset, res: Resource) -> tuple[FlSchema | None, str]:
    """:func:`_fl_table_schema` for a reader that never changes the Schema (fastcheck,
    foreignkeys), parsed once per distinct descriptor in this process."""
    descriptor = _fl_schema(res, set(ds.skipped_resources))
    key = _descriptor_key(descriptor)
    if key is None:
        return _parse_schema(descriptor)
    found = _SHARED_SCHEMAS.get(key)
    if found is None:
        found = _SHARED_SCHEMAS[key] = _parse_schema(descriptor)
        if len(_SHARED_SCHEMAS) > SHARED_SCHEMAS_MAX:
            _SHARED_SCHEMAS.popitem(last=False)
    else:
        _SHARED_SCHEMAS.move_to_end(key)
    return found


def _shared_sheet(ds: Dataset, res: Resource) -> list[list[object]] | None:
    """The sheet's values as frictionless's XLSX parser would read them (openpyxl,
    read-only, cached formula values, every row), parsed once for the validation stage
    (catalog/rows.py read_once): frictionless reads them as inline rows, and the
    personal-data and control-character scans read the same values without parsing the
    workbook again. None (frictionless then parses the bytes itself, and reports what is
    wrong with them) for an empty sheet, a sheet chosen by a number frictionless counts
    differently (0 or less), or a workbook that is not shared."""
    sheet = res.raw.get("sheet")
    if sheet is not None and not isinstance(sheet, str):
        if not isinstance(sheet, int) or isinstance(sheet, bool) or sheet < 1:
            return None
    values = sheet_values(ds, res)
    if not values:
        return None
    return [list(row) for row in values]  # frictionless's own copy: the scans read these


def _fl_resource(ds: Dataset, res: Resource, full: bool = True) -> tuple[FlResource | None, str]:
    """frictionless's resource, with the file's bytes (``full``) or, for a file the fast
    path reads itself, with its schema only until frictionless has to read it."""
    schema, message = _fl_table_schema(ds, res)
    if schema is None:
        return None, message
    options: dict[str, Any] = {}
    if res.format == "xlsx":
        sheet = res.raw.get("sheet")
        values = _shared_sheet(ds, res)
        if values is not None:
            return FlResource(name=res.name, data=values, schema=schema), ""
        if isinstance(sheet, (str, int)) and not isinstance(sheet, bool):
            options["control"] = ExcelControl(sheet=sheet)
    else:
        options["encoding"] = res.encoding
        # the declared dialect with every parameter set: frictionless guesses nothing, and
        # reads the file as the reader and the audit do (catalog/dialect.py)
        options["dialect"] = dialect_of(res.raw).frictionless()
    # frictionless is given the bytes, read once from the checked descriptor: it never
    # opens the path itself (a file swapped for a link after loading is not followed)
    data = b""
    if full or not _fast_candidate(ds, res):
        data = file_bytes(ds, res)  # the bytes the scans read too
        if data is None:
            data = read_inside(ds.folder / res.path, ds.folder, f"datasets/{ds.id}/{res.path}")
    return (
        FlResource(name=res.name, source=data, schema=schema, format=res.format, **options),
        "",
    )


def _foreign_keys(
    ds: Dataset, res: Resource, schema: FlSchema, schemas: dict[str, FlSchema]
) -> list[ForeignKey]:
    """The foreign keys of one resource with their lookup sets, read column-wise from the
    referenced CSV resources of the dataset (checks/foreignkeys.py); Unsupported for
    anything else, which frictionless then reads as a package."""
    sources = {r.name: r for r in ds.resources}
    index = {f.name: i for i, f in enumerate(schema.fields)}
    lookups: dict[tuple[str, tuple[str, ...]], set] = {}
    out: list[ForeignKey] = []
    for fk in schema.foreign_keys:
        reference = fk.get("reference") or {}
        names, fields = as_list(fk.get("fields")), as_list(reference.get("fields"))
        name = reference.get("resource")
        if not isinstance(name, str) or not names or not set(names) <= set(index):
            raise Unsupported("a foreign key frictionless reads differently")
        target = name or res.name  # "" refers to the resource itself
        if target not in schemas or not _fast_candidate(ds, sources[target]):
            raise Unsupported("a foreign key to a resource the fast path does not read")
        if (target, tuple(fields)) not in lookups:
            referenced = sources[target]
            with opened(ds, referenced) as handle:
                # read as frictionless reads a referenced resource: its own keys unchecked
                dialect = dialect_of(referenced.raw)
                table = _Table(handle, schemas[target], referenced.encoding, 0, dialect, [])
                lookups[target, tuple(fields)] = reference_keys(table, fields)
        lookup = lookups[target, tuple(fields)]
        out.append(ForeignKey([index[n] for n in names], names, name, fields, lookup))
    return out


def _fast_findings(
    ds: Dataset,
    res: Resource,
    fl_res: FlResource | _SchemaOnly,
    keep: int,
    foreign: list[ForeignKey] | None = None,
) -> ResourceFindings | None:
    """The vectorised path (generator/fastcheck) for large CSV files; None to use
    frictionless, for small files and whatever the fast path declines."""
    path = ds.folder / res.path
    if res.format != "csv" or fl_res.schema is None:
        return None
    try:
        if path.stat().st_size < FAST_PATH_MIN_BYTES:
            return None
        with opened(ds, res) as source:
            dialect = dialect_of(res.raw)
            table = validate_csv(source, fl_res.schema, res.encoding, keep, dialect, foreign)
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


def _full(ds: Dataset, fl_res: FlResource | _SchemaOnly) -> FlResource:
    """frictionless's resource with the file's bytes, for one it reads itself."""
    if isinstance(fl_res, FlResource):
        return fl_res
    res = next(r for r in ds.resources if r.name == fl_res.name)
    full, _ = _fl_resource(ds, res)
    assert full is not None  # its schema was read once already
    return full


def _package(ds: Dataset, fl_resources: list[FlResource | _SchemaOnly]) -> list[FlResource]:
    """The resources as one frictionless package, every file's bytes read: foreign keys
    resolve inside a package."""
    members = [_full(ds, r) for r in fl_resources]
    FlPackage(resources=members)
    return members


def frictionless_findings(
    ds: Dataset, keep: int = MAX_ERRORS_PER_RESOURCE, refused: frozenset[str] = frozenset()
) -> tuple[dict[str, ResourceFindings], dict[str, str]]:
    """Validate every resource of a dataset with frictionless, as one package so that foreign
    keys resolve. Returns the findings per resource and, separately, resources whose Table
    Schema frictionless could not read (name -> frictionless's message)."""
    fl_resources: list[FlResource | _SchemaOnly] = []
    broken: dict[str, str] = {}
    for res in ds.resources:
        if res.derivation is not None:
            continue  # a derivative's rows are its source's, validated with the source
        if res.name in refused:
            continue  # its schema is refused (an unsafe pattern): its rows are not matched
        if _fast_candidate(ds, res):  # read by the fast path, or by frictionless if it declines
            schema, message = _shared_table_schema(ds, res)
            fl_res: FlResource | _SchemaOnly | None = None
            if schema is not None:
                fl_res = _SchemaOnly(res.name, schema)
        else:
            fl_res, message = _fl_resource(ds, res)
        if fl_res is None:
            broken[res.name] = message
        else:
            fl_resources.append(fl_res)
    findings: dict[str, ResourceFindings] = {}
    if not fl_resources:
        return findings, broken
    sources = {res.name: res for res in ds.resources}
    foreign: dict[str, list[ForeignKey]] = {}
    try:
        schemas = {r.name: r.schema for r in fl_resources if r.schema is not None}
        for r in fl_resources:
            if r.schema is not None and r.schema.foreign_keys:
                foreign[r.name] = _foreign_keys(ds, sources[r.name], r.schema, schemas)
    except (Unsupported, OSError) as exc:
        log.info("%s: frictionless checks the foreign keys as a package (%s)", ds.id, exc)
        foreign = {}
        fl_resources = list(_package(ds, fl_resources))
    for fl_res in fl_resources:
        fast = _fast_findings(ds, sources[fl_res.name], fl_res, keep, foreign.get(fl_res.name))
        if fast is not None:
            findings[fl_res.name] = fast
            continue
        if fl_res.name in foreign:  # declined: its foreign keys resolve inside a package
            package = _package(ds, fl_resources)
            fl_res = next(r for r in package if r.name == fl_res.name)
        else:  # the fast path declined (or never takes this file): frictionless reads it
            fl_res = _full(ds, fl_res)
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
