"""Encodings: UTF-8, UTF-8 with BOM, GBK and GB18030 are read correctly, and a wrong
declaration fails with the encoding actually found. Real GBK bytes of Chinese text."""

from __future__ import annotations

import codecs
import json
from pathlib import Path

import pytest

from generator.catalog.encoding import detect_bytes, detect_file, reconcile
from generator.catalog.loader import load_catalog
from generator.data.reader import iter_rows

from .conftest import dataset_yaml

CHINESE = "line_id,stops\n云川一号线,12\n高新区环线（夜班）,30\n"
# 𠀀 (U+20000) and 㐀-era rarities are outside GBK: GB18030 needs four bytes for them
GB18030_ONLY = "line_id,stops\n𠀀字线,7\n"


def published_csv(cli, catalog, tmp_path: Path) -> bytes:
    out = tmp_path / "site"
    result = cli("build", "--catalog", catalog.root, "--out", out)
    assert result.exit_code == 0, result.output
    return (out / "datasets" / "d" / "rows.csv").read_bytes()


def test_gbk_bytes_are_real_gbk():
    raw = CHINESE.encode("gbk")
    assert raw != CHINESE.encode("utf-8")
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")


@pytest.mark.parametrize(
    ("text", "codec", "label"),
    [
        (CHINESE, "utf-8", "UTF-8"),
        (CHINESE, "utf-8-sig", "UTF-8 (BOM)"),
        (CHINESE, "gbk", "GBK"),
        (GB18030_ONLY, "gb18030", "GB18030"),
    ],
)
def test_undeclared_encodings_are_detected_and_published_as_utf8(
    catalog, cli, tmp_path, text, codec, label
):
    folder = catalog.dataset("d", csv_text=text, encoding=codec)
    assert detect_file(folder / "data" / "rows.csv").label == label
    catalog_obj, problems = load_catalog(catalog.root)
    assert not problems.errors
    ds = catalog_obj.dataset("d")
    assert [row[0] for row in iter_rows(ds, ds.resources[0])][1] == text.splitlines()[1].split(",")[
        0
    ]
    assert published_csv(cli, catalog, tmp_path) == text.encode("utf-8")  # no BOM, no mojibake


@pytest.mark.parametrize(
    ("declared", "codec", "text"),
    [("gbk", "gbk", CHINESE), ("GB18030", "gbk", CHINESE), ("gb18030", "gb18030", GB18030_ONLY)],
)
def test_matching_declarations_are_accepted(catalog, cli, tmp_path, declared, codec, text):
    extra = ""
    descriptor = dataset_yaml("d", extra=extra).replace(
        "    format: csv\n", f"    format: csv\n    encoding: {declared}\n"
    )
    catalog.dataset("d", csv_text=text, encoding=codec, descriptor=descriptor)
    assert published_csv(cli, catalog, tmp_path) == text.encode("utf-8")


@pytest.mark.parametrize(
    ("declared", "codec", "text", "found"),
    [
        ("utf-8", "gbk", CHINESE, "GBK"),
        ("gbk", "utf-8", CHINESE, "UTF-8"),
        ("gbk", "gb18030", GB18030_ONLY, "GB18030"),
        ("utf-8", "gb18030", GB18030_ONLY, "GB18030"),
    ],
)
def test_a_wrong_declaration_names_the_encoding_found(catalog, cli, declared, codec, text, found):
    descriptor = dataset_yaml("d").replace(
        "    format: csv\n", f"    format: csv\n    encoding: {declared}\n"
    )
    catalog.dataset("d", csv_text=text, encoding=codec, descriptor=descriptor)
    result = cli("check", "--catalog", catalog.root, "--json")
    report = json.loads(result.stdout)
    [problem] = report["datasets"][0]["problems"]
    assert problem["code"] == "encoding-mismatch"
    assert problem["found"] == found
    assert f"但文件实际是 {found}" in problem["message"]
    assert problem["line"] == descriptor.splitlines().index(f"    encoding: {declared}") + 1
    assert result.exit_code == 1


def test_utf16_and_garbage_are_refused_with_what_was_found(catalog, cli):
    catalog.dataset("a", csv_text=CHINESE, encoding="utf-16")
    folder = catalog.dataset("b")
    (folder / "data" / "rows.csv").write_bytes(b"line_id,stops\nL1,1\n\xff\xfe\x80\x81,2\n")
    result = cli("check", "--catalog", catalog.root, "--json")
    report = json.loads(result.stdout)
    by_ds = {g["dataset"]: g["problems"] for g in report["datasets"]}
    assert by_ds["a"][0]["code"] == "encoding-unknown" and by_ds["a"][0]["found"] == "UTF-16"
    assert by_ds["b"][0]["code"] == "encoding-unknown"
    assert by_ds["b"][0]["line"] == 3  # the line of the first undecodable byte
    assert by_ds["b"][0]["file"] == "datasets/b/data/rows.csv"
    assert result.exit_code == 1


def test_unsupported_declared_encoding(catalog, cli):
    descriptor = dataset_yaml("d").replace(
        "    format: csv\n", "    format: csv\n    encoding: big5\n"
    )
    catalog.dataset("d", descriptor=descriptor)
    result = cli("check", "--catalog", catalog.root)
    assert "encoding-unsupported" not in result.output  # codes are in the JSON; text shows words
    assert "不受支持" in result.output and result.exit_code == 1


def test_yaml_in_gbk_is_named(catalog, cli):
    folder = catalog.dataset("d")
    (folder / "datapackage.yaml").write_bytes(dataset_yaml("d").encode("gbk"))
    result = cli("check", "--catalog", catalog.root)
    assert "datapackage.yaml 不是 UTF-8 编码（检测到 GBK）" in result.output
    assert result.exit_code == 1


def test_detection_units():
    assert detect_bytes(b"a,b\n1,2\n").ascii_only
    assert detect_bytes(codecs.BOM_UTF8 + "é".encode()).codec == "utf-8-sig"
    assert detect_bytes("汉字".encode("gbk")).codec == "gbk"
    assert detect_bytes("𠀀".encode("gb18030")).codec == "gb18030"
    assert detect_bytes(b"PK\x03\x04rest").label == "ZIP/XLSX"
    assert not detect_bytes(b"\x81").ok  # a lone GBK lead byte decodes in nothing


def test_ascii_fits_any_supported_declaration(tmp_path):
    path = tmp_path / "a.csv"
    path.write_bytes(b"a,b\n1,2\n")
    for declared in ("utf-8", "gbk", "gb18030", "gb2312"):
        codec, why = reconcile(declared, detect_file(path), path)
        assert codec and not why


def test_detection_streams_large_files_in_blocks(tmp_path):
    path = tmp_path / "big.csv"
    row = "高新区环线（夜班）,30\n".encode("gbk")
    path.write_bytes(b"a,b\n" + row * 200_000)  # ~4.6 MB, several blocks; a split mid-char
    assert detect_file(path).codec == "gbk"
