"""The small frictions a city data officer met (issue 17): an existing data package's
descriptor under another name, ': ' in a value, check writing a cache, new catalog
accepting any base URL or writing an empty e-mail."""

from __future__ import annotations

from pathlib import Path

import yaml

from .conftest import CatalogFactory, dataset_yaml


def test_datapackage_json_or_yml_is_named_with_the_rename(catalog: CatalogFactory, cli):
    folder = catalog.dataset("pkg")
    data = yaml.safe_load((folder / "datapackage.yaml").read_text(encoding="utf-8"))
    (folder / "datapackage.yaml").unlink()
    import json

    (folder / "datapackage.json").write_text(
        json.dumps(data, ensure_ascii=False, default=str), "utf-8"
    )
    result = cli("check", "--catalog", catalog.root)
    assert result.exit_code == 1
    assert "datasets/pkg/datapackage.json: 找到 datasets/pkg/datapackage.json" in result.output
    assert "把 datapackage.json 改名为 datapackage.yaml（JSON 就是合法的 YAML" in result.output
    english = cli("check", "--catalog", catalog.root, "--lang", "en")
    assert "rename datapackage.json to datapackage.yaml" in english.output
    # and the rename is all it takes: JSON is YAML
    (folder / "datapackage.json").rename(folder / "datapackage.yaml")
    assert cli("check", "--catalog", catalog.root).exit_code == 0

    (folder / "datapackage.yaml").rename(folder / "datapackage.yml")
    result = cli("check", "--catalog", catalog.root)
    assert "把 datapackage.yml 改名为 datapackage.yaml" in result.output


def test_colon_space_in_a_value_says_to_quote_it(catalog: CatalogFactory, cli):
    text = dataset_yaml("bus").replace("title_en: Bus lines", "title_en: Bus lines: routes")
    catalog.dataset("bus", descriptor=text)
    result = cli("check", "--catalog", catalog.root)
    assert result.exit_code == 1
    assert "datapackage.yaml:3: YAML 语法错误：这里不能再出现“键: 值”" in result.output
    assert '要给整个值加引号：title_en: "Bus lines: routes"' in result.output
    assert "mapping values" not in result.output  # one language per message
    english = cli("check", "--catalog", catalog.root, "--lang", "en")
    assert 'must be quoted: title_en: "Bus lines: routes"' in english.output
    assert "引号" not in english.output


def test_check_creates_no_cache(catalog: CatalogFactory, cli):
    catalog.dataset("bus")
    before = sorted(p.name for p in catalog.root.parent.iterdir())
    assert cli("check", "--catalog", catalog.root).exit_code == 0
    assert sorted(p.name for p in catalog.root.parent.iterdir()) == before
    assert not (catalog.root / ".kaifang-cache").exists()


def test_new_catalog_checks_the_base_url_and_writes_no_empty_email(cli, tmp_path: Path):
    bad = cli("new", "catalog", tmp_path / "a", "--title", "样例", "--base-url", "data portal")
    assert bad.exit_code == 2
    assert "不是网址" in bad.output and not (tmp_path / "a").exists()
    bad_mail = cli(
        "new", "catalog", tmp_path / "b", "--title", "样例", "--base-url",
        "https://data.sample.gov.cn", "--email", "nobody",
    )  # fmt: skip
    assert bad_mail.exit_code == 2 and "不是电子邮件地址" in bad_mail.output
    made = cli(
        "new", "catalog", tmp_path / "c", "--title", "样例", "--base-url",
        "https://data.sample.gov.cn", "--publisher-id", "jtj", "--publisher-name", "交通局",
        "--no-interactive",
    )  # fmt: skip
    assert made.exit_code == 0, made.output
    site = yaml.safe_load((tmp_path / "c" / "site.yaml").read_text(encoding="utf-8"))
    assert "email" not in site["contact"]
    check = cli("check", "--catalog", tmp_path / "c")
    assert check.exit_code == 0, check.output


def test_a_key_of_another_platform_gets_no_odd_suggestion(catalog: CatalogFactory, cli):
    text = dataset_yaml("bus") + "has_solutions: true\n"
    catalog.dataset("bus", descriptor=text)
    result = cli("check", "--catalog", catalog.root)
    assert "未知的键 has_solutions" in result.output
    assert "share_conditions" not in result.output
    assert "改名为 x-has_solutions" in result.output


