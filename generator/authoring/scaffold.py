"""`kaifang new`: the files of a new catalog or a new dataset, from values already decided.

Asking for the values (flags or prompts) is the command's job; this module only writes.
Unknown values are written as the placeholders of :mod:`generator.placeholders`, so a
scaffolded dataset fails `kaifang check` until a person has decided them.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import yaml

from ..catalog.loader import SLUG
from ..catalog.placeholders import TO_FILL, UNDECIDED
from ..errors import KaifangError, Problem

DEFAULT_THEMES = [
    ("transport", "交通出行", "Transport"),
    ("education", "教育文化", "Education and culture"),
    ("health", "医疗卫生", "Health"),
    ("social", "社会保障", "Social security"),
    ("environment", "生态环境", "Environment"),
    ("economy", "经济建设", "Economy"),
    ("housing", "城建住房", "Housing"),
    ("public-safety", "公共安全", "Public safety"),
    ("credit", "信用服务", "Credit"),
    ("government", "机构团体", "Government and organisations"),
]
DEFAULT_FREQUENCIES = [
    ("daily", "每日", "Daily", 2),
    ("weekly", "每周", "Weekly", 8),
    ("monthly", "每月", "Monthly", 32),
    ("quarterly", "每季度", "Quarterly", 95),
    ("yearly", "每年", "Yearly", 370),
    ("irregular", "不定期", "Irregular", None),
]
GITIGNORE = "site/\n.site.*\n.kaifang-cache/\n"


class ScaffoldError(KaifangError):
    """The files cannot be written where asked; nothing was written."""


@dataclass(frozen=True)
class CatalogSpec:
    title: str
    title_en: str
    base_url: str
    email: str
    publisher_id: str = ""
    publisher_name: str = ""


@dataclass(frozen=True)
class DatasetSpec:
    id: str
    title: str = ""
    title_en: str = ""
    description: str = ""
    publisher: str = ""
    theme: str = ""
    open_type: str = ""
    legal_basis: str = ""
    open_conditions: str = ""
    update_frequency: str = ""
    issued: str = ""
    modified: str = ""


def _refuse(path: Path, zh: str, en: str, hint: str = "", hint_en: str = "") -> ScaffoldError:
    return ScaffoldError(
        f"未写入任何文件 / nothing was written: {en}",
        [Problem("scaffold", zh, en, file=str(path), hint=hint, hint_en=hint_en)],
    )


def _dump(data: object) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)


def site_yaml(spec: CatalogSpec) -> str:
    site = {
        "title": {"zh": spec.title, "en": spec.title_en or spec.title},
        "description": {"zh": f"{spec.title}：公共数据开放目录", "en": spec.title_en or ""},
        "base_url": spec.base_url if spec.base_url.endswith("/") else spec.base_url + "/",
        "languages": ["zh", "en"],
        "contact": {"name": {"zh": spec.title}, **({"email": spec.email} if spec.email else {})},
        "default_license": {
            "name": "CC-BY-4.0",
            "title": "知识共享署名 4.0",
            "path": "https://creativecommons.org/licenses/by/4.0/",
        },
        "hide_closed": False,
        "channels": {"apply": {"email": spec.email}, "feedback": {"email": spec.email}}
        if spec.email
        else {},
        "themes": [{"id": i, "zh": zh, "en": en} for i, zh, en in DEFAULT_THEMES],
        "frequencies": [
            {"id": i, "zh": zh, "en": en, **({"days": d} if d else {})}
            for i, zh, en, d in DEFAULT_FREQUENCIES
        ],
    }
    return (
        "# 门户配置，各项说明见 Kaifang README 的“目录格式”一节。\n"
        "# Portal settings; see 'A tour of the catalog format' in the Kaifang README.\n"
        + _dump(site)
    )


def publishers_yaml(spec: CatalogSpec) -> str:
    head = "# 提供数据的部门 / the departments that publish data\n"
    if not spec.publisher_id:
        return head + "# - id: jtj\n#   name: {zh: 交通运输局, en: Transport Bureau}\n[]\n"
    return head + _dump([{"id": spec.publisher_id, "name": {"zh": spec.publisher_name}}])


def new_catalog(root: Path, spec: CatalogSpec) -> list[Path]:
    """Write site.yaml, publishers.yaml, datasets/ and a .gitignore into an empty folder."""
    if root.exists() and any(root.iterdir()):
        raise _refuse(
            root,
            f"{root} 已存在且不为空",
            f"{root} exists and is not empty",
            hint="换一个新文件夹",
            hint_en="choose a new folder",
        )
    if spec.publisher_id and not SLUG.match(spec.publisher_id):
        raise _refuse(
            root,
            f"部门 id {spec.publisher_id!r} 无效（小写字母、数字、连字符）",
            f"publisher id {spec.publisher_id!r} is invalid (a-z 0-9 -)",
        )
    (root / "datasets").mkdir(parents=True, exist_ok=True)
    files = {
        root / "site.yaml": site_yaml(spec),
        root / "publishers.yaml": publishers_yaml(spec),
        root / ".gitignore": GITIGNORE,
        root / "datasets" / ".gitkeep": "",
    }
    for path, text in files.items():
        path.write_text(text, encoding="utf-8")
    return sorted(files)


def dataset_yaml(spec: DatasetSpec) -> str:
    def value(v: str, placeholder: str = TO_FILL) -> str:
        return v if v else placeholder

    data: dict[str, object] = {
        "name": spec.id,
        "title": value(spec.title),
        **({"title_en": spec.title_en} if spec.title_en else {}),
        "description": value(spec.description),
        "publisher": value(spec.publisher),
        "theme": value(spec.theme),
        "keywords": [],
        "open_type": value(spec.open_type, UNDECIDED),
    }
    if spec.legal_basis:
        data["legal_basis"] = spec.legal_basis
    if spec.open_conditions:
        data["open_conditions"] = spec.open_conditions
    data.update(
        update_frequency=value(spec.update_frequency),
        issued=value(spec.issued),
        modified=value(spec.modified or spec.issued),
        resources=[],
    )
    return (
        "# 标记为“待填写”“待定”的项填好之前，kaifang check 会报错，网站不会发布。\n"
        "# Keys marked 待填写/待定 must be filled in before the dataset can be published.\n"
        f"# 添加数据 / add data: kaifang import FILE --dataset {spec.id}\n" + _dump(data)
    )


def new_dataset(catalog_dir: Path, spec: DatasetSpec) -> Path:
    if not (catalog_dir / "site.yaml").is_file():
        raise _refuse(
            catalog_dir / "site.yaml",
            f"{catalog_dir} 不是 Kaifang 目录（缺少 site.yaml）",
            f"{catalog_dir} is not a Kaifang catalog (no site.yaml)",
            hint="用 --catalog 指定目录，或先运行 kaifang new catalog DIR",
            hint_en="pass --catalog DIR, or run: kaifang new catalog DIR",
        )
    if not SLUG.match(spec.id):
        raise _refuse(
            catalog_dir,
            f"数据集 id {spec.id!r} 无效（小写字母、数字、连字符，它出现在每个网址中）",
            f"dataset id {spec.id!r} is invalid (a-z 0-9 -; it appears in every URL)",
        )
    folder = catalog_dir / "datasets" / spec.id
    if folder.exists():
        raise _refuse(folder, f"数据集 {spec.id} 已存在", f"dataset {spec.id} already exists")
    (folder / "data").mkdir(parents=True)
    path = folder / "datapackage.yaml"
    tmp = folder / ".datapackage.yaml.new"
    tmp.write_text(dataset_yaml(spec), encoding="utf-8")
    os.replace(tmp, path)
    return path
