"""The catalog metadata profile: JSON Schemas for site.yaml, publishers.yaml, datapackage.yaml.

Why JSON Schema (validated with ``jsonschema``) rather than typed models: the profile is a
contract with publishers and their tools, not an implementation detail. The schema files in
``generator/profiles/`` are plain data that an editor can use for completion and checking
(``# yaml-language-server: $schema=…``), that the README documents key by key (a test keeps
the two in step) and that other portals can reuse; each key carries its 目录 name
(``title``), its English name (``x-title-en``), what is expected (``x-expected``) and a hint
(``x-hint``), so messages come from the same place as the documentation.

The schemas check the shape of each file. Rules that need more than one file (a publisher
that exists, a theme in the site's vocabulary) or the policy module (legal basis for
conditional data) are checked in :mod:`generator.validate`, with the same line numbers.

Every problem names the file and the line of the offending key (from :mod:`yamldoc`), what
was expected, what was found and a hint, in Chinese and English. Keys the profile does not
know are warnings (often typos) with the closest known key suggested; keys starting with
``x-`` or ``x_`` are a publisher's own extensions and are left alone.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError
from referencing import Registry, Resource

from ..errors import Problem
from .yamldoc import YamlDoc

PROFILES = Path(__file__).resolve().parent / "profiles"
SCHEMA_FILES = {
    "common": "common.schema.json",
    "site": "site.schema.json",
    "publishers": "publishers.schema.json",
    "dataset": "dataset.schema.json",
    "showcase": "showcase.schema.json",
    "request": "request.schema.json",
}
CODE_PREFIX = {
    "site": "site",
    "publishers": "publishers",
    "dataset": "metadata",
    "showcase": "showcase",
    "request": "request",
}
TYPE_NAMES = {
    "string": ("文本", "text"),
    "integer": ("整数", "an integer"),
    "number": ("数字", "a number"),
    "boolean": ("true 或 false", "true or false"),
    "array": ("列表（每项以 - 开头）", "a list (items starting with -)"),
    "object": ("映射（键: 值）", "a mapping (key: value)"),
    "null": ("空", "empty"),
}
HTML_TAGS = (
    "a|abbr|audio|b|base|big|blockquote|body|br|button|center|code|details|div|em|embed|font|"
    "form|frame|frameset|h[1-6]|head|hr|html|i|iframe|img|input|link|li|marquee|math|meta|"
    "object|ol|option|p|pre|script|select|small|source|span|strong|style|sub|summary|sup|svg|"
    "table|td|textarea|th|title|tr|u|ul|video"
)
HTML_TAG = re.compile(rf"<\s*/?\s*(?:{HTML_TAGS})(?:[\s/>]|$)", re.IGNORECASE)
SCRIPT_URL = re.compile(r"\b(?:javascript|vbscript)\s*:", re.IGNORECASE)
EVENT_HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=", re.IGNORECASE)


@cache
def schema_documents() -> dict[str, dict[str, Any]]:
    """The profile's schema documents, keyed by file name."""
    return {
        name: json.loads((PROFILES / name).read_text(encoding="utf-8"))
        for name in SCHEMA_FILES.values()
    }


ANNOTATIONS = {"title", "description", "$id", "$schema", "$defs"}


def _inline(schema: Any, doc: str, depth: int = 0) -> Any:
    """A copy of ``schema`` with every $ref replaced by its target.

    The files keep their $refs (they are read by people); validating the inlined copy
    avoids a registry lookup per $ref per value, which made checking 10,000 descriptors
    twice as slow. The profile has no recursive references.
    """
    if depth > 30:
        raise ValueError("the profile's $refs nest too deeply")
    if isinstance(schema, list):
        return [_inline(item, doc, depth + 1) for item in schema]
    if not isinstance(schema, dict):
        return schema
    if "$ref" in schema:
        chain = _resolve(Node(schema, doc))
        target = _inline(chain[1].schema, chain[1].doc, depth + 1)
        rest = {k: _inline(v, doc, depth + 1) for k, v in schema.items() if k != "$ref"}
        if isinstance(target, dict) and not (
            set(rest) & set(target) - ANNOTATIONS - {k for k in rest if k.startswith("x-")}
        ):
            return {**target, **rest}
        return {**rest, "allOf": [target]}
    return {
        k: (v if k in ("enum", "const", "required") else _inline(v, doc, depth + 1))
        for k, v in schema.items()
        if k != "$defs"
    }


