"""Problems found in a catalog, and the one exception family that carries them to the CLI.

A mistake in a publisher's input is data (a :class:`Problem`), never a traceback. Stages
collect problems; the CLI turns them into a report and exit code 1.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Literal

import click

Severity = Literal["error", "warning"]


def _latin(text: str) -> str:
    """The English part of an ``expected`` written only in Chinese or as "中文 / English"
    (for --lang en): never Chinese in an English message."""
    if not re.search(r"[\u3000-\u9fff\uff00-\uffef]", text):
        return text
    parts = [p for p in text.split(" / ") if not re.search(r"[\u3000-\u9fff\uff00-\uffef]", p)]
    return " / ".join(parts)


@dataclass(frozen=True)
class Problem:
    """One thing wrong in the catalog, with enough context for a publisher to fix it."""

    code: str
    message: str  # Chinese
    message_en: str
    file: str = ""  # path relative to the catalog root
    dataset: str = ""
    severity: Severity = "error"
    line: int | None = None
    row: int | None = None
    field: str = ""
    expected: str = ""
    found: str = ""
    hint: str = ""
    hint_en: str = ""
    expected_en: str = ""  # when empty, `expected` serves both languages
    resource: str = ""  # the resource a data problem was found in

    def as_dict(self) -> dict:
        return {k: v for k, v in asdict(self).items() if v not in ("", None)}

    def render(self, lang: str = "zh") -> str:
        """One line (plus hint) for a terminal."""
        where = self.file or "catalog"
        if self.line is not None:
            where += f":{self.line}"
        parts = [where]
        if self.row is not None:
            parts.append(("行 " if lang == "zh" else "row ") + str(self.row))
        if self.field:
            parts.append(("字段 " if lang == "zh" else "field ") + self.field)
        msg = self.message if lang == "zh" else self.message_en
        label = {"error": ("错误", "error"), "warning": ("警告", "warning")}[self.severity]
        text = f"{label[0] if lang == 'zh' else label[1]}: {' '.join(parts)}: {msg}"
        expected = self.expected if lang == "zh" else (self.expected_en or _latin(self.expected))
        if expected:
            text += f" ({'应为' if lang == 'zh' else 'expected'}: {expected}"
            if self.found:
                text += f"; {'实际' if lang == 'zh' else 'found'}: {self.found}"
            text += ")"
        elif self.found:
            text += f" ({'实际' if lang == 'zh' else 'found'}: {self.found})"
        hint = self.hint if lang == "zh" else (self.hint_en or self.hint)
        if hint:
            text += f"\n    {'提示' if lang == 'zh' else 'hint'}: {hint}"
        return text


@dataclass
class ProblemList:
    """Problems collected across stages, kept in the order they were found."""

    items: list[Problem] = field(default_factory=list)

    def add(self, problem: Problem) -> None:
        self.items.append(problem)

    def extend(self, problems: list[Problem]) -> None:
        self.items.extend(problems)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.items if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.items if p.severity == "warning"]

    def for_dataset(self, dataset: str) -> list[Problem]:
        return [p for p in self.items if p.dataset == dataset]


class KaifangError(click.ClickException):
    """Root of every error that reaches a user; exits 1 without a traceback."""

    exit_code = 1

    def __init__(self, message: str, problems: list[Problem] | None = None) -> None:
        super().__init__(message)
        self.problems = problems or []


class CatalogError(KaifangError):
    """The catalog has errors; nothing was published."""


class AuditError(KaifangError):
    """The output tree would leak non-open data or personal data; nothing was published."""
