"""Data stage (3): turn open resources into published files, previews and field summaries.

Only datasets the policy lets publish data are derived; everything else yields nothing.
Rows are streamed, so memory does not grow with the size of a resource.
"""

from __future__ import annotations

import csv
import heapq
import logging
import re
from collections import Counter
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import pyarrow as pa

from ..catalog.attribution import attribution
from ..catalog.dialect import dialect_of
from ..catalog.geo import detect as detect_geo
from ..checks.fastcheck import Unsupported
from ..model import Catalog, Dataset, FieldInfo, Resource
from ..policy import publishes_data, shows_in_output
from ..runtime.cache import BuildCache, decode, encode, store_object
from ..runtime.files import data_file
from ..runtime.output import OutputTree, WrittenFile
from ..runtime.parallel import DatasetPool
from . import downloads
from .desensitise import published_schema
from .fastderive import published_stats, shared_encodings, write_csv_and_stats
from .fastjson import write_json_columnar
from .fastxlsx import sheet_rows
from .geojson import GeoSummary, write_geojson
from .parquet import write_parquet
from .reader import iter_rows
from .risk import GroupRisk, RiskMeter
from .table import PublishedTable

log = logging.getLogger(__name__)

PREVIEW_ROWS = 20
# CSV sources this large use the columnar path: every size, since on the real-sized
# catalog's 267 resources (104 to 3,396 rows) it took 1.7-2.1 CPU-s against the row
# loop's 2.5 (same bytes and statistics); the tests set it high to compare both.
FAST_DERIVE_MIN_BYTES = 0
# ... unless the table is short: every pyarrow call costs microseconds whatever the rows,
# and a resource pays about a hundred of them. One CSV resource at a time, in CPU-ms
# (columns against rows; same bytes, same statistics):
#   30 rows x 5 fields (the synthetic bench): CSV and statistics 1.1-1.8 / 0.5, XLSX
#     1.6-2.2 / 0.6-0.8, JSON 0.57-0.75 / 0.42-0.51
#   44 x 12: 2.8 / 0.9, 3.5 / 1.6, 1.4 / 1.1;  88 x 9: 2.0 / 1.3, 2.8 / 2.0, 1.0 / 1.2
#   104 x 14: 2.6 / 1.5, 3.8 / 2.9, 1.7 / 2.5;  308 x 4: 1.7 / 2.0, 2.3 / 3.2, 1.0 / 2.0
#   452 x 11: 2.3 / 4.3, 5.2 / 8.9, 2.0 / 7.9
# so a table of fewer rows than these takes the row writers (the JSON ones win only on
# the smallest tables). A source's rows are counted as its lines when it is small.
COLUMNS_MIN_ROWS = 200
JSON_COLUMNS_MIN_ROWS = 64
_COUNTED_BYTES = 64 << 10  # larger sources are not counted: they take the columns
# The row loop hands tables of at most this many rows to the downloads as columns made
# from its rows (pa.array of each column: 30 x 5 cells in about 0.03 ms, where pyarrow
# parsed the CSV just written in about 0.4 ms); the same strings the parse gives
HOLD_ROWS = 10_000
DISTINCT_CAP = 10_000  # distinct counts stop growing here ("≥ 10000")
TOP_VALUES = 5  # the most frequent values a field's summary lists
NUMERIC = {"integer", "number", "year"}
ORDERED = NUMERIC | {"date", "datetime", "time", "yearmonth"}
TIME_AXIS = {"date", "datetime", "yearmonth", "year"}  # fields a time chart can use
CATEGORY_TYPES = {"string", "boolean"}
CATEGORY_MAX = 15  # a field with more distinct values is not charted as categories
MONTHS_MAX = 48  # longer spans are charted by year
COLUMNS_MAX = 120
_PERIOD = re.compile(r"^(\d{4})(?:-(\d{2}))?")


@dataclass
class FieldSummary:
    name: str
    title: str
    type: str
    non_empty: int = 0
    distinct: int = 0
    distinct_capped: bool = False
    minimum: str = ""
    maximum: str = ""
    top: list[tuple[str, int]] = field(default_factory=list)


@dataclass
class ChartData:
    """Counts of records along one field, for a chart drawn at render time."""

    kind: str  # "time" (columns along a time axis) or "category" (bars)
    field: str
    title: str
    period: str  # "month" or "year" for time charts, "" for categories
    points: list[tuple[str, int]]


