from __future__ import annotations

from pathlib import Path

import click

from ..build import build as run_build
from ..errors import KaifangError
from ..report import format_text
from . import catalog_option, fail, jobs_option, lang_option, out_option, strict_option


@click.command()
@catalog_option
@out_option
@strict_option
@lang_option
@jobs_option
def build(catalog_dir: Path, out_dir: Path, strict: bool, lang: str, jobs: int | None) -> None:
    """检查并构建网站 / check the catalog and build the site."""
    try:
        result = run_build(catalog_dir, out_dir, strict=strict, jobs=jobs)
    except KaifangError as exc:
        fail(exc, lang)
        return
    if result.problems.warnings:
        click.echo(format_text(result.problems.warnings, lang), err=True)
    if lang == "zh":
        click.echo(
            f"已构建 {result.datasets} 个数据集（{result.published} 个开放数据），"
            f"{result.files} 个文件，写入 {out_dir}，用时 {result.seconds:.1f} 秒"
        )
    else:
        click.echo(
            f"built {result.datasets} datasets ({result.published} open), "
            f"{result.files} files into {out_dir} in {result.seconds:.1f} s"
        )
