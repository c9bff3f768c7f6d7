"""The audit: values of non-open data planted anywhere fail the build, and so does
personal data in open resources; the demo passes."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest

import generator.audit.files
import generator.audit.scan
import generator.build
import generator.data.derive
import generator.site.render
from generator.audit import audit
from generator.audit.findings import AuditResult
from generator.audit.personal import luhn_valid, valid_mobile, valid_resident_id
from generator.audit.values import is_identifying, mask_value
from generator.catalog.loader import load_catalog
from generator.deploy.compress import gzip_bytes
from generator.runtime.output import OutputTree
from generator.search import SEARCH_DOCS

from .conftest import DEMO_CATALOG, dataset_yaml
from .test_search_engine import doc as search_doc
from .test_search_engine import search_document

CLOSED_ADDRESS = "川东区工业园街道康宁社区29号楼4单元304室"
CLOSED_ID = "990103199204057098"
CONDITIONAL_COMPANY = "云川测试贸易有限公司"
CONDITIONAL_CODE = "91990100MA1234567X"

CLOSED_FIELDS = """\
- {name: name, type: string, title: 姓名, sensitive: name}
- {name: id_number, type: string, title: 身份证号码, sensitive: id_number}
- {name: address, type: string, title: 住址, sensitive: address}
"""
CONDITIONAL_FIELDS = """\
- {name: company, type: string, title: 单位名称}
- {name: credit_code, type: string, title: 统一社会信用代码}
- {name: amount, type: integer, title: 缴费金额}
"""
LEGAL = "legal_basis: 《中华人民共和国个人信息保护法》第三十四条\n"


def write_catalog(catalog) -> None:
    catalog.dataset("bus-lines")
    catalog.dataset(
        "relief",
        csv_text=f"name,id_number,address\n欧阳明华,{CLOSED_ID},{CLOSED_ADDRESS}\n",
        descriptor=dataset_yaml(
            "relief", open_type="非开放", fields=CLOSED_FIELDS, extra=LEGAL, title="救助名单"
        ),
    )
    catalog.dataset(
        "contributions",
        csv_text=f"company,credit_code,amount\n{CONDITIONAL_COMPANY},{CONDITIONAL_CODE},12345\n",
        descriptor=dataset_yaml(
            "contributions",
            open_type="有条件开放",
            fields=CONDITIONAL_FIELDS,
            extra=LEGAL + "open_conditions: 仅向科研机构提供\n",
            title="社保缴费明细",
        ),
    )


def snapshot(folder: Path) -> dict[Path, bytes]:
    return {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()}


@pytest.fixture
def built(catalog, cli, tmp_path: Path) -> tuple[Path, Path, dict[Path, bytes]]:
    """A small catalog with open, conditional and closed data, built once cleanly."""
    write_catalog(catalog)
    out = tmp_path / "site"
    result = cli("build", "--catalog", catalog.root, "--out", out)
    assert result.exit_code == 0, result.output
    return catalog.root, out, snapshot(out)


# --- planting non-open values through the real stages ----------------------------------


def plant_in_template(monkeypatch: pytest.MonkeyPatch) -> None:
    original = generator.site.render.make_environment

    def environment():
        from jinja2 import ChoiceLoader, DictLoader

        env = original()
        planted = DictLoader({"dataset/readme.html": f"<p>{CLOSED_ADDRESS}</p>"})
        env.loader = ChoiceLoader([planted, env.loader])
        return env

    monkeypatch.setattr(generator.site.render, "make_environment", environment)


def plant_in_preview(monkeypatch: pytest.MonkeyPatch) -> None:
    original = generator.data.derive.derive_resource

    def derive(ds, res, out):
        published = original(ds, res, out)
        published.preview.append([CONDITIONAL_COMPANY, "7"])
        return published

    monkeypatch.setattr(generator.data.derive, "derive_resource", derive)


def plant_in_feed(monkeypatch: pytest.MonkeyPatch) -> None:
    """The feeds stage runs, then an entry of its Atom feed carries a closed value."""
    original = generator.build.write_feeds

    def feeds(*args, **kwargs):
        result = original(*args, **kwargs)
        feed = next(a for a in args if isinstance(a, OutputTree)).root / "feed.atom"
        text = feed.read_text(encoding="utf-8")
        entry = f"<entry><title>更新</title><summary>{CLOSED_ID}</summary></entry>"
        feed.write_text(text.replace("</feed>", entry + "</feed>"), encoding="utf-8")
        return result

    monkeypatch.setattr(generator.build, "write_feeds", feeds)


def plant_in_search_index(monkeypatch: pytest.MonkeyPatch) -> None:
    """The indexer reads a search document holding the value, and the document is removed
    again: the value is then only inside the gzip-compressed document chunks of the index."""
    original = generator.build.start_search_index

    def search(out: OutputTree, *args: object):
        # the indexer reads the search documents only (generator/search/), so plant one
        # there; the search stage removes the documents after indexing.
        page = out.root / SEARCH_DOCS / "datasets" / "planted" / "index.html"
        page.parent.mkdir(parents=True)
        doc = search_document(search_doc("planted", "缴费单位", description=CONDITIONAL_COMPANY))
        page.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
        return original(out, *args)

    monkeypatch.setattr(generator.build, "start_search_index", search)


PLANTS = {
    "template": (plant_in_template, "relief", "address", CLOSED_ADDRESS),
    "preview": (plant_in_preview, "contributions", "company", CONDITIONAL_COMPANY),
    "feed": (plant_in_feed, "relief", "id_number", CLOSED_ID),
    "search-index": (plant_in_search_index, "contributions", "company", CONDITIONAL_COMPANY),
}


@pytest.mark.parametrize("where", list(PLANTS))
def test_planted_non_open_value_fails_the_build_and_site_is_untouched(
    built, cli, monkeypatch: pytest.MonkeyPatch, where: str
):
    root, out, before = built
    plant, dataset, field, value = PLANTS[where]
    plant(monkeypatch)
    # --no-cache: the plant patches code at run time, which no content hash can see
    result = cli("build", "--catalog", root, "--out", out, "--no-cache")
    assert result.exit_code == 1, result.output
    assert "审计未通过" in result.output
    assert f"数据集 {dataset}" in result.output
    assert f"字段 {field}" in result.output
    assert "行 2" in result.output
    assert mask_value(value) in result.output
    assert value not in result.output  # never printed in full
    assert snapshot(out) == before
    assert not list(out.parent.glob(".site.staging-*"))


def test_kaifang_audit_checks_any_built_site(built, cli):
    root, out, _ = built
    assert cli("audit", out, "--catalog", root).exit_code == 0
    page = out / "en" / "index.html"
    page.write_text(page.read_text(encoding="utf-8") + f"<!-- {CLOSED_ADDRESS} -->")
    result = cli("audit", out, "--catalog", root, "--lang", "en")
    assert result.exit_code == 1
    assert "dataset relief" in result.output
    assert "en/index.html" in result.output
    assert CLOSED_ADDRESS not in result.output


def test_audit_reads_archives_and_escapes(built):
    root, out, _ = built
    catalog, _ = load_catalog(root)
    assert audit(out, catalog).ok
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("xl/sharedStrings.xml", f"<t>{CONDITIONAL_CODE}</t>")
    (out / "datasets" / "bus-lines" / "rows.xlsx").write_bytes(buffer.getvalue())
    (out / "a.json").write_text(json.dumps({"v": CLOSED_ADDRESS}), encoding="utf-8")
    (out / "b.html").write_text("&#24029;&#19996;区工业园街道康宁社区29号楼4单元304室")
    (out / "broken.zip").write_bytes(b"PK\x03\x04 not really a zip")
    findings = audit(out, catalog).findings
    where = {(f.kind, f.output) for f in findings}
    assert ("leak", "datasets/bus-lines/rows.xlsx!xl/sharedStrings.xml") in where
    assert ("leak", "a.json") in where
    assert ("leak", "b.html") in where
    assert ("unreadable", "broken.zip") in where


def test_parallel_scan_finds_what_one_process_finds(built, monkeypatch: pytest.MonkeyPatch):
    """Workers scan parts of the tree; merged in order, the findings (and their order, and
    the first files named per value) are those of one process scanning every file."""
    root, out, _ = built
    catalog, _ = load_catalog(root)
    for i in range(7):  # one value in many files, spread over several parts
        (out / f"leak-{i}.html").write_text(f"<p>{CLOSED_ADDRESS}</p>", encoding="utf-8")
    (out / "en" / "x.json").write_text(json.dumps({"v": CONDITIONAL_COMPANY}))
    (out / "broken.zip").write_bytes(b"PK\x03\x04 not really a zip")
    monkeypatch.setattr(generator.audit.scan, "SCAN_CHUNK", 10**6)
    serial = audit(out, catalog, jobs=1)  # one part: every file in turn
    monkeypatch.setattr(generator.audit.scan, "SCAN_CHUNK", 3)
    spread = audit(out, catalog, jobs=2)
    assert not serial.ok
    assert spread.findings == serial.findings
    assert (spread.files, spread.bytes) == (serial.files, serial.bytes)
    assert serial.files > 4 * 3  # enough parts that workers were used
    kinds = {(f.kind, f.dataset) for f in serial.findings}
    assert ("leak", "relief") in kinds and ("leak", "contributions") in kinds
    assert ("unreadable", "") in kinds


def test_the_personal_data_check_runs_while_the_workers_scan(
    built, monkeypatch: pytest.MonkeyPatch
):
    """The build's process checks personal data while the workers scan for leaks (it only
    waited before); the findings and their order are those of one check after the other."""
    root, out, _ = built
    catalog, _ = load_catalog(root)
    for i in range(7):
        (out / f"leak-{i}.html").write_text(f"<p>{CLOSED_ADDRESS}</p>", encoding="utf-8")
    published = sorted((out / "datasets" / "bus-lines").glob("*.csv"))[0]
    with published.open("a", encoding="utf-8") as handle:
        handle.write(f"L009,3,联系 {VALID['mobile']}\n")
    events: list[str] = []
    personal, merge = generator.audit.audit_personal_data, generator.audit.scan._merge

    def checking(*args: object) -> None:
        events.append("personal")
        personal(*args)

    def merging(*args: object) -> None:
        events.append("merged")
        merge(*args)

    monkeypatch.setattr(generator.audit, "audit_personal_data", checking)
    monkeypatch.setattr(generator.audit.scan, "_merge", merging)
    monkeypatch.setattr(generator.audit.scan, "SCAN_CHUNK", 3)
    later: list[str] = []
    result = audit(out, catalog, jobs=2, meanwhile=lambda: later.append("caller"))
    assert events[:2] == ["personal", "merged"] and later == ["caller"]
    one_then_other = AuditResult()
    generator.audit.scan.audit_leaks(out, catalog, one_then_other, jobs=1)
    personal(out, catalog, one_then_other)
    assert result.findings == one_then_other.findings and result.texts == one_then_other.texts
    kinds = [f.kind for f in result.findings]
    assert "leak" in kinds and kinds[-1] == "mobile"  # the leaks first, as before


def test_siblings_equal_to_their_page_are_not_taken_on_trust(
    built, monkeypatch: pytest.MonkeyPatch
):
    """A .br/.gz that decompresses to its page's bytes is not scanned again, but one that
    differs from its page anywhere, here in its second block, or a .gz whose page is not
    the file before it, is scanned as any file is; a page's leak is named in its siblings."""
    import gzip

    import brotli

    root, out, _ = built
    catalog, _ = load_catalog(root)
    monkeypatch.setattr(generator.audit.files, "CHUNK", 1024)  # pages of two blocks
    lines = ["<p>公交线路</p>\n"] * 100  # 2,000 bytes
    clean = "".join(lines)
    leaky = "".join(lines[:60]) + f"<p>{CONDITIONAL_COMPANY}</p>" + "".join(lines[60:])
    (out / "a.html").write_text(clean, encoding="utf-8")  # clean page, siblings leak late
    (out / "a.html.br").write_bytes(brotli.compress(leaky.encode()))
    (out / "a.html.gz").write_bytes(gzip.compress(leaky.encode()))
    (out / "b.html").write_text(f"<p>{CLOSED_ADDRESS}</p>" + clean, encoding="utf-8")
    (out / "b.html.br").write_bytes(brotli.compress((f"<p>{CLOSED_ADDRESS}</p>" + clean).encode()))
    (out / "c.json.gz").write_bytes(gzip.compress(json.dumps({"v": CLOSED_ID}).encode()))
    outputs = {f.output for f in audit(out, catalog, jobs=1).findings}
    assert {"a.html.br", "a.html.gz", "b.html", "b.html.br", "c.json.gz"} <= outputs
    assert "a.html" not in outputs


