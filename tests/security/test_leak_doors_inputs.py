"""Issue 13, doors 4 and 6: history and cache are not trusted input, and a file swapped
under the build is not published. (Door 5, messages, is in test_leak_doors_messages.py.)

Attack: craft history records, point the cache into the site, make closed and conditional
data fail validation, and swap a data file for a symlink while the build runs; then look
for the planted values in the site, the cache, the terminal, the JSON report, the
exception and the log.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from pathlib import Path

import pytest

from ..conftest import dataset_yaml
from .helpers import (
    LEGAL,
    PLANT_ADDRESS,
    PLANT_ID,
    PLANT_MOBILE,
    PLANT_NAME,
    SHIFT_FIELDS,
    SHIFTED_CELLS,
    SHIFTED_CSV,
    Place,
    assert_absent,
    assert_clean_failure,
    kaifang,
    log_text,
)

OUTSIDE_VALUE = "机密外部文件甲乙丙丁第七行"


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A CSV outside the catalog (beside it), whose content must never be published."""
    folder = tmp_path / "outside"
    folder.mkdir()
    path = folder / "secret.csv"
    path.write_text(f"line_id,stops\n{OUTSIDE_VALUE},7\n", encoding="utf-8")
    return path


# --- door 4: crafted and malformed history records --------------------------------------------


def crafted_record(resource: str, version: str, size: int) -> str:
    return json.dumps(
        {
            "format": 1,
            "dataset": "bus-lines",
            "snapshot": {},
            "entries": [],
            "archive": [
                {
                    "resource": resource,
                    "version": version,
                    "sha256": "0" * 64,
                    "bytes": size,
                    "until": "2099-12-31",
                }
            ],
        }
    )


@pytest.mark.parametrize("how", ["absolute-version", "dotdot-version", "dotdot-resource"])
def test_crafted_history_record_reads_no_file_outside_the_catalog(
    catalog, tmp_path: Path, outside: Path, how: str
):
    catalog.dataset("bus-lines")
    size = outside.stat().st_size
    record = {
        # catalog/history/bus-lines/<version>/<resource>.csv is what the build opens
        "absolute-version": ("secret", str(outside.parent)),
        "dotdot-version": ("secret", "../../../outside"),
        "dotdot-resource": ("../../../../outside/secret", "2026-11-18"),
    }[how]
    history = catalog.root / "history"
    (history / "bus-lines" / "2026-11-18").mkdir(parents=True)  # an archive folder, as usual
    (history / "bus-lines.json").write_text(crafted_record(*record, size), encoding="utf-8")
    out = tmp_path / "site"
    run = kaifang("build", "--catalog", catalog.root, "--out", out, "--lang", "en")
    assert not run.traceback, f"crafted history ({how}) ends in a traceback:\n{run.output[-2500:]}"
    assert_absent(
        [OUTSIDE_VALUE],
        Place("site", tree=out),
        Place("terminal", text=run.output),
        what=f"content of {outside} (outside the catalog, named by a crafted history record)",
    )
    if run.exit_code != 0:
        assert_clean_failure(run, what=f"crafted history ({how})")
        assert "history" in run.output, run.describe()


MALFORMED = {
    "not-json": "{this is not json",
    "archive-item-missing-keys": json.dumps({"format": 1, "archive": [{"resource": "rows"}]}),
    "change-with-unknown-key": json.dumps(
        {"format": 1, "entries": [{"date": "2026-11-18", "changes": [{"kind": "x", "evil": 1}]}]}
    ),
    "snapshot-not-a-mapping": json.dumps({"format": 1, "snapshot": "oops", "entries": []}),
    "archive-bytes-not-a-number": json.dumps(
        {
            "format": 1,
            "snapshot": {},
            "archive": [
                {
                    "resource": "rows",
                    "version": "2026-11-18",
                    "sha256": "x",
                    "bytes": "many",
                    "until": "2099-12-31",
                }
            ],
        }
    ),
}


