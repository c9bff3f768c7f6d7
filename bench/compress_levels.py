"""Size against time of the compressors and levels the deploy stage could use, on the text
files of a built site (the files deploy/compress.py gives .gz and .br siblings).

The levels in generator/deploy/compress.py were chosen from this table; run it again on a
real-sized build before changing them. Times are CPU seconds of this one process (on a
busy machine wall time says little); sizes are a share of the originals' bytes.

    python -m bench.compress_levels SITE [--sample N]
"""

from __future__ import annotations

import argparse
import gzip
import time
from collections.abc import Callable
from pathlib import Path

import brotli
import deflate

from generator.deploy.compress import ENCODINGS, SKIPPED_FOLDERS
from generator.deploy.mediatypes import COMPRESS_MIN_BYTES, compressible

CANDIDATES: list[tuple[str, Callable[[bytes], bytes]]] = [
    ("gzip, zlib 6 (stdlib)", lambda d: gzip.compress(d, 6, mtime=0)),
    ("gzip, libdeflate 4", lambda d: deflate.gzip_compress(d, 4)),
    ("gzip, libdeflate 6 (used)", lambda d: deflate.gzip_compress(d, 6)),
    ("gzip, libdeflate 8", lambda d: deflate.gzip_compress(d, 8)),
    ("brotli 4", lambda d: brotli.compress(d, quality=4)),
    ("brotli 5 (used)", lambda d: brotli.compress(d, quality=5)),
    ("brotli 6", lambda d: brotli.compress(d, quality=6)),
]


def text_files(site: Path, sample: int = 1) -> list[bytes]:
    """The contents of every ``sample``-th text file the deploy stage compresses."""
    found = []
    for path in sorted(site.rglob("*")):
        rel = path.relative_to(site).as_posix()
        if (
            path.is_file()
            and compressible(rel)
            and not rel.endswith(ENCODINGS)
            and not rel.startswith(SKIPPED_FOLDERS)
            and path.stat().st_size >= COMPRESS_MIN_BYTES
        ):
            found.append(path)
    return [p.read_bytes() for p in found[::sample]]


def measure(files: list[bytes]) -> list[tuple[str, float, float]]:
    """(candidate, share of the original size, CPU seconds) for each candidate."""
    total = sum(len(d) for d in files) or 1
    rows = []
    for name, compress in CANDIDATES:
        started = time.process_time()
        size = sum(len(compress(d)) for d in files)
        rows.append((name, size / total, time.process_time() - started))
    return rows


def report(site: Path, sample: int = 1, say: Callable[[str], None] = print) -> None:
    files = text_files(site, sample)
    every = f", every {sample}th" if sample > 1 else ""
    size = sum(map(len, files)) / 1e6
    say(f"  compression levels on {len(files):,} text files ({size:.0f} MB{every}):")
    for name, share, seconds in measure(files):
        say(f"    {name:<26} {share:7.2%} of the size  {seconds:6.2f} s CPU")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("site", type=Path)
    parser.add_argument("--sample", type=int, default=1, help="every Nth file only")
    args = parser.parse_args()
    report(args.site, args.sample)


if __name__ == "__main__":
    main()
