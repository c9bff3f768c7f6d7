"""`kaifang serve`: the preview rebuilds on change, reloads the page, and never writes its
reload script into the site."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

from .conftest import CatalogFactory


def get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - localhost only
        return response.read().decode("utf-8")


def version(base: str) -> dict:
    return json.loads(get(base + "__kaifang/version"))


def wait_for(predicate, seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError("timed out")


def test_serve_rebuilds_what_changed_and_reloads(catalog: CatalogFactory, tmp_path: Path):
    catalog.dataset("bus-lines")
    catalog.dataset("stops", title="公交站点")
    out = tmp_path / "site"
    proc = subprocess.Popen(
        [sys.executable, "-m", "generator", "serve", "--catalog", str(catalog.root)]
        + ["--out", str(out), "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    # Every line serve prints, read by a thread: waiting on readline() in the test made it
    # depend on which line came next (an intermediate rebuild may print an error first).
    lines: list[str] = []
    assert proc.stdout is not None
    reader = threading.Thread(target=lambda: lines.extend(iter(proc.stdout.readline, "")))
    reader.start()
    try:
        wait_for(lambda: bool(lines))
        line = lines[0]
        assert line.startswith("预览：http://127.0.0.1:"), line
        base = line.split("：", 1)[1].split()[0]
        page = get(base + "datasets/stops/")
        assert '<script src="/__kaifang/reload.js" defer></script>' in page
        assert "location.reload()" in get(base + "__kaifang/reload.js")
        first = version(base)
        assert first == {"version": 1, "error": None}
        # Served pages get the script; the built site never does.
        built = [p for p in out.rglob("*") if p.is_file() and b"__kaifang" in p.read_bytes()]
        assert built == []

        # (the descriptor and the data file are written one after the other: one or two
        # rebuilds, depending on how far apart the writes land)
        catalog.dataset("stops", title="公交站点（已更新）")
        wait_for(lambda: "公交站点（已更新）" in get(base + "datasets/stops/"))
        # the page is swapped in a moment before the build returns and bumps the version
        wait_for(lambda: version(base)["version"] >= 2)
        wait_for(lambda: any("已重新构建" in ln and "个数据集未变" in ln for ln in lines[1:]))

        # A mistake in the data: the error reaches the browser, and the dataset is held
        # back with its previous version still served (issue 16).
        catalog.dataset("stops", title="公交站点（再次更新）", csv_text="line_id,stops\nL1,三十\n")
        wait_for(lambda: version(base)["error"] is not None)
        assert "不是整数" in version(base)["error"] and "stops" in version(base)["error"]
        page = get(base + "datasets/stops/")
        assert "公交站点（已更新）" in page and "再次更新" not in page
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        reader.join(timeout=20)
    assert not [p for p in out.rglob("*") if p.is_file() and b"__kaifang" in p.read_bytes()]
    assert not (catalog.root / "history").exists()  # previews record no history