@pytest.mark.parametrize("case", list(MALFORMED))
def test_malformed_history_record_is_a_clear_error(catalog, tmp_path: Path, case: str):
    """A damaged record is input like any other: exit 1 naming the file, no traceback (and
    not silently started afresh, which would rewrite the changelog users rely on)."""
    catalog.dataset("bus-lines")
    history = catalog.root / "history"
    history.mkdir()
    (history / "bus-lines.json").write_text(MALFORMED[case], encoding="utf-8")
    before = (history / "bus-lines.json").read_bytes()
    for verb, args in (("check", ["--no-cache"]), ("build", ["--out", tmp_path / "site"])):
        run = kaifang(verb, "--catalog", catalog.root, *args, "--lang", "en")
        assert_clean_failure(run, what=f"{verb}: malformed history record ({case})")
        assert "history/bus-lines.json" in run.output, (
            f"{verb}: the message does not name the record file: {run.describe()}"
        )
    assert (history / "bus-lines.json").read_bytes() == before, "the damaged record was rewritten"


# --- door 4: the cache ----------------------------------------------------------------------

CLOSED_FIELDS = """\
- {name: name, type: string, title: 姓名, sensitive: name}
- {name: id_number, type: string, title: 身份证号码, sensitive: id_number}
- {name: mobile, type: string, title: 手机号码, sensitive: mobile}
- {name: address, type: string, title: 住址, sensitive: address}
- {name: district, type: string, title: 所属区县}
"""
CLOSED_ROWS = [
    (PLANT_NAME, PLANT_ID, PLANT_MOBILE, PLANT_ADDRESS, "川东区"),
    ("司马晓燕", "990108197310149618", "13812345678", "南湖区湖滨街道康宁路17号", "南湖区"),
]
CLOSED_VALUES = [v for row in CLOSED_ROWS for v in row[:4]]
CONDITIONAL_COMPANY = "云川翠湖贸易有限公司"
CONDITIONAL_CODE = "91990100MA7777777Q"


def closed_and_conditional(catalog) -> None:
    catalog.dataset("bus-lines")
    catalog.dataset(
        "relief",
        csv_text="name,id_number,mobile,address,district\n"
        + "".join(",".join(row) + "\n" for row in CLOSED_ROWS),
        descriptor=dataset_yaml(
            "relief", open_type="非开放", fields=CLOSED_FIELDS, extra=LEGAL, title="救助名单"
        ),
    )
    catalog.dataset(
        "contributions",
        csv_text=f"company,credit_code,amount\n{CONDITIONAL_COMPANY},{CONDITIONAL_CODE},12345\n",
        descriptor=dataset_yaml(
            "contributions",
            open_type="有条件开放",
            fields="""\
- {name: company, type: string, title: 单位名称}
- {name: credit_code, type: string, title: 统一社会信用代码}
- {name: amount, type: integer, title: 缴费金额}
""",
            extra=LEGAL + "open_conditions: 仅向科研机构提供\n",
            title="社保缴费明细",
        ),
    )
    catalog.dataset(
        "relief-open",
        descriptor=(
            "name: relief-open\ntitle: 救助名单（脱敏）\ndescription: 脱敏派生\npublisher: mzj\n"
            "theme: social\nopen_type: 无条件开放\nupdate_frequency: monthly\n"
            "issued: 2024-01-01\nmodified: 2026-11-01\nderived_from: relief\n"
            # two households: groups of one by design here (the cache is what is attacked)
            "accepted_risk: {min_group_size: 1, legal_basis: 《云川市社会救助办法》第十二条}\n"
            "resources:\n  - name: rows\n    source: rows\n    schema:\n      fields:\n"
            "        - {name: name, desensitise: {rule: drop}}\n"
            "        - {name: id_number, desensitise: {rule: mask, keep_start: 6, keep_end: 0}}\n"
            "        - {name: mobile, desensitise: {rule: drop}}\n"
            "        - {name: address, desensitise: {rule: drop}}\n"
            "        - {name: district, desensitise: keep}\n"
        ),
    )


def test_cache_holds_no_cell_of_non_open_data_in_plain_text(catalog, tmp_path: Path, caplog):
    closed_and_conditional(catalog)
    out = tmp_path / "www" / "site"
    cache = tmp_path / "cache"
    caplog.set_level(logging.DEBUG)
    run = kaifang("build", "--catalog", catalog.root, "--out", out, "--cache-dir", cache)
    assert run.exit_code == 0, run.describe()
    again = kaifang(
        "build", "--catalog", catalog.root, "--out", tmp_path / "b" / "site", "--cache-dir", cache
    )  # a second build reads and rewrites the cache
    assert again.exit_code == 0, again.describe()
    assert any(cache.rglob("*")), "the build wrote no cache at all"
    assert_absent(
        CLOSED_VALUES + [CONDITIONAL_COMPANY, CONDITIONAL_CODE],
        Place("cache", tree=cache),
        Place("site", tree=out),
        Place("terminal", text=run.output + again.output),
        Place("log", text=log_text(caplog)),
        what="cell of closed/conditional data",
    )


