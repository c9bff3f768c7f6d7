"""`kaifang new catalog DIR` and `kaifang new dataset ID`, from flags or prompts.

Prompts appear only on a terminal (or with --interactive); in CI, with no standard input,
every value comes from flags, and what a flag does not give is written as a placeholder.
"""

from __future__ import annotations

import datetime as dt
import re
import sys
from pathlib import Path

import click
import yaml

from ..authoring.scaffold import CatalogSpec, DatasetSpec, new_catalog, new_dataset
from ..catalog.yamldoc import guarded_text
from ..errors import KaifangError
from ..policy import OPEN_TYPE_ALIASES
from . import catalog_option, fail, lang_option

OPEN_TYPES = ["无条件开放", "有条件开放", "非开放"]
BASE_URL = re.compile(r"^https?://(localhost|[^\s/:@]+\.[^\s/:@]+)(:\d+)?(/\S*)?$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def interactive_option(func):  # type: ignore[no-untyped-def]
    return click.option(
        "--interactive/--no-interactive",
        default=None,
        help="逐项询问（默认：在终端中运行时）/ prompt for missing values (default: on a terminal)",
    )(func)


def _asking(interactive: bool | None) -> bool:
    return sys.stdin.isatty() if interactive is None else interactive


def _ask(value: str | None, asking: bool, prompt: str, default: str = "", **kw: object) -> str:
    if value is not None or not asking:
        return value or ""
    answer = click.prompt(prompt, default=default, show_default=bool(default), **kw)
    return str(answer).strip()


@click.group()
def new() -> None:
    """新建目录或数据集 / scaffold a catalog or a dataset."""


@new.command("catalog")
@click.argument("root", type=click.Path(path_type=Path))
@click.option("--title", help="门户名称 / portal name (zh)")
@click.option("--title-en", help="英文名称 / portal name (en)")
@click.option("--base-url", help="门户网址 / the portal's public URL")
@click.option("--email", help="联系邮箱 / contact e-mail")
@click.option("--publisher-id", help="第一个部门的 id / first department's id")
@click.option("--publisher-name", help="第一个部门的名称 / first department's name")
@interactive_option
@lang_option
def new_catalog_cmd(
    root: Path,
    title: str | None,
    title_en: str | None,
    base_url: str | None,
    email: str | None,
    publisher_id: str | None,
    publisher_name: str | None,
    interactive: bool | None,
    lang: str,
) -> None:
    """新建目录文件夹 / create a catalog folder."""
    asking = _asking(interactive)
    title = _ask(title, asking, "门户名称 / portal name")
    base_url = _ask(base_url, asking, "门户网址 / public URL", "https://data.example.gov.cn/")
    if not title or not base_url:
        raise click.UsageError(
            "没有终端时必须给出 --title 和 --base-url / "
            "--title and --base-url are required without a terminal"
        )
    if not BASE_URL.match(base_url):
        raise click.BadParameter(
            f"{base_url!r} 不是网址，应为 https://域名/，例如 https://data.example.gov.cn/ / "
            "expected a URL such as https://data.example.gov.cn/",
            param_hint="--base-url",
        )
    email = _ask(email, asking, "联系邮箱 / contact e-mail", "opendata@example.gov.cn")
    if email and not EMAIL.match(email):
        raise click.BadParameter(
            f"{email!r} 不是电子邮件地址，例如 opendata@example.gov.cn / "
            "expected an e-mail address such as opendata@example.gov.cn",
            param_hint="--email",
        )
    spec = CatalogSpec(
        title=title,
        title_en=_ask(title_en, asking, "英文名称 / English name", title),
        base_url=base_url,
        email=email,  # left out of site.yaml when not given: never an empty e-mail
        publisher_id=_ask(publisher_id, asking, "第一个部门的 id（可留空）/ first department"),
    )
    if spec.publisher_id:
        spec = CatalogSpec(
            **{
                **spec.__dict__,
                "publisher_name": _ask(
                    publisher_name, asking, "部门名称 / department name", spec.publisher_id
                )
                or spec.publisher_id,
            }
        )
    try:
        files = new_catalog(root, spec)
    except KaifangError as exc:
        fail(exc, lang)
        return
    for path in files:
        click.echo(f"  {path}")
    click.echo(
        f"已创建目录 {root}。下一步：kaifang import FILE --catalog {root}"
        if lang == "zh"
        else f"created catalog {root}. next: kaifang import FILE --catalog {root}"
    )


def _vocab(catalog_dir: Path, name: str, key: str | None) -> list[str]:
    try:
        data = yaml.safe_load(guarded_text(catalog_dir / name, name))
    except (OSError, UnicodeDecodeError, yaml.YAMLError, KaifangError):
        return []
    items = data.get(key) if key and isinstance(data, dict) else data
    return [str(i["id"]) for i in items or [] if isinstance(i, dict) and "id" in i]


@new.command("dataset")
@click.argument("dataset_id")
@catalog_option
@click.option("--title", help="名称 / title")
@click.option("--title-en", help="英文名称 / English title")
@click.option("--description", help="摘要 / description")
@click.option("--publisher", help="提供方 id / publisher id")
@click.option("--theme", help="领域 id / theme id")
@click.option(
    "--open-type",
    type=click.Choice(sorted(OPEN_TYPE_ALIASES)),
    help="开放类型 / open type (不会默认开放 / never open by default)",
)
@click.option("--legal-basis", help="法律法规依据 / legal basis")
@click.option("--conditions", "open_conditions", help="开放条件 / conditions")
@click.option("--frequency", "update_frequency", help="更新频率 id / update frequency id")
@click.option("--issued", help="发布日期 YYYY-MM-DD / issue date")
@interactive_option
@lang_option
def new_dataset_cmd(
    dataset_id: str,
    catalog_dir: Path,
    interactive: bool | None,
    lang: str,
    **values: str | None,
) -> None:
    """新建数据集 / create a dataset folder with a descriptor to fill in."""
    asking = _asking(interactive)
    publishers = _vocab(catalog_dir, "publishers.yaml", None)
    themes = _vocab(catalog_dir, "site.yaml", "themes")
    frequencies = _vocab(catalog_dir, "site.yaml", "frequencies")

    def choice(options: list[str]) -> dict[str, object]:
        return {"type": click.Choice(options)} if options else {}

    v = dict(values)
    v["title"] = _ask(v["title"], asking, "名称 / title")
    v["description"] = _ask(v["description"], asking, "摘要 / description")
    v["publisher"] = _ask(v["publisher"], asking, "提供方 / publisher", **choice(publishers))
    v["theme"] = _ask(v["theme"], asking, "领域 / theme", **choice(themes))
    v["open_type"] = _ask(v["open_type"], asking, "开放类型 / open type", **choice(OPEN_TYPES))
    ot = OPEN_TYPE_ALIASES.get(v["open_type"] or "")
    if ot is not None and ot.value != "open":
        v["legal_basis"] = _ask(v["legal_basis"], asking, "法律法规依据 / legal basis")
    if ot is not None and ot.value == "conditional":
        v["open_conditions"] = _ask(v["open_conditions"], asking, "开放条件 / conditions")
    v["update_frequency"] = _ask(
        v["update_frequency"], asking, "更新频率 / update frequency", **choice(frequencies)
    )
    v["issued"] = _ask(v["issued"], asking, "发布日期 / issued", dt.date.today().isoformat())
    spec = DatasetSpec(id=dataset_id, **{k: val or "" for k, val in v.items()})
    try:
        path = new_dataset(catalog_dir, spec)
    except KaifangError as exc:
        fail(exc, lang)
        return
    click.echo(
        f"已创建 {path}。下一步：kaifang import FILE --dataset {dataset_id} --catalog {catalog_dir}"
        if lang == "zh"
        else f"created {path}. next: kaifang import FILE --dataset {dataset_id} "
        f"--catalog {catalog_dir}"
    )
