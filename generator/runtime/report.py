"""The one place that turns problems into text or JSON for the user.

Both forms group problems by dataset (catalog-wide problems, from site.yaml and
publishers.yaml, come first) and count errors in full: where a resource has more data
errors than are listed, the unlisted ones are still counted. The JSON format is documented
in the README ("kaifang check --json") and versioned by REPORT_VERSION.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass

from ..errors import Problem

REPORT_VERSION = 2
CAPPED = "data-errors-capped"


def group_by_dataset(problems: list[Problem]) -> dict[str, list[Problem]]:
    groups: dict[str, list[Problem]] = defaultdict(list)
    for p in problems:
        groups[p.dataset].append(p)
    return dict(sorted(groups.items()))


@dataclass(frozen=True)
class Counts:
    errors: int  # every error, including data errors beyond the listing cap
    warnings: int
    listed: int  # problems actually listed (errors and warnings)
    by_code: dict[str, int]


def count(problems: list[Problem]) -> Counts:
    """Count errors in full: a capped resource adds the errors it did not list."""
    by_code: Counter[str] = Counter()
    listed_data: Counter[tuple[str, str]] = Counter()
    for p in problems:
        if p.severity == "error" and p.code != CAPPED:
            by_code[p.code] += 1
            if p.code.startswith("data-"):
                listed_data[(p.dataset, p.resource)] += 1
    unlisted = 0
    for p in problems:
        if p.code == CAPPED and p.found.isdigit():
            unlisted += int(p.found) - listed_data[(p.dataset, p.resource)]
    errors = sum(by_code.values()) + unlisted
    if unlisted:
        by_code["data-unlisted"] = unlisted
    warnings = sum(1 for p in problems if p.severity == "warning")
    return Counts(errors, warnings, len(problems), dict(sorted(by_code.items())))


CATALOG_FILES = {"site.yaml", "publishers.yaml", ""}


def _file_heading(items: list[Problem], lang: str) -> str:
    """The heading of problems outside any dataset: the catalog settings, or the file
    that has the problem (a CSV being imported is not site.yaml)."""
    files = {p.file for p in items}
    if files <= CATALOG_FILES:
        return "目录配置（site.yaml、publishers.yaml）" if lang == "zh" else "catalog settings"
    named = ", ".join(sorted(f for f in files if f))
    return ("文件 " if lang == "zh" else "file ") + named


def format_text(problems: list[Problem], lang: str = "zh") -> str:
    lines: list[str] = []
    for dataset, items in group_by_dataset(problems).items():
        counts = count(items)
        if dataset:
            head = ("数据集 " if lang == "zh" else "dataset ") + dataset
        else:
            head = _file_heading(items, lang)
        if lang == "zh":
            head += f"：{counts.errors} 个错误，{counts.warnings} 个警告"
        else:
            head += f": {counts.errors} errors, {counts.warnings} warnings"
        lines.append(head)
        for p in items:
            lines.extend("  " + line for line in p.render(lang).splitlines())
    totals = count(problems)
    if lang == "zh":
        lines.append(f"共 {totals.errors} 个错误，{totals.warnings} 个警告")
    else:
        lines.append(f"{totals.errors} errors, {totals.warnings} warnings")
    return "\n".join(lines)


def format_json(problems: list[Problem], datasets: int, ok: bool, lang: str = "zh") -> str:
    totals = count(problems)
    groups = []
    for ds, items in group_by_dataset(problems).items():
        counts = count(items)
        groups.append(
            {
                "dataset": ds or None,
                "errors": counts.errors,
                "warnings": counts.warnings,
                "errors_by_code": counts.by_code,
                "problems": [p.as_dict() for p in items],
            }
        )
    doc = {
        "version": REPORT_VERSION,
        "ok": ok,
        "lang": lang,
        "datasets_checked": datasets,
        "errors": totals.errors,
        "warnings": totals.warnings,
        "errors_by_code": totals.by_code,
        "datasets": groups,
    }
    return json.dumps(doc, ensure_ascii=False, indent=2)
