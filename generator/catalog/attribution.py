"""Who made a data package and where it came from: its ``sources``, ``contributors``,
``homepage`` and ``version``, as Frictionless writes them.

An existing data package (datasets/country-codes and the like) names its origin and its
authors; the licence may require that attribution. Kaifang keeps them and shows them on
the page, in the API, in DCAT (``dct:source``, ``dct:creator``) and in datapackage.json.
Only text and http(s) URLs are taken; anything else in those keys is left out (the
profile has already reported it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

URL = re.compile(r"^https?://\S+$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True)
class Party:
    """A source or a contributor: a title, and optionally a link, e-mail and role."""

    title: str
    path: str = ""  # http(s) URL
    email: str = ""
    role: str = ""  # contributors: author, publisher, maintainer, …
    organization: str = ""

    def as_dict(self) -> dict[str, str]:
        out = {"title": self.title}
        for key in ("path", "email", "role", "organization"):
            value = getattr(self, key)
            if value:
                out[key] = value
        return out


@dataclass(frozen=True)
class Attribution:
    sources: tuple[Party, ...] = ()
    contributors: tuple[Party, ...] = ()
    homepage: str = ""
    version: str = ""

    def __bool__(self) -> bool:
        return bool(self.sources or self.contributors or self.homepage or self.version)


def _text(value: Any) -> str:
    if isinstance(value, bool) or value is None:
        return ""
    if isinstance(value, (str, int, float)):
        return str(value).strip()
    return ""


def _party(raw: Any) -> Party | None:
    if isinstance(raw, str):
        return Party(raw.strip()) if raw.strip() else None
    if not isinstance(raw, dict):
        return None
    path = _text(raw.get("path") or raw.get("url") or raw.get("web"))
    email = _text(raw.get("email"))
    title = _text(raw.get("title") or raw.get("name")) or path or email
    if not title:
        return None
    return Party(
        title=title,
        path=path if URL.match(path) else "",
        email=email if EMAIL.match(email) else "",
        role=_text(raw.get("role")),
        organization=_text(raw.get("organization")),
    )


def _parties(raw: Any) -> tuple[Party, ...]:
    items = raw if isinstance(raw, list) else []
    return tuple(p for p in (_party(item) for item in items) if p is not None)


def attribution(descriptor: dict[str, Any]) -> Attribution:
    """The attribution keys of a dataset's descriptor (datapackage.yaml as written)."""
    homepage = _text(descriptor.get("homepage"))
    return Attribution(
        sources=_parties(descriptor.get("sources")),
        contributors=_parties(descriptor.get("contributors")),
        homepage=homepage if URL.match(homepage) else "",
        version=_text(descriptor.get("version")),
    )
