"""Checks stage (2): check metadata, policy and data; return one typed report per dataset.

Validation returns data, never raises for bad input: the report drives the build's go/no-go,
the quality section of each dataset page and validation.json.

The shape of each file is checked by the profile while loading (:mod:`profile`). Here are
the rules that need more than one file or the policy module, and the data itself, which is
validated with frictionless against each resource's Table Schema: types, constraints,
primary keys, unique keys and foreign keys between the resources of a dataset.

:func:`frictionless_findings` is the reference data path: it reports exactly what
frictionless reports (type, row, field), counting every error but keeping only the first
few per resource. A faster path must produce the same findings.
"""

from __future__ import annotations

import ast
import logging
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from frictionless import Checklist, FrictionlessException
from frictionless import Package as FlPackage
from frictionless import Resource as FlResource
from frictionless import Schema as FlSchema
from frictionless.formats import ExcelControl

from ..errors import Problem, ProblemList
from ..model import Catalog, Dataset, Resource
from ..policy import (
    ShareType,
    parse_open_type,
    publishes_data,
    requires_conditions,
    requires_legal_basis,
    requires_share_basis,
)
from ..runtime.cache import BuildCache, decode, encode
from ..runtime.parallel import DatasetPool
from .derivation import check_derivative
from .fastcheck import Unsupported, validate_csv

log = logging.getLogger(__name__)

# CSV files at least this large are validated by the vectorised path (generator/fastcheck):
# below it, frictionless's fixed cost per file is smaller than the path's set-up.
FAST_PATH_MIN_BYTES = 1 << 20
MAX_ERRORS_PER_RESOURCE = 20  # listed in the report; every error is counted
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


# --- data problems for the report ----------------------------------------------------------

TYPE_NAMES_ZH = {
    "integer": "整数",
    "number": "数字",
    "boolean": "布尔值（true/false）",
    "date": "日期 YYYY-MM-DD",
    "datetime": "日期时间 YYYY-MM-DDThh:mm:ss",
    "time": "时间 hh:mm:ss",
    "year": "年份 YYYY",
    "yearmonth": "年月 YYYY-MM",
    "string": "文本",
    "geopoint": "经纬度 “经度,纬度”",
    "duration": "时长（ISO 8601）",
    "object": "JSON 对象",
    "array": "JSON 数组",
}
TYPE_HINTS = {
    "integer": (
        "只写数字，不带单位、小数点和千分位逗号",
        "digits only, without units or separators",
    ),
    "number": ("只写数字，不带单位和千分位逗号", "a plain number, without units or separators"),
    "date": ("日期写作 2026-01-31", "write dates as 2026-01-31"),
    "datetime": ("写作 2026-01-31T08:30:00", "write 2026-01-31T08:30:00"),
    "boolean": ("写作 true 或 false", "write true or false"),
    "year": ("写作四位年份，例如 2026", "write a four-digit year"),
}
CONSTRAINT_ZH = {
    "required": "必填，但该单元格为空",
    "unique": "值必须唯一",
    "minimum": "不能小于 {v}",
    "maximum": "不能大于 {v}",
    "exclusiveMinimum": "必须大于 {v}",
    "exclusiveMaximum": "必须小于 {v}",
    "minLength": "长度不能少于 {v}",
    "maxLength": "长度不能超过 {v}",
    "pattern": "必须符合模式 {v}",
    "enum": "必须是以下之一：{v}",
}
CONSTRAINT_EN = {
    "required": "is required but the cell is empty",
    "unique": "must be unique",
    "minimum": "must not be less than {v}",
    "maximum": "must not be greater than {v}",
    "exclusiveMinimum": "must be greater than {v}",
    "exclusiveMaximum": "must be less than {v}",
    "minLength": "must be at least {v} characters long",
    "maxLength": "must be at most {v} characters long",
    "pattern": "must match the pattern {v}",
    "enum": "must be one of: {v}",
}


