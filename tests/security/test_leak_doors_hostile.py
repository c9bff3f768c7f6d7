# ruff: noqa: E501  (the OOXML boilerplate of the zip bomb is kept one part per line)
"""Issue 13, door 10 and the review's leftover staging folders: destructive and hostile
input is refused early. --out that is, contains or sits inside the catalog; a YAML alias
bomb; an XLSX zip bomb; formula injection into Excel; pre-audit output left beside the site.

Door 6 (a file swapped under the build) is in test_leak_doors_inputs.py. The review's
"serve does not check the Host header" is not tested here (it needs a running server and a
DNS-rebinding client; out of scope for these black-box build tests).

ASSUMED INTERFACES: exit 2 (usage error) for a dangerous --out; exit 1 with a message
naming the file for an alias bomb or an implausible XLSX.

Changed to Kaifang's design (engineer `hostile`): the XLSX download keeps text exactly,
as inline strings, which Excel shows and never evaluates; the test checks the sheet XML
for that (no <f> element, every formula-like value an inline string) instead of looking
for a leading quote. The Host header of `serve`, Ctrl+C, and the cases the attacks above
miss are tested at the end of this file.
"""

from __future__ import annotations

import csv
import html
import io
import os
import re
import resource
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from ..conftest import CatalogFactory, dataset_yaml
from .helpers import REPO, assert_clean_failure, kaifang, kaifang_subprocess, snapshot

# --- --out inside the catalog ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "out", ["catalog", "catalog/datasets", ".", "catalog/datasets/bus-lines/data"]
)
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


# --- YAML alias bomb ------------------------------------------------------------------------------

MEMORY_LIMIT = 4 << 30  # the bomb took 8.9 GB; keep this machine alive while it fails


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def alias_bomb(levels: int = 9, fan: int = 10) -> str:
    """A billion laughs: fan**levels leaves from a few KB of YAML."""
    lines = [
        "x-notes:",
        "  laugh0: &laugh0 [" + ", ".join(["哈哈哈哈哈哈哈哈哈哈哈哈"] * fan) + "]",
    ]
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
    run = kaifang_subprocess(
        verb, "--catalog", catalog.root, *args, "--lang", "en", timeout=60, preexec=_limit_memory
    )
    assert run.exit_code != -9, (
        f"`kaifang {verb}` on a 4 KB alias bomb ran 60 s: {run.output[-800:]}"
    )
    assert_clean_failure(run, what=f"{verb}: YAML alias bomb")
    assert run.seconds < 20, f"refused only after {run.seconds:.0f} s"
    assert "datasets/bus-lines/datapackage.yaml" in run.output, run.describe()
    assert not (tmp_path / "site").exists()


# --- XLSX zip bomb --------------------------------------------------------------------------------

BOMB_BYTES = 300 << 20  # of padding in the sheet XML


def write_xlsx_bomb(path: Path) -> None:
    """A valid workbook whose sheet XML holds 300 MB of whitespace between two rows
    (about 300 KB compressed)."""
    head = (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        b'<row r="1"><c r="A1" t="inlineStr"><is><t>line_id</t></is></c>'
        b'<c r="B1" t="inlineStr"><is><t>stops</t></is></c></row>'
    )
    tail = (
        b'<row r="2"><c r="A2" t="inlineStr"><is><t>L001</t></is></c><c r="B2"><v>12</v></c></row>'
        b"</sheetData></worksheet>"
    )
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
    run = kaifang_subprocess(
        "build",
        "--catalog",
        catalog.root,
        "--out",
        tmp_path / "site",
        "--lang",
        "en",
        timeout=60,
        preexec=_limit_memory,
    )
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


# --- formula injection ----------------------------------------------------------------------------

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
    catalog.dataset(
        "bus-lines", csv_text=buffer.getvalue(), descriptor=dataset_yaml("bus-lines", fields=fields)
    )
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

    assert_xlsx_never_evaluates(folder / "rows.xlsx", FORMULAS)


def assert_xlsx_never_evaluates(path: Path, values: list[str]) -> None:
    """No formula in the workbook, and each value an inline string cell (t="inlineStr"),
    which Excel displays as text and never evaluates."""
    with zipfile.ZipFile(path) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet and "<f " not in sheet, "rows.xlsx holds a formula"
    cells = re.findall(r'<c r="C\d+"( t="\w+")?[^>]*>(.*?)</c>', sheet)
    texts = [(kind, html.unescape(re.sub("<[^>]+>", "", body))) for kind, body in cells]
    for value in values:
        assert (' t="inlineStr"', value) in texts, (value, texts)


# --- review: leftover staging folders -------------------------------------------------------------


