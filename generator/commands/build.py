"""kaifang build: check, build, publish, and the summary printed when a build ends."""

from __future__ import annotations

from pathlib import Path

import click

from ..build import BuildResult
from ..build import build as run_build
from ..errors import KaifangError
from ..runtime.progress import make_progress
from ..runtime.report import format_text
from . import (
    cache_options,
    catalog_option,
    fail,
    jobs_option,
    lang_option,
    out_option,
    quiet_option,
    strict_option,
)

OPEN_TYPE_LABELS = {
    "open": ("无条件开放", "open"),
    "conditional": ("有条件开放", "conditional"),
    "closed": ("非开放", "closed"),
}


def summary_text(result: BuildResult, lang: str = "zh") -> str:
    """Datasets by open type, errors, warnings, cache reuse and time: the end of a build."""
    zh = lang == "zh"
    kinds = "，".join(
        f"{OPEN_TYPE_LABELS[k][0 if zh else 1]} {result.by_open_type.get(k, 0)}"
        for k in OPEN_TYPE_LABELS
    )
    errors = len(result.problems.errors)
    warnings = len(result.problems.warnings)
    if zh:
        head = (
            f"网站已是最新（输入未变），未写入文件：{result.out_dir}"
            if result.up_to_date
            else f"已构建并发布到 {result.out_dir}"
        )
        lines = [
            head,
            f"  数据集 {result.datasets} 个（{kinds}），文件 {result.files} 个",
            f"  错误 {errors} 个，警告 {warnings} 个，用时 {result.seconds:.1f} 秒",
        ]
    else:
        head = (
            f"site is up to date (input unchanged); nothing written: {result.out_dir}"
            if result.up_to_date
            else f"built and published to {result.out_dir}"
        )
        lines = [
            head,
            f"  {result.datasets} datasets ({kinds.replace('，', ', ')}), {result.files} files",
            f"  {errors} errors, {warnings} warnings, {result.seconds:.1f} s",
        ]
    reuse = []
    for kind, (kzh, ken) in {
        "validate": ("校验", "validation"),
        "derive": ("数据文件", "derivation"),
        "page": ("页面", "pages"),
    }.items():
        hit, miss = result.cache.get(f"{kind}_hit", 0), result.cache.get(f"{kind}_miss", 0)
        if hit:
            reuse.append(f"{kzh if zh else ken} {hit}/{hit + miss}")
    if reuse:
        lines.append(("  复用缓存：" if zh else "  reused from cache: ") + ", ".join(reuse))
    if result.history_recorded:
        n = result.history_recorded
        lines.append(
            f"  已记录 {n} 个数据集的更新，请提交目录中的 history/"
            if zh
            else f"  recorded changes of {n} datasets: commit the catalog's history/"
        )
    return "\n".join(lines)


@click.command()
@catalog_option
@out_option
@strict_option
@lang_option
@jobs_option
@cache_options
@quiet_option
@click.option(
    "--record-history/--no-record-history",
    default=True,
    show_default=True,
    help="把更新记录和被替换的文件写入目录的 history/ / write changelogs and replaced files "
    "into the catalog's history/ folder",
)
def build(
    catalog_dir: Path,
    out_dir: Path,
    strict: bool,
    lang: str,
    jobs: int | None,
    no_cache: bool,
    cache_dir: Path | None,
    quiet: bool,
    record_history: bool,
) -> None:
    """检查并构建网站 / check the catalog and build the site."""
    try:
        result = run_build(
            catalog_dir,
            out_dir,
            strict=strict,
            jobs=jobs,
            use_cache=not no_cache,
            cache_dir=cache_dir,
            progress=make_progress(quiet, lang),
            record_history=record_history,
        )
    except KaifangError as exc:
        fail(exc, lang)
        return
    if result.problems.warnings and not quiet:
        click.echo(format_text(result.problems.warnings, lang), err=True)
    if not quiet:
        click.echo(summary_text(result, lang))
