"""Kaifang at national scale: build, validation and memory figures against the targets.

    make bench                       # everything (about 5-10 minutes on 2 cores)
    python -m bench.run --quick      # small sizes, for trying the script itself
    python -m bench.run --skip builds --skip validation --skip memory --real 200
                                     # only the real-sized catalog (bench/realsized.py)
    python -m bench.run --profile    # also cProfile a 1,000-dataset build in-process

Every figure is measured in this run, on this machine; ratios compare figures of the
same run. Inputs are generated (deterministically) into bench/out/, which git ignores,
and reused by later runs. Each measured task runs in a fresh process (bench/child.py),
so its peak memory is its own: "largest process" is getrusage max RSS of the build
process or of its largest worker; "whole tree" adds up the RSS of the build and all its
workers, sampled every 50 ms with psutil.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import psutil

from bench import compress_levels
from bench.findings import check_command_findings
from bench.realsized import catalog_rows, make_real_catalog
from bench.synth import (
    large_csv_schema,
    make_catalog,
    make_large_catalog,
    make_large_csv,
    make_large_csv_columnar,
)

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
PY = sys.executable
FRICTIONLESS = str(Path(PY).with_name("frictionless"))
KAIFANG = str(Path(PY).with_name("kaifang"))

TARGETS = {
    "build_1k_s": 15.0,
    "build_real_1k_s": 15.0,
    "build_10k_s": 60.0,
    "growth_10k_over_1k": 11.0,
    "validation_speedup": 10.0,
    "peak_10m_mb": 1024.0,
}


@dataclass
class Run:
    seconds: float  # wall time of the whole process, start-up included
    result: dict
    tree_peak_mb: float

    @property
    def largest_mb(self) -> float:
        kb = max(self.result.get("maxrss_self_kb", 0), self.result.get("maxrss_children_kb", 0))
        return kb / 1024


@dataclass
class Report:
    lines: list[str] = field(default_factory=list)
    verdicts: list[tuple[str, bool, str]] = field(default_factory=list)

    def say(self, text: str = "") -> None:
        print(text, flush=True)
        self.lines.append(text)

    def target(self, name: str, ok: bool, detail: str) -> None:
        self.verdicts.append((name, ok, detail))


def _sample_tree(proc: psutil.Process, peak: list[float], done: threading.Event) -> None:
    while not done.is_set():
        try:
            procs = [proc, *proc.children(recursive=True)]
            total = 0
            for p in procs:
                try:
                    total += p.memory_info().rss
                except psutil.Error:
                    pass
            peak[0] = max(peak[0], total / (1 << 20))
        except psutil.Error:
            pass
        done.wait(0.05)


# Earlier output is moved here and deleted when the run ends (see settle()).
DISCARDED = OUT / ".discarded"
# Seconds to wait after a large tree was deleted before timing a build (see settle()).
QUIET_AFTER_DELETE_S = 65.0
_deleted_at: list[float] = []  # time.monotonic() of the last large delete, if any


def discard(path: Path) -> None:
    """Move earlier output out of the way (a rename: nothing is freed), to be deleted when
    the run ends: deleting it here would slow the next measured build (see settle())."""
    if path.exists():
        DISCARDED.mkdir(parents=True, exist_ok=True)
        path.rename(DISCARDED / f"{time.time_ns()}-{path.name}")


def scratch(name: str) -> Path:
    """A new folder for output nobody reads again, deleted when the run ends."""
    return DISCARDED / f"{time.time_ns()}-{name}"


def deleted_large_tree() -> None:
    """The command just measured deleted a large tree (a rebuild into the same folder
    replaces the previous site): the next build waits (settle())."""
    _deleted_at.append(time.monotonic())


def empty_discarded(report: Report) -> None:
    if DISCARDED.is_dir():
        total, files = tree_bytes(DISCARDED)
        shutil.rmtree(DISCARDED)
        report.say(f"  deleted earlier output: {total / 1e6:.0f} MB in {files:,} files")


def settle() -> None:
    """Let the file system finish with earlier output before timing.

    The root file system of the machines this runs on is ext4 without a journal, whose
    inode allocator skips inodes freed in the last 60 s (more while their inode table is
    not yet written back) and searches the inode tables for others: creating files right
    after a large tree was deleted costs several times the system CPU (measured here:
    20,000 small files in 3.4 s one second after deleting 60,000 files, 1.2 s on a quiet
    disk, 1.9 s 71 s later; a 1,000-dataset build took 20-26 s instead of 15-17 s right
    after a 10,000-dataset site was deleted). So the bench deletes nothing while it
    measures: earlier output is renamed into bench/out/.discarded and deleted when the run
    ends (discard()), and after a measured rebuild that replaced a large site, the next
    measurement waits until QUIET_AFTER_DELETE_S have passed. Writes still being flushed
    are synced first.
    """
    os.sync()
    time.sleep(1)
    if _deleted_at:
        wait = QUIET_AFTER_DELETE_S - (time.monotonic() - _deleted_at[-1])
        if wait > 0:
            time.sleep(wait)
            os.sync()


def measure(args: list[str], parse_json: bool = True) -> Run:
    """Run a command, timing it and sampling its process tree's memory."""
    settle()
    started = time.perf_counter()
    popen = subprocess.Popen(
        args, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    peak = [0.0]
    done = threading.Event()
    sampler = threading.Thread(
        target=_sample_tree, args=(psutil.Process(popen.pid), peak, done), daemon=True
    )
    sampler.start()
    out, err = popen.communicate()
    seconds = time.perf_counter() - started
    done.set()
    sampler.join()
    if popen.returncode not in (0, 1) or (parse_json and popen.returncode != 0):
        raise SystemExit(f"failed ({popen.returncode}): {' '.join(args)}\n{err[-3000:]}")
    result = json.loads(out) if parse_json else {"stdout": out, "exit": popen.returncode}
    return Run(seconds, result, peak[0])


def child(*args: str) -> list[str]:
    return [PY, "-m", "bench.child", *args]


def tree_bytes(path: Path) -> tuple[int, int]:
    files = [p for p in path.rglob("*") if p.is_file()]
    return sum(p.stat().st_size for p in files), len(files)


def ensure(path: Path, make, label: str, report: Report) -> Path:
    marker = path.with_name(path.name + ".done")
    if marker.exists():
        return path
    started = time.perf_counter()
    discard(path)  # half made by an interrupted run
    make()
    marker.write_text("ok\n", encoding="utf-8")
    report.say(f"  generated {label} in {time.perf_counter() - started:.1f} s")
    return path


def commit() -> str:
    try:
        rev = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=ROOT,
            capture_output=True,
            text=True,
        ).stdout.strip()
        return rev + (" (with uncommitted changes)" if dirty else "")
    except OSError:
        return "unknown"


