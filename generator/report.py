"""The one place that turns problems into text or JSON for the user."""

from __future__ import annotations

import json
from collections import defaultdict

from .errors import Problem

REPORT_VERSION = 1


def group_by_dataset(problems: list[Problem]) -> dict[str, list[Problem]]:
    groups: dict[str, list[Problem]] = defaultdict(list)
    for p in problems:
        groups[p.dataset].append(p)
    return dict(sorted(groups.items()))


def format_text(problems: list[Problem], lang: str = "zh") -> str:
    lines: list[str] = []
    for dataset, items in group_by_dataset(problems).items():
        if dataset:
            lines.append(("数据集 " if lang == "zh" else "dataset ") + dataset)
        else:
            lines.append("目录配置" if lang == "zh" else "catalog configuration")
        for p in items:
            lines.extend("  " + line for line in p.render(lang).splitlines())
    errors = sum(1 for p in problems if p.severity == "error")
    warnings = len(problems) - errors
    if lang == "zh":
        lines.append(f"共 {errors} 个错误，{warnings} 个警告")
    else:
        lines.append(f"{errors} errors, {warnings} warnings")
    return "\n".join(lines)


def format_json(problems: list[Problem], datasets: int, ok: bool) -> str:
    errors = sum(1 for p in problems if p.severity == "error")
    doc = {
        "version": REPORT_VERSION,
        "ok": ok,
        "datasets_checked": datasets,
        "errors": errors,
        "warnings": len(problems) - errors,
        "datasets": [
            {"dataset": ds or None, "problems": [p.as_dict() for p in items]}
            for ds, items in group_by_dataset(problems).items()
        ],
    }
    return json.dumps(doc, ensure_ascii=False, indent=2)
