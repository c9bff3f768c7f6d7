"""Stage 1: read site.yaml, publishers.yaml and every dataset descriptor into typed objects.

Loading never raises for bad input: each mistake becomes a Problem naming the file and key,
and a dataset with errors is still returned where possible so later checks can report more.
Nothing outside the catalog folder is read.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import yaml

from .errors import Problem, ProblemList
from .model import (
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
from .placeholders import is_placeholder, placeholder_problems
from .policy import OpenType, parse_open_type, parse_share_type

# libyaml's parser is about 8x faster than the pure-Python one and parses the same
# documents; loading descriptors was a fifth of a 1,000-dataset build.
YAML_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
SUPPORTED_FORMATS = {"csv", "xlsx"}


def read_yaml(path: Path, rel: str, problems: ProblemList, dataset: str = "") -> Any:
    """Parse a YAML file; a syntax error becomes a Problem with its line number."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        problems.add(
            Problem(
                "file-missing",
                f"找不到文件 {rel}",
                f"file {rel} not found",
                file=rel,
                dataset=dataset,
                hint=f"创建 {rel}，格式见 README 的“目录格式”一节",
                hint_en=f"create {rel}; see 'Catalog format' in the README",
            )
        )
        return None
    except UnicodeDecodeError as exc:
        problems.add(
            Problem(
                "yaml-encoding",
                f"{rel} 不是 UTF-8 编码",
                f"{rel} is not UTF-8",
                file=rel,
                dataset=dataset,
                found=f"byte {exc.start}",
                hint="用 UTF-8 编码另存该文件",
                hint_en="save the file as UTF-8",
            )
        )
        return None
    try:
        return yaml.load(text, Loader=YAML_LOADER)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        detail = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        problems.add(
            Problem(
                "yaml-syntax",
                f"YAML 语法错误：{detail}",
                f"YAML syntax error: {detail}",
                file=rel,
                dataset=dataset,
                line=line,
                hint="检查该行的缩进、冒号和引号",
                hint_en="check indentation, colons and quotes on that line",
            )
        )
        return None


@dataclass
class _Keys:
    """Reads typed values out of one mapping, reporting each mistake once."""

    data: dict[str, Any]
    file: str
    dataset: str
    problems: ProblemList
    placeholders: frozenset[str] = frozenset()  # reported already as "fill this in"

    def _problem(
        self,
        key: str,
        zh: str,
        en: str,
        expected: str,
        found: Any,
        hint: str = "",
        hint_en: str = "",
    ) -> None:
        self.problems.add(
            Problem(
                "metadata-invalid" if found is not None else "metadata-missing",
                zh,
                en,
                file=self.file,
                dataset=self.dataset,
                field=key,
                expected=expected,
                found="" if found is None else repr(found)[:80],
                hint=hint,
                hint_en=hint_en,
            )
        )

    def missing(self, key: str, expected: str) -> None:
        if key in self.placeholders:
            return
        self._problem(
            key,
            f"缺少必填项 {key}",
            f"required key {key} is missing",
            expected,
            None,
            hint=f"在 {self.file} 中添加 {key}: …",
            hint_en=f"add '{key}: …' to {self.file}",
        )

    def text(self, key: str, required: bool = True, en_key: str | None = None) -> Text:
        value = self.data.get(key)
        if isinstance(value, dict):
            zh, en = value.get("zh"), value.get("en", "")
            if isinstance(zh, str) and zh.strip() and isinstance(en, str):
                return Text(zh.strip(), en.strip())
            self._problem(
                key, f"{key} 应有中文 zh 文本", f"{key} needs a zh text", "{zh: …, en: …}", value
            )
            return Text("")
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.missing(key, "非空文本 / non-empty text")
            return Text("")
        if not isinstance(value, str):
            self._problem(key, f"{key} 应为文本", f"{key} must be text", "text", value)
            return Text("")
        en = self.data.get(en_key) if en_key else ""
        return Text(value.strip(), en.strip() if isinstance(en, str) else "")

    def string(self, key: str, required: bool = False) -> str:
        value = self.data.get(key)
        if value is None or value == "":
            if required:
                self.missing(key, "文本 / text")
            return ""
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return str(value)
        if not isinstance(value, str):
            self._problem(key, f"{key} 应为文本", f"{key} must be text", "text", value)
            return ""
        return value.strip()

    def date(self, key: str) -> dt.date:
        value = self.data.get(key)
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value.strip())
            except ValueError:
                pass
        if value is None:
            self.missing(key, "日期 YYYY-MM-DD / date YYYY-MM-DD")
        else:
            self._problem(
                key,
                f"{key} 不是有效日期",
                f"{key} is not a valid date",
                "YYYY-MM-DD",
                value,
                hint="日期写作 2026-01-31",
                hint_en="write dates as 2026-01-31",
            )
        return dt.date(1970, 1, 1)

    def contact(self, key: str) -> Contact:
        value = self.data.get(key)
        if value is None:
            return Contact()
        if not isinstance(value, dict):
            self._problem(
                key, f"{key} 应为映射", f"{key} must be a mapping", "{name, email, phone}", value
            )
            return Contact()
        sub = _Keys(value, self.file, self.dataset, self.problems)
        return Contact(
            name=sub.text("name", required=False),
            email=sub.string("email"),
            phone=sub.string("phone"),
            address=sub.text("address", required=False),
        )


