"""One module per `kaifang` verb; shared option bundles and error handling live here."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from ..errors import KaifangError
from ..runtime.report import format_text

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


def jobs_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--jobs",
        "-j",
        type=click.IntRange(min=1),
        default=None,
        help="并行工作进程数（默认：CPU 核数）/ worker processes (default: one per CPU)",
    )(func)


def cache_options(func: Callable[..., Any]) -> Callable[..., Any]:
    func = click.option(
        "--cache-dir",
        type=click.Path(path_type=Path),
        default=None,
        help="缓存位置（默认：输出文件夹旁的 .kaifang-cache）/ cache folder "
        "(default: .kaifang-cache beside the output)",
    )(func)
    return click.option(
        "--no-cache",
        is_flag=True,
        help="不使用缓存，全部重新校验和生成 / validate and derive everything again",
    )(func)


def audience_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--audience",
        type=click.Choice(["public", "share"]),
        default="public",
        show_default=True,
        help="public：公共数据开放门户；share：政务网络内部的共享目录 / public: the open-data "
        "portal; share: the internal sharing catalog (共享目录) for the government network",
    )(func)


def quiet_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--quiet", "-q", is_flag=True, help="只输出错误 / print errors only")(func)


def fail(exc: KaifangError, lang: str) -> None:
    """Print a user error with its problems and exit 1, never a traceback."""
    if exc.problems:
        click.echo(format_text(exc.problems, lang), err=True)
    by_lang = getattr(exc, "by_lang", None)  # errors that can say it in one language
    click.echo(by_lang[lang] if by_lang else exc.format_message(), err=True)
    sys.exit(exc.exit_code)
