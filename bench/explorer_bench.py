"""Table explorer benchmark (issue 20): a 1M-row resource explored in headless Chromium.

Makes a catalog of one open dataset with one big resource (bench/synth.py: id, station,
value, day, valid), builds it with `kaifang build`, serves the site with `kaifang serve`'s
server (HTTP Range answered with 206) on 127.0.0.1, and opens the dataset page in a fresh
browser context (empty cache) each time. For three views it prints the bytes of the
Parquet file fetched and the time the view took to reach the screen (the User Timing
measure "kaifang:explorer:<resource>" that static/explorer.js records):

- first rows: the page opened, the first 100 rows shown (time from navigation start);
- sorted: the header button of "监测值" (value, a float column) clicked, the first 100
  rows of the sorted view shown (time from the click);
- filtered: "监测站包含" set to one station and applied, its first rows shown.

Targets (issue 20): first rows under 1 MB and 1 s on localhost; sorting or filtering
under 3 s.

    python -m bench.explorer_bench [--rows 1000000] [--runs 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

from bench.synth import make_large_catalog, make_large_csv_columnar
from generator.authoring.serve import PreviewState, start_server

OUT = Path(__file__).resolve().parent / "out" / "explorer"
CHROMIUM = os.environ.get("KAIFANG_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
PAGE = "/datasets/air-quality-readings/"
SECTION = "section.explorer"
MEASURE = "kaifang:explorer:readings"


def build_site(rows: int) -> Path:
    """The site of a catalog with one resource of `rows` rows (the CSV is made once and kept;
    the site is built every time, with the code being measured)."""
    root = OUT / f"rows-{rows}"
    site = root / "site"
    csv_path = root / "readings.csv"
    if not csv_path.is_file():
        make_large_csv_columnar(csv_path, rows)
    catalog = make_large_catalog(root / "catalog", csv_path)
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "generator", "build", "--catalog", str(catalog), "--out",
         str(site), "--no-record-history", "--quiet"],
        check=True,
    )  # fmt: skip
    print(f"build of {rows:,} rows: {time.perf_counter() - started:.1f} s", flush=True)
    return site


def last_measure(page: Page) -> float:
    return page.evaluate(
        f"() => {{ const m = performance.getEntriesByName({MEASURE!r}); "
        "return m[m.length - 1].duration; }"
    )


def settled(page: Page, measures: int) -> None:
    """Wait until the explorer has drawn its `measures`-th view and is not busy."""
    page.wait_for_function(
        f"() => performance.getEntriesByName({MEASURE!r}).length >= {measures}"
        f" && !document.querySelector({SECTION!r}).hasAttribute('aria-busy')",
        timeout=120_000,
    )


def one_run(browser, url: str) -> dict[str, tuple[int, float]]:
    context = browser.new_context()
    page = context.new_page()
    fetched = [0]

    def count(response) -> None:
        if response.url.endswith(".parquet"):
            fetched[0] += int(response.headers.get("content-length", "0"))

    page.on("response", count)
    out: dict[str, tuple[int, float]] = {}
    page.goto(url + PAGE)
    settled(page, 1)
    out["first 100 rows"] = (fetched[0], last_measure(page))
    rows = page.locator(f"{SECTION} tbody tr").count()
    assert rows == 100, f"{rows} rows shown"

    fetched[0] = 0
    page.locator(f"{SECTION} thead th").nth(2).get_by_role("button").click()
    settled(page, 2)
    out["sorted by value"] = (fetched[0], last_measure(page))

    fetched[0] = 0
    section = page.locator(SECTION)
    section.locator("summary").click()
    section.get_by_label("监测站包含").fill("监测站7")
    section.get_by_role("button", name="应用").click()
    settled(page, 3)
    out["filtered by station"] = (fetched[0], last_measure(page))
    status = section.locator(".explorer-status").inner_text()
    context.close()
    out["_status"] = (0, 0.0)
    print(f"  {status}", flush=True)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    site = build_site(args.rows)
    parquet = site / PAGE.strip("/") / "readings.parquet"
    print(f"Parquet: {parquet.stat().st_size:,} bytes for {args.rows:,} rows", flush=True)
    server = start_server(site, "127.0.0.1", 0, PreviewState())
    url = f"http://127.0.0.1:{server.server_address[1]}"
    results: dict[str, list[tuple[int, float]]] = {}
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            for _ in range(args.runs):
                for view, figure in one_run(browser, url).items():
                    results.setdefault(view, []).append(figure)
            browser.close()
    finally:
        server.shutdown()
    targets = {"first 100 rows": (1 << 20, 1000.0)}
    print(f"\nexplorer, {args.rows:,} rows, median of {args.runs} cold runs:")
    for view, figures in results.items():
        if view.startswith("_"):
            continue
        kb = statistics.median(f[0] for f in figures) / 1024
        ms = statistics.median(f[1] for f in figures)
        limit_bytes, limit_ms = targets.get(view, (None, 3000.0))
        verdict = (
            "ok" if ms < limit_ms and (limit_bytes is None or kb * 1024 < limit_bytes) else "OVER"
        )
        target = f"< {limit_ms / 1000:g} s" + (" and 1 MB" if limit_bytes else "")
        print(f"  {view:22} {kb:10,.0f} KB {ms:8,.0f} ms   target {target}: {verdict}")


if __name__ == "__main__":
    main()
