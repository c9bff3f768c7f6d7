"""What the portal's users did with the data, and what they asked: catalog/showcases/ and
catalog/requests/ (issue 18), and the use agreement in terms.md.

These folders are catalog input like the datasets: each file is read inside the catalog
only, checked against its profile schema (``showcase``, ``request``) with the line of each
key, and every dataset or publisher it names must exist. A showcase or request naming a
dataset that a site hides (``hide_closed``) keeps the record but drops the link, so no
page names the hidden dataset through it; the audit reads every page these make anyway.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

from ..errors import Problem, ProblemList
from ..model import Catalog, Link, RequestRecord, Showcase, Text
from ..policy import is_listed
from .profile import check_document
from .yamldoc import YamlDoc, read_yaml

FILE_ID = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
MAX_TERMS_BYTES = 1 << 20  # a use agreement is a few pages


def _str(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _text(value: Any) -> Text:
    if isinstance(value, dict):
        return Text(_str(value.get("zh")), _str(value.get("en")))
    return Text(_str(value))


def _date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(_str(value))
    except ValueError:
        return None


def _inside(path: Path, root: Path) -> bool:
    real, base = os.path.realpath(path), os.path.realpath(root)
    return real.startswith(base.rstrip(os.sep) + os.sep)


def _outside(rel: str) -> Problem:
    return Problem(
        "file-outside-catalog",
        f"{rel} 是指向目录文件夹之外的符号链接，出于安全不会被读取",
        f"{rel} is a symbolic link that points outside the catalog folder; it is not read",
        file=rel,
        hint="把文件复制进目录文件夹，不要使用指向外部的链接",
        hint_en="copy the file into the catalog folder instead of linking to it",
    )


def _documents(
    root: Path, folder: str, kind: str, problems: ProblemList
) -> list[tuple[str, YamlDoc]]:
    """(id, parsed file) of every <id>.yaml in one folder, checked against its schema."""
    base = root / folder
    if not base.exists():
        return []
    if not _inside(base, root) or not base.is_dir():
        problems.add(_outside(f"{folder}/"))
        return []
    found = []
    for path in sorted(base.iterdir()):
        rel = f"{folder}/{path.name}"
        if path.suffix not in (".yaml", ".yml"):
            continue
        if not _inside(path, root):
            problems.add(_outside(rel))
            continue
        if not FILE_ID.match(path.stem):
            problems.add(
                Problem(
                    f"{kind}-id",
                    f"文件名 {path.name} 不能作为标识（网址的一部分）",
                    f"the file name {path.name} cannot be an id (it is part of a URL)",
                    file=rel,
                    expected="小写字母、数字、- 或 _，例如 bus-app.yaml",
                    expected_en="lower-case letters, digits, - or _, e.g. bus-app.yaml",
                    found=path.stem,
                    hint="重命名文件",
                    hint_en="rename the file",
                )
            )
            continue
        doc = read_yaml(path, rel, problems)
        if doc is None:
            continue
        problems.extend(check_document(kind, doc))
        if isinstance(doc.data, dict):
            found.append((path.stem, doc))
    return found


def _unknown(
    kind: str, rel: str, doc: YamlDoc, path: tuple[str | int, ...], what: str, value: str
) -> Problem:
    zh_what, en_what = {"dataset": ("数据集", "dataset"), "publisher": ("部门", "publisher")}[what]
    hint = (
        ("数据集 id 是 datasets/ 下的文件夹名", "a dataset id is a folder name under datasets/")
        if what == "dataset"
        else ("部门 id 见 publishers.yaml", "publisher ids are listed in publishers.yaml")
    )
    # a warning (an error under --strict): the link is left out, and removing a dataset
    # must not stop the whole portal for an old showcase or request that names it
    return Problem(
        f"{kind}-unknown-{what}",
        f"{rel} 引用了不存在的{zh_what} {value}，已忽略该链接",
        f"{rel} names an unknown {en_what} {value}; the link is left out",
        file=rel,
        severity="warning",
        line=doc.line(list(path)),
        field=".".join(str(p) for p in path),
        found=value,
        hint=hint[0],
        hint_en=hint[1],
    )


def load_showcases(
    root: Path, known: set[str], listed: set[str], problems: ProblemList
) -> tuple[Showcase, ...]:
    items = []
    for sid, doc in _documents(root, "showcases", "showcase", problems):
        data, rel = doc.data, doc.file
        used = []
        raw = data.get("datasets") if isinstance(data.get("datasets"), list) else []
        for i, ref in enumerate(raw):
            if not isinstance(ref, str):
                continue
            if ref not in known:
                problems.add(_unknown("showcase", rel, doc, ("datasets", i), "dataset", ref))
            elif ref in listed and ref not in used:
                used.append(ref)
        items.append(
            Showcase(
                id=sid,
                title=_text(data.get("title")),
                description=_text(data.get("description")),
                url=_str(data.get("url")),
                kind=_str(data.get("kind")) or "app",
                author=_str(data.get("author")),
                date=_date(data.get("date")) or dt.date(1970, 1, 1),
                datasets=tuple(used),
                image=_str(data.get("image")),
            )
        )
    items.sort(key=lambda s: (-s.date.toordinal(), s.id))
    return tuple(items)


def load_requests(
    root: Path,
    known: set[str],
    listed: set[str],
    publishers: dict[str, str],
    problems: ProblemList,
) -> tuple[RequestRecord, ...]:
    """publishers: publisher id -> itself, and dataset id -> its publisher."""
    items = []
    for rid, doc in _documents(root, "requests", "request", problems):
        data, rel = doc.data, doc.file
        dataset = _str(data.get("dataset"))
        if dataset and dataset not in known:
            problems.add(_unknown("request", rel, doc, ("dataset",), "dataset", dataset))
            dataset = ""
        publisher = _str(data.get("publisher"))
        if publisher and publisher not in publishers:
            problems.add(_unknown("request", rel, doc, ("publisher",), "publisher", publisher))
            publisher = ""
        publisher = publisher or publishers.get("@" + dataset, "")
        received = _date(data.get("received")) or dt.date(1970, 1, 1)
        reply = data.get("reply") if isinstance(data.get("reply"), dict) else {}
        replied = _date(reply.get("date"))
        if replied is not None and replied < received:
            problems.add(
                Problem(
                    "request-reply-date",
                    f"{rel} 的答复日期早于收到日期",
                    f"{rel} was replied to before it was received",
                    file=rel,
                    line=doc.line(["reply", "date"]),
                    field="reply.date",
                    expected=f"≥ {received.isoformat()}",
                    found=replied.isoformat(),
                    hint="核对 received 与 reply.date",
                    hint_en="check received and reply.date",
                )
            )
        attachments = []
        for item in data.get("attachments") if isinstance(data.get("attachments"), list) else []:
            if isinstance(item, dict) and _str(item.get("url")):
                attachments.append(
                    Link(_str(item.get("title")) or _str(item.get("url")), _str(item.get("url")))
                )
        items.append(
            RequestRecord(
                id=rid,
                kind=_str(data.get("kind")) or "request",
                title=_text(data.get("title")),
                received=received,
                dataset=dataset if dataset in listed else "",
                publisher=publisher,
                detail=_text(data.get("detail")),
                reply=_text(reply.get("text")),
                replied=replied,
                attachments=tuple(attachments),
            )
        )
    items.sort(key=lambda r: (-r.received.toordinal(), r.id))
    return tuple(items)


def _read_terms(root: Path, name: str, problems: ProblemList) -> str:
    path = root / name
    if not path.exists():
        return ""
    if not _inside(path, root) or not path.is_file():
        problems.add(_outside(name))
        return ""
    with open(path, "rb") as handle:
        raw = handle.read(MAX_TERMS_BYTES + 1)
    if len(raw) > MAX_TERMS_BYTES:
        problems.add(
            Problem(
                "terms-too-large",
                f"{name} 超过 1 MB，未读取",
                f"{name} is larger than 1 MB and was not read",
                file=name,
                hint="使用协议只写条款正文",
                hint_en="keep only the agreement's text in it",
            )
        )
        return ""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        problems.add(
            Problem(
                "terms-encoding",
                f"{name} 不是 UTF-8 编码",
                f"{name} is not UTF-8",
                file=name,
                hint="以 UTF-8 保存该文件",
                hint_en="save the file as UTF-8",
            )
        )
        return ""


def attach_community(catalog: Catalog, problems: ProblemList) -> Catalog:
    """The catalog with its showcases, requests and use agreement."""
    root = catalog.root
    known = {ds.id for ds in catalog.datasets}
    listed = {ds.id for ds in catalog.datasets if is_listed(ds.open_type, catalog.site.hide_closed)}
    owners = {pid: pid for pid in catalog.publishers}
    owners.update({"@" + ds.id: ds.publisher for ds in catalog.datasets})
    site = catalog.site
    if not site.terms.zh:
        zh = _read_terms(root, "terms.md", problems)
        en = _read_terms(root, "terms.en.md", problems) if zh else ""
        site = replace(site, terms=Text(zh.strip(), en.strip()))
    return replace(
        catalog,
        site=site,
        showcases=load_showcases(root, known, listed, problems),
        requests=load_requests(root, known, listed, owners, problems),
    )
