"""The classification rules: what of a dataset may reach the public site.

Every stage that decides whether something is published asks this module; no template or
feed makes that decision itself. Anything unknown is an error upstream, never "open".
"""

from __future__ import annotations

import os
from dataclasses import dataclass
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

    @property
    def label_en(self) -> str:
        return {
            "unconditional": "Shared without conditions",
            "conditional": "Shared on conditions",
            "none": "Not shared",
        }[self.value]

    def label(self, lang: str) -> str:
        return self.label_en if lang == "en" else self.label_zh


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


class Status(StrEnum):
    """A dataset's status (数据状态), under the objection procedures (异议处理)."""

    NORMAL = "normal"  # 正常
    SUSPENDED = "suspended"  # 暂停: shown, no data file while it holds
    WITHDRAWN = "withdrawn"  # 撤回: shown, no data file while it holds
    OBJECTION = "objection"  # 异议处理中: the data stays, with the notice

    @property
    def label_zh(self) -> str:
        return {
            "normal": "正常",
            "suspended": "暂停",
            "withdrawn": "撤回",
            "objection": "异议处理中",
        }[self.value]

    @property
    def label_en(self) -> str:
        return {
            "normal": "Normal",
            "suspended": "Suspended",
            "withdrawn": "Withdrawn",
            "objection": "Under objection",
        }[self.value]

    def label(self, lang: str) -> str:
        return self.label_en if lang == "en" else self.label_zh


STATUS_ALIASES: dict[str, Status] = {
    **{s.value: s for s in Status},
    "正常": Status.NORMAL,
    "暂停": Status.SUSPENDED,
    "撤回": Status.WITHDRAWN,
    "异议处理中": Status.OBJECTION,
}


def parse_status(value: object) -> Status | None:
    if not isinstance(value, str):
        return None
    return STATUS_ALIASES.get(value.strip())


def status_publishes_data(status: Status) -> bool:
    """Suspended and withdrawn datasets publish no data file while the status holds."""
    return status not in (Status.SUSPENDED, Status.WITHDRAWN)


def status_needs_reply_date(status: Status) -> bool:
    return status is Status.OBJECTION


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


def can_apply(open_type: OpenType, audience: Audience | str = "public") -> bool:
    """Conditional and closed data may be applied for (the Xinjiang measures allow both);
    on the sharing catalog only 有条件共享 (不予共享 is metadata and legal basis only)."""
    return publication(audience, open_type).apply


RESTRICTION_ORDER = (OpenType.OPEN, OpenType.CONDITIONAL, OpenType.CLOSED)


def is_more_restrictive(new: OpenType, old: OpenType) -> bool:
    """Whether a change of open type takes something away (open -> conditional -> closed).

    A held-back update that restricts a dataset takes that effect at once (holdback.py).
    """
    return RESTRICTION_ORDER.index(new) > RESTRICTION_ORDER.index(old)


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


# --- how much a rule may show of personal data (脱敏强度) ------------------------------


class MaskLimit:
    """The most a ``mask`` may show of one kind of personal data (characters).

    ``start``/``end``: at most this many characters kept at the start / end; ``total``: at
    most this many kept in all. ``what`` says in both languages what that leaves visible.
    """

    def __init__(self, start: int, end: int, total: int, zh: str, en: str) -> None:
        self.start, self.end, self.total, self.zh, self.en = start, end, total, zh, en

    def allows(self, keep_start: int, keep_end: int) -> bool:
        return (
            keep_start <= self.start
            and keep_end <= self.end
            and keep_start + keep_end <= self.total
        )

    def describe(self, lang: str) -> str:
        if lang == "en":
            return f"keep_start <= {self.start}, keep_end <= {self.end} ({self.en})"
        return f"keep_start ≤ {self.start}，keep_end ≤ {self.end}（{self.zh}）"


