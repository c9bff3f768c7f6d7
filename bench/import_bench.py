"""`kaifang import` of large office files (issue 17): rows per second and peak memory.

Writes, for each size, an office-style GBK CSV (a title row, 单位：万元, the header, the
rows, two note rows) and an XLSX with the same layout and a merged title, then imports
each into a fresh catalog and prints wall time, rows per second and the peak resident
memory of the importing process (it streams: memory must not grow with the rows).

    python -m bench.import_bench                      # 100,000 and 1,000,000 rows
    python -m bench.import_bench --rows 20000         # a quick look
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CHILD = """
import sys, resource
from pathlib import Path
from generator.authoring.intodataset import import_file
result = import_file(Path(sys.argv[1]), Path(sys.argv[2]), "bench")
rows = sum(r.rows for r in result.resources)
print(rows, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""

HEADER = ["区划代码", "区县名称", "统计日期", "财政收入", "财政支出", "联系电话"]


def _row(i: int) -> list[str]:
    return [
        f"{650100 + i % 900:06d}",
        f"区县{i % 900}",
        f"2024-{i % 12 + 1:02d}-{i % 28 + 1:02d}",
        f"{(i * 37) % 100000 / 100:.2f}",
        str((i * 53) % 90000),
        f"139{i % 100000000:08d}",
    ]


def write_csv(path: Path, rows: int) -> None:
    with open(path, "w", encoding="gbk", newline="") as handle:
        handle.write("云川市各区县财政收支（2024年）,,,,,\r\n,,,,,单位：万元\r\n")
        handle.write(",".join(HEADER) + "\r\n")
        for i in range(rows):
            handle.write(",".join(_row(i)) + "\r\n")
        handle.write("注：不含兵团所属单位。,,,,,\r\n填报单位：云川市财政局,,,,,\r\n")


def write_xlsx(path: Path, rows: int) -> None:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("财政")
    ws.append(["云川市各区县财政收支（2024年）"])
    ws.append([None, None, None, None, None, "单位：万元"])
    ws.append(HEADER)
    for i in range(rows):
        ws.append(_row(i))
    ws.append(["注：不含兵团所属单位。"])
    wb.save(path)


def run(source: Path, work: Path) -> tuple[int, float, int]:
    catalog = work / "catalog"
    shutil.rmtree(catalog, ignore_errors=True)
    (catalog / "datasets").mkdir(parents=True)
    (catalog / "site.yaml").write_text("title: 基准\n", encoding="utf-8")
    start = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-c", CHILD, str(source), str(catalog)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    return int(out[0]), time.perf_counter() - start, int(out[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[100_000, 1_000_000])
    args = parser.parse_args()
    print(f"{'file':<6} {'rows':>10} {'seconds':>8} {'rows/s':>10} {'peak MB':>8}")
    with tempfile.TemporaryDirectory(prefix="kaifang-import-bench-") as tmp:
        work = Path(tmp)
        for rows in args.rows:
            for kind, writer in (("csv", write_csv), ("xlsx", write_xlsx)):
                source = work / f"office-{rows}.{kind}"
                writer(source, rows)
                got, seconds, peak_kb = run(source, work)
                assert got == rows, f"{source.name}: imported {got} rows, expected {rows}"
                print(f"{kind:<6} {rows:>10,} {seconds:>8.1f} {rows / seconds:>10,.0f} "
                      f"{peak_kb / 1024:>8.0f}")  # fmt: skip
                source.unlink()


if __name__ == "__main__":
    main()
