"""Re-identification risk of a desensitised derivative (重识别风险), measured while deriving.

Desensitising each field is not enough when the fields left, combined, single a person
out: a row that is alone in its group of region code, birth year, sex and street is a
household anyone who knows those facts can find. The measure is the size of the smallest
group of published rows that share the values of every published quasi-identifier (the
fields the source marks ``sensitive`` or ``quasi_identifier: true``, whatever rule
publishes them: kept, masked, generalised, or hashed, since equal hashes link rows too;
dropped fields do not count). This is k-anonymity, the group-size measure of
GB/T 37964-2019 (个人信息去标识化指南). Below ``min_group_size`` of site.yaml (default 5)
the build fails unless the derivative declares ``accepted_risk`` with a legal basis.

A band of ``generalise`` that holds one distinct source value publishes that value, so
those are counted too (for quasi-identifiers and personal-data fields).

The meter sees each row once, as the reader yields it (no second pass over the file); it
keeps a count per distinct combination of quasi-identifier values, keyed by the
combination's hash, never a value, and nothing it reports holds a value. Memory grows with
the number of groups (one small int and count each), not with the width of the values.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from ..errors import Problem
from ..model import Catalog, Dataset, Derivation, Resource
from ..policy import is_quasi_identifier, publishes_data
from .reader import iter_rows

_MANY = object()  # a band that has seen two distinct source values


@dataclass(frozen=True)
class GroupRisk:
    """What the meter found in one derivative resource (no value of any row)."""

    fields: tuple[str, ...]  # the published quasi-identifiers, in published order
    rows: int
    smallest_group: int  # rows in the smallest group; all rows when nothing is measured
    groups: int
    unique_rows: int  # rows alone in their group
    single_value_bands: tuple[str, ...] = ()  # "field: band label"


class RiskMeter:
    """Counts groups of quasi-identifier values in the rows a derivation yields."""

    def __init__(self, derivation: Derivation) -> None:
        self.qi: list[int] = []
        self.names: list[str] = []
        self.band_fields: list[tuple[str, str, int]] = []  # (field, source name, published #)
        j = 0
        for fr in derivation.rules:
            if fr.published is None or fr.rule.kind == "drop":
                continue
            raw = fr.source_field.raw
            if is_quasi_identifier(raw):
                self.qi.append(j)
                self.names.append(fr.source_field.name)
            if fr.rule.kind == "generalise" and fr.rule.bands and is_quasi_identifier(raw):
                self.band_fields.append((fr.source_field.name, fr.source_field.name, j))
            j += 1
        self.groups: Counter[int] = Counter()
        self.rows = 0
        self.bands: dict[tuple[int, str], object] = {}
        self.band_source: list[tuple[int, int | None]] = []

    def start(self, header: list[str]) -> None:
        """The source header: where each banded field's source value is."""
        self.band_source = [
            (j, header.index(source) if source in header else None)
            for _name, source, j in self.band_fields
        ]

    def add(self, raw: list[str], out: list[str]) -> None:
        self.rows += 1
        if self.qi:  # a 64-bit hash per group, not its values: a digest column of
            # 10M rows would otherwise keep 10M strings (a collision only merges two groups)
            self.groups[hash(tuple(out[j] for j in self.qi))] += 1
        for j, i in self.band_source:
            label = out[j]
            if not label or i is None or i >= len(raw):
                continue
            try:
                value: object = float(raw[i])
            except ValueError:
                continue
            seen = self.bands.get((j, label))
            if seen is None:
                self.bands[(j, label)] = value
            elif seen is not _MANY and seen != value:
                self.bands[(j, label)] = _MANY

    def result(self) -> GroupRisk:
        names = {j: name for name, _source, j in self.band_fields}
        single = tuple(
            sorted(f"{names[j]}: {label}" for (j, label), v in self.bands.items() if v is not _MANY)
        )
        if not self.qi or not self.rows:
            return GroupRisk(
                tuple(self.names), self.rows, self.rows, 1 if self.rows else 0, 0, single
            )
        sizes = self.groups.values()
        return GroupRisk(
            fields=tuple(self.names),
            rows=self.rows,
            smallest_group=min(sizes),
            groups=len(self.groups),
            unique_rows=sum(1 for n in sizes if n == 1),
            single_value_bands=single,
        )


def required_group_size(catalog: Catalog, derivation: Derivation) -> int:
    """The smallest group this derivative may publish: site.yaml's, or what it accepted."""
    accepted = derivation.accepted_risk
    if accepted is not None:
        return min(accepted.min_group_size, catalog.site.min_group_size)
    return catalog.site.min_group_size