def test_every_file_a_server_could_send_is_read(built, tmp_path: Path):
    """The audit lists the tree with one scandir per folder: a folder or a file reached
    through a symbolic link (out of the tree too), a hidden folder, a file whose name sorts
    between a page and its sibling, and a deep folder are all read; a link back up the tree
    and a dangling link end nothing early; every file is counted once."""
    import brotli

    root, out, _ = built
    catalog, _ = load_catalog(root)
    before = audit(out, catalog, jobs=1)
    assert before.ok
    outside = tmp_path / "outside"
    (outside / "inner").mkdir(parents=True)
    (outside / "inner" / "leak.html").write_text(f"<p>{CLOSED_ADDRESS}</p>", encoding="utf-8")
    (outside / "secret.json").write_text(json.dumps({"v": CLOSED_ID}), encoding="utf-8")
    (out / "linked").symlink_to(outside, target_is_directory=True)
    (out / "datasets" / "file-link.json").symlink_to(outside / "secret.json")
    (out / "datasets" / "loop").symlink_to(out, target_is_directory=True)
    (out / "datasets" / "dangling.html").symlink_to(tmp_path / "nowhere.html")
    (out / ".hidden").mkdir()
    (out / ".hidden" / "x.txt").write_text(CONDITIONAL_COMPANY, encoding="utf-8")
    deep = out / "a" / "b" / "c" / "d"
    deep.mkdir(parents=True)
    (deep / "e.csv").write_text(f"x\n{CONDITIONAL_CODE}\n", encoding="utf-8")
    page = (out / "index.html").read_bytes()
    (out / "index.html.a").write_bytes(page + CLOSED_ADDRESS.encode())  # sorts before .br
    (out / "index.html.br").write_bytes(brotli.compress(page + CLOSED_ADDRESS.encode()))
    after = audit(out, catalog, jobs=1)
    leaks = {f.output for f in after.findings if f.kind == "leak"}
    assert {
        "linked/inner/leak.html",
        "linked/secret.json",
        "datasets/file-link.json",
        ".hidden/x.txt",
        "a/b/c/d/e.csv",
        "index.html.a",
        "index.html.br",
    } <= leaks
    assert after.files == before.files + 7  # the two linked files once each, no loop


