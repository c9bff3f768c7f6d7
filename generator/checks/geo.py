"""A resource's ``geo`` key must name fields it publishes, of a type that holds points.

The shape of the key is the profile's business; here the fields are looked up, for a
derivative among the fields it publishes (a dropped coordinate cannot be mapped).
"""

from __future__ import annotations

from ..catalog.geo import declared_problems
from ..errors import Problem
from ..model import Dataset


def geo_problems(ds: Dataset) -> list[Problem]:
    raw_resources = [r for r in ds.descriptor.get("resources") or [] if isinstance(r, dict)]
    index = {r.get("name"): i for i, r in enumerate(raw_resources)}
    out: list[Problem] = []
    for res in ds.resources:
        declared = res.raw.get("geo")
        for key, zh, en in declared_problems(res.fields, declared):
            path = ("resources", index.get(res.name, 0), "geo", key)
            line = ds.source.line(path) if ds.source is not None else None
            out.append(
                Problem(
                    "geo-field",
                    zh,
                    en,
                    file=f"datasets/{ds.id}/datapackage.yaml",
                    dataset=ds.id,
                    resource=res.name,
                    line=line,
                    field=f"resources[{index.get(res.name, 0)}].geo.{key}",
                    found=str(declared.get(key)),
                    expected="本资源的 number/integer 字段（经纬度）或 geopoint 字段",
                    expected_en="a number/integer field (lon, lat) or a geopoint field "
                    "of this resource",
                    hint="改为存在的字段名，或写 geo: false 不生成地图",
                    hint_en="name an existing field, or write geo: false for no map",
                )
            )
    return out
