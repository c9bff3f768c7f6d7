"""Issue 13, door 10 and the review's leftover staging folders: destructive and hostile
input is refused early. --out that is, contains or sits inside the catalog; a YAML alias
bomb; an XLSX zip bomb; formula injection into Excel; pre-audit output left beside the site.

Door 6 (a file swapped under the build) is in test_leak_doors_inputs.py. The review's
"serve does not check the Host header" is not tested here (it needs a running server and a
DNS-rebinding client; out of scope for these black-box build tests).

ASSUMED INTERFACES: exit 2 (usage error) for a dangerous --out; exit 1 with a message
naming the file for an alias bomb or an implausible XLSX.
"""

from __future__ import annotations

import csv
import io
import os
import resource
import signal
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from ..conftest import CatalogFactory, dataset_yaml
from .helpers import REPO, assert_clean_failure, kaifang, kaifang_subprocess, snapshot

# --- --out inside the catalog --------------------------------------------------------------------


@pytest.mark.parametrize("out", ["catalog", "catalog/datasets", ".", "catalog/datasets/bus-lines/data"])
def test_out_that_is_or_holds_the_catalog_is_refused_before_anything(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, out: str
):
    work = tmp_path / "work"
    catalog = CatalogFactory(work / "catalog")
    catalog.dataset("bus-lines")
    before = snapshot(work)
    monkeypatch.chdir(work)
    run = kaifang("build", "--catalog", "catalog", "--out", out)
    after = snapshot(work) if work.is_dir() else {}
    changed = sorted(set(before) ^ set(after) | {k for k in before if after.get(k) != before[k]})
    assert not changed, (
        f"`kaifang build --out {out}` (exit {run.exit_code}) changed the catalog folder: "
        f"{changed[:10]}"
    )
    assert_clean_failure(run, code=2, what=f"--out {out}")
    assert not list(tmp_path.glob(".site.*")) and not (tmp_path / ".kaifang-cache").exists(), (
        "a lock, staging folder or cache was created before the usage error"
    )


# --- YAML alias bomb ---------------------------------------------------------------------------------

MEMORY_LIMIT = 4 << 30  # the bomb took 8.9 GB; keep this machine alive while it fails


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def alias_bomb(levels: int = 9, fan: int = 10) -> str:
    """A billion laughs: fan**levels leaves from a few KB of YAML."""
    lines = ["x-notes:", "  laugh0: &laugh0 [" + ", ".join(["哈哈哈哈哈哈哈哈哈哈哈哈"] * fan) + "]"]
    for i in range(1, levels + 1):
        refs = ", ".join([f"*laugh{i - 1}"] * fan)
        lines.append(f"  laugh{i}: &laugh{i} [{refs}]")
    lines += [f"  top{j}: [{', '.join([f'*laugh{levels}'] * fan)}]" for j in range(16)]
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("verb", ["check", "build"])
def test_yaml_alias_bomb_is_refused_within_seconds(catalog, tmp_path: Path, verb: str):
    bomb = alias_bomb()
    assert 1500 < len(bomb.encode()) < 6000
    catalog.dataset("bus-lines", descriptor=dataset_yaml("bus-lines") + bomb)
    args = ["--out", tmp_path / "site"] if verb == "build" else []
    run = kaifang_subprocess(verb, "--catalog", catalog.root, *args, "--lang", "en",
                             timeout=60, preexec=_limit_memory)
    assert run.exit_code != -9, f"`kaifang {verb}` on a 4 KB alias bomb ran 60 s: {run.output[-800:]}"
    assert_clean_failure(run, what=f"{verb}: YAML alias bomb")
    assert run.seconds < 20, f"refused only after {run.seconds:.0f} s"
    assert "datasets/bus-lines/datapackage.yaml" in run.output, run.describe()
    assert not (tmp_path / "site").exists()


# --- XLSX zip bomb ---------------------------------------------------------------------------------

BOMB_BYTES = 300 << 20  # of padding in the sheet XML