def test_siblings_are_skipped_only_while_they_match_the_compress_record(built):
    """The build hands the audit what the compress stage wrote: (sha256 of each sibling,
    sha256 of the bytes it was compressed from). A sibling that still matches is not
    decompressed, and a page's leak is named in it; a sibling replaced after compression,
    or one whose page changed since, is decompressed and scanned like any file."""
    import brotli

    from generator.deploy.compress import precompress

    root, out, _ = built
    catalog, _ = load_catalog(root)
    tree = OutputTree(out)  # a tree of its own beside the built site
    clean = "".join(f"<p>公交线路第{n}条</p>\n" for n in range(1200))  # 25 KB: siblings
    for name in ("a", "b", "c", "d"):
        tree.write_text(f"zz/{name}.html", clean)
    tree.write_text("zz/e.html", clean + f"<p>{CLOSED_ADDRESS}</p>")  # a page's own leak
    proofs = precompress(tree, None, 1).proofs
    assert set(proofs) == {f"zz/{n}.html{s}" for n in "abcde" for s in (".gz", ".br")}
    trusted, read_all = audit(out, catalog, jobs=1, proofs=proofs), audit(out, catalog, jobs=1)
    assert trusted.findings == read_all.findings and trusted.bytes < read_all.bytes
    assert {f.output for f in trusted.findings} == {"zz/e.html", "zz/e.html.gz", "zz/e.html.br"}
    leaky = (clean + f"<p>{CONDITIONAL_COMPANY}</p>").encode()
    (out / "zz/a.html.br").write_bytes(brotli.compress(leaky))  # replaced after compression
    (out / "zz/b.html.gz").write_bytes(gzip_bytes(leaky))
    (out / "zz/c.html").write_bytes(leaky)  # the page changed: its siblings are read
    (out / "zz/c.html.gz").write_bytes(gzip_bytes(leaky))
    (out / "zz/d.html.br").write_bytes(b"not brotli")  # the same size would not help
    outputs = {(f.kind, f.output) for f in audit(out, catalog, jobs=1, proofs=proofs).findings}
    assert {
        ("leak", "zz/a.html.br"),
        ("leak", "zz/b.html.gz"),
        ("leak", "zz/c.html"),
        ("leak", "zz/c.html.gz"),
        ("unreadable", "zz/d.html.br"),
    } <= outputs
    assert ("leak", "zz/a.html") not in outputs and ("leak", "zz/c.html.br") not in outputs


