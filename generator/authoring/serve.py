"""`kaifang serve`: a live preview that rebuilds what changed and reloads the page.

- The site is built (incrementally, with the build cache) and served from the output
  folder by a threaded http.server on localhost. Because a build swaps the folder whole,
  a request sees either the previous build or the new one, never half of each.
- The catalog and the templates are watched with watchfiles: inotify (or the platform's
  equivalent) instead of polling thousands of files, near-zero CPU while idle, and bursts
  of events (an editor's save writes a temporary file, then renames it) batched into one
  rebuild. ``--poll`` forces polling, for network or container filesystems without
  change events.
- Pages are served with a small script added *in the response only*: it asks
  /__kaifang/version once a second and reloads when a rebuild has finished, or shows the
  build's errors over the page while the previous site stays served. Nothing of it is
  ever written into the output folder, so a published build never contains it.
- Preview builds record no history: saving a file twice must not add changelog entries.
"""

from __future__ import annotations

import functools
import http.server
import ipaddress
import json
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..build import BuildResult
from ..deploy.mediatypes import content_type, security_headers
from ..errors import KaifangError
from ..holdback import held_back_lines
from ..publish import LOCK_PREFIX, OLD_PREFIX, STAGING_PREFIX
from ..runtime.cache import CACHE_DIRNAME
from ..runtime.report import format_text

log = logging.getLogger(__name__)

ENDPOINT = "/__kaifang/"
LOOPBACK_NAMES = ("127.0.0.1", "localhost", "::1")
WILDCARD_HOSTS = ("0.0.0.0", "::", "")
RELOAD_SCRIPT = """\
(function () {
  var seen = null, box = null;
  function show(error) {
    if (!error) { if (box) { box.remove(); box = null; } return; }
    if (!box) {
      box = document.createElement("pre");
      box.setAttribute("role", "alert");
      box.style.cssText = "position:fixed;inset:auto 0 0 0;max-height:50vh;overflow:auto;" +
        "margin:0;padding:1em;background:#fff3f3;color:#8b0000;border-top:3px solid #c00;" +
        "font:14px/1.5 monospace;white-space:pre-wrap;z-index:99999";
      document.body.appendChild(box);
    }
    box.textContent = error;
  }
  function poll() {
    fetch("/__kaifang/version", {cache: "no-store"})
      .then(function (r) { return r.json(); })
      .then(function (d) {
        if (seen === null) seen = d.version;
        else if (d.version !== seen && !d.error) { location.reload(); return; }
        show(d.error);
      })
      .catch(function () {})
      .finally(function () { setTimeout(poll, 1000); });
  }
  poll();
})();
"""
TAG = b'<script src="/__kaifang/reload.js" defer></script>'


@dataclass
class PreviewState:
    """What the browser polls: a build counter and the last build's error text."""

    version: int = 0
    error: str = ""
    lock: threading.Lock = field(default_factory=threading.Lock)

    def published(self) -> None:
        with self.lock:
            self.version += 1
            self.error = ""

    def failed(self, text: str) -> None:
        with self.lock:
            self.version += 1
            self.error = text

    def as_json(self) -> bytes:
        with self.lock:
            return json.dumps({"version": self.version, "error": self.error or None}).encode()


