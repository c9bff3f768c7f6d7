"""Which fields of a resource hold coordinates, and the basemap of site.yaml.

A resource gets a map and a GeoJSON download when its (published) schema declares where
its points are: a field typed ``geopoint`` (any of Table Schema's three formats), or a
pair of number fields named or titled as longitude and latitude (lon/lng/longitude/经度,
lat/latitude/纬度). The resource key ``geo`` chooses the fields when the guess would be
wrong (``geo: {lon: x, lat: y}`` or ``geo: {point: where}``) or switches the map off
(``geo: false``). Detection reads the schema only, so ``kaifang check`` and the build agree
and a derivative is judged by the fields it publishes (a dropped or masked coordinate
gives no map).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ..model import FieldInfo, MapConfig, Text

LON_NAMES = frozenset({"lon", "lng", "long", "longitude", "经度"})
LAT_NAMES = frozenset({"lat", "latitude", "纬度"})
NUMERIC = frozenset({"number", "integer"})
GEOPOINT_FORMATS = ("default", "array", "object")
# a unit or note after the word: 经度（度）, Longitude (WGS-84), 纬度/°
_SUFFIX = re.compile(r"\s*(?:[（(\[【].*|[/:：].*)$")


@dataclass(frozen=True)
class GeoColumns:
    """Where a resource's points are: a ``geopoint`` field, or a longitude/latitude pair."""

    lon: str = ""  # pair: the longitude field
    lat: str = ""  # pair: the latitude field
    point: str = ""  # geopoint: the field
    point_format: str = "default"  # geopoint: default ("lon, lat"), array or object

    @property
    def fields(self) -> tuple[str, ...]:
        return (self.point,) if self.point else (self.lon, self.lat)


def _word(text: str) -> str:
    return _SUFFIX.sub("", text.strip()).strip().lower()


def _is(info: FieldInfo, words: frozenset[str]) -> bool:
    return _word(info.name) in words or (bool(info.title) and _word(info.title) in words)


def detect(fields: Sequence[FieldInfo], declared: Any = None) -> GeoColumns | None:
    """The coordinates of a resource, or None. ``declared`` is the resource's ``geo`` key;
    a declared choice that does not fit the fields gives None here and a problem in
    :func:`declared_problems`."""
    if declared is False:
        return None
    by_name = {f.name: f for f in fields}
    if isinstance(declared, dict):
        if declared_problems(fields, declared):
            return None
        point = declared.get("point")
        if isinstance(point, str):
            return GeoColumns(point=point, point_format=_point_format(by_name[point]))
        return GeoColumns(lon=declared["lon"], lat=declared["lat"])
    for f in fields:
        if f.type == "geopoint":
            return GeoColumns(point=f.name, point_format=_point_format(f))
    lon = next((f for f in fields if f.type in NUMERIC and _is(f, LON_NAMES)), None)
    lat = next((f for f in fields if f.type in NUMERIC and _is(f, LAT_NAMES)), None)
    if lon is not None and lat is not None and lon.name != lat.name:
        return GeoColumns(lon=lon.name, lat=lat.name)
    return None


def _point_format(info: FieldInfo) -> str:
    fmt = info.raw.get("format") or "default"
    return fmt if fmt in GEOPOINT_FORMATS else "default"


def declared_problems(fields: Sequence[FieldInfo], declared: Any) -> list[tuple[str, str, str]]:
    """(key, Chinese message, English message) for each thing wrong with a ``geo`` key
    whose shape the profile accepted: a field that is not in the schema, or not of a
    type that holds coordinates."""
    if not isinstance(declared, dict):
        return []
    by_name = {f.name: f for f in fields}
    out: list[tuple[str, str, str]] = []
    wanted = (
        (("point", {"geopoint"}),) if "point" in declared else (("lon", NUMERIC), ("lat", NUMERIC))
    )
    for key, types in wanted:
        name = declared.get(key)
        info = by_name.get(name) if isinstance(name, str) else None
        if info is None:
            out.append(
                (
                    key,
                    f"geo.{key} 指定的字段 {name} 不在本资源发布的字段中",
                    f"geo.{key} names field {name}, which this resource does not publish",
                )
            )
        elif info.type not in types:
            kinds = " 或 ".join(sorted(types))
            out.append(
                (
                    key,
                    f"geo.{key} 指定的字段 {name} 类型为 {info.type}，应为 {kinds}",
                    f"geo.{key} names field {name} of type {info.type}; expected "
                    + " or ".join(sorted(types)),
                )
            )
    return out


def point_of(
    columns: GeoColumns, header: Sequence[str], row: Sequence[str]
) -> tuple[float, float] | None:
    """(lon, lat) of a published CSV row, or None when missing, unreadable or out of range
    (longitude -180..180, latitude -90..90)."""
    cells = dict(zip(header, row, strict=False))
    try:
        if columns.point:
            lon, lat = _parse_point(cells.get(columns.point, ""), columns.point_format)
        else:
            lon, lat = float(cells.get(columns.lon, "")), float(cells.get(columns.lat, ""))
    except (ValueError, TypeError, KeyError, IndexError):
        return None
    if not (math.isfinite(lon) and math.isfinite(lat)):
        return None
    if -180 <= lon <= 180 and -90 <= lat <= 90:
        return lon, lat
    return None


def _parse_point(text: str, fmt: str) -> tuple[float, float]:
    if fmt == "array":
        value = json.loads(text)
        if not isinstance(value, list) or len(value) != 2:
            raise ValueError(text)
        return _number(value[0]), _number(value[1])
    if fmt == "object":
        value = json.loads(text)
        if not isinstance(value, dict):
            raise ValueError(text)
        return _number(value["lon"]), _number(value["lat"])
    lon, lat = text.split(",")
    return float(lon), float(lat)


def _number(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(value)
    return float(value)


def map_config(raw: Any) -> MapConfig | None:
    """site.yaml ``map`` (its shape is checked by the profile): None without tiles."""
    if not isinstance(raw, dict) or not isinstance(raw.get("tiles"), str) or not raw["tiles"]:
        return None
    attribution = raw.get("attribution")
    if isinstance(attribution, dict):
        text = Text(str(attribution.get("zh") or ""), str(attribution.get("en") or ""))
    else:
        text = Text(str(attribution or ""))
    zoom = raw.get("max_zoom")
    valid = isinstance(zoom, int) and not isinstance(zoom, bool) and 1 <= zoom <= 22
    subdomains = raw.get("subdomains")
    return MapConfig(
        raw["tiles"],
        text,
        zoom if valid else 18,
        subdomains if isinstance(subdomains, str) and subdomains else "abc",
    )
