"""`kaifang import` and `kaifang new`: from a department's files to a publishable dataset."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pytest
import yaml
from openpyxl import Workbook

from generator.authoring.importer import ColumnGuess, detect_encoding, field_names

from .conftest import CatalogFactory

HEADERS = ["线路编号", "站点数", "开通日期", "是否夜班", "票价(元)", "更新时间"]
ROWS = [
    ["L001", "12", "2020/1/5", "是", "2.5", "2026-11-01 08:00:00"],
    ["001", "30", "2021/12/30", "否", "1", "2026-11-02 09:30:00"],
]


def _csv_text(rows: list[list[str]]) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows(rows)
    return buf.getvalue()


def fill_placeholders(descriptor: Path, open_type: str = "无条件开放", **extra: str) -> None:
    """What a person does after an import: decide every catalog key."""
    data = yaml.safe_load(descriptor.read_text(encoding="utf-8"))
    data.update(
        title="公交线路",
        description="各公交线路的站点数与票价",
        publisher="jtj",
        theme="transport",
        open_type=open_type,
        update_frequency="monthly",
        issued="2026-01-01",
        modified="2026-11-01",
        **extra,
    )
    descriptor.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


def test_gbk_csv_with_chinese_headers_imports_and_builds(catalog: CatalogFactory, cli, tmp_path):
    source = tmp_path / "公交线路.csv"
    source.write_bytes(_csv_text([HEADERS, *ROWS]).encode("gbk"))
    result = cli("import", source, "--catalog", catalog.root, "--dataset", "bus-lines")
    assert result.exit_code == 0, result.output
    assert "[gbk]" in result.output
    folder = catalog.root / "datasets" / "bus-lines"
    data = yaml.safe_load((folder / "datapackage.yaml").read_text(encoding="utf-8"))
    fields = data["resources"][0]["schema"]["fields"]
    assert [(f["name"], f["type"], f["title"]) for f in fields] == [
        ("xian_lu_bian_hao", "string", "线路编号"),  # "001" is a code, not the number 1
        ("zhan_dian_shu", "integer", "站点数"),
        ("kai_tong_ri_qi", "date", "开通日期"),
        ("shi_fou_ye_ban", "boolean", "是否夜班"),
        ("piao_jia_yuan", "number", "票价(元)"),
        ("geng_xin_shi_jian", "datetime", "更新时间"),
    ]
    assert fields[2]["format"] == "%Y/%m/%d"
    assert fields[3]["trueValues"] == ["是"]
    copied = (folder / data["resources"][0]["path"]).read_bytes()
    assert copied.decode("utf-8").splitlines()[1] == ",".join(ROWS[0])

    # Nothing is publishable until a person decides, and the open type is never assumed.
    check = cli("check", "--catalog", catalog.root)
    assert check.exit_code == 1
    assert "open_type 仍是占位值“待定”" in check.output
    assert "系统不会默认开放" in check.output
    out = tmp_path / "site"
    assert cli("build", "--catalog", catalog.root, "--out", out).exit_code == 1
    assert not out.exists()

    fill_placeholders(folder / "datapackage.yaml")
    built = cli("build", "--catalog", catalog.root, "--out", out)
    assert built.exit_code == 0, built.output
    page = (out / "datasets" / "bus-lines" / "index.html").read_text(encoding="utf-8")
    assert "开通日期" in page and "kai_tong_ri_qi" in page
    published = (out / "datasets" / "bus-lines" / "gong-jiao-xian-lu.csv").read_text("utf-8")
    assert published.splitlines()[2] == ",".join(ROWS[1])


def test_xlsx_with_two_sheets_becomes_two_resources(catalog: CatalogFactory, cli, tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.title = "学校名录"
    ws.append(["学校名称", "学生人数", "建校日期", "是否公办"])
    ws.append(["第一中学", 1200, dt.datetime(1950, 9, 1), True])
    ws.append(["第二小学", 800.0, dt.datetime(1962, 3, 1), False])
    plan = wb.create_sheet("招生计划")
    plan.append(["学校名称", "年份", "计划人数"])
    plan.append(["第一中学", 2024, 300])
    wb.create_sheet("空表")
    source = tmp_path / "学校.xlsx"
    wb.save(source)

    result = cli("import", source, "--catalog", catalog.root, "--dataset", "schools")
    assert result.exit_code == 0, result.output
    assert "空表" in result.output  # skipped, and said so
    descriptor = catalog.root / "datasets" / "schools" / "datapackage.yaml"
    data = yaml.safe_load(descriptor.read_text(encoding="utf-8"))
    assert [r["name"] for r in data["resources"]] == ["xue-xiao-ming-lu", "zhao-sheng-ji-hua"]
    types = {f["name"]: f["type"] for f in data["resources"][0]["schema"]["fields"]}
    assert types == {
        "xue_xiao_ming_cheng": "string",
        "xue_sheng_ren_shu": "integer",
        "jian_xiao_ri_qi": "date",
        "shi_fou_gong_ban": "boolean",
    }
    fill_placeholders(descriptor)
    out = tmp_path / "site"
    built = cli("build", "--catalog", catalog.root, "--out", out)
    assert built.exit_code == 0, built.output
    assert (out / "datasets" / "schools" / "xue-xiao-ming-lu.csv").read_text("utf-8") == (
        "xue_xiao_ming_cheng,xue_sheng_ren_shu,jian_xiao_ri_qi,shi_fou_gong_ban\n"
        "第一中学,1200,1950-09-01,true\n第二小学,800,1962-03-01,false\n"
    )
    assert (out / "datasets" / "schools" / "zhao-sheng-ji-hua.csv").is_file()

    # Importing into an existing dataset never silently duplicates a resource.
    again = cli("import", source, "--catalog", catalog.root, "--dataset", "schools")
    assert again.exit_code == 1
    assert "--replace" in again.output


@pytest.mark.parametrize(
    ("encoding", "expected"),
    [("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("gbk", "gbk"), ("gb18030", "gb18030")],
)
def test_encoding_is_detected_by_strict_decoding(tmp_path: Path, encoding: str, expected: str):
    text = "名称,说明\n测试,饕餮龘\n"
    if encoding == "gb18030":
        text += "扩展,𠀀𠀁\n"  # outside GBK: only GB18030 can encode these
    path = tmp_path / "t.csv"
    path.write_bytes(text.encode(encoding))
    assert detect_encoding(path) == expected


def test_undecodable_file_is_a_clear_error(catalog: CatalogFactory, cli, tmp_path: Path):
    path = tmp_path / "bad.csv"
    path.write_bytes(b"a,b\n\xff\xfe\xfd,1\n")
    result = cli("import", path, "--catalog", catalog.root)
    assert result.exit_code == 1
    assert "无法识别 bad.csv 的字符编码" in result.output
    assert "Traceback" not in result.output
    assert not (catalog.root / "datasets" / "bad").exists()


def test_type_inference_is_conservative():
    def infer(*values: str) -> dict:
        guess = ColumnGuess("x")
        for v in values:
            guess.add(v)
        return guess.schema_field("x")

    assert infer("1", "-2", "")["type"] == "integer"
    assert infer("1", "2.5", "1e3")["type"] == "number"
    assert infer("007", "12")["type"] == "string"  # a leading zero makes it a code
    assert infer("110101199003071234")["type"] == "string"  # too long to stay exact
    assert infer("true", "False")["type"] == "boolean"
    assert infer("1", "0")["type"] == "integer"
    assert infer("2024-02-29", "2024-03-01")["type"] == "date"
    assert infer("2023-02-29")["type"] == "string"  # not a real day
    assert infer("2024年1月5日")["format"] == "%Y年%m月%d日"
    assert infer("2024-01-05T10:00:00", "2024-01-05 10:00")["type"] == "datetime"
    assert infer("", "")["type"] == "string"
    assert infer("是", "true")["type"] == "string"


def test_field_names_are_safe_ascii_and_unique():
    assert field_names(["线路编号", "线路编号", "", "2023年人口", "E-mail地址", "#"]) == [
        "xian_lu_bian_hao",
        "xian_lu_bian_hao_2",
        "col_3",
        "col_2023_nian_ren_kou",
        "e_mail_di_zhi",
        "col_6",
    ]


def test_ragged_row_is_reported_with_its_line(catalog: CatalogFactory, cli, tmp_path: Path):
    path = tmp_path / "ragged.csv"
    path.write_text("a,b\n1,2\n3,4,5\n", encoding="utf-8")
    result = cli("import", path, "--catalog", catalog.root)
    assert result.exit_code == 1
    assert "ragged.csv 第 3 行有 3 个单元格，多于表头的 2 列" in result.output
    assert not (catalog.root / "datasets" / "ragged").exists()


def test_unsupported_file_type(catalog: CatalogFactory, cli, tmp_path: Path):
    path = tmp_path / "old.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0")
    result = cli("import", path, "--catalog", catalog.root)
    assert result.exit_code == 1
    assert "不支持的文件类型 .xls" in result.output


def test_replace_keeps_what_a_person_wrote(catalog: CatalogFactory, cli, tmp_path: Path):
    source = tmp_path / "stops.csv"
    source.write_text("站点,人数\nA,1\n", encoding="utf-8")
    assert cli("import", source, "--catalog", catalog.root, "--dataset", "stops").exit_code == 0
    descriptor = catalog.root / "datasets" / "stops" / "datapackage.yaml"
    data = yaml.safe_load(descriptor.read_text(encoding="utf-8"))
    data["resources"][0]["schema"]["fields"][0]["description"] = "站点名称"
    descriptor.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    source.write_text("站点,人数,备注\nA,1,x\nB,2,y\n", encoding="utf-8")
    result = cli("import", source, "--catalog", catalog.root, "--dataset", "stops", "--replace")
    assert result.exit_code == 0, result.output
    data = yaml.safe_load(descriptor.read_text(encoding="utf-8"))
    fields = data["resources"][0]["schema"]["fields"]
    assert [f["name"] for f in fields] == ["zhan_dian", "ren_shu", "bei_zhu"]
    assert fields[0]["description"] == "站点名称"
    assert data["open_type"] == "待定"


def test_new_catalog_and_dataset_from_flags(cli, tmp_path: Path):
    root = tmp_path / "portal"
    result = cli(
        "new", "catalog", root, "--title", "样例市开放平台", "--base-url",
        "https://data.sample.gov.cn", "--publisher-id", "jtj", "--publisher-name", "交通局",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert ".kaifang-cache/" in (root / ".gitignore").read_text(encoding="utf-8")
    made = cli(
        "new", "dataset", "bus-stops", "--catalog", root, "--title", "公交站点",
        "--publisher", "jtj", "--theme", "transport", "--frequency", "monthly",
        "--issued", "2026-01-01",
    )  # fmt: skip
    assert made.exit_code == 0, made.output
    check = cli("check", "--catalog", root)
    assert check.exit_code == 1
    assert "open_type 仍是占位值“待定”" in check.output
    assert "description 仍是占位值" in check.output
    assert "title 仍是占位值" not in check.output


def test_new_without_a_terminal_needs_flags(cli, tmp_path: Path):
    result = cli("new", "catalog", tmp_path / "x")
    assert result.exit_code == 2
    assert "--title" in result.output


def test_new_dataset_interactively(catalog: CatalogFactory, tmp_path: Path):
    from click.testing import CliRunner

    from generator.cli import main

    answers = [
        *("公交站点", "全市公交站点", "jtj", "transport", "有条件开放"),
        *("《条例》第十条", "仅限科研", "monthly", "2026-01-01"),
    ]
    result = CliRunner().invoke(
        main,
        ["new", "dataset", "stops", "--catalog", str(catalog.root), "--interactive"],
        input="\n".join(answers) + "\n",
    )
    assert result.exit_code == 0, result.output
    data = yaml.safe_load(
        (catalog.root / "datasets" / "stops" / "datapackage.yaml").read_text(encoding="utf-8")
    )
    assert data["open_type"] == "有条件开放"
    assert data["open_conditions"] == "仅限科研"
    assert data["legal_basis"] == "《条例》第十条"
    assert data["publisher"] == "jtj"
