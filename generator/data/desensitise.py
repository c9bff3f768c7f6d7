"""Applying desensitise rules (脱敏): the values a derivative publishes.

The rules are parsed and linked to their sources by :mod:`generator.catalog.derivation`
and checked by :mod:`generator.checks.derivation`; here each rule becomes a function of one
cell, and :func:`derived_rows` turns the source's rows into the published rows. A value
that a rule cannot transform becomes empty, never raw.
"""

from __future__ import annotations

import hashlib
import hmac
import math
from collections.abc import Callable, Iterator
from typing import Protocol

from ..catalog.derivation import (
    _YEAR,
    _YEAR_MONTH,
    BANDED_DATE_TYPES,
    INTEGER_TYPES,
    number_text,
)
from ..errors import KaifangError
from ..model import Derivation, FieldInfo, Resource, Rule
from ..policy import HASH_SECRET_ENV, hash_secret, sensitive_kind

MASK_CHAR = "*"


def band_labels(rule: Rule, integer: bool) -> tuple[str, list[str], str]:
    """Labels below the first edge, for each band, and from the last edge on."""
    edges = rule.bands
    whole = integer and all(float(e).is_integer() for e in edges)
    labels = []
    for low, high in zip(edges, edges[1:], strict=False):
        if whole:
            top = int(high) - 1
            labels.append(number_text(low) if top == int(low) else f"{number_text(low)}–{top}")
        else:
            labels.append(f"[{number_text(low)}, {number_text(high)})")
    return f"<{number_text(edges[0])}", labels, f"≥{number_text(edges[-1])}"


def _mask(keep_start: int, keep_end: int, email: bool = False) -> Callable[[str], str]:
    """``email``: the end kept is cut at the last @, so no character of the name shows."""

    def apply(value: str) -> str:
        n = len(value)
        if n == 0:
            return ""
        if email:
            at = value.rfind("@")
            end = min(keep_end, n - at) if at >= 0 else 0
            return _masked(value, keep_start, end)
        return _masked(value, keep_start, keep_end)

    return apply


def _masked(value: str, keep_start: int, keep_end: int) -> str:
    n = len(value)
    if n <= keep_start + keep_end:
        return MASK_CHAR * n  # too short to keep anything and still hide something
    return value[:keep_start] + MASK_CHAR * (n - keep_start - keep_end) + value[n - keep_end :]


def _hash(scope: str) -> Callable[[str], str]:
    secret = hash_secret()
    if secret is None:  # validation reports this; never publish unhashed values
        raise KaifangError(
            f"环境变量 {HASH_SECRET_ENV} 未设置，无法计算 hash 规则 / "
            f"{HASH_SECRET_ENV} is not set; the hash rule cannot be applied"
        )
    prefix = scope.encode("utf-8") + b"\x1f" if scope else b""

    def apply(value: str) -> str:
        if value == "":
            return ""
        return hmac.new(secret, prefix + value.encode("utf-8"), hashlib.sha256).hexdigest()

    return apply


def _generalise_date(to: str) -> Callable[[str], str]:
    pattern = _YEAR_MONTH if to == "month" else _YEAR

    def apply(value: str) -> str:
        match = pattern.match(value)
        if not match:
            return ""
        return f"{match.group(1)}-{match.group(2)}" if to == "month" else match.group(1)

    return apply


def _generalise_bands(rule: Rule, source_type: str) -> Callable[[str], str]:
    dated = source_type in BANDED_DATE_TYPES  # a date is banded by its year
    below, labels, above = band_labels(rule, dated or source_type in INTEGER_TYPES)
    edges = rule.bands

    def apply(value: str) -> str:
        if dated:
            match = _YEAR.match(value)
            if not match:
                return ""
            value = match.group(1)
        try:
            number = float(value)
        except ValueError:
            return ""
        if not math.isfinite(number):
            return ""
        if number < edges[0]:
            return below
        for i in range(len(edges) - 1):
            if number < edges[i + 1]:
                return labels[i]
        return above

    return apply


def transformer(rule: Rule, source: FieldInfo) -> Callable[[str], str] | None:
    """The function applied to each value; None for a dropped field."""
    if rule.kind == "drop":
        return None
    if rule.kind == "keep":
        return lambda value: value
    if rule.kind == "mask":
        email = sensitive_kind(source.raw.get("sensitive")) == "email"
        return _mask(rule.keep_start, rule.keep_end, email)
    if rule.kind == "hash":
        return _hash(rule.scope)
    if rule.to:
        return _generalise_date(rule.to)
    return _generalise_bands(rule, source.type)


class Meter(Protocol):
    """Sees each source row and its published row (risk.RiskMeter)."""

    def start(self, header: list[str]) -> None: ...

    def add(self, raw: list[str], out: list[str]) -> None: ...


def derived_rows(
    derivation: Derivation, rows: Iterator[list[str]], meter: Meter | None = None
) -> Iterator[list[str]]:
    """The published header, then each source row with every rule applied.

    ``rows`` are the source resource's rows, header first (the reader's). A ``meter``
    sees every row on the way (the re-identification risk is measured in the same pass)."""
    header = next(rows, [])
    plan: list[tuple[int | None, Callable[[str], str]]] = []
    names: list[str] = []
    for fr in derivation.rules:
        fn = transformer(fr.rule, fr.source_field)
        if fn is None or fr.published is None:
            continue
        name = fr.source_field.name
        plan.append((header.index(name) if name in header else None, fn))
        names.append(name)
    yield names
    if meter is None:
        for raw in rows:
            yield [fn(raw[i]) if i is not None and i < len(raw) else "" for i, fn in plan]
        return
    meter.start(header)
    for raw in rows:
        out = [fn(raw[i]) if i is not None and i < len(raw) else "" for i, fn in plan]
        meter.add(raw, out)
        yield out


def published_schema(res: Resource) -> dict:
    """The Table Schema of a derivative resource as published (transformed types)."""
    return {"fields": [dict(f.raw) for f in res.fields]}