EPOCH = "1795000000"


def _build_process(catalog: Path, out: Path, **env: str) -> subprocess.Popen[str]:
    environ = {**os.environ, "SOURCE_DATE_EPOCH": EPOCH, **env}
    environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), environ.get("PYTHONPATH")]))
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "generator",
            "build",
            "--catalog",
            str(catalog),
            "--out",
            str(out),
            "--no-record-history",
            "--quiet",
        ],
        env=environ,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
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


# --- attacks the tests above miss (engineer `hostile`) ------------------------------------------


def test_out_through_a_symlink_to_the_catalog_is_refused(tmp_path: Path):
    catalog = CatalogFactory(tmp_path / "catalog")
    catalog.dataset("bus-lines")
    (tmp_path / "published").symlink_to(catalog.root / "datasets", target_is_directory=True)
    before = snapshot(catalog.root)
    run = kaifang("build", "--catalog", catalog.root, "--out", tmp_path / "published")
    assert_clean_failure(run, code=2, what="--out symlink into the catalog")
    assert snapshot(catalog.root) == before
    assert str((catalog.root / "datasets").resolve()) in run.output, run.describe()
    assert "catalog" in run.output and "--out" in run.output, run.describe()


@pytest.mark.parametrize("marker", [".git/HEAD", "site.yaml", "pyproject.toml"])
def test_out_that_is_a_source_tree_is_not_replaced(catalog, tmp_path: Path, marker: str):
    catalog.dataset("bus-lines")
    out = tmp_path / "project"
    (out / marker).parent.mkdir(parents=True, exist_ok=True)
    (out / marker).write_text("keep me\n")
    (out / "notes.txt").write_text("keep me too\n")
    before = snapshot(out)
    run = kaifang("build", "--catalog", catalog.root, "--out", out)
    assert_clean_failure(run, code=2, what=f"--out a folder holding {marker}")
    assert snapshot(out) == before
    assert marker.split("/")[0] in run.output, run.describe()


def test_out_that_is_a_previous_site_is_still_replaced(catalog, tmp_path: Path):
    """Control: the guard must not refuse the normal case, a site/ built before."""
    catalog.dataset("bus-lines")
    out = tmp_path / "site"
    assert kaifang("build", "--catalog", catalog.root, "--out", out).exit_code == 0
    catalog.dataset("bus-lines", title="公交线路（新）")
    run = kaifang("build", "--catalog", catalog.root, "--out", out, "--no-cache")
    assert run.exit_code == 0, run.describe()


def test_serve_refuses_out_in_the_catalog(catalog, tmp_path: Path):
    catalog.dataset("bus-lines")
    run = kaifang_subprocess(
        "serve",
        "--catalog",
        catalog.root,
        "--out",
        catalog.root / "site",
        "--port",
        "0",
        timeout=60,
    )
    assert_clean_failure(run, code=2, what="serve --out inside the catalog")
    assert not (catalog.root / "site").exists()


def _nested(depth: int) -> str:
    return "x-deep: " + "[" * depth + "1" + "]" * depth + "\n"


YAML_ATTACKS = {
    "recursive alias": "x-loop: &loop [1, *loop]\n",
    "101 aliases": "x-a: &a 1\nx-many: [" + ", ".join(["*a"] * 101) + "]\n",
    "deep nesting": _nested(100),
    "alias nesting deep": "x-d: &d "
    + "[" * 40
    + "1"
    + "]" * 40
    + "\nx-e: "
    + "[" * 30
    + "*d"
    + "]" * 30
    + "\n",
    "two-way fan-out": "x-0: &a0 [1, 1]\n"
    + "".join(f"x-{i}: &a{i} [*a{i - 1}, *a{i - 1}]\n" for i in range(1, 45)),
}


@pytest.mark.parametrize("attack", sorted(YAML_ATTACKS))
def test_hostile_yaml_shapes_are_refused_with_file_and_line(catalog, attack: str):
    text = dataset_yaml("bus-lines") + YAML_ATTACKS[attack]
    catalog.dataset("bus-lines", descriptor=text)
    run = kaifang_subprocess(
        "check", "--catalog", catalog.root, "--lang", "en", timeout=60, preexec=_limit_memory
    )
    assert_clean_failure(run, what=attack)
    assert run.seconds < 20, f"{attack}: refused only after {run.seconds:.0f} s"
    line = text.count("\n", 0, text.index("x-", len(dataset_yaml("bus-lines")))) + 1
    assert "datasets/bus-lines/datapackage.yaml:" in run.output, run.describe()
    assert "YAML file refused" in run.output, run.describe()
    number = int(run.output.split("datasets/bus-lines/datapackage.yaml:")[1].split(":")[0])
    assert number >= line, run.describe()


