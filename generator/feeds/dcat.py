"""DCAT-AP 3.0.1 catalog of the portal, as /catalog.jsonld and /catalog.ttl.

The graph is assembled once as plain nodes (every node has an IRI: no blank nodes, so
both serializations are stable from build to build), written as compact JSON-LD with an
inline context (harvesters need not fetch anything) and, through rdflib, as Turtle.

Non-open datasets are catalogued with dct:accessRights RESTRICTED or NON_PUBLIC and a
single distribution that points to the way to apply, never to a file. What is and is not
downloadable comes from :mod:`generator.records`, which asks the policy module.

The node model and the text of each node are in :mod:`generator.feeds.rdfgraph`.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

from ..catalog.attribution import attribution
from ..data.records import (
    DatasetRecord,
    Download,
    newest,
    page_path,
    parse_partial_date,
    status_notice,
)
from ..i18n import translate
from ..model import Catalog, License, Publisher, RemoteResource, Theme
from ..policy import ADMS_STATUS, Status, publishes_schema
from ..runtime.output import OutputTree, WrittenFile
from ..tombstones import Tombstone
from .rdfgraph import (  # IRI_SAFE, serialize and turtle_string: for the tests, from here too
    IRI,
    IRI_SAFE,
    Graph,
    Lit,
    Node,
    date,
    serialize,
    texts,
    turtle_string,
)

__all__ = ["IRI", "IRI_SAFE", "Lit", "Node", "serialize", "turtle_string", "write_catalogs"]

PREFIXES: dict[str, str] = {
    "adms": "http://www.w3.org/ns/adms#",
    "dcat": "http://www.w3.org/ns/dcat#",
    "dcatap": "http://data.europa.eu/r5r/",
    "dct": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "locn": "http://www.w3.org/ns/locn#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "spdx": "http://spdx.org/rdf/terms#",
    "vcard": "http://www.w3.org/2006/vcard/ns#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}

# Formats of remote resources with an EU file-type code; others are listed without one.
REMOTE_FILE_TYPES = {
    "csv": "CSV",
    "json": "JSON",
    "xlsx": "XLSX",
    "xls": "XLS",
    "xml": "XML",
    "pdf": "PDF",
    "zip": "ZIP",
    "html": "HTML",
    "geojson": "GEOJSON",
    "shp": "SHP",
    "rdf": "RDF_XML",
    "ttl": "RDF_TURTLE",
}

EU = "http://publications.europa.eu/resource/authority/"
IANA = "https://www.iana.org/assignments/media-types/"
LANGUAGES = {"zh": (EU + "language/ZHO", "Chinese"), "en": (EU + "language/ENG", "English")}

# Site frequency ids -> EU frequency vocabulary (codes and English labels).
EU_FREQUENCIES = {
    "realtime": ("UPDATE_CONT", "continuously updated"),
    "continuous": ("UPDATE_CONT", "continuously updated"),
    "hourly": ("HOURLY", "hourly"),
    "daily": ("DAILY", "daily"),
    "weekly": ("WEEKLY", "weekly"),
    "biweekly": ("BIWEEKLY", "biweekly"),
    "monthly": ("MONTHLY", "monthly"),
    "quarterly": ("QUARTERLY", "quarterly"),
    "semiannual": ("ANNUAL_2", "semiannual"),
    "yearly": ("ANNUAL", "annual"),
    "annual": ("ANNUAL", "annual"),
    "irregular": ("IRREG", "irregular"),
}

# Site theme ids -> EU data-theme vocabulary. Themes not listed here are still published
# in the portal's own concept scheme, just without an EU equivalent.
EU_THEMES = {
    "agriculture": ("AGRI", "Agriculture, fisheries, forestry and food"),
    "economy": ("ECON", "Economy and finance"),
    "market": ("ECON", "Economy and finance"),
    "education": ("EDUC", "Education, culture and sport"),
    "culture": ("EDUC", "Education, culture and sport"),
    "tourism": ("EDUC", "Education, culture and sport"),
    "energy": ("ENER", "Energy"),
    "environment": ("ENVI", "Environment"),
    "weather": ("ENVI", "Environment"),
    "government": ("GOVE", "Government and public sector"),
    "health": ("HEAL", "Health"),
    "international": ("INTR", "International issues"),
    "public-safety": ("JUST", "Justice, legal system and public safety"),
    "justice": ("JUST", "Justice, legal system and public safety"),
    "housing": ("REGI", "Regions and cities"),
    "regions": ("REGI", "Regions and cities"),
    "population": ("SOCI", "Population and society"),
    "social": ("SOCI", "Population and society"),
    "science": ("TECH", "Science and technology"),
    "transport": ("TRAN", "Transport"),
}

ACCESS_RIGHT_LABELS = {"PUBLIC": "public", "RESTRICTED": "restricted", "NON_PUBLIC": "non-public"}
SHA256 = "spdx:checksumAlgorithm_sha256"
OPENAPI_31 = "https://spec.openapis.org/oas/v3.1.0"


def _licence_type(lic: License) -> tuple[str, str] | None:
    """ADMS licence type of a licence, from its name (None when unknown)."""
    name = lic.name.upper()
    if name.startswith("CC0") or "PDDL" in name or "PUBLIC DOMAIN" in name:
        return ("PublicDomain", "Public domain")
    if "-NC" in name:
        return ("NonCommercialUseOnly", "Non-commercial use only")
    if "-ND" in name:
        return ("NoDerivativeWork", "No derivative work")
    if "-SA" in name or "ODBL" in name:
        return ("ShareAlike", "Share-alike")
    if "BY" in name or "ODC-BY" in name:
        return ("Attribution", "Attribution")
    return None


T = TypeVar("T")


def _once(method: Callable[..., T]) -> Callable[..., T]:
    """A CatalogBuilder method that adds a shared vocabulary node (a language, a file
    type, an EU concept) and returns its IRI: its nodes are made on the first call with
    these arguments, and later calls return the IRI. Calling it again only added the same
    values again (a no-op), once or more per distribution of every dataset."""

    @functools.wraps(method)
    def once(self: CatalogBuilder, *args: Any) -> T:
        key = (method.__name__, *args)
        found = self.made.get(key)
        if found is None:
            found = self.made[key] = method(self, *args)
        return found

    return once


class CatalogBuilder:
    def __init__(
        self,
        catalog: Catalog,
        records: list[DatasetRecord],
        tombstones: Sequence[Tombstone] = (),
    ) -> None:
        self.tombstones = tombstones
        self.catalog = catalog
        self.site = catalog.site
        self.base = catalog.site.base_url
        self.records = records
        self.g = Graph()
        self.made: dict[tuple[Any, ...], Any] = {}  # what the @_once methods returned
        # the shared nodes every dataset of a publisher or licence points to, made once:
        # making one again added the same values again, a no-op, for every distribution
        self.agents: dict[str, tuple[Publisher, IRI]] = {}
        self.licences: dict[License, IRI] = {}
        # showcases (成果展示) that use each dataset: dct:isReferencedBy their pages
        self.showcases: dict[str, list[str]] = {}
        for item in catalog.showcases:
            for ds_id in item.datasets:
                self.showcases.setdefault(ds_id, []).append(f"{self.base}showcases/{item.id}/")

    # --- shared concepts -------------------------------------------------------------
    def concept(self, iri: str, label_en: str, scheme: str, *types: str) -> IRI:
        node = self.g.node(iri, "skos:Concept", *types)
        node.add("skos:prefLabel", Lit(label_en, "en"))
        node.add("skos:inScheme", IRI(scheme))
        return IRI(iri)

    @_once
    def eu_scheme(self, name: str, title: str) -> str:
        iri = EU + name
        self.g.node(iri, "skos:ConceptScheme").add("dct:title", Lit(title, "en"))
        return iri

    @_once
    def language(self, lang: str) -> IRI:
        iri, label = LANGUAGES[lang]
        node = self.g.node(iri, "dct:LinguisticSystem")
        node.add("skos:prefLabel", Lit(label, "en"))
        return IRI(iri)

    @_once
    def media_type(self, media: str) -> IRI:
        iri = IANA + media
        self.g.node(iri, "dct:MediaType").add("rdfs:label", Lit(media))
        return IRI(iri)

    @_once
    def file_type(self, code: str) -> IRI:
        iri = EU + "file-type/" + code
        self.g.node(iri, "dct:MediaTypeOrExtent").add("rdfs:label", Lit(code))
        return IRI(iri)

    @_once
    def access_right(self, iri: str) -> IRI:
        code = iri.rsplit("/", 1)[-1]
        scheme = self.eu_scheme("access-right", "Access right")
        return self.concept(iri, ACCESS_RIGHT_LABELS.get(code, code), scheme, "dct:RightsStatement")

    @_once
    def dataset_status(self, state: Status) -> IRI:
        scheme = self.eu_scheme("dataset-status", "Dataset status")
        iri = ADMS_STATUS[state]
        return self.concept(iri, iri.rsplit("/", 1)[-1].lower(), scheme)

    @_once
    def availability(self) -> IRI:
        scheme = self.eu_scheme("planned-availability", "Planned availability")
        return self.concept(EU + "planned-availability/STABLE", "stable", scheme)

    def licence(self, lic: License) -> IRI:
        made = self.licences.get(lic)
        if made is not None and made in self.g.nodes:  # (not one dataset's node, written)
            return made
        made = self.licences[lic] = self._licence(lic)
        return made

    def _licence(self, lic: License) -> IRI:
        iri = lic.path or self.base + "#licence-" + hashlib.sha1(lic.name.encode()).hexdigest()[:12]
        node = self.g.node(iri, "dct:LicenseDocument")
        node.add("dct:title", Lit(lic.title or lic.name, "zh"))
        node.add("dct:identifier", Lit(lic.name))
        kind = _licence_type(lic)
        if kind:
            scheme = "http://purl.org/adms/licencetype/1.1"
            self.g.node(scheme, "skos:ConceptScheme").add("dct:title", Lit("Licence type", "en"))
            node.add(
                "dct:type",
                self.concept("http://purl.org/adms/licencetype/" + kind[0], kind[1], scheme),
            )
        return IRI(iri)

    def document(self, url: str) -> IRI:
        self.g.node(url, "foaf:Document")
        return IRI(url)

    def location(self, name: str) -> IRI:
        iri = self.base + "#place-" + hashlib.sha1(name.encode()).hexdigest()[:12]
        node = self.g.node(iri, "dct:Location")
        node.add("skos:prefLabel", Lit(name, "zh"))
        node.add("locn:geographicName", Lit(name, "zh"))
        return IRI(iri)

    @_once
    def agent_type(self) -> IRI:
        scheme = "http://purl.org/adms/publishertype/1.0"
        self.g.node(scheme, "skos:ConceptScheme").add("dct:title", Lit("Publisher type", "en"))
        return self.concept(
            "http://purl.org/adms/publishertype/LocalAuthority", "Local Authority", scheme
        )

    # --- agents and themes -----------------------------------------------------------
    def portal_agent(self) -> IRI:
        contact = self.site.contact
        iri = self.base + "#publisher"
        node = self.g.node(iri, "foaf:Agent", "foaf:Organization")
        name = contact.name if contact.name.zh else self.site.title
        node.add("foaf:name", *texts(name.zh, name.en))
        node.add("dct:type", self.agent_type())
        if contact.email:
            node.add("foaf:mbox", IRI("mailto:" + contact.email))
        node.add("foaf:homepage", self.document(self.base))
        return IRI(iri)

    def publisher(self, rec: DatasetRecord) -> IRI | None:
        return self.agent(rec.publisher)

    def agent(self, pub: Publisher | None) -> IRI | None:
        if pub is None:
            return None
        found = self.agents.get(pub.id)
        if found is None or found[0] is not pub or found[1] not in self.g.nodes:
            found = self.agents[pub.id] = (pub, self._agent(pub))
        return found[1]

    def _agent(self, pub: Publisher) -> IRI:
        iri = f"{self.base}publishers/{pub.id}/#agent"
        node = self.g.node(iri, "foaf:Agent", "foaf:Organization")
        node.add("foaf:name", *texts(pub.name.zh, pub.name.en))
        node.add("dct:type", self.agent_type())
        node.add("dct:identifier", Lit(pub.code))
        node.add("foaf:homepage", self.document(f"{self.base}publishers/{pub.id}/"))
        if pub.contact.email:
            node.add("foaf:mbox", IRI("mailto:" + pub.contact.email))
        return IRI(iri)

    def theme_scheme(self) -> str:
        iri = self.base + "themes/#scheme"
        node = self.g.node(iri, "skos:ConceptScheme")
        node.add("dct:title", Lit(f"{self.site.title.zh}数据领域", "zh"))
        if self.site.title.en:
            node.add("dct:title", Lit(f"{self.site.title.en} themes", "en"))
        return iri

    def themes(self, rec: DatasetRecord) -> list[IRI]:
        return self.concepts(rec.theme)

    def concepts(self, theme: Theme | None) -> list[IRI]:
        if theme is None:
            return []
        scheme = self.theme_scheme()
        iri = f"{self.base}themes/{theme.id}/#concept"
        node = self.g.node(iri, "skos:Concept")
        node.add("skos:prefLabel", *texts(theme.label.zh, theme.label.en))
        node.add("skos:inScheme", IRI(scheme))
        found = [IRI(iri)]
        eu = EU_THEMES.get(theme.id)
        if eu:
            eu_scheme = self.eu_scheme("data-theme", "Data theme")
            eu_iri = self.concept(EU + "data-theme/" + eu[0], eu[1], eu_scheme)
            node.add("skos:closeMatch", eu_iri)
            found.append(eu_iri)
        return found

    def frequency(self, rec: DatasetRecord) -> IRI | None:
        eu = EU_FREQUENCIES.get(rec.ds.update_frequency)
        if eu is None:
            return None
        iri = EU + "frequency/" + eu[0]
        self.g.node(iri, "dct:Frequency").add("skos:prefLabel", Lit(eu[1], "en"))
        return IRI(iri)

    def contact(self, rec: DatasetRecord) -> IRI:
        c = rec.contact
        iri = rec.page_url() + "#contact"
        node = self.g.node(iri, "vcard:Kind", "vcard:Organization")
        node.add("vcard:fn", *texts(c.name.zh, c.name.en))
        if c.email:
            node.add("vcard:hasEmail", IRI("mailto:" + c.email))
        if c.url:
            node.add("vcard:hasURL", IRI(c.url))
        return IRI(iri)

    # --- datasets and distributions --------------------------------------------------
    def distribution(self, rec: DatasetRecord, d: Download) -> IRI:
        slug = f"{d.resource}-{d.format.key}" if d.resource else "package"
        iri = f"{rec.page_url()}#{slug}"
        node = self.g.node(iri, "dcat:Distribution")
        if d.resource:
            node.add("dct:title", Lit(f"{d.title}（{d.format.label_zh}）", "zh"))
            node.add("dct:title", Lit(f"{d.title} ({d.format.label_en})", "en"))
        else:
            node.add("dct:title", Lit(f"{rec.ds.title.zh}：完整数据包", "zh"))
            node.add("dct:title", Lit(f"{rec.ds.title.en or rec.ds.id}: data package", "en"))
        node.add("dct:description", Lit(d.format.label_zh, "zh"), Lit(d.format.label_en, "en"))
        node.add("dcat:accessURL", IRI(rec.page_url()))
        node.add("dcat:downloadURL", IRI(d.url))
        node.add("dct:format", self.file_type(d.format.eu_file_type))
        if d.resource:
            node.add("dcat:mediaType", self.media_type(d.media_type))
        else:
            node.add("dcat:packageFormat", self.media_type(d.media_type))
        node.add("dcat:byteSize", Lit(str(d.size), datatype="xsd:nonNegativeInteger"))
        checksum = self.g.node(iri + "-sha256", "spdx:Checksum")
        checksum.add("spdx:algorithm", IRI(PREFIXES["spdx"] + "checksumAlgorithm_sha256"))
        checksum.add("spdx:checksumValue", Lit(d.sha256, datatype="xsd:hexBinary"))
        node.add("spdx:checksum", IRI(checksum.iri))
        if rec.license:
            node.add("dct:license", self.licence(rec.license))
        node.add("dcatap:availability", self.availability())
        node.add("dct:issued", date(rec.ds.issued.isoformat()))
        node.add("dct:modified", date(rec.ds.modified.isoformat()))
        node.add("dct:language", self.language("zh"))
        if rec.datapackage_url and d.resource:
            node.add(
                "dct:conformsTo",
                self.standard(rec.datapackage_url, "Frictionless Table Schema (datapackage.json)"),
            )
        node.add("dcat:accessService", IRI(self.service_iri))
        return IRI(iri)

    def standard(self, url: str, title: str) -> IRI:
        self.g.node(url, "dct:Standard").add("dct:title", Lit(title, "en"))
        return IRI(url)

    def access_distribution(self, rec: DatasetRecord) -> IRI:
        """How to get data that is not downloadable: the application channel."""
        iri = rec.page_url() + "#access"
        node = self.g.node(iri, "dcat:Distribution")
        node.add("dct:title", Lit("依申请获取", "zh"), Lit("Available on application", "en"))
        conditional = rec.ds.open_type.value == "conditional"
        node.add(
            "dct:description",
            Lit(
                "有条件开放数据，符合开放条件者可申请获取"
                if conditional
                else "非开放数据，可依法申请",
                "zh",
            ),
            Lit(
                "Open on conditions: applicants who meet them may request the data"
                if conditional
                else "Not open: the data may be requested under the applicable rules",
                "en",
            ),
        )
        apply = self.site.channels.get("apply")
        node.add("dcat:accessURL", IRI(apply.url if apply and apply.url else rec.page_url()))
        node.add("dct:format", self.file_type("HTML"))
        node.add("dcatap:availability", self.availability())
        node.add("foaf:page", self.document(rec.page_url()))
        basis = "；".join(x for x in (rec.ds.open_conditions, rec.ds.legal_basis) if x)
        if basis:
            rights = self.g.node(rec.page_url() + "#rights", "dct:RightsStatement")
            if rec.ds.open_conditions:
                rights.add("rdfs:label", Lit(f"开放条件：{rec.ds.open_conditions}", "zh"))
            if rec.ds.legal_basis:
                rights.add("rdfs:label", Lit(f"法律法规依据：{rec.ds.legal_basis}", "zh"))
            node.add("dct:rights", IRI(rights.iri))
        return IRI(iri)

    def status_distribution(self, rec: DatasetRecord) -> IRI:
        """While a status suspends or withdraws the data: the page that says why and when."""
        iri = rec.page_url() + "#status"
        node = self.g.node(iri, "dcat:Distribution")
        state = rec.ds.status.state
        node.add("dct:title", Lit(state.label_zh, "zh"), Lit(state.label_en, "en"))
        node.add(
            "dct:description", *texts(status_notice(rec.ds, "zh"), status_notice(rec.ds, "en"))
        )
        node.add("dcat:accessURL", IRI(rec.page_url()))
        node.add("dct:format", self.file_type("HTML"))
        node.add("adms:status", self.dataset_status(state))
        node.add("dcatap:availability", self.availability())
        lic = rec.ds.licenses[0] if rec.ds.licenses else self.site.default_license
        if lic is not None:
            node.add("dct:license", self.licence(lic))
        node.add("foaf:page", self.document(rec.page_url()))
        return IRI(iri)

    def dataset(self, rec: DatasetRecord) -> IRI:
        ds = rec.ds
        iri = self.dataset_iri(rec)
        node = self.g.node(iri, "dcat:Dataset")
        node.add("dct:title", *texts(ds.title.zh, ds.title.en))
        node.add("dct:description", *texts(ds.description.zh, ds.description.en))
        node.add("dct:identifier", Lit(rec.identifier))
        node.add("dcat:keyword", *(Lit(k, "zh") for k in rec.keywords))
        node.add("dct:publisher", self.publisher(rec))
        node.add("dct:creator", self.publisher(rec))
        node.add("dcat:contactPoint", self.contact(rec))
        node.add("dcat:theme", *self.themes(rec))
        node.add("dct:accessRights", self.access_right(rec.access_rights))
        node.add("dct:accrualPeriodicity", self.frequency(rec))
        node.add("dct:issued", date(ds.issued.isoformat()))
        node.add("dct:modified", date(ds.modified.isoformat()))
        node.add("dct:language", self.language("zh"))
        node.add(
            "dcat:landingPage", *(self.document(rec.page_url(lg)) for lg in self.site.languages)
        )
        if ds.spatial:
            node.add("dct:spatial", self.location(ds.spatial))
        if rec.temporal:
            period = self.g.node(rec.page_url() + "#temporal", "dct:PeriodOfTime")
            period.add("dcat:startDate", date(rec.temporal[0]))
            period.add("dcat:endDate", date(rec.temporal[1]))
            node.add("dct:temporal", IRI(period.iri))
        if rec.open and not rec.all_files and not ds.status.publishes_data:
            node.add("dcat:distribution", self.status_distribution(rec))
        elif rec.open:
            node.add("dcat:distribution", *(self.distribution(rec, d) for d in rec.all_files))
            node.add("dcat:distribution", *(self.remote(rec, r) for r in ds.remote_resources))
            if rec.datapackage_url:
                node.add("foaf:page", self.document(rec.datapackage_url))
        else:
            node.add("dcat:distribution", self.access_distribution(rec))
        node.add("foaf:page", self.document(rec.api_url))
        if not ds.status.normal:  # suspended, withdrawn or under objection, and why
            node.add("adms:status", self.dataset_status(ds.status.state))
            node.add("adms:versionNotes", *texts(status_notice(ds, "zh"), status_notice(ds, "en")))
        if rec.source_id:  # a desensitised derivative of a dataset in this catalog
            node.add("dct:source", IRI(f"{self.base}datasets/{rec.source_id}/#dataset"))
        node.add("dct:isReferencedBy", *(IRI(u) for u in self.showcases.get(rec.id, ())))
        if ds.harvest is not None:  # harvested: the dataset at its own portal
            if ds.harvest.original.startswith(("https://", "http://")):
                node.add("dct:source", IRI(ds.harvest.original))
            ident = self.g.node(f"{rec.page_url()}#harvested-identifier", "adms:Identifier")
            ident.add("skos:notation", Lit(ds.harvest.identifier or ds.harvest.original))
            ident.add("dct:creator", Lit(ds.harvest.portal))
            node.add("adms:identifier", IRI(ident.iri))
        if publishes_schema(ds.open_type):
            self.credit(rec, node)
        return IRI(iri)

    def removed(self, stone: Tombstone) -> IRI:
        """A dataset removed from the catalog (tombstones.py): withdrawn, with when and why,
        its successor, and its tombstone page as the one distribution left."""
        page = self.base + stone.page_path
        notice = texts(stone.notice("zh"), stone.notice("en"))
        withdrawn = self.dataset_status(Status.WITHDRAWN)
        title = translate("tombstone_title", "zh", title=stone.title.zh)
        title_en = (
            translate("tombstone_title", "en", title=stone.title.en) if stone.title.en else ""
        )
        node = self.g.node(page + "#dataset", "dcat:Dataset")
        node.add("dct:title", *texts(title, title_en))
        node.add("dct:description", *notice)
        node.add("dct:identifier", Lit(stone.dataset))
        node.add("dcat:keyword", Lit(stone.title.zh, "zh"))
        node.add("dct:modified", date(stone.removed.isoformat()))
        node.add(
            "dct:publisher",
            self.agent(self.catalog.publishers.get(stone.publisher)) or self.portal_agent(),
        )
        contact = self.g.node(page + "#contact", "vcard:Kind", "vcard:Organization")
        name = self.site.contact.name if self.site.contact.name.zh else self.site.title
        contact.add("vcard:fn", *texts(name.zh, name.en))
        if self.site.contact.email:
            contact.add("vcard:hasEmail", IRI("mailto:" + self.site.contact.email))
        node.add("dcat:contactPoint", IRI(contact.iri))
        node.add("dcat:theme", *self.concepts(self.site.themes.get(stone.theme)))
        node.add("dct:accessRights", self.access_right(EU + "access-right/NON_PUBLIC"))
        node.add("adms:status", withdrawn)
        node.add("adms:versionNotes", *notice)
        node.add(
            "dcat:landingPage",
            *(
                self.document(self.base + page_path(stone.page_path, lg))
                for lg in self.site.languages
            ),
        )
        if stone.spatial:
            node.add("dct:spatial", self.location(stone.spatial))
        period = [parse_partial_date(v) for v in stone.temporal or ()]
        if len(period) == 2 and all(period):
            when = self.g.node(page + "#temporal", "dct:PeriodOfTime")
            when.add("dcat:startDate", date(period[0]))
            when.add("dcat:endDate", date(period[1]))
            node.add("dct:temporal", IRI(when.iri))
        if stone.successor:
            node.add("dct:isReplacedBy", IRI(f"{self.base}datasets/{stone.successor}/#dataset"))
        dist = self.g.node(page + "#removed", "dcat:Distribution")
        dist.add("dct:title", *texts("已移除", "Removed"))
        dist.add("dct:description", *notice)
        dist.add("dcat:accessURL", IRI(page))
        dist.add("dct:format", self.file_type("HTML"))
        dist.add("adms:status", withdrawn)
        dist.add("dcatap:availability", self.availability())
        if self.site.default_license:
            dist.add("dct:license", self.licence(self.site.default_license))
        node.add("dcat:distribution", IRI(dist.iri))
        return IRI(node.iri)

    def credit(self, rec: DatasetRecord, node: Node) -> None:
        """A package's own sources (dct:source) and contributors (dct:creator)."""
        credit = attribution(rec.ds.descriptor)
        page = rec.page_url()
        for n, src in enumerate(credit.sources, start=1):
            source = self.g.node(f"{page}#source-{n}", "dcat:Dataset")
            source.add("dct:title", Lit(src.title))
            source.add("dct:description", Lit(src.title))
            if src.path:
                source.add("foaf:page", self.document(src.path))
            node.add("dct:source", IRI(source.iri))
        for n, who in enumerate(credit.contributors, start=1):
            agent = self.g.node(f"{page}#contributor-{n}", "foaf:Agent")
            agent.add("foaf:name", Lit(who.title))
            if who.email:
                agent.add("foaf:mbox", IRI("mailto:" + who.email))
            if who.path:
                agent.add("foaf:homepage", self.document(who.path))
            node.add("dct:creator", IRI(agent.iri))
        if credit.version:
            node.add("dcat:version", Lit(credit.version))

    def remote(self, rec: DatasetRecord, res: RemoteResource) -> IRI:
        """A remote resource (harvested): its link at the source, never fetched."""
        node = self.g.node(f"{rec.page_url()}#remote-{res.name}", "dcat:Distribution")
        node.add("dct:title", Lit(res.title, "zh"))
        node.add("dcat:accessURL", IRI(res.url))
        code = REMOTE_FILE_TYPES.get(res.format.lower())
        if code:
            node.add("dct:format", self.file_type(code))
        if res.bytes is not None:
            node.add("dcat:byteSize", Lit(str(res.bytes), datatype="xsd:nonNegativeInteger"))
        if rec.license:
            node.add("dct:license", self.licence(rec.license))
        return IRI(node.iri)

    # --- the catalog -----------------------------------------------------------------
    @property
    def service_iri(self) -> str:
        return self.base + "api/#service"

    def service(self, datasets: list[DatasetRecord]) -> IRI:
        node = self.g.node(self.service_iri, "dcat:DataService")
        node.add("dct:title", Lit(f"{self.site.title.zh}静态 JSON API", "zh"))
        if self.site.title.en:
            node.add("dct:title", Lit(f"{self.site.title.en} static JSON API", "en"))
        node.add(
            "dct:description",
            Lit("目录、数据集、提供部门和领域的只读 JSON 文档，说明见 OpenAPI 描述。", "zh"),
            Lit(
                "Read-only JSON documents for the catalog, datasets, publishers and themes, "
                "described by an OpenAPI document.",
                "en",
            ),
        )
        node.add("dcat:endpointURL", IRI(self.base + "api/v1/index.json"))
        node.add("dcat:endpointDescription", IRI(self.base + "api/v1/openapi.json"))
        node.add("dct:conformsTo", self.standard(OPENAPI_31, "OpenAPI Specification 3.1.0"))
        node.add("dct:publisher", IRI(self.base + "#publisher"))
        node.add("dcat:keyword", Lit("API", "en"), Lit("开放数据", "zh"))
        scheme = self.eu_scheme("data-theme", "Data theme")
        node.add(
            "dcat:theme",
            self.concept(EU + "data-theme/GOVE", "Government and public sector", scheme),
        )
        node.add("dcat:landingPage", self.document(self.base + "api/"))
        contact = self.g.node(self.base + "#contact", "vcard:Kind", "vcard:Organization")
        site_contact = self.site.contact
        name = site_contact.name if site_contact.name.zh else self.site.title
        contact.add("vcard:fn", *texts(name.zh, name.en))
        if site_contact.email:
            contact.add("vcard:hasEmail", IRI("mailto:" + site_contact.email))
        node.add("dcat:contactPoint", IRI(contact.iri))
        if self.site.default_license:
            node.add("dct:license", self.licence(self.site.default_license))
        node.add("dct:accessRights", self.access_right(EU + "access-right/PUBLIC"))
        node.add("dcat:servesDataset", *(IRI(self.dataset_iri(r)) for r in datasets if r.open))
        return IRI(self.service_iri)

    def nodes(self) -> Iterator[Node]:
        """Every node: the catalog and the API service, each dataset with its own
        nodes, then the shared ones."""
        site = self.site
        g = self.g
        cat = g.node(self.base + "#catalog", "dcat:Catalog")
        cat.add("dct:title", *texts(site.title.zh, site.title.en))
        description = site.description if site.description.zh else site.title
        cat.add("dct:description", *texts(description.zh, description.en))
        cat.add("dct:publisher", self.portal_agent())
        cat.add("foaf:homepage", self.document(self.base))
        cat.add("dct:language", *(self.language(lg) for lg in site.languages if lg in LANGUAGES))
        if site.default_license:
            cat.add("dct:license", self.licence(site.default_license))
        issued = min((r.ds.issued for r in self.records), default=None)
        modified = newest(self.records)
        if issued:
            cat.add("dct:issued", date(issued.isoformat()))
        if modified:
            cat.add("dct:modified", date(modified.isoformat()))
        cat.add("dcat:themeTaxonomy", IRI(self.theme_scheme()))
        if any(r.theme and r.theme.id in EU_THEMES for r in self.records):
            cat.add("dcat:themeTaxonomy", IRI(self.eu_scheme("data-theme", "Data theme")))
        cat.add("dcat:dataset", *(IRI(self.dataset_iri(r)) for r in self.records))
        cat.add(
            "dcat:dataset", *(IRI(self.base + t.page_path + "#dataset") for t in self.tombstones)
        )
        cat.add(
            "dct:spatial",
            *(
                self.location(s)
                for s in sorted({r.ds.spatial for r in self.records if r.ds.spatial})
            ),
        )
        cat.add("dcat:service", self.service(self.records))
        yield g.nodes.pop(cat.iri)
        yield g.nodes.pop(self.service_iri)
        for rec in self.records:
            pages = [rec.page_url(lg) for lg in site.languages]
            g.local_prefixes = tuple(p for p in (*pages, rec.api_url, rec.datapackage_url) if p)
            self.dataset(rec)
            yield from g.take(g.local)
        for stone in self.tombstones:
            g.local_prefixes = tuple(
                self.base + page_path(stone.page_path, lg) for lg in self.site.languages
            )
            self.removed(stone)
            yield from g.take(g.local)
        g.local_prefixes = ()
        yield from g.take(g.nodes)

    def dataset_iri(self, rec: DatasetRecord) -> str:
        return rec.page_url() + "#dataset"


