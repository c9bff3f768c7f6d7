"""/stats/evaluation/: 开放评价 per department and the portal's self-assessment.

Per department: datasets and rows published, open rate, metadata completeness, data
errors, update timeliness against the declared frequency, and how requests were answered.
For the portal: the items of the 中国开放数林指数 platform and data layers that a build
can verify, each passed or not with the datasets that fail it.

Only counts are published, and row counts only of open data (which its pages show
anyway). Like /stats/, the open rate counts every catalogued dataset, hidden closed ones
too, so hiding a dataset never flatters a department.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from ..i18n import translate
from ..model import Catalog, Publisher
from ..policy import OpenType
from .reuse import ReplyFigures, reply_figures
from .stats import _csv
from .views import DatasetView

LOW_CAPACITY_CELLS = 1000  # rows × fields below this: 容量低 (a table of a few lines)
MACHINE_READABLE = {"csv", "json", "xlsx"}


@dataclass(frozen=True)
class DepartmentRow:
    publisher: Publisher
    catalogued: int
    listed: int
    open: int
    rows: int
    completeness: int  # percent, mean over listed datasets
    errors: int
    with_frequency: int
    on_time: int
    replies: ReplyFigures

    @property
    def open_rate_text(self) -> str:
        return f"{self.open / self.catalogued * 100:.1f}%" if self.catalogued else "—"

    @property
    def timeliness_text(self) -> str:
        if not self.with_frequency:
            return "—"
        return f"{self.on_time / self.with_frequency * 100:.1f}%"


@dataclass(frozen=True)
class CheckItem:
    key: str  # i18n key eval_item_<key>
    layer: str  # platform or data
    passed: bool
    failing: tuple[DatasetView, ...] = ()
    note: str = ""


@dataclass(frozen=True)
class Evaluation:
    departments: tuple[DepartmentRow, ...]
    checklist: tuple[CheckItem, ...]
    replies: ReplyFigures

    @property
    def passed(self) -> int:
        return sum(1 for item in self.checklist if item.passed)


def _rows(view: DatasetView) -> int:
    return sum(r.rows for r in view.resources)


def _capacity(view: DatasetView) -> int:
    return sum(r.rows * len(r.fields) for r in view.resources)


def evaluate(catalog: Catalog, views: Sequence[DatasetView], lang: str) -> Evaluation:
    by_pub: dict[str, list[DatasetView]] = defaultdict(list)
    for view in views:
        by_pub[view.ds.publisher].append(view)
    catalogued: dict[str, list[OpenType]] = defaultdict(list)
    for ds in catalog.datasets:
        catalogued[ds.publisher].append(ds.open_type)
    requests = defaultdict(list)
    for record in catalog.requests:
        requests[record.publisher].append(record)
    departments = []
    for pub in catalog.publishers.values():
        mine = by_pub.get(pub.id, [])
        timed = [
            v
            for v in mine
            if (f := catalog.site.frequencies.get(v.ds.update_frequency)) and f.days is not None
        ]
        qualities = [v.quality for v in mine if v.quality is not None]
        departments.append(
            DepartmentRow(
                publisher=pub,
                catalogued=len(catalogued.get(pub.id, [])),
                listed=len(mine),
                open=sum(1 for t in catalogued.get(pub.id, []) if t is OpenType.OPEN),
                rows=sum(_rows(v) for v in mine),
                completeness=round(sum(q.completeness for q in qualities) / len(qualities) * 100)
                if qualities
                else 0,
                errors=sum(q.errors or 0 for q in qualities),
                with_frequency=len(timed),
                on_time=sum(1 for v in timed if not v.overdue),
                replies=reply_figures(requests.get(pub.id, [])),
            )
        )
    return Evaluation(
        tuple(departments), checklist(catalog, views, lang), reply_figures(catalog.requests)
    )


def checklist(catalog: Catalog, views: Sequence[DatasetView], lang: str) -> tuple[CheckItem, ...]:
    site = catalog.site
    open_views = [v for v in views if v.shows_data]
    channels = site.channels

    def item(
        key: str, layer: str, failing: list[DatasetView], ok: bool = True, note: str = ""
    ) -> CheckItem:
        return CheckItem(key, layer, ok and not failing, tuple(failing), note)

    unreplied = [r for r in catalog.requests if r.replied is None]
    t = lambda key, **kw: translate(key, lang, **kw)  # noqa: E731
    return (
        item("relation", "platform", [v for v in views if v.publisher is None]),
        item(
            "preview",
            "platform",
            [v for v in open_views if not any(r.preview for r in v.resources)],
        ),
        item(
            "access",
            "platform",
            [
                v
                for v in open_views
                if not MACHINE_READABLE & {f for r in v.resources for f in r.files}
            ],
        ),
        item(
            "showcase",
            "platform",
            [],
            ok=bool(catalog.showcases) and "showcase" in channels,
            note=t("eval_note_showcase", n=len(catalog.showcases)),
        ),
        item(
            "feedback",
            "platform",
            [],
            ok="feedback" in channels and "request" in channels and not unreplied,
            note=t("eval_note_feedback", n=len(unreplied)),
        ),
        item("experience", "platform", [], ok="en" in site.languages and bool(site.terms.zh)),
        item(
            "capacity",
            "data",
            [v for v in open_views if _capacity(v) < LOW_CAPACITY_CELLS],
            note=t("eval_note_capacity", n=LOW_CAPACITY_CELLS),
        ),
        item(
            "quality",
            "data",
            [v for v in views if v.quality is not None and (v.quality.errors or 0) > 0],
        ),
        item(
            "license",
            "data",
            [v for v in open_views if not v.ds.licenses and site.default_license is None],
        ),
        item("timeliness", "data", [v for v in views if v.overdue]),
        item(
            "scope",
            "data",
            [],
            ok="apply" in channels,
            note=t("eval_note_scope"),
        ),
    )


def evaluation_csv_files(evaluation: Evaluation, lang: str) -> dict[str, bytes]:
    t = lambda key, **kw: translate(key, lang, **kw)  # noqa: E731
    header = [
        "id",
        t("publisher"),
        t("eval_catalogued"),
        t("eval_listed"),
        t("eval_open_rate"),
        t("rows"),
        t("eval_completeness"),
        t("eval_errors"),
        t("eval_timeliness"),
        t("eval_requests"),
        t("eval_reply_rate"),
        t("eval_median_days"),
    ]
    body = [
        [
            d.publisher.id,
            d.publisher.name.get(lang),
            str(d.catalogued),
            str(d.listed),
            d.open_rate_text,
            str(d.rows),
            f"{d.completeness}%",
            str(d.errors),
            d.timeliness_text,
            str(d.replies.received),
            d.replies.rate_text,
            d.replies.median_text,
        ]
        for d in evaluation.departments
    ]
    checks = [[t("eval_layer"), t("eval_item"), t("eval_result"), t("eval_failing")]] + [
        [
            t(f"eval_layer_{c.layer}"),
            t(f"eval_item_{c.key}"),
            t("eval_pass") if c.passed else t("eval_fail"),
            " ".join(v.id for v in c.failing),
        ]
        for c in evaluation.checklist
    ]
    return {"evaluation.csv": _csv([header, *body]), "evaluation-checklist.csv": _csv(checks)}