def _license(value: Any) -> License | None:
    if isinstance(value, dict) and isinstance(value.get("name") or value.get("path"), str):
        return License(
            name=str(value.get("name") or value.get("path")),
            title=str(value.get("title") or ""),
            path=str(value.get("path") or ""),
        )
    return None


def load_site(root: Path, problems: ProblemList) -> SiteConfig | None:
    data = read_yaml(root / "site.yaml", "site.yaml", problems)
    if data is None:
        return None
    if not isinstance(data, dict):
        problems.add(
            Problem(
                "site-invalid",
                "site.yaml 顶层应为映射",
                "site.yaml must be a mapping",
                file="site.yaml",
            )
        )
        return None
    keys = _Keys(data, "site.yaml", "", problems)
    themes: dict[str, Theme] = {}
    for i, item in enumerate(data.get("themes") or []):
        if isinstance(item, dict) and isinstance(item.get("id"), str):
            sub = _Keys(item, "site.yaml", "", problems)
            themes[item["id"]] = Theme(item["id"], Text(sub.string("zh", True), sub.string("en")))
        else:
            problems.add(
                Problem(
                    "site-invalid",
                    f"themes 第 {i + 1} 项缺少 id",
                    f"themes item {i + 1} has no id",
                    file="site.yaml",
                    field="themes",
                    expected="{id, zh, en}",
                    found=repr(item)[:80],
                )
            )
    if not themes:
        keys.missing("themes", "领域列表 / list of themes")
    frequencies: dict[str, Frequency] = {}
    for i, item in enumerate(data.get("frequencies") or []):
        days = item.get("days") if isinstance(item, dict) else None
        if (
            isinstance(item, dict)
            and isinstance(item.get("id"), str)
            and (days is None or (isinstance(days, int) and days > 0))
        ):
            sub = _Keys(item, "site.yaml", "", problems)
            frequencies[item["id"]] = Frequency(
                item["id"], Text(sub.string("zh", True), sub.string("en")), days
            )
        else:
            problems.add(
                Problem(
                    "site-invalid",
                    f"frequencies 第 {i + 1} 项无效",
                    f"frequencies item {i + 1} is invalid",
                    file="site.yaml",
                    field="frequencies",
                    expected="{id, zh, en, days: 正整数}",
                    found=repr(item)[:80],
                )
            )
    if not frequencies:
        keys.missing("frequencies", "更新频率列表 / list of frequencies")
    channels: dict[str, Channel] = {}
    for name, value in (data.get("channels") or {}).items():
        if isinstance(value, dict) and (value.get("url") or value.get("email")):
            channels[name] = Channel(str(value.get("url") or ""), str(value.get("email") or ""))
        else:
            problems.add(
                Problem(
                    "site-invalid",
                    f"渠道 {name} 需要 url 或 email",
                    f"channel {name} needs a url or an email",
                    file="site.yaml",
                    field=f"channels.{name}",
                    expected="{url, email}",
                    found=repr(value)[:80],
                )
            )
    languages = data.get("languages") or ["zh"]
    base_url = keys.string("base_url", required=True) or "/"
    if not base_url.endswith("/"):
        base_url += "/"
    return SiteConfig(
        title=keys.text("title"),
        description=keys.text("description", required=False),
        base_url=base_url,
        languages=tuple(str(x) for x in languages),
        contact=keys.contact("contact"),
        default_license=_license(data.get("default_license")),
        hide_closed=bool(data.get("hide_closed", False)),
        channels=channels,
        themes=themes,
        frequencies=frequencies,
    )