@cache
def _validator(kind: str) -> Draft202012Validator:
    docs = schema_documents()
    registry: Registry = Registry().with_resources(
        (doc["$id"], Resource.from_contents(doc)) for doc in docs.values()
    )
    name = SCHEMA_FILES[kind]
    schema = _inline(docs[name], name)
    return Draft202012Validator(
        schema, registry=registry, format_checker=Draft202012Validator.FORMAT_CHECKER
    )


# --- walking the schema alongside the instance -------------------------------------------


@dataclass(frozen=True)
class Node:
    """A schema location: the subschema and the document it lives in (for $ref)."""

    schema: dict[str, Any]
    doc: str


_RESOLVED: dict[tuple[int, str], list[Node]] = {}
_MERGED: dict[tuple[int, str], dict[str, Any]] = {}
_KNOWN: dict[tuple[int, str], dict[str, dict[str, Any]]] = {}


def _resolve(node: Node) -> list[Node]:
    """The node and the chain of its $ref targets, outermost first (cached: the schema
    documents are loaded once and never change)."""
    key = (id(node.schema), node.doc)
    if key not in _RESOLVED:
        _RESOLVED[key] = _resolve_uncached(node)
    return _RESOLVED[key]


def _resolve_uncached(node: Node) -> list[Node]:
    chain = [node]
    seen = 0
    while "$ref" in chain[-1].schema and seen < 20:
        seen += 1
        ref = chain[-1].schema["$ref"]
        doc_name, _, pointer = ref.partition("#")
        doc_name = doc_name or chain[-1].doc
        target: Any = schema_documents()[doc_name]
        for part in [p for p in pointer.split("/") if p]:
            target = target[part]
        chain.append(Node(target, doc_name))
    return chain


def _merged(node: Node) -> dict[str, Any]:
    """Keywords of a node and its $ref targets; the outer (more specific) one wins."""
    key = (id(node.schema), node.doc)
    if key not in _MERGED:
        merged: dict[str, Any] = {}
        for link in reversed(_resolve(node)):
            merged.update({k: v for k, v in link.schema.items() if k != "$ref"})
        _MERGED[key] = merged
    return _MERGED[key]


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return "unknown"


def _branch_fits(node: Node, value: Any) -> bool:
    declared = _merged(node).get("type")
    if declared is None:
        return True
    types = declared if isinstance(declared, list) else [declared]
    found = _json_type(value)
    return found in types or (found == "integer" and "number" in types)


def _branches(node: Node, value: Any) -> list[Node]:
    """The node itself, or the anyOf/oneOf branches that fit the value's type."""
    merged = _merged(node)
    options = merged.get("anyOf") or merged.get("oneOf")
    if not options:
        return [node]
    doc = _resolve(node)[-1].doc
    fitting = [Node(o, doc) for o in options if _branch_fits(Node(o, doc), value)]
    return [node] + fitting


def _child(node: Node, step: str | int) -> Node | None:
    """The subschema for one step of an instance path (a key or a list index)."""
    for link in reversed(_resolve(node)):
        schema = link.schema
        if isinstance(step, int) and isinstance(schema.get("items"), dict):
            return Node(schema["items"], link.doc)
        props = schema.get("properties")
        if isinstance(step, str) and isinstance(props, dict) and step in props:
            return Node(props[step], link.doc)
    for option in _merged(node).get("anyOf") or _merged(node).get("oneOf") or []:
        found = _child(Node(option, _resolve(node)[-1].doc), step)
        if found is not None:
            return found
    return None


def _root(kind: str) -> Node:
    name = SCHEMA_FILES[kind]
    return Node(schema_documents()[name], name)


def schema_at(kind: str, path: tuple[str | int, ...]) -> dict[str, Any]:
    """Merged keywords of the subschema that describes ``path``; {} when unknown."""
    node: Node | None = _root(kind)
    for step in path:
        if node is None:
            return {}
        node = _child(node, step)
    return _merged(node) if node is not None else {}


def known_keys(node: Node) -> dict[str, dict[str, Any]]:
    """Keys an object schema names, with their merged keywords."""
    cache_key = (id(node.schema), node.doc)
    if cache_key not in _KNOWN:
        keys: dict[str, dict[str, Any]] = {}
        for link in _resolve(node):
            for key, sub in (link.schema.get("properties") or {}).items():
                keys.setdefault(key, _merged(Node(sub, link.doc)))
        _KNOWN[cache_key] = keys
    return _KNOWN[cache_key]