# --- the files (each node's two texts: rdfgraph.serialize) ----------------------------
def catalog_nodes(
    catalog: Catalog, records: list[DatasetRecord], tombstones: Sequence[Tombstone] = ()
) -> Iterator[Node]:
    return CatalogBuilder(catalog, records, tombstones).nodes()


def write_catalogs(
    catalog: Catalog,
    records: list[DatasetRecord],
    out: OutputTree,
    tombstones: Sequence[Tombstone] = (),
) -> list[WrittenFile]:
    """catalog.jsonld and catalog.ttl, written node by node side by side."""
    context = json.dumps(dict(sorted(PREFIXES.items())), indent=1).replace("\n", "\n ")
    with (
        open(out.path_for_stream("catalog.jsonld"), "w", encoding="utf-8", newline="\n") as jl,
        open(out.path_for_stream("catalog.ttl"), "w", encoding="utf-8", newline="\n") as ttl,
    ):
        jl.write('{\n "@context": ' + context + ',\n "@graph": [')
        ttl.write("".join(f"@prefix {p}: <{ns}> .\n" for p, ns in sorted(PREFIXES.items())))
        for i, node in enumerate(catalog_nodes(catalog, records, tombstones)):
            doc, block = serialize(node)  # one node per line
            jl.write(("\n  " if i == 0 else ",\n  ") + doc)
            ttl.write("\n" + block)
        jl.write("\n ]\n}\n")
    return [out.register("catalog.jsonld"), out.register("catalog.ttl")]