@dataclass
class PublishedResource:
    name: str
    title: str
    rows: int
    fields: tuple[FieldInfo, ...]
    files: dict[str, WrittenFile]  # format key (downloads.FORMATS) -> file
    preview_header: list[str]
    preview: list[list[str]]
    summaries: list[FieldSummary]
    charts: list[ChartData] = field(default_factory=list)
    primary_key: tuple[str, ...] = ()
    risk: GroupRisk | None = None  # derivatives: smallest group on the quasi-identifiers
    geo: GeoSummary | None = None  # resources with coordinates: their map (catalog/geo.py)


@dataclass
class PublishedDataset:
    id: str
    resources: list[PublishedResource]
    datapackage: WrittenFile | None = None
    package: WrittenFile | None = None  # zip of datapackage.json and every CSV


class _FieldStats:
    def __init__(self, info: FieldInfo) -> None:
        self.info = info
        self.non_empty = 0
        self.counts: Counter[str] = Counter()
        self.capped = False
        self.low: float | str | None = None
        self.high: float | str | None = None
        self.periods: Counter[str] | None = Counter() if info.type in TIME_AXIS else None

    def add(self, value: str) -> None:
        if value == "":
            return
        self.non_empty += 1
        if self.periods is not None:
            match = _PERIOD.match(value)
            if match and self.info.type == "year":
                self.periods[match.group(1)] += 1
            elif match and match.group(2):
                self.periods[f"{match.group(1)}-{match.group(2)}"] += 1
        if not self.capped:
            self.counts[value] += 1
            if len(self.counts) >= DISTINCT_CAP:
                self.capped = True
        if self.info.type in ORDERED:
            key: float | str = value
            if self.info.type in NUMERIC:
                try:
                    key = float(value)
                except ValueError:
                    return
            if self.low is None or key < self.low:  # type: ignore[operator]
                self.low = key
            if self.high is None or key > self.high:  # type: ignore[operator]
                self.high = key

    def summary(self) -> FieldSummary:
        def show(v: float | str | None) -> str:
            if isinstance(v, float):
                return str(int(v)) if v.is_integer() else f"{v:g}"
            return v or ""

        top = []
        if self.info.type not in ORDERED:
            top = top_values(self.counts, TOP_VALUES)
        return FieldSummary(
            name=self.info.name,
            title=self.info.title,
            type=self.info.type,
            non_empty=self.non_empty,
            distinct=len(self.counts),
            distinct_capped=self.capped,
            minimum=show(self.low),
            maximum=show(self.high),
            top=top,
        )

    def time_chart(self) -> ChartData | None:
        if not self.periods or len(self.periods) < 2:
            return None
        keys = sorted(self.periods)
        if self.info.type == "year":
            counts, period = self.periods, "year"
        else:
            first, last = _month_index(keys[0]), _month_index(keys[-1])
            if last - first >= MONTHS_MAX:
                counts, period = Counter(), "year"
                for key in keys:
                    counts[key[:4]] += self.periods[key]
            else:
                counts, period = self.periods, "month"
        points = [(key, counts.get(key, 0)) for key in _fill_periods(sorted(counts), period)]
        return ChartData("time", self.info.name, self.info.title, period, points[-COLUMNS_MAX:])

    def category_chart(self, primary_key: tuple[str, ...]) -> ChartData | None:
        info = self.info
        distinct = len(self.counts)
        if (
            info.type not in CATEGORY_TYPES
            or info.name in primary_key
            or self.capped
            or not 2 <= distinct <= CATEGORY_MAX
            or distinct >= self.non_empty  # every value unique: nothing to compare
        ):
            return None
        points = sorted(self.counts.items(), key=lambda kv: (-kv[1], kv[0]))
        return ChartData("category", info.name, info.title, "", points)