def test_header_errors_are_in_chinese_and_english_stays_english(catalog: CatalogFactory, cli):
    catalog.dataset("bus", csv_text="line_id,\nL001,12\n")
    zh = cli("check", "--catalog", catalog.root)
    assert zh.exit_code == 1
    assert "表头第 2 列与 schema 不符：该列表头为空" in zh.output
    assert "Label" not in zh.output and "blank" not in zh.output
    en = cli("check", "--catalog", catalog.root, "--lang", "en")
    assert "is blank" in en.output
    assert not any("\u4e00" <= ch <= "\u9fff" for ch in en.output)  # no Chinese at all


def test_import_failure_is_headed_by_its_file_in_one_language(catalog, cli, tmp_path: Path):
    bad = tmp_path / "ragged.csv"
    bad.write_text("a,b\n1,2\n3,4,5\n", encoding="utf-8")
    zh = cli("import", bad, "--catalog", catalog.root)
    assert zh.exit_code == 1
    assert zh.output.startswith("文件 ragged.csv：1 个错误")
    assert "目录配置" not in zh.output and "import failed" not in zh.output
    en = cli("import", bad, "--catalog", catalog.root, "--lang", "en")
    assert en.output.startswith("file ragged.csv: 1 errors")
    assert not any("\u4e00" <= ch <= "\u9fff" for ch in en.output)


CREDIT = """\
homepage: https://github.com/datasets/country-codes
version: "2.1"
sources:
  - {title: ISO 3166 Maintenance Agency, path: https://www.iso.org/iso-3166-country-codes.html}
  - {name: 国家统计局}
contributors:
  - {title: 云川市统计局数据组, role: author, email: data@example.gov.cn}
  - {title: Open Knowledge Foundation, path: https://okfn.org/, role: publisher}
"""


def test_existing_package_attribution_is_kept_and_shown(catalog: CatalogFactory, cli, tmp_path):
    import json

    catalog.dataset("codes", descriptor=dataset_yaml("codes") + CREDIT)
    closed = dataset_yaml("secret", open_type="非开放", extra="legal_basis: 《某条例》第三条\n")
    catalog.dataset("secret", descriptor=closed + CREDIT)
    out = tmp_path / "site"
    built = cli("build", "--catalog", catalog.root, "--out", out, "--no-record-history")
    assert built.exit_code == 0, built.output
    page = (out / "datasets/codes/index.html").read_text(encoding="utf-8")
    shown = ["来源", "ISO 3166 Maintenance Agency", "国家统计局", "贡献者", "云川市统计局数据组"]
    shown += ["https://github.com/datasets/country-codes", "数据包版本", "2.1"]
    for text in shown:
        assert text in page, text
    en = (out / "en/datasets/codes/index.html").read_text(encoding="utf-8")
    assert "Contributors" in en and "Package version" in en
    package = json.loads((out / "datasets/codes/datapackage.json").read_text(encoding="utf-8"))
    assert {"title": "国家统计局"} in package["sources"]
    assert package["contributors"][1] == {
        "title": "Open Knowledge Foundation", "path": "https://okfn.org/", "role": "publisher"
    }  # fmt: skip
    assert package["homepage"] == "https://github.com/datasets/country-codes"
    assert package["version"] == "2.1"
    api = json.loads((out / "api/v1/datasets/codes.json").read_text(encoding="utf-8"))
    assert [s["title"] for s in api["sources"]] == ["ISO 3166 Maintenance Agency", "国家统计局"]
    assert api["contributors"][0]["email"] == "data@example.gov.cn"
    ttl = (out / "catalog.ttl").read_text(encoding="utf-8")
    assert "dct:source" in ttl and "ISO 3166 Maintenance Agency" in ttl
    assert "云川市统计局数据组" in ttl and "dct:creator" in ttl
    _no_shape_violations(out / "catalog.ttl")
    # a closed dataset keeps to title, publisher and legal basis
    secret = (out / "datasets/secret/index.html").read_text(encoding="utf-8")
    assert "ISO 3166 Maintenance Agency" not in secret and "数据包版本" not in secret
    secret_api = json.loads((out / "api/v1/datasets/secret.json").read_text(encoding="utf-8"))
    assert secret_api["sources"] == [] and secret_api["version"] is None


def _no_shape_violations(turtle: Path) -> None:
    """The sources and contributors meet the mandatory and range DCAT-AP shapes."""
    from pyshacl import validate
    from rdflib import Graph
    from rdflib.namespace import SH

    from .test_bots import DCAT_AP

    shapes = Graph()
    for name in ("shapes.ttl", "range.ttl"):
        shapes += Graph().parse(DCAT_AP / name, format="turtle")
    _ok, report, _text = validate(Graph().parse(turtle), shacl_graph=shapes, allow_warnings=True)
    focus = [str(report.value(r, SH.focusNode)) for r in report.subjects(SH.focusNode)]
    assert [f for f in focus if "#source-" in f or "#contributor-" in f] == []