# --- messages -----------------------------------------------------------------------------


def _label(path: tuple[str | int, ...]) -> str:
    out = ""
    for step in path:
        out += f"[{step}]" if isinstance(step, int) else (f".{step}" if out else str(step))
    return out


def _show(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        text = value
    else:
        text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 80 else text[:77] + "…"


def _lang_pair(meta: dict[str, Any], key: str) -> tuple[str, str]:
    value = meta.get(key)
    if isinstance(value, dict):
        return str(value.get("zh", "")), str(value.get("en", value.get("zh", "")))
    return "", ""


def _name(path: tuple[str | int, ...], meta: dict[str, Any]) -> tuple[str, str]:
    """How messages name a key: `open_type`（开放类型） / `open_type` (open type)."""
    if not path:
        return "文件顶层", "the top level of the file"
    label = _label(path)
    title, title_en = meta.get("title"), meta.get("x-title-en")
    zh = f"{label}（{title}）" if isinstance(title, str) and title else label
    en = f"{label} ({title_en})" if isinstance(title_en, str) and title_en else label
    return zh, en


def _expected(meta: dict[str, Any]) -> tuple[str, str]:
    zh, en = _lang_pair(meta, "x-expected")
    if zh:
        return zh, en
    if "enum" in meta:
        values = "、".join(str(v) for v in meta["enum"])
        return values, ", ".join(str(v) for v in meta["enum"])
    declared = meta.get("type")
    if isinstance(declared, str) and declared in TYPE_NAMES:
        return TYPE_NAMES[declared]
    return "", ""


def closest(word: str, candidates: list[str]) -> str | None:
    # 0.8: a typo (publsher, licences) is close; a key of another platform is not
    # (datahub's has_solutions drew share_conditions at 0.6)
    matches = difflib.get_close_matches(word, candidates, n=1, cutoff=0.8)
    if matches:
        return matches[0]
    lowered = {c.lower(): c for c in candidates}
    return lowered.get(word.lower())


@dataclass
class _Context:
    kind: str
    doc: YamlDoc
    dataset: str

    @property
    def prefix(self) -> str:
        return CODE_PREFIX[self.kind]

    def problem(
        self,
        code: str,
        path: tuple[str | int, ...],
        zh: str,
        en: str,
        meta: dict[str, Any],
        found: Any = None,
        hint: tuple[str, str] = ("", ""),
        severity: str = "error",
        line: int | None = None,
    ) -> Problem:
        exp_zh, exp_en = _expected(meta)
        hint_zh, hint_en = hint if hint[0] else _lang_pair(meta, "x-hint")
        return Problem(
            code,
            zh,
            en,
            file=self.doc.file,
            dataset=self.dataset,
            severity=severity,  # type: ignore[arg-type]
            line=line if line is not None else self.doc.line(path),
            field=_label(path),
            expected=exp_zh,
            expected_en=exp_en if exp_en != exp_zh else "",
            found=_show(found),
            hint=hint_zh,
            hint_en=hint_en,
        )


def _missing_key(error: ValidationError) -> str | None:
    match = re.match(r"^'(.+)' is a required property$", error.message)
    return match.group(1) if match else None


def _from_error(ctx: _Context, error: ValidationError) -> Problem | None:
    path = tuple(error.absolute_path)
    if error.validator == "required":
        key = _missing_key(error)
        if key is None:
            return None
        path = path + (key,)
        meta = schema_at(ctx.kind, path)
        name_zh, name_en = _name(path, meta)
        zh, en = _lang_pair(meta, "x-missing")
        code = f"{meta['x-code']}-missing" if "x-code" in meta else f"{ctx.prefix}-missing"
        where = ctx.doc.line(path[:-1]) if len(path) > 1 else None
        return ctx.problem(
            code,
            path,
            zh or f"缺少必填项 {name_zh}",
            en or f"required key {name_en} is missing",
            meta,
            hint=_lang_pair(meta, "x-hint")
            if "x-hint" in meta and "x-missing" in meta
            else (
                f"在 {ctx.doc.file} 中添加 {key}: …",
                f"add '{key}: …' to {ctx.doc.file}",
            ),
            line=where if where is not None else 1,
        )
    meta = schema_at(ctx.kind, path)
    name_zh, name_en = _name(path, meta)
    value = error.instance
    code_base = meta.get("x-code", ctx.prefix)
    if value is None or (
        isinstance(value, str) and not value.strip() and error.validator != "enum"
    ):
        return ctx.problem(
            f"{code_base}-missing",
            path,
            f"{name_zh} 为空",
            f"{name_en} is empty",
            meta,
            hint=("填写该项，或删除整行", "fill it in, or delete the line"),
        )
    if error.validator == "type" or (
        error.validator in ("anyOf", "oneOf") and not _any_branch_type_fits(ctx, path, value)
    ):
        declared = meta.get("type")
        if isinstance(declared, str) and declared in TYPE_NAMES:
            exp_zh, exp_en = TYPE_NAMES[declared]
        else:
            exp_zh, exp_en = _expected(meta)
        hint = ("", "")
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            hint = ("给这个值加引号，使其成为文本", "quote the value so it stays text")
        found_zh, found_en = TYPE_NAMES.get(_json_type(value), ("?", "?"))
        return ctx.problem(
            f"{code_base}-type",
            path,
            f"{name_zh} 的类型应为{exp_zh or '?'}，实际是{found_zh}",
            f"{name_en} must be {exp_en or '?'}, found {found_en}",
            meta,
            found=value,
            hint=hint,
        )
    if error.validator == "enum":
        options = [str(v) for v in meta.get("enum") or error.validator_value]
        guess = closest(str(value), options)
        inv_zh, inv_en = _lang_pair(meta, "x-invalid")
        hint = _lang_pair(meta, "x-hint")
        if guess:
            hint = (f"是不是 {guess}？", f"did you mean {guess}?")
        return ctx.problem(
            f"{code_base}-invalid",
            path,
            inv_zh.format(found=repr(value))
            if inv_zh
            else f"{name_zh} 的值 {value!r} 不在允许的取值中",
            inv_en.format(found=repr(value)) if inv_en else f"{name_en}: {value!r} is not allowed",
            meta,
            found=value,
            hint=hint,
        )
    if error.validator == "format" and error.validator_value == "date":
        return ctx.problem(
            f"{code_base}-invalid",
            path,
            f"{name_zh} 不是有效日期",
            f"{name_en} is not a valid date",
            meta,
            found=value,
        )
    if error.validator in ("minItems", "minLength") and not value:
        return ctx.problem(
            f"{code_base}-missing",
            path,
            f"{name_zh} 不能为空",
            f"{name_en} must not be empty",
            meta,
            found=value,
        )
    if error.validator == "uniqueItems":
        return ctx.problem(
            f"{code_base}-invalid",
            path,
            f"{name_zh} 中有重复项",
            f"{name_en} has duplicate items",
            meta,
            found=value,
        )
    if error.validator in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        return ctx.problem(
            f"{code_base}-invalid",
            path,
            f"{name_zh} 的值 {value} 超出范围",
            f"{name_en}: {value} is out of range",
            meta,
            found=value,
        )
    # pattern, other formats, contains, anyOf of required keys, const …
    return ctx.problem(
        f"{code_base}-invalid",
        path,
        f"{name_zh} 的写法不正确",
        f"{name_en} is not written correctly",
        meta,
        found=value,
    )


def _any_branch_type_fits(ctx: _Context, path: tuple[str | int, ...], value: Any) -> bool:
    """For anyOf/oneOf: True when some branch accepts the value's type (so the error is
    about the value's content, not its type)."""
    node: Node | None = _root(ctx.kind)
    for step in path:
        if node is None:
            return True
        node = _child(node, step)
    if node is None:
        return True
    return len(_branches(node, value)) > 1


# --- keys the profile does not know, and HTML in plain text ------------------------------


# What _walk asks of a schema node depends on the node and the value's JSON type only
# (and, for a child, on the key; every list index has the same child): asked once per
# node, not once per value of every catalog file (it was a fifth of loading a dataset).
_PLAIN_TEXT: dict[tuple[int, str], bool] = {}
_KEYS: dict[tuple[int, str], dict[str, dict[str, Any]] | None] = {}
_CHILD: dict[tuple[int, str, str | None], Node | None] = {}


def _plain_text(node: Node, value: str) -> bool:
    key = (id(node.schema), node.doc)
    found = _PLAIN_TEXT.get(key)
    if found is None:
        branches = _branches(node, value)
        found = _PLAIN_TEXT[key] = any(_merged(b).get("x-plain-text") for b in branches)
    return found


def _closed_keys(node: Node, value: dict[Any, Any]) -> dict[str, dict[str, Any]] | None:
    """The keys an object may have, or None when it may have any."""
    key = (id(node.schema), node.doc)
    if key in _KEYS:
        return _KEYS[key]
    known: dict[str, dict[str, Any]] = {}
    open_ended = False
    for branch in _branches(node, value):
        known.update(known_keys(branch))
        for link in _resolve(branch):
            if link.schema.get("additionalProperties") not in (None, False):
                open_ended = True
    _KEYS[key] = found = known if known and not open_ended else None
    return found


def _child_of(node: Node, step: str | int) -> Node | None:
    key = (id(node.schema), node.doc, step if isinstance(step, str) else None)
    if key not in _CHILD:
        _CHILD[key] = _child(node, step)
    return _CHILD[key]


def _walk(ctx: _Context, node: Node, value: Any, path: tuple[str | int, ...]) -> Iterator[Problem]:
    if isinstance(value, str) and _plain_text(node, value):
        yield from _html_in_text(ctx, path, value, _merged(node))
    if isinstance(value, dict):
        known = _closed_keys(node, value)
        if known is not None:
            yield from _unknown_keys(ctx, path, value, known)
        for key, item in value.items():
            child = _child_of(node, key) if isinstance(key, str) else None
            if child is not None:
                yield from _walk(ctx, child, item, path + (key,))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            child = _child_of(node, i)
            if child is not None:
                yield from _walk(ctx, child, item, path + (i,))


def _unknown_keys(
    ctx: _Context,
    path: tuple[str | int, ...],
    value: dict[Any, Any],
    known: dict[str, dict[str, Any]],
) -> Iterator[Problem]:
    by_title = {str(meta.get("title")): key for key, meta in known.items() if meta.get("title")}
    for key in value:
        text = str(key)
        if text in known or text.startswith(("x-", "x_")):
            continue
        guess = by_title.get(text) or closest(text, sorted(known))
        zh_hint = f"是不是 {guess}？" if guess else "删除该键，或改为 README 中列出的键"
        en_hint = (
            f"did you mean {guess}?" if guess else "delete it, or use a key listed in the README"
        )
        if not guess:
            zh_hint += f"；要保留其他平台（如 datahub）的键，改名为 x-{text}"
            en_hint += f"; to keep a key of another platform (datahub, …), rename it x-{text}"
        yield ctx.problem(
            f"{ctx.prefix}-unknown-key",
            path + (text,),
            f"未知的键 {text}（可能是拼写错误）",
            f"unknown key {text} (perhaps a typo)",
            {
                "x-expected": {
                    "zh": "本规范中的键（见 README“目录格式”）",
                    "en": "a key of the profile (see the README's catalog format)",
                }
            },
            found=text,
            hint=(zh_hint, en_hint),
            severity="warning",
        )


def _html_in_text(
    ctx: _Context, path: tuple[str | int, ...], value: str, meta: dict[str, Any]
) -> Iterator[Problem]:
    match = HTML_TAG.search(value) or EVENT_HANDLER.search(value) or SCRIPT_URL.search(value)
    if match is None:
        return
    name_zh, name_en = _name(path, meta)
    yield ctx.problem(
        f"{ctx.prefix}-html",
        path,
        f"{name_zh} 是纯文本，不能包含 HTML 或脚本",
        f"{name_en} is plain text and must not contain HTML or script",
        {"x-expected": {"zh": "纯文本", "en": "plain text"}},
        found=value[max(0, match.start() - 10) : match.end() + 30],
        hint=(
            "删除标签；需要格式的长说明写在 README.md（Markdown）中，它会被安全过滤；"
            "小于号请写成全角“＜”",
            "remove the markup; long formatted text belongs in README.md (Markdown, sanitised)",
        ),
    )


def check_document(kind: str, doc: YamlDoc, dataset: str = "") -> list[Problem]:
    """All profile problems of one parsed file, ordered by line."""
    ctx = _Context(kind, doc, dataset)
    problems: list[Problem] = []
    seen: set[tuple[str, str]] = set()
    for error in _validator(kind).iter_errors(doc.data):
        problem = _from_error(ctx, error)
        if problem is None or (problem.code, problem.field) in seen:
            continue
        seen.add((problem.code, problem.field))
        problems.append(problem)
    problems.extend(_walk(ctx, _root(kind), doc.data, ()))
    problems.sort(key=lambda p: (p.line or 0, p.severity != "error"))
    return problems


def iter_profile_keys(kind: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every key path the profile documents, e.g. 'resources[].schema.fields[].type'."""

    def walk(node: Node, prefix: str, depth: int) -> Iterator[tuple[str, dict[str, Any]]]:
        if depth > 8:
            return
        merged = _merged(node)
        branches = [node] + [Node(o, _resolve(node)[-1].doc) for o in merged.get("anyOf") or []]
        for branch in branches:
            for key, meta in known_keys(branch).items():
                path = f"{prefix}.{key}" if prefix else key
                yield path, meta
                child = _child(branch, key)
                if child is not None:
                    yield from walk(child, path, depth + 1)
        items = _child(node, 0)
        if items is not None and merged.get("type") == "array":
            yield from walk(items, prefix + "[]", depth + 1)

    seen: set[str] = set()
    for path, meta in walk(_root(kind), "", 0):
        if path not in seen:
            seen.add(path)
            yield path, meta


# --- the reference in the README -----------------------------------------------------------

SHARED_TYPES = {
    "text": "Text",
    "text_map": "Text",
    "contact": "Contact",
    "license": "Licence",
}
DOC_FILES = {
    "site": "site.yaml",
    "publishers": "publishers.yaml",
    "dataset": "datapackage.yaml",
    "showcase": "showcases/<id>.yaml",
    "request": "requests/<id>.yaml",
}


def _shared_type(node: Node) -> str | None:
    for link in _resolve(node)[1:]:
        for name, label in SHARED_TYPES.items():
            if link.schema is schema_documents()[SCHEMA_FILES["common"]]["$defs"][name]:
                return label
    return None


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _row(path: str, node: Node, meta: dict[str, Any], required: bool, type_name: str | None) -> str:
    expected = type_name or _expected(meta)[1]
    note = node.schema.get("description", "")  # the key's own note, not its type's
    names = f"{meta.get('title', '')} / {meta.get('x-title-en', '')}"
    return (
        f"| `{path}` | {_cell(names)} | {'yes' if required else ''} | "
        f"{_cell(expected)} | {_cell(note)} |"
    )


def _rows(node: Node, prefix: str, depth: int = 0) -> Iterator[str]:
    merged = _merged(node)
    required = set(merged.get("required") or [])
    for key, _ in known_keys(node).items():
        child = _child(node, key)
        assert child is not None
        path = f"{prefix}.{key}" if prefix else key
        shared = _shared_type(child)
        child_meta = _merged(child)
        items = child_meta.get("items")
        item_node = Node(items, _resolve(child)[-1].doc) if isinstance(items, dict) else None
        if shared is None and item_node is not None:
            item_shared = _shared_type(item_node)
            if item_shared:
                shared = f"list of {item_shared}"
        yield _row(path, child, child_meta, key in required, shared)
        if shared or depth > 6:
            continue
        if item_node is not None and known_keys(item_node):
            yield from _rows(item_node, path + "[]", depth + 1)
        elif known_keys(child):
            yield from _rows(child, path, depth + 1)


def reference_markdown() -> str:
    """The profile, key by key, as the README shows it (generated: a test compares)."""
    head = "| key | 目录项 / name | required | expected | notes |\n| --- | --- | --- | --- | --- |"
    parts = []
    for kind, file in DOC_FILES.items():
        root = _root(kind)
        if kind == "publishers":
            items = _merged(root)["items"]
            root = Node(items, SCHEMA_FILES[kind])
        parts.append(f"#### {file}\n\n{head}\n" + "\n".join(_rows(root, "")))
    common = schema_documents()[SCHEMA_FILES["common"]]["$defs"]
    shared = []
    for name, label in (("text_map", "Text"), ("contact", "Contact"), ("license", "Licence")):
        node = Node(common[name], SCHEMA_FILES["common"])
        rows = "\n".join(_rows(node, ""))
        intro = {
            "Text": "A string, or a mapping with the Chinese text and its English version:",
            "Contact": "How to reach a department or the portal:",
            "Licence": "A licence (name or path at least):",
        }[label]
        shared.append(f"#### {label}\n\n{intro}\n\n{head}\n{rows}")
    return "\n\n".join(parts + shared) + "\n"
