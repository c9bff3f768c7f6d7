"""Desensitised derivatives (脱敏) as the catalog declares them: rules and sources.

A derivative names its source dataset (``derived_from``) and, per resource, the source
resource (``source``); it has no data file of its own. Each field of the derivative's
Table Schema carries a ``desensitise`` rule saying what happens to the source's values:

    keep                          published unchanged (refused for personal-data fields of
                                  non-open sources)
    mask      keep_start/keep_end characters kept, the rest replaced by '*'
    hash      HMAC-SHA256 with the site secret from $KAIFANG_HASH_SECRET (hex); without
              a ``scope`` the derivative's id is the scope, so derivatives do not link
    generalise to: month | year   dates to YYYY-MM or YYYY
    generalise bands: [0, 18, …]  numbers to bands such as 18–34 and ≥60; dates by their
                                  year (bands: [1960, 1980] -> <1960, 1960–1979, ≥1980)
    drop                          the field is not published at all

This module parses the rules and links each derivative to its source objects
(:func:`resolve_derivatives`, a loader step). Whether the rules are strong enough is a
check (:mod:`generator.checks.derivation`); applying them is data work
(:mod:`generator.data.desensitise`).
"""

from __future__ import annotations

import dataclasses
import math
import re
from typing import Any

from ..errors import Problem, ProblemList
from ..model import AcceptedRisk, Dataset, Derivation, FieldInfo, FieldRule, Resource, Rule
from ..policy import DESENSITISE_RULES, hash_scope, publishes_data

RULE_KEYS = {
    "keep": set(),
    "drop": set(),
    "mask": {"keep_start", "keep_end"},
    "hash": {"scope"},
    "generalise": {"to", "bands"},
}
DATE_TYPES = {"date", "datetime"}
NUMBER_TYPES = {"integer", "number", "year"}
INTEGER_TYPES = {"integer", "year"}
BANDED_DATE_TYPES = DATE_TYPES | {"yearmonth"}  # banded by their year
_YEAR_MONTH = re.compile(r"^\s*(\d{4})-(\d{2})")
_YEAR = re.compile(r"^\s*(\d{4})(?:-\d{2})?")


