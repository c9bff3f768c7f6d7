"""Checks stage (2): check metadata, policy and data; return one typed report per dataset.

Validation returns data, never raises for bad input: the report drives the build's go/no-go,
the quality section of each dataset page and validation.json.

The shape of each file is checked by the profile while loading (:mod:`profile`). Here are
the rules that need more than one file or the policy module, and the data itself, which is
validated with frictionless against each resource's Table Schema: types, constraints,
primary keys, unique keys and foreign keys between the resources of a dataset.

The data findings come from :mod:`generator.checks.findings` (frictionless, or the
column-wise path for large CSVs) and become problems in :mod:`generator.checks.messages`,
which never quotes a cell of non-open data or of a ``sensitive`` field.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from ..catalog.rows import read_once
from ..errors import Problem, ProblemList
from ..model import Catalog, Dataset
from ..policy import (
    ShareType,
    parse_open_type,
    publishes_data,
    requires_conditions,
    requires_legal_basis,
    requires_share_basis,
    status_needs_reply_date,
)
from ..runtime.cache import BuildCache, decode, encode
from ..runtime.parallel import DatasetPool
from .controls import control_problems
from .derivation import check_derivative
from .filebytes import read_once as read_files_once
from .findings import Finding, frictionless_findings
from .geo import geo_problems
from .messages import data_problems, kept_finding
from .patterns import unsafe_pattern
from .personal import data_problems as personal_data_problems
from .personal import metadata_problems as personal_metadata_problems

log = logging.getLogger(__name__)

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


# --- reports -------------------------------------------------------------------------------


@dataclass
class ResourceReport:
    name: str
    rows: int = 0
    fields: int = 0
    error_count: int = 0  # every data error, including those not listed
    errors_by_type: dict[str, int] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)


@dataclass
class DatasetReport:
    dataset: str
    resources: list[ResourceReport] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    metadata_completeness: float = 0.0
    metadata_missing: list[str] = field(default_factory=list)

    @property
    def error_count(self) -> int:
        """Every error, counting data errors in full even where the listing is capped."""
        other = sum(
            1 for p in self.problems if p.severity == "error" and not p.code.startswith("data-")
        )
        return other + sum(r.error_count for r in self.resources)

    @property
    def warning_count(self) -> int:
        return sum(1 for p in self.problems if p.severity == "warning")

    @property
    def errors_by_code(self) -> dict[str, int]:
        counts: Counter[str] = Counter()
        for p in self.problems:
            if p.severity == "error" and not p.code.startswith("data-"):
                counts[p.code] += 1
        for r in self.resources:
            for kind, n in r.errors_by_type.items():
                counts[f"data-{kind}"] += n
        return dict(sorted(counts.items()))

    @property
    def rows(self) -> int:
        return sum(r.rows for r in self.resources)


# --- metadata rules across files, and the policy rules ------------------------------------


def _meta(
    ds: Dataset,
    code: str,
    key: str,
    zh: str,
    en: str,
    hint: str = "",
    hint_en: str = "",
    expected: str = "",
    expected_en: str = "",
    found: str = "",
    line_key: str | None = None,
) -> Problem:
    line = None
    if ds.source is not None:
        line = ds.source.line((line_key or key,))
    return Problem(
        code,
        zh,
        en,
        file=f"datasets/{ds.id}/datapackage.yaml",
        dataset=ds.id,
        line=line,
        field=key,
        expected=expected,
        expected_en=expected_en,
        found=found,
        hint=hint,
        hint_en=hint_en,
    )


def _vocabulary(ds: Dataset, key: str, value: str, known: list[str], what: tuple[str, str, str]):
    from ..catalog.profile import closest

    zh_name, en_name, where = what
    guess = closest(value, known)
    return _meta(
        ds,
        f"{key.replace('_', '-')}-unknown",
        key,
        f"{zh_name} {value} 不在 {where} 中",
        f"{en_name} {value} is not in {where}",
        expected="、".join(known),
        expected_en=", ".join(known),
        found=value,
        hint=f"是不是 {guess}？" if guess else f"在 {where} 中添加它，或改用已有的 id",
        hint_en=f"did you mean {guess}?" if guess else f"add it to {where}, or use an existing id",
    )


def check_metadata(catalog: Catalog, ds: Dataset) -> list[Problem]:
    """Vocabulary and policy rules that the profile cannot check alone."""
    out: list[Problem] = []
    site = catalog.site
    data = ds.descriptor
    if ds.publisher and isinstance(data.get("publisher"), str):
        if ds.publisher not in catalog.publishers:
            out.append(
                _vocabulary(
                    ds,
                    "publisher",
                    ds.publisher,
                    sorted(catalog.publishers),
                    ("提供方", "publisher", "publishers.yaml"),
                )
            )
    if ds.theme and isinstance(data.get("theme"), str) and ds.theme not in site.themes:
        out.append(
            _vocabulary(
                ds, "theme", ds.theme, sorted(site.themes), ("领域", "theme", "site.yaml themes")
            )
        )
    if (
        ds.update_frequency
        and isinstance(data.get("update_frequency"), str)
        and ds.update_frequency not in site.frequencies
    ):
        out.append(
            _vocabulary(
                ds,
                "update_frequency",
                ds.update_frequency,
                sorted(site.frequencies),
                ("更新频率", "update frequency", "site.yaml frequencies"),
            )
        )
    open_type = parse_open_type(data.get("open_type"))
    needs_basis: list[tuple[str, str]] = []
    if open_type is not None:
        if requires_legal_basis(open_type):
            needs_basis.append((f"开放类型为{open_type.label_zh}", f"open type is {open_type}"))
        if requires_conditions(open_type) and not ds.open_conditions:
            out.append(
                _meta(
                    ds,
                    "open-conditions-missing",
                    "open_conditions",
                    "有条件开放数据必须写明开放条件 open_conditions",
                    "conditional data must state its open conditions (open_conditions)",
                    hint="添加 open_conditions: 申请人须……（谁可以申请、用途、须提交的材料）",
                    hint_en="add open_conditions: who may apply, for what, with which documents",
                    expected="开放条件文本",
                    expected_en="the conditions, as text",
                    line_key="open_type",
                )
            )
        if publishes_data(open_type) and not (ds.licenses or site.default_license):
            out.append(
                _meta(
                    ds,
                    "licence-missing",
                    "licenses",
                    "无条件开放数据必须声明许可协议 licenses",
                    "open data must declare a licence (licenses)",
                    hint="添加 licenses: [{name: CC-BY-4.0, path: https://…}]，"
                    "或在 site.yaml 设置 default_license",
                    hint_en="add licenses, or set default_license in site.yaml",
                    expected="许可协议",
                    expected_en="a licence",
                    line_key="open_type",
                )
            )
    if ds.share_type is not None:
        if requires_share_basis(ds.share_type):
            needs_basis.append(
                (f"共享类型为{ds.share_type.label_zh}", f"share type is {ds.share_type}")
            )
        if ds.share_type is ShareType.CONDITIONAL and not ds.share_conditions:
            out.append(
                _meta(
                    ds,
                    "share-conditions-missing",
                    "share_conditions",
                    "有条件共享必须写明共享条件 share_conditions",
                    "conditional sharing must state its conditions (share_conditions)",
                    hint="添加 share_conditions: 仅向……提供",
                    hint_en="add share_conditions: to whom and for what the data is shared",
                    expected="共享条件文本",
                    expected_en="the conditions, as text",
                    line_key="share_type",
                )
            )
    if needs_basis and not ds.legal_basis:
        why_zh = "，".join(zh for zh, _ in needs_basis)
        why_en = " and ".join(en for _, en in needs_basis)
        out.append(
            _meta(
                ds,
                "legal-basis-missing",
                "legal_basis",
                f"{why_zh}，必须写明法律法规依据 legal_basis",
                f"the {why_en}: a legal basis (legal_basis) is required",
                hint="添加 legal_basis: 《……》第……条",
                hint_en="add legal_basis: the law or regulation and its article",
                expected="法律、法规或规章的名称和条款",
                expected_en="the law or regulation and its article",
                line_key="open_type" if open_type is not None else "share_type",
            )
        )
    issued, modified = data.get("issued"), data.get("modified")
    if isinstance(issued, str) and isinstance(modified, str) and ds.issued > ds.modified:
        if ds.modified.year > 1970:
            out.append(
                _meta(
                    ds,
                    "dates-order",
                    "modified",
                    "更新日期 modified 早于发布日期 issued",
                    "modified is earlier than issued",
                    expected=f">= {ds.issued}",
                    found=str(ds.modified),
                    hint="检查两个日期是否写反",
                    hint_en="check whether the two dates are swapped",
                )
            )
    if ds.temporal and ds.temporal[0] and ds.temporal[1] and ds.temporal[0] > ds.temporal[1]:
        out.append(
            _meta(
                ds,
                "dates-order",
                "temporal",
                "时间范围的起始日期晚于截止日期",
                "temporal coverage starts after it ends",
                expected="start <= end",
                found=f"{ds.temporal[0]} > {ds.temporal[1]}",
            )
        )
    out.extend(status_problems(catalog, ds))
    return out


def status_problems(catalog: Catalog, ds: Dataset) -> list[Problem]:
    """A status other than normal says since when and why; an objection, when an answer
    is due. (That a successor exists is checked when the catalog is loaded.)"""
    status, out = ds.status, []
    raw = ds.descriptor.get("status")
    if not isinstance(raw, dict):
        return out
    label = f"数据状态为{status.state.label_zh}"
    label_en = f"status is {status.state.label_en.lower()}"
    needs = (
        []
        if status.normal
        else [("since", "起始日期", "the date it began"), ("reason", "原因", "the reason")]
    )
    if status_needs_reply_date(status.state):
        needs.append(("reply_by", "预计答复日期", "the expected reply date"))
    for key, zh, en in needs:
        if not raw.get(key):
            out.append(
                _meta(
                    ds,
                    "status-incomplete",
                    f"status.{key}",
                    f"{label}，必须写明{zh} status.{key}",
                    f"the {label_en}: {en} (status.{key}) is required",
                    hint=f"在 status 下添加 {key}: …",
                    hint_en=f"add {key}: … under status",
                    line_key="status",
                )
            )
    return out


def completeness_keys(ds: Dataset) -> tuple[str, ...]:
    """The catalog keys a complete record of this dataset fills in (they depend on its open
    type: a licence for open data, the legal basis and conditions for the others)."""
    keys = list(METADATA_KEYS)
    open_type = parse_open_type(ds.descriptor.get("open_type"))
    if open_type is not None and not publishes_data(open_type):
        keys.remove("licenses")
        keys.append("legal_basis")
        if requires_conditions(open_type):
            keys.append("open_conditions")
    if ds.share_type is ShareType.CONDITIONAL:
        keys.append("share_conditions")
    return tuple(keys)


def metadata_completeness(ds: Dataset) -> tuple[float, list[str]]:
    """Share of the catalog keys that are filled in, and the names of those that are not."""
    keys = completeness_keys(ds)
    missing = [k for k in keys if ds.descriptor.get(k) in (None, "", [], {})]
    return round(1 - len(missing) / len(keys), 3), missing


def pattern_problems(ds: Dataset) -> list[Problem]:
    """An error for each `constraints.pattern` that could take exponential time to match
    (checks/patterns.py); the resource's rows are then not matched against it at all."""
    problems: list[Problem] = []
    raw_resources = ds.descriptor.get("resources") or []
    for index, raw in enumerate(raw_resources):
        if not isinstance(raw, dict) or raw.get("derivation") is not None:
            continue
        fields = (
            (raw.get("schema") or {}).get("fields") if isinstance(raw.get("schema"), dict) else None
        )
        for j, fld in enumerate(fields or []):
            constraints = fld.get("constraints") if isinstance(fld, dict) else None
            pattern = constraints.get("pattern") if isinstance(constraints, dict) else None
            if not isinstance(pattern, str):
                continue
            unsafe = unsafe_pattern(pattern)
            if unsafe is None:
                continue
            where = ("resources", index, "schema", "fields", j, "constraints", "pattern")
            name = fld.get("name", j)
            problems.append(
                Problem(
                    "pattern-unsafe",
                    f"字段 {name} 的 pattern 可能需要指数级时间匹配：{unsafe.zh}；"
                    "该资源的数据未按它检查",
                    f"the pattern of field {name} could take exponential time to match: "
                    f"{unsafe.en}; the resource's rows were not checked against it",
                    file=f"datasets/{ds.id}/datapackage.yaml",
                    dataset=ds.id,
                    resource=str(raw.get("name", "")),
                    line=ds.source.line(where) if ds.source else None,
                    field=f"resources[{index}].schema.fields[{j}].constraints.pattern",
                    expected="不含嵌套重复的正则表达式",
                    expected_en="a regular expression without nested repeats",
                    hint="去掉嵌套的重复，例如 (a+)+ 写成 a+，(\\w+\\s?)* 写成 [\\w\\s]*；"
                    "或在每次重复之间加分隔符，如 (\\d+,)*\\d+",
                    hint_en="remove the nested repeat: (a+)+ is a+, (\\w+\\s?)* is [\\w\\s]*; "
                    "or put a separator between the turns, as in (\\d+,)*\\d+",
                )
            )
    return problems


