"""Catalog stage (1): read site.yaml, publishers.yaml and every dataset descriptor.

Loading never raises for bad input. Each file is parsed with the line of every key kept
(:mod:`yamldoc`) and checked against the metadata profile (:mod:`profile`); every mistake
becomes a Problem naming file, line and key. Typed objects are then built leniently (a
value the profile rejected is replaced by an empty default; the error already stops the
build) so that later checks can still report more.

Nothing outside the catalog folder is read: every file is checked to resolve inside it
before it is opened (a symlink pointing out is an error), and resource paths must stay
inside their dataset folder.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import replace
from functools import partial
from pathlib import Path, PurePosixPath
from typing import Any

from ..errors import Problem, ProblemList
from ..model import (
    RESERVED_RESOURCE_NAMES,
    Catalog,
    Channel,
    Contact,
    Dataset,
    FieldInfo,
    Frequency,
    License,
    Publisher,
    Resource,
    SiteConfig,
    Text,
    Theme,
)
from ..policy import DEFAULT_MIN_GROUP_SIZE, OpenType, parse_open_type, parse_share_type
from ..runtime.parallel import map_items
from .community import attach_community
from .derivation import resolve_derivatives
from .dialect import SUPPORTED_KEYS as SUPPORTED_DIALECT_KEYS
from .dialect import parse_dialect
from .encoding import detect_file, normalise, reconcile
from .geo import map_config
from .limits import inspect_xlsx
from .placeholders import is_placeholder, placeholder_problems
from .profile import check_document
from .status import read_status, successor_problems
from .yamldoc import YamlDoc, read_yaml

SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
# /datasets/page/n/ are the pages of the dataset list (generator/render.py: Pager).
RESERVED_DATASET_IDS = frozenset({"page"})
SUPPORTED_FORMATS = {"csv", "xlsx"}
URL_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")


# --- staying inside the catalog -----------------------------------------------------------


def is_inside(path: Path, folder: Path) -> bool:
    """True when ``path``, with every symlink resolved, lies inside ``folder``.

    Resolving reads links, never file contents, so a link to a secret is detected without
    the secret being opened.
    """
    real = os.path.realpath(path)
    base = os.path.realpath(folder)
    return real == base or real.startswith(base.rstrip(os.sep) + os.sep)


def _outside(rel: str, dataset: str = "") -> Problem:
    return Problem(
        "file-outside-catalog",
        f"{rel} 是指向目录文件夹之外的符号链接，出于安全不会被读取",
        f"{rel} is a symbolic link that points outside the catalog folder; it is not read",
        file=rel,
        dataset=dataset,
        expected="目录文件夹内的普通文件",
        expected_en="a regular file inside the catalog folder",
        hint="把文件复制进目录文件夹，不要使用指向外部的链接",
        hint_en="copy the file into the catalog folder instead of linking to it",
    )


def _read_checked(
    path: Path, root: Path, rel: str, problems: ProblemList, dataset: str = ""
) -> YamlDoc | None:
    if (path.exists() or path.is_symlink()) and not is_inside(path, root):
        problems.add(_outside(rel, dataset))
        return None
    return read_yaml(path, rel, problems, dataset)


def resource_path_problem(folder: Path, raw: Any) -> tuple[str | None, str, str]:
    """(safe relative path, or None with the reason in Chinese and English).

    A path must be relative, stay inside the dataset folder (no '..', no symlink leading
    out) and name a local file (no URL). Only the link chain is inspected, never content.
    """
    if not isinstance(raw, str) or not raw.strip():
        return None, "路径为空", "the path is empty"
    if "\x00" in raw:
        return None, "路径含空字符", "the path contains a NUL character"
    if URL_SCHEME.match(raw) or raw.startswith("//"):
        kind = "网址" if "://" in raw or raw.startswith("//") else "带盘符或协议的路径"
        kind_en = "a URL" if "://" in raw or raw.startswith("//") else "a drive or scheme path"
        return None, f"不能是{kind}", f"it must not be {kind_en}"
    if raw.startswith(("/", "\\", "~")):
        return None, "不能是绝对路径", "it must not be an absolute path"
    pure = PurePosixPath(raw.replace("\\", "/"))
    if ".." in pure.parts:
        return None, "不能用 .. 离开数据集目录", "it must not leave the dataset folder with '..'"
    if not is_inside(folder / pure, folder):
        return (
            None,
            "是指向数据集目录之外的符号链接",
            "it is a symbolic link that points outside the dataset folder",
        )
    return str(pure), "", ""


# --- lenient typed values (the profile has already reported what is wrong) ---------------


def _str(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _text(value: Any, en: Any = None) -> Text:
    if isinstance(value, dict):
        return Text(_str(value.get("zh")), _str(value.get("en")))
    return Text(_str(value), _str(en))


def _date(value: Any) -> dt.date:
    if isinstance(value, dt.date):
        return value if not isinstance(value, dt.datetime) else value.date()
    try:
        return dt.date.fromisoformat(_str(value))
    except ValueError:
        return dt.date(1970, 1, 1)


def _contact(value: Any) -> Contact:
    if not isinstance(value, dict):
        return Contact()
    return Contact(
        name=_text(value.get("name")),
        email=_str(value.get("email")),
        phone=_str(value.get("phone")),
        address=_text(value.get("address")),
    )


def _license(value: Any) -> License | None:
    if isinstance(value, dict) and (_str(value.get("name")) or _str(value.get("path"))):
        return License(
            name=_str(value.get("name")) or _str(value.get("path")),
            title=_str(value.get("title")),
            path=_str(value.get("path")),
        )
    return None


def _duplicate_ids(
    doc: YamlDoc, items: Any, base: tuple[str | int, ...], what: str, problems: ProblemList
) -> set[str]:
    """Ids that appear twice in a list of {id: …} items, each reported on its line."""
    seen: dict[str, int] = {}
    duplicates: set[str] = set()
    for i, item in enumerate(items if isinstance(items, list) else []):
        if not isinstance(item, dict) or not isinstance(item.get("id"), str):
            continue
        ident = item["id"]
        if ident in seen:
            duplicates.add(ident)
            problems.add(
                Problem(
                    f"{what}-duplicate",
                    f"id {ident} 重复（第 {seen[ident]} 行已有）",
                    f"id {ident} appears twice (first on line {seen[ident]})",
                    file=doc.file,
                    line=doc.line(base + (i, "id")),
                    field=".".join(str(p) for p in base + (i, "id")),
                    found=ident,
                    hint="每个 id 只能出现一次",
                    hint_en="each id must be unique",
                )
            )
        else:
            seen[ident] = doc.line(base + (i, "id")) or 0
    return duplicates


# --- site.yaml and publishers.yaml --------------------------------------------------------


def load_site(root: Path, problems: ProblemList) -> SiteConfig | None:
    doc = _read_checked(root / "site.yaml", root, "site.yaml", problems)
    if doc is None:
        return None
    problems.extend(check_document("site", doc))
    data = doc.data
    if not isinstance(data, dict):
        return None
    _duplicate_ids(doc, data.get("themes"), ("themes",), "theme", problems)
    _duplicate_ids(doc, data.get("frequencies"), ("frequencies",), "frequency", problems)
    themes: dict[str, Theme] = {}
    for item in data.get("themes") if isinstance(data.get("themes"), list) else []:
        if isinstance(item, dict) and isinstance(item.get("id"), str):
            themes.setdefault(item["id"], Theme(item["id"], _text(item)))
    frequencies: dict[str, Frequency] = {}
    for item in data.get("frequencies") if isinstance(data.get("frequencies"), list) else []:
        if isinstance(item, dict) and isinstance(item.get("id"), str):
            days = item.get("days")
            valid_days = days if isinstance(days, int) and not isinstance(days, bool) else None
            frequencies.setdefault(
                item["id"],
                Frequency(item["id"], _text(item), valid_days if (valid_days or 0) > 0 else None),
            )
    channels: dict[str, Channel] = {}
    raw_channels = data.get("channels")
    for name, value in (raw_channels if isinstance(raw_channels, dict) else {}).items():
        if isinstance(value, dict) and (_str(value.get("url")) or _str(value.get("email"))):
            channels[str(name)] = Channel(_str(value.get("url")), _str(value.get("email")))
    languages = data.get("languages") if isinstance(data.get("languages"), list) else []
    languages = [lg for lg in languages if lg in ("zh", "en")] or ["zh"]
    base_url = _str(data.get("base_url")) or "/"
    if not base_url.endswith("/"):
        base_url += "/"
    hide_closed = data.get("hide_closed")
    min_group = data.get("min_group_size")
    if isinstance(min_group, bool) or not isinstance(min_group, int) or min_group < 2:
        min_group = DEFAULT_MIN_GROUP_SIZE  # the profile check reports a wrong value
    return SiteConfig(
        title=_text(data.get("title")),
        description=_text(data.get("description")),
        base_url=base_url,
        languages=tuple(dict.fromkeys(str(x) for x in languages)),
        contact=_contact(data.get("contact")),
        default_license=_license(data.get("default_license")),
        hide_closed=hide_closed is True,
        channels=channels,
        themes=themes,
        frequencies=frequencies,
        min_group_size=min_group,
        footer=_text(data.get("footer")),
        terms=_text(data.get("terms")),
        map=map_config(data.get("map")),
    )


def load_publishers(root: Path, problems: ProblemList) -> dict[str, Publisher]:
    publishers: dict[str, Publisher] = {}
    doc = _read_checked(root / "publishers.yaml", root, "publishers.yaml", problems)
    if doc is None:
        return publishers
    problems.extend(check_document("publishers", doc))
    if not isinstance(doc.data, list):
        return publishers
    _duplicate_ids(doc, doc.data, (), "publishers", problems)
    for item in doc.data:
        if isinstance(item, dict) and isinstance(item.get("id"), str) and SLUG.match(item["id"]):
            pid = item["id"]
            publishers.setdefault(
                pid,
                Publisher(
                    pid,
                    _text(item.get("name")),
                    _str(item.get("code")),
                    _contact(item.get("contact")),
                ),
            )
    return publishers


# --- datasets ------------------------------------------------------------------------------


class _DatasetLoader:
    """Builds one dataset, reporting problems that need its folder and files."""

    def __init__(
        self, folder: Path, root: Path, doc: YamlDoc, problems: ProblemList, derived: bool = False
    ) -> None:
        self.derived = derived  # a desensitised derivative: resources name a source, no path
        self.folder = folder
        self.root = root
        self.doc = doc
        self.id = folder.name
        self.problems = problems
        self.skipped: list[str] = []

    def add(self, code: str, zh: str, en: str, path: tuple[str | int, ...], **kw: Any) -> None:
        kw.setdefault("file", self.doc.file)
        kw.setdefault("line", self.doc.line(path))
        kw.setdefault("field", ".".join(str(p) if isinstance(p, str) else f"[{p}]" for p in path))
        kw["field"] = kw["field"].replace(".[", "[")
        self.problems.add(Problem(code, zh, en, dataset=self.id, **kw))

    def resource(self, index: int, raw: Any, schema_broken: bool = False) -> Resource | None:
        base: tuple[str | int, ...] = ("resources", index)
        if not isinstance(raw, dict):
            return None  # the profile reported it
        if schema_broken:  # the profile reported its Table Schema; validating would only
            self.skipped.append(str(raw.get("name")))  # repeat that in frictionless's words
            return None
        name = raw.get("name")
        if not isinstance(name, str) or not SLUG.match(name):
            self.skipped.append(str(name))
            return None
        if name in RESERVED_RESOURCE_NAMES:
            self.skipped.append(name)
            self.add(
                "resource-name-reserved",
                f"资源名 {name} 是保留名：其 JSON 下载 {name}.json 会与数据集的同名文件冲突",
                f"resource name {name} is reserved: its JSON download {name}.json would "
                "clash with the dataset's own file of that name",
                base + ("name",),
                expected="不是 " + "、".join(sorted(RESERVED_RESOURCE_NAMES)),
                expected_en="not " + ", ".join(sorted(RESERVED_RESOURCE_NAMES)),
                found=name,
                hint=f"换一个资源名，例如 {name}-data",
                hint_en=f"rename the resource, e.g. {name}-data",
            )
            return None
        if self.derived:
            return self.derived_resource(index, name, raw)
        path, why, why_en = resource_path_problem(self.folder, raw.get("path"))
        if raw.get("path") is None:
            self.skipped.append(name)
            return None  # the profile reported the missing path
        if path is None:
            self.skipped.append(name)
            self.add(
                "resource-path-unsafe",
                f"资源 {name} 的路径{why}，必须是数据集目录内的相对路径",
                f"the path of resource {name} is unsafe: {why_en}; it must be a relative path "
                "inside the dataset folder",
                base + ("path",),
                expected="data/文件名.csv",
                expected_en="data/NAME.csv",
                found=repr(raw.get("path"))[:120],
                hint="把文件放进该数据集的 data/ 目录，路径写作 data/文件名；"
                "不允许绝对路径、..、网址和指向外部的链接",
                hint_en="put the file in the dataset's data/ folder and write data/NAME; absolute "
                "paths, '..', URLs and links pointing outside are not allowed",
            )
            return None
        declared_format = raw.get("format")
        fmt = _str(declared_format).lower() or Path(path).suffix.lstrip(".").lower()
        if fmt not in SUPPORTED_FORMATS:
            self.skipped.append(name)
            if declared_format is None:  # a declared format was checked by the profile
                self.add(
                    "resource-format",
                    f"资源 {name} 的文件类型 {fmt or '（无扩展名）'} 不受支持",
                    f"resource {name} has an unsupported file type {fmt or '(no extension)'}",
                    base + ("path",),
                    expected="csv 或 xlsx",
                    expected_en="csv or xlsx",
                    found=fmt,
                    hint="另存为 CSV 或 XLSX，或写明 format",
                    hint_en="save the file as CSV or XLSX, or declare its format",
                )
            return None
        if not self._dialect_ok(name, base, fmt, raw):
            self.skipped.append(name)
            return None
        file_path = self.folder / path
        if not file_path.is_file():
            self.skipped.append(name)
            self.add(
                "resource-missing",
                f"资源 {name} 的文件 {path} 不存在",
                f"file {path} of resource {name} does not exist",
                base + ("path",),
                found=path,
                hint=f"把文件放到 datasets/{self.id}/{path}，注意大小写",
                hint_en=f"put the file at datasets/{self.id}/{path} (names are case-sensitive)",
            )
            return None
        refusal = inspect_xlsx(file_path) if fmt == "xlsx" else None
        if refusal is not None:  # before any reader inflates it
            self.skipped.append(name)
            zh, en = f"资源 {name} 的文件 {path}：", f"file {path} of resource {name}: "
            rel_file = f"datasets/{self.id}/{path}"
            where = {"file": rel_file, "line": None, **refusal.details()}
            self.add(refusal.code, zh + refusal.zh, en + refusal.en, base + ("path",), **where)
            return None
        schema = raw.get("schema")
        if not isinstance(schema, dict) or not isinstance(schema.get("fields"), list):
            self.skipped.append(name)
            return None  # the profile reported it
        fields = [
            FieldInfo(
                name=f["name"],
                type=f.get("type") if isinstance(f.get("type"), str) else "string",
                title=_str(f.get("title")),
                description=_str(f.get("description")),
                constraints=dict(f["constraints"])
                if isinstance(f.get("constraints"), dict)
                else {},
                raw=dict(f),
            )
            for f in schema["fields"]
            if isinstance(f, dict) and isinstance(f.get("name"), str) and f["name"]
        ]
        if len(fields) != len(schema["fields"]) or not self._schema_keys(name, base, schema):
            self.skipped.append(name)
            return None
        declared = raw.get("encoding")
        encoding = "utf-8"
        if fmt == "csv":
            detected = self._encoding(name, base, file_path, path, declared)
            if detected is None:
                self.skipped.append(name)
                return None
            encoding = detected
        return Resource(
            name=name,
            title=_str(raw.get("title")) or name,
            path=path,
            format=fmt,
            encoding=encoding,
            fields=tuple(fields),
            raw=dict(raw),
            declared_encoding=declared if isinstance(declared, str) else None,
        )

    def _dialect_ok(self, name: str, base: tuple[str | int, ...], fmt: str, raw: dict) -> bool:
        """A CSV dialect Kaifang reads exactly as frictionless validates it, or an error:
        no key is read one way by validation and another by derivation and the audit."""
        if "dialect" not in raw:
            return True
        supported = ", ".join(SUPPORTED_DIALECT_KEYS)
        if fmt != "csv":
            self.add(
                "dialect-unsupported",
                f"资源 {name} 是 {fmt} 文件，不能写 dialect（CSV 方言只用于 CSV）",
                f"resource {name} is a {fmt} file: dialect applies to CSV files only",
                base + ("dialect",),
                hint="删除 dialect",
                hint_en="remove dialect",
            )
            return False
        _, problems = parse_dialect(raw["dialect"])
        for key, zh, en, found in problems:
            self.add(
                "dialect-unsupported",
                f"资源 {name}：{zh}",
                f"resource {name}: {en}",
                base + (("dialect", key) if key else ("dialect",)),
                expected=f"支持的方言项：{supported}；分隔符：, ; \\t |",
                expected_en=f"supported dialect keys: {supported}; delimiters: , ; \\t |",
                found=found,
                hint="删除不支持的项，或把文件另存为逗号分隔、双引号的 UTF-8 CSV",
                hint_en="remove the unsupported key, or save the file as a comma-separated "
                "UTF-8 CSV with double quotes",
            )
        return not problems

    def derived_resource(self, index: int, name: str, raw: dict) -> Resource | None:
        """A derivative's resource: no file of its own, its rows come from ``source``.

        The fields are linked to the source's fields by :func:`resolve_derivatives` once
        every dataset is loaded.
        """
        base: tuple[str | int, ...] = ("resources", index)
        if raw.get("path") is not None:
            self.skipped.append(name)
            self.add(
                "derivative-path",
                f"派生数据集的资源 {name} 不能有 path：数据从源数据集读取",
                f"resource {name} of a derivative cannot have a path: its data is read from "
                "the source dataset",
                base + ("path",),
                found=repr(raw.get("path"))[:120],
                hint="删除 path，用 source: <源资源名> 指明源数据集中的资源",
                hint_en="remove path; name the source dataset's resource with source: NAME",
            )
            return None
        source = raw.get("source", name)
        schema = raw.get("schema")
        if (
            not isinstance(source, str)
            or not SLUG.match(source)
            or not isinstance(schema, dict)
            or not isinstance(schema.get("fields"), list)
        ):
            self.skipped.append(name)
            return None  # the profile reported it
        return Resource(
            name=name,
            title=_str(raw.get("title")) or name,
            path="",
            format="csv",
            encoding="utf-8",
            fields=(),
            raw=dict(raw),
            source=source,
        )

    def _schema_keys(self, name: str, base: tuple[str | int, ...], schema: dict) -> bool:
        """Field names unique; primary and foreign keys name fields that exist."""
        ok = True
        names = [f.get("name") for f in schema["fields"] if isinstance(f, dict)]
        seen: set[Any] = set()
        for j, field_name in enumerate(names):
            if field_name in seen:
                ok = False
                self.add(
                    "schema-duplicate-field",
                    f"资源 {name} 的字段名 {field_name} 重复",
                    f"field name {field_name} appears twice in resource {name}",
                    base + ("schema", "fields", j, "name"),
                    found=str(field_name),
                    hint="每个字段名只能出现一次",
                    hint_en="field names must be unique",
                )
            seen.add(field_name)

        def as_list(value: Any) -> list[str]:
            if isinstance(value, str):
                return [value]
            return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []

        for key in as_list(schema.get("primaryKey")):
            if key not in seen:
                ok = False
                self.add(
                    "schema-key-unknown-field",
                    f"资源 {name} 的主键字段 {key} 不在 fields 中",
                    f"primary key field {key} of resource {name} is not among its fields",
                    base + ("schema", "primaryKey"),
                    expected="、".join(str(n) for n in names),
                    expected_en=", ".join(str(n) for n in names),
                    found=key,
                    hint="主键写字段的 name（不是中文名 title）",
                    hint_en="name the key by the field's name, not its title",
                )
        fks = schema.get("foreignKeys")
        for k, fk in enumerate(fks if isinstance(fks, list) else []):
            if not isinstance(fk, dict):
                continue
            for key in as_list(fk.get("fields")):
                if key not in seen:
                    ok = False
                    self.add(
                        "schema-key-unknown-field",
                        f"资源 {name} 的外键字段 {key} 不在 fields 中",
                        f"foreign key field {key} of resource {name} is not among its fields",
                        base + ("schema", "foreignKeys", k, "fields"),
                        expected="、".join(str(n) for n in names),
                        expected_en=", ".join(str(n) for n in names),
                        found=key,
                    )
            ref = fk.get("reference") if isinstance(fk.get("reference"), dict) else {}
            target = ref.get("resource", "")
            resources = self.doc.data.get("resources") or []
            targets = {
                r.get("name") for r in resources if isinstance(r, dict) and r.get("name")
            } | {""}
            if target not in targets:
                ok = False
                self.add(
                    "schema-foreign-resource",
                    f"资源 {name} 的外键引用的资源 {target} 不在本数据集中",
                    f"resource {name} has a foreign key to {target}, which is not a resource of "
                    "this dataset",
                    base + ("schema", "foreignKeys", k, "reference", "resource"),
                    expected="、".join(sorted(str(t) for t in targets if t)),
                    found=str(target),
                    hint="外键只能引用同一数据集中的资源（按 name）",
                    hint_en="a foreign key may only reference a resource of this dataset, by name",
                )
        return ok

    def _encoding(
        self,
        name: str,
        base: tuple[str | int, ...],
        file_path: Path,
        path: str,
        declared: Any,
    ) -> str | None:
        rel_file = f"datasets/{self.id}/{path}"
        declared_str = declared if isinstance(declared, str) and declared.strip() else None
        if declared_str is not None and normalise(declared_str) is None:
            self.add(
                "encoding-unsupported",
                f"资源 {name} 声明了未知的编码 {declared_str}",
                f"resource {name} declares an unknown encoding {declared_str}",
                base + ("encoding",),
                expected="utf-8、gbk 或 gb18030",
                expected_en="utf-8, gbk or gb18030",
                found=declared_str,
                hint="改为 utf-8、gbk 或 gb18030，或删除 encoding 让系统检测",
                hint_en="use utf-8, gbk or gb18030, or delete encoding to have it detected",
            )
            return None
        found = detect_file(file_path)
        codec, why = reconcile(declared_str, found, file_path)
        if codec is not None:
            return codec
        if why == "undetected":
            line = None
            if found.bad_offset is not None:
                with open(file_path, "rb") as handle:
                    line = handle.read(found.bad_offset).count(b"\n") + 1
            self.add(
                "encoding-unknown",
                f"无法读取资源 {name} 的文件：它不是 UTF-8、GBK 或 GB18030 编码的文本（检测到 "
                f"{found.label}）",
                f"cannot read the file of resource {name}: it is not text in UTF-8, GBK or "
                f"GB18030 (found {found.label})",
                base,
                file=rel_file,
                line=line,
                expected="UTF-8、UTF-8 BOM、GBK 或 GB18030 文本",
                expected_en="text in UTF-8, UTF-8 with BOM, GBK or GB18030",
                found=found.label,
                hint="用 Excel 或 WPS 另存为“CSV UTF-8（逗号分隔）”",
                hint_en="save it again as 'CSV UTF-8 (comma delimited)'",
            )
            return None
        if why == "unsupported":
            self.add(
                "encoding-unsupported",
                f"资源 {name} 声明的编码 {declared_str} 不受支持",
                f"resource {name} declares the unsupported encoding {declared_str}",
                base + ("encoding",),
                expected="utf-8、gbk 或 gb18030",
                expected_en="utf-8, gbk or gb18030",
                found=declared_str or "",
                hint=f"文件实际是 {found.label}：把 encoding 改为 {found.codec}，或删除 encoding",
                hint_en=f"the file is {found.label}: set encoding to {found.codec}, or delete it",
            )
            return None
        self.add(
            "encoding-mismatch",
            f"资源 {name} 声明的编码是 {declared_str}，但文件实际是 {found.label}",
            f"resource {name} declares encoding {declared_str}, but the file is {found.label}",
            base + ("encoding",),
            expected=declared_str or "",
            found=found.label,
            hint=f"把 encoding 改为 {found.codec}（或删除 encoding 让系统检测），"
            f"或把文件另存为 {declared_str}",
            hint_en=f"set encoding to {found.codec} (or delete it to have it detected), or save "
            f"the file as {declared_str}",
        )
        return None

    def readme(self) -> str:
        path = self.folder / "README.md"
        rel = f"datasets/{self.id}/README.md"
        if not path.is_file() and not path.is_symlink():
            return ""
        if not is_inside(path, self.folder):
            self.problems.add(_outside(rel, self.id))
            return ""
        raw = path.read_bytes()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            from .encoding import detect_bytes

            self.problems.add(
                Problem(
                    "readme-encoding",
                    f"README.md 不是 UTF-8 编码（检测到 {detect_bytes(raw).label}）",
                    f"README.md is not UTF-8 (found {detect_bytes(raw).label})",
                    file=rel,
                    dataset=self.id,
                    line=raw[: exc.start].count(b"\n") + 1,
                    expected="UTF-8",
                    found=detect_bytes(raw).label,
                    hint="用 UTF-8 编码另存 README.md",
                    hint_en="save README.md as UTF-8",
                )
            )
            return ""
        from .markup import unsafe_html

        for line, snippet in unsafe_html(text):
            self.problems.add(
                Problem(
                    "readme-unsafe-html",
                    "README.md 含有脚本、事件处理属性或 javascript: 链接",
                    "README.md contains a script, an event handler or a javascript: link",
                    file=rel,
                    dataset=self.id,
                    line=line,
                    expected="Markdown 文本，不含脚本",
                    expected_en="Markdown without scripts",
                    found=snippet,
                    hint="删除这段 HTML；页面上它会被过滤掉，但发布者应当知道",
                    hint_en="remove this HTML; it would be stripped from the page anyway",
                )
            )
        return text


def load_dataset(folder: Path, root: Path, problems: ProblemList) -> Dataset | None:
    ds_id = folder.name
    rel = f"datasets/{ds_id}/datapackage.yaml"
    if not is_inside(folder, root):
        problems.add(_outside(f"datasets/{ds_id}", ds_id))
        return None
    doc = _read_checked(folder / "datapackage.yaml", root, rel, problems, ds_id)
    if doc is None:
        return None
    data = doc.data
    pending: list[Problem] = []
    if isinstance(data, dict):
        # `kaifang import`/`new` write placeholders (待填写, 待定): each is reported once, as
        # "fill this in", and the rest is read as if the key were absent
        pending = placeholder_problems(data, rel, ds_id)
        if pending:
            data = {k: v for k, v in data.items() if not is_placeholder(v)}
            doc.data = data
            for problem in pending:
                problems.add(replace(problem, line=doc.line((problem.field,))))
    unfilled = {p.field for p in pending}
    profile_problems = [p for p in check_document("dataset", doc, ds_id) if p.field not in unfilled]
    problems.extend(profile_problems)
    broken_schemas = {
        p.field.split("]", 1)[0] + "]"
        for p in profile_problems
        if p.severity == "error" and re.match(r"resources\[\d+\]\.schema", p.field)
    }
    if not isinstance(data, dict):
        return None
    derived_from = data.get("derived_from")
    derived_from = (
        derived_from if isinstance(derived_from, str) and SLUG.match(derived_from) else ""
    )
    loader = _DatasetLoader(folder, root, doc, problems, derived=bool(derived_from))
    if not SLUG.match(ds_id):
        problems.add(
            Problem(
                "dataset-id",
                f"数据集目录名 {ds_id} 无效",
                f"dataset folder name {ds_id} is invalid",
                file=rel,
                dataset=ds_id,
                expected="小写字母、数字、- 或 _（目录名就是网址中的标识）",
                expected_en="lower-case letters, digits, - or _ (the folder name is the URL id)",
                found=ds_id,
                hint="重命名目录，例如 bus-lines",
                hint_en="rename the folder, e.g. bus-lines",
            )
        )
    if ds_id in RESERVED_DATASET_IDS:
        problems.add(
            Problem(
                "dataset-id-reserved",
                f"数据集目录名 {ds_id} 是保留名：/datasets/{ds_id}/ 用于数据集列表的分页",
                f"dataset folder name {ds_id} is reserved: /datasets/{ds_id}/ holds the pages "
                "of the dataset list",
                file=rel,
                dataset=ds_id,
                expected="不是 " + "、".join(sorted(RESERVED_DATASET_IDS)),
                expected_en="not " + ", ".join(sorted(RESERVED_DATASET_IDS)),
                found=ds_id,
                hint=f"重命名目录，例如 {ds_id}-data",
                hint_en=f"rename the folder, e.g. {ds_id}-data",
            )
        )
    if isinstance(data.get("name"), str) and data["name"] != ds_id:
        loader.add(
            "dataset-name",
            "name 必须与数据集目录名一致",
            "name must equal the dataset folder name",
            ("name",),
            expected=ds_id,
            found=data["name"],
            hint=f"改为 name: {ds_id}，或删除 name",
            hint_en=f"write name: {ds_id}, or delete name",
        )
    resources: list[Resource] = []
    raw_resources = data.get("resources")
    seen: dict[str, int] = {}
    for i, raw in Resource.read_from_files(raw_resources):  # remote ones are never read
        res = loader.resource(i, raw, f"resources[{i}]" in broken_schemas)
        if res is None:
            continue
        if res.name in seen:
            loader.add(
                "resource-duplicate",
                f"资源名 {res.name} 重复（第 {seen[res.name]} 行已有）",
                f"resource name {res.name} appears twice (first on line {seen[res.name]})",
                ("resources", i, "name"),
                found=res.name,
                hint="每个资源的 name 必须不同",
                hint_en="each resource needs its own name",
            )
            continue
        seen[res.name] = doc.line(("resources", i, "name")) or 0
        resources.append(res)
    licenses = data.get("licenses")
    temporal = data.get("temporal")
    keywords = data.get("keywords")
    open_type = parse_open_type(data.get("open_type"))
    return Dataset(
        id=ds_id,
        folder=folder,
        identifier=_str(data.get("identifier")),
        title=_text(data.get("title"), data.get("title_en")),
        description=_text(data.get("description"), data.get("description_en")),
        readme_markdown=loader.readme(),
        publisher=_str(data.get("publisher")),
        theme=_str(data.get("theme")),
        keywords=tuple(_str(k) for k in keywords if _str(k)) if isinstance(keywords, list) else (),
        # unreachable publicly: a missing or unknown open type is an error that stops the build
        open_type=open_type or OpenType.CLOSED,
        share_type=parse_share_type(data.get("share_type")),
        open_conditions=_str(data.get("open_conditions")),
        legal_basis=_str(data.get("legal_basis")),
        update_frequency=_str(data.get("update_frequency")),
        issued=_date(data.get("issued")),
        modified=_date(data.get("modified")),
        licenses=tuple(x for x in (_license(v) for v in licenses) if x)
        if isinstance(licenses, list)
        else (),
        contact=_contact(data.get("contact")),
        spatial=_str(data.get("spatial")),
        temporal=(_str(temporal.get("start")), _str(temporal.get("end")))
        if isinstance(temporal, dict)
        else None,
        resources=tuple(resources),
        descriptor=data,
        share_conditions=_str(data.get("share_conditions")),
        source=doc,
        skipped_resources=tuple(loader.skipped),
        derived_from=derived_from,
        status=read_status(data.get("status")),
    )


def _load_one(folder: Path, root: Path) -> tuple[Dataset | None, list[Problem]]:
    found = ProblemList()
    ds = load_dataset(folder, root, found)
    return ds, found.items


def load_catalog(root: Path, jobs: int | None = 1) -> tuple[Catalog | None, ProblemList]:
    """Load everything; the catalog is None only when site.yaml itself is unusable.

    jobs: worker processes for reading dataset folders (None: one per CPU).
    """
    problems = ProblemList()
    root = root.resolve()
    if not root.is_dir():
        problems.add(
            Problem(
                "catalog-missing",
                f"目录文件夹 {root} 不存在",
                f"catalog folder {root} does not exist",
                file=str(root),
                hint="用 --catalog 指定目录文件夹",
                hint_en="pass --catalog DIR",
            )
        )
        return None, problems
    site = load_site(root, problems)
    publishers = load_publishers(root, problems)
    datasets: list[Dataset] = []
    ds_root = root / "datasets"
    if ds_root.exists() and not is_inside(ds_root, root):
        problems.add(_outside("datasets/"))
    elif not ds_root.is_dir():
        problems.add(
            Problem(
                "datasets-missing",
                "缺少 datasets/ 目录",
                "the datasets/ folder is missing",
                file="datasets/",
                hint="每个数据集一个子目录：datasets/<id>/datapackage.yaml",
                hint_en="one folder per dataset: datasets/<id>/datapackage.yaml",
            )
        )
    else:
        folders = sorted(p for p in ds_root.iterdir() if p.is_dir())
        # Each folder is read on its own, so large catalogs are read by worker processes;
        # results (and their problems) come back in folder order.
        for ds, found in map_items(partial(_load_one, root=root), folders, jobs):
            problems.extend(found)
            if ds is not None:
                datasets.append(ds)
    datasets = resolve_derivatives(datasets, problems)
    problems.extend(successor_problems(datasets))
    if site is None:
        return None, problems
    return attach_community(Catalog(root, site, publishers, tuple(datasets)), problems), problems
