from __future__ import annotations

import functools
import sys
import time
from pathlib import Path

import click

from ..authoring.serve import PreviewState, serve_forever, start_server
from ..build import build as run_build
from ..catalog.loader import load_catalog
from ..errors import KaifangError
from ..site.render import TEMPLATES
from . import catalog_option, fail, lang_option, out_option


@click.command()
@catalog_option
@out_option
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int, help="0: any free port")
@click.option("--no-watch", is_flag=True, help="不监视文件变化 / build and serve, without watching")
@click.option(
    "--poll", is_flag=True, help="轮询文件（网络文件系统）/ poll files (network filesystems)"
)
@lang_option
def serve(
    catalog_dir: Path, out_dir: Path, host: str, port: int, no_watch: bool, poll: bool, lang: str
) -> None:
    """构建并在本机预览，文件变化时重新构建并刷新页面 / build, serve on localhost, rebuild and
    reload the page when the catalog or templates change."""
    rebuild = functools.partial(run_build, catalog_dir, out_dir)
    try:
        rebuild()
    except KaifangError as exc:
        fail(exc, lang)
        return
    catalog, _ = load_catalog(catalog_dir)
    base_path = catalog.site.base_path if catalog is not None else "/"
    state = PreviewState(version=1)
    tiles = catalog.site.map.tiles if catalog is not None and catalog.site.map else ""
    server = start_server(out_dir, host, port, state, base_path, tiles)
    url = f"http://{server.server_address[0]}:{server.server_address[1]}{base_path}"
    say(f"预览：{url}  （Ctrl+C 结束）" if lang == "zh" else f"preview: {url}  (Ctrl+C to stop)")
    try:
        if no_watch:
            while True:  # the HTTP thread serves until Ctrl+C
                time.sleep(3600)
        serve_forever(catalog_dir, out_dir, rebuild, state, TEMPLATES, lang, say, poll)
    except KeyboardInterrupt:
        pass
    finally:
        server.shutdown()


def say(text: str) -> None:
    """A line at once, also when stdout is a pipe (an editor's terminal, a test)."""
    click.echo(text)
    sys.stdout.flush()
