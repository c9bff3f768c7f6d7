"""Stage 2: check metadata, policy and data; return one typed report per dataset.

Validation returns data, never raises for bad input: the report drives the build's go/no-go,
the quality section of each dataset page and validation.json.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from frictionless import Package as FlPackage
from frictionless import Resource as FlResource
from frictionless import Schema as FlSchema

from .errors import Problem, ProblemList
from .model import Catalog, Dataset, Resource
from .parallel import DatasetPool
from .policy import (
    publishes_data,
    requires_conditions,
    requires_legal_basis,
    requires_share_basis,
)

MAX_ERRORS_PER_RESOURCE = 20  # shown; all are counted
METADATA_KEYS = (
    "identifier",
    "title",
    "description",
    "publisher",
    "theme",
    "keywords",
    "open_type",
    "share_type",
    "update_frequency",
    "issued",
    "modified",
    "licenses",
    "contact",
    "spatial",
    "temporal",
)


@dataclass
class ResourceReport:
    name: str
    rows: int = 0
    fields: int = 0
    error_count: int = 0
    errors_by_type: dict[str, int] = field(default_factory=dict)


@dataclass
class DatasetReport:
    dataset: str
    resources: list[ResourceReport] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    metadata_completeness: float = 0.0

    @property
    def error_count(self) -> int:
        return sum(1 for p in self.problems if p.severity == "error") + sum(
            max(0, r.error_count - MAX_ERRORS_PER_RESOURCE) for r in self.resources
        )

    @property
    def rows(self) -> int:
        return sum(r.rows for r in self.resources)


def _meta(
    ds: Dataset,
    key: str,
    zh: str,
    en: str,
    hint: str = "",
    hint_en: str = "",
    expected: str = "",
    found: str = "",
) -> Problem:
    return Problem(
        "metadata-invalid" if found else "metadata-missing",
        zh,
        en,
        file=f"datasets/{ds.id}/datapackage.yaml",
        dataset=ds.id,
        field=key,
        expected=expected,
        found=found,
        hint=hint,
        hint_en=hint_en,
    )


def check_metadata(catalog: Catalog, ds: Dataset) -> list[Problem]:
    """Vocabulary and policy rules that the loader cannot check alone."""
    out: list[Problem] = []
    site = catalog.site
    if ds.publisher and ds.publisher not in catalog.publishers:
        out.append(
            _meta(
                ds,
                "publisher",
                f"提供方 {ds.publisher} 不在 publishers.yaml 中",
                f"publisher {ds.publisher} is not in publishers.yaml",
                expected=", ".join(sorted(catalog.publishers)),
                found=ds.publisher,
                hint="在 publishers.yaml 中添加该部门，或改正 id",
                hint_en="add the department to publishers.yaml or fix the id",
            )
        )
    if ds.theme and ds.theme not in site.themes:
        out.append(
            _meta(
                ds,
                "theme",
                f"领域 {ds.theme} 不在 site.yaml 的 themes 中",
                f"theme {ds.theme} is not in the themes of site.yaml",
                expected=", ".join(sorted(site.themes)),
                found=ds.theme,
            )
        )
    if ds.update_frequency and ds.update_frequency not in site.frequencies:
        out.append(
            _meta(
                ds,
                "update_frequency",
                f"更新频率 {ds.update_frequency} 不在 site.yaml 的 frequencies 中",
                f"update frequency {ds.update_frequency} is not in site.yaml",
                expected=", ".join(sorted(site.frequencies)),
                found=ds.update_frequency,
            )
        )
    if "open_type" in ds.descriptor and ds.descriptor.get("open_type") is not None:
        if requires_legal_basis(ds.open_type) and not ds.legal_basis:
            out.append(
                _meta(
                    ds,
                    "legal_basis",
                    "有条件开放和非开放数据必须写明法律法规依据",
                    "conditional and closed data must cite a legal basis",
                    hint="添加 legal_basis: 《……》第……条",
                    hint_en="add legal_basis: the law and article",
                )
            )
        if requires_conditions(ds.open_type) and not ds.open_conditions:
            out.append(
                _meta(
                    ds,
                    "open_conditions",
                    "有条件开放数据必须写明开放条件",
                    "conditional data must state its open conditions",
                    hint="添加 open_conditions: 申请人须……",
                    hint_en="add open_conditions describing who may get the data",
                )
            )
        if publishes_data(ds.open_type) and not (ds.licenses or site.default_license):
            out.append(
                _meta(
                    ds,
                    "licenses",
                    "无条件开放数据必须声明许可协议",
                    "open data must declare a licence",
                    hint="添加 licenses，或在 site.yaml 设置 default_license",
                    hint_en="add licenses, or set default_license in site.yaml",
                )
            )
    if ds.share_type is not None and requires_share_basis(ds.share_type) and not ds.legal_basis:
        out.append(
            _meta(
                ds,
                "legal_basis",
                "有条件共享和不予共享必须写明依据",
                "conditional or no sharing must cite a legal basis",
                hint="添加 legal_basis",
                hint_en="add legal_basis",
            )
        )
    if ds.issued > ds.modified:
        out.append(
            _meta(
                ds,
                "modified",
                "更新日期早于发布日期",
                "modified is earlier than issued",
                expected=f">= {ds.issued}",
                found=str(ds.modified),
            )
        )
    return out


def metadata_completeness(ds: Dataset) -> float:
    present = sum(1 for k in METADATA_KEYS if ds.descriptor.get(k) not in (None, "", [], {}))
    return round(present / len(METADATA_KEYS), 3)


def _fl_resource(ds: Dataset, res: Resource) -> tuple[FlResource | None, Problem | None]:
    try:
        schema = FlSchema.from_descriptor(dict(res.raw.get("schema") or {}))
    except Exception as exc:  # frictionless raises its own FrictionlessException family
        return None, Problem(
            "schema-invalid",
            f"资源 {res.name} 的表结构无效：{exc}",
            f"resource {res.name} has an invalid Table Schema: {exc}",
            file=f"datasets/{ds.id}/datapackage.yaml",
            dataset=ds.id,
            field=f"{res.name}.schema",
        )
    return FlResource(
        name=res.name,
        path=res.path,
        schema=schema,
        format=res.format,
        encoding=res.encoding if res.format == "csv" else None,
    ), None


def _data_problems(ds: Dataset, res: Resource, errors: list) -> list[Problem]:
    rel = f"datasets/{ds.id}/{res.path}"
    problems = [
        Problem(
            f"data-{err.type}",
            f"资源 {res.name}：{err.message}",
            f"resource {res.name}: {err.message}",
            file=rel,
            dataset=ds.id,
            row=getattr(err, "row_number", None),
            field=getattr(err, "field_name", "") or "",
            found=str(getattr(err, "cell", "") or ""),
            hint="按字段类型改正该单元格，或修改 schema 中的类型",
            hint_en="fix the cell to match the field type, or change the type in the schema",
        )
        for err in errors[:MAX_ERRORS_PER_RESOURCE]
    ]
    if len(errors) > MAX_ERRORS_PER_RESOURCE:
        problems.append(
            Problem(
                "data-errors-capped",
                f"资源 {res.name} 共有 {len(errors)} 个数据错误，仅列出前 "
                f"{MAX_ERRORS_PER_RESOURCE} 个",
                f"resource {res.name} has {len(errors)} data errors; the first "
                f"{MAX_ERRORS_PER_RESOURCE} are listed",
                file=rel,
                dataset=ds.id,
            )
        )
    return problems


def validate_resources(ds: Dataset) -> tuple[list[ResourceReport], list[Problem]]:
    """Validate all resources of a dataset as one package, so foreign keys resolve."""
    problems: list[Problem] = []
    fl_resources: list[FlResource] = []
    for res in ds.resources:
        fl_res, problem = _fl_resource(ds, res)
        if problem is not None:
            problems.append(problem)
        elif fl_res is not None:
            fl_resources.append(fl_res)
    if not fl_resources:
        return [], problems
    package = FlPackage(resources=fl_resources, basepath=str(ds.folder))
    result = package.validate()
    by_name = {r.name: r for r in ds.resources}
    reports: list[ResourceReport] = []
    for task in result.tasks:
        res = by_name[task.name]
        report = ResourceReport(res.name, fields=len(res.fields))
        report.rows = int(task.stats.get("rows") or 0)
        report.error_count = len(task.errors)
        for err in task.errors:
            report.errors_by_type[err.type] = report.errors_by_type.get(err.type, 0) + 1
        reports.append(report)
        problems.extend(_data_problems(ds, res, task.errors))
    return reports, problems


def validate_dataset(catalog: Catalog, ds: Dataset) -> DatasetReport:
    report = DatasetReport(ds.id, metadata_completeness=metadata_completeness(ds))
    report.problems.extend(check_metadata(catalog, ds))
    resources, problems = validate_resources(ds)
    report.resources.extend(resources)
    report.problems.extend(problems)
    return report


def validate_catalog(
    catalog: Catalog, problems: ProblemList, pool: DatasetPool | None = None
) -> dict[str, DatasetReport]:
    """Validate every dataset (in worker processes when a pool is given), in catalog order."""
    pool = pool or DatasetPool(catalog, jobs=1)
    reports: dict[str, DatasetReport] = {}
    for report in pool.map(validate_dataset, catalog.datasets):
        problems.extend(report.problems)
        reports[report.dataset] = report
    return reports