def validate_resources(ds: Dataset) -> tuple[list[ResourceReport], list[Problem]]:
    """Validate all resources of a dataset against their Table Schemas."""
    problems = pattern_problems(ds)
    refused = frozenset(p.resource for p in problems if p.resource)
    findings, broken = frictionless_findings(ds, refused=refused)
    reports: list[ResourceReport] = []
    for res in ds.resources:
        if res.name in refused:
            continue
        if res.name in broken:
            line = ds.source.line(("resources",)) if ds.source else None
            index = next(
                (
                    i
                    for i, r in enumerate(ds.descriptor.get("resources") or [])
                    if isinstance(r, dict) and r.get("name") == res.name
                ),
                None,
            )
            if ds.source is not None and index is not None:
                line = ds.source.line(("resources", index, "schema"))
            problems.append(
                Problem(
                    "schema-invalid",
                    f"资源 {res.name} 的表结构无效：{broken[res.name]}",
                    f"resource {res.name} has an invalid Table Schema: {broken[res.name]}",
                    file=f"datasets/{ds.id}/datapackage.yaml",
                    dataset=ds.id,
                    resource=res.name,
                    line=line,
                    field=f"resources[{index}].schema" if index is not None else "schema",
                    hint="对照 Table Schema 规范检查 fields、primaryKey 和 foreignKeys",
                    hint_en="check fields, primaryKey and foreignKeys against Table Schema",
                )
            )
            continue
        found = findings.get(res.name)
        if found is None:
            continue
        reports.append(
            ResourceReport(
                res.name,
                rows=found.rows,
                fields=len(res.fields),
                error_count=found.total,
                errors_by_type=dict(sorted(found.by_type.items())),
                findings=[kept_finding(ds, res, f) for f in found.kept],
            )
        )
        problems.extend(data_problems(ds, res, found))
    return reports, problems


