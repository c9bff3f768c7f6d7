"""On the same broken resources, Kaifang reports the same (type, row, field) findings as
`frictionless validate` (the command-line tool, run on the dataset's own descriptor)."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from collections import Counter
from pathlib import Path

import pytest

from generator.catalog.loader import load_catalog
from generator.checks import findings as findings_module
from generator.checks.findings import MAX_ERRORS_PER_RESOURCE, frictionless_findings

from .conftest import dataset_yaml

FRICTIONLESS = Path(sys.executable).parent / "frictionless"

DESCRIPTOR = textwrap.dedent("""\
    name: broken
    title: 有错的数据
    description: 用于与 frictionless 比对
    publisher: jtj
    theme: transport
    open_type: 无条件开放
    update_frequency: monthly
    issued: '2024-01-01'
    modified: '2026-01-01'
    resources:
      - name: lines
        path: data/lines.csv
        format: csv
        schema:
          fields:
            - {name: line_id, type: string, constraints: {required: true}}
            - {name: stops, type: integer, constraints: {minimum: 2, maximum: 99}}
            - {name: opened, type: date}
            - {name: kind, type: string, constraints: {enum: [常规公交, 快速公交]}}
            - {name: code, type: string, constraints: {pattern: "[A-Z]{2}[0-9]{2}", unique: true}}
            - {name: name, type: string, constraints: {maxLength: 6}}
          primaryKey: [line_id]
      - name: stops
        path: data/stops.csv
        format: csv
        schema:
          fields:
            - {name: stop_id, type: integer}
            - {name: line_id, type: string}
            - {name: fare, type: number}
          primaryKey: [stop_id]
          foreignKeys:
            - fields: [line_id]
              reference: {resource: lines, fields: [line_id]}
      - name: gbk
        path: data/gbk.csv
        format: csv
        encoding: gbk
        schema:
          fields:
            - {name: 区县, type: string}
            - {name: 人口, type: integer}
""")

LINES = textwrap.dedent("""\
    line_id,stops,opened,kind,code,name
    L1,12,2021-04-01,常规公交,AB01,一号线
    L2,三十,2021-02-30,快速公交,AB02,二号线
    ,1,2021-05-01,夜班公交,ab03,三号线
    L1,100,2021-06-01,常规公交,AB01,高新区环线夜班专线
    L5,20,2021-07-01,常规公交,AB05
    L6,20,2021-07-01,常规公交,AB06,六号线,多余
    ,,,,,
    L8,8,2021-08-01,快速公交,AB08,八号线
