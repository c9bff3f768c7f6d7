"""The shape of the package: stages in the order data flows, imports one way, no circles.

Reads every module's imports as written (type-only imports under ``if TYPE_CHECKING:``
are left out: they run no code) and checks them against the layers below, lowest first.
A module may import its own layer and the layers beneath it, never one above.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "generator"

# Lowest first. The bottom layer (errors, policy, model, i18n) imports no stage; runtime is
# the machinery every stage runs on; then the stages in pipeline order; then the build that
# calls them, what publishers run besides it, and the command line.
LAYERS: list[tuple[str, ...]] = [
    ("generator", "generator.errors", "generator.policy", "generator.i18n", "generator.model"),
    ("generator.runtime",),
    ("generator.catalog",),
    ("generator.checks",),
    ("generator.data",),
    ("generator.history", "generator.holdback", "generator.tombstones"),
    ("generator.site",),
    ("generator.feeds",),
    ("generator.search",),
    ("generator.deploy",),
    ("generator.audit",),
    ("generator.publish",),
    ("generator.build", "generator.checking"),
    ("generator.authoring",),
    ("generator.commands", "generator.cli", "generator.__main__"),
]
MAX_MODULE_LINES = 900


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _runtime_imports(tree: ast.Module) -> list[ast.Import | ast.ImportFrom]:
    """Every import statement, at any depth, except those under ``if TYPE_CHECKING:``."""
    found: list[ast.Import | ast.ImportFrom] = []

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import | ast.ImportFrom):
            found.append(node)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return found


def imports_of(name: str, path: Path, known: set[str]) -> set[str]:
    """The generator modules that module ``name`` imports."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out: set[str] = set()
    for node in _runtime_imports(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names if a.name in known)
            continue
        if node.level:
            base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
            target = ".".join(base + ([node.module] if node.module else []))
        else:
            target = node.module or ""
        if target not in known:
            continue
        submodules = [f"{target}.{a.name}" for a in node.names if f"{target}.{a.name}" in known]
        out.update(submodules or [target])
        if len(submodules) < len(node.names):
            out.add(target)  # names taken from the module itself
    out.discard(name)
    return out


def layer_of(name: str) -> int:
    best = -1
    for index, members in enumerate(LAYERS):
        for member in members:
            if (name == member or name.startswith(member + ".")) and (
                best < 0 or len(member) > len(_match(name, best))
            ):
                best = index
    if best < 0:
        pytest.fail(f"{name} is in no layer: add it to LAYERS in {__file__}")
    return best


def _match(name: str, index: int) -> str:
    return max((m for m in LAYERS[index] if name == m or name.startswith(m + ".")), key=len)


def graph() -> dict[str, set[str]]:
    mods = modules()
    known = set(mods)
    return {name: imports_of(name, path, known) for name, path in mods.items()}


def test_every_module_is_in_a_layer():
    for name in modules():
        layer_of(name)


def test_imports_run_one_way_from_later_stages_to_earlier_ones():
    wrong = []
    for name, targets in sorted(graph().items()):
        mine = layer_of(name)
        for target in sorted(targets):
            if target == "generator":  # the package's face: __version__ only
                continue
            if layer_of(target) > mine:
                wrong.append(f"{name} ({_match(name, mine)}) imports later {target}")
    assert not wrong, "imports that run against the pipeline:\n" + "\n".join(wrong)


def find_cycle(edges: dict[str, set[str]]) -> list[str] | None:
    """One import circle, as the list of modules around it, or None."""
    state: dict[str, int] = {}  # 1 on the current path, 2 done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == 1:
                return path[path.index(nxt) :] + [nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        path.pop()
        state[node] = 2
        return None

    for start in sorted(edges):
        if start not in state and (cycle := visit(start)):
            return cycle
    return None


def test_no_import_circles():
    edges = {n: {t for t in ts if t != "generator"} for n, ts in graph().items()}
    cycle = find_cycle(edges)
    assert cycle is None, "import circle: " + " -> ".join(cycle or [])


def test_the_cycle_finder_finds_a_circle():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": set()}) is None


def test_the_layer_check_sees_a_late_import(tmp_path: Path):
    """A module of the checks stage that imported the site stage would be caught."""
    known = {"generator.checks.validate", "generator.site.render", "generator.site"}
    module = tmp_path / "validate.py"
    module.write_text(
        "from typing import TYPE_CHECKING\n"
        "from ..site.render import TEMPLATES\n"
        "if TYPE_CHECKING:\n    from ..site import render\n",
        encoding="utf-8",
    )
    targets = imports_of("generator.checks.validate", module, known)
    assert targets == {"generator.site.render"}
    assert layer_of("generator.site.render") > layer_of("generator.checks.validate")


def test_no_module_is_too_long_to_read():
    long = {
        name: n
        for name, path in modules().items()
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES
    }
    assert not long, f"modules over {MAX_MODULE_LINES} lines: {long}"


def test_every_stage_package_says_what_it_takes_and_gives():
    for init in sorted(PACKAGE.glob("*/__init__.py")):
        doc = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8")))
        assert doc and len(doc) > 80, f"{init.parent.name}/__init__.py needs a docstring"
