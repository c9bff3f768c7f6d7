"""Rebuild benchmark (issue 7): how long a rebuild takes next to a full build.

Writes a synthetic catalog (bench/synth.py), then times, each in a fresh process (as a
publisher runs them, imports included) with SOURCE_DATE_EPOCH fixed:

1. the full build, with an empty cache;
2. a no-change rebuild: the catalog untouched (the target: under 10% of 1);
3. a rebuild after one dataset's data file changed;
4. a rebuild after the output folder was removed, so every dataset and page comes from
   the cache and the whole pipeline runs (what the cache saves without the "nothing to
   do" check);
5. a full build with --no-cache, for reference.

    python -m bench.rebuild_bench [--datasets 1000] [--jobs N] [--out bench/out/rebuild]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from bench.synth import make_catalog

EPOCH = "1795000000"


def timed_build(catalog: Path, out: Path, *args: str) -> tuple[float, str]:
    command = [sys.executable, "-m", "generator", "build", "--catalog", str(catalog)]
    command += ["--out", str(out), *args]
    env = {**os.environ, "SOURCE_DATE_EPOCH": EPOCH}
    started = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"build failed:\n{done.stdout}\n{done.stderr}")
    return seconds, done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""


def tree_hash(root: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        if path.is_file():
            digest.update(path.relative_to(root).as_posix().encode())
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", type=int, default=1000)
    parser.add_argument("--jobs", type=int, default=None)
    parser.add_argument("--out", type=Path, default=Path("bench/out/rebuild"))
    args = parser.parse_args()
    work = args.out.resolve()
    shutil.rmtree(work, ignore_errors=True)
    catalog = make_catalog(work / "catalog", args.datasets)
    site = work / "site"
    jobs = ["--jobs", str(args.jobs)] if args.jobs else []

    full, _ = timed_build(catalog, site, *jobs)
    full_tree = tree_hash(site)
    none, said = timed_build(catalog, site, *jobs)
    assert tree_hash(site) == full_tree
    data = next((catalog / "datasets").iterdir()) / "data" / "data.csv"
    data.write_text(data.read_text(encoding="utf-8") + "9999,新增,北区,1.5,2020-01-01\n")
    one, _ = timed_build(catalog, site, *jobs)
    shutil.rmtree(site)
    from_cache, _ = timed_build(catalog, site, *jobs)
    one_tree = tree_hash(site)
    shutil.rmtree(site)
    no_cache, _ = timed_build(catalog, site, "--no-cache", *jobs)
    assert tree_hash(site) == one_tree, "a build from the cache differs from one without"

    print(f"datasets: {args.datasets}   cpus: {os.cpu_count()}   jobs: {args.jobs or 'auto'}")
    print(f"full build (empty cache):          {full:7.2f} s")
    print(f"no-change rebuild:                 {none:7.2f} s   {none / full:6.1%} of full")
    print(f"  ({said})")
    print(f"one data file changed:             {one:7.2f} s   {one / full:6.1%} of full")
    print(f"output removed, all from cache:    {from_cache:7.2f} s   {from_cache / full:6.1%}")
    print(f"full build with --no-cache:        {no_cache:7.2f} s")
    verdict = "met" if none < full / 10 else "NOT met"
    print(f"target: no-change rebuild < 10% of the full build: {verdict}")


if __name__ == "__main__":
    main()