""")
STOPS = "stop_id,line_id,fare\n1,L1,2\n2,L9,2.5\n2,L2,两元\n"
GBK = "区县,人口\n云中区,120000\n高新区,十二万\n"


def write_dataset(catalog) -> Path:
    folder = catalog.dataset("broken", descriptor=DESCRIPTOR)
    (folder / "data" / "rows.csv").unlink()
    (folder / "data" / "lines.csv").write_text(LINES, encoding="utf-8")
    (folder / "data" / "stops.csv").write_text(STOPS, encoding="utf-8")
    (folder / "data" / "gbk.csv").write_bytes(GBK.encode("gbk"))
    return folder


def frictionless_cli(folder: Path) -> Counter[tuple[str, str, int | None, str]]:
    run = subprocess.run(
        [str(FRICTIONLESS), "validate", "datapackage.yaml", "--json"],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    report = json.loads(run.stdout)
    assert not report["errors"], report["errors"]  # the descriptor itself is accepted
    return Counter(
        (task["name"], err["type"], err.get("rowNumber"), err.get("fieldName") or "")
        for task in report["tasks"]
        for err in task["errors"]
    )


def kaifang_cli(cli, catalog) -> tuple[int, dict, Counter[tuple[str, str, int | None, str]]]:
    result = cli("check", "--catalog", catalog.root, "--json")
    assert "Traceback" not in result.output
    report = json.loads(result.stdout)
    found = Counter(
        (p["resource"], p["code"].removeprefix("data-"), p.get("row"), p.get("field", ""))
        for group in report["datasets"]
        for p in group["problems"]
        if p["code"].startswith("data-") and p["code"] != "data-errors-capped"
    )
    return result.exit_code, report, found


@pytest.fixture(params=["columnar", "frictionless"])
def data_path(request, monkeypatch) -> list[str]:
    """Each test runs on both data paths: the column-wise one (every CSV file, whatever its
    size, as in a build) and frictionless alone. Returns the files the columnar path read."""
    if request.param == "frictionless":
        monkeypatch.setattr(findings_module, "FAST_PATH_MIN_BYTES", 1 << 40)
        return []
    read = _Read()
    monkeypatch.setattr(findings_module, "FAST_PATH_MIN_BYTES", 0)
    real = findings_module.validate_csv

    def spy(source, schema, *args, **kwargs):
        report = real(source, schema, *args, **kwargs)  # raises Unsupported when it declines
        read.append(schema.fields[0].name)
        return report

    monkeypatch.setattr(findings_module, "validate_csv", spy)
    return read


def request_path(read: list[str]) -> str:
    return "columnar" if isinstance(read, _Read) else "frictionless"


class _Read(list):
    """The files the columnar path validated (frictionless alone: a plain list)."""


def test_same_findings_as_frictionless_validate(catalog, cli, data_path):
    folder = write_dataset(catalog)
    reference = frictionless_cli(folder)
    code, report, ours = kaifang_cli(cli, catalog)
    if request_path(data_path) == "columnar":  # small files, stops with its foreign key
        assert sorted(data_path) == ["line_id", "stop_id", "区县"]
    assert code == 1
    assert ours == reference
    # the comparison covers every kind of data error the issue names, in all three files
    kinds = {kind for _, kind, _, _ in reference}
    assert {
        "type-error",
        "constraint-error",
        "primary-key",
        "foreign-key",
        "unique-error",
        "missing-cell",
        "extra-cell",
        "blank-row",
    } <= kinds
    assert {name for name, _, _, _ in reference} == {"lines", "stops", "gbk"}
    assert ("gbk", "type-error", 3, "人口") in ours  # GBK read as GBK: the field name matches
    assert report["errors"] == sum(reference.values())


def test_errors_are_capped_in_the_listing_and_counted_in_full(catalog, cli, data_path):
    rows = "".join(f"L{i},x{i}\n" for i in range(45))
    folder = catalog.dataset("many", csv_text="line_id,stops\n" + rows)
    code, report, ours = kaifang_cli(cli, catalog)
    assert code == 1
    if request_path(data_path) == "columnar":
        assert data_path == ["line_id"]
    reference = frictionless_cli(folder)
    assert sum(reference.values()) == 45
    assert sum(ours.values()) == MAX_ERRORS_PER_RESOURCE
    assert ours <= reference  # the listed ones are frictionless's first ones
    assert report["errors"] == 45
    assert report["errors_by_code"] == {
        "data-type-error": MAX_ERRORS_PER_RESOURCE,
        "data-unlisted": 45 - MAX_ERRORS_PER_RESOURCE,
    }
    [capped] = [p for p in report["datasets"][0]["problems"] if p["code"] == "data-errors-capped"]
    assert capped["found"] == "45" and "共有 45 个数据错误" in capped["message"]
    text = cli("check", "--catalog", catalog.root).output
    assert "共 45 个错误" in text


def test_reference_path_counts_beyond_frictionless_error_limit(catalog):
    """frictionless stops at 1,000 errors by default; the reference path counts them all
    while keeping only a few objects (what a faster validator must match)."""
    rows = "".join(f"L{i},x\n" for i in range(1_200))
    catalog.dataset("big", csv_text="line_id,stops\n" + rows)
    loaded, _ = load_catalog(catalog.root)
    assert loaded is not None
    findings, broken = frictionless_findings(loaded.dataset("big"), keep=5)
    found = findings["rows"]
    assert not broken
    assert found.total == 1_200 and found.by_type == {"type-error": 1_200}
    assert [f.row for f in found.kept] == [2, 3, 4, 5, 6]
    assert found.rows == 1_200


def test_reports_hide_sensitive_cells_and_leave_out_rows_of_non_open_data(catalog, cli):
    fields = """\
    - {name: line_id, type: string}
    - {name: stops, type: integer, sensitive: id_number}
"""
    csv = "line_id,stops\nL001,12\nL001,110101199003070011X\n"
    descriptor = dataset_yaml(
        "d", open_type="非开放", extra="legal_basis: 《条例》\n", fields=fields
    )
    descriptor = descriptor.replace("    schema:\n", "    schema:\n      primaryKey: [line_id]\n")
    catalog.dataset("d", csv_text=csv, descriptor=descriptor)
    result = cli("check", "--catalog", catalog.root, "--json")
    assert result.exit_code == 1
    assert "110101199003070011X" not in result.output
    report = json.loads(result.stdout)
    by_code = {p["code"]: p for p in report["datasets"][0]["problems"]}
    # not even a part of it: a masked ID still gives away the region and check digit
    assert "110101" not in result.output and "found" not in by_code["data-type-error"]
    assert "19 个字符，含数字、字母" in by_code["data-type-error"]["message"]
    assert "19 characters: digits, letters" in by_code["data-type-error"]["message_en"]
    assert "该行内容" not in by_code["data-primary-key"]["hint"]
