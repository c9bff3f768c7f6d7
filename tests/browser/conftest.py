"""A real browser against the demo site: Debian's Chromium driven by Playwright.

The demo catalog is built once per session (the ``demo_site`` fixture) and served from a
threaded http.server on a free localhost port. Chromium is never downloaded: `make test`
installs Debian's package, and Playwright launches /usr/bin/chromium.
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, Response, sync_playwright

from ..conftest import REPO

CHROMIUM = Path(os.environ.get("KAIFANG_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


@pytest.fixture(scope="session")
def site_url(demo_site: Path) -> Iterator[str]:
    handler = functools.partial(QuietHandler, directory=str(demo_site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    assert CHROMIUM.exists(), f"{CHROMIUM} is missing: run `make test`, which installs it"
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh page that fails the test on any JavaScript error or failed request."""
    context = browser.new_context(viewport={"width": 1200, "height": 900}, locale="zh-CN")
    tab = context.new_page()
    errors: list[str] = []

    def on_console(msg: ConsoleMessage) -> None:
        if msg.type == "error":
            errors.append(f"console error: {msg.text}")

    def on_response(response: Response) -> None:
        if response.status >= 400:
            errors.append(f"HTTP {response.status} {response.url}")

    tab.on("pageerror", lambda exc: errors.append(f"page error: {exc}"))
    tab.on("console", on_console)
    tab.on("response", on_response)
    yield tab
    context.close()
    assert not errors, errors


@pytest.fixture(scope="session")
def axe_source() -> str:
    """axe-core from node_modules; installed from package-lock.json when missing, as
    `make test` does, so running pytest directly in a fresh worktree works too."""
    if not AXE.is_file():
        npm = shutil.which("npm")
        assert npm, "npm is missing: run `make test`, which installs it with apt-get"
        subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=REPO, check=True, timeout=600)
    return AXE.read_text(encoding="utf-8")
