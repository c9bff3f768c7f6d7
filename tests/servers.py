"""Real web servers for tests: Debian's nginx (and Caddy) started on 127.0.0.1 with the
configuration a build writes, as child processes in the foreground, stopped afterwards.

`make test` installs nginx, its brotli_static module and Caddy with apt-get when missing.
"""

from __future__ import annotations

import os
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from generator.deploy.servers import caddyfile, nginx_config

NGINX = Path("/usr/sbin/nginx")
CADDY = Path("/usr/bin/caddy")
BROTLI_MODULE = Path("/usr/lib/nginx/modules/ngx_http_brotli_static_module.so")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for_port(port: int, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited: {log.read_text(errors='replace')[-2000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("server did not start")


@contextmanager
def _running(command: list[str], port: int, log: Path, env: dict | None = None) -> Iterator[str]:
    with open(log, "ab") as output:
        process = subprocess.Popen(command, stdout=output, stderr=output, env=env)
    try:
        _wait_for_port(port, process, log)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextmanager
def run_nginx(
    site: Path, work: Path, base_url: str = "https://data.example.gov.cn/"
) -> Iterator[str]:
    """nginx serving ``site`` with the server block Kaifang generates, wrapped in the few
    lines a main nginx.conf needs (pid, logs, temp folders) under ``work``."""
    assert NGINX.exists(), f"{NGINX} is missing: run `make test`, which installs nginx"
    assert BROTLI_MODULE.exists(), f"{BROTLI_MODULE} is missing: run `make test`"
    work.mkdir(parents=True, exist_ok=True)
    port = free_port()
    (work / "site.conf").write_text(
        nginx_config(site.resolve(), base_url, listen=f"127.0.0.1:{port}"), encoding="utf-8"
    )
    temps = "\n".join(
        f"    {kind}_temp_path {work / kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    user = "user root;\n" if os.geteuid() == 0 else ""  # workers must read tmp_path (0700)
    (work / "nginx.conf").write_text(
        f"""{user}load_module {BROTLI_MODULE};
daemon off;
worker_processes 1;
pid {work / "nginx.pid"};
error_log {work / "error.log"} warn;
events {{ worker_connections 128; }}
http {{
    access_log off;
{temps}
    include {work / "site.conf"};
}}
""",
        encoding="utf-8",
    )
    command = [str(NGINX), "-p", str(work), "-c", str(work / "nginx.conf")]
    check = subprocess.run([*command, "-t"], capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    with _running(command, port, work / "error.log") as url:
        yield url


@contextmanager
def run_caddy(
    site: Path, work: Path, base_url: str = "https://data.example.gov.cn/"
) -> Iterator[str]:
    """Caddy serving ``site`` with the generated Caddyfile, at http://127.0.0.1:PORT."""
    assert CADDY.exists(), f"{CADDY} is missing: run `make test`, which installs caddy"
    work.mkdir(parents=True, exist_ok=True)
    port = free_port()
    config = caddyfile(site.resolve(), base_url, address=f"http://127.0.0.1:{port}")
    (work / "Caddyfile").write_text("{\n\tadmin off\n}\n" + config)
    env = {
        **os.environ,
        "XDG_DATA_HOME": str(work / "data"),
        "XDG_CONFIG_HOME": str(work / "config"),
    }
    command = [str(CADDY), "run", "--adapter", "caddyfile", "--config", str(work / "Caddyfile")]
    with _running(command, port, work / "caddy.log", env) as url:
        yield url