def risk_problems(catalog: Catalog, ds: Dataset, risks: dict[str, GroupRisk]) -> list[Problem]:
    """Errors for each resource of a derivative whose groups are smaller than allowed."""
    out: list[Problem] = []
    for res in ds.resources:
        risk = risks.get(res.name)
        if res.derivation is None or risk is None or not risk.rows:
            continue
        required = required_group_size(catalog, res.derivation)
        accepted = res.derivation.accepted_risk
        common = {
            "file": f"datasets/{ds.id}/datapackage.yaml",
            "dataset": ds.id,
            "resource": res.name,
            "code": "reidentification-risk",
        }
        fields = ", ".join(risk.fields)
        if risk.smallest_group < required:
            out.append(
                Problem(
                    message=f"派生数据集 {ds.id} 的资源 {res.name} 重识别风险过高：按准标识符"
                    f"（{fields}）分组，最小分组只有 {risk.smallest_group} 行，{risk.unique_rows} "
                    f"行独自成组，低于最小分组 min_group_size {required}",
                    message_en=f"derivative {ds.id}, resource {res.name}: re-identification "
                    f"risk too high: grouped by its quasi-identifiers ({fields}), the smallest "
                    f"group has {risk.smallest_group} rows and {risk.unique_rows} rows are "
                    f"alone in theirs, below min_group_size {required}",
                    field=f"resources.{res.name}.schema.fields",
                    expected=f"最小分组 ≥ {required}",
                    expected_en=f"smallest group >= {required}",
                    found=str(risk.smallest_group),
                    hint="进一步泛化（例如出生日期到年份或年龄段、数值到更宽的区间）或删除某个"
                    "准标识字段；确有法律依据须公开更小分组时，声明 accepted_risk: "
                    "{min_group_size: N, legal_basis: 《……》第……条, reason: ……}",
                    hint_en="generalise more (birth dates to years or age bands, numbers to "
                    "wider bands) or drop a quasi-identifier; where a law requires smaller "
                    "groups to be published, declare accepted_risk: {min_group_size: N, "
                    "legal_basis: …, reason: …}",
                    **common,
                )
            )
        if risk.single_value_bands and accepted is None:
            bands = "; ".join(risk.single_value_bands[:5])
            out.append(
                Problem(
                    message=f"派生数据集 {ds.id} 的资源 {res.name} 中有 "
                    f"{len(risk.single_value_bands)} 个 generalise 区间只含一个不同的源值，"
                    f"等于原样发布该值：{bands}",
                    message_en=f"derivative {ds.id}, resource {res.name}: "
                    f"{len(risk.single_value_bands)} generalise bands hold one distinct "
                    f"source value each, which publishes that value: {bands}",
                    field=f"resources.{res.name}.schema.fields",
                    expected="每个区间至少含两个不同的源值",
                    expected_en="at least two distinct source values in every band",
                    hint="合并这些区间（加宽 bands），或删除该字段",
                    hint_en="merge those bands (wider bands), or drop the field",
                    **common,
                )
            )
    return out


def group_size_problems(catalog: Catalog, published: dict) -> list[Problem]:
    """risk_problems for every derivative the build derived (published: id -> record)."""
    out: list[Problem] = []
    for ds in catalog.datasets:
        record = published.get(ds.id)
        if record is None or not ds.derived_from:
            continue
        risks = {r.name: r.risk for r in record.resources if r.risk is not None}
        out.extend(risk_problems(catalog, ds, risks))
    return out


def measure(ds: Dataset, res: Resource) -> GroupRisk:
    """The risk of one derivative resource, read through the reader without writing (for
    ``kaifang check``; a build measures while it derives)."""
    assert res.derivation is not None
    meter = RiskMeter(res.derivation)
    rows = iter_rows(ds, res, meter)
    next(rows, None)  # the header
    for _row in rows:
        pass
    return meter.result()


def check_group_sizes(catalog: Catalog) -> list[Problem]:
    """What the build's group-size rule would say, for ``kaifang check``."""
    out: list[Problem] = []
    for ds in catalog.datasets:
        if not ds.derived_from or not publishes_data(ds.open_type):
            continue
        risks = {r.name: measure(ds, r) for r in ds.resources if r.derivation is not None}
        out.extend(risk_problems(catalog, ds, risks))
    return out
