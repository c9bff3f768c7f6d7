"""kaifang build: check, build, publish, and the summary printed when a build ends."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from ..build import BuildResult
from ..build import build as run_build
from ..errors import KaifangError
from ..holdback import HELD_OUTCOMES, HELD_REASONS, held_back_lines
from ..policy import OpenType, level_label
from ..runtime.progress import make_progress
from ..runtime.report import format_text
from . import (
    audience_option,
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


def type_label(audience: str, level: str, zh: bool) -> str:
    """The open type's label on the portal; on the sharing catalog, the share type's."""
    if audience == "public":
        return OPEN_TYPE_LABELS[level][0 if zh else 1]
    return level_label(audience, OpenType(level), "zh" if zh else "en")


def summary_json(result: BuildResult, lang: str) -> str:
    """What was published and what was held back, for machines (documented in README)."""
    i = 0 if lang == "zh" else 1
    doc = {
        "version": 1,
        "ok": not result.held_back,
        "out": str(result.out_dir),
        "up_to_date": result.up_to_date,
        "published": result.published_ids,
        "held_back": [
            {
                "dataset": h.dataset,
                "reason": h.reason,
                "outcome": h.outcome,
                "version": h.version or None,
                "problems": h.errors,
                "message": f"{HELD_REASONS[h.reason][i]}; "
                + HELD_OUTCOMES[h.outcome][i].format(version=h.version),
            }
            for h in result.held_back
        ],
        "by_open_type": result.by_open_type,
        "audience": result.audience,
        "files": result.files,
        "errors": len(result.problems.errors),
        "warnings": len(result.problems.warnings),
    }
    return json.dumps(doc, ensure_ascii=False, indent=2)


def summary_text(result: BuildResult, lang: str = "zh") -> str:
    """Datasets by open type, errors, warnings, cache reuse and time: the end of a build."""
    zh = lang == "zh"
    kinds = "，".join(
        f"{type_label(result.audience, k, zh)} {result.by_open_type.get(k, 0)}"
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
    if result.held_back:
        lines.extend(held_back_lines(result.held_back, lang))
    return "\n".join(lines)


@click.command()
@catalog_option
@out_option
@audience_option
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
@click.option(
    "--all-or-nothing",
    is_flag=True,
    help="任一数据集有错误即不发布任何内容 / publish nothing when any dataset has errors "
    "(default: hold that dataset back and publish the rest)",
)
@click.option(
    "--json", "as_json", is_flag=True, help="以 JSON 输出构建结果 / print the outcome as JSON"
)
def build(
    catalog_dir: Path,
    out_dir: Path,
    audience: str,
    strict: bool,
    lang: str,
    jobs: int | None,
    no_cache: bool,
    cache_dir: Path | None,
    quiet: bool,
    record_history: bool,
    all_or_nothing: bool,
    as_json: bool,
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
            progress=make_progress(quiet or as_json, lang),
            record_history=record_history,
            all_or_nothing=all_or_nothing,
            audience=audience,
        )
    except KaifangError as exc:
        fail(exc, lang)
        return
    # a held-back dataset's errors say why it waits; everything else only warns
    shown = result.problems.items if result.held_back else result.problems.warnings
    if shown and not quiet:
        click.echo(format_text(shown, lang), err=True)
    if as_json:
        click.echo(summary_json(result, lang))
    elif not quiet:
        click.echo(summary_text(result, lang))
    if result.held_back:
        sys.exit(1)  # published, but not everything: CI must notice