def number_text(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


class RuleError(ValueError):
    """A desensitise rule that cannot be used; carries both languages and the fix."""

    def __init__(self, zh: str, en: str, expected: str = "", found: object = None) -> None:
        super().__init__(en)
        self.zh = zh
        self.en = en
        self.expected = expected
        self.found = "" if found is None else repr(found)[:80]


def _non_negative_int(raw: dict, key: str) -> int:
    value = raw.get(key, 0)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise RuleError(
            f"{key} 应为非负整数", f"{key} must be a non-negative integer", "0, 1, 2, …", value
        )
    return value


def parse_rule(raw: Any) -> Rule:
    """A rule from its catalog form: a mapping with ``rule``, or the bare rule name."""
    if isinstance(raw, str):
        raw = {"rule": raw}
    if not isinstance(raw, dict):
        raise RuleError(
            "desensitise 应为映射，例如 {rule: mask, keep_start: 6, keep_end: 4}",
            "desensitise must be a mapping such as {rule: mask, keep_start: 6, keep_end: 4}",
            "{rule: …}",
            raw,
        )
    kind = raw.get("rule")
    if kind == "generalize":  # accept the American spelling
        kind = "generalise"
    if kind not in DESENSITISE_RULES:
        raise RuleError(
            f"未知的脱敏规则 {kind!r}",
            f"unknown desensitise rule {kind!r}",
            ", ".join(DESENSITISE_RULES),
            kind,
        )
    unknown = sorted(set(raw) - {"rule"} - RULE_KEYS[kind])
    if unknown:
        raise RuleError(
            f"规则 {kind} 不认识参数 {', '.join(unknown)}",
            f"rule {kind} has unknown keys {', '.join(unknown)}",
            ", ".join(sorted(RULE_KEYS[kind])) or "—",
            unknown,
        )
    if kind == "mask":
        return Rule(
            kind,
            keep_start=_non_negative_int(raw, "keep_start"),
            keep_end=_non_negative_int(raw, "keep_end"),
        )
    if kind == "hash":
        scope = raw.get("scope", "")
        if not isinstance(scope, str):
            raise RuleError("scope 应为文本", "scope must be text", "text", scope)
        return Rule(kind, scope=scope)
    if kind == "generalise":
        return _parse_generalise(raw)
    return Rule(kind)


def _parse_generalise(raw: dict) -> Rule:
    to, bands = raw.get("to"), raw.get("bands")
    if (to is None) == (bands is None):
        raise RuleError(
            "generalise 需要 to: month|year（日期）或 bands: [...]（数值）之一",
            "generalise needs either to: month|year (dates) or bands: [...] (numbers)",
            "to: month | to: year | bands: [0, 18, 35, 60]",
            raw,
        )
    if to is not None:
        if to not in ("month", "year"):
            raise RuleError(
                "to 只能是 month 或 year", "to must be month or year", "month, year", to
            )
        return Rule("generalise", to=to)
    if (
        not isinstance(bands, list)
        or not bands
        or not all(
            isinstance(b, (int, float)) and not isinstance(b, bool) and math.isfinite(b)
            for b in bands
        )
        or any(a >= b for a, b in zip(bands, bands[1:], strict=False))
    ):
        raise RuleError(
            "bands 应为递增的数值列表",
            "bands must be a list of increasing numbers",
            "[0, 18, 35, 60]",
            bands,
        )
    return Rule("generalise", bands=tuple(float(b) for b in bands))


def check_rule_type(rule: Rule, field_type: str) -> None:
    """Refuse rules that cannot work on the source field's type."""
    if rule.kind != "generalise":
        return
    if rule.to == "month" and field_type not in DATE_TYPES:
        raise RuleError(
            f"generalise to: month 只适用于 date/datetime 字段，该字段类型为 {field_type}",
            f"generalise to: month needs a date or datetime field; this one is {field_type}",
            "date, datetime",
            field_type,
        )
    if rule.to == "year" and field_type not in DATE_TYPES | {"yearmonth"}:
        raise RuleError(
            f"generalise to: year 只适用于日期字段，该字段类型为 {field_type}",
            f"generalise to: year needs a date field; this one is {field_type}",
            "date, datetime, yearmonth",
            field_type,
        )
    if rule.bands and field_type not in NUMBER_TYPES | BANDED_DATE_TYPES:
        raise RuleError(
            f"generalise bands 只适用于数值或日期字段，该字段类型为 {field_type}",
            f"generalise bands needs a numeric or date field; this one is {field_type}",
            "integer, number, year, date, datetime, yearmonth",
            field_type,
        )


def rule_descriptor(rule: Rule) -> dict:
    """The rule as written in a published schema (documents what was done)."""
    out: dict[str, Any] = {"rule": rule.kind}
    if rule.kind == "mask":
        out.update(keep_start=rule.keep_start, keep_end=rule.keep_end)
    elif rule.kind == "hash":
        out["algorithm"] = "HMAC-SHA256"
        if rule.scope:
            out["scope"] = rule.scope
    elif rule.kind == "generalise":
        if rule.to:
            out["to"] = rule.to
        else:
            out["bands"] = [number_text(b) for b in rule.bands]
    return out


def published_type(rule: Rule, source_type: str) -> str:
    if rule.kind == "keep":
        return source_type
    if rule.kind == "generalise" and rule.to == "month":
        return "yearmonth"
    if rule.kind == "generalise" and rule.to == "year":
        return "year"
    return "string"


def _published_field(source: FieldInfo, declared: dict, rule: Rule) -> FieldInfo | None:
    if rule.kind == "drop":
        return None
    ftype = published_type(rule, source.type)
    title = str(declared.get("title") or source.title)
    description = str(declared.get("description") or source.description)
    if rule.kind == "keep":
        constraints = dict(source.constraints)
    else:
        constraints = {"required": True} if source.constraints.get("required") else {}
    raw: dict[str, Any] = {"name": source.name, "type": ftype}
    if title:
        raw["title"] = title
    if description:
        raw["description"] = description
    if constraints:
        raw["constraints"] = constraints
    if "pii_allowed" in declared:
        raw["pii_allowed"] = declared["pii_allowed"]
    if rule.kind != "keep":
        raw["desensitise"] = rule_descriptor(rule)
    return FieldInfo(source.name, ftype, title, description, constraints, raw)


# --- linking derivatives to their sources (a loader step) -------------------------------


def accepted_risk(raw: object, where: str) -> AcceptedRisk | None:
    """A declared accepted risk, when it has what it needs (the profile reports the rest:
    a size that is not a positive integer, a missing legal basis)."""
    if not isinstance(raw, dict):
        return None
    size, basis, reason = raw.get("min_group_size"), raw.get("legal_basis"), raw.get("reason")
    if isinstance(size, bool) or not isinstance(size, int) or size < 1:
        return None
    if not isinstance(basis, str) or not basis.strip():
        return None
    return AcceptedRisk(
        size, basis.strip(), reason.strip() if isinstance(reason, str) else "", where
    )


def _problem(ds: Dataset, field: str, zh: str, en: str, **extra: Any) -> Problem:
    return Problem(
        "derivative-invalid",
        zh,
        en,
        file=f"datasets/{ds.id}/datapackage.yaml",
        dataset=ds.id,
        field=field,
        **extra,
    )


def declared_fields(res: Resource) -> list[dict]:
    schema = res.raw.get("schema")
    fields = schema.get("fields") if isinstance(schema, dict) else None
    return [f for f in fields or [] if isinstance(f, dict) and isinstance(f.get("name"), str)]


def _resolve_resource(
    ds: Dataset, res: Resource, source_ds: Dataset, problems: ProblemList
) -> Resource | None:
    source_res = next((r for r in source_ds.resources if r.name == res.source), None)
    if source_res is None:
        problems.add(
            _problem(
                ds,
                f"resources.{res.name}.source",
                f"源数据集 {source_ds.id} 中没有资源 {res.source}",
                f"source dataset {source_ds.id} has no resource {res.source}",
                expected=", ".join(r.name for r in source_ds.resources),
                found=res.source,
            )
        )
        return None
    by_name = {f.name: f for f in source_res.fields}
    rules: list[FieldRule] = []
    seen: set[str] = set()
    for declared in declared_fields(res):
        name = declared["name"]
        where = f"resources.{res.name}.schema.fields.{name}"
        if name in seen:
            problems.add(_problem(ds, where, f"字段 {name} 重复", f"field {name} appears twice"))
            continue
        seen.add(name)
        source_field = by_name.get(name)
        if source_field is None:
            problems.add(
                _problem(
                    ds,
                    where,
                    f"源资源 {source_ds.id}/{source_res.name} 中没有字段 {name}",
                    f"source resource {source_ds.id}/{source_res.name} has no field {name}",
                    expected=", ".join(by_name),
                    found=name,
                    hint="派生数据集的字段名必须与源资源的字段名一致",
                    hint_en="a derivative's fields are named like the source's fields",
                )
            )
            continue
        raw_rule = declared.get("desensitise")
        if raw_rule is None:
            # Open data is public already; of non-open data nothing is kept by default
            # (and validation reports the missing rule as an error).
            rule = Rule("keep") if publishes_data(source_ds.open_type) else Rule("drop")
        else:
            try:
                rule = parse_rule(raw_rule)
                check_rule_type(rule, source_field.type)
            except RuleError as exc:
                problems.add(
                    _problem(
                        ds,
                        where + ".desensitise",
                        exc.zh,
                        exc.en,
                        expected=exc.expected,
                        found=exc.found,
                    )
                )
                rule = Rule("drop")
        if rule.kind == "hash":  # no scope written: this derivative's own
            rule = dataclasses.replace(rule, scope=hash_scope(rule.scope, ds.id))
        rules.append(FieldRule(source_field, rule, _published_field(source_field, declared, rule)))
    accepted = accepted_risk(res.raw.get("accepted_risk"), f"resources.{res.name}.accepted_risk")
    accepted = accepted or accepted_risk(ds.descriptor.get("accepted_risk"), "accepted_risk")
    derivation = Derivation(source_ds, source_res, tuple(rules), accepted)
    published = tuple(fr.published for fr in rules if fr.published is not None)
    return dataclasses.replace(res, fields=published, derivation=derivation)


def resolve_derivatives(datasets: list[Dataset], problems: ProblemList) -> list[Dataset]:
    """Link each derivative's resources to the source dataset's checked resources."""
    by_id = {ds.id: ds for ds in datasets}
    out: list[Dataset] = []
    for ds in datasets:
        if not ds.derived_from:
            stray = ["accepted_risk"] if "accepted_risk" in ds.descriptor else []
            stray += [
                f"resources.{r.name}.accepted_risk"
                for r in ds.resources
                if "accepted_risk" in r.raw
            ]
            for where in stray:
                problems.add(
                    _problem(
                        ds,
                        where,
                        "accepted_risk 只用于脱敏派生数据集（derived_from）",
                        "accepted_risk is for desensitised derivatives (derived_from) only",
                        hint="删除 accepted_risk，或为派生数据集声明 derived_from",
                        hint_en="remove accepted_risk, or declare derived_from on a derivative",
                    )
                )
            out.append(ds)
            continue
        source_ds = by_id.get(ds.derived_from)
        if source_ds is None or source_ds.derived_from or source_ds.id == ds.id:
            if source_ds is None:
                zh = f"derived_from 指向的数据集 {ds.derived_from} 不存在"
                en = f"derived_from names dataset {ds.derived_from}, which does not exist"
            else:
                zh = f"derived_from 必须指向一个原始数据集，{ds.derived_from} 本身是派生数据集"
                en = f"derived_from must name an original dataset; {ds.derived_from} is derived"
            problems.add(
                _problem(
                    ds,
                    "derived_from",
                    zh,
                    en,
                    found=ds.derived_from,
                    expected=", ".join(sorted(d.id for d in datasets if not d.derived_from)),
                )
            )
            out.append(dataclasses.replace(ds, resources=()))
            continue
        resources = [_resolve_resource(ds, res, source_ds, problems) for res in ds.resources]
        out.append(dataclasses.replace(ds, resources=tuple(r for r in resources if r is not None)))
    return out
