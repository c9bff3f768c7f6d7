"""The ``status`` key of a dataset (数据状态, issue 16), read into the model.

The profile checks its shape and the checks stage what each state requires (since, reason,
reply_by); here it is only read. An unknown state, already an error, reads as suspended, so
that nothing is published by mistake before the build holds the dataset back.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from ..errors import Problem
from ..model import Dataset, DatasetStatus, Text
from ..policy import Status, parse_status


def _date(value: Any) -> dt.date | None:
    if isinstance(value, dt.date):
        return value if not isinstance(value, dt.datetime) else value.date()
    try:
        return dt.date.fromisoformat(value.strip()) if isinstance(value, str) else None
    except ValueError:
        return None


def _text(value: Any) -> Text:
    if isinstance(value, dict):
        zh, en = value.get("zh"), value.get("en")
        return Text(
            zh.strip() if isinstance(zh, str) else "", en.strip() if isinstance(en, str) else ""
        )
    return Text(value.strip() if isinstance(value, str) else "")


def read_status(value: Any) -> DatasetStatus:
    if value is None:
        return DatasetStatus()
    if not isinstance(value, dict):
        return DatasetStatus(Status.SUSPENDED)
    successor = value.get("replaced_by")
    return DatasetStatus(
        state=parse_status(value.get("state")) or Status.SUSPENDED,
        since=_date(value.get("since")),
        reason=_text(value.get("reason")),
        reply_by=_date(value.get("reply_by")),
        replaced_by=successor.strip() if isinstance(successor, str) else "",
    )


def successor_problems(datasets: list[Dataset]) -> list[Problem]:
    """``status.replaced_by`` must name another dataset of the catalog."""
    ids = {ds.id for ds in datasets}
    out = []
    for ds in datasets:
        successor = ds.status.replaced_by
        if successor and (successor == ds.id or successor not in ids):
            out.append(
                Problem(
                    "status-successor",
                    f"替代数据集 {successor} 不是目录中的其他数据集",
                    f"successor {successor} is not another dataset of the catalog",
                    file=f"datasets/{ds.id}/datapackage.yaml",
                    dataset=ds.id,
                    line=ds.source.line(("status", "replaced_by")) if ds.source else None,
                    field="status.replaced_by",
                    expected="目录中另一个数据集的标识",
                    expected_en="the id of another dataset of the catalog",
                    found=successor,
                    hint="改为替代它的数据集的目录名，或删除 replaced_by",
                    hint_en="write the folder name of the dataset that replaces it, or delete "
                    "replaced_by",
                )
            )
    return out
