"""The `kaifang` command: exit 0 on success, 1 when the catalog has errors, 2 on wrong usage."""

from __future__ import annotations

import functools
import http.server
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from . import __version__
from .build import build as run_build
from .build import check as run_check
from .errors import KaifangError
from .report import format_json, format_text

LANGS = click.Choice(["zh", "en"])


def catalog_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--catalog",
        "catalog_dir",
        type=click.Path(path_type=Path),
        default=Path("catalog"),
        show_default=True,
        help="目录文件夹 / catalog folder",
    )(func)


def out_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--out",
        "out_dir",
        type=click.Path(path_type=Path),
        default=Path("site"),
        show_default=True,
        help="输出文件夹 / output folder",
    )(func)


def lang_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--lang", type=LANGS, default="zh", show_default=True, help="消息语言 / message language"
    )(func)


def strict_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--strict", is_flag=True, help="警告也视为错误 / treat warnings as errors")(
        func
    )


def fail(exc: KaifangError, lang: str) -> None:
    """Print a user error with its problems and exit 1, never a traceback."""
    if exc.problems:
        click.echo(format_text(exc.problems, lang), err=True)
    click.echo(exc.format_message(), err=True)
    sys.exit(exc.exit_code)


@click.group()
@click.version_option(__version__, prog_name="kaifang")
def main() -> None:
    """开放 Kaifang：公共数据开放平台静态网站生成器 / static open-data portal generator."""


@main.command()
@catalog_option
@out_option
@strict_option
@lang_option
def build(catalog_dir: Path, out_dir: Path, strict: bool, lang: str) -> None:
    """检查并构建网站 / check the catalog and build the site."""
    try:
        result = run_build(catalog_dir, out_dir, strict=strict)
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


@main.command()
@catalog_option
@click.option("--json", "as_json", is_flag=True, help="输出 JSON 报告 / print a JSON report")
@strict_option
@lang_option
def check(catalog_dir: Path, as_json: bool, strict: bool, lang: str) -> None:
    """检查目录，不生成网站 / check the catalog without building."""
    result = run_check(catalog_dir)
    failed = result.failed(strict)
    datasets = len(result.catalog.datasets) if result.catalog else 0
    if as_json:
        click.echo(format_json(result.problems.items, datasets, ok=not failed))
    elif result.problems.items:
        click.echo(format_text(result.problems.items, lang), err=failed)
    if not as_json and not failed:
        click.echo(
            f"检查通过：{datasets} 个数据集"
            if lang == "zh"
            else f"check passed: {datasets} datasets"
        )
    sys.exit(1 if failed else 0)


@main.command()
@catalog_option
@out_option
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@lang_option
def serve(catalog_dir: Path, out_dir: Path, host: str, port: int, lang: str) -> None:
    """构建后在本机预览 / build, then serve the site on localhost."""
    try:
        run_build(catalog_dir, out_dir)
    except KaifangError as exc:
        fail(exc, lang)
        return
    handler = functools.partial(
        http.server.SimpleHTTPRequestHandler, directory=str(out_dir.resolve())
    )
    with http.server.ThreadingHTTPServer((host, port), handler) as server:
        click.echo(f"http://{host}:{port}/  (Ctrl+C)")
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
