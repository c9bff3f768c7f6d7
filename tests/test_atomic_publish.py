"""A build killed with SIGKILL at any point leaves the previous site/ whole, and the next
build cleans up after it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from generator import publish
from generator.build import build
from generator.errors import KaifangError

from .conftest import CatalogFactory
from .test_incremental import tree

EPOCH = "1795000000"


def populate(catalog: CatalogFactory, n: int, version: str) -> None:
    """n datasets whose rows and titles depend on version, so every file changes."""
    for i in range(n):
        rows = "".join(f"{version}-{i}-{r},{r}\n" for r in range(40))
        catalog.dataset(f"ds-{i:02d}", csv_text="line_id,stops\n" + rows, title=f"线路{version}{i}")


def start_build(catalog: Path, out: Path, *args: str, **env: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "generator", "build", "--catalog", str(catalog), "--out", str(out)]
        + ["--no-record-history", *args],  # the reference trees were built without a record
        env={**os.environ, "SOURCE_DATE_EPOCH": EPOCH, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def leftovers(out: Path) -> list[str]:
    return sorted(
        p.name for p in out.parent.glob(".site.*") if not p.name.startswith(publish.LOCK_PREFIX)
    )


@pytest.fixture
def versions(catalog: CatalogFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """site/ built from version 1 of the catalog; the catalog now at version 2; and the
    tree each version builds to, for reference."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    out = tmp_path / "www" / "site"
    populate(catalog, 6, "v1")
    build(catalog.root, out)
    old = tree(out)
    populate(catalog, 6, "v2")
    build(catalog.root, tmp_path / "ref" / "site", use_cache=False)
    new = tree(tmp_path / "ref" / "site")
    assert old != new
    return catalog.root, out, old, new


@pytest.mark.parametrize("point", ["loaded", "deriving", "rendered", "before-swap", "after-swap"])
def test_sigkill_at_each_stage_leaves_a_whole_site(versions, point: str):
    catalog, out, old, new = versions
    proc = start_build(catalog, out, **{publish.PAUSE_ENV: point})
    try:
        line = proc.stderr.readline() if proc.stderr else ""
        assert line.strip() == f"kaifang: paused at {point}", line
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.kill()
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    assert tree(out) == (new if point == "after-swap" else old)

    # The next build removes what the killed one left and publishes the new version.
    finished = start_build(catalog, out)
    _, err = finished.communicate(timeout=120)
    assert finished.returncode == 0, err
    assert leftovers(out) == []
    assert tree(out) == new


def test_sigkill_at_any_moment_leaves_one_whole_version(
    catalog: CatalogFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """Kill builds after a spread of delays, alternating two catalogs into one site/.

    Without the cache, so that every build spends most of its time writing staging.
    """
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    cats = {}
    trees = {}
    for version in ("a", "b"):
        factory = CatalogFactory(tmp_path / f"cat-{version}")
        populate(factory, 8, version)
        cats[version] = factory.root
        ref = tmp_path / f"ref-{version}" / "site"
        build(factory.root, ref, use_cache=False)
        trees[version] = tree(ref)
    out = tmp_path / "www" / "site"
    build(cats["a"], out)
    started = time.perf_counter()
    timing = start_build(cats["b"], out, "--no-cache")
    assert timing.wait(timeout=120) == 0
    duration = time.perf_counter() - started
    current = "b"
    torn_staging = 0  # kills that landed while a staging folder was being written
    for fraction in (0.3, 0.55, 0.7, 0.85, 0.95):
        target = "a" if current == "b" else "b"
        proc = start_build(cats[target], out, "--no-cache")
        time.sleep(duration * fraction)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        torn_staging += bool(leftovers(out))
        now = tree(out)
        assert now in (trees[current], trees[target]), f"torn site after {fraction:.0%}"
        current = target if now == trees[target] else current
    finished = start_build(cats["a"], out)
    assert finished.wait(timeout=120) == 0
    assert tree(out) == trees["a"]
    assert leftovers(out) == []
    assert torn_staging, "no kill landed mid-build: the test proved nothing"


def test_swap_is_one_rename_exchange_here(tmp_path: Path):
    """The atomic path is the one taken on this machine, not the two-rename fallback."""
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    (a / "x").write_text("a")
    (b / "x").write_text("b")
    assert publish._exchange(a, b)
    assert (a / "x").read_text() == "b" and (b / "x").read_text() == "a"


def test_two_builds_into_one_folder_do_not_interleave(catalog: CatalogFactory, tmp_path):
    catalog.dataset("stops")
    out = tmp_path / "site"
    with publish.build_lock(out), pytest.raises(KaifangError, match="另一个构建正在写入"):
        build(catalog.root, out)
