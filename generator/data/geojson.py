"""GeoJSON (RFC 7946) of a resource with coordinates, written from its published CSV.

Like every download it is made from the CSV derivation wrote, so the properties of each
feature are the row's published fields and values (a derivative's transformed fields;
nothing of non-open data, which has no published CSV). One feature per line, fields in
schema order and numbers as their published text: the same rows give the same bytes.
Rows without a point (empty, unreadable, or outside longitude -180..180 and latitude
-90..90) are left out and counted; the page says how many.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..catalog.geo import GeoColumns, point_of
from ..model import FieldInfo
from .downloads import _dump, json_value

SAMPLE_POINTS = 50  # the server-rendered list under the map (no JavaScript needed)
# The map loads the whole GeoJSON (about 280 bytes a point, a tenth of that gzipped) and
# clusters it in the browser; beyond this many points the page offers the list and the
# download instead of making a reader's browser fetch and hold tens of megabytes.
MAP_MAX_POINTS = 50_000
LABEL_WORDS = ("name", "名称", "名")


@dataclass
class GeoSummary:
    """What the page says about the map of one resource."""

    lon: str  # longitude field ("" for a geopoint)
    lat: str
    point: str  # geopoint field ("" for a pair)
    features: int  # rows drawn
    skipped: int  # rows without a usable point
    label: str  # the field that names a point in lists and marker titles ("" if none)
    sample: list[list[str]] = field(default_factory=list)  # [label, lon, lat] of the first rows
    west: float = 0.0
    south: float = 0.0
    east: float = 0.0
    north: float = 0.0

    @property
    def drawable(self) -> bool:
        return 0 < self.features <= MAP_MAX_POINTS

    @property
    def max_points(self) -> int:
        return MAP_MAX_POINTS


def label_field(fields: Sequence[FieldInfo], columns: GeoColumns) -> str:
    """The field that names a point: a text field whose name or title says name (名称),
    else the first text field that is not a coordinate."""
    texts = [f for f in fields if f.type == "string" and f.name not in columns.fields]
    for f in texts:
        words = (f.name.lower(), f.title)
        if any(w in text for w in LABEL_WORDS for text in words):
            return f.name
    return texts[0].name if texts else ""


def _coordinate(value: float) -> str:
    return repr(value) if value != int(value) else f"{value:.1f}"


def write_geojson(
    src: Path, dst: Path, fields: tuple[FieldInfo, ...], columns: GeoColumns
) -> GeoSummary:
    label = label_field(fields, columns)
    summary = GeoSummary(columns.lon, columns.lat, columns.point, 0, 0, label)
    bounds = [180.0, 90.0, -180.0, -90.0]
    with (
        open(src, encoding="utf-8", newline="") as source,
        open(dst, "w", encoding="utf-8", newline="\n") as out,
    ):
        rows = csv.reader(source)
        header = next(rows, [])
        by_name = {f.name: f for f in fields}
        keys = [(json.dumps(name, ensure_ascii=False), by_name.get(name)) for name in header]
        label_at = header.index(label) if label in header else -1
        out.write('{"type": "FeatureCollection", "features": [')
        for row in rows:
            point = point_of(columns, header, row)
            if point is None:
                summary.skipped += 1
                continue
            lon, lat = point
            props = ", ".join(
                f"{key}: {_dump(json_value(info, cell) if info else cell or None)}"
                for (key, info), cell in zip(keys, row, strict=False)
            )
            out.write(
                ("\n" if summary.features == 0 else ",\n")
                + '{"type": "Feature", "geometry": {"type": "Point", "coordinates": ['
                + f"{_coordinate(lon)}, {_coordinate(lat)}]}}, "
                + f'"properties": {{{props}}}}}'
            )
            summary.features += 1
            bounds = [
                min(bounds[0], lon),
                min(bounds[1], lat),
                max(bounds[2], lon),
                max(bounds[3], lat),
            ]
            if len(summary.sample) < SAMPLE_POINTS:
                name = row[label_at] if 0 <= label_at < len(row) else ""
                summary.sample.append([name, _coordinate(lon), _coordinate(lat)])
        out.write("\n]}\n" if summary.features else "]}\n")
    if summary.features:
        summary.west, summary.south, summary.east, summary.north = bounds
    return summary
