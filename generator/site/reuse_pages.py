"""The pages of issue 18, rendered by a :class:`~generator.site.render.Renderer`:
/tags/, /showcases/, /requests/, /terms/, /offer/ and /stats/evaluation/."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..catalog.markup import render_markdown
from ..model import REQUEST_KINDS, SHOWCASE_KINDS
from .evaluation import evaluate, evaluation_csv_files
from .feedback import channel_links
from .reuse import licenses_in_use, reply_figures, tag_groups

if TYPE_CHECKING:
    from .render import Renderer


def render_reuse_pages(r: Renderer) -> None:
    catalog, views, lang = r.catalog, r.views, r.lang
    by_id = {v.id: v for v in views}
    groups = tag_groups(views)
    r.page("tags.html", "tags/", tags=[(tag, len(items)) for tag, items in groups])
    for tag, items in groups:
        r.paged("tag.html", f"tags/{tag.slug}/", items, tag=tag)
    showcases = list(catalog.showcases)
    submit = channel_links(catalog.site.channels.get("showcase"), None, r.t("showcase_submit"), "")
    r.page(
        "showcases.html",
        "showcases/",
        showcases=showcases,
        kinds=[k for k in SHOWCASE_KINDS if any(s.kind == k for s in showcases)],
        submit=submit,
    )
    for item in showcases:
        used = [by_id[i] for i in item.datasets if i in by_id]
        r.page("showcase.html", f"showcases/{item.id}/", showcase=item, used=used)
    publishers = catalog.publishers
    r.page(
        "requests.html",
        "requests/",
        records=list(catalog.requests),
        titles={v.id: v.ds.title for v in views},
        publishers=publishers,
        figures=reply_figures(catalog.requests),
        kinds=REQUEST_KINDS,
        request_links=channel_links(
            catalog.site.channels.get("request"), None, r.t("requests_subject"), ""
        ),
    )
    terms = catalog.site.terms.get(lang)
    r.page(
        "terms.html",
        "terms/",
        terms_html=render_markdown(terms) if terms else "",
        licenses=licenses_in_use(catalog, views),
    )
    r.page(
        "offer.html",
        "offer/",
        offer_links=channel_links(
            catalog.site.channels.get("offer"), None, r.t("offer_subject"), ""
        ),
    )
    evaluation = evaluate(catalog, views, lang)
    for name, data in evaluation_csv_files(evaluation, lang).items():
        r.out.write_bytes(f"{r.prefix}stats/{name}", data)
    r.page("evaluation.html", "stats/evaluation/", evaluation=evaluation)
