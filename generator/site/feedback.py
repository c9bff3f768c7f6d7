"""Feedback that works on a static site: links into the channels configured in site.yaml.

A static portal has no server to receive a form, so each action opens the data
authority's own channel with the dataset already filled in:

- a form URL gets the dataset id and title as query parameters (``dataset`` and
  ``title``), or in place of ``{id}`` and ``{title}`` when the URL contains them;
- an e-mail address becomes a ``mailto:`` link whose subject and body name the dataset,
  percent-encoded as RFC 6068 asks (UTF-8, spaces as %20, never ``+``).

Channels: ``feedback`` 数据纠错/异议, ``request`` 数据需求, ``apply`` 申请. Applications
for non-open data go to the portal's own /apply/<id>/ page, which explains the procedure.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

from ..i18n import translate
from ..model import Channel, Dataset, SiteConfig
from ..policy import can_apply


@dataclass(frozen=True)
class ChannelLink:
    href: str
    via: str  # "form", "email" or "page"


@dataclass(frozen=True)
class FeedbackAction:
    kind: str  # "feedback", "request", "apply"
    label: str
    hint: str
    links: tuple[ChannelLink, ...]


def form_url(url: str, dataset_id: str = "", title: str = "") -> str:
    """The form URL with the dataset in place of {id} and {title}, or appended as the
    query parameters ``dataset`` and ``title``; unchanged when there is no dataset."""
    if not dataset_id:
        return url
    if "{id}" in url or "{title}" in url:
        return url.replace("{id}", quote(dataset_id, safe="")).replace(
            "{title}", quote(title, safe="")
        )
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    query += [("dataset", dataset_id), ("title", title)]
    return urlunsplit(parts._replace(query=urlencode(query, quote_via=quote)))


def mailto(address: str, subject: str, body: str) -> str:
    body = body.replace("\r\n", "\n").replace("\n", "\r\n")
    return (
        f"mailto:{quote(address, safe='@')}"
        f"?subject={quote(subject, safe='')}&body={quote(body, safe='')}"
    )


def channel_links(
    channel: Channel | None, dataset: tuple[str, str] | None, subject: str, body: str
) -> list[ChannelLink]:
    """Links into one channel; ``dataset`` is (id, title) or None for a general request."""
    links: list[ChannelLink] = []
    if channel is None:
        return links
    if channel.url:
        links.append(ChannelLink(form_url(channel.url, *(dataset or ("", ""))), "form"))
    if channel.email:
        links.append(ChannelLink(mailto(channel.email, subject, body), "email"))
    return links


def dataset_actions(
    site: SiteConfig, ds: Dataset, page_url: str, apply_url: str, lang: str
) -> list[FeedbackAction]:
    """What a citizen can do about one dataset, each with its prefilled links."""
    title = ds.title.get(lang)
    values = (ds.id, title)
    fields = {"id": ds.id, "title": title, "url": page_url}
    body = translate("feedback_body", lang, **fields)

    def action(kind: str, links: list[ChannelLink]) -> FeedbackAction | None:
        if not links:
            return None
        return FeedbackAction(
            kind,
            translate(f"feedback_{kind}", lang),
            translate(f"feedback_{kind}_hint", lang),
            tuple(links),
        )

    actions = [
        action(
            "error",
            channel_links(
                site.channels.get("feedback"),
                values,
                translate("feedback_subject_error", lang, **fields),
                body,
            ),
        )
    ]
    if can_apply(ds.open_type, site.audience):
        actions.append(action("apply", [ChannelLink(apply_url, "page")]))
        actions.append(
            action(
                "request",
                channel_links(
                    site.channels.get("request"),
                    values,
                    translate("feedback_subject_request", lang, **fields),
                    body,
                ),
            )
        )
    return [a for a in actions if a is not None]


def request_any(site: SiteConfig, lang: str) -> FeedbackAction | None:
    """A request for data that is not in the catalogue at all."""
    links = channel_links(
        site.channels.get("request"),
        None,
        translate("feedback_subject_request_any", lang),
        translate("feedback_body_any", lang),
    )
    if not links:
        return None
    return FeedbackAction(
        "request",
        translate("feedback_request_any", lang),
        translate("feedback_request_any_hint", lang),
        tuple(links),
    )
