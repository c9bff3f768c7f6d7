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
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..catalog.encoding import detect_file
from ..catalog.limits import inspect_xlsx
from ..catalog.loader import SLUG
from ..catalog.placeholders import TO_FILL, UNDECIDED
from ..data.reader import _cell_text
from ..errors import KaifangError, Problem

NAME_LIMIT = 48
SNIFF_BYTES = 64 * 1024
DELIMITERS = ",\t;|"


class ImportFailed(KaifangError):
    """The file cannot be imported; nothing was written."""


def _fail(zh: str, en: str, **where: Any) -> ImportFailed:
    return ImportFailed(
        f"导入失败，未写入任何文件 / import failed; nothing was written: {en}",
        [Problem("import", zh, en, **where)],
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


@dataclass
class ColumnGuess:
    """The types a column can still have, narrowed by every non-empty value seen."""

    title: str
    candidates: set[str] = field(
        default_factory=lambda: {"boolean", "integer", "number", "date", "datetime"}
    )
    date_formats: set[str] = field(default_factory=lambda: set(DATE_FORMATS))
    booleans: set[str] = field(default_factory=set)
    values: int = 0

    def add(self, value: str) -> None:
        if value == "":
            return
        self.values += 1
        c = self.candidates
        if not c:
            return
        if "boolean" in c:
            self.booleans.add(value.lower() if value.isascii() else value)
            if not any(self.booleans <= pair for pair in BOOLEANS):
                c.discard("boolean")
        if ("integer" in c or "number" in c) and sum(ch.isdigit() for ch in value) > EXACT_DIGITS:
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

    def schema_field(self, name: str) -> dict[str, Any]:
        out: dict[str, Any] = {"name": name, "type": "string", "title": self.title}
        if self.values == 0:
            return out
        for kind in ("boolean", "integer", "number", "date", "datetime"):
            if kind in self.candidates:
                out["type"] = kind
                break
        if out["type"] == "boolean" and self.booleans <= {"是", "否"}:
            out["trueValues"], out["falseValues"] = ["是"], ["否"]
        if out["type"] == "date":
            fmt = "default" if "default" in self.date_formats else sorted(self.date_formats)[0]
            if fmt != "default":
                out["format"] = fmt
        return out


# --- reading tables -----------------------------------------------------------------------


@dataclass
class Table:
    """One sheet or CSV file: a name hint, where it came from, and its rows as text."""

    label: str  # sheet name or file stem, used for the resource name and title
    source: str  # shown in messages
    rows: Iterator[list[str]]
    encoding: str = ""


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


def _sheet_rows(path: Path, sheet: str) -> Iterator[list[str]]:
    from openpyxl import load_workbook

    wb = load_workbook(path, read_only=True, data_only=True)
    try:
        for row in wb[sheet].iter_rows(values_only=True):
            yield [_cell_text(v).strip() for v in row]
    finally:
        wb.close()


def read_tables(path: Path) -> list[Table]:
    suffix = path.suffix.lower()
    if suffix in (".csv", ".txt", ".tsv"):
        encoding = detect_encoding(path)
        return [Table(path.stem, path.name, _csv_rows(path, encoding), encoding)]
    if suffix in (".xlsx", ".xlsm"):
        from openpyxl import load_workbook

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
            )
        try:
            wb = load_workbook(path, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises zipfile, KeyError and its own errors
            raise _fail(
                f"{path.name} 不是有效的 Excel 工作簿：{exc}",
                f"{path.name} is not a valid Excel workbook: {exc}",
                file=str(path),
            ) from None
        names = list(wb.sheetnames)
        wb.close()
        return [Table(name, f"{path.name} [{name}]", _sheet_rows(path, name)) for name in names]
    raise _fail(
        f"不支持的文件类型 {suffix or '（无扩展名）'}",
        f"unsupported file type {suffix or '(none)'}",
        file=str(path),
        expected=".csv 或 .xlsx",
        found=suffix,
        hint="旧版 .xls 请用 Excel 另存为 .xlsx 或 CSV UTF-8",
        hint_en="save old .xls files as .xlsx or CSV UTF-8 first",
    )


# --- copying and inferring ----------------------------------------------------------------


@dataclass
class ImportedResource:
    name: str
    title: str
    path: str  # relative to the dataset folder
    rows: int
    fields: list[dict[str, Any]]
    source_encoding: str
    skipped_blank_rows: int


def copy_table(table: Table, name: str, target: Path) -> ImportedResource | None:
    """Stream the table into target as UTF-8 CSV and infer its schema; None when empty."""
    header: list[str] | None = None
    guesses: list[ColumnGuess] = []
    rows = blank = 0
    tmp = target.with_name(f".{target.name}.importing")
    try:
        with open(tmp, "w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            for line, raw in enumerate(table.rows, start=1):
                if not any(raw):
                    if header is not None:
                        blank += 1
                    continue
                if header is None:
                    while raw and not raw[-1]:
                        raw = raw[:-1]  # Excel pads rows with empty trailing cells
                    header = [h.replace("\ufeff", "").replace("\n", " ").strip() for h in raw]
                    guesses = [ColumnGuess(h) for h in header]
                    names = field_names(header)
                    writer.writerow(names)
                    continue
                if len(raw) > len(header):
                    if any(raw[len(header) :]):
                        raise _fail(
                            f"{table.source} 第 {line} 行有 {len(raw)} 个单元格，"
                            f"多于表头的 {len(header)} 列",
                            f"{table.source} line {line} has {len(raw)} cells, more than the "
                            f"{len(header)} header columns",
                            file=table.source,
                            line=line,
                            expected=f"{len(header)} 列",
                            found=f"{len(raw)} 列",
                            hint="检查该行是否有多余的分隔符或未加引号的逗号",
                            hint_en="look for a stray delimiter or an unquoted comma in that row",
                        )
                    raw = raw[: len(header)]
                row = raw + [""] * (len(header) - len(raw))
                for guess, value in zip(guesses, row, strict=True):
                    guess.add(value)
                writer.writerow(row)
                rows += 1
        if header is None:
            tmp.unlink()
            return None
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return ImportedResource(
        name=name,
        title=table.label,
        path=f"data/{target.name}",
        rows=rows,
        fields=[g.schema_field(n) for g, n in zip(guesses, names, strict=True)],
        source_encoding=table.encoding,
        skipped_blank_rows=blank,
    )


# --- the descriptor -----------------------------------------------------------------------

DESCRIPTOR_HEAD = """\
# 由 kaifang import 从 {source} 生成。标记为“{fill}”或“{undecided}”的项必须由人填写，
# 填好之前 kaifang check 会报错，网站不会发布这个数据集。
# Generated by kaifang import from {source}. Keys marked "{fill}" or "{undecided}" must be
# filled in by a person; until then kaifang check fails and nothing is published.
name: {id}
title: {fill}  # 建议 / suggested: {title}
# title_en: ...
description: {fill}  # 一段摘要：数据内容、来源、统计口径 / what the data is, where it comes from
publisher: {fill}  # publishers.yaml 中的部门 id{publisher_hint}
theme: {fill}  # site.yaml 中 themes 的 id{theme_hint}
keywords: []
# 开放类型：无条件开放 / 有条件开放 / 非开放。系统不会默认开放。
# Open type: decide it; nothing is ever open by default.
open_type: {undecided}
# legal_basis: 《……》第……条  # 有条件开放、非开放必填 / required unless open
# open_conditions: ……        # 有条件开放必填 / required when conditional
update_frequency: {fill}  # site.yaml 中 frequencies 的 id{frequency_hint}
issued: {fill}  # 发布日期 YYYY-MM-DD
modified: {fill}  # 更新日期 YYYY-MM-DD
"""


def _hint(values: list[str]) -> str:
    return f"：{', '.join(values[:12])}" if values else ""


def _vocabulary(catalog_dir: Path) -> tuple[list[str], list[str], list[str]]:
    """Publisher, theme and frequency ids of the catalog, for the comments."""

    def load(name: str) -> Any:
        try:
            return yaml.safe_load((catalog_dir / name).read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError):
            return None

    site = load("site.yaml") or {}
    pubs = load("publishers.yaml") or []

    def ids(items: Any) -> list[str]:
        return [str(x["id"]) for x in items or [] if isinstance(x, dict) and "id" in x]

    return (
        ids(pubs if isinstance(pubs, list) else []),
        ids(site.get("themes") if isinstance(site, dict) else []),
        ids(site.get("frequencies") if isinstance(site, dict) else []),
    )


def resource_descriptor(res: ImportedResource) -> dict[str, Any]:
    return {
        "name": res.name,
        "title": res.title,
        "path": res.path,
        "format": "csv",
        "encoding": "utf-8",
        "schema": {"fields": res.fields},
    }


def _dump(data: Any) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)


def new_descriptor_text(
    catalog_dir: Path, ds_id: str, source: str, title: str, resources: list[ImportedResource]
) -> str:
    publishers, themes, frequencies = _vocabulary(catalog_dir)
    head = DESCRIPTOR_HEAD.format(
        source=source,
        id=ds_id,
        title=title,
        fill=TO_FILL,
        undecided=UNDECIDED,
        publisher_hint=_hint(publishers),
        theme_hint=_hint(themes),
        frequency_hint=_hint(frequencies),
    )
    body = _dump({"resources": [resource_descriptor(r) for r in resources]})
    return head + body


# --- the command --------------------------------------------------------------------------


@dataclass
class ImportResult:
    dataset: str
    folder: Path
    created: bool  # a new dataset, or resources added to an existing one
    resources: list[ImportedResource]
    skipped_sheets: list[str]


def _check_catalog(catalog_dir: Path) -> None:
    if not (catalog_dir / "site.yaml").is_file():
        raise _fail(
            f"{catalog_dir} 不是 Kaifang 目录（缺少 site.yaml）",
            f"{catalog_dir} is not a Kaifang catalog (no site.yaml)",
            file=str(catalog_dir / "site.yaml"),
            hint="用 --catalog 指定目录，或先运行 kaifang new catalog DIR",
            hint_en="pass --catalog DIR, or create one with: kaifang new catalog DIR",
        )


def import_file(
    source: Path, catalog_dir: Path, dataset_id: str | None = None, replace: bool = False
) -> ImportResult:
    """Import a CSV or XLSX file into a new dataset, or add its tables to an existing one."""
    _check_catalog(catalog_dir)
    if not source.is_file():
        raise _fail(f"找不到文件 {source}", f"file {source} not found", file=str(source))
    ds_id = dataset_id or slug(source.stem, "-", "dataset")
    if not SLUG.match(ds_id):
        raise _fail(
            f"数据集 id {ds_id!r} 无效",
            f"dataset id {ds_id!r} is invalid",
            expected="小写字母、数字、连字符 / a-z 0-9 -",
            found=ds_id,
            hint="用 --dataset 指定，例如 --dataset bus-lines",
            hint_en="pass one with --dataset, e.g. --dataset bus-lines",
        )
    folder = catalog_dir / "datasets" / ds_id
    descriptor_path = folder / "datapackage.yaml"
    existing: dict[str, Any] | None = None
    if descriptor_path.is_file():
        if dataset_id is None:
            raise _fail(
                f"数据集 {ds_id} 已存在",
                f"dataset {ds_id} already exists",
                file=f"datasets/{ds_id}/datapackage.yaml",
                dataset=ds_id,
                hint=f"用 --dataset {ds_id} 向它添加资源，或用 --dataset 指定新的 id",
                hint_en=f"pass --dataset {ds_id} to add resources to it, or another id",
            )
        loaded = yaml.safe_load(descriptor_path.read_text(encoding="utf-8"))
        existing = loaded if isinstance(loaded, dict) else None
        if existing is None:
            raise _fail(
                "datapackage.yaml 顶层应为映射",
                "datapackage.yaml must be a mapping",
                file=f"datasets/{ds_id}/datapackage.yaml",
                dataset=ds_id,
            )
    tables = read_tables(source)
    old_resources = {
        r.get("name"): r for r in (existing or {}).get("resources") or [] if isinstance(r, dict)
    }
    staging = Path(tempfile.mkdtemp(prefix=f".import-{ds_id}-", dir=catalog_dir))
    try:
        imported: list[ImportedResource] = []
        skipped: list[str] = []
        used: set[str] = set()
        for i, table in enumerate(tables, start=1):
            base = slug(table.label, "-", f"sheet-{i}")
            name, n = base, 2
            while name in used:
                name, n = f"{base}-{n}", n + 1
            if name in old_resources and not replace:
                raise _fail(
                    f"数据集 {ds_id} 已有资源 {name}",
                    f"dataset {ds_id} already has a resource {name}",
                    file=f"datasets/{ds_id}/datapackage.yaml",
                    dataset=ds_id,
                    field=name,
                    hint="加 --replace 用新文件替换它的数据（保留已填写的字段说明）",
                    hint_en="add --replace to replace its data (field descriptions are kept)",
                )
            res = copy_table(table, name, staging / f"{name}.csv")
            if res is None:
                skipped.append(table.label)
                continue
            used.add(name)
            imported.append(res)
        if not imported:
            raise _fail(
                f"{source.name} 中没有数据（没有表头行）",
                f"{source.name} holds no table (no header row)",
                file=str(source),
            )
        (folder / "data").mkdir(parents=True, exist_ok=True)
        for res in imported:
            os.replace(staging / f"{res.name}.csv", folder / res.path)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    if existing is None:
        title = tables[0].label if len(tables) == 1 else source.stem
        text = new_descriptor_text(catalog_dir, ds_id, source.name, title, imported)
    else:
        text = _dump(_merge(existing, imported))
    tmp = descriptor_path.with_name(".datapackage.yaml.importing")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, descriptor_path)
    return ImportResult(ds_id, folder, existing is None, imported, skipped)


def _merge(existing: dict[str, Any], imported: list[ImportedResource]) -> dict[str, Any]:
    """Add or replace resources; a replaced resource keeps the person's field descriptions."""
    resources = [r for r in existing.get("resources") or [] if isinstance(r, dict)]
    by_name = {r.get("name"): i for i, r in enumerate(resources)}
    for res in imported:
        new = resource_descriptor(res)
        if res.name in by_name:
            old = resources[by_name[res.name]]
            old_fields = {
                f.get("name"): f
                for f in (old.get("schema") or {}).get("fields") or []
                if isinstance(f, dict)
            }
            schema = dict(old.get("schema") or {})
            schema["fields"] = [old_fields.get(f["name"], f) for f in res.fields]
            merged = {**old, "path": new["path"], "format": "csv", "encoding": "utf-8"}
            merged["schema"] = schema
            resources[by_name[res.name]] = merged
        else:
            resources.append(new)
    return {**existing, "resources": resources}
