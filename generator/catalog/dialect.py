"""The CSV dialect of a resource: decided once, at load, and read the same way everywhere.

frictionless honours a resource's ``dialect`` and, where one is not declared, guesses the
delimiter, quoting and initial spaces from the first lines of the file (csv.Sniffer).
Validation, derivation and the audit must read a file the same way, or a file can pass
validation with one reading and be published (or looked through for non-open values) with
another. So Kaifang never lets frictionless guess: every CSV has one :class:`CsvDialect`,
the declared one or the default (``,`` and ``"``), given to frictionless with every
parameter set, and the reader (:mod:`generator.data.reader`) parses with the very
``csv.Dialect`` frictionless builds from it. Keys Kaifang does not read the same way are
refused when the catalog is loaded.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from typing import Any

from frictionless import Dialect
from frictionless.formats import CsvControl

DELIMITERS = {",": "逗号", ";": "分号", "\t": "制表符", "|": "竖线"}
SUPPORTED_KEYS = (
    "delimiter",
    "quoteChar",
    "doubleQuote",
    "escapeChar",
    "skipInitialSpace",
    "header",
)
_FORBIDDEN_CHARS = set(DELIMITERS) | {"\r", "\n", " "}


@dataclass(frozen=True)
class CsvDialect:
    delimiter: str = ","
    quote_char: str = '"'
    double_quote: bool = True
    escape_char: str | None = None
    skip_initial_space: bool = False
    header: bool = True  # false: the file has no header row; columns are the schema's fields

    @property
    def is_default(self) -> bool:
        return self == DEFAULT

    def control(self) -> CsvControl:
        """frictionless's control with every reading parameter set, so it guesses none."""
        options: dict[str, Any] = {
            "delimiter": self.delimiter,
            "quote_char": self.quote_char,
            "double_quote": self.double_quote,
            "skip_initial_space": self.skip_initial_space,
            "line_terminator": "\r\n",
        }
        if self.escape_char is not None:
            options["escape_char"] = self.escape_char
        return CsvControl(**options)

    def frictionless(self) -> Dialect:
        return Dialect(header=self.header, controls=[self.control()])

    def python(self) -> csv.Dialect:
        """The csv.Dialect frictionless reads with (its own conversion, not a copy of it)."""
        return self.control().to_python()


DEFAULT = CsvDialect()


def dialect_of(raw: dict[str, Any]) -> CsvDialect:
    """The dialect of a loaded resource (its descriptor was checked by :func:`parse_dialect`)."""
    parsed, _ = parse_dialect(raw.get("dialect"))
    return parsed or DEFAULT


def _one_char(value: Any) -> bool:
    return isinstance(value, str) and len(value) == 1 and value not in _FORBIDDEN_CHARS


def parse_dialect(value: Any) -> tuple[CsvDialect | None, list[tuple[str, str, str, str]]]:
    """(the dialect, or None when absent or wrong; problems as (key, zh, en, found))."""
    if value is None:
        return DEFAULT, []
    if not isinstance(value, dict):
        return None, [("", "dialect 应为映射", "dialect must be a mapping", type(value).__name__)]
    problems: list[tuple[str, str, str, str]] = []
    for key in value:
        if key not in SUPPORTED_KEYS:
            problems.append(
                (
                    str(key),
                    f"不支持 CSV 方言项 {key}",
                    f"the CSV dialect key {key} is not supported",
                    str(key)[:40],
                )
            )
    delimiter = value.get("delimiter", ",")
    if delimiter not in DELIMITERS:
        problems.append(
            (
                "delimiter",
                "分隔符 delimiter 只能是逗号、分号、制表符或竖线",
                "delimiter must be one of , ; tab |",
                repr(delimiter)[:20],
            )
        )
    quote = value.get("quoteChar", '"')
    if not _one_char(quote) or quote == delimiter:
        problems.append(
            (
                "quoteChar",
                "引号字符 quoteChar 应为一个字符，且不能是分隔符、空格或换行",
                "quoteChar must be one character, not a delimiter, space or line break",
                repr(quote)[:20],
            )
        )
    escape = value.get("escapeChar")
    if escape is not None and (not _one_char(escape) or escape in (quote, delimiter)):
        problems.append(
            (
                "escapeChar",
                "转义字符 escapeChar 应为一个字符，且不同于分隔符和引号",
                "escapeChar must be one character, other than the delimiter and quote",
                repr(escape)[:20],
            )
        )
    flags: dict[str, bool] = {}
    for key, default in (("doubleQuote", True), ("skipInitialSpace", False), ("header", True)):
        flag = value.get(key, default)
        if not isinstance(flag, bool):
            problems.append(
                (key, f"{key} 应为 true 或 false", f"{key} must be true or false", repr(flag)[:20])
            )
        flags[key] = bool(flag)
    if problems:
        return None, problems
    return (
        CsvDialect(
            delimiter=delimiter,
            quote_char=quote,
            double_quote=flags["doubleQuote"],
            escape_char=escape,
            skip_initial_space=flags["skipInitialSpace"],
            header=flags["header"],
        ),
        [],
    )
