"""Shared tools of the attack tests (issue 13): plant values, then look for them everywhere.

Only stable interfaces are used: the `kaifang` command line (click's CliRunner or a
subprocess), ``generator.build.build`` and the catalog fixtures of tests/conftest.py.
"""

from __future__ import annotations

import bz2
import gzip
import html
import io
import lzma
import os
import re
import subprocess
import sys
import time
import traceback
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

from click.testing import CliRunner

from generator.cli import main

REPO = Path(__file__).resolve().parents[2]
LEGAL = "legal_basis: 《中华人民共和国个人信息保护法》第三十四条\n"

# --- planted values ---------------------------------------------------------------------------

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def resident_id(region: str = "990103", birth: str = "19870512", seq: str = "413") -> str:
    """An 18-digit ID number with a valid GB 11643 check digit (region 99xxxx: fictional)."""
    body = region + birth + seq
    assert len(body) == 17
    return body + "10X98765432"[sum(int(c) * w for c, w in zip(body, ID_WEIGHTS, strict=True)) % 11]


PLANT_NAME = "欧阳紫萱"
PLANT_ID = resident_id()  # 990103198705124133-like, check digit computed
PLANT_MOBILE = "13957208846"
PLANT_ADDRESS = "川东区翠湖街道望江社区17号楼2单元601室"


# --- reading every byte that leaves -------------------------------------------------------------

MAX_INFLATE = 256 << 20  # never decompress more than this from one member (the tests' own guard)
_ZERO_WIDTH = re.compile("[\u00ad\u200b\u200c\u200d\u2060\ufeff]")
_JSON_ESCAPE = re.compile(r"(?:\\u[0-9a-fA-F]{4})+")


def _unescape_json(match: re.Match[str]) -> str:
    try:
        return match.group().encode("ascii").decode("unicode-escape")
    except UnicodeDecodeError:
        return match.group()


def _forms(text: str) -> Iterator[str]:
    """The text, and the same text with the escapes writers use undone."""
    yield text
    plain = _ZERO_WIDTH.sub("", text)
    plain = _JSON_ESCAPE.sub(_unescape_json, plain)
    plain = html.unescape(plain)
    if "%" in plain:
        plain = unquote(plain)
    if plain != text:
        yield plain


