"""A corpus of broken catalogs, one mistake each.

Every case starts from the small valid catalog of conftest.py, makes one mistake, and
asserts: the error code it expects and no other error; its message; the dataset and file
named (in the JSON report and in the text a person reads, Chinese and English); exit code
1 from both `check` and `build`; no traceback; an existing site/ left byte for byte as it
was, and no staging folder left behind.
"""

from __future__ import annotations

import json
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from .conftest import CatalogFactory, dataset_yaml

DP = "datasets/d/datapackage.yaml"
CSV = "datasets/d/data/rows.csv"
README = "datasets/d/README.md"
GOOD_CSV = "line_id,stops\nL001,12\nL002,30\n"


@dataclass(frozen=True)
class Case:
    id: str
    make: Callable[[CatalogFactory], None]
    code: str
    message: str  # a fragment of the Chinese message
    file: str = DP
    dataset: str | None = "d"
    line: int | None = None  # line of the YAML key, or of the data file
    row: int | None = None


def ds(
    *replace: tuple[str, str],
    extra: str = "",
    fields: str | None = None,
    csv: str = GOOD_CSV,
    open_type: str = "无条件开放",
    path: str = "data/rows.csv",
    readme: str | None = None,
    encoding: str = "utf-8",
    descriptor: str | None = None,
) -> Callable[[CatalogFactory], None]:
    """A maker for dataset 'd': the standard descriptor with text replaced or added."""

    def make(catalog: CatalogFactory) -> None:
        text = descriptor or dataset_yaml(
            "d", open_type=open_type, extra=extra, fields=fields, path=path
        )
        for old, new in replace:
            assert old in text, old
            text = text.replace(old, new)
        catalog.dataset("d", csv_text=csv, descriptor=text, readme=readme, encoding=encoding)

    return make


def site_change(old: str, new: str) -> Callable[[CatalogFactory], None]:
    def make(catalog: CatalogFactory) -> None:
        ds()(catalog)
        path = catalog.root / "site.yaml"
        text = path.read_text(encoding="utf-8")
        assert old in text, old
        path.write_text(text.replace(old, new), encoding="utf-8")

    return make


def publishers_change(old: str, new: str) -> Callable[[CatalogFactory], None]:
    def make(catalog: CatalogFactory) -> None:
        ds()(catalog)
        path = catalog.root / "publishers.yaml"
        text = path.read_text(encoding="utf-8")
        assert old in text, old
        path.write_text(text.replace(old, new), encoding="utf-8")

    return make


def raw_descriptor(data: bytes) -> Callable[[CatalogFactory], None]:
    def make(catalog: CatalogFactory) -> None:
        folder = catalog.dataset("d")
        (folder / "datapackage.yaml").write_bytes(data)

    return make


def symlinked_resource(catalog: CatalogFactory) -> None:
    outside = catalog.root.parent / "elsewhere.csv"
    outside.write_text(GOOD_CSV, encoding="utf-8")
    folder = catalog.dataset("d")
    (folder / "data" / "rows.csv").unlink()
    (folder / "data" / "rows.csv").symlink_to(outside)


def readme(text: str) -> Callable[[CatalogFactory], None]:
    return ds(readme=text)


def with_fields(fields: str, csv: str) -> Callable[[CatalogFactory], None]:
    return ds(fields=fields, csv=csv)


def declared(encoding: str, csv_codec: str, csv: str = "line_id,stops\n一号线,12\n"):
    return ds(
        ("    format: csv\n", f"    format: csv\n    encoding: {encoding}\n"),
        csv=csv,
        encoding=csv_codec,
    )


TWO_RESOURCES = textwrap.dedent("""\
    name: d
    title: 公交线路
    description: 两个相关的资源
    publisher: jtj
    theme: transport
    open_type: 无条件开放
    update_frequency: monthly
    issued: '2024-01-01'
    modified: '2026-01-01'
    resources:
      - name: rows
        path: data/rows.csv
        schema:
          fields:
            - {name: line_id, type: string}
            - {name: stops, type: integer}
          primaryKey: [line_id]
      - name: stops
        path: data/stops.csv
        schema:
          fields:
            - {name: stop_id, type: string}
            - {name: line_id, type: string}
          foreignKeys:
            - fields: [line_id]
              reference: {resource: rows, fields: [line_id]}
""")


