"""The `kaifang` command: exit 0 on success, 1 when the catalog has errors, 2 on wrong usage,
130 when interrupted (Ctrl+C).

The verbs are imported when one is run, not when the command starts: their imports
(frictionless, pyarrow, jinja2) take about a second, and a Ctrl+C in that second must end
with one line, not a traceback from the middle of an import.
"""

from __future__ import annotations

import importlib
import sys
from typing import Any, NoReturn

import click

from . import __version__

# verb -> module under generator.commands and the click command in it
VERBS = {
    "audit": ("audit", "audit"),
    "build": ("build", "build"),
    "check": ("check", "check"),
    "deploy": ("deploy", "deploy"),
    "serve": ("serve", "serve"),
    "import": ("import_", "import_"),
    "harvest": ("harvest", "harvest"),
    "new": ("new", "new"),
}
INTERRUPTED_EXIT = 130  # 128 + SIGINT, as shells report it


def interrupted() -> NoReturn:
    """One line and exit 130: the build stopped, site/ keeps the previous build."""
    click.echo("\n已中断，网站未改变 / interrupted; the site was not changed", err=True)
    sys.exit(INTERRUPTED_EXIT)


class KaifangGroup(click.Group):
    """Loads each verb on first use and turns Ctrl+C anywhere into exit 130."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(self.commands) | set(VERBS))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in VERBS:
            module, attr = VERBS[cmd_name]
            command = getattr(importlib.import_module(f".commands.{module}", __package__), attr)
            self.add_command(command, cmd_name)
        return super().get_command(ctx, cmd_name)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:
            interrupted()

    def main(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().main(*args, **kwargs)
        except KeyboardInterrupt:
            interrupted()


@click.group(cls=KaifangGroup)
@click.version_option(__version__, prog_name="kaifang")
def main() -> None:
    """开放 Kaifang：公共数据开放平台静态网站生成器 / static open-data portal generator."""