def load_publishers(root: Path, problems: ProblemList) -> dict[str, Publisher]:
    data = read_yaml(root / "publishers.yaml", "publishers.yaml", problems)
    publishers: dict[str, Publisher] = {}
    if data is None:
        return publishers
    if not isinstance(data, list):
        problems.add(
            Problem(
                "publishers-invalid",
                "publishers.yaml 应为列表",
                "publishers.yaml must be a list",
                file="publishers.yaml",
                expected="- id: …",
                found=type(data).__name__,
            )
        )
        return publishers
    for i, item in enumerate(data):
        if (
            not isinstance(item, dict)
            or not isinstance(item.get("id"), str)
            or not SLUG.match(item["id"])
        ):
            problems.add(
                Problem(
                    "publishers-invalid",
                    f"第 {i + 1} 个部门缺少有效 id",
                    f"publisher {i + 1} has no valid id",
                    file="publishers.yaml",
                    field="id",
                    expected="小写字母、数字、连字符 / a-z 0-9 -",
                    found=repr(item)[:80],
                )
            )
            continue
        keys = _Keys(item, "publishers.yaml", "", problems)
        pid = item["id"]
        if pid in publishers:
            problems.add(
                Problem(
                    "publishers-duplicate",
                    f"部门 id {pid} 重复",
                    f"publisher id {pid} appears twice",
                    file="publishers.yaml",
                    field="id",
                    found=pid,
                )
            )
        publishers[pid] = Publisher(
            pid, keys.text("name"), keys.string("code"), keys.contact("contact")
        )
    return publishers


def _safe_resource_path(folder: Path, raw: Any) -> str | None:
    """The resource path if it names a file inside the dataset folder, else None."""
    if not isinstance(raw, str) or not raw.strip():
        return None
    if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", raw) or raw.startswith(("/", "\\", "~")):
        return None
    pure = PurePosixPath(raw.replace("\\", "/"))
    if ".." in pure.parts:
        return None
    resolved = (folder / pure).resolve()
    try:
        resolved.relative_to(folder.resolve())
    except ValueError:  # a symlink pointing out of the folder
        return None
    return str(pure)


