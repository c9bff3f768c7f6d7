from __future__ import annotations

from pathlib import Path

import click

from ..build import build as run_build
from ..errors import KaifangError
from ..progress import make_progress, summary_text
from ..report import format_text
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
