"""Where the table is in an office sheet: title rows, the header, a unit row, notes.

A sheet exported from an office system rarely starts with its header. Above it there is a
title (省份（2024年）) and perhaps "单位：万元"; the header may span two rows with merged
cells (2024年 over 收入 and 支出); below the data come notes (注：……, 填报单位：……).
This module finds the header among the first rows and the notes among the last ones,
conservatively: a row is only skipped when it cannot be a row of the table (one value, or
a "key：value" line), and everything skipped is reported, never dropped silently.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO

HEAD_WINDOW = 30  # non-blank rows looked at to find the header
FOOT_WINDOW = 20  # non-blank rows held back at the end to find notes

NOTE_PREFIX = re.compile(
    r"^\s*(注|附注|备注|说明|填报单位|填报人|填表人|填报日期|制表(人|日期|单位)?|审核人?|"
    r"(单位|统计)?负责人|数据来源|资料来源|来源|Notes?|Sources?)"
    r"\s*\d*\s*[:：.、,，)）]",
    re.IGNORECASE,
)
META_LINE = re.compile(r"^\s*[^:：\d]{1,12}[:：]")  # 填报单位：…, 单位：万元, 制表日期：…
TABLE_UNIT = re.compile(r"^\s*(计量)?单位\s*[:：]\s*(?P<unit>\S.{0,15}?)\s*$")
UNITS = {
    "元", "万元", "亿元", "千元", "人", "万人", "人次", "万人次", "个", "家", "户", "万户",
    "辆", "吨", "万吨", "公里", "千米", "米", "平方米", "万平方米", "平方公里", "公顷",
    "亩", "%", "‰", "千瓦时", "万千瓦时", "件", "次", "所", "张", "台", "项", "条", "座",
    "岁", "天", "小时", "分钟", "kg", "km", "m", "m²", "km²", "mm", "℃", "床",
}  # fmt: skip
BRACKETED = re.compile(r"^\s*[（(]\s*(单位\s*[:：]\s*)?(?P<unit>[^()（）]{1,10}?)\s*[)）]\s*$")
PREFIXED = re.compile(r"^\s*单位\s*[:：]\s*(?P<unit>\S.{0,9}?)\s*$")
NUMERIC = re.compile(r"^[+-]?[\d,]*\.?\d+%?$")
CELL_REF = re.compile(rb"<(?:\w+:)?mergeCell\s+ref=\"([A-Z]{1,3})(\d+):([A-Z]{1,3})(\d+)\"")


# --- merged cells in a worksheet ------------------------------------------------------------


def _column(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n


@dataclass(frozen=True)
class Merge:
    """A merged range, 1-based and inclusive, as Excel shows it (A5:A8)."""

    row1: int
    col1: int
    row2: int
    col2: int
    ref: str

    def covers(self, row: int, col: int) -> bool:
        return self.row1 <= row <= self.row2 and self.col1 <= col <= self.col2


def read_merges(source: IO[bytes]) -> list[Merge]:
    """The merged ranges of one sheet's XML, scanned in chunks (they follow the data)."""
    found: set[Merge] = set()
    tail = b""
    while chunk := source.read(1 << 20):
        buf = tail + chunk
        for m in CELL_REF.finditer(buf):
            c1, r1, c2, r2 = m.groups()
            ref = f"{c1.decode()}{int(r1)}:{c2.decode()}{int(r2)}"
            found.add(Merge(int(r1), _column(c1), int(r2), _column(c2), ref))
        tail = buf[-200:]
    return sorted(found, key=lambda m: (m.row1, m.col1))


def fill_merges(rows: Iterator[list[str]], merges: list[Merge]) -> Iterator[list[str]]:
    """Give every cell of a merged range the range's value (Excel shows it in each).

    openpyxl returns the value in the top-left cell only; left as it is, a merged 地区
    over four rows would be empty in three of them, and a merged 2024年 over two columns
    would name only the first.
    """
    if not merges:
        yield from rows
        return
    values: dict[Merge, str] = {}
    for line, row in enumerate(rows, start=1):
        active = [m for m in merges if m.row1 <= line <= m.row2]
        if active:
            row = list(row)
            for m in active:
                if line == m.row1:
                    values[m] = row[m.col1 - 1] if m.col1 - 1 < len(row) else ""
                if len(row) < m.col2:
                    row.extend([""] * (m.col2 - len(row)))
                for col in range(m.col1, m.col2 + 1):
                    if not row[col - 1]:
                        row[col - 1] = values.get(m, "")
        yield row


# --- header, units, notes -------------------------------------------------------------------


@dataclass
class Skipped:
    line: int
    kind: str  # title, unit, note
    text: str


@dataclass
class Layout:
    header: list[str]
    header_lines: list[int]
    units: list[str]  # per column, "" when none
    table_unit: str  # from a 单位：万元 line above the header
    skipped: list[Skipped] = field(default_factory=list)


def _values(row: list[str]) -> list[str]:
    return [c for c in row if c]