def test_files_written_while_the_audit_runs_are_read_too(built):
    """The build audits while the search index is built: files under the search index's folders,
    and any file that appears meanwhile, are read after it, and every file exactly once."""
    root, out, _ = built
    catalog, _ = load_catalog(root)
    before = audit(out, catalog)
    assert before.ok and (out / "search-index").is_dir()

    class StillIndexing:  # the search stage's handle, as the build hands it to the audit
        folders = ("search-index/",)

        def done(self) -> bool:
            return False

        def finish(self) -> None:
            (out / "search-index" / "late.json").write_text(json.dumps({"v": CLOSED_ADDRESS}))
            (out / "late.html").write_text(f"<p>{CONDITIONAL_COMPANY}</p>", encoding="utf-8")

    result = audit(out, catalog, search=StillIndexing())
    assert {f.output for f in result.findings} == {"search-index/late.json", "late.html"}
    assert result.files == before.files + 2


def test_a_finished_index_is_taken_while_the_workers_scan(built, monkeypatch: pytest.MonkeyPatch):
    """An indexer that has ended is finished, and the rest of the tree listed, while the
    workers scan the first part; what is read and found is the same as when it is waited
    for after that part."""
    root, out, _ = built
    catalog, _ = load_catalog(root)
    events: list[str] = []
    merge = generator.audit.scan._merge

    def merging(*args: object) -> None:
        events.append("merged")
        merge(*args)

    class Ended:  # an indexer that has ended: its files are there once finish returns
        folders = ("search-index/",)

        def __init__(self, done: bool) -> None:
            self._done = done

        def done(self) -> bool:
            return self._done

        def finish(self) -> None:
            events.append("finish")
            (out / "search-index" / "late.json").write_text(json.dumps({"v": CLOSED_ADDRESS}))
            (out / "late.html").write_text(f"<p>{CONDITIONAL_COMPANY}</p>", encoding="utf-8")

    monkeypatch.setattr(generator.audit.scan, "_merge", merging)
    monkeypatch.setattr(generator.audit.scan, "SCAN_CHUNK", 3)
    early = audit(out, catalog, jobs=2, search=Ended(True))
    assert events[:2] == ["finish", "merged"]
    (out / "search-index" / "late.json").unlink()
    (out / "late.html").unlink()
    events.clear()
    waited = audit(out, catalog, jobs=2, search=Ended(False))
    assert events[:2] == ["merged", "finish"]
    assert {f.output for f in early.findings} == {"search-index/late.json", "late.html"}
    assert early.findings == waited.findings
    assert (early.files, early.bytes) == (waited.files, waited.bytes)