class PreviewHandler(http.server.SimpleHTTPRequestHandler):
    """Static files from the output folder, the reload script, and the version endpoint."""

    state: PreviewState
    base_path: str = "/"
    bound_host: str = "127.0.0.1"  # --host
    tiles: str = ""  # site.yaml map.tiles when serving started: its host joins img-src

    def host_allowed(self) -> bool:
        """Whether the Host header names this server, as a browser on this machine would.

        A DNS-rebinding page reaches 127.0.0.1 under its own domain name, then reads the
        version endpoint (build errors) and the unpublished preview: any name but
        localhost (or the --host given) is refused. Bound to all interfaces (0.0.0.0),
        an address typed as an IP is allowed too: rebinding always comes by a name.
        """
        header = (self.headers.get("Host") or "").strip().lower()
        if header.startswith("["):  # [::1]:8000
            host, _, rest = header[1:].partition("]")
            if rest and not rest.startswith(":"):
                return False
            given_port = rest[1:]
        else:
            host, _, given_port = header.partition(":")
        if not host or ":" in given_port:
            return False
        port = str(self.server.server_address[1])
        if given_port != port and not (given_port == "" and port == "80"):
            return False
        if host in LOOPBACK_NAMES or host == self.bound_host.lower().strip("[]"):
            return True
        if self.bound_host in WILDCARD_HOSTS:
            try:
                ipaddress.ip_address(host)
            except ValueError:
                return False
            return True
        return False

    def _refuse_host(self) -> bool:
        if self.host_allowed():
            return False
        self.send_error(400, "Host not allowed: use http://127.0.0.1 or http://localhost")
        return True

    def do_HEAD(self) -> None:  # noqa: N802 - http.server's naming
        if not self._refuse_host():
            super().do_HEAD()

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib name
        log.debug("%s " + format, self.address_string(), *args)

    def _send(self, body: bytes, content_type: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def translate_path(self, path: str) -> str:
        # The site links to base_url's path; serve it at that path as well as at /.
        if self.base_path != "/" and path.startswith(self.base_path):
            path = "/" + path[len(self.base_path) :]
        return super().translate_path(path)

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        if self._refuse_host():
            return None
        if self.path.split("?")[0] == ENDPOINT + "version":
            return self._send(self.state.as_json(), "application/json")
        if self.path.split("?")[0] == ENDPOINT + "reload.js":
            return self._send(RELOAD_SCRIPT.encode(), "text/javascript; charset=utf-8")
        target = Path(self.translate_path(self.path.split("?")[0]))
        if self.headers.get("Range") and target.is_file():
            return self._send_range(target)
        if target.is_dir():
            if not self.path.split("?")[0].endswith("/"):
                return super().do_GET()  # the standard redirect to the folder URL
            target = target / "index.html"
        if target.suffix == ".html" and target.is_file():
            html = target.read_bytes()
            at = html.rfind(b"</body>")
            html = html[:at] + TAG + html[at:] if at >= 0 else html + TAG
            return self._send(html, "text/html; charset=utf-8")
        return super().do_GET()

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")
        self._production_headers()
        super().end_headers()

    # --- as in production: content types, security headers, Range, the 404 page ---------

    def guess_type(self, path: Any) -> str:
        return content_type(str(path))

    def _production_headers(self) -> None:
        """The headers deploy/nginx.conf and deploy/Caddyfile send (CSP included, so a
        page that breaks the policy breaks here first)."""
        for name, value in security_headers(self.tiles).items():
            self.send_header(name, value)
        self.send_header("Accept-Ranges", "bytes")

    def _send_range(self, target: Path) -> None:
        """206 with the one byte range asked for (416 when it is outside the file); a
        request for several ranges gets the whole file, as RFC 9110 allows."""
        size = target.stat().st_size
        span = parse_range(self.headers.get("Range", ""), size)
        if span is None:
            return super().do_GET()
        if span == (-1, -1):
            self.send_response(416)
            self.send_header("Content-Range", f"bytes */{size}")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        start, end = span
        self.send_response(206)
        self.send_header("Content-Type", content_type(target.name))
        self.send_header("Content-Range", f"bytes {start}-{end}/{size}")
        self.send_header("Content-Length", str(end - start + 1))
        self.end_headers()
        if self.command != "HEAD":
            with open(target, "rb") as handle:
                handle.seek(start)
                self.wfile.write(handle.read(end - start + 1))

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """A missing file gets the site's own 404 page, in the language of its URL."""
        page = self._not_found_page() if code == 404 else None
        if page is None:
            return super().send_error(code, message, explain)
        body = page.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _not_found_page(self) -> Path | None:
        root = Path(self.translate_path("/"))
        path = self.path.split("?")[0]
        en = path.startswith(self.base_path + "en/") or path.startswith("/en/")
        page = root / ("en/404/index.html" if en else "404/index.html")
        return page if page.is_file() else None


def parse_range(header: str, size: int) -> tuple[int, int] | None:
    """(first, last) byte of a single ``bytes=`` range; (-1, -1) when it cannot be
    satisfied; None when the header is not one range (then the whole file is sent)."""
    unit, _, spec = header.strip().partition("=")
    if unit.strip().lower() != "bytes" or "," in spec:
        return None
    first, dash, last = spec.strip().partition("-")
    if not dash or not (first.isdigit() or last.isdigit()):
        return None
    if not first:  # the last N bytes
        n = int(last)
        return (max(size - n, 0), size - 1) if n and size else (-1, -1)
    if last and not last.isdigit():
        return None
    start = int(first)
    end = min(int(last), size - 1) if last else size - 1
    if last and int(last) < start:
        return None
    return (start, end) if start < size else (-1, -1)


def start_server(
    out_dir: Path,
    host: str,
    port: int,
    state: PreviewState,
    base_path: str = "/",
    tiles: str = "",
) -> http.server.ThreadingHTTPServer:
    handler = type(
        "BoundPreviewHandler",
        (PreviewHandler,),
        {"state": state, "base_path": base_path, "bound_host": host, "tiles": tiles},
    )
    server = http.server.ThreadingHTTPServer(
        (host, port), functools.partial(handler, directory=str(out_dir.resolve()))
    )
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, name="preview-http", daemon=True).start()
    return server