def _decode(data: bytes) -> str:
    """UTF-8 (binary files such as SQLite keep their UTF-8 strings readable this way), or
    UTF-16 when the file says so with a byte-order mark."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    return data.decode("utf-8", "replace")


def _inflate(opener, data: bytes) -> bytes:
    with (
        opener(fileobj=io.BytesIO(data))
        if opener is gzip.GzipFile
        else opener(io.BytesIO(data)) as handle
    ):
        return handle.read(MAX_INFLATE)


def _pieces(name: str, data: bytes, depth: int = 0) -> Iterator[tuple[str, str]]:
    if depth < 4 and data[:4] == b"PK\x03\x04":
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                for info in archive.infolist():
                    if info.is_dir():
                        continue
                    with archive.open(info) as member:
                        inner = member.read(MAX_INFLATE)
                    yield from _pieces(f"{name}!{info.filename}", inner, depth + 1)
            return
        except (zipfile.BadZipFile, RuntimeError, NotImplementedError, EOFError):
            pass
    for magic, opener in ((b"\x1f\x8b", gzip.GzipFile), (b"BZh", bz2.BZ2File)):
        if depth < 4 and data.startswith(magic):
            try:
                yield from _pieces(f"{name}!gunzip", _inflate(opener, data), depth + 1)
                return
            except (OSError, EOFError):
                pass
    if depth < 4 and data.startswith(b"\xfd7zXZ\x00"):
        try:
            yield from _pieces(f"{name}!unxz", lzma.decompress(data), depth + 1)
            return
        except lzma.LZMAError:
            pass
    for form in _forms(_decode(data)):
        yield name, form


def iter_texts(tree: Path) -> Iterator[tuple[str, str]]:
    """(where, text) for every file under tree (dot files too) and every archive member:
    zip/xlsx members, gzip (Pagefind fragments), bzip2 and xz, each also with HTML
    entities, \\uXXXX and %-escapes and zero-width characters undone."""
    if not tree.exists():
        return
    for dirpath, _dirs, files in os.walk(tree):
        for filename in sorted(files):
            path = Path(dirpath) / filename
            if path.is_symlink() or not path.is_file():
                continue
            yield from _pieces(str(path.relative_to(tree.parent)), path.read_bytes())


@dataclass
class Place:
    """Somewhere a planted value must not appear: a folder, or a named text."""

    name: str
    tree: Path | None = None
    text: str | None = None


def leaks(values: Iterable[str], places: Iterable[Place]) -> list[str]:
    """'value' in where, for each planted value found in any place."""
    values = [v for v in values if v]
    hits: list[str] = []
    for place in places:
        if place.tree is not None:
            pieces: Iterable[tuple[str, str]] = iter_texts(place.tree)
        else:
            pieces = ((place.name, form) for form in _forms(place.text or ""))
        seen: set[tuple[str, str]] = set()
        for where, text in pieces:
            for value in values:
                if value in text and (value, where) not in seen:
                    seen.add((value, where))
                    hits.append(f"{value!r} in {place.name}: {where}")
    return hits


def assert_absent(values: Iterable[str], *places: Place, what: str = "") -> None:
    hits = leaks(values, places)
    assert not hits, f"{what or 'planted value'} leaked ({len(hits)} places):\n  " + "\n  ".join(
        hits[:25]
    )


def log_text(caplog) -> str:
    return "\n".join(f"{r.name}: {r.getMessage()} {r.exc_text or ''}" for r in caplog.records)


# --- running the command line -----------------------------------------------------------------


@dataclass
class Run:
    exit_code: int
    output: str  # what a terminal would show: stdout and stderr, and any traceback
    traceback: str  # "" unless an exception escaped the command
    seconds: float = 0.0

    def describe(self) -> str:
        return f"exit {self.exit_code}; output:\n{self.output[-3000:]}"


def kaifang(*args: object, env: dict[str, str] | None = None) -> Run:
    """`kaifang ARGS` in this process (CliRunner). An escaping exception is reported as
    a traceback in the output, as the real command would print it."""
    runner = CliRunner()
    started = time.perf_counter()
    result = runner.invoke(main, [str(a) for a in args], catch_exceptions=True, env=env)
    tb = ""
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        tb = "".join(traceback.format_exception(result.exception))
    return Run(result.exit_code, result.output + tb, tb, time.perf_counter() - started)


def kaifang_subprocess(
    *args: object,
    cwd: Path | None = None,
    timeout: float = 60,
    env: dict | None = None,
    preexec=None,
) -> Run:
    """`python -m generator ARGS` in a fresh process of this checkout, killed after timeout
    (the result then has exit code -9 and says so)."""
    environ = {**os.environ, **(env or {})}
    environ["PYTHONPATH"] = os.pathsep.join(
        [str(REPO)] + ([environ["PYTHONPATH"]] if environ.get("PYTHONPATH") else [])
    )
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "generator", *map(str, args)],
        cwd=cwd,
        env=environ,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
        preexec_fn=preexec,
    )
    try:
        out, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, _ = proc.communicate()
        text = out.decode("utf-8", "replace")
        return Run(
            -9, text + f"\n[killed after {timeout:.0f} s]", "", time.perf_counter() - started
        )
    text = out.decode("utf-8", "replace")
    tb = text[text.find("Traceback") :] if "Traceback" in text else ""
    return Run(proc.returncode, text, tb, time.perf_counter() - started)


def assert_clean_failure(run: Run, *, code: int = 1, what: str = "") -> None:
    """Exit `code`, a message, and no traceback."""
    assert not run.traceback, (
        f"{what}: a traceback instead of a clear message:\n...{run.output[-1200:]}"
    )
    assert run.exit_code == code, f"{what}: expected exit {code}, got {run.describe()}"
    assert run.output.strip(), f"{what}: exit {code} without any message"


def snapshot(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): (b"<dir>" if p.is_dir() else p.read_bytes())
        for p in sorted(folder.rglob("*"))
    }


# A closed resource whose row is shifted by one unquoted comma in an address (doors 4, 5):
# the data error must bring no cell into a message or the cache.
SHIFT_FIELDS = """\
- {name: name, type: string, title: 姓名, sensitive: name}
- {name: address, type: string, title: 住址, sensitive: address}
- {name: household, type: integer, title: 家庭人口}
- {name: amount, type: integer, title: 救助金额}
"""
ADDRESS_A, ADDRESS_B = "川东区翠湖街道望江社区17号楼", "2单元601室"
SHIFTED_CSV = (
    "name,address,household,amount\n"
    "司马晓燕,南湖区湖滨街道康宁路17号,2,8823147\n"
    f"{PLANT_NAME},{ADDRESS_A},{ADDRESS_B},3,9876531\n"  # one unquoted comma in the address
)
SHIFTED_CELLS = [
    PLANT_NAME,
    ADDRESS_A,
    ADDRESS_B,
    "9876531",
    "司马晓燕",
    "南湖区湖滨街道康宁路17号",
    "8823147",
]
