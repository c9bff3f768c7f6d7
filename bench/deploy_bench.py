"""Deploy benchmark (issue 21): bytes an incremental deploy transfers, next to the site.

Writes a synthetic catalog (bench/synth.py), builds it with SOURCE_DATE_EPOCH fixed, and
deploys it with `kaifang deploy` (rclone) to a local folder three times:

1. the first deploy: everything;
2. a no-change deploy: the site rebuilt from the same catalog;
3. a one-dataset-change deploy: one dataset's data file gained a row, the site rebuilt.

For each it prints the files and bytes rclone reports as transferred, the files deleted,
the time, and the share of the site's bytes; then checks the destination with --verify.

    python -m bench.deploy_bench [--datasets 1000] [--out bench/out/deploy]
"""

from __future__ import annotations

import argparse
import shutil
import time
from pathlib import Path

from bench.rebuild_bench import timed_build
from bench.synth import make_catalog
from generator.deploy.sync import DeployResult, deploy, site_manifest, verify


def show(label: str, result: DeployResult, seconds: float, site_bytes: int) -> None:
    sent = result.uploaded
    share = sent.bytes / site_bytes if site_bytes else 0.0
    print(
        f"{label:<28} {sent.files:7d} files {sent.bytes:14,d} bytes ({share:7.3%} of the site)"
        f"  {len(result.plan.deletions):5d} deleted  {seconds:6.2f} s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", type=int, default=1000)
    parser.add_argument("--out", type=Path, default=Path("bench/out/deploy"))
    args = parser.parse_args()
    work = args.out.resolve()
    shutil.rmtree(work, ignore_errors=True)
    catalog = make_catalog(work / "catalog", args.datasets)
    site, dest = work / "site", work / "dest"

    timed_build(catalog, site)
    manifest = site_manifest(site)
    site_bytes = sum(size for size, _ in manifest.values())
    print(f"datasets: {args.datasets}   site: {len(manifest)} files, {site_bytes:,d} bytes")

    def timed_deploy() -> tuple[DeployResult, float]:
        started = time.perf_counter()
        result = deploy(site, str(dest), state_dir=work / "state")
        return result, time.perf_counter() - started

    result, seconds = timed_deploy()
    show("first deploy (everything)", result, seconds, site_bytes)

    shutil.rmtree(site)  # a real rebuild: every file written again, new mtimes
    timed_build(catalog, site)
    result, seconds = timed_deploy()
    show("no change", result, seconds, site_bytes)

    data = sorted((catalog / "datasets").iterdir())[0] / "data" / "data.csv"
    data.write_text(data.read_text(encoding="utf-8") + "9999,新增,北区,1.5,2020-01-01\n")
    timed_build(catalog, site)
    result, seconds = timed_deploy()
    show("one dataset changed", result, seconds, site_bytes)
    pages = len(result.plan.pages)
    print(f"  of which pages and files that point to others: {pages}, data and assets: "
          f"{len(result.plan.files)}")  # fmt: skip

    checked = verify(site, str(dest), state_dir=work / "state")
    print("verify:", "destination holds the site" if not checked.differences else checked)


if __name__ == "__main__":
    main()