def incremental_cache() -> str:
    """Whether the build has an incremental cache (issue 7) to make a rebuild cheap."""
    import importlib.util

    for name in ("generator.runtime.cache", "generator.incremental"):
        if importlib.util.find_spec(name) is not None:
            return name
    return ""


# -- sections ------------------------------------------------------------------------------


def bench_builds(sizes: list[int], jobs: int | None, report: Report) -> dict[int, float]:
    report.say("\n== Full builds (synthetic catalogs: 70% open, 30 rows per CSV) ==")
    cache = incremental_cache()
    times: dict[int, float] = {}
    for n in sizes:
        catalog = ensure(
            OUT / f"catalog-{n}",
            lambda n=n: make_catalog(OUT / f"catalog-{n}", n),
            f"catalog of {n:,} datasets",
            report,
        )
        site = OUT / f"site-{n}"
        cache_dir = OUT / f"cache-{n}"  # cold for the full build, warm for the rebuilds
        discard(site)
        discard(cache_dir)
        extra = ["--jobs", str(jobs)] if jobs else []
        extra += ["--cache-dir", str(cache_dir)]
        first = measure(child("build", str(catalog), str(site), *extra))
        times[n] = first.seconds
        stages = first.result["stages"]
        dominant = max(stages, key=stages.get)
        total, files = tree_bytes(site)
        search_bytes, search_files = (
            tree_bytes(site / "search-index") if (site / "search-index").is_dir() else (0, 0)
        )
        data_bytes = sum(
            p.stat().st_size
            for p in (site / "datasets").rglob("*")
            if p.is_file() and p.suffix != ".html"
        )
        report.say(f"N = {n:,} datasets")
        report.say(
            f"  full build:           {first.seconds:7.1f} s wall "
            f"({first.result['seconds']:.1f} s inside build())"
        )
        report.say(
            "  stages (s):           "
            + ", ".join(f"{k} {v:.1f}" for k, v in stages.items())
            + f"; dominant: {dominant} ({stages[dominant] / first.result['seconds']:.0%})"
        )
        report.say(f"  render:               {render_per_page(stages, n)}")
        report.say(
            "                        (stages overlap: feeds are written during render, and "
            "audit includes waiting for the search index)"
        )
        report.say(
            f"  peak memory:          {first.largest_mb:7.0f} MB largest process, "
            f"{first.tree_peak_mb:.0f} MB whole tree"
        )
        report.say(
            f"  output:               {total / 1e6:7.1f} MB in {files:,} files = "
            f"{total / n / 1024:.1f} KB per dataset "
            f"({data_bytes / n / 1024:.1f} KB of it data files)"
        )
        if search_files:
            report.say(
                f"  search index:         {search_bytes / 1e6:7.1f} MB in {search_files:,} files "
                f"(site/search-index), {search_bytes / n / 1024:.1f} KB per dataset"
            )
        else:
            report.say("  search index:         none (no search-index/ in the output)")
        lower_bound(catalog, first.seconds, report)
        again = measure(child("build", str(catalog), str(site), *extra))
        deleted_large_tree()  # the rebuild replaced the full build's site
        label = (
            f"incremental cache ({cache}), same output folder"
            if again.result.get("cache")
            else "no incremental cache on this commit: a plain rebuild"
        )
        report.say(
            f"  no-change rebuild:    {again.seconds:7.1f} s wall ({label}); "
            f"{again.seconds / first.seconds:.0%} of the full build"
        )
        if again.result.get("cache") and n <= 1000:  # at 10,000 it would add 5 minutes
            fresh = OUT / f"site-{n}-fresh"
            discard(fresh)
            warm = measure(child("build", str(catalog), str(fresh), *extra))
            report.say(
                f"  warm-cache build:     {warm.seconds:7.1f} s wall (unchanged catalog into a new "
                f"output folder: every page written, no dataset revalidated or rederived); "
                f"{warm.seconds / first.seconds:.0%} of the full build"
            )
            discard(fresh)
    if 1000 in times:
        report.target(
            "1,000 datasets < 15 s", times[1000] < TARGETS["build_1k_s"], f"{times[1000]:.1f} s"
        )
    if 10000 in times:
        report.target(
            "10,000 datasets < 60 s", times[10000] < TARGETS["build_10k_s"], f"{times[10000]:.1f} s"
        )
    if 1000 in times and 10000 in times:
        ratio = times[10000] / times[1000]
        report.target(
            "10,000 take <= 11x 1,000", ratio <= TARGETS["growth_10k_over_1k"], f"{ratio:.1f}x"
        )
    return times


