"""The real-sized catalog: N datasets cloned from the demo's open datasets, and the lower
bound of its data work measured with the columnar libraries alone.

The synthetic catalog (bench/synth.py) has 30-row CSVs; real catalogs have tables of
hundreds to thousands of rows. This one cycles through the demo's own open datasets
(catalog/datasets/*, open type 无条件开放, with data files of their own: 104 to 3,396 rows),
so 1,000 of them hold about 1.25 M rows. Each clone gets its own id, identifier and title
(a suffix ``-<n>`` / ``（<n>）``); data files are hard links to one copy where the file
system allows (the build opens them read-only), otherwise copies.

    python -m bench.realsized catalog OUT_DIR --datasets 1000
    python -m bench.realsized lower-bound CATALOG_DIR [--scratch DIR]

``lower_bound`` reads every CSV resource of a catalog with pyarrow (the Table Schema's
types) and writes its CSV, a JSON array of records (polars) and Parquet (zstd), into a
scratch folder: what the columnar libraries alone take for the same files, the floor a
build's data path can approach.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "catalog"
OPEN = ("无条件开放", "open")


def demo_open_datasets(demo: Path = DEMO) -> list[Path]:
    """The demo's open datasets that have data files of their own (no derivative)."""
    found = []
    for folder in sorted((demo / "datasets").iterdir()):
        descriptor = folder / "datapackage.yaml"
        if not descriptor.is_file():
            continue
        meta = yaml.safe_load(descriptor.read_text(encoding="utf-8"))
        if meta.get("open_type") in OPEN and not meta.get("derived_from"):
            found.append(folder)
    return found


def _retitle(text: str, n: int, name: str) -> str:
    """The descriptor with its name, identifier and titles made unique for clone n (line
    edits, so comments and layout stay as the demo writes them)."""
    lines = []
    for line in text.splitlines(keepends=True):
        if line.startswith("name:"):
            lines.append(f"name: {name}\n")
            continue
        suffixes = (("identifier", f"-{n}"), ("title", f"（{n}）"), ("title_en", f" ({n})"))
        for key, suffix in suffixes:
            if line.startswith(key + ":"):
                value = line[len(key) + 1 :].strip()
                quote = value[0] if value[:1] in ("'", '"') else ""
                body = value[1:-1] if quote else value
                line = f"{key}: {quote}{body}{suffix}{quote}\n"
                break
        lines.append(line)
    return "".join(lines)


def _place(src: Path, dst: Path) -> None:
    dst.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(src, dst)
    except OSError:
        shutil.copyfile(src, dst)


def make_real_catalog(root: Path, n: int, demo: Path = DEMO) -> Path:
    """N datasets cloned from the demo's open datasets, round robin; deterministic."""
    sources = demo_open_datasets(demo)
    if not sources:
        raise SystemExit(f"no open dataset with data in {demo}")
    root.mkdir(parents=True, exist_ok=True)
    for name in ("site.yaml", "publishers.yaml"):
        shutil.copyfile(demo / name, root / name)
    for i in range(n):
        src = sources[i % len(sources)]
        dst = root / "datasets" / f"{src.name}-{i:05d}"
        dst.mkdir(parents=True)
        text = (src / "datapackage.yaml").read_text(encoding="utf-8")
        (dst / "datapackage.yaml").write_text(_retitle(text, i, dst.name), encoding="utf-8")
        for path in sorted(src.rglob("*")):
            if path.is_file() and path.name != "datapackage.yaml":
                _place(path, dst / path.relative_to(src))
    return root


def catalog_rows(root: Path) -> tuple[int, int]:
    """(rows, bytes) of every CSV resource in a catalog."""
    rows = size = 0
    for path, _resource in _csv_resources(root):
        with open(path, "rb") as handle:
            rows += max(sum(1 for _ in handle) - 1, 0)
        size += path.stat().st_size
    return rows, size


def _csv_resources(root: Path):
    for descriptor in sorted((root / "datasets").glob("*/datapackage.yaml")):
        meta = yaml.safe_load(descriptor.read_text(encoding="utf-8"))
        for res in meta.get("resources") or []:
            path = res.get("path")
            if isinstance(path, str) and path.lower().endswith(".csv"):
                yield descriptor.parent / path, res


_ARROW_TYPES = {"integer": "int64", "number": "float64", "boolean": "bool_"}


def lower_bound(root: Path, scratch: Path | None = None) -> dict:
    """Read every CSV resource (typed) and write CSV, JSON and Parquet with the columnar
    libraries alone; seconds per step and in all. The files go to ``scratch`` (created, and
    left for the caller to delete) or to a temporary folder deleted at the end."""
    import polars as pl
    import pyarrow as pa
    import pyarrow.csv as pa_csv
    import pyarrow.parquet as pq

    steps = {"read": 0.0, "csv": 0.0, "json": 0.0, "parquet": 0.0}
    rows = files = 0
    with contextlib.ExitStack() as stack:
        if scratch is None:
            out = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="kaifang-lb-")))
        else:
            out = scratch
            out.mkdir(parents=True)
        started = time.perf_counter()
        for i, (path, res) in enumerate(_csv_resources(root)):
            fields = (res.get("schema") or {}).get("fields") or []
            types = {
                f["name"]: getattr(pa, _ARROW_TYPES[f.get("type")])()
                for f in fields
                if isinstance(f, dict) and f.get("type") in _ARROW_TYPES
            }
            t = time.perf_counter()
            try:
                table = pa_csv.read_csv(
                    path,
                    read_options=pa_csv.ReadOptions(encoding=res.get("encoding") or "utf8"),
                    convert_options=pa_csv.ConvertOptions(column_types=types),
                )
            except pa.ArrowInvalid:  # a cell its type does not read: all columns as text
                table = pa_csv.read_csv(
                    path,
                    read_options=pa_csv.ReadOptions(encoding=res.get("encoding") or "utf8"),
                    convert_options=pa_csv.ConvertOptions(
                        column_types={f["name"]: pa.string() for f in fields}
                    ),
                )
            steps["read"] += time.perf_counter() - t
            t = time.perf_counter()
            pa_csv.write_csv(table, out / f"{i}.csv")
            steps["csv"] += time.perf_counter() - t
            t = time.perf_counter()
            pl.from_arrow(table).write_json(out / f"{i}.json")
            steps["json"] += time.perf_counter() - t
            t = time.perf_counter()
            pq.write_table(table, out / f"{i}.parquet", compression="zstd")
            steps["parquet"] += time.perf_counter() - t
            rows += table.num_rows
            files += 1
        total = time.perf_counter() - started
    return {"seconds": total, "steps": steps, "rows": rows, "files": files}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="task", required=True)
    c = sub.add_parser("catalog")
    c.add_argument("out", type=Path)
    c.add_argument("--datasets", type=int, default=1000)
    lb = sub.add_parser("lower-bound")
    lb.add_argument("catalog", type=Path)
    lb.add_argument(
        "--scratch",
        type=Path,
        help="write the files here and leave them (the bench deletes "
        "them when its run ends: see settle() in bench/run.py)",
    )
    args = parser.parse_args()
    if args.task == "catalog":
        make_real_catalog(args.out, args.datasets)
        rows, size = catalog_rows(args.out)
        print(f"{args.datasets:,} datasets, {rows:,} rows, {size / 1e6:.0f} MB of CSV")
    else:
        json.dump(lower_bound(args.catalog, args.scratch), sys.stdout)


if __name__ == "__main__":
    main()
