"""What `kaifang check --json` lists and counts, for the benchmark's comparison with
`frictionless validate` (bench/run.py). A module of its own: it needs none of the
benchmark's extras (psutil, polars), so the test suite can import it."""

from __future__ import annotations


def check_command_findings(result: dict) -> tuple[list[tuple], int]:
    """The data findings `kaifang check --json` lists, as (type, row, field), and the number
    of data errors it counts (listed or not).

    A resource with more errors than the report lists ends with one data-errors-capped
    problem, which is a summary (its ``found`` is the resource's count), not a finding:
    compared as a finding, it was the difference this bench reported at 1453637.
    """
    listed: list[tuple] = []
    total = 0
    for d in result["datasets"]:
        capped = 0
        mine = 0
        for p in d["problems"]:
            if p["code"] == "data-errors-capped":
                capped += int(p["found"])
            elif p["code"].startswith("data-"):
                listed.append((p["code"].removeprefix("data-"), p.get("row"), p.get("field") or ""))
                mine += 1
        total += max(capped, mine)
    return listed, total