def watch_filter(out_dir: Path, catalog_dir: Path) -> Callable[[Any, str], bool]:
    """Changes that should rebuild: not the output, the cache, staging or editor files."""
    ignored = [
        out_dir.resolve(),
        out_dir.resolve().parent / CACHE_DIRNAME,
        catalog_dir.resolve() / "history",  # written by publishing builds, not by people
    ]
    prefixes = (STAGING_PREFIX, OLD_PREFIX, LOCK_PREFIX, ".import-", ".#")

    def accept(_change: Any, path: str) -> bool:
        p = Path(path)
        if any(p == i or i in p.parents for i in ignored):
            return False
        name = p.name
        return not (
            name.startswith(prefixes)
            or name.endswith(("~", ".swp", ".swx", ".tmp", ".importing"))
            or name in (".DS_Store", "4913")  # 4913: vim's write test file
        )

    return accept


def held_back_text(result: BuildResult, lang: str) -> str:
    """The errors of datasets a rebuild held back (issue 16): the preview shows them over
    the page as it shows a failed build, though the rest of the catalog was published."""
    errors = [p for p in result.problems.items if p.severity == "error"]
    lines = held_back_lines(result.held_back, lang)
    return (format_text(errors, lang) + "\n" if errors else "") + "\n".join(lines).strip()


def serve_forever(
    catalog_dir: Path,
    out_dir: Path,
    rebuild: Callable[[], BuildResult],
    state: PreviewState,
    templates: Path,
    lang: str,
    echo: Callable[[str], None],
    poll: bool = False,
    stop: threading.Event | None = None,
) -> None:
    """Rebuild on every batch of changes until stop is set (or Ctrl+C)."""
    from watchfiles import watch

    paths = [catalog_dir.resolve()]
    if templates.is_dir() and not templates.resolve().is_relative_to(catalog_dir.resolve()):
        paths.append(templates.resolve())
    for changes in watch(
        *paths,
        watch_filter=watch_filter(out_dir, catalog_dir),
        debounce=300,
        step=50,
        stop_event=stop,
        force_polling=poll or None,
        raise_interrupt=False,
    ):
        names = sorted({Path(p).name for _, p in changes})
        shown = ", ".join(names[:3]) + (" …" if len(names) > 3 else "")
        started = time.perf_counter()
        try:
            result = rebuild()
        except KaifangError as exc:
            text = (format_text(exc.problems, lang) + "\n" if exc.problems else "") + str(
                exc.format_message()
            )
            state.failed(text)
            echo(text)
            continue
        if result.held_back:  # the rest is published; the preview shows what stopped
            text = held_back_text(result, lang)
            state.failed(text)
            echo(text)
            continue
        state.published()
        seconds = time.perf_counter() - started
        hits = result.cache.get("validate_hit", 0)
        echo(
            f"已重新构建（{shown}）：{seconds:.1f} 秒，{hits}/{result.datasets} 个数据集未变"
            if lang == "zh"
            else f"rebuilt ({shown}): {seconds:.1f} s, {hits}/{result.datasets} datasets unchanged"
        )
