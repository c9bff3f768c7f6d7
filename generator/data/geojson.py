"""GeoJSON (RFC 7946) of a resource with coordinates, written from its published CSV.

Like every download it is made from the CSV derivation wrote, so the properties of each
feature are the row's published fields and values (a derivative's transformed fields;
nothing of non-open data, which has no published CSV). One feature per line, fields in
schema order and numbers as their published text: the same rows give the same bytes.
Rows without a point (empty, unreadable, or outside longitude -180..180 and latitude
-90..90) are left out and counted; the page says how many.

Given the published CSV's record batches (data/table.py), the properties of every feature
are written column by column (fastjson.record_bodies: the JSON download's own records) and
only the coordinates are read in Python, one or two cells a row; row by row, the same
text cost a json.dumps per cell and was a fifth of deriving the real-sized catalog. What
the JSON writer declines (Unsupported) is written row by row, to the same bytes.
"""

from __future__ import annotations

import csv
import json
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from ..catalog.geo import GeoColumns, point_of
from ..checks.fastcheck import Unsupported
from ..model import FieldInfo
from .downloads import _dump, json_value
from .fastderive import _text_buffer
from .fastjson import record_bodies

log = logging.getLogger(__name__)

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


_FEATURE_OPEN = ',\n{"type": "Feature", "geometry": {"type": "Point", "coordinates": ['


def write_geojson(
    src: Path,
    dst: Path,
    fields: tuple[FieldInfo, ...],
    columns: GeoColumns,
    batches: Callable[[], Iterable[pa.RecordBatch]] | None = None,
) -> GeoSummary:
    """The GeoJSON of the published CSV ``src`` (``batches``: its record batches, already
    read), and what the page says about its map."""
    if batches is not None:
        try:
            return _write_columns(dst, fields, columns, batches)
        except Unsupported as exc:
            log.info("%s: GeoJSON written row by row (%s)", dst.name, exc)
        except pa.ArrowInvalid:  # its message quotes cells
            log.info("%s: GeoJSON written row by row (pyarrow cannot read the CSV)", dst.name)
    return _write_rows(src, dst, fields, columns)


# A plain decimal of at most 15 digits, its last digit after the point not 0, and not
# below 1e-4: float() reads it exactly as pyarrow's cast does, and its repr (what
# _coordinate writes) is the text itself, since no shorter decimal reads as the same float
_PLAIN = r"^-?(?:[1-9][0-9]{0,2}|0)\.[0-9]{0,11}[1-9]$"
_TINY = r"^-?0\.0000"


def _plain_pair(
    batch: pa.RecordBatch, where: list[int]
) -> tuple[pa.Array, pa.Array, pa.Array] | None:
    """For a longitude/latitude pair whose every value is a plain decimal (_PLAIN): which
    rows have a point in range, and the kept rows' longitude and latitude texts, as
    point_of and _coordinate give them. None when any value is not plain (empty, integer,
    exponent, ...): the rows then go through point_of one by one."""
    lon, lat = batch.column(where[0]), batch.column(where[1])
    plain = pc.and_(pc.match_substring_regex(lon, _PLAIN), pc.match_substring_regex(lat, _PLAIN))
    tiny = pc.or_(pc.match_substring_regex(lon, _TINY), pc.match_substring_regex(lat, _TINY))
    if not pc.all(pc.and_(plain, pc.invert(tiny))).as_py():
        return None
    x, y = pc.cast(lon, pa.float64()), pc.cast(lat, pa.float64())
    inside = pc.and_(
        pc.and_(pc.greater_equal(x, -180.0), pc.less_equal(x, 180.0)),
        pc.and_(pc.greater_equal(y, -90.0), pc.less_equal(y, 90.0)),
    )
    return inside, lon.filter(inside), lat.filter(inside)


def _extend_bounds(bounds: list[float], points: list[tuple[float, float]]) -> list[float]:
    """The row loop's running min/max (the first of equal values kept: -0.0 stays -0.0)."""
    lons = [p[0] for p in points]
    lats = [p[1] for p in points]
    return [
        min([bounds[0], *lons]),
        min([bounds[1], *lats]),
        max([bounds[2], *lons]),
        max([bounds[3], *lats]),
    ]


def _write_columns(
    dst: Path,
    fields: tuple[FieldInfo, ...],
    columns: GeoColumns,
    batches: Callable[[], Iterable[pa.RecordBatch]],
) -> GeoSummary:
    names = [f.name for f in fields]
    if len(set(names)) != len(names):
        raise Unsupported("two fields of one name")  # the row loop's dicts decide which
    if any(name not in names for name in columns.fields):
        raise Unsupported("a coordinate field is not published")
    label = label_field(fields, columns)
    summary = GeoSummary(columns.lon, columns.lat, columns.point, 0, 0, label)
    bounds = [180.0, 90.0, -180.0, -90.0]
    where = [names.index(name) for name in columns.fields]
    label_at = names.index(label) if label in names else -1
    keys = [json.dumps(name, ensure_ascii=False) + ": " for name in names]
    with open(dst, "wb") as out:
        out.write(b'{"type": "FeatureCollection", "features": [')
        for batch in batches():
            if not batch.num_rows:
                continue
            plain = _plain_pair(batch, where) if not columns.point else None
            if plain is not None:  # every coordinate plain: no Python step per row
                mask, lon_text, lat_text = plain
                kept = list(
                    zip(
                        pc.cast(lon_text, pa.float64()).to_pylist(),
                        pc.cast(lat_text, pa.float64()).to_pylist(),
                        strict=True,
                    )
                )
                summary.skipped += batch.num_rows - len(kept)
                if not kept:
                    continue
            else:
                cells = zip(*(batch.column(i).to_pylist() for i in where), strict=True)
                points = [point_of(columns, columns.fields, row) for row in cells]
                kept = [p for p in points if p is not None]
                summary.skipped += len(points) - len(kept)
                if not kept:
                    continue
                mask = pa.array([p is not None for p in points], pa.bool_())
                lon_text = pa.array([_coordinate(p[0]) for p in kept], pa.string())
                lat_text = pa.array([_coordinate(p[1]) for p in kept], pa.string())
            properties = record_bodies(batch, fields, keys).filter(mask)
            if len(summary.sample) < SAMPLE_POINTS:
                take = SAMPLE_POINTS - len(summary.sample)
                labels = (
                    batch.column(label_at).filter(mask).slice(0, take).to_pylist()
                    if label_at >= 0
                    else [""] * min(take, len(kept))
                )
                for name, (lon, lat) in zip(labels, kept, strict=False):
                    summary.sample.append([name, _coordinate(lon), _coordinate(lat)])
            features = pc.binary_join_element_wise(
                pa.scalar(_FEATURE_OPEN),
                lon_text,
                pa.scalar(", "),
                lat_text,
                pa.scalar(']}, "properties": {'),
                properties,
                pa.scalar("}}"),
                "",
            )
            data = _text_buffer(features)
            if summary.features == 0:
                data = data[1:]  # the first feature has no comma before it
            out.write(data)
            summary.features += len(kept)
            bounds = _extend_bounds(bounds, kept)
        out.write(b"\n]}\n" if summary.features else b"]}\n")
    if summary.features:
        summary.west, summary.south, summary.east, summary.north = bounds
    return summary


def _write_rows(
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
