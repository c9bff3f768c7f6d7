"""The metadata profile: line numbers, messages in both languages, unknown keys, aliases."""

from __future__ import annotations

import json
import re

import pytest

from generator.catalog.profile import (
    SCHEMA_FILES,
    check_document,
    iter_profile_keys,
    reference_markdown,
    schema_at,
)
from generator.catalog.yamldoc import parse_yaml
from generator.policy import (
    OPEN_TYPE_ALIASES,
    SHARE_TYPE_ALIASES,
    OpenType,
    parse_open_type,
)

from .conftest import REPO, dataset_yaml


def check_json(cli, catalog, *extra: str) -> tuple[int, dict]:
    result = cli("check", "--catalog", catalog.root, "--json", *extra)
    assert "Traceback" not in result.output
    return result.exit_code, json.loads(result.stdout)


def problems_of(report: dict, dataset: str | None) -> list[dict]:
    return [p for g in report["datasets"] if g["dataset"] == dataset for p in g["problems"]]


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def test_problem_names_the_line_of_the_offending_key(catalog, cli):
    text = dataset_yaml("bus-lines").replace("issued: 2024-01-01", "issued: 2024-02-30")
    catalog.dataset("bus-lines", descriptor=text)
    code, report = check_json(cli, catalog)
    assert code == 1
    [problem] = problems_of(report, "bus-lines")
    assert problem["code"] == "metadata-invalid"
    assert problem["field"] == "issued"
    assert problem["line"] == line_of(text, "issued:")
    assert problem["file"] == "datasets/bus-lines/datapackage.yaml"
    assert problem["found"] == "2024-02-30"
    assert problem["expected"].startswith("日期 YYYY-MM-DD")
    assert problem["hint"]


def test_nested_key_line_and_english_messages(catalog, cli):
    fields = """\
    - {name: line_id, type: string, title: 线路编号}
    - {name: stops, type: integr, title: 站点数}
"""
    text = dataset_yaml("bus-lines", fields=fields)
    catalog.dataset("bus-lines", descriptor=text)
    result = cli("check", "--catalog", catalog.root, "--lang", "en")
    assert result.exit_code == 1
    line = line_of(text, "type: integr")
    assert f"datasets/bus-lines/datapackage.yaml:{line}" in result.output
    assert "field resources[0].schema.fields[1].type" in result.output
    assert "'integr' is not allowed" in result.output
    assert "did you mean integer?" in result.output
    assert "错误" not in result.output  # English only
    zh = cli("check", "--catalog", catalog.root)
    assert "不在允许的取值中" in zh.output and "是不是 integer？" in zh.output


def test_unknown_key_is_a_warning_with_the_closest_key(catalog, cli):
    text = dataset_yaml("bus-lines") + "licences: [{name: CC-BY-4.0}]\n"
    catalog.dataset("bus-lines", descriptor=text)
    code, report = check_json(cli, catalog)
    assert code == 0 and report["ok"] is True
    [warning] = problems_of(report, "bus-lines")
    assert warning["severity"] == "warning"
    assert warning["code"] == "metadata-unknown-key"
    assert warning["line"] == line_of(text, "licences:")
    assert warning["hint"] == "是不是 licenses？"
    code, report = check_json(cli, catalog, "--strict")
    assert code == 1 and report["ok"] is False


def test_a_key_written_by_its_chinese_name_is_pointed_to_the_profile_key():
    doc = parse_yaml("开放类型: 无条件开放\n", "datasets/x/datapackage.yaml")
    unknown = [p for p in check_document("dataset", doc, "x") if p.code.endswith("unknown-key")]
    assert unknown[0].hint == "是不是 open_type？"


def test_own_extensions_are_not_warned_about():
    doc = parse_yaml("x-internal-owner: 张三\n", "datasets/x/datapackage.yaml")
    assert not [p for p in check_document("dataset", doc, "x") if p.severity == "warning"]


def test_dates_stay_text_and_a_bad_one_is_a_problem_not_a_crash():
    doc = parse_yaml("issued: 2024-13-01\nmodified: 2024-01-31\n", "f")
    assert doc.data == {"issued": "2024-13-01", "modified": "2024-01-31"}
    bad = [p for p in check_document("dataset", doc, "x") if p.field == "issued"]
    assert bad[0].code == "metadata-invalid" and bad[0].line == 1