def top_values(counts: Counter[str], k: int) -> list[tuple[str, int]]:
    """``sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:k]`` without sorting
    every distinct value (up to DISTINCT_CAP of them, with a Python key for each: a tenth
    of deriving a real-sized table): the k-th largest count is found first, the values
    counted more often are sorted, and the rest come from the values counted exactly that
    often, the smallest first (values are distinct, so there are no ties to break)."""
    if len(counts) <= k:
        return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    least = heapq.nlargest(k, counts.values())[-1]
    above = sorted(((v, n) for v, n in counts.items() if n > least), key=lambda kv: (-kv[1], kv[0]))
    at = heapq.nsmallest(k - len(above), (v for v, n in counts.items() if n == least))
    return above + [(v, least) for v in at]


def _month_index(key: str) -> int:
    return int(key[:4]) * 12 + int(key[5:7]) - 1


def _fill_periods(keys: list[str], period: str) -> list[str]:
    """Every period from the first to the last, so gaps show as zero columns."""
    if period == "year":
        years = [int(k[:4]) for k in keys]
        return [str(y) for y in range(min(years), max(years) + 1)]
    first, last = _month_index(keys[0]), _month_index(keys[-1])
    return [f"{i // 12:04d}-{i % 12 + 1:02d}" for i in range(first, last + 1)]


def choose_charts(stats: list[_FieldStats], primary_key: tuple[str, ...]) -> list[ChartData]:
    """At most one time chart and one category chart per resource, from the first fields
    that have a time axis or a handful of repeated categories."""
    charts = []
    time_chart = next((c for s in stats if (c := s.time_chart()) is not None), None)
    if time_chart:
        charts.append(time_chart)
    category = next((c for s in stats if (c := s.category_chart(primary_key)) is not None), None)
    if category:
        charts.append(category)
    return charts


def primary_key_of(res: Resource) -> tuple[str, ...]:
    schema = res.raw.get("schema")
    pk = schema.get("primaryKey") if isinstance(schema, dict) else None
    if isinstance(pk, str):
        return (pk,)
    if isinstance(pk, list):
        return tuple(str(p) for p in pk)
    return ()


