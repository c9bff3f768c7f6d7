from __future__ import annotations

import sys
from pathlib import Path

import click

from ..authoring.intodataset import import_file
from ..errors import KaifangError
from . import catalog_option, fail, lang_option

KINDS = {
    "title": ("标题行", "title row"),
    "unit": ("单位行", "unit row"),
    "note": ("说明行（写入 README.md）", "note row (written to README.md)"),
}


def _ask(names: list[str]) -> str:
    return click.prompt(
        "替换哪个资源 / which resource does the file replace",
        type=click.Choice(names),
    )


@click.command("import")
@click.argument("source", type=click.Path(path_type=Path))
@click.option("--dataset", "dataset_id", help="数据集 id（默认由文件名生成）/ dataset id")
@click.option(
    "--resource",
    help="用文件替换数据集的这个资源 / replace this resource of the dataset with the file",
)
@click.option(
    "--replace",
    is_flag=True,
    help="替换资源：只有一个资源时替换它，多个时询问或报错 / replace a resource "
    "(the only one, else asks or fails with the list)",
)
@click.option(
    "--header-row",
    type=click.IntRange(min=1),
    default=None,
    help="表头所在行（从 1 起；默认自动识别）/ the header's row number (default: detected)",
)
@click.option(
    "--skip-footer",
    type=click.IntRange(min=0),
    default=None,
    help="末尾 N 行是说明，不是数据（默认自动识别；0 关闭）/ the last N rows are notes "
    "(default: detected; 0 turns it off)",
)
@catalog_option
@lang_option
def import_(
    source: Path,
    dataset_id: str | None,
    resource: str | None,
    replace: bool,
    header_row: int | None,
    skip_footer: int | None,
    catalog_dir: Path,
    lang: str,
) -> None:
    """把 CSV 或 Excel 文件导入为数据集 / import a CSV or XLSX file as a dataset.

    CSV in UTF-8 (with or without BOM), GBK or GB18030; XLSX with one resource per sheet.
    Title rows, a unit row and note rows are found and reported; the descriptor's catalog
    keys are left as placeholders for a person to fill in.
    """
    try:
        result = import_file(
            source,
            catalog_dir,
            dataset_id,
            replace=replace,
            resource=resource,
            header_row=header_row,
            skip_footer=skip_footer,
            choose=_ask if sys.stdin.isatty() else None,
        )
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
        lines = "+".join(str(n) for n in res.header_lines)
        click.echo(
            f"    {'表头' if zh else 'header'}: {'第 ' + lines + ' 行' if zh else 'line ' + lines}"
        )
        for s in res.skipped:
            kind = KINDS[s.kind][0 if zh else 1]
            click.echo(
                f"    {'跳过' if zh else 'skipped'} {kind} {'第 ' if zh else 'line '}{s.line}"
                f"{' 行' if zh else ''}: {s.text}"
            )
        for name, why in res.reasons.items():
            click.echo(f"    {name}: {why[0] if zh else why[1]}")
        for warning in res.warnings:
            click.echo(f"  {'警告' if zh else 'warning'}: {warning[0] if zh else warning[1]}")
    for name, old in result.replaced.items():
        click.echo(
            f"  资源 {name} 的旧文件 {old} 已删除（已发布的版本由历史记录保存）"
            if zh
            else f"  removed {old}, the old file of {name} (history keeps published versions)"
        )
    for sheet in result.skipped_sheets:
        click.echo(f"  {'跳过空工作表' if zh else 'skipped empty sheet'} {sheet}")
    if result.created:
        click.echo(
            f"下一步：填写 {rel} 中标记为“待填写”“待定”的项，然后运行 kaifang check"
            if zh
            else f"next: fill in the keys marked 待填写/待定 in {rel}, then run kaifang check"
        )
