"""Progress of long stages.

On a terminal each stage gets a rich progress bar with counts, elapsed time and time
left; when output is not a terminal (CI logs, pipes) or under --quiet nothing is drawn,
because redrawn bars turn a log into noise.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Protocol

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
