"""The `kaifang` command: exit 0 on success, 1 when the catalog has errors, 2 on wrong usage."""

from __future__ import annotations

import click

from . import __version__
from .commands.audit import audit
from .commands.build import build
from .commands.check import check
from .commands.import_ import import_
from .commands.new import new
from .commands.serve import serve


@click.group()
@click.version_option(__version__, prog_name="kaifang")
def main() -> None:
    """开放 Kaifang：公共数据开放平台静态网站生成器 / static open-data portal generator."""


main.add_command(audit)
main.add_command(build)
main.add_command(check)
main.add_command(serve)
main.add_command(import_)
main.add_command(new)
