"""The site's third-party JavaScript: copied from node_modules unchanged, with its licence."""

from __future__ import annotations

import re
from pathlib import Path, PurePosixPath

import pytest

from generator.site.vendor import VENDORED, Vendored, missing_files, node_modules

RELATIVE_IMPORT = re.compile(
    r"""^\s*(?:import|export)\b[^'"]*?\bfrom\s+['"](\.{1,2}/[^'"]+)['"]""", re.M
)


def test_every_declared_file_is_in_the_site_byte_for_byte(demo_site: Path) -> None:
    root = node_modules()
    for v in VENDORED:
        for name in (*v.files, v.licence):
            built = demo_site / v.url(name)
            assert built.read_bytes() == (root / v.package / name).read_bytes(), built


def test_licences_are_published_beside_the_code(demo_site: Path) -> None:
    for v in VENDORED:
        text = (demo_site / v.url(v.licence)).read_text(encoding="utf-8")
        assert "Permission is hereby granted" in text or "License" in text


def test_every_relative_import_of_a_vendored_module_is_vendored_too() -> None:
    """A module left out of the declaration would 404 in the browser, not at build time."""
    root = node_modules()
    for v in VENDORED:
        declared = set(v.files)
        for name in v.files:
            source = (root / v.package / name).read_text(encoding="utf-8")
            for target in RELATIVE_IMPORT.findall(source):
                resolved = PurePosixPath(name).parent / target
                normal = PurePosixPath(*_normalise(resolved.parts)).as_posix()
                assert normal in declared, f"{v.package}/{name} imports {target}"


def _normalise(parts: tuple[str, ...]) -> list[str]:
    out: list[str] = []
    for part in parts:
        if part == "..":
            out.pop()
        elif part != ".":
            out.append(part)
    return out


def test_a_missing_package_fails_the_build_naming_npm_ci(
    cli, catalog, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    catalog.dataset("bus-lines")
    monkeypatch.setenv("KAIFANG_NODE_MODULES", str(tmp_path / "empty"))
    result = cli("build", "--catalog", catalog.root, "--out", tmp_path / "site")
    assert result.exit_code == 1
    assert "npm ci" in result.output
    assert "hyparquet/src/assemble.js" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "site").exists()


def test_missing_files_names_package_and_file(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("KAIFANG_NODE_MODULES", str(tmp_path))
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "a.js").write_text("export const a = 1\n")
    assert missing_files((Vendored("pkg", ("a.js", "b.js")),)) == ["pkg/b.js", "pkg/LICENSE"]
