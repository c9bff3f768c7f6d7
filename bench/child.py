"""One measured task, run by bench/run.py in a fresh process; prints one JSON object.

A fresh process per task makes peak memory (getrusage max RSS) belong to that task
alone: RUSAGE_SELF is this process, RUSAGE_CHILDREN the largest worker it waited for.

    python -m bench.child build CATALOG OUT [--jobs N]
    python -m bench.child fastcheck CSV SCHEMA_JSON
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from pathlib import Path


def _rss() -> dict[str, int]:
    return {
        "maxrss_self_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        "maxrss_children_kb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
    }


def build(catalog: Path, out: Path, jobs: int | None, cache_dir: Path | None) -> dict:
    import inspect

    from generator.build import build as run_build

    options: dict = {"jobs": jobs}
    if cache_dir is not None and "cache_dir" in inspect.signature(run_build).parameters:
        options["cache_dir"] = cache_dir  # the incremental cache (issue 7), kept per catalog
    started = time.perf_counter()
    result = run_build(catalog, out, **options)
    return {
        "seconds": time.perf_counter() - started,
        "stages": result.stages,
        "files": result.files,
        "datasets": result.datasets,
        "cache": "cache_dir" in options,
    }


def fastcheck(csv_path: Path, schema_path: Path) -> dict:
    from frictionless import Schema

    from generator.checks.fastcheck import validate_csv

    schema = Schema.from_descriptor(json.loads(schema_path.read_text(encoding="utf-8")))
    started = time.perf_counter()
    report = validate_csv(csv_path, schema, keep=10**9)  # every finding, to compare them all
    return {
        "seconds": time.perf_counter() - started,
        "rows": report.rows,
        "findings": [
            [e.type, getattr(e, "row_number", None), getattr(e, "field_name", None) or ""]
            for e in report.errors
        ],
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="task", required=True)
    b = sub.add_parser("build")
    b.add_argument("catalog", type=Path)
    b.add_argument("out", type=Path)
    b.add_argument("--jobs", type=int, default=None)
    b.add_argument("--cache-dir", type=Path, default=None)
    f = sub.add_parser("fastcheck")
    f.add_argument("csv", type=Path)
    f.add_argument("schema", type=Path)
    args = parser.parse_args()
    if args.task == "build":
        result = build(args.catalog, args.out, args.jobs, args.cache_dir)
    else:
        result = fastcheck(args.csv, args.schema)
    result.update(_rss())
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main()
