"""Editing a publisher's YAML without losing what they wrote.

`kaifang import --replace` changes one resource of a datapackage.yaml a person has been
editing by hand. PyYAML would drop every comment and re-indent the file; ruamel.yaml's
round-trip mode keeps comments, key order, quoting and the file's own indentation, so the
diff a reviewer sees is the resource that changed and nothing else.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.util import load_yaml_guess_indent

from ..catalog.yamldoc import guarded_text

WIDTH = 100


def _yaml(indent: int = 2, offset: int = 0) -> YAML:
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.allow_unicode = True
    yaml.width = WIDTH
    yaml.indent(mapping=indent, sequence=indent + offset, offset=offset)
    return yaml


class Document:
    """A YAML file loaded for editing; ``data`` is a CommentedMap."""

    def __init__(self, text: str) -> None:
        _, indent, offset = load_yaml_guess_indent(text)
        self.yaml = _yaml(indent or 2, offset or 0)
        self.data: Any = self.yaml.load(text)

    @classmethod
    def read(cls, path: Path) -> Document:
        """The file, after the loader's limits (size, alias bombs, nesting): a refused
        file raises CatalogError naming it before ruamel.yaml walks anything."""
        return cls(guarded_text(path, f"datasets/{path.parent.name}/{path.name}"))

    def dump(self) -> str:
        buf = io.StringIO()
        self.yaml.dump(self.data, buf)
        return buf.getvalue()


def commented(value: Any) -> Any:
    """Plain dicts and lists as ruamel's commented types, recursively (ruamel's own
    types, with their comments, are kept as they are)."""
    if isinstance(value, (CommentedMap, CommentedSeq)):
        return value
    if isinstance(value, dict):
        out = CommentedMap()
        for k, v in value.items():
            out[k] = commented(v)
        return out
    if isinstance(value, list):
        return CommentedSeq(commented(v) for v in value)
    return value


def dump_new(data: Any) -> str:
    buf = io.StringIO()
    _yaml().dump(data, buf)
    return buf.getvalue()