def test_short_common_and_public_values_are_not_looked_for(catalog, cli, tmp_path: Path):
    # The closed dataset shares a district name and a company with the open data, and
    # has short and numeric cells: none of them may fail the build.
    catalog.dataset("bus-lines", csv_text="line_id,stops\n川东区3路,12\n南湖公交有限公司,30\n")
    catalog.dataset(
        "relief",
        csv_text="name,id_number,address\n王强,2026-11-01,川东区3路\n李明,12345,南湖公交有限公司\n",
        descriptor=dataset_yaml(
            "relief", open_type="非开放", fields=CLOSED_FIELDS, extra=LEGAL, title="救助名单"
        ),
    )
    result = cli("build", "--catalog", catalog.root, "--out", tmp_path / "site")
    assert result.exit_code == 0, result.output


def test_threshold():
    assert is_identifying("欧阳明华")  # 3+ Chinese characters
    assert not is_identifying("王强")  # too short to identify anyone
    assert is_identifying("ZJ12345")  # 6+ characters with a digit
    assert not is_identifying("pending")  # a plain word
    assert not is_identifying("1234567.89")  # numbers of fewer than 8 digits before the point
    assert is_identifying("13812345678")
    assert not is_identifying("2026-11-01")
    assert not is_identifying("2026年11月1日")
    assert not is_identifying("true")
    assert mask_value("990103199204057098") == "990************098"
    assert "明华" not in mask_value("欧阳明华") and mask_value("欧阳明华") == "****"


