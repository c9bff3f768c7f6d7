"""Checks of desensitised derivatives: every field of a non-open source has an explicit
rule, the rules are ones policy allows, and a hash rule has its key."""

from __future__ import annotations

from ..catalog.derivation import _problem, declared_fields
from ..errors import Problem
from ..model import Dataset
from ..policy import (
    HASH_SECRET_ENV,
    MIN_SECRET_LENGTH,
    derivative_needs_rules,
    hash_secret,
    may_keep,
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