def render_per_page(stages: dict, n: int) -> str:
    """The render stage's wall time per dataset page (zh and en counted as two pages)."""
    render = stages.get("render")
    if render is None or not n:
        return "no render stage reported"
    per_page = render * 1000 / (2 * n)
    return f"{per_page:.2f} ms per dataset page (render {render:.1f} s, 2 x {n:,} pages)"


def lower_bound(catalog: Path, build_seconds: float, report: Report) -> float:
    """The columnar libraries alone on the catalog's CSV files (bench/realsized.py), printed
    beside the build with the build's ratio to it."""
    floor = measure(
        [
            *[PY, "-m", "bench.realsized", "lower-bound", str(catalog)],
            *["--scratch", str(scratch(f"lower-bound-{catalog.name}"))],
        ]
    )
    steps = floor.result["steps"]
    report.say(
        f"  lower bound:          {floor.seconds:7.1f} s wall ({floor.result['seconds']:.1f} s "
        f"inside: read {steps['read']:.1f}, CSV {steps['csv']:.1f}, JSON {steps['json']:.1f}, "
        f"Parquet {steps['parquet']:.1f}; pyarrow + polars, one process, "
        f"{floor.result['files']:,} CSV files, {floor.result['rows']:,} rows)"
    )
    report.say(f"  build / lower bound:  {build_seconds / floor.seconds:7.1f}x")
    return floor.seconds