# --- personal data in open resources -------------------------------------------------------

VALID = {
    "id_number": "110101199003077731",  # GB 11643 check digit 1
    "mobile": "13912345678",
    "bank_card": "6222021234567890128",  # UnionPay range, Luhn-valid
}
WRONG = {
    "id_number": "110101199003077734",  # check digit should be 1
    "mobile": "12912345678",  # 12x is not an allocated mobile prefix
    "bank_card": "6222021234567890127",  # fails Luhn
}


def test_detectors():
    assert valid_resident_id(VALID["id_number"]) and not valid_resident_id(WRONG["id_number"])
    assert not valid_resident_id("110101199002307734")  # 30 February
    assert valid_mobile(VALID["mobile"]) and valid_mobile("+86 139-1234-5678")
    assert not valid_mobile(WRONG["mobile"])
    assert luhn_valid(VALID["bank_card"]) and not luhn_valid(WRONG["bank_card"])


def open_csv(value: str) -> str:
    return f"line_id,stops,note\nL001,12,首班车\nL002,30,联系 {value}\n"


NOTE_FIELDS = """\
- {name: line_id, type: string, title: 线路编号}
- {name: stops, type: integer, title: 站点数}
- {name: note, type: string, title: 备注}
"""


@pytest.mark.parametrize("kind", list(VALID))
def test_personal_data_in_open_csv_fails_naming_the_row(catalog, cli, tmp_path: Path, kind):
    catalog.dataset(
        "bus-lines",
        csv_text=open_csv(VALID[kind]),
        descriptor=dataset_yaml("bus-lines", fields=NOTE_FIELDS),
    )
    result = cli("build", "--catalog", catalog.root, "--out", tmp_path / "site")
    assert result.exit_code == 1, result.output
    assert "数据集 bus-lines" in result.output
    assert "datasets/bus-lines/data/rows.csv 行 3 字段 note" in result.output
    assert f"audit-pii-{kind}" in result.output or kind in result.output
    assert VALID[kind] not in result.output
    assert mask_value(VALID[kind]) in result.output
    assert not (tmp_path / "site").exists()


