from __future__ import annotations

from pathlib import Path

import click

from ..authoring.importer import import_file
from ..errors import KaifangError
from . import catalog_option, fail, lang_option


@click.command("import")
@click.argument("source", type=click.Path(path_type=Path))
@click.option("--dataset", "dataset_id", help="数据集 id（默认由文件名生成）/ dataset id")
@click.option(
    "--replace", is_flag=True, help="替换同名资源的数据 / replace the data of same-named resources"
)
@catalog_option
@lang_option
def import_(
    source: Path, dataset_id: str | None, replace: bool, catalog_dir: Path, lang: str
) -> None:
    """把 CSV 或 Excel 文件导入为数据集 / import a CSV or XLSX file as a dataset.

    CSV in UTF-8 (with or without BOM), GBK or GB18030; XLSX with one resource per sheet.
    The descriptor's catalog keys are left as placeholders for a person to fill in.
    """
    try:
        result = import_file(source, catalog_dir, dataset_id, replace=replace)
    except KaifangError as exc:
        fail(exc, lang)
        return
    zh = lang == "zh"
    rel = f"datasets/{result.dataset}/datapackage.yaml"
    click.echo(
        f"已导入 {source.name} → 数据集 {result.dataset}"
        if zh
        else f"imported {source.name} → dataset {result.dataset}"
    )
    for res in result.resources:
        types = ", ".join(f"{f['name']}:{f['type']}" for f in res.fields)
        enc = f" [{res.source_encoding}]" if res.source_encoding else ""
        click.echo(f"  {res.path}{enc}: {res.rows} {'行' if zh else 'rows'}; {types}")
    for sheet in result.skipped_sheets:
        click.echo(f"  {'跳过空工作表' if zh else 'skipped empty sheet'} {sheet}")
    if result.created:
        click.echo(
            f"下一步：填写 {rel} 中标记为“待填写”“待定”的项，然后运行 kaifang check"
            if zh
            else f"next: fill in the keys marked 待填写/待定 in {rel}, then run kaifang check"
        )