def two_resources(*replace: tuple[str, str], stops: str) -> Callable[[CatalogFactory], None]:
    def make(catalog: CatalogFactory) -> None:
        ds(*replace, descriptor=TWO_RESOURCES)(catalog)
        (catalog.root / "datasets" / "d" / "data" / "stops.csv").write_text(stops, encoding="utf-8")

    return make


TYPED = """\
- {name: line_id, type: string, constraints: {required: true, pattern: "L[0-9]{3}"}}
- {name: stops, type: integer, constraints: {minimum: 2}}
- {name: opened, type: date}
- {name: night, type: boolean}
- {name: kind, type: string, constraints: {enum: [常规, 快速], unique: false}}
- {name: code, type: string, constraints: {unique: true}}
"""
TYPED_HEAD = "line_id,stops,opened,night,kind,code\n"
TYPED_OK = "L001,12,2021-04-01,false,常规,A1\n"


def typed(row: str) -> Callable[[CatalogFactory], None]:
    return with_fields(TYPED, TYPED_HEAD + TYPED_OK + row)


CASES = [
    # --- YAML syntax ---------------------------------------------------------------------
    Case(
        "yaml-tab",
        ds(("theme: transport", "theme:\n\t- transport")),
        "yaml-syntax",
        "YAML 语法错误",
        line=7,
    ),
    Case(
        "yaml-unclosed-list",
        ds(("keywords: [公交]", "keywords: [公交, 线路")),
        "yaml-syntax",
        "YAML 语法错误",
    ),
    Case(
        "yaml-colon-in-value",
        ds(("title: 公交线路", "title: 公交: 线路")),
        "yaml-syntax",
        "YAML 语法错误",
        line=2,
    ),
    Case(
        "yaml-duplicate-key", ds(extra="theme: social\n"), "yaml-duplicate-key", "键 theme 重复出现"
    ),
    Case("yaml-empty-file", raw_descriptor(b""), "yaml-empty", "是空文件"),
    Case(
        "yaml-not-a-mapping",
        raw_descriptor("- 公交\n- 线路\n".encode()),
        "metadata-type",
        "文件顶层",
        line=1,
    ),
    Case(
        "yaml-in-gbk",
        raw_descriptor(dataset_yaml("d").encode("gbk")),
        "yaml-encoding",
        "检测到 GBK",
    ),
    Case(
        "site-yaml-syntax",
        site_change("hide_closed: false", "hide_closed: [false"),
        "yaml-syntax",
        "YAML 语法错误",
        file="site.yaml",
        dataset=None,
    ),
    Case(
        "publisher-duplicate-id",
        publishers_change("- id: mzj", "- id: jtj"),
        "publishers-duplicate",
        "id jtj 重复",
        file="publishers.yaml",
        dataset=None,
        line=4,
    ),
    Case(
        "site-theme-without-id",
        site_change("- {id: social, ", "- {"),
        "site-missing",
        "缺少必填项 themes[1].id",
        file="site.yaml",
        dataset=None,
    ),
    # --- metadata ------------------------------------------------------------------------
    Case(
        "title-missing",
        ds(("title: 公交线路\n", "")),
        "metadata-missing",
        "缺少必填项 title（名称）",
        line=1,
    ),
    Case(
        "description-empty",
        ds(("description: 测试数据集 d", "description:")),
        "metadata-missing",
        "description（摘要） 为空",
        line=4,
    ),
    Case(
        "publisher-missing",
        ds(("publisher: jtj\n", "")),
        "metadata-missing",
        "缺少必填项 publisher（提供方）",
    ),
    Case(
        "publisher-unknown",
        ds(("publisher: jtj", "publisher: jtt")),
        "publisher-unknown",
        "提供方 jtt 不在 publishers.yaml 中",
        line=5,
    ),
    Case(
        "theme-not-in-vocabulary",
        ds(("theme: transport", "theme: traffic")),
        "theme-unknown",
        "领域 traffic 不在 site.yaml themes 中",
        line=6,
    ),
    Case(
        "frequency-not-in-vocabulary",
        ds(("update_frequency: monthly", "update_frequency: weekly")),
        "update-frequency-unknown",
        "更新频率 weekly 不在",
    ),
    Case(
        "issued-missing",
        ds(("issued: 2024-01-01\n", "")),
        "metadata-missing",
        "缺少必填项 issued（发布日期）",
    ),
    Case(
        "modified-invalid-date",
        ds(("modified: 2026-11-01", "modified: 2026-02-30")),
        "metadata-invalid",
        "modified（更新日期） 不是有效日期",
        line=11,
    ),
    Case(
        "modified-before-issued",
        ds(("modified: 2026-11-01", "modified: 2023-01-01")),
        "dates-order",
        "更新日期 modified 早于发布日期 issued",
    ),
    Case(
        "identifier-a-number",
        ds(extra="identifier: 20240001\n"),
        "metadata-type",
        "identifier（信息资源代码） 的类型应为文本",
    ),
    Case(
        "keywords-not-a-list",
        ds(("keywords: [公交]", "keywords: 公交")),
        "metadata-type",
        "keywords（标签） 的类型应为列表",
    ),
    Case(
        "name-differs-from-folder",
        ds(("name: d\n", "name: bus\n")),
        "dataset-name",
        "name 必须与数据集目录名一致",
        line=1,
    ),
    Case(
        "field-type-typo",
        ds(("type: integer", "type: integr")),
        "metadata-invalid",
        "'integr' 不在允许的取值中",
    ),
    Case(
        "licence-missing",
        site_change(
            "default_license: {name: CC-BY-4.0, title: 知识共享署名 4.0, path: https://creativecommons.org/licenses/by/4.0/}\n",
            "",
        ),
        "licence-missing",
        "无条件开放数据必须声明许可协议",
    ),
    # --- policy --------------------------------------------------------------------------
    Case(
        "open-type-missing",
        ds(("open_type: 无条件开放\n", "")),
        "open-type-missing",
        "缺少开放类型 open_type",
    ),
    Case(
        "open-type-unknown",
        ds(open_type="半开放"),
        "open-type-invalid",
        "未知的开放类型 '半开放'",
        line=8,
    ),
    Case(
        "conditional-without-conditions",
        ds(open_type="有条件开放", extra="legal_basis: 《条例》第三条\n"),
        "open-conditions-missing",
        "有条件开放数据必须写明开放条件",
    ),
    Case(
        "alias-conditional-without-basis",
        ds(open_type="依申请开放", extra="open_conditions: 仅向科研机构提供\n"),
        "legal-basis-missing",
        "必须写明法律法规依据 legal_basis",
        line=8,
    ),
    Case(
        "closed-without-basis",
        ds(open_type="不予开放"),
        "legal-basis-missing",
        "开放类型为非开放，必须写明法律法规依据",
    ),
    Case(
        "conditional-share-without-conditions",
        ds(extra="share_type: 有条件共享\nlegal_basis: 《条例》\n"),
        "share-conditions-missing",
        "有条件共享必须写明共享条件",
    ),
    Case(
        "share-type-unknown",
        ds(extra="share_type: 部门共享\n"),
        "share-type-invalid",
        "未知的共享类型 '部门共享'",
    ),
    # --- encodings -----------------------------------------------------------------------
    Case(
        "declared-utf8-is-gbk",
        declared("utf-8", "gbk"),
        "encoding-mismatch",
        "声明的编码是 utf-8，但文件实际是 GBK",
    ),
    Case(
        "declared-gbk-is-utf8",
        declared("gbk", "utf-8"),
        "encoding-mismatch",
        "声明的编码是 gbk，但文件实际是 UTF-8",
    ),
    Case(
        "declared-gbk-is-gb18030",
        declared("gbk", "gb18030", "line_id,stops\n𠀀号线,12\n"),
        "encoding-mismatch",
        "文件实际是 GB18030",
    ),
    Case("utf16-file", ds(encoding="utf-16"), "encoding-unknown", "检测到 UTF-16", file=CSV),
    Case("declared-big5", declared("big5", "utf-8"), "encoding-unsupported", "编码 big5 不受支持"),
    # --- data types ----------------------------------------------------------------------
    Case(
        "integer-written-in-chinese",
        ds(csv="line_id,stops\nL001,12\nL002,三十\n"),
        "data-type-error",
        "第 3 行字段 stops 的值“三十”不是整数",
        file=CSV,
        row=3,
    ),
    Case(
        "invalid-date-cell",
        typed("L002,3,2021-02-30,false,常规,A2\n"),
        "data-type-error",
        "不是日期 YYYY-MM-DD",
        file=CSV,
        row=3,
    ),
    Case(
        "boolean-in-chinese",
        typed("L002,3,2021-02-01,是,常规,A2\n"),
        "data-type-error",
        "不是布尔值",
        file=CSV,
        row=3,
    ),
    # --- constraints ---------------------------------------------------------------------
    Case(
        "required-cell-empty",
        typed(",3,2021-02-01,false,常规,A2\n"),
        "data-constraint-error",
        "必填，但该单元格为空",
        file=CSV,
        row=3,
    ),
    Case(
        "below-minimum",
        typed("L002,1,2021-02-01,false,常规,A2\n"),
        "data-constraint-error",
        "不能小于 2",
        file=CSV,
        row=3,
    ),
    Case(
        "not-in-enum",
        typed("L002,3,2021-02-01,false,夜班,A2\n"),
        "data-constraint-error",
        "必须是以下之一：常规、快速",
        file=CSV,
        row=3,
    ),
    Case(
        "pattern-mismatch",
        typed("X2,3,2021-02-01,false,常规,A2\n"),
        "data-constraint-error",
        "必须符合模式",
        file=CSV,
        row=3,
    ),
    # --- keys ----------------------------------------------------------------------------
    Case(
        "duplicate-primary-key",
        ds(
            ("    schema:\n", "    schema:\n      primaryKey: [line_id]\n"),
            csv="line_id,stops\nL001,12\nL001,30\n",
        ),
        "data-primary-key",
        "的主键与第 2 行重复",
        file=CSV,
        row=3,
    ),
    Case(
        "unique-field-repeated",
        typed("L002,3,2021-02-01,false,常规,A1\n"),
        "data-unique-error",
        "与第 2 行重复",
        file=CSV,
        row=3,
    ),
    Case(
        "foreign-key-not-found",
        two_resources(stops="stop_id,line_id\nS1,L001\nS2,L009\n"),
        "data-foreign-key",
        "外键值在资源 rows 中找不到",
        file="datasets/d/data/stops.csv",
        row=3,
    ),
    Case(
        "primary-key-unknown-field",
        two_resources(
            ("primaryKey: [line_id]", "primaryKey: [line]"), stops="stop_id,line_id\nS1,L001\n"
        ),
        "schema-key-unknown-field",
        "主键字段 line 不在 fields 中",
    ),
    Case(
        "foreign-key-unknown-resource",
        two_resources(
            ("{resource: rows,", "{resource: lines,"), stops="stop_id,line_id\nS1,L001\n"
        ),
        "schema-foreign-resource",
        "外键引用的资源 lines 不在本数据集中",
    ),
    # --- table structure -----------------------------------------------------------------
    Case(
        "extra-cell",
        ds(csv="line_id,stops\nL001,12\nL002,30,多余\n"),
        "data-extra-cell",
        "多出一个单元格",
        file=CSV,
        row=3,
    ),
    Case(
        "missing-cell",
        ds(csv="line_id,stops\nL001,12\nL002\n"),
        "data-missing-cell",
        "缺少字段 stops 的单元格",
        file=CSV,
        row=3,
    ),
    Case(
        "header-differs-from-schema",
        ds(csv="line_id,stop_count\nL001,12\n"),
        "data-incorrect-label",
        "表头第 2 列与 schema 不符",
        file=CSV,
    ),
    # --- paths ---------------------------------------------------------------------------
    Case("absolute-path", ds(path="/etc/passwd"), "resource-path-unsafe", "不能是绝对路径"),
    Case(
        "parent-path",
        ds(path="../other/data/rows.csv"),
        "resource-path-unsafe",
        "不能用 .. 离开数据集目录",
    ),
    Case(
        "url-path",
        ds(path="https://data.example.gov.cn/rows.csv"),
        "resource-path-unsafe",
        "不能是网址",
    ),
    Case("symlink-out", symlinked_resource, "resource-path-unsafe", "指向数据集目录之外的符号链接"),
    Case("file-missing", ds(path="data/row.csv"), "resource-missing", "文件 data/row.csv 不存在"),
    Case(
        "unsupported-file-type",
        ds(("    format: csv\n", ""), path="data/rows.txt"),
        "resource-format",
        "文件类型 txt 不受支持",
    ),
    # --- injection -----------------------------------------------------------------------
    Case(
        "script-in-title",
        ds(("title: 公交线路", "title: 公交线路<script>alert(1)</script>")),
        "metadata-html",
        "title（名称） 是纯文本，不能包含 HTML 或脚本",
        line=2,
    ),
    Case(
        "handler-in-description",
        ds(("description: 测试数据集 d", 'description: "<img src=x onerror=alert(1)>"')),
        "metadata-html",
        "description（摘要） 是纯文本",
    ),
    Case(
        "html-in-field-title",
        ds(("title: 站点数}", "title: '<b>站点数</b>'}")),
        "metadata-html",
        "resources[0].schema.fields[1].title（中文名） 是纯文本",
    ),
    Case(
        "script-in-readme",
        readme("# 说明\n\n正文\n<script>fetch('/x')</script>\n"),
        "readme-unsafe-html",
        "README.md 含有脚本",
        file=README,
        line=4,
    ),
    Case(
        "javascript-link-in-readme",
        readme("见[申请表](javascript:alert(1))\n"),
        "readme-unsafe-html",
        "javascript: 链接",
        file=README,
        line=1,
    ),
    Case(
        "event-handler-in-readme",
        readme('<img src="x.png" onerror="alert(1)">\n'),
        "readme-unsafe-html",
        "事件处理属性",
        file=README,
        line=1,
    ),
]


