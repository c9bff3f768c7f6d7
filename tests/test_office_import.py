"""`kaifang import` on the files departments really have (tests/fixtures/make_office_files.py):
title rows, unit rows, merged two-row headers, notes under the table, lossy GBK exports,
codes that look like numbers; and replacing one resource of a hand-edited descriptor."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
import yaml
from openpyxl import Workbook

from generator.authoring.importer import ColumnGuess
from generator.authoring.intodataset import import_file

from .conftest import CatalogFactory
from .fixtures.make_office_files import EXPECTED, make
from .test_import import fill_placeholders


@pytest.fixture(scope="module")
def office(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return make(tmp_path_factory.mktemp("office"))


def _descriptor(catalog: CatalogFactory, ds: str) -> dict:
    path = catalog.root / "datasets" / ds / "datapackage.yaml"
    return yaml.safe_load(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_office_file_imports_as_expected(name: str, office, catalog: CatalogFactory, cli):
    expected = EXPECTED[name]
    result = cli("import", office[name], "--catalog", catalog.root, "--dataset", "office")
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    res = _descriptor(catalog, "office")["resources"][0]
    fields = res["schema"]["fields"]
    assert [(f["title"], f["type"]) for f in fields] == expected["fields"]
    folder = catalog.root / "datasets" / "office"
    with open(folder / res["path"], encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == [f["name"] for f in fields]
    assert len(rows) - 1 == expected["rows"]
    for want in expected.get("csv_rows", []):
        assert any(row[: len(want)] == want for row in rows[1:]), want
    lines = "+".join(str(n) for n in expected["header"])
    assert f"表头: 第 {lines} 行" in result.output
    for kind, line in expected["skipped"]:
        label = {"title": "标题行", "unit": "单位行", "note": "说明行"}[kind]
        assert f"跳过 {label}" in result.output and f"第 {line} 行" in result.output
    readme = folder / "README.md"
    if expected["notes"]:
        text = readme.read_text(encoding="utf-8")
        for note in expected["notes"]:
            assert f"- {note}" in text
    else:
        assert not readme.exists()
    for fragment in expected["warnings"]:
        assert fragment in result.output
    if not expected["warnings"]:
        assert "警告" not in result.output
    if "title" in expected:
        assert f"建议 / suggested: {expected['title']}" in (folder / "datapackage.yaml").read_text(
            encoding="utf-8"
        )


def test_imported_office_file_checks_and_builds(office, catalog: CatalogFactory, cli, tmp_path):
    """The descriptor with its comments is valid YAML for the loader, and the dataset builds."""
    source = office["财政收支.xlsx"]
    assert cli("import", source, "--catalog", catalog.root, "--dataset", "budget").exit_code == 0
    descriptor = catalog.root / "datasets" / "budget" / "datapackage.yaml"
    text = descriptor.read_text(encoding="utf-8")
    assert "表头含“代码”：是代码，按文本保存" in text  # the inference explains itself
    fill_placeholders(descriptor)
    out = tmp_path / "site"
    built = cli("build", "--catalog", catalog.root, "--out", out, "--no-record-history")
    assert built.exit_code == 0, built.output
    page = (out / "datasets" / "budget" / "index.html").read_text(encoding="utf-8")
    assert "不含兵团所属单位" in page  # the note reached the README section of the page
    published = (out / "datasets" / "budget" / "yu-suan.csv").read_text(encoding="utf-8")
    assert published.splitlines()[1].startswith("650102,天山区,")
    assert (
        published.splitlines()[0]
        == "qu_hua_dai_ma,qu_xian_ming_cheng,cai_zheng_shou_ru,cai_zheng_zhi_chu"
    )
    excel = (out / "datasets" / "budget" / "yu-suan.excel.csv").read_bytes().decode("utf-8-sig")
    assert excel.startswith("区划代码,区县名称,财政收入（万元）,财政支出（万元）\r\n")
    from openpyxl import load_workbook

    wb = load_workbook(out / "datasets" / "budget" / "yu-suan.xlsx", read_only=True)
    assert next(wb["data"].iter_rows(values_only=True))[:2] == ("区划代码", "区县名称")
    assert "表头是字段的中文名" in page  # and the page says so


def test_the_lossy_warning_also_speaks_english(office, catalog: CatalogFactory, cli):
    result = cli(
        "import", office["乡镇GBK.csv"], "--catalog", catalog.root, "--dataset", "x", "--lang", "en"
    )
    assert result.exit_code == 0, result.output
    assert "lines 3, 4" in result.output and "characters were lost" in result.output
    assert "表头含" not in result.output  # reasons in English too
    assert "the header names a code" in result.output


def test_header_row_and_skip_footer_override_detection(catalog: CatalogFactory, cli, tmp_path):
    path = tmp_path / "t.csv"
    # A first line of two values would pass for the header; the officer knows better.
    path.write_text("报表,2024\n名称,数量\n甲,1\n乙,2\n丙,3\n", encoding="utf-8")
    result = cli(
        "import", path, "--catalog", catalog.root, "--dataset", "t",
        "--header-row", "2", "--skip-footer", "1",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    res = _descriptor(catalog, "t")["resources"][0]
    assert [f["title"] for f in res["schema"]["fields"]] == ["名称", "数量"]
    data = (catalog.root / "datasets" / "t" / res["path"]).read_text(encoding="utf-8")
    assert data == "ming_cheng,shu_liang\n甲,1\n乙,2\n"
    assert "- 丙 3" in (catalog.root / "datasets" / "t" / "README.md").read_text("utf-8")

    # --skip-footer 0 turns note detection off: the note becomes a row, as asked.
    path.write_text("名称,说明\n甲,x\n注：示例\n", encoding="utf-8")
    result = cli("import", path, "--catalog", catalog.root, "--dataset", "u", "--skip-footer", "0")
    assert result.exit_code == 0, result.output
    assert _descriptor(catalog, "u")["resources"][0]["path"] == "data/t.csv"
    text = (catalog.root / "datasets" / "u" / "data" / "t.csv").read_text(encoding="utf-8")
    assert text.endswith("注：示例,\n")


def test_title_row_above_a_two_column_header(catalog: CatalogFactory, cli, tmp_path):
    """The exact sheet of the issue: 省份（2024年） above a two-column header."""
    wb = Workbook()
    ws = wb.active
    ws.append(["省份（2024年）"])
    ws.append(["省份", "人口（万人）"])
    ws.append(["新疆", 2623])
    ws.append(["注：不含香港、澳门、台湾。"])
    path = tmp_path / "省份.xlsx"
    wb.save(path)
    result = cli("import", path, "--catalog", catalog.root, "--dataset", "prov")
    assert result.exit_code == 0, result.output
    assert "跳过 标题行 第 1 行: 省份（2024年）" in result.output
    fields = _descriptor(catalog, "prov")["resources"][0]["schema"]["fields"]
    assert [(f["title"], f["type"]) for f in fields] == [
        ("省份", "string"),
        ("人口（万人）", "integer"),
    ]


def test_codes_stay_strings_and_quantities_stay_numbers():
    def infer(title: str, *values: str) -> tuple[str, str]:
        guess = ColumnGuess(title)
        for v in values:
            guess.add(v)
        spec, why = guess.infer("x")
        return spec["type"], (why or ("", ""))[0]

    assert infer("区划代码", "110101", "659012")[0] == "string"
    assert infer("x", "110101", "659012") == (
        "string",
        "每个值都是 6 位数字（定长代码，如行政区划代码、邮政编码）：按文本保存；"
        "若是数量，改为 integer",
    )
    assert infer("手机", "13912345678")[0] == "string"
    assert infer("x", "13912345678", "18800000000")[0] == "string"  # mobiles without a hint
    assert infer("人口数", "110101", "659012")[0] == "integer"  # a quantity of fixed width
    assert infer("x", "12", "130")[0] == "integer"
    assert infer("年份", "2023", "2024")[0] == "integer"
    assert infer("邮编", "830000")[0] == "string"
    assert infer("x", "0991", "0990")[1].startswith("有以 0 开头的值（如 0991）")


def _two_resources(catalog: CatalogFactory, cli, tmp_path: Path) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = "stops"
    ws.append(["站点", "人数"])
    ws.append(["A", 1])
    lines = wb.create_sheet("lines")
    lines.append(["线路", "长度"])
    lines.append(["1路", 12.5])
    path = tmp_path / "bus.xlsx"
    wb.save(path)
    assert cli("import", path, "--catalog", catalog.root, "--dataset", "bus").exit_code == 0
    descriptor = catalog.root / "datasets" / "bus" / "datapackage.yaml"
    text = descriptor.read_text(encoding="utf-8")
    text = text.replace(
        "    - name: zhan_dian\n", "    # 站点名称由交通局核对\n    - name: zhan_dian\n"
    )
    text = text.replace(
        "  title: 线路\n", "  title: 线路\n      description: 线路编号与名称  # 人写的\n"
    )
    assert "# 站点名称由交通局核对" in text and "# 人写的" in text
    descriptor.write_text(text, encoding="utf-8")
    return descriptor


def test_replace_by_resource_keeps_comments_and_removes_the_old_file(
    catalog: CatalogFactory, cli, tmp_path
):
    descriptor = _two_resources(catalog, cli, tmp_path)
    folder = descriptor.parent
    assert (folder / "data" / "stops.csv").is_file()
    new = tmp_path / "新站点.csv"
    new.write_text("站点,人数,备注\nA,1,x\nB,2,y\n", encoding="utf-8")

    # Two candidates and no terminal: a clear failure with the list, nothing written.
    before = descriptor.read_text(encoding="utf-8")
    failed = cli("import", new, "--catalog", catalog.root, "--dataset", "bus", "--replace")
    assert failed.exit_code == 1
    assert "有 2 个资源，不知道替换哪一个：stops, lines" in failed.output
    assert "--resource NAME" in failed.output
    assert descriptor.read_text(encoding="utf-8") == before
    unknown = cli("import", new, "--catalog", catalog.root, "--dataset", "bus", "--resource", "x")
    assert unknown.exit_code == 1 and "没有资源 x；现有资源：stops, lines" in unknown.output

    result = cli(
        "import", new, "--catalog", catalog.root, "--dataset", "bus", "--resource", "stops"
    )
    assert result.exit_code == 0, result.output
    text = descriptor.read_text(encoding="utf-8")
    assert "# 站点名称由交通局核对" in text  # the publisher's comments stay
    assert "description: 线路编号与名称  # 人写的" in text
    assert text.index("open_type") < text.index("resources")  # and the key order
    data = yaml.safe_load(text)
    stops = data["resources"][0]
    assert stops["name"] == "stops" and stops["path"] == "data/stops.csv"
    assert "sheet" not in stops and stops["format"] == "csv"
    assert [f["name"] for f in stops["schema"]["fields"]] == ["zhan_dian", "ren_shu", "bei_zhu"]
    assert len(data["resources"]) == 2  # nothing appended
    assert sorted(p.name for p in (folder / "data").iterdir()) == ["lines.csv", "stops.csv"]
    assert (folder / "data" / "stops.csv").read_text(encoding="utf-8").count("\n") == 3


def test_replace_removes_a_differently_named_old_file(catalog: CatalogFactory, cli, tmp_path):
    old = tmp_path / "a.csv"
    old.write_text("名称\n甲\n", encoding="utf-8")
    assert cli("import", old, "--catalog", catalog.root, "--dataset", "one").exit_code == 0
    new = tmp_path / "b.csv"
    new.write_text("名称\n乙\n", encoding="utf-8")
    # One resource: --replace knows which, and the file keeps the resource's name.
    result = cli("import", new, "--catalog", catalog.root, "--dataset", "one", "--replace")
    assert result.exit_code == 0, result.output
    data = _descriptor(catalog, "one")
    assert [(r["name"], r["path"]) for r in data["resources"]] == [("a", "data/a.csv")]
    assert (catalog.root / "datasets/one/data/a.csv").read_text(encoding="utf-8").endswith("乙\n")


def test_replace_asks_on_a_terminal(catalog: CatalogFactory, cli, tmp_path):
    _two_resources(catalog, cli, tmp_path)
    new = tmp_path / "x.csv"
    new.write_text("线路,长度\n2路,8\n", encoding="utf-8")
    asked = []

    def choose(names: list[str]) -> str:
        asked.append(names)
        return "lines"

    result = import_file(new, catalog.root, "bus", replace=True, choose=choose)
    assert asked == [["stops", "lines"]]
    assert [r.name for r in result.resources] == ["lines"]
    assert not (catalog.root / "datasets/bus/data/x.csv").exists()