def _resource(
    folder: Path, rel: str, ds_id: str, index: int, raw: Any, problems: ProblemList
) -> Resource | None:
    if not isinstance(raw, dict):
        problems.add(
            Problem(
                "resource-invalid",
                f"第 {index + 1} 个资源应为映射",
                f"resource {index + 1} must be a mapping",
                file=rel,
                dataset=ds_id,
                field=f"resources[{index}]",
            )
        )
        return None
    name = raw.get("name")
    label = f"resources[{index}]"
    if not isinstance(name, str) or not SLUG.match(name):
        problems.add(
            Problem(
                "resource-invalid",
                f"资源 {label} 的 name 无效",
                f"resource {label} has an invalid name",
                file=rel,
                dataset=ds_id,
                field=f"{label}.name",
                expected="小写字母、数字、-、_ / a-z 0-9 - _",
                found=repr(name),
            )
        )
        return None
    path = _safe_resource_path(folder, raw.get("path"))
    if path is None:
        problems.add(
            Problem(
                "resource-path-unsafe",
                f"资源 {name} 的路径必须是数据集目录内的相对路径",
                f"resource {name} path must be a relative path inside the dataset folder",
                file=rel,
                dataset=ds_id,
                field=f"{label}.path",
                expected="data/文件名.csv",
                found=repr(raw.get("path"))[:120],
                hint="把文件放进该数据集的 data/ 目录，路径写作 data/文件名；"
                "不允许绝对路径、.. 和网址",
                hint_en="put the file in the dataset's data/ folder and write data/NAME; absolute "
                "paths, '..' and URLs are not allowed",
            )
        )
        return None
    fmt = str(raw.get("format") or Path(path).suffix.lstrip(".")).lower()
    if fmt not in SUPPORTED_FORMATS:
        problems.add(
            Problem(
                "resource-format",
                f"资源 {name} 的格式 {fmt} 不受支持",
                f"resource {name} has unsupported format {fmt}",
                file=rel,
                dataset=ds_id,
                field=f"{label}.format",
                expected="csv 或 xlsx",
                found=fmt,
            )
        )
        return None
    if not (folder / path).is_file():
        problems.add(
            Problem(
                "resource-missing",
                f"资源 {name} 的文件 {path} 不存在",
                f"file {path} of resource {name} does not exist",
                file=rel,
                dataset=ds_id,
                field=f"{label}.path",
                found=path,
                hint=f"把文件放到 datasets/{ds_id}/{path}",
                hint_en=f"put the file at datasets/{ds_id}/{path}",
            )
        )
        return None
    schema = raw.get("schema")
    fields: list[FieldInfo] = []
    if not isinstance(schema, dict) or not isinstance(schema.get("fields"), list):
        problems.add(
            Problem(
                "schema-missing",
                f"资源 {name} 缺少 schema.fields",
                f"resource {name} has no schema.fields",
                file=rel,
                dataset=ds_id,
                field=f"{label}.schema",
                hint="为每一列写一个字段：{name, type, title}",
                hint_en="describe each column: {name, type, title}",
            )
        )
        return None
    for j, f in enumerate(schema["fields"]):
        if not isinstance(f, dict) or not isinstance(f.get("name"), str):
            problems.add(
                Problem(
                    "schema-invalid",
                    f"资源 {name} 第 {j + 1} 个字段缺少 name",
                    f"field {j + 1} of resource {name} has no name",
                    file=rel,
                    dataset=ds_id,
                    field=f"{label}.schema.fields[{j}]",
                )
            )
            continue
        fields.append(
            FieldInfo(
                name=f["name"],
                type=str(f.get("type") or "string"),
                title=str(f.get("title") or ""),
                description=str(f.get("description") or ""),
                constraints=dict(f.get("constraints") or {}),
                raw=dict(f),
            )
        )
    return Resource(
        name=name,
        title=str(raw.get("title") or name),
        path=path,
        format=fmt,
        encoding=str(raw.get("encoding") or "utf-8"),
        fields=tuple(fields),
        raw=dict(raw),
    )


