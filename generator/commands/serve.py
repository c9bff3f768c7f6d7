from __future__ import annotations

import functools
import http.server
from pathlib import Path

import click

from ..build import build as run_build
from ..errors import KaifangError
from . import catalog_option, fail, lang_option, out_option


@click.command()
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
