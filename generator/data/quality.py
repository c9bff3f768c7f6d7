"""The quality of each dataset, as published: its page's quality section and validation.json.

What a citizen or a harvester may learn here is decided by :mod:`generator.policy`, like
everything else: metadata completeness is about the catalog record and is shown for every
listed dataset; field counts come from the Table Schema and follow ``publishes_schema``;
rows, error counts and formats are facts about the values and follow
``publishes_statistics`` (open data only).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from ..catalog.profile import schema_at
from ..checks.validate import DatasetReport, metadata_completeness
from ..errors import Problem
from ..model import AcceptedRisk, Catalog, Dataset
from ..policy import (
    DEFAULT_MIN_GROUP_SIZE,
    OpenType,
    is_listed,
    publishes_schema,
    publishes_statistics,
)
from ..runtime.output import OutputTree
from .derive import PublishedDataset
from .downloads import format_names
from .risk import GroupRisk

VALIDATION_FILE = "validation.json"
PROFILE_ID = "kaifang-catalog-profile/1"


@dataclass(frozen=True)
class ResourceQuality:
    name: str
    title: str
    fields: int
    rows: int | None = None  # None: not published for this open type
    errors: int | None = None
    errors_by_type: dict[str, int] | None = None
    formats: tuple[str, ...] = ()
    # derivatives: the smallest group on the quasi-identifiers, and what was required
    risk: GroupRisk | None = None
    min_group_size: int | None = None
    accepted_risk: AcceptedRisk | None = None


@dataclass(frozen=True)
class MissingKey:
    key: str
    zh: str
    en: str

    def label(self, lang: str) -> str:
        name = self.en if lang == "en" else self.zh
        return f"{name} ({self.key})" if lang == "en" else f"{name}（{self.key}）"


@dataclass(frozen=True)
class Quality:
    dataset: str
    open_type: OpenType
    completeness: float
    missing: tuple[MissingKey, ...]
    warnings: int
    statistics_public: bool
    schema_public: bool
    formats: tuple[str, ...] = ()
    errors: int | None = None
    errors_by_type: dict[str, int] | None = None
    resources: tuple[ResourceQuality, ...] = field(default_factory=tuple)

    @property
    def completeness_percent(self) -> int:
        return round(self.completeness * 100)


def _missing(keys: list[str]) -> tuple[MissingKey, ...]:
    out = []
    for key in keys:
        meta = schema_at("dataset", (key,))
        out.append(
            MissingKey(key, str(meta.get("title") or key), str(meta.get("x-title-en") or key))
        )
    return tuple(out)


def assess(
    ds: Dataset,
    report: DatasetReport | None,
    published: PublishedDataset | None,
    warnings: int = 0,  # the dataset's warnings (:func:`warning_counts`)
    min_group_size: int = DEFAULT_MIN_GROUP_SIZE,
) -> Quality:
    """The publishable quality facts of one dataset."""
    completeness, missing = metadata_completeness(ds)
    stats = publishes_statistics(ds.open_type) and published is not None
    schema = publishes_schema(ds.open_type)
    by_name = {r.name: r for r in report.resources} if report else {}
    files = {r.name: r.files for r in published.resources} if stats and published else {}
    # A desensitised derivative is not validated itself (its source is, and the source's
    # error counts are facts about non-open values): only its published row count shows.
    derived_rows = {r.name: r.rows for r in published.resources} if stats and published else {}
    risks = {r.name: r.risk for r in published.resources} if stats and published else {}
    resources: list[ResourceQuality] = []
    if schema:
        for res in ds.resources:
            checked = by_name.get(res.name)
            accepted = res.derivation.accepted_risk if res.derivation else None
            required = None
            if risks.get(res.name) is not None:
                required = min(
                    min_group_size, accepted.min_group_size if accepted else min_group_size
                )
            resources.append(
                ResourceQuality(
                    name=res.name,
                    title=res.title,
                    fields=len(res.fields),
                    rows=checked.rows if stats and checked else derived_rows.get(res.name),
                    errors=checked.error_count if stats and checked else None,
                    errors_by_type=dict(checked.errors_by_type) if stats and checked else None,
                    formats=tuple(format_names(files.get(res.name, {}))),
                    risk=risks.get(res.name),
                    min_group_size=required,
                    accepted_risk=accepted if required is not None else None,
                )
            )
    formats = sorted({fmt for r in resources for fmt in r.formats})
    errors_by_type = report.errors_by_code if stats and report else None
    return Quality(
        dataset=ds.id,
        open_type=ds.open_type,
        completeness=completeness,
        missing=_missing(missing),
        warnings=warnings,
        statistics_public=stats,
        schema_public=schema,
        formats=tuple(formats),
        errors=report.error_count if stats and report else None,
        errors_by_type=errors_by_type,
        resources=tuple(resources),
    )


def validation_document(catalog: Catalog, quality: Quality) -> dict[str, Any]:
    """The machine-readable quality report at /datasets/<id>/validation.json."""
    doc: dict[str, Any] = {
        "dataset": quality.dataset,
        "url": catalog.site.base_url + f"datasets/{quality.dataset}/",
        "profile": PROFILE_ID,
        "open_type": quality.open_type.value,
        "valid": True,  # a dataset with errors is never published
        "metadata": {
            "completeness": quality.completeness,
            "missing": [m.key for m in quality.missing],
            "warnings": quality.warnings,
        },
        "statistics_published": quality.statistics_public,
    }
    if quality.statistics_public:
        doc["formats"] = list(quality.formats)
        doc["errors"] = quality.errors
        doc["errors_by_type"] = quality.errors_by_type or {}
    if quality.schema_public:
        resources = []
        for r in quality.resources:
            item: dict[str, Any] = {"name": r.name, "title": r.title, "fields": r.fields}
            if quality.statistics_public:
                item.update(
                    rows=r.rows,
                    errors=r.errors,
                    errors_by_type=r.errors_by_type or {},
                    formats=list(r.formats),
                )
                if r.risk is not None:
                    item["reidentification"] = reidentification_document(r)
            resources.append(item)
        doc["resources"] = resources
    return doc


def reidentification_document(r: ResourceQuality) -> dict[str, Any]:
    """The re-identification measure of a derivative resource (GB/T 37964-2019 group size)."""
    assert r.risk is not None
    doc: dict[str, Any] = {
        "measure": "smallest group of rows sharing all quasi-identifier values (k-anonymity)",
        "quasi_identifiers": list(r.risk.fields),
        "smallest_group": r.risk.smallest_group,
        "groups": r.risk.groups,
        "rows_alone_in_group": r.risk.unique_rows,
        "min_group_size": r.min_group_size,
    }
    if r.accepted_risk is not None:
        doc["accepted_risk"] = {
            "min_group_size": r.accepted_risk.min_group_size,
            "legal_basis": r.accepted_risk.legal_basis,
            **({"reason": r.accepted_risk.reason} if r.accepted_risk.reason else {}),
        }
    return doc


def assess_catalog(
    catalog: Catalog,
    reports: dict[str, DatasetReport],
    published: dict[str, PublishedDataset],
    problems: list[Problem],
) -> dict[str, Quality]:
    warnings = warning_counts(problems)
    return {
        ds.id: assess(
            ds,
            reports.get(ds.id),
            published.get(ds.id),
            warnings[ds.id],
            catalog.site.min_group_size,
        )
        for ds in catalog.datasets
        if is_listed(ds.open_type, catalog.site.hide_closed)
    }


def warning_counts(problems: list[Problem]) -> Counter[str]:
    """Warnings per dataset, counted in one pass (each dataset scanned every problem of
    the build: datasets x problems, on the build's one core)."""
    return Counter(p.dataset for p in problems if p.severity == "warning")


def write_validation_files(
    catalog: Catalog, qualities: dict[str, Quality], out: OutputTree
) -> None:
    for ds_id, quality in sorted(qualities.items()):
        out.write_json(f"datasets/{ds_id}/{VALIDATION_FILE}", validation_document(catalog, quality))