def test_oversize_yaml_is_not_parsed(catalog):
    text = dataset_yaml("bus-lines") + "x-pad: |\n" + ("  " + "填充" * 60 + "\n") * 60_000
    assert len(text.encode()) > 10 << 20
    catalog.dataset("bus-lines", descriptor=text)
    run = kaifang("check", "--catalog", catalog.root)
    assert_clean_failure(run, what="11 MB datapackage.yaml")
    assert "datasets/bus-lines/datapackage.yaml" in run.output and "10 MB" in run.output


def test_a_few_aliases_are_still_fine(catalog):
    """Control: anchors and aliases used as publishers do are not refused."""
    text = dataset_yaml("bus-lines") + "x-contact: &c {name: 张三}\nx-again: [*c, *c, *c]\n"
    catalog.dataset("bus-lines", descriptor=text)
    run = kaifang("check", "--catalog", catalog.root)
    assert run.exit_code == 0, run.describe()


def _xlsx_dataset(catalog) -> Path:
    descriptor = dataset_yaml("bus-lines", path="data/rows.xlsx").replace(
        "format: csv", "format: xlsx"
    )
    return catalog.dataset("bus-lines", descriptor=descriptor) / "data" / "rows.xlsx"


def test_encrypted_workbook_is_refused_clearly(catalog, tmp_path: Path):
    path = _xlsx_dataset(catalog)
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 4096)
    run = kaifang("build", "--catalog", catalog.root, "--out", tmp_path / "site", "--lang", "en")
    assert_clean_failure(run, what="password-protected xlsx")
    assert "rows.xlsx" in run.output and "password" in run.output, run.describe()


def test_workbook_over_the_total_limit_is_refused(catalog, tmp_path: Path, monkeypatch):
    """The total-size rule, with the limit lowered (a 512 MiB workbook is too slow here)."""
    from generator.catalog import limits

    path = _xlsx_dataset(catalog)
    write_xlsx_bomb(tmp_path / "bomb.xlsx")
    with zipfile.ZipFile(tmp_path / "bomb.xlsx") as src, zipfile.ZipFile(path, "w") as dst:
        for info in src.infolist():  # stored, not deflated: no ratio to trip over
            if info.filename != "xl/worksheets/sheet1.xml":
                dst.writestr(info.filename, src.read(info))
        dst.writestr("xl/worksheets/sheet1.xml", "<worksheet>" + " " * (3 << 20) + "</worksheet>")
    monkeypatch.setattr(limits, "MAX_XLSX_UNCOMPRESSED", 2 << 20)
    refusal = limits.inspect_xlsx(path)
    assert refusal is not None and refusal.code == "xlsx-too-large", refusal
    assert "3.0 MiB" in refusal.en and "2.0 MiB" in refusal.en, refusal.en


def test_import_of_a_zip_bomb_is_refused(catalog, tmp_path: Path):
    bomb = tmp_path / "upload.xlsx"
    write_xlsx_bomb(bomb)
    before = snapshot(catalog.root)
    run = kaifang_subprocess(
        "import", bomb, "--catalog", catalog.root, "--lang", "en", timeout=60, preexec=_limit_memory
    )
    assert_clean_failure(run, what="kaifang import of a zip bomb")
    assert run.seconds < 20, f"refused only after {run.seconds:.0f} s"
    assert "upload.xlsx" in run.output and "zip bomb" in run.output, run.describe()
    assert snapshot(catalog.root) == before


def test_formula_cells_without_quotes_and_in_full_width_are_neutralised(catalog, tmp_path):
    """No quote in the CSV: the Excel CSV is written by the fast byte copy, which must
    not skip a formula; negative numbers stay numbers."""
    rows = ["L001,-3,=1+1", "L002,4,@SUM(A1)", "L003,-5,＝1+1", "L004,6,-2+3", "L005,-7,-3.5"]
    fields = """\
- {name: line_id, type: string, title: 线路编号}
- {name: stops, type: integer, title: 站点数}
- {name: note, type: string, title: 备注}
"""
    catalog.dataset(
        "bus-lines",
        csv_text="line_id,stops,note\n" + "\n".join(rows) + "\n",
        descriptor=dataset_yaml("bus-lines", fields=fields),
    )
    out = tmp_path / "site"
    run = kaifang("build", "--catalog", catalog.root, "--out", out)
    assert run.exit_code == 0, run.describe()
    folder = out / "datasets" / "bus-lines"
    excel = list(
        csv.reader(io.StringIO((folder / "rows.excel.csv").read_bytes().decode("utf-8-sig")))
    )
    assert [r[1] for r in excel[1:]] == ["-3", "4", "-5", "6", "-7"]
    assert [r[2] for r in excel[1:]] == ["'=1+1", "'@SUM(A1)", "'＝1+1", "'-2+3", "-3.5"]
    plain = (folder / "rows.csv").read_text(encoding="utf-8").splitlines()[1:]
    assert plain == rows
    assert_xlsx_never_evaluates(folder / "rows.xlsx", ["=1+1", "@SUM(A1)", "-2+3"])


