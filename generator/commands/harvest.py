"""kaifang harvest: take in another portal's catalog (DCAT-AP, CKAN, data.json)."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import click

from ..authoring.harvest import harvest as read_catalog
from ..authoring.harvest_write import Options, Outcome, write_records
from ..catalog.loader import load_site
from ..errors import CatalogError, KaifangError, ProblemList
from . import catalog_option, fail, lang_option

ACTIONS = {
    "created": ("新增", "created"),
    "updated": ("已更新", "updated"),
    "unchanged": ("未变", "unchanged"),
    "withdrawn": (
        "来源已将其撤回或删除，未采集",
        "withdrawn or removed at the source; not taken in",
    ),
    "withdrawn-kept": (
        "来源已将其撤回或删除，本地副本保持不变（如需删除请手动删除文件夹）",
        "withdrawn or removed at the source; the local copy is left as it is (delete its folder "
        "to remove it)",
    ),
    "gone": (
        "来源中已不存在，保留（如需删除请手动删除文件夹）",
        "no longer at the source; kept (delete its folder to remove it)",
    ),
}


def outcome_line(o: Outcome, lang: str) -> str:
    zh = lang == "zh"
    line = (
        f"  {o.dataset}：{ACTIONS[o.action][0]}" if zh else f"  {o.dataset}: {ACTIONS[o.action][1]}"
    )
    if o.updated:
        line += f"（{', '.join(o.updated)}）" if zh else f" ({', '.join(o.updated)})"
    if o.downloaded:
        names = ", ".join(o.downloaded)
        line += f"；已下载：{names}" if zh else f"; downloaded: {names}"
    for err in o.errors:
        line += (
            f"\n    下载失败（保留链接）：{err}"
            if zh
            else f"\n    download failed (link kept): {err}"
        )
    if o.kept:
        keys = ", ".join(o.kept)
        line += (
            f"；保留本地修改：{keys}（来源也有改动，请比较后手动合并）"
            if zh
            else f"; kept local edits of {keys} "
            "(changed at the source too: compare and merge by hand)"
        )
    return line


@click.command()
@click.argument("source")
@catalog_option
@click.option(
    "--publisher",
    "publisher_id",
    default="",
    help="所有采集的数据集都记在这个部门名下（publishers.yaml 中的 id）/ "
    "the department (an id in publishers.yaml) for every harvested dataset",
)
@click.option(
    "--prefix",
    default="",
    help="数据集 id 的前缀，如 city-a- / a prefix for the dataset ids, e.g. city-a-",
)
@click.option(
    "--download",
    is_flag=True,
    help="下载 CSV/XLSX 分发并作为本地文件导入（推断表结构，像本地文件一样检查）/ download "
    "CSV and XLSX distributions and import them as local files, checked like any other",
)
@lang_option
def harvest(
    source: str, catalog_dir: Path, publisher_id: str, prefix: str, download: bool, lang: str
) -> None:
    """采集其他门户的目录 / harvest another portal's catalog into this one.

    SOURCE is a file or an http(s) URL of a DCAT-AP catalog (RDF/XML, Turtle, JSON-LD), a
    CKAN API response (package_search or package_show) or a Project Open Data data.json.
    Files stay at the source: distributions become remote resources (links).
    """
    if prefix and not re.match(r"^[a-z0-9][a-z0-9_-]*$", prefix):
        raise click.BadParameter(
            "只能用小写字母、数字、- 和 _ / lower-case letters, digits, - and _ only",
            param_hint="--prefix",
        )
    try:
        problems = ProblemList()
        site = load_site(catalog_dir, problems) if (catalog_dir / "site.yaml").is_file() else None
        if site is None or problems.errors:
            raise CatalogError(
                f"{catalog_dir}/site.yaml 缺失或有错误，请先运行 kaifang new catalog 或 "
                f"kaifang check / {catalog_dir}/site.yaml is missing or has errors: run "
                "kaifang new catalog or kaifang check first",
                problems.errors,
            )
        result = read_catalog(source)
        (catalog_dir / "datasets").mkdir(exist_ok=True)
        outcomes = write_records(
            catalog_dir, result.records, site, Options(source, prefix, publisher_id, download)
        )
    except KaifangError as exc:
        fail(exc, lang)
        return
    zh = lang == "zh"
    click.echo(
        f"已从 {source} 采集 {len(result.records)} 个数据集到 {catalog_dir}"
        if zh
        else f"harvested {len(result.records)} datasets from {source} into {catalog_dir}"
    )
    for o in outcomes:
        click.echo(outcome_line(o, lang))
    for err in result.errors:
        click.echo(
            f"  错误：记录 {err.record}：{err.zh}"
            if zh
            else f"  error: record {err.record}: {err.en}",
            err=True,
        )
    if any(o.kept for o in outcomes):
        click.echo(
            "  有本地修改与来源冲突，已保留本地内容"
            if zh
            else "  local edits that conflict with the source were kept",
            err=True,
        )
    click.echo(
        "下一步：kaifang check --catalog " + str(catalog_dir) + "（待定的开放类型需要人工决定）"
        if zh
        else "next: kaifang check --catalog "
        + str(catalog_dir)
        + " (open types left 待定 need a decision)"
    )
    if result.errors or any(o.errors for o in outcomes):
        sys.exit(1)