def _field_problem(
    ds: Dataset, res_index: int, field_index: int, key: str, code: str, zh: str, en: str, **extra
) -> Problem:
    path = ("resources", res_index, "schema", "fields", field_index)
    line = ds.source.line((*path, key)) if ds.source is not None else None
    if line is None and ds.source is not None:
        line = ds.source.line(path)
    return Problem(
        code,
        zh,
        en,
        file=f"datasets/{ds.id}/datapackage.yaml",
        dataset=ds.id,
        line=line,
        field=f"resources[{res_index}].schema.fields[{field_index}].{key}",
        **extra,
    )


def check_personal_fields(ds: Dataset) -> list[Problem]:
    """Fields declared personal data (``sensitive``) in data that is published as it is.

    Open data publishes every cell, so a ``sensitive`` field of an open resource is an error
    unless ``public_basis`` says why its values may be public (or the data is published
    through a desensitised derivative of a non-open dataset instead). ``pii_allowed`` lets
    personal data through the audit, so beside ``sensitive`` it contradicts it."""
    out: list[Problem] = []
    resources = [r for r in ds.descriptor.get("resources") or [] if isinstance(r, dict)]
    for ri, raw_res in enumerate(resources):
        if "source" in raw_res and ds.derived_from:
            continue  # a derivative's fields carry desensitise rules (checks/derivation.py)
        fields = (raw_res.get("schema") or {}).get("fields") or []
        for fi, fd in enumerate(fields):
            if not isinstance(fd, dict) or not fd.get("sensitive"):
                continue
            name, kind = fd.get("name", f"#{fi + 1}"), fd.get("sensitive")
            if fd.get("pii_allowed"):
                out.append(
                    _field_problem(
                        ds,
                        ri,
                        fi,
                        "pii_allowed",
                        "pii-allowed-contradicts-sensitive",
                        f"字段 {name} 标记为个人信息（sensitive: {kind}），"
                        "不能同时用 pii_allowed 放行个人信息",
                        f"field {name} is marked as personal data (sensitive: {kind}) and cannot "
                        "also let personal data through with pii_allowed",
                        expected="sensitive 与 pii_allowed 只取其一",
                        expected_en="sensitive or pii_allowed, not both",
                        hint="若该字段的值依法可以公开，删除 sensitive 并写明 public_basis；"
                        "否则删除 pii_allowed，通过脱敏派生数据集发布",
                        hint_en="if the values may lawfully be public, remove sensitive and give "
                        "public_basis; otherwise remove pii_allowed and publish a desensitised "
                        "derivative",
                    )
                )
            if publishes_data(ds.open_type) and not fd.get("public_basis"):
                out.append(
                    _field_problem(
                        ds,
                        ri,
                        fi,
                        "sensitive",
                        "sensitive-field-in-open-data",
                        f"无条件开放数据会原样发布每个单元格，但字段 {name} 标记为个人信息"
                        f"（sensitive: {kind}）",
                        f"open data publishes every cell unchanged, but field {name} is marked "
                        f"as personal data (sensitive: {kind})",
                        expected="非开放数据经脱敏派生后发布，或写明 public_basis",
                        expected_en="publish it through a desensitised derivative of non-open "
                        "data, or state public_basis",
                        hint="把本数据集改为有条件开放或非开放，另建脱敏派生数据集"
                        "（derived_from）发布；若依法必须公开（例如公示名单），"
                        "在该字段写 public_basis: 《……》第……条",
                        hint_en="make this dataset conditional or closed and publish a "
                        "desensitised derivative (derived_from); if a law requires the values "
                        "to be public, add public_basis to the field",
                    )
                )
    return out


