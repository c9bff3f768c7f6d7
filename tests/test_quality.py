"""The quality section of each dataset page and /datasets/<id>/validation.json."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from generator.build import build
from generator.catalog.loader import load_catalog
from generator.policy import OpenType

from .conftest import DEMO_CATALOG, CatalogFactory, dataset_yaml

CONDITIONAL_ROWS = "".join(f"C{i:03d},{i + 2}\n" for i in range(37))


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One small catalog with an open, a conditional and a closed dataset, built once."""
    tmp_path = tmp_path_factory.mktemp("quality")
    catalog = CatalogFactory(tmp_path / "catalog")
    catalog.dataset("open-data")
    catalog.dataset(
        "cond-data",
        csv_text="line_id,stops\n" + CONDITIONAL_ROWS,
        descriptor=dataset_yaml(
            "cond-data",
            open_type="有条件开放",
            extra="open_conditions: 仅向科研机构提供\nlegal_basis: 《条例》第三条\n",
        ),
    )
    catalog.dataset(
        "closed-data",
        csv_text="line_id,stops\n" + CONDITIONAL_ROWS,
        descriptor=dataset_yaml("closed-data", open_type="非开放", extra="legal_basis: 《条例》\n"),
    )
    out = tmp_path / "site"
    build(catalog.root, out, jobs=1)
    return out


def validation(site: Path, ds: str) -> dict:
    return json.loads((site / "datasets" / ds / "validation.json").read_text(encoding="utf-8"))


def test_open_dataset_reports_rows_fields_errors_formats_and_completeness(site):
    doc = validation(site, "open-data")
    assert doc["dataset"] == "open-data" and doc["open_type"] == "open" and doc["valid"]
    assert doc["statistics_published"] is True
    assert doc["formats"] == ["CSV", "JSON", "PARQUET", "XLSX"]
    assert doc["errors"] == 0 and doc["errors_by_type"] == {}
    [res] = doc["resources"]
    assert res == {
        "name": "rows",
        "title": "数据",
        "fields": 2,
        "rows": 2,
        "errors": 0,
        "errors_by_type": {},
        "formats": ["CSV", "JSON", "PARQUET", "XLSX"],
    }
    meta = doc["metadata"]
    assert set(meta["missing"]) == {
        "identifier",
        "share_type",
        "licenses",
        "contact",
        "spatial",
        "temporal",
    }
    assert meta["completeness"] == round(1 - 6 / 15, 3)


def test_conditional_dataset_publishes_no_count_derived_from_values(site):
    doc = validation(site, "cond-data")
    assert doc["statistics_published"] is False
    assert doc["resources"] == [{"name": "rows", "title": "数据", "fields": 2}]
    assert not {"formats", "errors", "errors_by_type"} & set(doc)
    # completeness of a conditional record counts its conditions and legal basis
    assert "licenses" not in doc["metadata"]["missing"]
    page = (site / "datasets" / "cond-data" / "index.html").read_text(encoding="utf-8")
    quality = page[page.index('id="quality-h"') :]
    assert "37" not in quality and "38" not in quality  # neither rows nor rows + header
    assert "不公开行数" in quality


def test_closed_dataset_shows_only_metadata_completeness(site):
    doc = validation(site, "closed-data")
    assert set(doc) == {
        "dataset",
        "url",
        "profile",
        "open_type",
        "valid",
        "metadata",
        "statistics_published",
    }
    page = (site / "datasets" / "closed-data" / "index.html").read_text(encoding="utf-8")
    assert "数据质量" in page and "validation.json" in page
    assert '<th scope="col">字段数</th>' not in page


@pytest.mark.parametrize("prefix", ["", "en/"])
def test_every_dataset_page_has_a_quality_section(site, prefix):
    heading = "Data quality" if prefix else "数据质量"
    for ds in ("open-data", "cond-data", "closed-data"):
        page = (site / prefix / "datasets" / ds / "index.html").read_text(encoding="utf-8")
        assert f'<h2 id="quality-h">{heading}</h2>' in page
        assert f'href="/datasets/{ds}/validation.json"' in page


def test_hidden_closed_datasets_have_no_validation_file(catalog, cli, tmp_path):
    (catalog.root / "site.yaml").write_text(
        (catalog.root / "site.yaml")
        .read_text(encoding="utf-8")
        .replace("hide_closed: false", "hide_closed: true"),
        encoding="utf-8",
    )
    catalog.dataset("closed-data", open_type="非开放", extra="legal_basis: 《条例》\n")
    catalog.dataset("open-data")
    out = tmp_path / "site"
    assert cli("build", "--catalog", catalog.root, "--out", out).exit_code == 0
    assert (out / "datasets" / "open-data" / "validation.json").is_file()
    assert not (out / "datasets" / "closed-data").exists()


def test_demo_validation_files_follow_the_policy(demo_site: Path):
    catalog, _ = load_catalog(DEMO_CATALOG)
    assert catalog is not None
    for ds in catalog.datasets:
        doc = validation(demo_site, ds.id)
        resources = doc.get("resources", [])
        if ds.open_type is OpenType.OPEN and ds.status.publishes_data:
            assert doc["statistics_published"] and all(r["rows"] > 0 for r in resources)
            assert "CSV" in doc["formats"]
        elif ds.open_type is OpenType.OPEN:  # suspended or withdrawn: no data while it holds
            assert not doc["statistics_published"] and "CSV" not in doc.get("formats", [])
        else:
            assert not doc["statistics_published"]
            assert all(set(r) == {"name", "title", "fields"} for r in resources)
            if ds.open_type is OpenType.CLOSED:
                assert "resources" not in doc


def test_each_dataset_counts_its_own_warnings_only(catalog: CatalogFactory):
    """assess_catalog counts the warnings of the whole build once, per dataset: errors,
    another dataset's warnings and the catalog's own (no dataset) are not a dataset's."""
    from generator.data.quality import assess_catalog
    from generator.errors import Problem

    catalog.dataset("a-data")
    catalog.dataset("b-data")
    loaded, problems = load_catalog(catalog.root)
    assert loaded is not None and not problems.items

    def problem(dataset: str, severity: str) -> Problem:
        return Problem("x", "问题", "problem", dataset=dataset, severity=severity)  # type: ignore[arg-type]

    found = [problem("a-data", "warning")] * 3 + [problem("a-data", "error")]
    found += [problem("b-data", "warning"), problem("", "warning")]
    qualities = assess_catalog(loaded, {}, {}, found)
    assert {i: q.warnings for i, q in qualities.items()} == {"a-data": 3, "b-data": 1}
