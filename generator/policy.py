"""The classification rules: what of a dataset may reach the public site.

Every stage that decides whether something is published asks this module; no template or
feed makes that decision itself. Anything unknown is an error upstream, never "open".
"""

from __future__ import annotations

import os
from enum import StrEnum


class OpenType(StrEnum):
    OPEN = "open"  # 无条件开放
    CONDITIONAL = "conditional"  # 有条件开放
    CLOSED = "closed"  # 非开放

    @property
    def label_zh(self) -> str:
        return {"open": "无条件开放", "conditional": "有条件开放", "closed": "非开放"}[self.value]

    @property
    def label_en(self) -> str:
        return {"open": "Open", "conditional": "Conditional", "closed": "Not open"}[self.value]

    def label(self, lang: str) -> str:
        return self.label_en if lang == "en" else self.label_zh


class ShareType(StrEnum):
    UNCONDITIONAL = "unconditional"  # 无条件共享
    CONDITIONAL = "conditional"  # 有条件共享
    NONE = "none"  # 不予共享

    @property
    def label_zh(self) -> str:
        return {"unconditional": "无条件共享", "conditional": "有条件共享", "none": "不予共享"}[
            self.value
        ]


# Regional vocabularies seen in the reference regulations map onto the three types.
OPEN_TYPE_ALIASES: dict[str, OpenType] = {
    "open": OpenType.OPEN,
    "无条件开放": OpenType.OPEN,
    "conditional": OpenType.CONDITIONAL,
    "有条件开放": OpenType.CONDITIONAL,
    "受限开放": OpenType.CONDITIONAL,
    "依申请开放": OpenType.CONDITIONAL,
    "closed": OpenType.CLOSED,
    "非开放": OpenType.CLOSED,
    "不予开放": OpenType.CLOSED,
    "禁止开放": OpenType.CLOSED,
}

SHARE_TYPE_ALIASES: dict[str, ShareType] = {
    "unconditional": ShareType.UNCONDITIONAL,
    "无条件共享": ShareType.UNCONDITIONAL,
    "conditional": ShareType.CONDITIONAL,
    "有条件共享": ShareType.CONDITIONAL,
    "none": ShareType.NONE,
    "不予共享": ShareType.NONE,
}


def parse_open_type(value: object) -> OpenType | None:
    """Map a catalog value onto an open type; None when it is missing or unknown."""
    if not isinstance(value, str):
        return None
    return OPEN_TYPE_ALIASES.get(value.strip())


def parse_share_type(value: object) -> ShareType | None:
    if not isinstance(value, str):
        return None
    return SHARE_TYPE_ALIASES.get(value.strip())


def publishes_data(open_type: OpenType) -> bool:
    """Rows, previews, statistics, downloads and data files: open datasets only."""
    return open_type is OpenType.OPEN


def publishes_statistics(open_type: OpenType) -> bool:
    """Anything computed from the values: row counts, error counts, field summaries.

    A count of rows or of type errors is a fact about the values, so it is published for
    open data only, like the values themselves.
    """
    return open_type is OpenType.OPEN


def publishes_schema(open_type: OpenType) -> bool:
    """Field names, types and descriptions: open and conditional datasets."""
    return open_type in (OpenType.OPEN, OpenType.CONDITIONAL)


def is_listed(open_type: OpenType, hide_closed: bool) -> bool:
    """Whether the dataset appears on the site at all."""
    return not (open_type is OpenType.CLOSED and hide_closed)


def can_apply(open_type: OpenType) -> bool:
    """Conditional and closed data may be applied for (the Xinjiang measures allow both)."""
    return open_type is not OpenType.OPEN


def requires_legal_basis(open_type: OpenType) -> bool:
    return open_type is not OpenType.OPEN


def requires_conditions(open_type: OpenType) -> bool:
    return open_type is OpenType.CONDITIONAL


def requires_share_basis(share_type: ShareType) -> bool:
    return share_type is not ShareType.UNCONDITIONAL


def values_are_secret(open_type: OpenType) -> bool:
    """Cell values the audit must never find in any output file."""
    return not publishes_data(open_type)


def shows_in_output(open_type: OpenType, hide_closed: bool) -> bool:
    """Whether anything of the dataset (even its id or title) may appear in the output.

    A hidden closed dataset is absent from the site: no page, no list entry, no link from a
    derivative, no feed entry. The audit treats its id and title as secrets.
    """
    return is_listed(open_type, hide_closed)


# --- desensitised derivatives (脱敏) ----------------------------------------------------

# Field rules a derivative may declare; ``keep`` publishes the source value unchanged.
DESENSITISE_RULES = ("keep", "mask", "hash", "generalise", "drop")


# The key of the hash rule comes from the environment, never from the catalog or the code:
# a public key lets anyone hash every plausible ID number and find the source values again.
HASH_SECRET_ENV = "KAIFANG_HASH_SECRET"
MIN_SECRET_LENGTH = 16  # characters; a short key can be guessed, and then every hash reversed


def hash_secret() -> bytes | None:
    """The hash rule's key, or None when it is missing or too short."""
    value = os.environ.get(HASH_SECRET_ENV, "")
    return value.encode("utf-8") if len(value) >= MIN_SECRET_LENGTH else None


def derivative_needs_rules(source_type: OpenType) -> bool:
    """A derivative of non-open data must say, field by field, what happens to each value.

    Nothing is published by default: a field without a rule is an error, not a kept field.
    """
    return not publishes_data(source_type)


def may_keep(source_type: OpenType, sensitive: object) -> bool:
    """Whether a field's raw values may be published unchanged by a derivative.

    Open data is public anyway. Of non-open data, a field that its schema marks as personal
    data (``sensitive: name``, ``id_number``, ...) must be transformed or dropped.
    """
    return publishes_data(source_type) or not sensitive


# --- personal data in open resources ----------------------------------------------------

PII_KINDS = ("id_number", "mobile", "bank_card", "email")


def pii_allowed(field_raw: dict, kind: str) -> bool:
    """Whether an open field's schema declares that it may carry this kind of personal data.

    ``pii_allowed: true`` allows every kind; ``pii_allowed: [email, mobile]`` only those.
    Used for fields such as the public service e-mail of an institution.
    """
    value = field_raw.get("pii_allowed")
    if value is True:
        return True
    if isinstance(value, str):
        return value == kind
    if isinstance(value, list):
        return kind in value
    return False


# Access rights vocabularies for the machine-readable catalogs.
EU_ACCESS_RIGHTS = {
    OpenType.OPEN: "http://publications.europa.eu/resource/authority/access-right/PUBLIC",
    OpenType.CONDITIONAL: "http://publications.europa.eu/resource/authority/access-right/RESTRICTED",
    OpenType.CLOSED: "http://publications.europa.eu/resource/authority/access-right/NON_PUBLIC",
}
POD_ACCESS_LEVEL = {
    OpenType.OPEN: "public",
    OpenType.CONDITIONAL: "restricted public",
    OpenType.CLOSED: "non-public",
}