# What a mask may keep of each kind of personal data a source marks with ``sensitive``.
# keep is refused for all of them (may_keep), hash and drop hide everything, generalise is
# measured by the group size (min_group_size). Values follow common practice in China
# (GB/T 35273-2020 个人信息安全规范 附录, GB/T 37964-2019 个人信息去标识化指南).
MASK_LIMITS: dict[str, MaskLimit] = {
    # 18 digits: 6-digit region code, 8-digit birth date, sequence and check digit
    "id_number": MaskLimit(6, 0, 6, "只保留 6 位行政区划代码", "the 6-digit region code only"),
    # 138****5678: network prefix and the last four digits
    "mobile": MaskLimit(3, 4, 7, "最多 3 位号段和后 4 位", "3-digit prefix and last 4 at most"),
    # 622202******1234: the issuer number (BIN) and the last four digits
    "bank_card": MaskLimit(6, 4, 10, "最多前 6 位和后 4 位", "first 6 and last 4 at most"),
    # 张**: the surname only (a compound surname is masked after its first character)
    "name": MaskLimit(1, 0, 1, "最多保留姓氏（1 个字）", "the surname (1 character) at most"),
    # a mask counts characters, not levels: 6 characters hold 省+市 or 市+区 of most
    # addresses; publish the district as a field of its own rather than part of an address
    "address": MaskLimit(
        6, 0, 6, "最多保留前 6 个字（约到区县一级）", "the first 6 characters (about the district)"
    ),
    # the domain at most: keep_end is cut at the @ when applied, nothing of the name shows
    "email": MaskLimit(
        0, 255, 255, "最多保留 @ 及域名", "the @ and the domain at most (cut at the @)"
    ),
}
# Any other kind (birth_date, health, …): a mask shows nothing; use generalise, hash or drop.
DEFAULT_MASK_LIMIT = MaskLimit(0, 0, 0, "不保留任何字符", "no character")
SENSITIVE_ALIASES = {
    "phone": "mobile",
    "mobile_phone": "mobile",
    "id_card": "id_number",
    "card": "bank_card",
    "bankcard": "bank_card",
    "e-mail": "email",
}


def sensitive_kind(sensitive: object) -> str:
    """The kind of personal data a ``sensitive`` mark names ('' when unmarked)."""
    if not sensitive:
        return ""
    kind = str(sensitive).strip().lower() if sensitive is not True else "other"
    return SENSITIVE_ALIASES.get(kind, kind)


def mask_limit(sensitive: object) -> MaskLimit | None:
    """The most a mask may show of a field marked ``sensitive``; None when unmarked."""
    kind = sensitive_kind(sensitive)
    if not kind:
        return None
    return MASK_LIMITS.get(kind, DEFAULT_MASK_LIMIT)


def is_quasi_identifier(field_raw: dict) -> bool:
    """Fields whose published values, combined, may single a person out: those the source
    marks as personal data (``sensitive``) or as ``quasi_identifier: true``."""
    return bool(field_raw.get("sensitive")) or field_raw.get("quasi_identifier") is True


# Re-identification risk of a derivative: the smallest group of rows that share the values
# of all its published quasi-identifiers (k-anonymity, GB/T 37964-2019 ). Below this size
# the build fails unless the derivative declares accepted_risk with a legal basis.
DEFAULT_MIN_GROUP_SIZE = 5


def hash_scope(rule_scope: str, dataset_id: str) -> str:
    """What a hash rule mixes into each value: its ``scope``, or else the derivative's id,
    so two derivatives that hash the same field without a scope do not link their rows."""
    return rule_scope or f"dataset:{dataset_id}"


HASH_DIGEST_LENGTH = 64  # hex characters of HMAC-SHA256


