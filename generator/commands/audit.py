from __future__ import annotations

import sys
from pathlib import Path

import click

from ..audit import audit as run_audit
from ..catalog.audience import for_audience
from ..catalog.loader import load_catalog
from ..errors import CatalogError, KaifangError
from ..runtime.report import format_text
from . import audience_option, catalog_option, fail, lang_option


@click.command()
@click.argument("site_dir", type=click.Path(path_type=Path, exists=True, file_okay=False))
@catalog_option
@audience_option
@lang_option
def audit(site_dir: Path, catalog_dir: Path, audience: str, lang: str) -> None:
    """审计已构建的网站：非开放数据和个人信息不得出现 / audit a built site for leaks.

    SITE_DIR is checked against the catalog it was built from (--catalog): no value of a
    conditional or closed resource in any file, no personal data in open resources.
    With --audience share, SITE_DIR is a sharing catalog: the values looked for are those
    of every dataset that is not 无条件共享 (有条件共享 and 不予共享).
    """
    try:
        catalog, problems = load_catalog(catalog_dir)
        if catalog is None or problems.errors:
            raise CatalogError(
                "目录有错误，无法可靠审计 / the catalog has errors; the audit cannot be trusted",
                problems.errors,
            )
        result = run_audit(site_dir, for_audience(catalog, audience), jobs=None)
    except KaifangError as exc:
        fail(exc, lang)
        return
    if not result.ok:
        click.echo(format_text(result.problems(), lang), err=True)
        click.echo(
            f"审计未通过：{len(result.problems())} 处问题"
            if lang == "zh"
            else f"audit failed: {len(result.problems())} findings",
            err=True,
        )
        sys.exit(1)
    click.echo(
        f"审计通过：{result.files} 个文件，检查了 {result.secrets} 个非开放数据值"
        if lang == "zh"
        else f"audit passed: {result.files} files, {result.secrets} non-open values looked for"
    )