def _distinct(row: list[str]) -> list[str]:
    return list(dict.fromkeys(_values(row)))


def is_preamble(row: list[str], width: int) -> bool:
    """A row above the header that cannot be the header: one value, or key：value lines."""
    distinct = _distinct(row)
    if width >= 2 and len(distinct) <= 1:
        return True
    return bool(distinct) and all(META_LINE.match(v) for v in distinct)


def unit_of(cell: str) -> str | None:
    m = BRACKETED.match(cell) or PREFIXED.match(cell)
    if m:
        return m.group("unit")
    return cell.strip() if cell.strip() in UNITS else None


def is_unit_row(row: list[str]) -> bool:
    """A row under the header naming each column's unit: （万元）, 单位：人, 吨 …"""
    values = [c for c in row if c and c != "单位"]
    return bool(values) and all(unit_of(c) is not None for c in values)


def _is_subheader(header: list[str], row: list[str]) -> bool:
    """The second row of a two-row header in a file without merge information (CSV).

    It holds labels, not values; it fills a gap of the header (under a merged 上半年),
    and it is empty under some header cell (a 地区 merged down over both rows).
    """
    values = _values(row)
    if not values or any(NUMERIC.match(v) for v in values):
        return False
    fills_gap = any(c and (i >= len(header) or not header[i]) for i, c in enumerate(row))
    under_merged = any(h and (i >= len(row) or not row[i]) for i, h in enumerate(header))
    return fills_gap and under_merged


def _join_header(top: list[str], bottom: list[str], fill_right: bool) -> list[str]:
    width = max(len(top), len(bottom))
    top = top + [""] * (width - len(top))
    bottom = bottom + [""] * (width - len(bottom))
    if fill_right:  # a CSV keeps only the first cell of a merged 2024年: carry it right
        carried, last = [], ""
        for i, c in enumerate(top):
            if c:
                last = c
            carried.append(c or (last if bottom[i] else ""))
        top = carried
    out = []
    for a, b in zip(top, bottom, strict=True):
        out.append(a if not b or a == b else (b if not a else f"{a} {b}"))
    return out


def find_layout(
    rows: list[tuple[int, list[str]]], header_row: int | None, merged: list[Merge]
) -> tuple[Layout, int]:
    """The layout of the first non-blank rows, and how many of them it consumed."""
    width = max((len(_distinct(r)) for _, r in rows), default=0)
    skipped: list[Skipped] = []
    table_unit = ""
    i = 0
    if header_row is not None:
        while i < len(rows) and rows[i][0] < header_row:
            skipped.append(Skipped(rows[i][0], "title", " ".join(_distinct(rows[i][1]))))
            i += 1
    else:
        while i < len(rows) - 1 and is_preamble(rows[i][1], width):
            text = " ".join(_distinct(rows[i][1]))
            unit = TABLE_UNIT.match(text)
            if unit:
                table_unit = unit.group("unit")
            skipped.append(Skipped(rows[i][0], "unit" if unit else "title", text))
            i += 1
    if i >= len(rows):
        return Layout([], [], [], table_unit, skipped), i
    line, header = rows[i]
    header_lines = [line]
    i += 1
    if i < len(rows):
        nxt_line, nxt = rows[i]
        spans = [m for m in merged if m.row1 == line and (m.row2 > line or m.col2 > m.col1)]
        two_rows = (
            bool(spans) and nxt_line == line + 1 and not is_unit_row(nxt)
            if merged
            else header_row is None and _is_subheader(header, nxt)
        )
        if two_rows:
            header = _join_header(header, nxt, fill_right=not merged)
            header_lines.append(nxt_line)
            i += 1
    while header and not header[-1]:
        header = header[:-1]  # Excel pads rows with empty trailing cells
    units = [""] * len(header)
    if i < len(rows) and is_unit_row(rows[i][1]):
        unit_line, row = rows[i]
        for col, cell in enumerate(row[: len(header)]):
            if cell and cell != "单位":
                units[col] = unit_of(cell) or ""
        skipped.append(Skipped(unit_line, "unit", " ".join(_values(row))))
        i += 1
    return Layout(header, header_lines, units, table_unit, skipped), i


def footer_start(rows: list[tuple[int, list[str]]]) -> int:
    """Index of the first note row among the last rows of a table (len(rows) if none).

    Notes are the trailing block of rows that each hold one value or start like a note
    (注：, 说明, 填报单位：, 数据来源 …), beginning at the first that starts like a note: a
    data row with a single value just above 注： stays data.
    """
    start = len(rows)
    while start > 0:
        row = rows[start - 1][1]
        first = next((c for c in row if c), "")
        if NOTE_PREFIX.match(first) or len(_distinct(row)) <= 1:
            start -= 1
        else:
            break
    for j in range(start, len(rows)):
        first = next((c for c in rows[j][1] if c), "")
        if NOTE_PREFIX.match(first):
            return j
    return len(rows)
