"""YAML files of the catalog, parsed with the line of every key kept.

A publisher fixes a mistake in an editor, so every problem found in site.yaml,
publishers.yaml or a datapackage.yaml names the line of the offending key. The file is
composed into a node tree once; the same tree gives the values (through PyYAML's safe
constructor) and the positions.

Two deliberate differences from ``yaml.safe_load``:

* dates are not turned into ``datetime.date`` objects. ``issued: 2024-13-01`` would make
  PyYAML raise a bare ``ValueError``; kept as a string, the profile reports it as an invalid
  date on its line instead. Every date in the catalog is checked as text (YYYY-MM-DD).
* a key written twice in one mapping is reported (PyYAML silently keeps the last value,
  which hides exactly the kind of copy-paste mistake a publisher makes).

Hostile YAML is refused before anything walks the data: a file over ``MAX_YAML_BYTES``
is not parsed, and the composed node graph (where an alias is a second reference to its
anchor's node, so a "billion laughs" costs a few KB) is measured before it is indexed or
constructed: more than ``MAX_ALIASES`` alias uses, aliases standing for more than
``MAX_ALIAS_NODES`` nodes in all, a recursive alias, or nesting deeper than ``MAX_DEPTH``
is an error naming the file and line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..errors import CatalogError, Problem, ProblemList
from .encoding import detect_bytes

Path_ = tuple[str | int, ...]

TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"

MAX_YAML_BYTES = 10 << 20  # 10 MiB: the largest demo descriptor is under 20 KB
MAX_ALIASES = 100  # alias uses (*name, and <<: *name) in one file
MAX_ALIAS_NODES = 100_000  # nodes the aliases stand for, counted as if expanded
MAX_DEPTH = 64  # nested mappings and lists (a descriptor needs about 8)


# libyaml's parser when PyYAML was built with it (ten times faster on large catalogs)
_SafeBase: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class CatalogLoader(_SafeBase):  # type: ignore[misc,valid-type]
    """The safe loader without implicit timestamps (dates stay strings)."""


CatalogLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != TIMESTAMP_TAG]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


@dataclass(frozen=True)
class Duplicate:
    path: Path_
    line: int
    first_line: int


@dataclass
class YamlDoc:
    """A parsed YAML file: its data and the 1-based line of each key and list item."""

    data: Any
    file: str
    lines: dict[Path_, int] = field(default_factory=dict)
    duplicates: list[Duplicate] = field(default_factory=list)

    def line(self, path: Path_ | list[str | int] = ()) -> int | None:
        """Line of the key at ``path``, or of its nearest ancestor that has one."""
        path = tuple(path)
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get(())

    def get(self, path: Path_) -> Any:
        """The value at ``path``, or None when any step is missing."""
        value = self.data
        for step in path:
            if isinstance(step, int) and isinstance(value, list) and 0 <= step < len(value):
                value = value[step]
            elif isinstance(value, dict) and step in value:
                value = value[step]
            else:
                return None
        return value


class YamlLimitError(Exception):
    """The YAML is shaped like an attack (alias bomb, recursion, deep nesting)."""

    def __init__(self, zh: str, en: str, line: int, found: str, limit: str) -> None:
        super().__init__(en)
        self.zh, self.en, self.line, self.found, self.limit = zh, en, line, found, limit


def _children(node: yaml.Node) -> list[tuple[yaml.Node, int]]:
    """(child, line of the reference) in document order."""
    if isinstance(node, yaml.SequenceNode):
        line = node.start_mark.line + 1
        return [(item, line) for item in node.value]
    if isinstance(node, yaml.MappingNode):
        pairs: list[tuple[yaml.Node, int]] = []
        for key, value in node.value:
            line = key.start_mark.line + 1
            pairs += [(key, line), (value, line)]
        return pairs
    return []


def check_shape(root: yaml.Node) -> None:
    """Raise YamlLimitError when the node graph is an alias bomb, recursive or too deep.

    One iterative walk over the distinct nodes (never the expansion): each node's expanded
    size and height are computed once, and a second reference to a node is an alias use
    that adds its expanded size. Linear in the size of the file.
    """
    size: dict[int, int] = {}  # id(node) -> nodes it stands for; -1 while being walked
    height: dict[int, int] = {}
    aliases = alias_nodes = 0
    size[id(root)] = -1
    stack = [(root, iter(_children(root)))]
    totals = [1]
    heights = [1]
    while stack:
        node, children = stack[-1]
        step = next(children, None)
        if step is None:
            stack.pop()
            done, tall = totals.pop(), heights.pop()
            size[id(node)], height[id(node)] = done, tall
            if totals:
                totals[-1] += done
                heights[-1] = max(heights[-1], tall + 1)
            continue
        child, line = step
        known = size.get(id(child))
        if known is None:
            size[id(child)] = -1
            stack.append((child, iter(_children(child))))
            totals.append(1)
            heights.append(1)
            if len(stack) > MAX_DEPTH:
                raise YamlLimitError(
                    f"嵌套层数超过 {MAX_DEPTH} 层",
                    f"nesting deeper than {MAX_DEPTH} levels",
                    line,
                    f"> {MAX_DEPTH}",
                    str(MAX_DEPTH),
                )
            continue
        if known == -1:
            raise YamlLimitError(
                "别名引用了包含它自身的锚点（递归别名）",
                "an alias refers to an anchor that contains it (recursive alias)",
                line,
                "",
                "",
            )
        aliases += 1
        alias_nodes += known
        totals[-1] += known
        heights[-1] = max(heights[-1], height[id(child)] + 1)
        if aliases > MAX_ALIASES:
            raise YamlLimitError(
                f"别名（*名称）使用超过 {MAX_ALIASES} 次",
                f"more than {MAX_ALIASES} alias uses (*name)",
                line,
                f"> {MAX_ALIASES}",
                str(MAX_ALIASES),
            )
        if alias_nodes > MAX_ALIAS_NODES:
            raise YamlLimitError(
                f"别名展开后超过 {MAX_ALIAS_NODES:,} 个节点（“十亿笑声”式的别名炸弹）",
                f"aliases expand to more than {MAX_ALIAS_NODES:,} nodes (a 'billion laughs' "
                "alias bomb)",
                line,
                f"> {MAX_ALIAS_NODES:,}",
                f"{MAX_ALIAS_NODES:,}",
            )
        if len(stack) + height[id(child)] > MAX_DEPTH:
            raise YamlLimitError(
                f"别名展开后嵌套层数超过 {MAX_DEPTH} 层",
                f"an alias nests deeper than {MAX_DEPTH} levels",
                line,
                f"> {MAX_DEPTH}",
                str(MAX_DEPTH),
            )


def _key_text(node: yaml.Node) -> str:
    return str(node.value) if isinstance(node, yaml.ScalarNode) else "?"


def _index(node: yaml.Node, path: Path_, doc: YamlDoc) -> None:
    if len(path) >= MAX_DEPTH:
        raise YamlLimitError(
            f"嵌套层数超过 {MAX_DEPTH} 层",
            f"nesting deeper than {MAX_DEPTH} levels",
            node.start_mark.line + 1,
            f"> {MAX_DEPTH}",
            str(MAX_DEPTH),
        )
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            key = _key_text(key_node)
            if key == "<<":  # merge key: the merged entries keep their own positions
                continue
            line = key_node.start_mark.line + 1
            if key in seen:
                doc.duplicates.append(Duplicate(path + (key,), line, seen[key]))
            else:
                seen[key] = line
            doc.lines[path + (key,)] = line
            _index(value_node, path + (key,), doc)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            doc.lines[path + (i,)] = item.start_mark.line + 1
            _index(item, path + (i,), doc)


def parse_yaml(text: str, file: str) -> YamlDoc:
    """Parse YAML text; raises ``yaml.YAMLError`` on a syntax error and
    :class:`YamlLimitError` on an alias bomb, a recursive alias or deep nesting."""
    loader = CatalogLoader(text)
    doc = YamlDoc(None, file, {(): 1})
    try:
        node = loader.get_single_node()
        if node is not None:
            # Without an anchor (&) there is no alias, and indexing sees every node once
            # and checks the depth itself; the graph walk is for files with anchors only.
            if "&" in text:
                check_shape(node)  # before anything walks the aliases' expansion
            _index(node, (), doc)
            doc.data = loader.construct_document(node)
    finally:
        dispose = getattr(loader, "dispose", None)
        if dispose is not None:
            dispose()
    return doc


def _problem(code: str, zh: str, en: str, rel: str, dataset: str, **kw: Any) -> Problem:
    return Problem(code, zh, en, file=rel, dataset=dataset, **kw)


def _too_large(rel: str, dataset: str) -> Problem:
    return _problem(
        "yaml-too-large",
        f"{rel} 超过 {MAX_YAML_BYTES >> 20} MB，未读取",
        f"{rel} is larger than {MAX_YAML_BYTES >> 20} MB and was not read",
        rel,
        dataset,
        expected=f"≤ {MAX_YAML_BYTES >> 20} MB",
        found=f"> {MAX_YAML_BYTES >> 20} MB",
        hint="YAML 只写元数据；把数据放进 data/ 下的 CSV 或 XLSX 文件",
        hint_en="keep only metadata in YAML; put data in CSV or XLSX files under data/",
    )


def _limit_problem(exc: YamlLimitError, rel: str, dataset: str) -> Problem:
    return _problem(
        "yaml-limit",
        f"YAML 文件被拒绝：{exc.zh}",
        f"YAML file refused: {exc.en}",
        rel,
        dataset,
        line=exc.line,
        expected=f"≤ {exc.limit}" if exc.limit else "",
        found=exc.found,
        hint="直接写出每个值，少用锚点（&名称）和别名（*名称），不要嵌套过深",
        hint_en="write the values out; use few anchors (&name) and aliases (*name), "
        "and do not nest deeply",
    )


def read_yaml(path: Path, rel: str, problems: ProblemList, dataset: str = "") -> YamlDoc | None:
    """Read and parse one catalog YAML file; every failure becomes a Problem."""
    try:
        with open(path, "rb") as handle:
            raw = handle.read(MAX_YAML_BYTES + 1)
    except FileNotFoundError:
        problems.add(_missing(path, rel, dataset))
        return None
    except IsADirectoryError:
        problems.add(
            _problem("file-missing", f"{rel} 是目录而不是文件", f"{rel} is a folder", rel, dataset)
        )
        return None
    if len(raw) > MAX_YAML_BYTES:
        problems.add(_too_large(rel, dataset))
        return None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        found = detect_bytes(raw)
        problems.add(
            _problem(
                "yaml-encoding",
                f"{rel} 不是 UTF-8 编码（检测到 {found.label}）",
                f"{rel} is not UTF-8 (found {found.label})",
                rel,
                dataset,
                line=raw[: exc.start].count(b"\n") + 1,
                expected="UTF-8",
                found=found.label,
                hint="用 UTF-8 编码另存该文件（记事本：另存为 → 编码 UTF-8）",
                hint_en="save the file as UTF-8",
            )
        )
        return None
    try:
        doc = parse_yaml(text, rel)
    except yaml.YAMLError as exc:
        problems.add(_syntax_problem(exc, text, rel, dataset))
        return None
    except YamlLimitError as exc:
        problems.add(_limit_problem(exc, rel, dataset))
        return None
    for dup in doc.duplicates:
        key = ".".join(str(p) for p in dup.path)
        problems.add(
            _problem(
                "yaml-duplicate-key",
                f"键 {dup.path[-1]} 重复出现（第 {dup.first_line} 行已有），后一个会覆盖前一个",
                f"key {dup.path[-1]} appears twice (first on line {dup.first_line}); the later "
                "one would silently win",
                rel,
                dataset,
                line=dup.line,
                field=key,
                found=f"{dup.first_line}, {dup.line}",
                hint="删除或合并重复的键",
                hint_en="delete or merge the duplicate key",
            )
        )
    if doc.data is None:
        problems.add(
            _problem(
                "yaml-empty",
                f"{rel} 是空文件",
                f"{rel} is empty",
                rel,
                dataset,
                hint="按 README 的“目录格式”填写该文件",
                hint_en="fill the file in as described in the README",
            )
        )
        return None
    return doc


# Other names a Frictionless descriptor goes by; Kaifang reads datapackage.yaml.
OTHER_NAMES = {"datapackage.yaml": ("datapackage.yml", "datapackage.json")}


def _missing(path: Path, rel: str, dataset: str) -> Problem:
    """A missing file, naming the file that is there when it has another name."""
    for other in OTHER_NAMES.get(path.name, ()):
        if (path.parent / other).is_file():
            there = rel.rsplit("/", 1)[0] + "/" + other
            json_note = other.endswith(".json")
            return _problem(
                "file-missing",
                f"找到 {there}，但 Kaifang 读取的是 {rel}",
                f"found {there}, but Kaifang reads {rel}",
                there,
                dataset,
                expected=path.name,
                found=other,
                hint=f"把 {other} 改名为 {path.name}"
                + ("（JSON 就是合法的 YAML，内容不用改）" if json_note else ""),
                hint_en=f"rename {other} to {path.name}"
                + (" (JSON is valid YAML: the content stays as it is)" if json_note else ""),
            )
    return _problem(
        "file-missing",
        f"找不到文件 {rel}",
        f"file {rel} not found",
        rel,
        dataset,
        hint=f"创建 {rel}，格式见 README 的“目录格式”一节",
        hint_en=f"create {rel}; see 'A tour of the catalog format' in the README",
    )


# PyYAML's messages for the usual slips, in Chinese (the English text is PyYAML's own).
SYNTAX_ZH = {
    "mapping values are not allowed": "这里不能再出现“键: 值”",
    "could not find expected ':'": "缺少冒号",
    "found character '\\t' that cannot start any token": "出现了 Tab 字符",
    "found character '\t' that cannot start any token": "出现了 Tab 字符",
    "found undefined alias": "引用了未定义的别名",
    "found unexpected end of stream": "文件意外结束（引号或括号未闭合）",
    "expected <block end>, but found '-'": "列表项（-）的缩进与上文不一致",
    "expected <block end>, but found '<block mapping start>'": "缩进与上文不一致",
    "expected <block end>, but found '<scalar>'": "缩进与上文不一致",
    "did not find expected key": "缩进不一致或引号未闭合",
    "did not find expected '-' indicator": "列表项（-）的缩进不一致",
    "found unknown escape character": "双引号里有未知的转义字符（\\）",
}


def _syntax_problem(exc: yaml.YAMLError, text: str, rel: str, dataset: str) -> Problem:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    line = mark.line + 1 if mark is not None else None
    detail = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    zh = next((v for k, v in SYNTAX_ZH.items() if detail.startswith(k)), "")
    hint = "检查该行及上一行的缩进（只用空格，不用 Tab）、冒号后的空格和引号是否成对"
    hint_en = (
        "check indentation (spaces, not tabs), the space after each colon and matching "
        "quotes on that line and the one before"
    )
    if detail.startswith("mapping values are not allowed") and line is not None:
        source = text.splitlines()[line - 1] if line <= len(text.splitlines()) else ""
        key, _, value = source.strip().lstrip("- ").partition(": ")
        if value and ": " in value:
            quoted = value.replace('"', '\\"')
            hint = f'值里有“: ”（冒号加空格）时要给整个值加引号：{key}: "{quoted}"'
            hint_en = (
                f"a value containing ': ' (colon and space) must be quoted: {key}: \"{quoted}\""
            )
    return _problem(
        "yaml-syntax",
        f"YAML 语法错误：{zh or detail}",
        f"YAML syntax error: {detail}",
        rel,
        dataset,
        line=line,
        hint=hint,
        hint_en=hint_en,
    )


def _refused(rel: str, problem: Problem) -> CatalogError:
    error = CatalogError(f"{rel}: 未读取 / not read", [problem])
    error.by_lang = {  # type: ignore[attr-defined]  # commands.fail says it in one language
        "zh": f"已停止：未读取 {rel}，该文件未改动；修正后重新运行",
        "en": f"stopped: {rel} was not read and is unchanged; fix it and run again",
    }
    return error


def guarded_text(path: Path, rel: str) -> str:
    """The text of a catalog YAML file read by a command that edits the catalog (new,
    import, harvest), after the limits the loader applies (:func:`parse_yaml`): a file
    over ``MAX_YAML_BYTES``, an alias bomb, a recursive alias or deep nesting raises
    :class:`CatalogError` naming the file and line, before any other YAML library walks
    it; so does a syntax error, with its line. OSError and UnicodeDecodeError reach the
    caller."""
    with open(path, "rb") as handle:
        raw = handle.read(MAX_YAML_BYTES + 1)
    if len(raw) > MAX_YAML_BYTES:
        raise _refused(rel, _too_large(rel, ""))
    text = raw.decode("utf-8-sig")
    try:
        parse_yaml(text, rel)
    except YamlLimitError as exc:
        raise _refused(rel, _limit_problem(exc, rel, "")) from None
    except yaml.YAMLError as exc:
        raise _refused(rel, _syntax_problem(exc, text, rel, "")) from None
    return text
