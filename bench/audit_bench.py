"""How long the audit takes next to the whole build (issue 4: under a tenth).

Builds the demo catalog and a synthetic catalog (bench/synth.py) a few times each and
prints, per catalog, the build's wall time, the audit stage's time (it runs inside every
build, between the search index and the swap), their ratio, and what the audit looked at.
The builds are cold (no cache), and the run with the lowest ratio is reported for each,
since a shared machine only ever slows a run down.

    python -m bench.audit_bench                       # demo + 200 synthetic datasets
    python -m bench.audit_bench --datasets 1000 --runs 2 --rows 200
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from bench.synth import make_catalog
from generator.audit import audit
from generator.build import build
from generator.catalog.loader import load_catalog

REPO = Path(__file__).resolve().parent.parent


def measure(catalog: Path, runs: int, jobs: int | None) -> dict:
    best: dict | None = None
    with tempfile.TemporaryDirectory(prefix="kaifang-audit-bench-") as tmp:
        out = Path(tmp) / "site"
        for _ in range(runs):
            started = time.perf_counter()
            # cold: a cached rebuild of an unchanged catalog skips every stage
            result = build(catalog, out, jobs=jobs, use_cache=False)
            total = time.perf_counter() - started
            audit_s = result.stages["audit"]
            if best is None or audit_s / total < best["ratio"]:
                best = {"build": total, "audit": audit_s, "ratio": audit_s / total}
        loaded, _ = load_catalog(catalog)
        assert loaded is not None and best is not None
        report = audit(out, loaded)  # once more, for what it looked at
        best.update(
            files=report.files,
            megabytes=report.bytes / 1e6,
            values=report.secrets,
            findings=len(report.findings),
            datasets=len(loaded.datasets),
        )
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--datasets", type=int, default=200, help="synthetic datasets")
    parser.add_argument("--rows", type=int, default=30, help="rows per synthetic resource")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=None, help="build workers (default: CPUs)")
    args = parser.parse_args()
    rows = [("demo catalog", measure(REPO / "catalog", args.runs, args.jobs))]
    with tempfile.TemporaryDirectory(prefix="kaifang-synth-") as tmp:
        synth = make_catalog(Path(tmp) / "catalog", args.datasets, rows=args.rows)
        label = f"synthetic {args.datasets}×{args.rows} rows"
        rows.append((label, measure(synth, args.runs, args.jobs)))
    print(
        f"{'catalog':28} {'datasets':>8} {'build s':>8} {'audit s':>8} {'ratio':>6} "
        f"{'files':>6} {'MB read':>8} {'values':>7}"
    )
    for label, r in rows:
        print(
            f"{label:28} {r['datasets']:>8} {r['build']:>8.2f} {r['audit']:>8.3f} "
            f"{r['ratio']:>6.1%} {r['files']:>6} {r['megabytes']:>8.1f} {r['values']:>7}"
        )
        if r["findings"]:
            print(f"  !! {r['findings']} audit findings")


if __name__ == "__main__":
    main()
