"""Checks of desensitised derivatives: every field of a non-open source has an explicit
rule, the rules are ones policy allows, and a hash rule has its key."""

from __future__ import annotations

from ..catalog.derivation import INTEGER_TYPES, _problem, declared_fields, number_text
from ..errors import Problem
from ..model import Dataset, FieldRule
from ..policy import (
    HASH_SECRET_ENV,
    MIN_SECRET_LENGTH,
    derivative_needs_rules,
    hash_secret,
    is_quasi_identifier,
    mask_limit,
    may_keep,
    sensitive_kind,
)


def uses_hash(ds: Dataset) -> bool:
    return any(
        fr.rule.kind == "hash"
        for res in ds.resources
        if res.derivation
        for fr in res.derivation.rules
    )


def check_derivative(ds: Dataset) -> list[Problem]:
    """Every field of a non-open source has an explicit rule, and the rules are safe."""
    out: list[Problem] = []
    for res in ds.resources:
        derivation = res.derivation
        if derivation is None:
            continue
        source_ds, source_res = derivation.source_dataset, derivation.source_resource
        strict = derivative_needs_rules(source_ds.open_type)
        declared = {f["name"]: f for f in declared_fields(res)}
        prefix = f"resources.{res.name}.schema.fields"
        if strict:
            missing = [f.name for f in source_res.fields if f.name not in declared]
            if missing:
                out.append(
                    _problem(
                        ds,
                        prefix,
                        f"源数据集 {source_ds.id} 不是无条件开放数据，其资源 {source_res.name} "
                        f"的每个字段都必须在派生数据集中声明脱敏规则；缺少：{', '.join(missing)}",
                        f"source {source_ds.id} is not open: every field of its resource "
                        f"{source_res.name} needs a desensitise rule here; missing: "
                        f"{', '.join(missing)}",
                        expected="desensitise: {rule: keep|mask|hash|generalise|drop}",
                        found=", ".join(missing),
                        hint="不发布的字段写 desensitise: {rule: drop}",
                        hint_en="for fields that must not be published write "
                        "desensitise: {rule: drop}",
                    )
                )
        for fr in derivation.rules:
            name = fr.source_field.name
            where = f"{prefix}.{name}.desensitise"
            if strict and declared.get(name, {}).get("desensitise") is None:
                out.append(
                    _problem(
                        ds,
                        where,
                        f"字段 {name} 来自非开放数据，必须声明脱敏规则（原样发布也须写 "
                        "{rule: keep}）",
                        f"field {name} comes from non-open data and needs a desensitise rule "
                        "(write {rule: keep} to publish it unchanged)",
                        expected="keep, mask, hash, generalise, drop",
                    )
                )
            sensitive = fr.source_field.raw.get("sensitive")
            if fr.rule.kind == "keep" and not may_keep(source_ds.open_type, sensitive):
                out.append(
                    _problem(
                        ds,
                        where,
                        f"字段 {name} 在源数据中标记为个人信息（sensitive: {sensitive}），"
                        "不能原样发布",
                        f"field {name} is marked as personal data in the source "
                        f"(sensitive: {sensitive}) and cannot be published unchanged",
                        expected="mask, hash, generalise, drop",
                        found="keep",
                    )
                )
            if strict:
                out.extend(_strength(ds, where, fr))
    if uses_hash(ds) and hash_secret() is None:
        out.append(
            _problem(
                ds,
                "desensitise",
                f"使用了 hash 规则，但环境变量 {HASH_SECRET_ENV} 未设置或少于 "
                f"{MIN_SECRET_LENGTH} 个字符",
                f"a hash rule is used but the environment variable {HASH_SECRET_ENV} is not set "
                f"or shorter than {MIN_SECRET_LENGTH} characters",
                expected=f"{HASH_SECRET_ENV}=<至少 {MIN_SECRET_LENGTH} 个字符的随机密钥>",
                hint=f"生成并保管一个密钥，例如 export {HASH_SECRET_ENV}=$(openssl rand -hex 32)；"
                "更换密钥会改变所有哈希值",
                hint_en=f"generate and keep a key, e.g. export {HASH_SECRET_ENV}=$(openssl rand "
                "-hex 32); changing it changes every hash",
            )
        )
    return out


def _strength(ds: Dataset, where: str, fr: FieldRule) -> list[Problem]:
    """A rule on a field of non-open data hides at least what policy asks for its kind."""
    rule, source = fr.rule, fr.source_field
    name, sensitive = source.name, source.raw.get("sensitive")
    limit = mask_limit(sensitive)
    if (
        rule.kind == "mask"
        and limit is not None
        and not limit.allows(rule.keep_start, rule.keep_end)
    ):
        kind = sensitive_kind(sensitive)
        return [
            _problem(
                ds,
                where,
                f"字段 {name}（sensitive: {kind}）的 mask 规则保留了 keep_start {rule.keep_start}、"
                f"keep_end {rule.keep_end} 个字符，超过脱敏强度下限：最多 {limit.describe('zh')}",
                f"field {name} (sensitive: {kind}): rule mask keeps keep_start {rule.keep_start}, "
                f"keep_end {rule.keep_end} characters, more than policy allows: at most "
                f"{limit.describe('en')}",
                expected=f"mask {limit.describe('zh')}",
                expected_en=f"mask {limit.describe('en')}",
                found=f"keep_start: {rule.keep_start}, keep_end: {rule.keep_end}",
                hint="减少保留的字符，或改用 hash、generalise、drop；各类个人信息的上限见 "
                "README「脱敏强度」",
                hint_en="keep fewer characters, or use hash, generalise or drop; README "
                "(strength of desensitisation) lists the limit of each kind",
            )
        ]
    if rule.kind == "generalise" and rule.bands and (sensitive or is_quasi_identifier(source.raw)):
        if source.type in INTEGER_TYPES:
            narrow = [
                f"[{number_text(low)}, {number_text(high)})"
                for low, high in zip(rule.bands, rule.bands[1:], strict=False)
                if high - low <= 1
            ]
            if narrow:
                return [
                    _problem(
                        ds,
                        where,
                        f"字段 {name} 的 generalise bands 中有 {len(narrow)} 个区间只含一个整数"
                        f"（{', '.join(narrow[:3])}），等于原样发布",
                        f"field {name}: {len(narrow)} of its generalise bands hold one integer "
                        f"each ({', '.join(narrow[:3])}), which publishes the exact value",
                        expected="每个区间至少含两个取值 / bands wider than one value",
                        hint="加宽区间，例如 [0, 18, 35, 60]；或改用 drop",
                        hint_en="use wider bands, e.g. [0, 18, 35, 60]; or drop the field",
                    )
                ]
    return []