def _describe(res: Resource, f: Finding) -> tuple[str, str, str, str, str, str]:
    """(zh, en, expected zh, expected en, hint zh, hint en) for one finding."""
    where_zh = f"第 {f.row} 行" if f.row else ""
    where_en = f"row {f.row}" if f.row else ""
    field_type = next((x.type for x in res.fields if x.name == f.field), "")
    if f.type == "type-error":
        exp = TYPE_NAMES_ZH.get(field_type, field_type)
        hint = TYPE_HINTS.get(field_type, ("改正该单元格，或修改 schema 中的类型", "fix the cell"))
        return (
            f"{where_zh}字段 {f.field} 的值“{f.cell}”不是{exp}",
            f"{where_en}, field {f.field}: {f.cell!r} is not of type {field_type}",
            exp,
            field_type,
            hint[0] + "；若本列本来就是文本，把 schema 中的 type 改为 string",
            hint[1] + "; if the column is really text, change its type to string",
        )
    if f.type == "constraint-error":
        m = re.search(r'constraint "(\w+)" is "(.*)"', f.note)
        name, value = (m.group(1), m.group(2)) if m else ("", "")
        if name == "required":
            value = "true"
        value_zh = value_en = value
        if name == "enum":
            try:
                options = ast.literal_eval(value)
            except (ValueError, SyntaxError):
                options = None
            if isinstance(options, list):
                value_zh = "、".join(str(o) for o in options)
                value_en = ", ".join(str(o) for o in options)
        zh = CONSTRAINT_ZH.get(name, "不满足约束 " + name).format(v=value_zh)
        en = CONSTRAINT_EN.get(name, "violates the constraint " + name).format(v=value_en)
        cell = f"“{f.cell}”" if f.cell else ""
        cell_en = f" {f.cell!r}" if f.cell else ""
        return (
            f"{where_zh}字段 {f.field} 的值{cell}{zh}",
            f"{where_en}, field {f.field}:{cell_en} {en}",
            f"{name}: {value_zh}",
            f"{name}: {value_en}",
            "改正该单元格，或在 schema 的 constraints 中放宽约束",
            "fix the cell, or relax the constraint in the schema",
        )
    if f.type == "primary-key":
        m = re.search(r"position \"?(\d+)\"?", f.note)
        cells = "、".join(f.cells) if f.cells else ""
        zh_what = f"与第 {m.group(1)} 行重复" if m else "为空"
        en_what = f"repeats row {m.group(1)}" if m else "is empty"
        return (
            f"{where_zh}的主键{zh_what}",
            f"{where_en}: the primary key {en_what}",
            "每行唯一的主键",
            "a unique primary key in every row",
            (f"该行内容：{cells[:60]}；" if cells else "") + "删除重复行或改正主键",
            "delete the duplicate row or fix its key",
        )
    if f.type == "foreign-key":
        m = re.search(r'lookup table "([^"]*)"', f.note)
        table = m.group(1) if m else ""
        return (
            f"{where_zh}的外键值在资源 {table} 中找不到",
            f"{where_en}: the foreign key value is not found in resource {table}",
            f"资源 {table} 中已有的值",
            f"a value present in resource {table}",
            f"在 {table} 中补上该值，或改正本行；frictionless：{f.note}",
            f"add the value to {table} or fix this row; frictionless: {f.note}",
        )
    if f.type == "unique-error":
        m = re.search(r"position \"?(\d+)\"?", f.note)
        other = m.group(1) if m else "?"
        return (
            f"{where_zh}字段 {f.field} 的值“{f.cell}”与第 {other} 行重复",
            f"{where_en}, field {f.field}: {f.cell!r} repeats row {other}",
            "唯一值",
            "a unique value",
            "删除重复行或改正该值",
            "delete the duplicate row or fix the value",
        )
    if f.type in ("missing-cell", "extra-cell", "blank-row"):
        zh = {
            "missing-cell": f"{where_zh}缺少字段 {f.field} 的单元格（该行的列数少于表头）",
            "extra-cell": f"{where_zh}多出一个单元格“{f.cell}”（该行的列数多于表头）",
            "blank-row": f"{where_zh}是空行",
        }[f.type]
        en = {
            "missing-cell": f"{where_en} has no cell for field {f.field} (fewer cells than the "
            "header)",
            "extra-cell": f"{where_en} has an extra cell {f.cell!r} (more cells than the header)",
            "blank-row": f"{where_en} is blank",
        }[f.type]
        return (
            zh,
            en,
            "与表头相同的列数",
            "as many cells as the header",
            "检查该行的逗号和引号（含逗号的文本要用英文双引号括起来）",
            "check commas and quotes on that row (quote text that contains commas)",
        )
    if f.type.endswith("-label"):
        return (
            f"表头第 {f.field_number or '?'} 列与 schema 不符：{f.note or f.message}",
            f"header column {f.field_number or '?'} does not match the schema: "
            f"{f.note or f.message}",
            "与 schema 中 fields 的 name 一致、顺序相同的表头",
            "a header with the schema's field names, in order",
            "让 CSV 的第一行与 schema 的字段 name 一一对应",
            "make the first row of the file list the schema's field names, in order",
        )
    return (
        f"数据错误（{f.type}）：{f.message}",
        f"data error ({f.type}): {f.message}",
        "",
        "",
        "",
        "",
    )