def test_excel_csv_is_the_same_bytes_in_every_build(catalog, tmp_path: Path):
    catalog.dataset("bus-lines", csv_text='line_id,stops\nL001,12\n"=HYPERLINK(""x"")",3\n')
    first, second = tmp_path / "a", tmp_path / "b"
    for out in (first, second):
        run = kaifang("build", "--catalog", catalog.root, "--out", out, "--no-cache")
        assert run.exit_code == 0, run.describe()
    name = "datasets/bus-lines/rows.excel.csv"
    assert (first / name).read_bytes() == (second / name).read_bytes()
    assert b"'=HYPERLINK" in (first / name).read_bytes()


# --- serve: Host header --------------------------------------------------------------------------


def _request(port: int, path: str, host: str) -> tuple[int, bytes]:
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.putrequest("GET", path, skip_host=True)
        conn.putheader("Host", host)
        conn.endheaders()
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def test_serve_refuses_a_foreign_host_header(tmp_path: Path):
    """DNS rebinding: evil.example resolves to 127.0.0.1, and its page reads the preview."""
    from generator.authoring.serve import PreviewState, start_server

    (tmp_path / "index.html").write_text("<html><body>预览</body></html>", encoding="utf-8")
    state = PreviewState(version=1)
    state.failed("错误: datasets/x/data/rows.csv 行 3")
    server = start_server(tmp_path, "127.0.0.1", 0, state)
    port = server.server_address[1]
    try:
        for host in ("127.0.0.1", "localhost", "LOCALHOST"):
            status, body = _request(port, "/__kaifang/version", f"{host}:{port}")
            assert status == 200 and b"rows.csv" in body, (host, status)
        assert _request(port, "/", f"localhost:{port}")[0] == 200
        for host in (
            f"evil.example:{port}",
            "evil.example",
            f"127.0.0.1:{port + 1}",
            f"localhost.evil.example:{port}",
            "",
        ):
            for path in ("/__kaifang/version", "/", "/index.html"):
                status, body = _request(port, path, host)
                assert status == 400, (host, path, status)
                assert b"rows.csv" not in body and "预览".encode() not in body
    finally:
        server.shutdown()
        server.server_close()


# --- Ctrl+C ---------------------------------------------------------------------------------------


def _interrupt(args: list[str], delay: float, pause: str = "") -> tuple[int, str]:
    """Run kaifang, wait (for the pause point, then delay seconds), send SIGINT."""
    environ = {**os.environ, "PYTHONPATH": str(REPO), "KAIFANG_TEST_PAUSE_AT": pause}
    proc = subprocess.Popen(
        [sys.executable, "-m", "generator", *args],
        env=environ,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        # a terminal's Ctrl+C: the default action, even where the test runner was started
        # in the background (a non-interactive shell starts background jobs with SIGINT
        # ignored, and a child inherits that, so the signal would never arrive)
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    if pause:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert f"paused at {pause}" in line, line
    time.sleep(delay)
    proc.send_signal(signal.SIGINT)
    out, _ = proc.communicate(timeout=60)
    return proc.returncode, out


def test_ctrl_c_during_a_build_ends_with_one_line(catalog, tmp_path: Path):
    catalog.dataset("bus-lines")
    out = tmp_path / "site"
    args = ["build", "--catalog", str(catalog.root), "--out", str(out), "--no-record-history"]
    code, text = _interrupt(args, 0.2, pause="loaded")
    assert "Traceback" not in text, text
    assert code == 130, (code, text)
    assert "interrupted" in text and len(text.strip().splitlines()) == 1, text
    assert not out.exists()


@pytest.mark.parametrize("delay", [0.1, 0.25, 0.5])
def test_ctrl_c_during_start_up_prints_no_traceback(catalog, delay: float):
    """The signal lands while the command starts (imports take tens of milliseconds now),
    or, on a fast machine, just after a check of an empty catalog has finished: never a
    traceback; 130 when it interrupted the command."""
    code, text = _interrupt(["check", "--catalog", str(catalog.root)], delay)
    assert "Traceback" not in text, text
    finished = "检查通过" in text and code in (0, -signal.SIGINT)  # the check was done first
    assert code == 130 or finished, (code, text)