def write_xlsx_bomb(path: Path) -> None:
    """A valid workbook whose sheet XML holds 300 MB of whitespace between two rows
    (about 300 KB compressed)."""
    head = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        '<row r="1"><c r="A1" t="inlineStr"><is><t>line_id</t></is></c>'
        '<c r="B1" t="inlineStr"><is><t>stops</t></is></c></row>'
    ).encode()
    tail = (
        '<row r="2"><c r="A2" t="inlineStr"><is><t>L001</t></is></c><c r="B2"><v>12</v></c></row>'
        "</sheetData></worksheet>"
    ).encode()
    parts = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            "</Types>"
        ),
        "_rels/.rels": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
            "</Relationships>"
        ),
        "xl/workbook.xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            '<sheets><sheet name="data" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
            "</Relationships>"
        ),
    }
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(head)
            block = b" " * (4 << 20)
            for _ in range(BOMB_BYTES // len(block)):
                sheet.write(block)
            sheet.write(tail)


def test_xlsx_zip_bomb_is_refused_quickly(catalog, tmp_path: Path):
    descriptor = dataset_yaml("bus-lines", path="data/rows.xlsx").replace(
        "format: csv", "format: xlsx"
    )
    folder = catalog.dataset("bus-lines", descriptor=descriptor)
    bomb = folder / "data" / "rows.xlsx"
    write_xlsx_bomb(bomb)
    assert bomb.stat().st_size < 2 << 20
    run = kaifang_subprocess("build", "--catalog", catalog.root, "--out", tmp_path / "site",
                             "--lang", "en", timeout=60, preexec=_limit_memory)
    assert run.exit_code != -9, (
        f"a {bomb.stat().st_size // 1024} KB .xlsx inflating to {BOMB_BYTES >> 20} MB kept "
        f"the build busy for 60 s: {run.output[-800:]}"
    )
    assert run.exit_code != 0, (
        f"a {bomb.stat().st_size // 1024} KB .xlsx inflating to {BOMB_BYTES >> 20} MB was "
        f"accepted after {run.seconds:.1f} s: {run.output[-800:]}"
    )
    assert_clean_failure(run, what="xlsx zip bomb")
    assert run.seconds < 20, f"refused only after {run.seconds:.0f} s"
    assert "rows.xlsx" in run.output, run.describe()


# --- formula injection -------------------------------------------------------------------------------

FORMULAS = [
    '=HYPERLINK("http://x","y")',
    "+SUM(1,2)",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
]
TRIGGERS = ("=", "+", "-", "@")


def test_formula_cells_are_neutralised_for_excel_but_kept_in_plain_csv(catalog, tmp_path: Path):
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["line_id", "stops", "note"])
    for i, formula in enumerate(FORMULAS):
        writer.writerow([f"L00{i}", str(i + 2), formula])
    fields = """\
- {name: line_id, type: string, title: 线路编号}
- {name: stops, type: integer, title: 站点数}
- {name: note, type: string, title: 备注}
"""
    catalog.dataset("bus-lines", csv_text=buffer.getvalue(),
                    descriptor=dataset_yaml("bus-lines", fields=fields))
    out = tmp_path / "site"
    run = kaifang("build", "--catalog", catalog.root, "--out", out)
    assert run.exit_code == 0, run.describe()
    folder = out / "datasets" / "bus-lines"

    plain = list(csv.reader(io.StringIO((folder / "rows.csv").read_text(encoding="utf-8"))))
    assert [r[2] for r in plain[1:]] == FORMULAS, "the plain CSV must keep the values exactly"

    excel_text = (folder / "rows.excel.csv").read_bytes().decode("utf-8-sig")
    excel = list(csv.reader(io.StringIO(excel_text)))
    dangerous = [r[2] for r in excel[1:] if r[2].startswith(TRIGGERS)]
    assert not dangerous, f"rows.excel.csv carries formula cells into Excel: {dangerous}"

    from openpyxl import load_workbook

    wb = load_workbook(folder / "rows.xlsx", read_only=False, data_only=False)
    try:
        ws = wb.worksheets[0]
        cells = [row[2] for row in ws.iter_rows(min_row=2)]
        bad = [
            (c.coordinate, c.data_type, c.value)
            for c in cells
            if c.data_type == "f" or (isinstance(c.value, str) and c.value.startswith(TRIGGERS))
        ]
    finally:
        wb.close()
    assert not bad, f"rows.xlsx has formula-like cells: {bad}"


# --- review: leftover staging folders --------------------------------------------------------------


EPOCH = "1795000000"


def _build_process(catalog: Path, out: Path, **env: str) -> subprocess.Popen[str]:
    environ = {**os.environ, "SOURCE_DATE_EPOCH": EPOCH, **env}
    environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), environ.get("PYTHONPATH")]))
    return subprocess.Popen(
        [sys.executable, "-m", "generator", "build", "--catalog", str(catalog), "--out",
         str(out), "--no-record-history", "--quiet"],
        env=environ, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )


def test_killed_build_then_up_to_date_build_leaves_no_staging_folder(catalog, tmp_path: Path):
    """A build killed after rendering leaves partial, pre-audit output in a staging folder;
    the next build has nothing to do ("up to date") but must still remove it."""
    catalog.dataset("bus-lines")
    out = tmp_path / "www" / "site"
    first = _build_process(catalog.root, out)
    assert first.wait(timeout=120) == 0, first.stderr.read() if first.stderr else ""
    good = (catalog.root / "datasets" / "bus-lines" / "datapackage.yaml").read_text()
    catalog.dataset("bus-lines", readme="# 待审内容\n\n尚未审计的说明。\n")
    killed = _build_process(catalog.root, out, KAIFANG_TEST_PAUSE_AT="rendered")
    try:
        line = killed.stderr.readline() if killed.stderr else ""
        assert "paused at rendered" in line, line
        killed.send_signal(signal.SIGKILL)
    finally:
        killed.kill()
        killed.wait(timeout=30)
    (catalog.root / "datasets" / "bus-lines" / "README.md").unlink()
    (catalog.root / "datasets" / "bus-lines" / "datapackage.yaml").write_text(good)
    staged = [p.name for p in out.parent.glob(".site.staging-*")]
    assert staged, "control: the killed build should have left a staging folder"
    again = _build_process(catalog.root, out)
    assert again.wait(timeout=120) == 0, again.stderr.read() if again.stderr else ""
    left = sorted(p.name for p in out.parent.glob(".site.staging-*"))
    assert not left, f"pre-audit output of a killed build is still beside the site: {left}"
