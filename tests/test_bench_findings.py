"""The benchmark compares `kaifang check --json` with `frictionless validate` finding by
finding: a listing cap's summary is no finding (bench/run.py)."""

from __future__ import annotations

from bench.findings import check_command_findings


def test_the_capped_summary_counts_the_errors_and_is_not_listed():
    result = {
        "datasets": [
            {
                "problems": [
                    {"code": "data-type-error", "row": 5001, "field": "value"},
                    {"code": "data-blank-row", "row": 25001},
                    {"code": "data-errors-capped", "found": "111"},
                    {"code": "missing-license"},
                ]
            }
        ]
    }
    listed, total = check_command_findings(result)
    assert listed == [("type-error", 5001, "value"), ("blank-row", 25001, "")]
    assert total == 111


def test_without_a_cap_every_data_error_is_listed_and_counted():
    result = {"datasets": [{"problems": [{"code": "data-primary-key", "row": 7}]}]}
    assert check_command_findings(result) == ([("primary-key", 7, "")], 1)
