"""The tombstone pages of removed datasets (``/datasets/<id>/`` in every language)."""

from __future__ import annotations

from ..tombstones import Tombstone
from .render import SitePages


def render_tombstones(site: SitePages, stones: list[Tombstone]) -> None:
    """Written by this process while the workers render the dataset pages; a removed id
    is in no view, so no page of the site is written twice."""
    for renderer in site.renderers.values():
        for stone in stones:
            renderer.page("tombstone.html", f"datasets/{stone.dataset}/", stone=stone)
