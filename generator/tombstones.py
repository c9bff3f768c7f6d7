"""Tombstones: a dataset removed from the catalog leaves a page saying when and why.

URLs never silently die. A dataset is removed when its folder is gone but its history
record (``history/<id>.json``, checked as strictly as any record) remains. The first
publishing build that sees this records a ``removed`` entry, dated by the build date; the
tombstone at ``/datasets/<id>/`` then shows that date, the title the dataset had, the reason
its last published status gave (withdraw it first with ``status: {state: 撤回, reason: …,
replaced_by: …}``, publish, then remove the folder) and a link to its successor when that
is on the site. A closed dataset of a site with ``hide_closed`` leaves nothing: its id and
title must not appear.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from typing import Any

from .history import HISTORY_DIR, Change, DatasetHistory, Entry, _archive, _entries, load_state
from .i18n import translate
from .model import Catalog, Text
from .policy import OpenType, is_listed

_ID = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


@dataclass(frozen=True)
class Tombstone:
    dataset: str
    title: Text
    removed: dt.date  # the build that first published the removal
    reason: Text  # from the last published status; empty when none was given
    successor: str = ""  # status.replaced_by, when that dataset is on the site
    successor_title: Text = Text("")
    publisher: str = ""
    theme: str = ""
    spatial: str = ""
    temporal: tuple[str, str] | None = None  # start and end, as the descriptor wrote them

    @property
    def page_path(self) -> str:
        return f"datasets/{self.dataset}/"

    def notice(self, lang: str) -> str:
        """When it was removed, and why when the last published status said so."""
        text = translate("tombstone_removed", lang, date=self.removed.isoformat())
        reason = self.reason.get(lang)
        return f"{text} {translate('tombstone_reason', lang, reason=reason)}" if reason else text


def _json(value: str) -> Any:
    try:
        return json.loads(value) if value.startswith(("{", "[")) else value
    except ValueError:
        return value


def _text(value: Any, en: Any = "") -> Text:
    if isinstance(value, dict):
        return Text(str(value.get("zh") or ""), str(value.get("en") or ""))
    return Text(str(value or ""), str(en or ""))


def _period(value: Any) -> tuple[str, str] | None:
    if isinstance(value, dict) and value.get("start") and value.get("end"):
        return str(value["start"]), str(value["end"])
    return None


def find(
    catalog: Catalog, known: set[str], today: dt.date
) -> tuple[list[Tombstone], dict[str, DatasetHistory]]:
    """Tombstones of the removed datasets, and the records that gain a ``removed`` entry.

    ``known``: every dataset id of this catalog, published or held back (not removed)."""
    folder = catalog.root / HISTORY_DIR
    stones: list[Tombstone] = []
    changed: dict[str, DatasetHistory] = {}
    on_site = {
        ds.id: ds for ds in catalog.datasets if is_listed(ds.open_type, catalog.site.hide_closed)
    }
    if not folder.is_dir():
        return stones, changed
    for path in sorted(folder.glob("*.json")):
        ds_id = path.stem
        if ds_id in known or not _ID.match(ds_id):
            continue
        state = load_state(catalog.root, ds_id)
        if state is None:
            continue
        snap = state.get("snapshot", {})
        try:
            open_type = OpenType(snap.get("open_type", ""))
        except ValueError:
            continue  # nothing recorded of what it was: nothing shown
        if not is_listed(open_type, catalog.site.hide_closed):
            continue
        entries = _entries(state)
        if entries and any(c.kind == "removed" for c in entries[0].changes):
            removed = dt.date.fromisoformat(entries[0].date)
        else:
            removed = today
            pending = Entry(today.isoformat(), (Change("removed"),))
            history = DatasetHistory(ds_id, snap, [pending, *entries], _archive(state))
            history.pending, history.changed = pending, True
            changed[ds_id] = history
        meta = snap.get("metadata", {})
        status = _json(meta.get("status", ""))
        status = status if isinstance(status, dict) else {}
        successor = status.get("replaced_by") if isinstance(status.get("replaced_by"), str) else ""
        succ = on_site.get(successor or "")
        stones.append(
            Tombstone(
                dataset=ds_id,
                title=_text(_json(meta.get("title", "")) or ds_id, meta.get("title_en", "")),
                removed=removed,
                reason=_text(status.get("reason")),
                successor=succ.id if succ else "",
                successor_title=succ.title if succ else Text(""),
                publisher=meta.get("publisher", ""),
                theme=meta.get("theme", ""),
                spatial=meta.get("spatial", ""),
                temporal=_period(_json(meta.get("temporal", ""))),
            )
        )
    return stones, changed