def test_same_numbers_with_wrong_check_digits_pass(catalog, cli, tmp_path: Path):
    csv_text = "line_id,stops,note\n" + "".join(
        f"L{i},{i},{value}\n" for i, value in enumerate(WRONG.values())
    )
    catalog.dataset(
        "bus-lines", csv_text=csv_text, descriptor=dataset_yaml("bus-lines", fields=NOTE_FIELDS)
    )
    result = cli("build", "--catalog", catalog.root, "--out", tmp_path / "site")
    assert result.exit_code == 0, result.output


def test_field_may_declare_personal_data_allowed(catalog, cli, tmp_path: Path):
    fields = """\
- {name: line_id, type: string, title: 线路编号}
- {name: stops, type: integer, title: 站点数}
- {name: note, type: string, title: 服务邮箱, pii_allowed: [email]}
"""
    catalog.dataset(
        "bus-lines",
        csv_text=open_csv("service@bus.example.cn"),
        descriptor=dataset_yaml("bus-lines", fields=fields),
    )
    out = tmp_path / "site"
    assert cli("build", "--catalog", catalog.root, "--out", out).exit_code == 0
    # allowing e-mail does not allow a mobile number in the same field
    catalog.dataset(
        "bus-lines",
        csv_text=open_csv("service@bus.example.cn 13912345678"),
        descriptor=dataset_yaml("bus-lines", fields=fields),
    )
    result = cli("build", "--catalog", catalog.root, "--out", out)
    assert result.exit_code == 1
    assert "audit-pii-mobile" in result.output or "手机号码" in result.output


# --- the demo -------------------------------------------------------------------------------


def test_demo_site_passes_the_audit(demo_site: Path, cli):
    result = cli("audit", demo_site, "--catalog", DEMO_CATALOG)
    assert result.exit_code == 0, result.output
    assert "审计通过" in result.output


def _lines_with_reference(pattern, data: bytes) -> bytes:
    """The lines holding a match, taken match by match (the audit's code before it
    skipped to the end of each line taken)."""
    spans, end = [], -1
    for match in pattern.finditer(data):
        if match.start() < end:
            continue
        start = data.rfind(b"\n", 0, match.start()) + 1
        end = data.find(b"\n", match.end())
        end = len(data) if end < 0 else end
        spans.append(data[start:end])
    return b"\n".join(spans)


def test_escaped_lines_are_all_taken_and_each_once():
    """Lines of %- and \\u-escapes are decoded whole: the search skips to the end of each
    line it takes, and still takes every later line, the last one without a line feed."""
    import random

    from generator.audit.files import _JSON_ESCAPE, _PERCENT, _lines_with

    rng = random.Random(14)
    parts = [b"%E5%B7%9D", b"\\u4e91", b"plain", b"\n", b"%zz", b"\\u12", b"%", b"\n\n"]
    for _ in range(300):
        data = b"".join(rng.choice(parts) for _ in range(rng.randrange(0, 40)))
        for pattern in (_PERCENT, _JSON_ESCAPE):
            assert _lines_with(pattern, data) == _lines_with_reference(pattern, data)
    secret = CLOSED_ADDRESS.encode()
    quoted = "".join(f"%{b:02X}" for b in secret).encode()
    page = b"a%20b%20c\n" * 50 + b"mailto:x?subject=%E4%BA%91" + b"%20" * 30 + b"\n" + quoted
    assert secret in generator.audit.files.unquote_to_bytes(_lines_with(_PERCENT, page))


