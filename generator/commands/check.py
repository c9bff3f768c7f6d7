from __future__ import annotations

import sys
from pathlib import Path

import click

from ..checking import check as run_check
from ..checking import open_cache
from ..errors import KaifangError
from ..runtime.cache import default_cache_dir
from ..runtime.progress import make_progress
from ..runtime.report import format_json, format_text
from . import cache_options, catalog_option, fail, jobs_option, lang_option, strict_option


@click.command()
@catalog_option
@click.option("--json", "as_json", is_flag=True, help="输出 JSON 报告 / print a JSON report")
@strict_option
@lang_option
@jobs_option
@cache_options
def check(
    catalog_dir: Path,
    as_json: bool,
    strict: bool,
    lang: str,
    jobs: int | None,
    no_cache: bool,
    cache_dir: Path | None,
) -> None:
    """检查目录，不生成网站 / check the catalog without building.

    Datasets unchanged since they were last validated (in the cache a build left beside
    site/) are not validated again; check itself creates no cache.
    """
    # .kaifang-cache beside the catalog: beside site/ too in the usual layout. check
    # reuses the cache a build left there but never creates one (it writes nothing new).
    existing = (cache_dir or default_cache_dir(catalog_dir)).is_dir()
    cache = open_cache(catalog_dir, not no_cache and existing, cache_dir)
    try:
        result = run_check(
            catalog_dir, jobs=jobs, cache=cache, progress=make_progress(as_json, lang)
        )
    except KaifangError as exc:
        fail(exc, lang)
        return
    finally:
        cache.close()
    failed = result.failed(strict)
    datasets = len(result.catalog.datasets) if result.catalog else 0
    if as_json:
        click.echo(format_json(result.problems.items, datasets, ok=not failed, lang=lang))
    elif result.problems.items:
        click.echo(format_text(result.problems.items, lang), err=failed)
    if not as_json and not failed:
        click.echo(
            f"检查通过：{datasets} 个数据集"
            if lang == "zh"
            else f"check passed: {datasets} datasets"
        )
    sys.exit(1 if failed else 0)
