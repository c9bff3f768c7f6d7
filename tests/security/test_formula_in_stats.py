"""Formula injection through publisher text into the statistics CSVs.

/stats/*.csv and /stats/evaluation/*.csv are written for Excel (UTF-8 with BOM) and their
cells hold publisher text: dataset titles (the overdue list), publisher names (the tables
per department). A title starting with = or + would run as a formula when a citizen opens
the file. Plant such text, build, and read every statistics CSV as Excel would.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from ..conftest import PUBLISHERS_YAML, dataset_yaml
from .helpers import kaifang

TITLE = '=HYPERLINK("http://attacker.example/x","点击")'
PUBLISHER = "+SUM(1,2)测试局"
TRIGGERS = ("=", "+", "-", "@", "\t", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def test_statistics_csvs_never_carry_a_formula_into_excel(catalog, tmp_path: Path):
    descriptor = (
        dataset_yaml("bus-lines", title=f"'{TITLE}'")
        .replace("issued: 2024-01-01\n", "issued: 2019-01-01\n")
        .replace(
            "modified: 2026-11-01",
            "modified: 2020-01-01",  # monthly, six years late: overdue
        )
    )
    catalog.dataset("bus-lines", descriptor=descriptor)
    (catalog.root / "publishers.yaml").write_text(
        PUBLISHERS_YAML.replace("测试市交通运输局", f"'{PUBLISHER}'"), encoding="utf-8"
    )
    out = tmp_path / "site"
    run = kaifang("build", "--catalog", catalog.root, "--out", out)
    assert run.exit_code == 0, run.describe()

    files = sorted((out / "stats").rglob("*.csv")) + sorted((out / "en" / "stats").rglob("*.csv"))
    assert files, "the build wrote no statistics CSV"
    seen_title = seen_publisher = False
    dangerous = []
    for path in files:
        rows = list(csv.reader(io.StringIO(path.read_bytes().decode("utf-8-sig"))))
        for row in rows:
            for cell in row:
                seen_title |= "attacker.example" in cell
                seen_publisher |= "SUM(1,2)" in cell
                if cell.startswith(TRIGGERS):
                    dangerous.append((path.relative_to(out).as_posix(), cell))
    assert seen_title and seen_publisher, "the planted title and name must reach the CSVs"
    assert not dangerous, f"statistics CSVs carry formulas into Excel: {dangerous}"