def test_profile_enums_agree_with_the_policy_module():
    assert set(schema_at("dataset", ("open_type",))["enum"]) == set(OPEN_TYPE_ALIASES)
    assert set(schema_at("dataset", ("share_type",))["enum"]) == set(SHARE_TYPE_ALIASES)


@pytest.mark.parametrize(
    ("alias", "expected"),
    [
        ("无条件开放", OpenType.OPEN),
        ("有条件开放", OpenType.CONDITIONAL),
        ("受限开放", OpenType.CONDITIONAL),
        ("依申请开放", OpenType.CONDITIONAL),
        ("非开放", OpenType.CLOSED),
        ("不予开放", OpenType.CLOSED),
        ("禁止开放", OpenType.CLOSED),
        ("半开放", None),
        ("", None),
        (None, None),
    ],
)
def test_open_type_aliases(alias, expected):
    assert parse_open_type(alias) is expected


@pytest.mark.parametrize(
    ("open_type", "extra", "codes"),
    [
        ("依申请开放", "", {"open-conditions-missing", "legal-basis-missing"}),
        ("受限开放", "legal_basis: 《条例》第三条\n", {"open-conditions-missing"}),
        ("禁止开放", "", {"legal-basis-missing"}),
        ("禁止开放", "legal_basis: 《条例》第三条\n", set()),
        (
            "无条件开放",
            "share_type: 有条件共享\n",
            {"share-conditions-missing", "legal-basis-missing"},
        ),
        ("无条件开放", "share_type: 不予共享\n", {"legal-basis-missing"}),
        ("无条件开放", "share_type: 无条件共享\n", set()),
        ("无条件开放", "share_type: 部分共享\n", {"share-type-invalid"}),
    ],
)
def test_policy_rules_for_aliases(catalog, cli, open_type, extra, codes):
    catalog.dataset("d", descriptor=dataset_yaml("d", open_type=open_type, extra=extra))
    code, report = check_json(cli, catalog)
    found = {p["code"] for p in problems_of(report, "d") if p["severity"] == "error"}
    assert found == codes
    assert code == (1 if codes else 0)


def test_duplicate_key_is_reported_on_its_line(catalog, cli):
    text = dataset_yaml("d") + "theme: social\n"
    catalog.dataset("d", descriptor=text)
    code, report = check_json(cli, catalog)
    [problem] = problems_of(report, "d")
    assert problem["code"] == "yaml-duplicate-key"
    assert problem["line"] == len(text.splitlines())
    assert code == 1


def test_demo_catalog_is_clean_of_errors_and_warnings(cli):
    """Adding a catalog key without adding it to generator/profiles/*.schema.json (and the
    README) makes this fail with an unknown-key warning naming the key."""
    result = cli("check", "--catalog", REPO / "catalog", "--strict", "--json")
    report = json.loads(result.stdout)
    assert report["errors"] == 0 and report["warnings"] == 0, report["datasets"]
    assert result.exit_code == 0


def test_every_profile_key_is_documented_in_the_readme():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    reference = reference_markdown()
    assert reference in readme, "run: python scripts/document_profile.py"
    for kind in SCHEMA_FILES:
        if kind == "common":
            continue
        for path, meta in iter_profile_keys(kind):
            assert meta.get("title") and meta.get("x-title-en"), f"{kind}: {path} has no names"
    # every key of every file appears in the reference, shared types documented once
    documented = set(re.findall(r"^\| `([^`]+)`", reference, re.MULTILINE))
    for kind in ("site", "dataset"):
        for path, _ in iter_profile_keys(kind):
            parts = path.split(".")
            prefixes = {".".join(parts[:n]) for n in range(len(parts), 0, -1)}
            assert prefixes & documented or {p.removesuffix("[]") for p in prefixes} & documented
            assert path.split(".")[-1].removesuffix("[]") in {
                d.split(".")[-1].removesuffix("[]") for d in documented
            }, path


def test_the_json_example_in_the_readme_is_real_output(catalog, cli):
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("### `kaifang check --json`") :]
    example = json.loads(section[section.index("```json") + 7 : section.index("```\n\n")])
    catalog.dataset(
        "bus-lines",
        csv_text="line_id,stops\nL001,12\nL002,三十\n",
        open_type="有条件开放",
        extra="open_conditions: 仅向科研机构提供\n",
    )
    code, report = check_json(cli, catalog)
    assert code == 1
    assert report == example