def load_dataset(folder: Path, root: Path, problems: ProblemList) -> Dataset | None:
    ds_id = folder.name
    rel = f"datasets/{ds_id}/datapackage.yaml"
    data = read_yaml(folder / "datapackage.yaml", rel, problems, ds_id)
    if data is None:
        return None
    if not isinstance(data, dict):
        problems.add(
            Problem(
                "descriptor-invalid",
                "datapackage.yaml 顶层应为映射",
                "datapackage.yaml must be a mapping",
                file=rel,
                dataset=ds_id,
            )
        )
        return None
    if not SLUG.match(ds_id):
        problems.add(
            Problem(
                "dataset-id",
                f"数据集目录名 {ds_id} 无效",
                f"dataset folder name {ds_id} is invalid",
                file=rel,
                dataset=ds_id,
                expected="小写字母、数字、连字符 / a-z 0-9 -",
                found=ds_id,
            )
        )
    if data.get("name") not in (None, ds_id):
        problems.add(
            Problem(
                "dataset-name",
                "name 必须与目录名一致",
                "name must equal the folder name",
                file=rel,
                dataset=ds_id,
                field="name",
                expected=ds_id,
                found=str(data.get("name")),
            )
        )
    pending = placeholder_problems(data, rel, ds_id)
    problems.extend(pending)
    if pending:  # read the rest as if the unfilled keys were absent
        data = {k: v for k, v in data.items() if not is_placeholder(v)}
    keys = _Keys(data, rel, ds_id, problems, frozenset(p.field for p in pending))
    raw_open = data.get("open_type")
    open_type = parse_open_type(raw_open)
    if open_type is None:
        if raw_open is None:
            keys.missing("open_type", "无条件开放 / 有条件开放 / 非开放")
        else:
            keys._problem(
                "open_type",
                f"未知的开放类型 {raw_open!r}",
                f"unknown open type {raw_open!r}",
                "无条件开放、有条件开放、非开放（或 不予开放、受限开放、禁止开放、依申请开放）",
                raw_open,
                hint="开放类型必须明确声明，系统不会默认开放",
                hint_en="declare the open type; nothing ever defaults to open",
            )
    raw_share = data.get("share_type")
    share_type = parse_share_type(raw_share)
    if raw_share is not None and share_type is None:
        keys._problem(
            "share_type",
            f"未知的共享类型 {raw_share!r}",
            f"unknown share type {raw_share!r}",
            "无条件共享、有条件共享、不予共享",
            raw_share,
        )
    resources: list[Resource] = []
    raw_resources = data.get("resources")
    if not isinstance(raw_resources, list) or not raw_resources:
        keys.missing("resources", "至少一个资源 / at least one resource")
    else:
        seen: set[str] = set()
        for i, raw in enumerate(raw_resources):
            res = _resource(folder, rel, ds_id, i, raw, problems)
            if res is None:
                continue
            if res.name in seen:
                problems.add(
                    Problem(
                        "resource-duplicate",
                        f"资源名 {res.name} 重复",
                        f"resource name {res.name} appears twice",
                        file=rel,
                        dataset=ds_id,
                        field="resources",
                    )
                )
                continue
            seen.add(res.name)
            resources.append(res)
    licenses = tuple(x for x in (_license(v) for v in data.get("licenses") or []) if x)
    temporal = data.get("temporal")
    readme = folder / "README.md"
    kw = data.get("keywords") or []
    return Dataset(
        id=ds_id,
        folder=folder,
        identifier=keys.string("identifier"),
        title=keys.text("title", en_key="title_en"),
        description=keys.text("description", en_key="description_en"),
        readme_markdown=readme.read_text(encoding="utf-8", errors="replace")
        if readme.is_file()
        else "",
        publisher=keys.string("publisher", required=True),
        theme=keys.string("theme", required=True),
        keywords=tuple(str(k) for k in kw) if isinstance(kw, list) else (),
        open_type=open_type or OpenType.CLOSED,  # unreachable publicly: the error stops the build
        share_type=share_type,
        open_conditions=keys.string("open_conditions"),
        legal_basis=keys.string("legal_basis"),
        update_frequency=keys.string("update_frequency", required=True),
        issued=keys.date("issued"),
        modified=keys.date("modified"),
        licenses=licenses,
        contact=keys.contact("contact"),
        spatial=keys.string("spatial"),
        temporal=(str(temporal.get("start", "")), str(temporal.get("end", "")))
        if isinstance(temporal, dict)
        else None,
        resources=tuple(resources),
        descriptor=data,
    )


def load_catalog(root: Path) -> tuple[Catalog | None, ProblemList]:
    """Load everything; the catalog is None only when site.yaml itself is unusable."""
    problems = ProblemList()
    root = root.resolve()
    if not root.is_dir():
        problems.add(
            Problem(
                "catalog-missing",
                f"目录 {root} 不存在",
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
    if not ds_root.is_dir():
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
        for folder in sorted(p for p in ds_root.iterdir() if p.is_dir()):
            ds = load_dataset(folder, root, problems)
            if ds is not None:
                datasets.append(ds)
    if site is None:
        return None, problems
    return Catalog(root, site, publishers, tuple(datasets)), problems