def _write_rows(
    ds: Dataset,
    res: Resource,
    target: Path,
    stats: list[_FieldStats] | None,
    meter: RiskMeter | None = None,
    keep: list[list[pa.Array]] | None = None,
    data: bytes | None = None,
) -> tuple[int, list[list[str]]]:
    """The row loop: the published CSV in schema order, with statistics unless ``stats``
    is None; (rows, preview). ``keep`` gets the published columns when the table has at
    most HOLD_ROWS rows (the downloads take them rather than parse the file just written);
    ``data``: the CSV source's bytes, when they were read already (_short_source)."""
    rows = iter_rows(ds, res, meter, data)
    header = next(rows, [])
    names = [f.name for f in res.fields]
    order = [header.index(n) if n in header else None for n in names]
    preview: list[list[str]] = []
    held: list[list[str]] | None = [] if keep is not None and names else None
    count = 0
    with open(target, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(names)
        for raw in rows:
            row = [raw[i] if i is not None and i < len(raw) else "" for i in order]
            writer.writerow(row)
            if stats is not None:
                for st, value in zip(stats, row, strict=True):
                    st.add(value)
            if len(preview) < PREVIEW_ROWS:
                preview.append(row)
            if held is not None:
                held.append(row)
                if len(held) > HOLD_ROWS:
                    held = None
            count += 1
    if held and keep is not None:
        keep.append([pa.array(values, pa.string()) for values in zip(*held, strict=True)])
    return count, preview


def _short_source(ds: Dataset, res: Resource) -> bytes | None:
    """The CSV source's bytes when it has fewer than COLUMNS_MIN_ROWS lines after its
    header (a value may hold a newline: this only chooses between two writers of the same
    bytes), for the row loop to parse rather than open the file again; else None."""
    if COLUMNS_MIN_ROWS <= 0 or (ds.folder / res.path).stat().st_size > _COUNTED_BYTES:
        return None
    with data_file(ds.folder, res.path, ds.id) as source:
        data = source.read(_COUNTED_BYTES + 1)
    if len(data) > _COUNTED_BYTES:  # it grew since: not counted
        return None
    return data if data.count(b"\n") <= COLUMNS_MIN_ROWS else None


def write_published_csv(
    ds: Dataset,
    res: Resource,
    target: Path,
    meter: RiskMeter | None = None,
    keep: list[list[pa.Array]] | None = None,
) -> tuple[int, list[list[str]], list[_FieldStats]]:
    """CSV files go through the columnar path (same bytes and statistics); XLSX files,
    and whatever that path declines, through the row loop. A desensitised derivative always
    takes the row loop: only the reader applies its rules. ``keep`` gets the columnar
    path's first batches (fastderive.write_csv_and_stats)."""
    short = None
    if (
        res.derivation is None
        and res.format == "csv"
        and dialect_of(res.raw).is_default  # the columnar path reads "," and '"' only
        and (ds.folder / res.path).stat().st_size >= FAST_DERIVE_MIN_BYTES
        and (short := _short_source(ds, res)) is None
    ):
        stats = [_FieldStats(f) for f in res.fields]
        try:
            with data_file(ds.folder, res.path, ds.id) as source:
                count, preview = write_csv_and_stats(
                    source,
                    res.encoding,
                    [f.name for f in res.fields],
                    [f.type for f in res.fields],
                    target,
                    stats,
                    PREVIEW_ROWS,
                    ORDERED,
                    NUMERIC,
                    DISTINCT_CAP,
                    keep,
                )
            return count, preview, stats
        except Unsupported as exc:
            if keep is not None:
                keep.clear()
            log.info("%s/%s: derived row by row (%s)", ds.id, res.name, exc)
    if res.derivation is not None:
        # the rules need the row loop, the statistics do not: they are counted on the
        # columns of the CSV just written (the same values), or cell by cell from it
        count, preview = _write_rows(ds, res, target, None, meter)
        stats = [_FieldStats(f) for f in res.fields]
        try:
            published_stats(
                target, [f.type for f in res.fields], stats, ORDERED, NUMERIC, DISTINCT_CAP
            )
        except Unsupported as exc:
            log.info("%s/%s: statistics counted row by row (%s)", ds.id, res.name, exc)
            stats = [_FieldStats(f) for f in res.fields]
            with open(target, encoding="utf-8", newline="") as handle:
                rows = csv.reader(handle)
                next(rows, None)
                for row in rows:
                    for st, value in zip(stats, row, strict=True):
                        st.add(value)
        return count, preview, stats
    stats = [_FieldStats(f) for f in res.fields]
    count, preview = _write_rows(ds, res, target, stats, meter, keep, short)
    return count, preview, stats


def derive_resource(ds: Dataset, res: Resource, out: OutputTree) -> PublishedResource:
    names = [f.name for f in res.fields]
    rel = f"datasets/{ds.id}/{res.name}.csv"
    target = out.path_for_stream(rel)
    meter = RiskMeter(res.derivation) if res.derivation is not None else None
    batches: list[list[pa.Array]] = []
    count, preview, stats = write_published_csv(ds, res, target, meter, batches)
    files = {"csv": out.register(rel)}
    # one read of the source feeds every download: the columns derivation wrote the
    # published CSV from, when they were one batch; else the published CSV, read once
    table = PublishedTable(target, len(res.fields), batches[0] if len(batches) == 1 else None)
    with shared_encodings() if table.held else nullcontext():
        files.update(write_variants(ds, res, target, out, rows=count, table=table))
        geo = None
        columns = detect_geo(res.fields, res.raw.get("geo"))
        if columns is not None:
            geo_rel = f"datasets/{ds.id}/{res.name}{downloads.GEOJSON.suffix}"
            geo = write_geojson(
                target, out.path_for_stream(geo_rel), res.fields, columns, table.batches
            )
            files[downloads.GEOJSON.key] = out.register(geo_rel)
    return PublishedResource(
        name=res.name,
        title=res.title,
        rows=count,
        fields=res.fields,
        files=files,
        preview_header=names,
        preview=preview,
        summaries=[s.summary() for s in stats],
        charts=choose_charts(stats, primary_key_of(res)),
        primary_key=primary_key_of(res),
        risk=meter.result() if meter is not None else None,
        geo=geo,
    )


def write_variants(
    ds: Dataset,
    res: Resource,
    csv_path: Path,
    out: OutputTree,
    rows: int | None = None,
    table: PublishedTable | None = None,
) -> dict[str, WrittenFile]:
    """Excel-friendly CSV, XLSX, JSON and Parquet of one resource, from its published CSV
    (read once by pyarrow for the last three when it is small: data/table.py).

    No XLSX for more rows than a worksheet holds (1,048,576 with the header): Excel
    refuses such a file, and writing one cell at a time would take most of the build.
    """
    base = f"datasets/{ds.id}/{res.name}"
    files: dict[str, WrittenFile] = {}
    target = out.path_for_stream(base + downloads.EXCEL_CSV.suffix)
    downloads.write_excel_csv(csv_path, target, downloads.human_header(res.fields))
    files[downloads.EXCEL_CSV.key] = out.register(base + downloads.EXCEL_CSV.suffix)
    if table is None:  # read once for XLSX, JSON, Parquet
        table = PublishedTable(csv_path, len(res.fields))
    if rows is None or rows < downloads.EXCEL_MAX_ROWS:
        target = out.path_for_stream(base + downloads.XLSX.suffix)
        downloads.write_xlsx(
            csv_path,
            target,
            res.fields,
            res.title,
            ds.issued,
            ds.modified,
            rows_xml=partial(sheet_rows, batches=table.batches)
            if rows is None or rows >= COLUMNS_MIN_ROWS
            else None,
        )
        files[downloads.XLSX.key] = out.register(base + downloads.XLSX.suffix)
    target = out.path_for_stream(base + downloads.JSON.suffix)
    header = {
        "name": res.name,
        "title": res.title,
        "dataset": ds.id,
        "schema": _published_schema(ds, res.name),
    }
    try:
        if rows is not None and rows < JSON_COLUMNS_MIN_ROWS:
            downloads.write_json(csv_path, target, header, res.fields)
        else:
            write_json_columnar(csv_path, target, header, res.fields, table.batches)
    except Unsupported as exc:
        log.info("%s/%s: JSON written row by row (%s)", ds.id, res.name, exc)
        downloads.write_json(csv_path, target, header, res.fields)
    files[downloads.JSON.key] = out.register(base + downloads.JSON.suffix)
    target = out.path_for_stream(base + downloads.PARQUET.suffix)
    write_parquet(csv_path, target, res.fields, table.batches, held=table.held)
    files[downloads.PARQUET.key] = out.register(base + downloads.PARQUET.suffix)
    return files


def write_package_zip(ds: Dataset, published: PublishedDataset, out: OutputTree) -> WrittenFile:
    """The whole published data package in one file: datapackage.json and every CSV."""
    assert published.datapackage is not None
    rel = f"datasets/{ds.id}/{ds.id}{downloads.ZIP.suffix}"
    members = [("datapackage.json", out.root / published.datapackage.path)]
    members += [
        (r.files["csv"].path.rsplit("/", 1)[-1], out.root / r.files["csv"].path)
        for r in published.resources
    ]
    downloads.write_zip(out.path_for_stream(rel), members, ds.modified)
    return out.register(rel)


def datapackage_descriptor(catalog: Catalog, ds: Dataset, published: PublishedDataset) -> dict:
    """A Frictionless descriptor of exactly the published files, with the package's own
    attribution (sources, contributors, homepage, version) kept."""
    credit = attribution(ds.descriptor)
    licenses = ds.licenses or (
        (catalog.site.default_license,) if catalog.site.default_license else ()
    )
    resources = []
    for pres in published.resources:
        csv_file = pres.files["csv"]
        resources.append(
            {
                "name": pres.name,
                "title": pres.title,
                "path": csv_file.path.rsplit("/", 1)[-1],
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "bytes": csv_file.size,
                "hash": f"sha256:{csv_file.sha256}",
                "schema": _published_schema(ds, pres.name),
            }
        )
    return {
        "name": ds.id,
        "id": catalog.site.base_url + f"datasets/{ds.id}/",
        "title": ds.title.zh,
        "description": ds.description.zh,
        "homepage": credit.homepage or catalog.site.base_url + f"datasets/{ds.id}/",
        "version": credit.version or ds.modified.isoformat(),
        "created": ds.issued.isoformat() + "T00:00:00Z",
        "keywords": list(ds.keywords),
        "licenses": [
            {k: v for k, v in (("name", lic.name), ("path", lic.path), ("title", lic.title)) if v}
            for lic in licenses
        ],
        "sources": _sources(catalog, ds) + [p.as_dict() for p in credit.sources],
        **(
            {"contributors": [p.as_dict() for p in credit.contributors]}
            if credit.contributors
            else {}
        ),
        "resources": resources,
    }


def _sources(catalog: Catalog, ds: Dataset) -> list[dict]:
    sources = []
    if ds.publisher in catalog.publishers:
        sources.append({"title": catalog.publishers[ds.publisher].name.zh})
    # the source travels with the derivation (a worker process has no whole catalog)
    source = next((r.derivation.source_dataset for r in ds.resources if r.derivation), None)
    if source is not None:
        if shows_in_output(source.open_type, catalog.site.hide_closed):
            sources.append(
                {
                    "title": source.title.zh,
                    "path": catalog.site.base_url + f"datasets/{source.id}/",
                }
            )
    return sources


def _published_schema(ds: Dataset, resource_name: str) -> dict:
    res = next(r for r in ds.resources if r.name == resource_name)
    if res.derivation is not None:
        return published_schema(res)  # transformed types; dropped fields left out
    schema = dict(res.raw.get("schema") or {})
    # Foreign keys may point at resources that are not published; keep only internal ones.
    published_names = {r.name for r in ds.resources}
    fks = [
        fk
        for fk in schema.get("foreignKeys") or []
        if isinstance(fk, dict)
        and fk.get("reference", {}).get("resource", "") in published_names | {""}
    ]
    if fks:
        schema["foreignKeys"] = fks
    else:
        schema.pop("foreignKeys", None)
    return schema


def derive_dataset(catalog: Catalog, ds: Dataset, out: OutputTree) -> PublishedDataset | None:
    if not publishes_data(ds.open_type) or not ds.status.publishes_data:
        return None
    published = PublishedDataset(ds.id, [derive_resource(ds, res, out) for res in ds.resources])
    published.datapackage = out.write_json(
        f"datasets/{ds.id}/datapackage.json", datapackage_descriptor(catalog, ds, published)
    )
    published.package = write_package_zip(ds, published, out)
    return published


def derive_unit(
    catalog: Catalog, ds: Dataset, root: Path, cache_root: Path | None = None
) -> tuple[PublishedDataset | None, dict[str, WrittenFile]]:
    """derive_dataset into a tree of its own, so it can run in a worker process.

    Returns the published record and the files written, for the build's tree to adopt.
    With ``cache_root`` the worker also keeps each file in the cache (in parallel, rather
    than the parent doing it for every file afterwards).
    """
    out = OutputTree(root)
    published = derive_dataset(catalog, ds, out)
    if cache_root is not None:
        for written in out.files.values():
            store_object(cache_root, root / written.path, written.sha256)
    return published, out.files


Derived = tuple[PublishedDataset | None, dict[str, WrittenFile]]


def derive_catalog(
    catalog: Catalog,
    out: OutputTree,
    pool: DatasetPool | None = None,
    cache: BuildCache | None = None,
    advance: Callable[[int], None] | None = None,
) -> dict[str, PublishedDataset]:
    """Derive every dataset; one whose inputs are unchanged gets its cached files back."""
    pool = pool or DatasetPool(catalog, jobs=1)
    cache = cache or BuildCache(None)

    def save(unit: Derived) -> dict:  # derive_unit stored the files themselves
        published, files = unit
        return {"published": encode(published), "files": encode(files)}

    def load(ds: Dataset, stored: dict) -> Derived | None:
        published = decode(PublishedDataset | None, stored["published"])
        publishable = publishes_data(ds.open_type) and ds.status.publishes_data
        if (published is not None) != publishable:
            return None  # the policy is asked again, whatever the cache holds (the other
            # audience of the same catalog may have published it, or not)
        files = decode(dict[str, WrittenFile], stored["files"])
        for written in files.values():
            if not cache.restore_file(written.sha256, written.size, out.root / written.path):
                return None
        return published, files

    units = cache.map_datasets(
        "derive",
        catalog.datasets,
        compute=lambda todo: pool.map(
            partial(derive_unit, root=out.root, cache_root=cache.objects_root), todo, advance
        ),
        save=save,
        load=load,
        advance=advance or (lambda n: None),
    )
    result: dict[str, PublishedDataset] = {}
    for ds, (published, files) in zip(catalog.datasets, units, strict=True):
        out.adopt(files)
        if published is not None:
            result[ds.id] = published
    return result