def mask(value: str) -> str:
    """A cell shown without giving it away: 110101199003070011 -> 110**************1."""
    if len(value) <= 2:
        return "*" * len(value)
    keep = 3 if len(value) >= 10 else 1
    return value[:keep] + "*" * (len(value) - keep - 1) + value[-1]


def _shown(ds: Dataset, res: Resource, f: Finding) -> Finding:
    """The finding as the report may print it: cells of fields declared `sensitive` are
    masked, and for non-open data whole rows and key values are left out (reports end up
    in terminals and CI logs)."""
    sensitive = {x.name for x in res.fields if x.raw.get("sensitive")}
    cell = mask(f.cell) if f.field in sensitive else f.cell
    if publishes_data(ds.open_type) and not sensitive:
        return replace(f, cell=cell)
    note = re.sub(r'values? "[^"]*"', "values", f.note) if f.type == "foreign-key" else f.note
    return replace(f, cell=cell, cells=(), note=note)


def data_problems(ds: Dataset, res: Resource, found: ResourceFindings) -> list[Problem]:
    rel = f"datasets/{ds.id}/{res.path}"
    problems = []
    for kept in found.kept:
        f = _shown(ds, res, kept)
        zh, en, exp, exp_en, hint, hint_en = _describe(res, f)
        problems.append(
            Problem(
                f"data-{f.type}",
                f"资源 {res.name}：{zh}",
                f"resource {res.name}: {en}",
                file=rel,
                dataset=ds.id,
                resource=res.name,
                row=f.row,
                field=f.field,
                expected=exp,
                expected_en=exp_en if exp_en != exp else "",
                found=f.cell,
                hint=hint,
                hint_en=hint_en,
            )
        )
    if found.total > len(found.kept):
        rest = found.total - len(found.kept)
        kinds = "、".join(f"{k} {n}" for k, n in sorted(found.by_type.items()))
        kinds_en = ", ".join(f"{k} {n}" for k, n in sorted(found.by_type.items()))
        problems.append(
            Problem(
                "data-errors-capped",
                f"资源 {res.name} 共有 {found.total} 个数据错误（{kinds}），以上只列出前 "
                f"{len(found.kept)} 个，另有 {rest} 个未列出",
                f"resource {res.name} has {found.total} data errors ({kinds_en}); the first "
                f"{len(found.kept)} are listed, {rest} more are not",
                file=rel,
                dataset=ds.id,
                resource=res.name,
                found=str(found.total),
                hint="改正以上错误后重新检查；同类错误通常有同一个原因",
                hint_en="fix the errors above and check again; errors of one kind usually share "
                "a cause",
            )
        )
    return problems


def validate_resources(ds: Dataset) -> tuple[list[ResourceReport], list[Problem]]:
    """Validate all resources of a dataset against their Table Schemas."""
    findings, broken = frictionless_findings(ds)
    problems: list[Problem] = []
    reports: list[ResourceReport] = []
    for res in ds.resources:
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
                findings=list(found.kept),
            )
        )
        problems.extend(data_problems(ds, res, found))
    return reports, problems


def validate_dataset(catalog: Catalog, ds: Dataset) -> DatasetReport:
    completeness, missing = metadata_completeness(ds)
    report = DatasetReport(ds.id, metadata_completeness=completeness, metadata_missing=missing)
    report.problems.extend(check_metadata(catalog, ds))
    if ds.derived_from:
        report.problems.extend(check_derivative(ds))
    resources, problems = validate_resources(ds)
    report.resources.extend(resources)
    report.problems.extend(problems)
    return report


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
        save=encode,
        load=lambda ds, stored: decode(DatasetReport, stored),
        advance=advance or (lambda n: None),
    )
    reports: dict[str, DatasetReport] = {}
    for report in results:
        problems.extend(report.problems)
        reports[report.dataset] = report
    return reports