def bench_real(sizes: list[int], jobs: int | None, report: Report) -> dict[int, float]:
    """The real-sized catalog: datasets cloned from the demo's open datasets."""
    report.say(
        "\n== Full builds (real-sized: clones of the demo's open datasets, 104-3,396 rows) =="
    )
    times: dict[int, float] = {}
    for n in sizes:
        catalog = ensure(
            OUT / f"catalog-real-{n}",
            lambda n=n: make_real_catalog(OUT / f"catalog-real-{n}", n),
            f"real-sized catalog of {n:,} datasets",
            report,
        )
        rows, size = catalog_rows(catalog)
        site = OUT / f"site-real-{n}"
        # a cache of its own, emptied: with the default one (bench/out/.kaifang-cache, kept
        # between runs) pages and compressed siblings came from earlier runs' results
        cache_dir = OUT / f"cache-real-{n}"
        discard(site)
        discard(cache_dir)
        extra = ["--jobs", str(jobs)] if jobs else []
        run = measure(
            child("build", str(catalog), str(site), *extra, "--cache-dir", str(cache_dir))
        )
        times[n] = run.seconds
        stages = run.result["stages"]
        total, files = tree_bytes(site)
        report.say(f"N = {n:,} datasets, {rows:,} rows, {size / 1e6:.0f} MB of CSV")
        report.say(
            f"  full build:           {run.seconds:7.1f} s wall "
            f"({run.result['seconds']:.1f} s inside build()); "
            f"{rows / run.seconds:,.0f} rows/s"
        )
        report.say(
            "  stages (s):           " + ", ".join(f"{k} {v:.1f}" for k, v in stages.items())
        )
        report.say(
            f"  peak memory:          {run.largest_mb:7.0f} MB largest process, "
            f"{run.tree_peak_mb:.0f} MB whole tree"
        )
        report.say(f"  render:               {render_per_page(stages, n)}")
        report.say(f"  output:               {total / 1e6:7.1f} MB in {files:,} files")
        lower_bound(catalog, run.seconds, report)
        # the levels of the .gz/.br siblings, on about 200 datasets' worth of this output
        compress_levels.report(site, max(1, n // 200), report.say)
        discard(site)
        discard(cache_dir)
    if 1000 in times:
        report.target(
            "1,000 real-sized datasets < 15 s",
            times[1000] < TARGETS["build_real_1k_s"],
            f"{times[1000]:.1f} s",
        )
    return times


def bench_check_command(
    broken: Path, fl_seconds: float, fl_listing: list[tuple], report: Report
) -> None:
    """`kaifang check` as a whole command on a catalog of the broken CSV, against
    `frictionless validate` on the same file in this run. ``fl_listing``: frictionless's
    findings in its report's order."""
    catalog = OUT / f"catalog-check-{broken.stem}"
    discard(catalog)
    make_large_catalog(catalog, broken)
    # --no-cache: bench/out/.kaifang-cache (left by earlier runs) would otherwise answer
    # the check from a stored result, or cost it a digest of the file; either way it would
    # not time the validation frictionless is timed on
    run = measure(
        [KAIFANG, "check", "--catalog", str(catalog), "--json", "--no-cache"], parse_json=False
    )
    listed, total = check_command_findings(json.loads(run.result["stdout"]))
    # check lists the first errors in frictionless's order and counts the rest
    same = listed == fl_listing[: len(listed)] and total == len(fl_listing)
    speedup = fl_seconds / run.seconds
    report.say(
        f"  kaifang check (CLI):   {run.seconds:7.1f} s whole command, "
        f"peak {run.tree_peak_mb:.0f} MB; "
        f"{speedup:.1f}x faster than frictionless validate"
    )
    report.say(
        f"  same findings:         {'yes' if same else 'NO'} "
        f"({total} data errors counted, {len(fl_listing)} by frictionless; the {len(listed)} "
        f"listed are frictionless's first {len(listed)} by type, row and field, in its order)"
    )
    report.target(
        "kaifang check on 1M rows >= 10x frictionless validate, same findings",
        speedup >= TARGETS["validation_speedup"] and same,
        f"{speedup:.1f}x, findings {'identical' if same else 'DIFFER'}",
    )


def bench_validation(rows: int, big_rows: int, report: Report) -> None:
    report.say(f"\n== Validation of one {rows:,}-row CSV (5 columns, primary key, constraints) ==")
    schema_path = OUT / "large.schema.json"
    schema_path.write_text(json.dumps(large_csv_schema(), ensure_ascii=False), encoding="utf-8")
    defects = max(9, rows // 10_000)
    broken = ensure(
        OUT / f"large-{rows}-defects.csv",
        lambda: make_large_csv(OUT / f"large-{rows}-defects.csv", rows, defects=defects),
        f"{rows:,}-row CSV with {defects} defects",
        report,
    )
    rel = broken.relative_to(ROOT)
    fl = measure(
        [
            FRICTIONLESS,
            "validate",
            "--json",
            "--limit-errors",
            "0",
            "--schema",
            str(schema_path.relative_to(ROOT)),
            str(rel),
        ],
        parse_json=False,
    )
    fl_report = json.loads(fl.result["stdout"])
    fl_task = fl_report["tasks"][0]
    fl_listing = [
        (e["type"], e.get("rowNumber"), e.get("fieldName") or "") for e in fl_task["errors"]
    ]
    fl_findings = sorted(fl_listing)
    ours = measure(child("fastcheck", str(broken), str(schema_path)))
    our_findings = sorted(tuple(f) for f in ours.result["findings"])
    same = fl_findings == [tuple(f) for f in our_findings]
    fl_rate = rows / fl.seconds
    our_rate = rows / ours.seconds
    inside = rows / ours.result["seconds"]
    report.say(
        f"  frictionless validate: {fl.seconds:7.1f} s = {fl_rate:12,.0f} rows/s "
        f"(CLI, whole process), peak {fl.tree_peak_mb:.0f} MB"
    )
    report.say(
        f"  Kaifang fast path:     {ours.seconds:7.1f} s = {our_rate:12,.0f} rows/s "
        f"(whole process; {inside:,.0f} rows/s inside validate_csv), peak {ours.largest_mb:.0f} MB"
    )
    speedup = our_rate / fl_rate
    report.say(f"  ratio:                 {speedup:7.1f}x frictionless's rows/s")
    report.say(
        f"  same findings:         {'yes' if same else 'NO'} ({len(fl_findings)} findings by "
        f"frictionless, {len(our_findings)} by Kaifang; compared as (type, row, field))"
    )
    report.target(
        "1M-row validation (fast path in-process) >= 10x frictionless, same findings",
        speedup >= TARGETS["validation_speedup"] and same,
        f"{speedup:.1f}x, findings {'identical' if same else 'DIFFER'}",
    )
    bench_check_command(broken, fl.seconds, fl_listing, report)
    if big_rows:
        big = ensure(
            OUT / f"large-{big_rows}.csv",
            lambda: make_large_csv_columnar(OUT / f"large-{big_rows}.csv", big_rows),
            f"{big_rows:,}-row CSV",
            report,
        )
        run = measure(child("fastcheck", str(big), str(schema_path)))
        report.say(
            f"  {big_rows:,} rows, Kaifang: {run.seconds:7.1f} s = "
            f"{big_rows / run.seconds:12,.0f} rows/s, "
            f"peak {run.largest_mb:.0f} MB; frictionless extrapolated from the "
            f"{rows:,}-row run (not run): {big_rows / fl_rate:.0f} s"
        )


def bench_memory(sizes: list[int], jobs: int | None, report: Report) -> None:
    report.say("\n== One large resource through the whole build (validate, derive, render, …) ==")
    peaks: dict[int, float] = {}
    for rows in sizes:
        csv_path = ensure(
            OUT / f"large-{rows}.csv",
            lambda rows=rows: make_large_csv_columnar(OUT / f"large-{rows}.csv", rows),
            f"{rows:,}-row CSV",
            report,
        )
        catalog = OUT / f"catalog-large-{rows}"
        discard(catalog)
        make_large_catalog(catalog, csv_path)
        site = OUT / f"site-large-{rows}"
        discard(site)
        extra = ["--jobs", str(jobs)] if jobs else []
        run = measure(child("build", str(catalog), str(site), *extra))
        peaks[rows] = max(run.largest_mb, run.tree_peak_mb)
        stages = run.result["stages"]
        report.say(
            f"  {rows:>10,} rows ({csv_path.stat().st_size / 1e6:.0f} MB): "
            f"build {run.seconds:6.1f} s "
            f"({', '.join(f'{k} {v:.1f}' for k, v in stages.items())}), "
            f"peak {run.largest_mb:.0f} MB largest process, {run.tree_peak_mb:.0f} MB whole tree"
        )
    if len(peaks) >= 2:
        small, big = min(peaks), max(peaks)
        report.say(
            f"  memory growth: {peaks[big] / peaks[small]:.2f}x for {big // small}x the rows"
        )
        report.target(
            f"peak memory for a {big:,}-row resource < 1 GB",
            peaks[big] < TARGETS["peak_10m_mb"],
            f"{peaks[big]:.0f} MB",
        )


def profile_build(n: int, report: Report) -> None:
    import cProfile
    import io
    import pstats

    from generator.build import build

    catalog = OUT / f"catalog-{n}"
    report.say(
        f"\n== cProfile of a {n:,}-dataset build, in-process, --jobs 1 (top 25 by own time) =="
    )
    profiler = cProfile.Profile()
    profiler.enable()
    build(catalog, OUT / f"site-profile-{n}", jobs=1)
    profiler.disable()
    text = io.StringIO()
    pstats.Stats(profiler, stream=text).sort_stats("tottime").print_stats(25)
    for line in text.getvalue().splitlines():
        if line.strip():
            report.say("  " + line.replace(str(ROOT) + "/", ""))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--quick", action="store_true", help="small sizes (checks the script, not the targets)"
    )
    parser.add_argument(
        "--jobs", type=int, default=None, help="worker processes (default: one per CPU)"
    )
    parser.add_argument(
        "--profile", action="store_true", help="also cProfile a 1,000-dataset build"
    )
    parser.add_argument(
        "--skip", action="append", default=[], choices=["builds", "real", "validation", "memory"]
    )
    parser.add_argument(
        "--real",
        type=int,
        action="append",
        default=None,
        help="datasets in the real-sized catalog (repeatable; default 1,000, --quick 50)",
    )
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    report = Report()
    started = time.perf_counter()
    report.say("Kaifang benchmark")
    report.say(
        f"  commit {commit()}, Python {sys.version.split()[0]}, {os.cpu_count()} CPUs, "
        f"load average {os.getloadavg()[0]:.1f} at start"
    )
    if args.quick:
        build_sizes, val_rows, big_rows, mem_sizes = [100, 1000], 100_000, 0, [100_000, 1_000_000]
    else:
        build_sizes, val_rows, big_rows, mem_sizes = (
            [1000, 10000],
            1_000_000,
            10_000_000,
            [1_000_000, 10_000_000],
        )
    if "builds" not in args.skip:
        bench_builds(build_sizes, args.jobs, report)
    if "real" not in args.skip:
        bench_real(args.real or ([50] if args.quick else [1000]), args.jobs, report)
    if "validation" not in args.skip:
        bench_validation(val_rows, big_rows, report)
    if "memory" not in args.skip:
        bench_memory(mem_sizes, args.jobs, report)
    if args.profile:
        profile_build(1000, report)
    report.say("\n== Targets (2 cores) ==")
    for name, ok, detail in report.verdicts:
        report.say(f"  [{'met' if ok else 'NOT MET'}] {name}: {detail}")
    report.say(
        f"\nbench total {time.perf_counter() - started:.0f} s, load average "
        f"{os.getloadavg()[0]:.1f} at the end (other processes on the machine slow every figure)"
    )
    (OUT / "last-report.txt").write_text("\n".join(report.lines) + "\n", encoding="utf-8")
    empty_discarded(report)


if __name__ == "__main__":
    main()
