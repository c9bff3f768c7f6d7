"""Data findings as problems for people: what is wrong, where, and how to fix it.

Reports end up in terminals, CI logs, ``check --json`` and the preview overlay, so a message
quotes a cell only of open data without ``sensitive`` fields; for everything else it gives
row, field, the kind of problem and the shape of the value (:func:`cell_shown`).
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, replace

from ..errors import Problem
from ..model import Dataset, Resource
from ..policy import (
    publishes_data,
)
from .findings import Finding, ResourceFindings

# --- data problems for the report ----------------------------------------------------------

TYPE_NAMES_ZH = {
    "integer": "整数",
    "number": "数字",
    "boolean": "布尔值（true/false）",
    "date": "日期 YYYY-MM-DD",
    "datetime": "日期时间 YYYY-MM-DDThh:mm:ss",
    "time": "时间 hh:mm:ss",
    "year": "年份 YYYY",
    "yearmonth": "年月 YYYY-MM",
    "string": "文本",
    "geopoint": "经纬度 “经度,纬度”",
    "duration": "时长（ISO 8601）",
    "object": "JSON 对象",
    "array": "JSON 数组",
}
TYPE_HINTS = {
    "integer": (
        "只写数字，不带单位、小数点和千分位逗号",
        "digits only, without units or separators",
    ),
    "number": ("只写数字，不带单位和千分位逗号", "a plain number, without units or separators"),
    "date": ("日期写作 2026-01-31", "write dates as 2026-01-31"),
    "datetime": ("写作 2026-01-31T08:30:00", "write 2026-01-31T08:30:00"),
    "boolean": ("写作 true 或 false", "write true or false"),
    "year": ("写作四位年份，例如 2026", "write a four-digit year"),
}
CONSTRAINT_ZH = {
    "required": "必填，但该单元格为空",
    "unique": "值必须唯一",
    "minimum": "不能小于 {v}",
    "maximum": "不能大于 {v}",
    "exclusiveMinimum": "必须大于 {v}",
    "exclusiveMaximum": "必须小于 {v}",
    "minLength": "长度不能少于 {v}",
    "maxLength": "长度不能超过 {v}",
    "pattern": "必须符合模式 {v}",
    "enum": "必须是以下之一：{v}",
}
CONSTRAINT_EN = {
    "required": "is required but the cell is empty",
    "unique": "must be unique",
    "minimum": "must not be less than {v}",
    "maximum": "must not be greater than {v}",
    "exclusiveMinimum": "must be greater than {v}",
    "exclusiveMaximum": "must be less than {v}",
    "minLength": "must be at least {v} characters long",
    "maxLength": "must be at most {v} characters long",
    "pattern": "must match the pattern {v}",
    "enum": "must be one of: {v}",
}


def _describe(
    res: Resource, f: Finding, shown: CellShown | None = None
) -> tuple[str, str, str, str, str, str]:
    """(zh, en, expected zh, expected en, hint zh, hint en) for one finding.

    ``shown``: how the cell may appear in the message (:func:`cell_shown`); by default the
    cell itself, for open data."""
    shown = shown or CellShown(f"“{f.cell}”", repr(f.cell), f.cell, True)
    where_zh = f"第 {f.row} 行" if f.row else ""
    where_en = f"row {f.row}" if f.row else ""
    field_type = next((x.type for x in res.fields if x.name == f.field), "")
    if f.type == "type-error":
        exp = TYPE_NAMES_ZH.get(field_type, field_type)
        hint = TYPE_HINTS.get(field_type, ("改正该单元格，或修改 schema 中的类型", "fix the cell"))
        return (
            f"{where_zh}字段 {f.field} 的值{shown.zh}不是{exp}",
            f"{where_en}, field {f.field}: {shown.en} is not of type {field_type}",
            exp,
            field_type,
            hint[0] + "；若本列本来就是文本，把 schema 中的 type 改为 string",
            hint[1] + "; if the column is really text, change its type to string",
        )
    if f.type == "constraint-error":
        m = re.search(r'constraint "(\w+)" is "(.*)"', f.note)
        name, value = (m.group(1), m.group(2)) if m else ("", "")
        if name == "required":
            value = "true"
        value_zh = value_en = value
        if name == "enum":
            try:
                options = ast.literal_eval(value)
            except (ValueError, SyntaxError):
                options = None
            if isinstance(options, list):
                value_zh = "、".join(str(o) for o in options)
                value_en = ", ".join(str(o) for o in options)
        zh = CONSTRAINT_ZH.get(name, "不满足约束 " + name).format(v=value_zh)
        en = CONSTRAINT_EN.get(name, "violates the constraint " + name).format(v=value_en)
        cell = shown.zh if f.cell else ""
        cell_en = f" {shown.en}" if f.cell else ""
        return (
            f"{where_zh}字段 {f.field} 的值{cell}{zh}",
            f"{where_en}, field {f.field}:{cell_en} {en}",
            f"{name}: {value_zh}",
            f"{name}: {value_en}",
            "改正该单元格，或在 schema 的 constraints 中放宽约束",
            "fix the cell, or relax the constraint in the schema",
        )
    if f.type == "primary-key":
        m = re.search(r"position \"?(\d+)\"?", f.note)
        cells = "、".join(f.cells) if f.cells else ""
        zh_what = f"与第 {m.group(1)} 行重复" if m else "为空"
        en_what = f"repeats row {m.group(1)}" if m else "is empty"
        return (
            f"{where_zh}的主键{zh_what}",
            f"{where_en}: the primary key {en_what}",
            "每行唯一的主键",
            "a unique primary key in every row",
            (f"该行内容：{cells[:60]}；" if cells and shown.visible else "")
            + "删除重复行或改正主键",
            "delete the duplicate row or fix its key",
        )
    if f.type == "foreign-key":
        m = re.search(r'lookup table "([^"]*)"', f.note)
        table = m.group(1) if m else ""
        return (
            f"{where_zh}的外键值在资源 {table} 中找不到",
            f"{where_en}: the foreign key value is not found in resource {table}",
            f"资源 {table} 中已有的值",
            f"a value present in resource {table}",
            f"在 {table} 中补上该值，或改正本行"
            + (f"；frictionless：{f.note}" if shown.visible else ""),
            f"add the value to {table} or fix this row"
            + (f"; frictionless: {f.note}" if shown.visible else ""),
        )
    if f.type == "unique-error":
        m = re.search(r"position \"?(\d+)\"?", f.note)
        other = m.group(1) if m else "?"
        return (
            f"{where_zh}字段 {f.field} 的值{shown.zh}与第 {other} 行重复",
            f"{where_en}, field {f.field}: {shown.en} repeats row {other}",
            "唯一值",
            "a unique value",
            "删除重复行或改正该值",
            "delete the duplicate row or fix the value",
        )
    if f.type == "blank-row" and res.format == "xlsx":
        # In a workbook a row that looks full can read as blank: formulas whose results
        # were never saved (a file written by a program, not by Excel) have no value.
        return (
            f"{where_zh}是空行，或只有未保存计算结果的公式",
            f"{where_en} is blank, or holds only formulas whose results were never saved",
            "有值的行",
            "a row with values",
            "删除该空行；若该行有公式，用 Excel 或 WPS 打开后保存一次（会存下计算结果）再导入",
            "delete the blank row; if it holds formulas, open the file in Excel or WPS and "
            "save it once (that stores their results)",
        )
    if f.type in ("missing-cell", "extra-cell", "blank-row"):
        zh = {
            "missing-cell": f"{where_zh}缺少字段 {f.field} 的单元格（该行的列数少于表头）",
            "extra-cell": f"{where_zh}多出一个单元格{shown.zh}（该行的列数多于表头）",
            "blank-row": f"{where_zh}是空行",
        }[f.type]
        en = {
            "missing-cell": f"{where_en} has no cell for field {f.field} (fewer cells than the "
            "header)",
            "extra-cell": f"{where_en} has an extra cell {shown.en} (more cells than the header)",
            "blank-row": f"{where_en} is blank",
        }[f.type]
        return (
            zh,
            en,
            "与表头相同的列数",
            "as many cells as the header",
            "检查该行的逗号和引号（含逗号的文本要用英文双引号括起来）",
            "check commas and quotes on that row (quote text that contains commas)",
        )
    if f.type.endswith("-label"):
        # a file without its header row has data where the labels should be
        said = (f.note or f.message) if shown.visible else f.type
        n = f.field_number or "?"
        label = f"“{f.cell}”" if shown.visible and f.cell else ""
        said_zh = {  # in Chinese, never frictionless's English
            "blank-label": "该列表头为空",
            "duplicate-label": f"表头{label}与前面的列重名",
            "missing-label": f"缺少该列的表头（schema 中为 {f.field}）",
            "incorrect-label": f"表头是{label}，schema 中该列为 {f.field}",
        }.get(f.type, f"表头有误（{f.type}）")
        return (
            f"表头第 {n} 列与 schema 不符：{said_zh}",
            f"header column {n} does not match the schema: {said}",
            "与 schema 中 fields 的 name 一致、顺序相同的表头",
            "a header with the schema's field names, in order",
            "让 CSV 的第一行与 schema 的字段 name 一一对应",
            "make the first row of the file list the schema's field names, in order",
        )
    return (
        f"数据错误（{f.type}），详见英文说明：kaifang check --lang en",
        f"data error ({f.type})" + (f": {f.message}" if shown.visible and f.message else ""),
        "",
        "",
        "",
        "",
    )


@dataclass(frozen=True)
class CellShown:
    """How one cell may appear in a message: itself (open data), or only its shape."""

    zh: str
    en: str
    found: str  # for the problem's ``found`` field
    visible: bool


def shows_cells(ds: Dataset, res: Resource) -> bool:
    """Whether messages about this resource may quote its cells.

    Only for open data with no field declared ``sensitive``: reports end up in terminals, CI
    logs and the preview overlay, and one unquoted comma shifts a row, so a sensitive
    value can stand in any column of a shifted row. Everything else shows row, field, the
    kind of problem and the shape of the value, never the value."""
    return publishes_data(ds.open_type) and not any(x.raw.get("sensitive") for x in res.fields)


_SHAPES = (
    ("汉字", "Chinese", lambda c: "\u3400" <= c <= "\u9fff" or "\uf900" <= c <= "\ufaff"),
    ("数字", "digits", str.isdigit),
    ("字母", "letters", lambda c: c.isascii() and c.isalpha()),
    ("空格", "spaces", str.isspace),
)


def cell_shape(value: str) -> tuple[str, str]:
    """A cell described without its content: length and kinds of characters."""
    kinds = [(zh, en) for zh, en, test in _SHAPES if any(test(c) for c in value)]
    if any(not any(test(c) for _, _, test in _SHAPES) for c in value):  # punctuation and the rest
        kinds.append(("符号", "symbols"))
    zh = "、".join(k[0] for k in kinds) or "空"
    en = ", ".join(k[1] for k in kinds) or "empty"
    return (
        f"（值不显示：{len(value)} 个字符，含{zh}）",
        f"(value not shown: {len(value)} characters: {en})",
    )


def cell_shown(ds: Dataset, res: Resource, f: Finding) -> CellShown:
    if shows_cells(ds, res):
        return CellShown(f"“{f.cell}”", repr(f.cell), f.cell, True)
    zh, en = cell_shape(f.cell)
    return CellShown(zh, en, "", False)


def kept_finding(ds: Dataset, res: Resource, f: Finding) -> Finding:
    """The finding as a report may keep it (reports are cached and returned by check
    --json): no cell, row or frictionless text of a resource whose cells are not shown."""
    if shows_cells(ds, res):
        return f
    return replace(f, cell="", cells=(), note="", message="")


def data_problems(ds: Dataset, res: Resource, found: ResourceFindings) -> list[Problem]:
    rel = f"datasets/{ds.id}/{res.path}"
    problems = []
    for f in found.kept:
        shown = cell_shown(ds, res, f)
        zh, en, exp, exp_en, hint, hint_en = _describe(res, f, shown)
        problems.append(
            Problem(
                f"data-{f.type}",
                f"资源 {res.name}：{zh}",
                f"resource {res.name}: {en}",
                file=rel,
                dataset=ds.id,
                resource=res.name,
                row=f.row,
                field=f.field,
                expected=exp,
                expected_en=exp_en if exp_en != exp else "",
                found=shown.found,
                hint=hint,
                hint_en=hint_en,
            )
        )
    if found.total > len(found.kept):
        rest = found.total - len(found.kept)
        kinds = "、".join(f"{k} {n}" for k, n in sorted(found.by_type.items()))
        kinds_en = ", ".join(f"{k} {n}" for k, n in sorted(found.by_type.items()))
        problems.append(
            Problem(
                "data-errors-capped",
                f"资源 {res.name} 共有 {found.total} 个数据错误（{kinds}），以上只列出前 "
                f"{len(found.kept)} 个，另有 {rest} 个未列出",
                f"resource {res.name} has {found.total} data errors ({kinds_en}); the first "
                f"{len(found.kept)} are listed, {rest} more are not",
                file=rel,
                dataset=ds.id,
                resource=res.name,
                found=str(found.total),
                hint="改正以上错误后重新检查；同类错误通常有同一个原因",
                hint_en="fix the errors above and check again; errors of one kind usually share "
                "a cause",
            )
        )
    return problems