def validate_dataset(catalog: Catalog, ds: Dataset) -> DatasetReport:
    # an XLSX sheet is parsed once for frictionless and the scans, a CSV file read once
    with read_once(), read_files_once():
        return _validate_dataset(catalog, ds)


def _validate_dataset(catalog: Catalog, ds: Dataset) -> DatasetReport:
    completeness, missing = metadata_completeness(ds)
    report = DatasetReport(ds.id, metadata_completeness=completeness, metadata_missing=missing)
    report.problems.extend(check_metadata(catalog, ds))
    report.problems.extend(check_personal_fields(ds))
    report.problems.extend(geo_problems(ds))
    if ds.derived_from:
        report.problems.extend(check_derivative(ds))
    resources, problems = validate_resources(ds)
    report.resources.extend(resources)
    report.problems.extend(problems)
    # personal data where the build's audit would find it: the same detection, so check
    # and build agree (generator/checks/personal.py)
    report.problems.extend(personal_metadata_problems(catalog, ds))
    report.problems.extend(personal_data_problems(ds))
    report.problems.extend(control_problems(catalog, ds))
    return report


def _holds_cells(catalog: Catalog, report: DatasetReport) -> bool:
    """Whether a report of non-open data names rows (its findings and data problems may
    quote cells): such a report is not cached, so the cache never holds a cell of it."""
    ds = catalog.dataset(report.dataset)
    sources = [r.derivation.source_dataset for r in ds.resources if r.derivation is not None]
    if all(publishes_data(d.open_type) for d in [ds, *sources]):
        return False  # a derivative's problems may quote its (non-open) source's cells
    return any(r.findings for r in report.resources) or any(
        p.row is not None or p.code.startswith("data-") for p in report.problems
    )


def validate_catalog(
    catalog: Catalog,
    problems: ProblemList,
    pool: DatasetPool | None = None,
    cache: BuildCache | None = None,
    advance: Callable[[int], None] | None = None,
) -> dict[str, DatasetReport]:
    """Validate every dataset (in worker processes when a pool is given), in catalog order.

    A dataset whose files, site.yaml and publishers.yaml are unchanged since a cached
    validation is not validated again.
    """
    pool = pool or DatasetPool(catalog, jobs=1)
    cache = cache or BuildCache(None)
    results = cache.map_datasets(
        "validate",
        catalog.datasets,
        compute=lambda todo: pool.map(validate_dataset, todo, advance),
        save=lambda report: None if _holds_cells(catalog, report) else encode(report),
        load=lambda ds, stored: decode(DatasetReport, stored),
        advance=advance or (lambda n: None),
    )
    reports: dict[str, DatasetReport] = {}
    for report in results:
        problems.extend(report.problems)
        reports[report.dataset] = report
    problems.extend(personal_metadata_problems(catalog, None))  # site.yaml, publishers.yaml
    return reports
