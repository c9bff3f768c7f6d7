#!/usr/bin/env python3
"""Seed the demo catalog's history (catalog/history/) so that its changelogs tell a story.

Without a record every demo dataset showed "首次发布" dated by the day of the build. The
story written here: the portal of 云川市 went live on 2024-03-18; datasets issued before
that were first published on the portal over its first two years, later ones on their
issue date; each changed at least once since, the last time on its `modified` date (with
a status change on its status date for the suspended and objected ones); and one dataset,
公交站点（2023版）, was withdrawn on 2025-08-01 in favour of bus-lines and removed from the
catalog on 2025-09-30, so its URL shows a tombstone.

Each record's snapshot is the dataset as the demo has it now (taken from a build with
history recording into a temporary copy), so a build finds nothing pending. Dates come
from each dataset's id, issue and modified dates only: two runs write the same bytes.
Run it again after regenerating the demo (scripts/make_demo_catalog.py) when its data
changed; `kaifang build` then records nothing new.

Usage:  python scripts/seed_demo_history.py [--catalog DIR]
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from generator.build import build  # noqa: E402
from generator.catalog.loader import load_catalog  # noqa: E402
from generator.history import FORMAT, HISTORY_DIR  # noqa: E402
from generator.model import Dataset  # noqa: E402

LAUNCH = dt.date(2024, 3, 18)  # the portal's first day
FIRST_WAVE_DAYS = 700  # datasets issued before the launch arrived over about two years
DEMO_DAY = "1795305600"  # 2026-11-22, the demo's "today" (make_demo_catalog.DEMO_DAY)

REMOVED_ID = "bus-stops-2023"
REMOVED_STATUS = {
    "state": "撤回",
    "since": "2025-08-01",
    "reason": {
        "zh": "站点数据已并入“公交线路及站点信息”，按线路维护",
        "en": "the stops are now kept with each line in Bus lines and stops",
    },
    "replaced_by": "bus-lines",
}


def _spread(ds_id: str, salt: str, days: int) -> int:
    """A day count in [0, days) that depends on the id only."""
    digest = hashlib.sha256(f"{salt}:{ds_id}".encode()).digest()
    return int.from_bytes(digest[:4], "big") % max(days, 1)


def _change(kind: str, subject: str = "", old: str = "", new: str = "") -> dict[str, str]:
    return {"kind": kind, "new": new, "old": old, "subject": subject}


def story(ds: Dataset, snapshot: dict) -> list[dict]:
    """The entries of one dataset, newest first."""
    modified = ds.modified
    if ds.issued >= LAUNCH:
        first = ds.issued
    else:
        first = LAUNCH + dt.timedelta(days=_spread(ds.id, "first", FIRST_WAVE_DAYS))
    first = min(first, modified - dt.timedelta(days=30))
    entries: dict[dt.date, list[dict]] = {first: [_change("published")]}
    # one update in between: the description was reworded
    gap = (modified - first).days
    if gap > 90:
        middle = first + dt.timedelta(days=30 + _spread(ds.id, "middle", gap - 60))
        entries.setdefault(middle, []).append(_change("metadata", "description"))
        previous = middle
    else:
        previous = first
    # the last update, on its modified date: new rows for open data
    last = [_change("metadata", "modified", previous.isoformat(), modified.isoformat())]
    resources = snapshot.get("resources", {})
    for name, item in sorted(resources.items())[:1]:
        rows = item.get("rows")
        if isinstance(rows, int) and rows > 1:
            added = max(1, rows // 25)
            last.append(_change("rows", name, str(rows - added), str(rows)))
    entries.setdefault(modified, []).extend(last)
    if ds.status.since and first < ds.status.since:  # suspended or under objection
        entries.setdefault(ds.status.since, []).append(_change("metadata", "status"))
    return [
        {"date": day.isoformat(), "changes": entries[day]} for day in sorted(entries, reverse=True)
    ]


def removed_record() -> dict:
    """A dataset removed from the catalog, as its last publishing build recorded it."""
    status = json.dumps(REMOVED_STATUS, ensure_ascii=False, sort_keys=True)
    fields = [
        ["stop_id", "string", "站点编号"],
        ["stop_name", "string", "站点名称"],
        ["district", "string", "所属区县"],
        ["lon", "number", "经度"],
        ["lat", "number", "纬度"],
    ]
    return {
        "archive": [],
        "dataset": REMOVED_ID,
        "entries": [
            {"date": "2025-09-30", "changes": [_change("removed")]},
            {"date": "2025-08-01", "changes": [_change("metadata", "status")]},
            {"date": "2024-03-18", "changes": [_change("published")]},
        ],
        "format": FORMAT,
        "snapshot": {
            "metadata": {
                "description": "云川市公交站点的位置与所属区县（2023 年版，按站点维护）。",
                "issued": "2023-02-01",
                "keywords": '["公交", "站点"]',
                "modified": "2025-06-30",
                "publisher": "jtj",
                "spatial": "云川市",
                "status": status,
                "temporal": '{"end": "2025-06-30", "start": "2023-01-01"}',
                "theme": "transport",
                "title": "公交站点（2023版）",
                "title_en": "Bus stops (2023 edition)",
                "update_frequency": "quarterly",
            },
            "open_type": "open",
            "resources": {"stops": {"fields": fields, "rows": 1842}},
        },
    }


def seed(catalog_dir: Path) -> int:
    catalog, problems = load_catalog(catalog_dir)
    if catalog is None:
        raise SystemExit("the demo catalog does not load:\n" + "\n".join(map(str, problems.items)))
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "catalog"
        shutil.copytree(catalog_dir, copy, ignore=shutil.ignore_patterns(HISTORY_DIR))
        os.environ["SOURCE_DATE_EPOCH"] = DEMO_DAY
        build(copy, Path(tmp) / "site", use_cache=False, record_history=True)
        snapshots = {
            path.stem: json.loads(path.read_text(encoding="utf-8"))["snapshot"]
            for path in sorted((copy / HISTORY_DIR).glob("*.json"))
        }
    folder = catalog_dir / HISTORY_DIR
    folder.mkdir(exist_ok=True)
    records = {REMOVED_ID: removed_record()}
    for ds in catalog.datasets:
        snap = snapshots[ds.id]
        records[ds.id] = {
            "archive": [],
            "dataset": ds.id,
            "entries": story(ds, snap),
            "format": FORMAT,
            "snapshot": snap,
        }
    for ds_id, record in sorted(records.items()):
        text = json.dumps(record, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
        (folder / f"{ds_id}.json").write_text(text, encoding="utf-8")
    return len(records)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--catalog", type=Path, default=REPO_ROOT / "catalog")
    args = parser.parse_args(argv)
    count = seed(args.catalog)
    print(f"{count} history records written to {args.catalog / HISTORY_DIR}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
