"""Progress of long stages, and the summary printed when a build ends.

On a terminal each stage gets a rich progress bar with counts, elapsed time and time
left; when output is not a terminal (CI logs, pipes) or under --quiet nothing is drawn,
because redrawn bars turn a log into noise.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from .build import BuildResult

STAGES = {
    "validate": ("校验", "validating"),
    "derive": ("生成数据文件", "deriving"),
    "render": ("渲染页面", "rendering"),
}

Advance = Callable[[int], None]


class Progress(Protocol):
    def stage(self, name: str, total: int) -> AbstractContextManager[Advance]:
        """A context in which advance(n) reports n more items of the stage done."""


class NoProgress:
    @contextmanager
    def stage(self, name: str, total: int) -> Iterator[Advance]:
        yield lambda n: None


class BarProgress:
    """Rich progress bars on stderr, one per stage, removed when the stage ends."""

    def __init__(self, lang: str = "zh") -> None:
        from rich.console import Console

        self.lang = lang
        self.console = Console(stderr=True)

    @contextmanager
    def stage(self, name: str, total: int) -> Iterator[Advance]:
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        zh, en = STAGES.get(name, (name, name))
        columns = (
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TextColumn("剩余" if self.lang == "zh" else "left"),
            TimeRemainingColumn(),
        )
        with Progress(*columns, console=self.console, transient=True) as bars:
            task = bars.add_task(zh if self.lang == "zh" else en, total=total)
            yield lambda n: bars.advance(task, n)


def make_progress(quiet: bool, lang: str = "zh") -> Progress:
    if quiet or not sys.stderr.isatty():
        return NoProgress()
    return BarProgress(lang)


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
