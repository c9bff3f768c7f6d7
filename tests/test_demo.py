"""The demo catalog builds into a real portal, and nothing non-open reaches it."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest

from generator.catalog.loader import load_catalog
from generator.data.reader import iter_rows
from generator.policy import OpenType

from .conftest import DEMO_CATALOG

CATALOG, _ = load_catalog(DEMO_CATALOG)
assert CATALOG is not None


def test_demo_catalog_is_realistic():
    datasets = CATALOG.datasets
    assert len(datasets) >= 15
    assert len({ds.publisher for ds in datasets}) >= 6
    assert {ds.open_type for ds in datasets} == set(OpenType)
    assert len({ds.theme for ds in datasets}) >= 5
    assert len({ds.update_frequency for ds in datasets}) >= 3
    assert any(
        r.format == "xlsx" for ds in datasets for r in ds.resources if ds.open_type is OpenType.OPEN
    )


def test_every_listed_dataset_has_a_page(demo_site: Path):
    assert (demo_site / "index.html").is_file()
    for ds in CATALOG.datasets:
        for prefix in ("", "en/"):
            page = demo_site / prefix / "datasets" / ds.id / "index.html"
            assert page.is_file(), page
            assert ds.title.zh in (demo_site / "datasets" / ds.id / "index.html").read_text()


def test_open_datasets_publish_csv_and_datapackage(demo_site: Path):
    for ds in CATALOG.datasets:
        if ds.open_type is not OpenType.OPEN or not ds.status.publishes_data:
            continue  # issue 16: the demo's job-fairs is suspended (tests/test_status.py)
        folder = demo_site / "datasets" / ds.id
        assert (folder / "datapackage.json").is_file()
        for res in ds.resources:
            published = (folder / f"{res.name}.csv").read_text(encoding="utf-8")
            header = next(csv.reader(io.StringIO(published)))
            assert header == [f.name for f in res.fields]
            source_rows = sum(1 for _ in iter_rows(ds, res)) - 1
            assert published.count("\n") - 1 == source_rows


def test_dataset_page_shows_fields_and_preview(demo_site: Path):
    ds = next(d for d in CATALOG.datasets if d.open_type is OpenType.OPEN)
    html = (demo_site / "datasets" / ds.id / "index.html").read_text(encoding="utf-8")
    res = ds.resources[0]
    first_row = next(r for i, r in enumerate(iter_rows(ds, res)) if i == 1)
    for field in res.fields:
        assert f"<code>{field.name}</code>" in html
    assert "数据预览" in html
    assert all(cell in html for cell in first_row if cell and "&" not in cell and "<" not in cell)


def test_home_has_counts_search_and_themes(demo_site: Path):
    html = (demo_site / "index.html").read_text(encoding="utf-8")
    assert f"<strong>{len(CATALOG.datasets)}</strong>" in html
    assert 'role="search"' in html
    assert 'href="/themes/' in html
    assert '<html lang="zh-CN">' in html
    assert '<html lang="en">' in (demo_site / "en" / "index.html").read_text(encoding="utf-8")


def _identifying_values(ds) -> set[str]:
    """Cell values of a non-open dataset long enough to identify something.

    Dates alone identify no one (a birth date can be a business's founding date in the
    open data), as the audit's documented threshold says too.
    """
    values: set[str] = set()
    for res in ds.resources:
        rows = iter_rows(ds, res)
        next(rows)
        for row in rows:
            values.update(
                v
                for v in row
                if len(v) >= 6 and not v.replace(".", "").isdigit() or (v.isdigit() and len(v) >= 8)
            )
    return {v for v in values if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", v)}


@pytest.fixture(scope="module")
def site_text(demo_site: Path) -> tuple[str, set[str]]:
    """All output text once, and its tokens split on the separators of HTML, CSV and JSON."""
    text = "\n".join(
        p.read_bytes().decode("utf-8", errors="ignore")
        for p in sorted(demo_site.rglob("*"))
        if p.is_file()
    )
    return text, set(re.split(r"[<>\"',\n\r\t;]+", text))


@pytest.mark.parametrize(
    "ds", [d for d in CATALOG.datasets if d.open_type is not OpenType.OPEN], ids=lambda d: d.id
)
def test_no_file_or_row_of_non_open_dataset_in_site(demo_site: Path, site_text, ds):
    folder = demo_site / "datasets" / ds.id
    # the page, its feed (metadata and the changes the policy shows) and the quality report
    # (which publishes no count derived from values), and the page's precompressed copies
    # for web servers (the audit reads those decompressed)
    assert not folder.exists() or sorted(
        p.name for p in folder.iterdir() if p.suffix not in (".gz", ".br")
    ) == [
        "feed.atom",
        "index.html",
        "validation.json",
    ]
    derivatives = {d.id for d in CATALOG.datasets if d.derived_from == ds.id}
    for res in ds.resources:
        found = demo_site.rglob(Path(res.path).name)
        assert not [p for p in found if p.parent.name not in derivatives]
    values = sorted(_identifying_values(ds))
    assert values, "the test must have values to look for"
    text, tokens = site_text
    assert not [v for v in values if v in tokens]
    assert not [v for v in values[:: max(1, len(values) // 50)] if v in text]


def test_the_demo_history_tells_a_story_with_nothing_pending(demo_site: Path):
    """Seeded by scripts/seed_demo_history.py: first publications spread over 2024-2026,
    updates since, and nothing dated by the build (the records match the catalog)."""
    import json

    from generator.build import build_date
    from generator.history import check_records

    assert check_records(CATALOG) == []
    today = build_date().isoformat()
    firsts = set()
    for ds in CATALOG.datasets:
        page = (demo_site / "datasets" / ds.id / "index.html").read_text(encoding="utf-8")
        history = page[
            page.index('<ol class="changelog">') : page.index(
                "</ol>", page.index('<ol class="changelog">')
            )
        ]
        dates = re.findall(r'<time datetime="([0-9-]+)">', history)
        assert today not in dates, ds.id  # no change pending: nothing dated by this build
        if ds.open_type is not OpenType.CLOSED:  # a closed one shows its first publication
            assert len(dates) >= 2, ds.id  # first published, and updated since
        record = json.loads((DEMO_CATALOG / "history" / f"{ds.id}.json").read_text("utf-8"))
        first = record["entries"][-1]
        assert first["changes"][0]["kind"] == "published" and first["date"] == dates[-1]
        firsts.add(first["date"])
    assert len(firsts) >= 10 and min(firsts) >= "2024" and max(firsts) < "2027"
    # one dataset was removed: its URL keeps a tombstone that names its successor
    stone = (demo_site / "datasets" / "bus-stops-2023" / "index.html").read_text("utf-8")
    assert "该数据集已于 2025-09-30 从目录中移除" in stone
    assert 'href="/datasets/bus-lines/"' in stone
