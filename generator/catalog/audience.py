"""The catalog as one audience sees it.

The public portal publishes each dataset at its open type. The sharing catalog (共享目录,
``kaifang build --audience share``) publishes the same datasets at the level of their share
type (policy.share_level): every later stage then asks policy.py as it always does, and
the audit looks for the values of every dataset that is not 无条件共享.
"""

from __future__ import annotations

from dataclasses import replace

from ..model import Catalog, Dataset, Derivation, Resource
from ..policy import Audience, share_level


def for_audience(catalog: Catalog, audience: Audience | str) -> Catalog:
    """The catalog to build for ``audience`` (the same object for the public portal)."""
    if Audience(audience) is Audience.PUBLIC:
        return catalog
    site = replace(catalog.site, audience=Audience.SHARE.value, hide_closed=False)
    recast = {
        ds.id: replace(
            ds,
            open_type=share_level(ds.share_type),
            open_conditions=ds.share_conditions,
        )
        for ds in catalog.datasets
    }
    # a derivative's Derivation names its source objects: point them at the recast ones
    datasets = tuple(_relink(ds, recast) for ds in recast.values())
    return Catalog(catalog.root, site, catalog.publishers, datasets)


def _relink(ds: Dataset, recast: dict[str, Dataset]) -> Dataset:
    if not any(res.derivation for res in ds.resources):
        return ds
    return replace(ds, resources=tuple(_relink_resource(res, recast) for res in ds.resources))


def _relink_resource(res: Resource, recast: dict[str, Dataset]) -> Resource:
    derivation = res.derivation
    if derivation is None:
        return res
    source = recast.get(derivation.source_dataset.id, derivation.source_dataset)
    source_resource = next(
        (r for r in source.resources if r.name == derivation.source_resource.name),
        derivation.source_resource,
    )
    return replace(
        res,
        derivation=Derivation(source, source_resource, derivation.rules, derivation.accepted_risk),
    )
