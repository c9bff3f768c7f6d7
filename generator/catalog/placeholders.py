"""Placeholder values that `kaifang import` and `kaifang new` write for a person to fill.

A generated descriptor must never pass `kaifang check` until someone has decided its
catalog keys, above all the open type: nothing is published as open by default. The
loader asks :func:`placeholder_problems` before reading a descriptor, so each unfilled
key is reported once, as "fill this in", instead of as an unknown value.
"""

from __future__ import annotations

from typing import Any

from ..errors import Problem

TO_FILL = "待填写"  # text, ids and dates a person must write
UNDECIDED = "待定"  # the open type: a decision, not a text
PLACEHOLDERS = frozenset({TO_FILL, UNDECIDED, "TODO", "todo", "TBD"})

# What each key expects, shown in the hint (Chinese, English).
EXPECTED: dict[str, tuple[str, str]] = {
    "title": ("数据集名称", "the dataset's title"),
    "description": ("一段摘要", "a short description"),
    "publisher": ("publishers.yaml 中的部门 id", "a department id from publishers.yaml"),
    "theme": ("site.yaml 中 themes 的 id", "a theme id from site.yaml"),
    "open_type": (
        "无条件开放 / 有条件开放 / 非开放",
        "无条件开放 (open) / 有条件开放 (conditional) / 非开放 (closed)",
    ),
    "update_frequency": ("site.yaml 中 frequencies 的 id", "a frequency id from site.yaml"),
    "issued": ("发布日期 YYYY-MM-DD", "the issue date, YYYY-MM-DD"),
    "modified": ("更新日期 YYYY-MM-DD", "the date of the last change, YYYY-MM-DD"),
    "legal_basis": ("法律法规依据，如《……》第……条", "the law and article"),
    "open_conditions": ("开放条件", "the conditions of access"),
}


def is_placeholder(value: Any) -> bool:
    return isinstance(value, str) and value.strip() in PLACEHOLDERS


def placeholder_problems(data: dict[str, Any], rel: str, dataset: str) -> list[Problem]:
    """One error per top-level key that still holds a placeholder, in file order."""
    problems = []
    for key, value in data.items():
        if not is_placeholder(value):
            continue
        expected_zh, expected_en = EXPECTED.get(key, ("实际的值", "a real value"))
        decide = key == "open_type"
        problems.append(
            Problem(
                "placeholder",
                f"{key} 仍是占位值“{value}”，需要填写" + ("：系统不会默认开放" if decide else ""),
                f"{key} still holds the placeholder {value!r} and must be filled in"
                + ("; nothing is ever open by default" if decide else ""),
                file=rel,
                dataset=dataset,
                field=key,
                expected=expected_zh,
                found=str(value),
                hint=f"在 {rel} 中填写 {key}：{expected_zh}",
                hint_en=f"set {key} in {rel} to {expected_en}",
            )
        )
    return problems