def snapshot(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


def test_the_corpus_is_large_and_spread_out():
    assert len(CASES) >= 40
    assert len({c.id for c in CASES}) == len(CASES)
    assert len({c.code for c in CASES}) >= 25


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_broken_catalog(case: Case, catalog: CatalogFactory, cli, tmp_path: Path):
    case.make(catalog)
    site = tmp_path / "site"
    (site / "datasets" / "old").mkdir(parents=True)
    (site / "index.html").write_text("<h1>上一次构建</h1>\n", encoding="utf-8")
    (site / "datasets" / "old" / "rows.csv").write_bytes(b"a,b\n1,2\n")
    before = snapshot(site)

    result = cli("check", "--catalog", catalog.root, "--json", "--jobs", "1")
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    report = json.loads(result.stdout)
    assert report["ok"] is False
    errors = [p for g in report["datasets"] for p in g["problems"] if p["severity"] == "error"]
    assert {p["code"] for p in errors} == {case.code}, errors
    problem = errors[0]
    assert case.message in problem["message"], problem
    assert problem["file"] == case.file
    assert problem.get("dataset") == case.dataset
    if case.line is not None:
        assert problem.get("line") == case.line, problem
    if case.row is not None:
        assert problem.get("row") == case.row, problem
    assert problem["message_en"] and problem.get("hint", "") != problem.get("hint_en", "x")

    text = cli("check", "--catalog", catalog.root, "--jobs", "1")
    assert text.exit_code == 1 and "Traceback" not in text.output
    assert case.file in text.output and case.message in text.output
    assert (f"数据集 {case.dataset}" if case.dataset else "目录配置") in text.output

    build = cli("build", "--catalog", catalog.root, "--out", site, "--lang", "en", "--jobs", "1")
    assert build.exit_code == 1 and "Traceback" not in build.output
    assert problem["message_en"] in build.output and case.file in build.output
    assert (f"dataset {case.dataset}" if case.dataset else "catalog settings") in build.output
    assert snapshot(site) == before
    assert not list(tmp_path.glob(".site.staging-*"))
