"""`kaifang check` imports only what it runs.

Start-up is a large part of a check: on the 1M-row bench file the command took 2.3 s, of
which pandas (imported by pyarrow on its first conversion of a Python or numpy value) and
the derive stage (imported by the history module for one annotation) were about 0.5 s. A
check validates; it derives, renders and writes nothing. Each test runs the command in a
fresh interpreter and reads that interpreter's ``sys.modules`` at the end.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# module prefixes a check must never import
NEVER = (
    "pandas",
    "generator.data.derive",
    "generator.data.fastxlsx",
    "generator.data.parquet",
    "generator.site",
    "generator.feeds",
    "generator.search",
    "generator.audit",
    "generator.deploy",
    "jinja2",
)

RUN = """
import json, sys
from generator.cli import main
try:
    main(sys.argv[1:])
except SystemExit as exc:
    code = exc.code
print(json.dumps({"exit": code, "modules": sorted(sys.modules)}), file=sys.stderr)
"""


def modules_after(code: str, *args: str) -> tuple[int, set[str]]:
    """Run ``code`` in a fresh interpreter with ``args``: its exit code and sys.modules."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    result = json.loads(done.stderr.strip().splitlines()[-1])
    return result["exit"], set(result["modules"])


def check_modules(*args: str) -> tuple[int, set[str]]:
    return modules_after(RUN, "check", *args)


def unwanted(modules: set[str]) -> list[str]:
    return sorted(m for m in modules if any(m == p or m.startswith(p + ".") for p in NEVER))


# every column kind of the column-wise path, constraints, keys and broken rows, so that each
# conversion between numpy and Arrow it makes runs once
FIELDS = """\
    - {name: id, type: integer, title: 编号, constraints: {unique: true, minimum: 1}}
    - name: name
      type: string
      title: 名称
      constraints: {maxLength: 5, pattern: "[a-z]*", enum: [ab, abc, x]}
    - {name: v, type: number, title: 数值, constraints: {maximum: 100}}
    - {name: d, type: date, title: 日期, constraints: {minimum: "2020-01-01"}}
    - {name: b, type: boolean, title: 是否}
    - {name: y, type: year, title: 年份, constraints: {enum: [2020, 2021]}}
"""
ROWS = (
    "id,name,v,d,b,y\n"
    "1,ab,1.5,2020-01-02,true,2020\n"
    "2,abc,101,2019-12-31,maybe,20x0\n"
    "\n"
    "3,Q,x,2021-02-30,1,2022\n"
    "1,ab,3,2020-01-05,0,2021,extra\n"
    "4,x\n"
)


def test_check_imports_neither_pandas_nor_the_later_stages(catalog):
    catalog.dataset("mixed", csv_text=ROWS, fields=FIELDS)
    code, modules = check_modules("--catalog", str(catalog.root), "--no-cache", "--json")
    assert code == 1  # the file is broken on purpose: the validator ran through it
    assert "generator.checks.fastcheck" in modules
    assert unwanted(modules) == []


def test_check_of_the_demo_imports_neither_pandas_nor_the_later_stages():
    code, modules = check_modules("--catalog", str(ROOT / "catalog"), "--no-cache", "--jobs", "1")
    assert code == 0
    assert unwanted(modules) == []


def test_pyarrow_imports_pandas_on_a_conversion_and_the_test_sees_it():
    """Why the validator goes through generator/checks/arrays.py: one pa.array() call of a
    list imports pandas, and the module list read here is the child's own."""
    probe = (
        "import json, sys, pyarrow as pa\n"
        "pa.array([1, 2])\n"
        'print(json.dumps({"exit": 0, "modules": sorted(sys.modules)}), file=sys.stderr)\n'
    )
    _, modules = modules_after(probe)
    assert "pandas" in unwanted(modules)