@pytest.mark.parametrize("encoding", ["utf-8", "gbk"])
def test_an_unpublished_resource_is_read_row_by_row_only_when_its_file_holds_personal_data(
    catalog, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, encoding: str
):
    """A resource whose CSV is not in the tree (a suspended dataset publishes none) gets the
    quick check over its own file, opened inside the catalog, before the row-by-row read:
    a clean file is not read by rows, and one holding a mobile number still fails, named by
    row and field, in any encoding (full-width digits: GBK bytes read as UTF-8 hide them)."""
    from generator.audit import personal
    from generator.audit.findings import AuditResult

    read_by_rows: list[str] = []
    rows_of = personal._audit_rows
    monkeypatch.setattr(
        personal, "_audit_rows", lambda *a: (read_by_rows.append(a[2].name), rows_of(*a))[1]
    )
    descriptor = dataset_yaml("bus-lines", fields=NOTE_FIELDS) + "    encoding: " + encoding + "\n"
    empty = tmp_path / "no-site"
    empty.mkdir()
    wide = VALID["mobile"].translate({ord(d): ord(d) + 0xFEE0 for d in "0123456789"})  # １３９…
    for text, expected in ((open_csv("上午班次加密"), []), (open_csv(wide), ["mobile"])):
        catalog.dataset("bus-lines", csv_text=text, descriptor=descriptor, encoding=encoding)
        loaded, problems = load_catalog(catalog.root)
        assert loaded is not None, problems
        result = AuditResult()
        personal.audit_personal_data(empty, loaded, result)
        assert [f.kind for f in result.findings] == expected
        assert read_by_rows == (["rows"] if expected else [])
        if expected:
            finding = result.findings[0]
            assert (finding.row, finding.field, finding.masked) == (
                3,
                "note",
                mask_value(VALID["mobile"]),
            )
        read_by_rows.clear()


def _archive(members: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _pieces(data: bytes) -> list[tuple[str, bytes]]:
    return list(generator.audit.files._stream_pieces(io.BytesIO(data), "a.xlsx", 0))


@pytest.mark.parametrize("method", [zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED])
def test_archive_members_are_read_from_memory_only_when_they_check_out(method, monkeypatch):
    """A small member of an archive held in memory is sliced and inflated from the
    archive's bytes instead of through zipfile's reader, and only when its local header,
    size and CRC-32 agree with the directory: a member changed after it was written, a
    name that differs between directory and header, an encrypted or cut member all go to
    zipfile, which fails on them (unreadable: the audit cannot show them clean)."""
    secret = CLOSED_ADDRESS.encode()
    inner = _archive({"deep.txt": b"x " + secret})
    data = _archive(
        {"sheet.xml": b"<c>" + secret + b"</c>", "empty.txt": b"", "in.zip": inner}, method
    )
    opened: list[str] = []
    real_open = zipfile.ZipFile.open
    monkeypatch.setattr(
        zipfile.ZipFile,
        "open",
        lambda self, info, *a, **k: opened.append(info.filename) or real_open(self, info, *a, **k),
    )
    pieces = _pieces(data)
    assert [name for name, _ in pieces] == ["a.xlsx!sheet.xml", "a.xlsx!in.zip!deep.txt"]
    assert all(secret in piece for _, piece in pieces)
    assert opened == []  # every member, the nested archive's too, came from memory

    sheet = data.index(b"sheet.xml") + len("sheet.xml")  # the local header's name, then data
    changed = bytearray(data)
    changed[sheet + 2] ^= 0x01  # a byte of the member's data: its CRC no longer matches
    with pytest.raises(generator.audit.files.Unreadable):
        _pieces(bytes(changed))
    renamed = bytearray(data)
    renamed[sheet - 1 : sheet] = b"X"  # the local header names another file than the directory
    with pytest.raises(generator.audit.files.Unreadable):
        _pieces(bytes(renamed))
    first_entry = data.index(b"PK\x01\x02")
    encrypted = bytearray(data)
    encrypted[first_entry + 8] |= 0x01  # the directory says sheet.xml is encrypted
    with pytest.raises(generator.audit.files.Unreadable):
        _pieces(bytes(encrypted))
    cut = data[: sheet + 5] + data[sheet + 5 + 10 :]  # ten bytes of the member gone
    with pytest.raises(generator.audit.files.Unreadable):
        _pieces(cut)
    big = _archive({"big.txt": b"y" * 64 + secret}, method)  # (writing opens members too)
    opened.clear()
    assert _pieces(big)[0][1].endswith(secret) and opened == []
    monkeypatch.setattr(generator.audit.files, "CHUNK", 32)  # members over CHUNK: streamed
    streamed = _pieces(big)
    assert opened == ["big.txt"] and secret in b"".join(piece for _, piece in streamed)