def test_cache_of_a_failed_build_holds_no_cell_of_closed_data(catalog, tmp_path: Path):
    """Validation reports are cached even when the build fails: the data error about a
    shifted row of closed data must not bring its cells into the cache (door 4 x door 5)."""
    catalog.dataset("bus-lines")
    catalog.dataset(
        "relief",
        csv_text=SHIFTED_CSV,
        descriptor=dataset_yaml(
            "relief", open_type="非开放", fields=SHIFT_FIELDS, extra=LEGAL, title="救助名单"
        ),
    )
    cache = tmp_path / "cache"
    run = kaifang(
        "build", "--catalog", catalog.root, "--out", tmp_path / "site", "--cache-dir", cache
    )
    assert run.exit_code != 0, run.describe()
    check = kaifang("check", "--catalog", catalog.root, "--cache-dir", cache)
    assert check.exit_code != 0, check.describe()
    assert_absent(SHIFTED_CELLS, Place("cache", tree=cache), what="cell of closed data")


@pytest.mark.parametrize("where", ["inside", "same", "inside-nested"])
def test_cache_dir_inside_out_is_a_usage_error(catalog, tmp_path: Path, where: str):
    closed_and_conditional(catalog)
    out = tmp_path / "site"
    cache = {"inside": out / ".cache", "same": out, "inside-nested": out / "a" / "b"}[where]
    run = kaifang("build", "--catalog", catalog.root, "--out", out, "--cache-dir", cache)
    assert_clean_failure(run, code=2, what=f"--cache-dir {where} --out")
    assert not out.exists() or not any(out.rglob("*")), "the build wrote into --out anyway"


# --- a shifted row of closed data (its data error must not bring cells into the cache) ---------


# --- door 6: a data file swapped for a symlink while the build runs ------------------------------

_SWAP: dict | None = None  # armed by the test below; the hook does nothing otherwise


def _swap_hook(event: str, args: tuple) -> None:
    swap = _SWAP
    if swap is None or swap["busy"] or event != "open" or not args:
        return
    path = args[0]
    if not isinstance(path, (str, bytes, os.PathLike)):
        return
    try:
        if os.path.abspath(os.fsdecode(path)) != swap["target"]:
            return
    except (TypeError, ValueError):
        return
    swap["opens"] += 1
    if swap["opens"] == swap["at"] and not swap["done"]:
        swap["busy"] = True
        try:  # replace the checked file by a symlink out of the catalog, atomically
            tmp = swap["target"] + ".swap"
            os.symlink(swap["secret"], tmp)
            os.replace(tmp, swap["target"])
            swap["done"] = True
        finally:
            swap["busy"] = False


sys.addaudithook(_swap_hook)  # audit hooks cannot be removed: inert unless _SWAP is set


@pytest.mark.parametrize("at", [2, 3])
def test_data_file_swapped_for_symlink_during_build_is_not_published(
    catalog, tmp_path: Path, outside: Path, at: int
):
    """The first open(s) of rows.csv see a real file inside the catalog; then it becomes a
    symlink to a file outside. Opened once by descriptor (or checked on the descriptor),
    the outside file is never read."""
    global _SWAP
    folder = catalog.dataset("bus-lines")
    target = folder / "data" / "rows.csv"
    out = tmp_path / "site"
    _SWAP = {
        "target": str(target.resolve()),
        "secret": str(outside),
        "at": at,
        "opens": 0,
        "done": False,
        "busy": False,
    }
    try:
        run = kaifang(
            "build",
            "--catalog",
            catalog.root,
            "--out",
            out,
            "--no-cache",
            "--jobs",
            "1",
            "--lang",
            "en",
        )
    finally:
        swap, _SWAP = _SWAP, None
    if not swap["done"]:
        # opened fewer times than `at`: nothing to swap in between (the goal of the fix)
        assert run.exit_code == 0, run.describe()
        return
    assert not run.traceback, f"a traceback after the swap:\n{run.output[-2500:]}"
    assert_absent(
        [OUTSIDE_VALUE],
        Place("site", tree=out),
        Place("terminal", text=run.output),
        what=f"content of {outside}, swapped in as a symlink after open #{at - 1} of rows.csv,",
    )
    if run.exit_code != 0:
        assert_clean_failure(run, what="file swapped during the build")
