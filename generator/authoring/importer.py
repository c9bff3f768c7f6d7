"""`kaifang import`: turn a CSV or Excel file a department already has into a dataset.

The file is read once, streamed: every row is copied into ``datasets/<id>/data/`` as
UTF-8 CSV while a Table Schema is inferred column by column. Chinese headers become field
titles; field names are ASCII (pinyin, via pypinyin, so an API user reads ``zhan_dian_shu``
rather than ``col_3``). The descriptor gets the required catalog keys as placeholders
that `kaifang check` reports until a person fills them, so an import can never be
published, let alone as open data, by accident.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..catalog.encoding import detect_file
from ..catalog.limits import inspect_xlsx
from ..catalog.rows import cell_text
from ..errors import KaifangError, Problem
from .sheetlayout import (
    FOOT_WINDOW,
    HEAD_WINDOW,
    Merge,
    Skipped,
    fill_merges,
    find_layout,
    footer_start,
    read_merges,
)

NAME_LIMIT = 48
SNIFF_BYTES = 64 * 1024
DELIMITERS = ",\t;|"


class ImportFailed(KaifangError):
    """The file cannot be imported; nothing was written."""

    def __init__(self, message: str, problems: list[Problem], zh: str = "", en: str = ""):
        super().__init__(message, problems)
        # the closing line in the language of the other messages (commands.fail)
        self.by_lang = {
            "zh": f"导入失败，未写入任何文件：{zh}",
            "en": f"import failed; nothing was written: {en}",
        }


def _fail(zh: str, en: str, **where: Any) -> ImportFailed:
    return ImportFailed(
        f"导入失败，未写入任何文件 / import failed; nothing was written: {en}",
        [Problem("import", zh, en, **where)],
        zh,
        en,
    )


# --- encoding ---------------------------------------------------------------------------


def detect_encoding(path: Path) -> str:
    """The codec that decodes the whole file strictly (generator/encoding.py, shared with
    validation): a BOM, then UTF-8, GBK, GB18030. A proof, not a statistical guess."""
    found = detect_file(path)
    if found.codec is not None:
        return found.codec
    where = f"（第 {found.bad_offset} 字节起无法解码）" if found.bad_offset is not None else ""
    where_en = f" (undecodable from byte {found.bad_offset})" if found.bad_offset else ""
    raise _fail(
        f"无法识别 {path.name} 的字符编码{where}",
        f"cannot tell the encoding of {path.name}{where_en}",
        file=str(path),
        expected="UTF-8、UTF-8 BOM、GBK 或 GB18030",
        expected_en="UTF-8, UTF-8 with BOM, GBK or GB18030",
        found=found.label,
        hint="用 Excel 或记事本另存为“CSV UTF-8”后重试",
        hint_en="save the file as 'CSV UTF-8' in Excel or a text editor and retry",
    )


# --- names --------------------------------------------------------------------------------


def _ascii_words(text: str) -> list[str]:
    """Pinyin syllables for Chinese characters, other letters and digits as they are."""
    from pypinyin import lazy_pinyin  # imported here: its dictionary loads on import

    words: list[str] = []
    for piece in lazy_pinyin(text):
        words.extend(w for w in re.split(r"[^A-Za-z0-9]+", piece) if w)
    return [w.lower() for w in words]


def slug(text: str, sep: str, fallback: str) -> str:
    """An ASCII identifier from any text; ``fallback`` when nothing readable remains."""
    name = sep.join(_ascii_words(text))[:NAME_LIMIT].strip(sep)
    if not name:
        return fallback
    if not name[0].isalpha():
        name = f"{fallback.rstrip('0123456789_-')}{sep}{name}"
    return name


def field_names(titles: list[str]) -> list[str]:
    """Unique, safe field names for the columns, in order (col_N when a header is empty)."""
    names: list[str] = []
    taken: set[str] = set()
    for i, title in enumerate(titles, start=1):
        base = slug(title, "_", f"col_{i}")
        name, n = base, 2
        while name in taken:
            name, n = f"{base}_{n}", n + 1
        taken.add(name)
        names.append(name)
    return names


# --- type inference -----------------------------------------------------------------------

INTEGER = re.compile(r"^[+-]?(0|[1-9][0-9]*)$")  # leading zeros mean a code: keep as text
NUMBER = re.compile(r"^[+-]?((0|[1-9][0-9]*)(\.[0-9]+)?|\.[0-9]+)([eE][+-]?[0-9]+)?$")
EXACT_DIGITS = 15  # longer digit strings (ID, bank card numbers) are codes: Excel and JS
# would round them as numbers
DATE_FORMATS = {  # pattern -> Table Schema format ("default" is ISO 8601)
    "default": re.compile(r"^\d{4}-\d{2}-\d{2}$"),
    "%Y/%m/%d": re.compile(r"^\d{4}/\d{1,2}/\d{1,2}$"),
    "%Y年%m月%d日": re.compile(r"^\d{4}年\d{1,2}月\d{1,2}日$"),
}
DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$")
BOOLEANS = ({"true", "false"}, {"是", "否"})


def _is_date(value: str, fmt: str) -> bool:
    try:
        if fmt == "default":
            dt.date.fromisoformat(value)
        else:
            dt.datetime.strptime(value, fmt)
    except ValueError:
        return False
    return True


def _is_datetime(value: str) -> bool:
    if not DATETIME.match(value):
        return False
    try:
        dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


CODE_TITLE = re.compile(
    r"代码|编码|编号|号码|代号|邮编|邮政编码|电话|手机|身份证|证件号|账号|帐号|卡号|工号|学号|"
    r"(^|[^a-z])(id|code|phone|tel|mobile|zip|postcode)([^a-z]|$)",
    re.IGNORECASE,
)
MEASURE_TITLE = re.compile(r"数|量|额|人口|面积|长度|率|值|合计|总计|收入|支出|年份|年度|年龄")
MOBILE = re.compile(r"^1[3-9][0-9]{9}$")
CODE_WIDTH = 5  # digit strings of one fixed width from this length on are codes


@dataclass
class ColumnGuess:
    """The types a column can still have, narrowed by every non-empty value seen.

    Integer-looking columns that are really codes stay strings, with the reason kept for
    the descriptor's comments: a leading zero (007), more digits than a double holds
    exactly, a header that names a code (区划代码, 手机号码), every value a mobile number,
    or every value of one fixed width (110101, 659012: 行政区划代码, postal codes).
    """

    title: str
    candidates: set[str] = field(
        default_factory=lambda: {"boolean", "integer", "number", "date", "datetime"}
    )
    date_formats: set[str] = field(default_factory=lambda: set(DATE_FORMATS))
    booleans: set[str] = field(default_factory=set)
    values: int = 0
    leading_zero: str = ""  # the first value with a leading zero
    too_long: str = ""  # the first value with more digits than stay exact
    digit_widths: set[int] = field(default_factory=set)
    mobile: bool = True

    def add(self, value: str) -> None:
        if value == "":
            return
        self.values += 1
        c = self.candidates
        if value.isdigit():
            self.digit_widths.add(len(value))
            if not self.leading_zero and len(value) > 1 and value[0] == "0":
                self.leading_zero = value
        else:
            self.digit_widths.add(-1)
        if self.mobile and not MOBILE.match(value):
            self.mobile = False
        if not c:
            return
        if "boolean" in c:
            self.booleans.add(value.lower() if value.isascii() else value)
            if not any(self.booleans <= pair for pair in BOOLEANS):
                c.discard("boolean")
        if ("integer" in c or "number" in c) and sum(ch.isdigit() for ch in value) > EXACT_DIGITS:
            self.too_long = self.too_long or value
            c.discard("integer")
            c.discard("number")
        if "integer" in c and not INTEGER.match(value):
            c.discard("integer")
        if "number" in c and not NUMBER.match(value):
            c.discard("number")
        if "date" in c:
            self.date_formats = {
                f for f in self.date_formats if DATE_FORMATS[f].match(value) and _is_date(value, f)
            }
            if not self.date_formats:
                c.discard("date")
        if "datetime" in c and not _is_datetime(value):
            c.discard("datetime")

    def code_reason(self) -> tuple[str, str] | None:
        """Why a column of digits is kept as text (zh, en), or None when it is a number."""
        all_digits = self.values > 0 and -1 not in self.digit_widths
        if self.leading_zero:
            v = self.leading_zero
            return (
                f"有以 0 开头的值（如 {v}）：是代码，按文本保存，前导零不丢",
                f"values start with 0 (e.g. {v}): a code, kept as text so zeros stay",
            )
        if self.too_long:
            return (
                f"超过 {EXACT_DIGITS} 位数字：按文本保存，数值会被 Excel 等舍入",
                f"more than {EXACT_DIGITS} digits: kept as text, as a number it would be rounded",
            )
        if not all_digits:
            return None
        hint = CODE_TITLE.search(self.title)
        if hint:
            return (
                f"表头含“{hint.group(0).strip()}”：是代码，按文本保存",
                f"the header names a code ({hint.group(0).strip()}): kept as text",
            )
        if self.mobile:
            return ("每个值都是 11 位手机号码：按文本保存", "every value is a mobile number: text")
        widths = self.digit_widths
        if len(widths) == 1 and min(widths) >= CODE_WIDTH and not MEASURE_TITLE.search(self.title):
            w = min(widths)
            return (
                f"每个值都是 {w} 位数字（定长代码，如行政区划代码、邮政编码）：按文本保存；"
                "若是数量，改为 integer",
                f"every value has exactly {w} digits (a fixed-width code such as a division "
                "or postal code): kept as text; change to integer if it is a quantity",
            )
        return None

    def schema_field(self, name: str) -> dict[str, Any]:
        return self.infer(name)[0]

    def infer(self, name: str) -> tuple[dict[str, Any], tuple[str, str] | None]:
        """The Table Schema field, and why it is text although its values look like numbers."""
        out: dict[str, Any] = {"name": name, "type": "string", "title": self.title}
        if self.values == 0:
            return out, None
        reason = self.code_reason()
        for kind in ("boolean", "integer", "number", "date", "datetime"):
            if kind in self.candidates:
                if kind in ("integer", "number") and reason is not None:
                    break
                out["type"] = kind
                break
        if out["type"] == "boolean" and self.booleans <= {"是", "否"}:
            out["trueValues"], out["falseValues"] = ["是"], ["否"]
        if out["type"] == "date":
            fmt = "default" if "default" in self.date_formats else sorted(self.date_formats)[0]
            if fmt != "default":
                out["format"] = fmt
        return out, (reason if out["type"] == "string" else None)


# --- reading tables -----------------------------------------------------------------------


@dataclass
class Table:
    """One sheet or CSV file: a name hint, where it came from, and its rows as text."""

    label: str  # sheet name or file stem, used for the resource name and title
    source: str  # shown in messages
    rows: Iterator[list[str]]
    encoding: str = ""
    merges: list[Merge] = field(default_factory=list)


def _csv_rows(path: Path, encoding: str) -> Iterator[list[str]]:
    with open(path, encoding=encoding, newline="") as handle:
        sample = handle.read(SNIFF_BYTES)
        handle.seek(0)
        try:
            dialect: Any = csv.Sniffer().sniff(sample, delimiters=DELIMITERS)
        except csv.Error:
            dialect = csv.excel
        for row in csv.reader(handle, dialect):
            yield [cell.strip() for cell in row]


def _sheet_rows(path: Path, sheet: str, merges: list[Merge]) -> Iterator[list[str]]:
    from openpyxl import load_workbook

    wb = load_workbook(path, read_only=True, data_only=True)
    try:
        rows = (
            [cell_text(v).strip() for v in row] for row in wb[sheet].iter_rows(values_only=True)
        )
        yield from fill_merges(rows, merges)
    finally:
        wb.close()


def _sheet_merges(path: Path) -> dict[str, list[Merge]]:
    from openpyxl import load_workbook

    wb = load_workbook(path, read_only=True, data_only=True)
    try:
        out = {}
        for ws in wb.worksheets:
            with ws._get_source() as source:  # the sheet's XML: merges follow the cells
                out[ws.title] = read_merges(source)
        return out
    finally:
        wb.close()


def read_tables(path: Path) -> list[Table]:
    suffix = path.suffix.lower()
    if suffix in (".csv", ".txt", ".tsv"):
        encoding = detect_encoding(path)
        return [Table(path.stem, path.name, _csv_rows(path, encoding), encoding)]
    if suffix in (".xlsx", ".xlsm"):
        refusal = inspect_xlsx(path)  # a zip bomb is refused before openpyxl inflates it
        if refusal is not None:
            raise ImportFailed(
                "导入失败，未写入任何文件 / import failed; nothing was written: "
                f"{path.name}: {refusal.en}",
                [
                    Problem(
                        refusal.code,
                        f"{path.name}：{refusal.zh}",
                        f"{path.name}: {refusal.en}",
                        file=str(path),
                        **refusal.details(),
                    )
                ],
                f"{path.name}：{refusal.zh}",
                f"{path.name}: {refusal.en}",
            )
        try:
            merges = _sheet_merges(path)
        except Exception as exc:  # openpyxl raises zipfile, KeyError and its own errors
            raise _fail(
                f"{path.name} 不是有效的 Excel 工作簿：{exc}",
                f"{path.name} is not a valid Excel workbook: {exc}",
                file=str(path),
            ) from None
        return [
            Table(name, f"{path.name} [{name}]", _sheet_rows(path, name, m), merges=m)
            for name, m in merges.items()
        ]
    raise _fail(
        f"不支持的文件类型 {suffix or '（无扩展名）'}",
        f"unsupported file type {suffix or '(none)'}",
        file=str(path),
        expected=".csv 或 .xlsx",
        expected_en=".csv or .xlsx",
        found=suffix,
        hint="旧版 .xls 请用 Excel 另存为 .xlsx 或 CSV UTF-8",
        hint_en="save old .xls files as .xlsx or CSV UTF-8 first",
    )


# --- copying and inferring ----------------------------------------------------------------

LOSSY = re.compile(r"[\u3400-\u9fff]\?|\?[\u3400-\u9fff]|\ufffd")
LOSSY_ROWS = 10  # rows named in the warning


@dataclass
class ImportedResource:
    name: str
    title: str
    path: str  # relative to the dataset folder
    rows: int
    fields: list[dict[str, Any]]
    source_encoding: str
    skipped_blank_rows: int
    source: str = ""
    header_lines: list[int] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)  # title, unit and note rows
    notes: list[str] = field(default_factory=list)  # the note rows, for the README
    warnings: list[tuple[str, str]] = field(default_factory=list)  # (zh, en)
    reasons: dict[str, tuple[str, str]] = field(default_factory=dict)  # field -> why text
    suggested_title: str = ""  # the title row above the header, if any


def _too_many_cells(table: Table, line: int, cells: int, width: int) -> ImportFailed:
    return _fail(
        f"{table.source} 第 {line} 行有 {cells} 个单元格，多于表头的 {width} 列",
        f"{table.source} line {line} has {cells} cells, more than the {width} header columns",
        file=table.source,
        line=line,
        expected=f"{width} 列",
        expected_en=f"{width} columns",
        found=str(cells),
        hint="检查该行是否有多余的分隔符或未加引号的逗号；表头不在这一行之前时，用 "
        "--header-row N 指定表头所在行，--skip-footer N 跳过末尾 N 行说明",
        hint_en="look for a stray delimiter or an unquoted comma in that row; if the header "
        "is elsewhere, pass --header-row N, and --skip-footer N to leave out N note rows",
    )


def copy_table(
    table: Table,
    name: str,
    target: Path,
    header_row: int | None = None,
    skip_footer: int | None = None,
) -> ImportedResource | None:
    """Stream the table into target as UTF-8 CSV and infer its schema; None when empty.

    The first non-blank rows are held to find the header (sheetlayout.find_layout), the
    last ones to find the notes below the data (sheetlayout.footer_start); everything in
    between is streamed.
    """
    lines = ((n, raw) for n, raw in enumerate(table.rows, start=1))
    head: list[tuple[int, list[str]]] = []
    blank = 0
    for n, raw in lines:
        if any(raw):
            head.append((n, raw))
        if header_row is None and len(head) >= HEAD_WINDOW:
            break
        if header_row is not None and n >= header_row + 2:  # a second header row, units
            break
    if not head:
        return None
    layout, used = find_layout(head, header_row, table.merges)
    if not layout.header:
        return None
    header = [h.replace("\ufeff", "").replace("\n", " ").strip() for h in layout.header]
    width = len(header)
    titles = []
    for col, h in enumerate(header):
        unit = layout.units[col] if col < len(layout.units) else ""
        titles.append(f"{h}（{unit}）" if unit and f"（{unit}）" not in h else h)
    guesses = [ColumnGuess(t) for t in titles]
    names = field_names(header)
    lossy: dict[int, list[int]] = {}
    rows = 0
    last_header = layout.header_lines[-1]

    def body() -> Iterator[tuple[int, list[str]]]:
        yield from head[used:]
        yield from lines

    tmp = target.with_name(f".{target.name}.importing")
    window: list[tuple[int, list[str]]] = []
    hold = FOOT_WINDOW if skip_footer is None else skip_footer
    try:
        with open(tmp, "w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(names)

            def write(line: int, raw: list[str]) -> None:
                nonlocal rows
                if len(raw) > width:
                    if any(raw[width:]):
                        raise _too_many_cells(table, line, len(raw), width)
                    raw = raw[:width]
                row = raw + [""] * (width - len(raw))
                for col, (guess, value) in enumerate(zip(guesses, row, strict=True)):
                    guess.add(value)
                    if "?" in value or "\ufffd" in value:
                        if LOSSY.search(value):
                            lossy.setdefault(col, []).append(line)
                writer.writerow(row)
                rows += 1

            for line, raw in body():
                if not any(raw):
                    blank += 1
                    continue
                window.append((line, raw))
                if len(window) > hold:
                    write(*window.pop(0))
            cut = footer_start(window) if skip_footer is None else max(len(window) - hold, 0)
            for line, raw in window[:cut]:
                write(line, raw)
            notes = window[cut:]
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    fields, reasons = [], {}
    for guess, fname in zip(guesses, names, strict=True):
        spec, why = guess.infer(fname)
        fields.append(spec)
        if why:
            reasons[fname] = why
    if layout.table_unit:
        for spec in fields:
            if spec["type"] in ("integer", "number") and "（" not in spec["title"]:
                spec["title"] = f"{spec['title']}（{layout.table_unit}）"
    skipped = list(layout.skipped)
    note_texts = []
    for line, raw in notes:
        text = " ".join(dict.fromkeys(c for c in raw if c))
        note_texts.append(text)
        skipped.append(Skipped(line, "note", text))
    warnings = []
    for col, found in sorted(lossy.items()):
        shown = "、".join(str(n) for n in found[:LOSSY_ROWS]) + (
            "…" if len(found) > LOSSY_ROWS else ""
        )
        shown_en = ", ".join(str(n) for n in found[:LOSSY_ROWS]) + (
            ", …" if len(found) > LOSSY_ROWS else ""
        )
        warnings.append(
            (
                f"{table.source} 字段“{titles[col]}”有 {len(found)} 行的汉字被替换成了 ? 或 �"
                f"（第 {shown} 行）：导出时丢失了字符。"
                "请从原系统另存为 UTF-8 或 GB18030 后重新导入",
                f"{table.source} field {names[col]}: {len(found)} rows have ? or � where a "
                f"Chinese character should be (lines {shown_en}): characters were lost on "
                "export. Export again as UTF-8 or GB18030 and re-import",
            )
        )
    data_merges = [m for m in table.merges if m.row1 > last_header]
    if data_merges:
        refs = ", ".join(m.ref for m in data_merges[:10]) + (", …" if len(data_merges) > 10 else "")
        warnings.append(
            (
                f"{table.source} 数据区有 {len(data_merges)} 个合并单元格（{refs}）：其值已填入"
                "所合并的每个单元格，请核对",
                f"{table.source} has {len(data_merges)} merged cells in its data ({refs}): "
                "their value was copied into every cell they cover; please check",
            )
        )
    titles_above = [s.text for s in layout.skipped if s.kind == "title"]
    return ImportedResource(
        name=name,
        title=table.label,
        path=f"data/{target.name}",
        rows=rows,
        fields=fields,
        source_encoding=table.encoding,
        skipped_blank_rows=blank,
        source=table.source,
        header_lines=layout.header_lines,
        skipped=skipped,
        notes=note_texts,
        warnings=warnings,
        reasons=reasons,
        suggested_title=titles_above[0] if titles_above else "",
    )