def is_hash_output(field_raw: dict, value: str) -> bool:
    """A value the hash rule wrote: a 64-hex digest in a field a derivative publishes with
    the hash rule. Digits inside a digest can look like a mobile or card number, so the
    personal-data audit passes these values (and only these) by."""
    rule = field_raw.get("desensitise")
    return (
        isinstance(rule, dict)
        and rule.get("rule") == "hash"
        and len(value) == HASH_DIGEST_LENGTH
        and all(ch in "0123456789abcdef" for ch in value)
    )


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
# DCAT adms:status of a dataset, from the EU dataset-status vocabulary
EU_DATASET_STATUS = "http://publications.europa.eu/resource/authority/dataset-status/"
ADMS_STATUS = {
    Status.NORMAL: EU_DATASET_STATUS + "COMPLETED",
    Status.SUSPENDED: EU_DATASET_STATUS + "DEPRECATED",
    Status.WITHDRAWN: EU_DATASET_STATUS + "WITHDRAWN",
    Status.OBJECTION: EU_DATASET_STATUS + "DEPRECATED",
}
POD_ACCESS_LEVEL = {
    OpenType.OPEN: "public",
    OpenType.CONDITIONAL: "restricted public",
    OpenType.CLOSED: "non-public",
}


# --- two audiences: the public portal and the sharing catalog (共享目录) -----------------


class Audience(StrEnum):
    PUBLIC = "public"  # the open-data portal on the internet (open types decide)
    SHARE = "share"  # the sharing catalog on the government network (share types decide)


@dataclass(frozen=True)
class Publication:
    """What one audience gets of a dataset of one type."""

    label_zh: str
    label_en: str
    data: bool  # rows, previews, statistics, data files
    schema: bool  # field names, types and descriptions
    conditions: bool  # the conditions (开放条件 / 共享条件)
    apply: bool  # an application page (/apply/<id>/)
    listed_when_hidden: bool  # still listed under site.yaml's hide_closed: true

    def label(self, lang: str) -> str:
        return self.label_en if lang == "en" else self.label_zh


# The one table: audience x type -> what is published. A share type is published on the
# sharing catalog at the level of the open type in the same row (level_for): 无条件共享
# like 无条件开放, 有条件共享 like 有条件开放, 不予共享 like 非开放 but without an application.
PUBLICATION: dict[tuple[Audience, str], Publication] = {
    (Audience.PUBLIC, "open"): Publication("无条件开放", "Open", True, True, False, False, True),
    (Audience.PUBLIC, "conditional"): Publication(
        "有条件开放", "Conditional", False, True, True, True, True
    ),
    (Audience.PUBLIC, "closed"): Publication(
        "非开放", "Not open", False, False, False, True, False
    ),
    (Audience.SHARE, "unconditional"): Publication(
        "无条件共享", "Shared unconditionally", True, True, False, False, True
    ),
    (Audience.SHARE, "conditional"): Publication(
        "有条件共享", "Shared on conditions", False, True, True, True, True
    ),
    (Audience.SHARE, "none"): Publication(
        "不予共享", "Not shared", False, False, False, False, True
    ),
}

# The share type whose row the sharing catalog publishes at each level (and back).
SHARE_LEVELS: dict[ShareType, OpenType] = {
    ShareType.UNCONDITIONAL: OpenType.OPEN,
    ShareType.CONDITIONAL: OpenType.CONDITIONAL,
    ShareType.NONE: OpenType.CLOSED,
}
_SHARE_OF_LEVEL = {level: share for share, level in SHARE_LEVELS.items()}


def share_level(share_type: ShareType | None) -> OpenType:
    """The level a dataset is published at on the sharing catalog. A dataset without a
    share type is not shared: nothing ever defaults to shared."""
    return SHARE_LEVELS[share_type or ShareType.NONE]


def publication(audience: Audience | str, level: OpenType) -> Publication:
    """The row of the table for a dataset published at ``level`` to ``audience``."""
    audience = Audience(audience)
    if audience is Audience.SHARE:
        return PUBLICATION[(audience, _SHARE_OF_LEVEL[level].value)]
    return PUBLICATION[(audience, level.value)]


def level_label(audience: Audience | str, level: OpenType, lang: str) -> str:
    """The badge of a dataset: its open type on the portal, its share type when shared."""
    return publication(audience, level).label(lang)
