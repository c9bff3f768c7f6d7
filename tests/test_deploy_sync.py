"""`kaifang deploy`: a second deploy sends only what changed (rclone to a local folder,
and rsync), in the order new files -> pages -> deletions, resumes after an interruption,
and --verify finds a destination that differs (and the next deploy repairs it)."""

from __future__ import annotations

import filecmp
from pathlib import Path

import pytest

from generator.build import build
from generator.deploy.sync import deploy, is_pointer, site_manifest

from .conftest import CatalogFactory


def same_tree(a: Path, b: Path) -> bool:
    return site_manifest(a) == site_manifest(b)


def two_datasets(catalog: CatalogFactory, tmp_path: Path) -> Path:
    catalog.dataset("bus-lines")
    catalog.dataset("parks", csv_text="line_id,stops\nP1,3\nP2,4\n")
    site = tmp_path / "site"
    build(catalog.root, site, use_cache=False)
    return site


def test_files_are_ordered_by_what_points_at_what():
    assert is_pointer("datasets/x/index.html") and is_pointer("datasets/x/index.html.br")
    assert is_pointer("feed.atom") and is_pointer("sitemaps/pages-1.xml")
    assert is_pointer("search-index/zh/meta.json") and is_pointer("datasets/x/datapackage.json")
    assert not is_pointer("datasets/x/rows.csv") and not is_pointer("datasets/x/rows.csv.gz")
    assert not is_pointer("search-index/zh/s/3.bin")
    assert not is_pointer("static/kaifang.css")


def test_second_deploy_sends_only_what_changed(catalog: CatalogFactory, tmp_path: Path, cli):
    site = two_datasets(catalog, tmp_path)
    dest = tmp_path / "dest"
    first = deploy(site, str(dest))
    assert first.first and same_tree(site, dest)
    total = sum(size for size, _ in site_manifest(site).values())
    assert first.uploaded.bytes == total and first.uploaded.files == len(site_manifest(site))

    again = deploy(site, str(dest))
    assert (again.uploaded.files, again.uploaded.bytes) == (0, 0)
    assert again.plan.unchanged == len(site_manifest(site))

    before = site_manifest(site)
    csv = catalog.root / "datasets" / "parks" / "data" / "rows.csv"
    csv.write_text("line_id,stops\nP1,3\nP2,5\nP3,6\n", encoding="utf-8")
    build(catalog.root, site, use_cache=False)
    after = site_manifest(site)
    changed = {p for p in after if before.get(p) != after[p]}
    assert "datasets/parks/rows.csv" in changed
    assert not any(p.startswith("datasets/bus-lines/rows") for p in changed)
    result = cli("deploy", str(dest), "--out", str(site), "--lang", "en")
    assert result.exit_code == 0, result.output
    assert f"{len(changed)} files uploaded" in result.output
    assert f"transferred {len(changed)} files" in result.output
    assert same_tree(site, dest)


def test_new_files_then_pages_then_deletions(catalog: CatalogFactory, tmp_path: Path):
    site = two_datasets(catalog, tmp_path)
    dest = tmp_path / "dest"
    deploy(site, str(dest))
    catalog.dataset("schools", csv_text="line_id,stops\nS1,1\n")
    (catalog.root / "datasets" / "parks" / "datapackage.yaml").unlink()
    for path in sorted((catalog.root / "datasets" / "parks").rglob("*"), reverse=True):
        path.unlink() if path.is_file() else path.rmdir()
    (catalog.root / "datasets" / "parks").rmdir()
    build(catalog.root, site, use_cache=False)
    seen: dict[str, tuple[bool, bool, bool]] = {}

    def look(phase: str) -> None:
        seen[phase] = (
            (dest / "datasets" / "schools" / "rows.csv").exists(),
            (dest / "datasets" / "schools" / "index.html").exists(),
            (dest / "datasets" / "parks" / "rows.csv").exists(),
        )

    deploy(site, str(dest), after_phase=look)
    # the new download arrives before the page that links to it; the removed dataset's
    # files stay until no page links to them
    assert seen == {
        "files": (True, False, True),
        "pages": (True, True, True),
        "deletions": (True, True, False),
    }
    assert same_tree(site, dest) and not (dest / "datasets" / "parks").exists()


def test_an_interrupted_deploy_resumes_where_it_stopped(catalog: CatalogFactory, tmp_path: Path):
    site = two_datasets(catalog, tmp_path)
    dest = tmp_path / "dest"

    def stop(phase: str) -> None:
        if phase == "files":
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        deploy(site, str(dest), after_phase=stop)
    assert (dest / "datasets" / "parks" / "rows.csv").exists()
    assert not (dest / "index.html").exists()
    resumed = deploy(site, str(dest))
    assert resumed.resumed == ["files"]
    pages = sum(site_manifest(site)[p][0] for p in resumed.plan.pages)
    assert resumed.uploaded.bytes == pages  # the files were not sent again
    assert same_tree(site, dest)


def test_verify_finds_differences_and_the_next_deploy_repairs_them(
    catalog: CatalogFactory, tmp_path: Path, cli
):
    site = two_datasets(catalog, tmp_path)
    dest = tmp_path / "dest"
    assert cli("deploy", dest, "--out", site).exit_code == 0
    ok = cli("deploy", dest, "--out", site, "--verify")
    assert ok.exit_code == 0 and "核对通过" in ok.output
    (dest / "index.html").write_text("tampered", encoding="utf-8")
    (dest / "feed.atom").unlink()
    (dest / "stray.html").write_text("left over", encoding="utf-8")
    bad = cli("deploy", dest, "--out", site, "--verify", "--lang", "en")
    assert bad.exit_code == 1
    assert "differs from the site: 3 files" in bad.output
    assert "* index.html" in bad.output and "+ feed.atom" in bad.output
    assert "- stray.html" in bad.output
    repaired = cli("deploy", dest, "--out", site)
    assert repaired.exit_code == 0, repaired.output
    assert same_tree(site, dest) and filecmp.cmp(site / "index.html", dest / "index.html")


def test_rsync_target(catalog: CatalogFactory, tmp_path: Path):
    site = two_datasets(catalog, tmp_path)
    dest = tmp_path / "rsync-dest"
    deploy(site, f"rsync:{dest}")
    assert same_tree(site, dest)
    (site / "robots.txt").write_text("User-agent: *\nDisallow: /x/\n", encoding="utf-8")
    again = deploy(site, f"rsync:{dest}")
    assert again.plan.pages == ["robots.txt"] and not again.plan.files
    assert same_tree(site, dest)


def test_deploying_a_folder_that_is_not_a_site_is_a_clear_error(tmp_path: Path, cli):
    (tmp_path / "empty").mkdir()
    result = cli("deploy", tmp_path / "dest", "--out", tmp_path / "empty")
    assert result.exit_code == 1
    assert "不是已构建的网站" in result.output and "Traceback" not in result.output
    assert cli("deploy").exit_code == 2  # DEST is required
