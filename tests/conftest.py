"""Shared fixtures: small catalogs written into tmp_path, and the demo built once."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.build import build
from generator.cli import main

REPO = Path(__file__).resolve().parent.parent
DEMO_CATALOG = REPO / "catalog"


def _find_shared() -> Path:
    """shared/ beside the clone (as in CI), or beside a parent folder for a git worktree."""
    for folder in REPO.parents:
        if (folder / "shared" / "standards").is_dir():
            return folder / "shared"
    return REPO.parent / "shared"


SHARED = _find_shared()

SITE_YAML = """\
title: {zh: 测试市公共数据开放平台, en: Test City Open Data}
description: {zh: 测试用平台, en: A portal for tests}
base_url: https://data.example.gov.cn/
languages: [zh, en]
contact: {name: {zh: 测试市数据局, en: Test Data Bureau}, email: data@example.gov.cn}
default_license: {name: CC-BY-4.0, title: 知识共享署名 4.0, path: https://creativecommons.org/licenses/by/4.0/}
hide_closed: false
channels:
  apply: {url: https://example.gov.cn/apply, email: apply@example.gov.cn}
  feedback: {url: https://example.gov.cn/feedback}
  request: {email: request@example.gov.cn}
themes:
  - {id: transport, zh: 交通出行, en: Transport}
  - {id: social, zh: 社会保障, en: Social security}
frequencies:
  - {id: monthly, zh: 每月, en: Monthly, days: 32}
  - {id: irregular, zh: 不定期, en: Irregular}
"""

PUBLISHERS_YAML = """\
- id: jtj
  name: {zh: 测试市交通运输局, en: Transport Bureau}
  code: "11000000MB0000001X"
- id: mzj
  name: {zh: 测试市民政局, en: Civil Affairs Bureau}
"""


def dataset_yaml(
    ds_id: str,
    open_type: str = "无条件开放",
    extra: str = "",
    fields: str | None = None,
    path: str = "data/rows.csv",
    title: str = "公交线路",
) -> str:
    fields = (
        fields
        or """\
        - {name: line_id, type: string, title: 线路编号}
        - {name: stops, type: integer, title: 站点数}
"""
    )
    return (
        textwrap.dedent(f"""\
        name: {ds_id}
        title: {title}
        title_en: Bus lines
        description: 测试数据集 {ds_id}
        publisher: jtj
        theme: transport
        keywords: [公交]
        open_type: {open_type}
        update_frequency: monthly
        issued: 2024-01-01
        modified: 2026-11-01
        resources:
          - name: rows
            title: 数据
            path: {path}
            format: csv
            schema:
              fields:
""")
        + textwrap.indent(textwrap.dedent(fields), "          ")
        + textwrap.dedent(extra)
    )


class CatalogFactory:
    """Writes a small valid catalog; tests change one thing to make it broken."""

    def __init__(self, root: Path) -> None:
        self.root = root
        (root / "datasets").mkdir(parents=True, exist_ok=True)
        (root / "site.yaml").write_text(SITE_YAML, encoding="utf-8")
        (root / "publishers.yaml").write_text(PUBLISHERS_YAML, encoding="utf-8")

    def dataset(
        self,
        ds_id: str,
        csv_text: str = "line_id,stops\nL001,12\nL002,30\n",
        descriptor: str | None = None,
        readme: str | None = None,
        encoding: str = "utf-8",
        **kwargs: str,
    ) -> Path:
        folder = self.root / "datasets" / ds_id
        (folder / "data").mkdir(parents=True, exist_ok=True)
        (folder / "datapackage.yaml").write_text(
            descriptor if descriptor is not None else dataset_yaml(ds_id, **kwargs),
            encoding="utf-8",
        )
        (folder / "data" / "rows.csv").write_bytes(csv_text.encode(encoding))
        if readme is not None:
            (folder / "README.md").write_text(readme, encoding="utf-8")
        return folder


@pytest.fixture
def catalog(tmp_path: Path) -> CatalogFactory:
    return CatalogFactory(tmp_path / "catalog")


@pytest.fixture
def cli() -> Callable[..., object]:
    runner = CliRunner()

    def invoke(*args: str):
        return runner.invoke(main, [str(a) for a in args], catch_exceptions=False)

    return invoke


@pytest.fixture(scope="session")
def demo_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo catalog built once per test session."""
    out = tmp_path_factory.mktemp("demo") / "site"
    build(DEMO_CATALOG, out)
    return out
