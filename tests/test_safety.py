"""Nothing outside the catalog is read, and HTML from publishers never runs on a page."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from generator.catalog.markup import render_markdown, sanitise, unsafe_html

from .conftest import dataset_yaml

# --- an audit hook records every file Python opens while a test asks it to ---------------

_OPENED: list[str] | None = None


def _audit(event: str, args: tuple) -> None:
    if _OPENED is not None and event == "open" and args and isinstance(args[0], (str, bytes)):
        path = os.fsdecode(args[0])
        _OPENED.append(os.path.realpath(path))


sys.addaudithook(_audit)  # hooks cannot be removed; it does nothing unless _OPENED is set


class Recorder:
    """Paths opened (resolved) between start() and the end of the test."""

    def __init__(self) -> None:
        self.paths: list[str] = []

    def start(self) -> list[str]:
        global _OPENED
        _OPENED = self.paths
        return self.paths


@pytest.fixture
def recorder() -> Iterator[Recorder]:
    global _OPENED
    try:
        yield Recorder()
    finally:
        _OPENED = None


@pytest.fixture
def secret(tmp_path: Path) -> Path:
    folder = tmp_path / "outside"
    folder.mkdir()
    path = folder / "secret.csv"
    path.write_text("line_id,stops\nSECRET-110101199003070011,1\n", encoding="utf-8")
    return path


def _symlink_resource(catalog, secret: Path) -> str:
    folder = catalog.dataset("d")
    (folder / "data" / "rows.csv").unlink()
    (folder / "data" / "rows.csv").symlink_to(secret)
    return "resource-path-unsafe"


def _dotdot_resource(catalog, secret: Path) -> str:
    rel = os.path.relpath(secret, catalog.root / "datasets" / "d")
    catalog.dataset("d", descriptor=dataset_yaml("d", path=rel))
    return "resource-path-unsafe"


def _absolute_resource(catalog, secret: Path) -> str:
    catalog.dataset("d", descriptor=dataset_yaml("d", path=str(secret)))
    return "resource-path-unsafe"


def _file_url_resource(catalog, secret: Path) -> str:
    catalog.dataset("d", descriptor=dataset_yaml("d", path=secret.as_uri()))
    return "resource-path-unsafe"


def _symlink_data_folder(catalog, secret: Path) -> str:
    folder = catalog.dataset("d")
    for child in (folder / "data").iterdir():
        child.unlink()
    (folder / "data").rmdir()
    (folder / "data").symlink_to(secret.parent, target_is_directory=True)
    (secret.parent / "rows.csv").symlink_to(secret)
    return "resource-path-unsafe"


def _symlink_readme(catalog, secret: Path) -> str:
    folder = catalog.dataset("d")
    (folder / "README.md").symlink_to(secret)
    return "file-outside-catalog"


def _symlink_dataset_folder(catalog, secret: Path) -> str:
    outside = secret.parent / "dataset"
    (outside / "data").mkdir(parents=True)
    (outside / "datapackage.yaml").write_text(dataset_yaml("d"), encoding="utf-8")
    (outside / "data" / "rows.csv").symlink_to(secret)
    (catalog.root / "datasets" / "d").symlink_to(outside, target_is_directory=True)
    return "file-outside-catalog"


def _symlink_site_yaml(catalog, secret: Path) -> str:
    catalog.dataset("d")
    (catalog.root / "site.yaml").unlink()
    (catalog.root / "site.yaml").symlink_to(secret)
    return "file-outside-catalog"


@pytest.mark.parametrize(
    "make",
    [
        _symlink_resource,
        _dotdot_resource,
        _absolute_resource,
        _file_url_resource,
        _symlink_data_folder,
        _symlink_readme,
        _symlink_dataset_folder,
        _symlink_site_yaml,
    ],
    ids=lambda f: f.__name__.strip("_"),
)
def test_a_file_outside_the_catalog_is_never_opened(catalog, cli, tmp_path, secret, recorder, make):
    code = make(catalog, secret)
    out = tmp_path / "site"
    opened = recorder.start()
    check = cli("check", "--catalog", catalog.root, "--json", "--jobs", "1")
    build = cli("build", "--catalog", catalog.root, "--out", out, "--jobs", "1")
    # the hook saw the catalog being read, and never the secret
    assert any(p.endswith("datapackage.yaml") or p.endswith("publishers.yaml") for p in opened)
    assert str(secret.resolve()) not in opened
    assert not [p for p in opened if p.startswith(str(secret.parent.resolve()))]
    report = json.loads(check.stdout)
    codes = {p["code"] for g in report["datasets"] for p in g["problems"]}
    assert code in codes
    assert check.exit_code == 1 and build.exit_code == 1
    assert "SECRET" not in check.output + build.output
    assert not out.exists()


def test_the_hook_would_see_a_read_of_the_secret(secret, recorder):
    """The audit hook is live: the test above can fail."""
    opened = recorder.start()
    secret.read_text(encoding="utf-8")
    assert str(secret.resolve()) in opened


# --- HTML -----------------------------------------------------------------------------------

DANGEROUS = [
    "<script>alert(1)</script>",
    '<img src="x.png" onerror="alert(1)">',
    "<p onclick='alert(1)'>点击</p>",
    "[点这里](javascript:alert(1))",
    '<a href="JaVaScRiPt:alert(1)">链接</a>',
    '<a href="&#106;avascript:alert(1)">链接</a>',
    "<iframe src='https://evil.example/'></iframe>",
    "<svg onload=alert(1)></svg>",
    '<a href="vbscript:msgbox(1)">x</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD4=">x</a>',
    "<style>body{display:none}</style>",
    '<form action="https://evil.example/"><input name=p></form>',
]


@pytest.mark.parametrize("source", DANGEROUS)
def test_sanitiser_removes_scripts_handlers_and_script_urls(source):
    html = render_markdown(f"# 说明\n\n{source}\n\n正文")
    lowered = html.lower()
    for bad in ("<script", "onerror", "onclick", "onload", "javascript:", "vbscript:", "<iframe"):
        assert bad not in lowered, html
    for bad in ("<svg", "<style", "<form", "<input", "data:text/html", "&#106;avascript"):
        assert bad not in lowered, html
    assert "正文" in html
    # and the check tells the publisher about every one of them
    assert unsafe_html(source), source


def test_sanitiser_keeps_ordinary_markdown():
    html = render_markdown(
        "# 标题\n\n见 [官网](https://data.example.gov.cn/) 和 **说明**。\n\n"
        "| 字段 | 说明 |\n| --- | --- |\n| a | b |\n"
    )
    assert "<h2>标题</h2>" in html
    assert 'href="https://data.example.gov.cn/"' in html
    assert "<strong>说明</strong>" in html and "<table>" in html
    assert 'rel="noopener noreferrer nofollow"' in html
    assert not unsafe_html("见 [官网](https://data.example.gov.cn/)，PM2.5 < 35 为优。")


def test_sanitise_is_idempotent_on_its_output():
    once = sanitise('<a href="https://x.example/" onclick="x()">a</a><script>1</script>')
    assert sanitise(once) == once


def test_pages_escape_metadata_and_sanitise_readme(catalog, cli, tmp_path):
    catalog.dataset(
        "d",
        descriptor=dataset_yaml("d").replace(
            "description: 测试数据集 d", "description: 'PM2.5 < 35 为优 & 良'"
        ),
        readme="# 说明\n\n<details><summary>更多</summary>内容</details>\n\n"
        '<img src="https://img.example/x.png" alt="图">\n',
    )
    out = tmp_path / "site"
    result = cli("build", "--catalog", catalog.root, "--out", out)
    assert result.exit_code == 0, result.output
    page = (out / "datasets" / "d" / "index.html").read_text(encoding="utf-8")
    assert "PM2.5 &lt; 35 为优 &amp; 良" in page
    # the README's own <details> is gone (the explorer's controls are a <details> of the
    # page's own), and so is its image
    assert "<summary>更多</summary>" not in page and "<img" not in page
    assert "<details" not in page.split('class="readme"', 1)[-1].split("</section>", 1)[0]
    assert "内容" in page
