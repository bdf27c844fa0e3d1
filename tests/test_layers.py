"""gonogo's layers hold for every import, including the ones import-linter may miss.

`make lint` runs import-linter on the contracts in pyproject.toml (`[tool.importlinter]`).
This test reads the same contracts and checks them against every ``import`` and
``from … import`` node of gonogo/, wherever it stands: at the top of a module, inside a
function (the usual way to hide a cycle), or under ``if TYPE_CHECKING:``. Type-only imports
count like any other: naming another layer's type is depending on it, and a cycle through
annotations is still a knot a reader has to untie. It also refuses a cycle between packages
and between any two modules, and a package that no layer places.

Imports by name at run time (``importlib.import_module``: plugins, fault points) are not
import statements and are not seen.
"""

from __future__ import annotations

import ast
import tomllib
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Edge:
    importer: str
    imported: str
    where: str  # file:line

    def __str__(self) -> str:
        return f"{self.where}: {self.importer} imports {self.imported}"


def modules(package: Path) -> dict[str, Path]:
    """Dotted name → file of every module under ``package`` (its data folders aside)."""
    found = {}
    for path in sorted(package.rglob("*.py")):
        if "demo_data" in path.parts:  # the demo's sample app, not gonogo's code
            continue
        parts = list(path.relative_to(package.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def edges(package: Path) -> list[Edge]:
    """Every import of a module of ``package`` by another, with file:line."""
    known = modules(package)
    root = package.name
    found = []
    for name, path in known.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for node in ast.walk(tree):  # every node: functions and TYPE_CHECKING blocks too
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    here = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
                    here = here[: len(here) - node.level + 1]
                    base = ".".join(here + ([base] if base else []))
                # `from pkg import mod` imports the module; `from mod import name`, the module
                targets = [f"{base}.{alias.name}" for alias in node.names]
            else:
                continue
            for target in targets:
                if target != root and not target.startswith(root + "."):
                    continue
                while target not in known and "." in target:
                    target = target.rpartition(".")[0]
                if target in known and target != name:
                    where = f"{path.relative_to(package.parent)}:{node.lineno}"
                    found.append(Edge(name, target, where))
    return found


def unit(module: str, package: Path) -> str:
    """The package-level unit of a module: ``gonogo.config.load`` → ``gonogo.config``."""
    parts = module.split(".")
    if len(parts) > 1 and (package / parts[1]).is_dir():
        return ".".join(parts[:2])
    return module


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of more than one node (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                group = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == node:
                        break
                if len(group) > 1:
                    found.append(sorted(group))
    return found


def contracts(pyproject: Path) -> list[dict[str, object]]:
    config = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    return list(config["tool"]["importlinter"]["contracts"])


@dataclass
class Layers:
    """A layers contract: position of each package (0 is the top) and independence."""

    position: dict[str, int]
    independent: dict[int, bool]

    @classmethod
    def parse(cls, layers: list[str]) -> Layers:
        position: dict[str, int] = {}
        independent: dict[int, bool] = {}
        for i, layer in enumerate(layers):
            separator = "|" if "|" in layer else ":"
            independent[i] = separator == "|"
            for name in layer.split(separator):
                position[name.strip()] = i
        return cls(position, independent)


def violations(package: Path, pyproject: Path) -> list[str]:
    """Each broken contract, cycle or unplaced package, as one line naming file:line."""
    found = edges(package)
    problems: list[str] = []
    by_pair: dict[tuple[str, str], list[Edge]] = defaultdict(list)
    module_graph: dict[str, set[str]] = defaultdict(set)
    for edge in found:
        module_graph[edge.importer].add(edge.imported)
        a, b = unit(edge.importer, package), unit(edge.imported, package)
        if a != b:
            by_pair[(a, b)].append(edge)
    unit_graph: dict[str, set[str]] = defaultdict(set)
    for a, b in by_pair:
        unit_graph[a].add(b)
    for group in cycles(unit_graph):
        members = set(group)
        ties = [str(e) for (a, b), es in sorted(by_pair.items())
                if a in members and b in members for e in es[:1]]
        problems.append(f"package cycle {' ⇄ '.join(group)}: " + "; ".join(ties))
    for group in cycles(module_graph):
        members = set(group)
        ties = [str(e) for e in found if e.importer in members and e.imported in members]
        problems.append(f"module cycle {' ⇄ '.join(group)}: " + "; ".join(ties))
    for contract in contracts(pyproject):
        if contract["type"] == "layers":
            layers = Layers.parse(list(contract["layers"]))  # type: ignore[call-overload]
            units = {unit(m, package) for m in modules(package)} - {package.name}
            for name in sorted(units - set(layers.position)):
                problems.append(f"{name}: in no layer of contract {contract['id']!r} "
                                f"(pyproject.toml [tool.importlinter])")
            for (a, b), es in sorted(by_pair.items()):
                if a not in layers.position or b not in layers.position:
                    continue
                pa, pb = layers.position[a], layers.position[b]
                if pa > pb:
                    problems += [f"{e} (a lower layer imports a higher one)" for e in es]
                elif pa == pb and layers.independent[pa]:
                    problems += [f"{e} (independent layers)" for e in es]
        elif contract["type"] == "forbidden":
            sources = list(contract["source_modules"])  # type: ignore[call-overload]
            forbidden = list(contract["forbidden_modules"])  # type: ignore[call-overload]

            def under(module: str, roots: list[str]) -> bool:
                return any(module == r or module.startswith(r + ".") for r in roots)

            problems += [f"{e} (forbidden: {contract['name']})" for e in found
                         if under(e.importer, sources) and under(e.imported, forbidden)]
    return problems


def test_gonogo_keeps_its_layers_even_inside_functions() -> None:
    problems = violations(ROOT / "gonogo", ROOT / "pyproject.toml")
    assert problems == [], "\n".join(problems)


# ---- the checker itself catches what it must ---------------------------------------------

PYPROJECT = """
[tool.importlinter]
root_package = "app"

[[tool.importlinter.contracts]]
id = "layers"
name = "layers"
type = "layers"
layers = ["app.top", "app.left | app.right", "app.low"]

[[tool.importlinter.contracts]]
id = "no-right"
name = "left never imports right"
type = "forbidden"
source_modules = ["app.left"]
forbidden_modules = ["app.right"]
"""


def _tree(tmp_path: Path, files: dict[str, str]) -> tuple[Path, Path]:
    package = tmp_path / "app"
    for name, text in {"__init__.py": "", "top.py": "", "left.py": "", "right.py": "",
                       "low/__init__.py": "", "low/a.py": "", "low/b.py": "", **files}.items():
        (package / name).parent.mkdir(parents=True, exist_ok=True)
        (package / name).write_text(text)
    (tmp_path / "pyproject.toml").write_text(PYPROJECT)
    return package, tmp_path / "pyproject.toml"


def test_an_upward_import_inside_a_function_is_a_violation(tmp_path: Path) -> None:
    package, pyproject = _tree(tmp_path, {
        "top.py": "from app.low import a\n",
        "low/b.py": "def late():\n    from app import top\n    return top\n",
    })
    assert violations(package, pyproject) == [
        "package cycle app.low ⇄ app.top: app/low/b.py:2: app.low.b imports app.top; "
        "app/top.py:1: app.top imports app.low.a",
        "app/low/b.py:2: app.low.b imports app.top (a lower layer imports a higher one)",
    ]


def test_a_type_checking_import_counts(tmp_path: Path) -> None:
    package, pyproject = _tree(tmp_path, {
        "left.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import app.right\n",
    })
    assert violations(package, pyproject) == [
        "app/left.py:3: app.left imports app.right (independent layers)",
        "app/left.py:3: app.left imports app.right (forbidden: left never imports right)",
    ]


def test_a_cycle_between_two_modules_of_one_package_is_named(tmp_path: Path) -> None:
    package, pyproject = _tree(tmp_path, {
        "low/a.py": "from . import b\n",
        "low/b.py": "def late():\n    from app.low.a import thing\n",
    })
    assert violations(package, pyproject) == [
        "module cycle app.low.a ⇄ app.low.b: app/low/a.py:1: app.low.a imports app.low.b; "
        "app/low/b.py:2: app.low.b imports app.low.a",
    ]


def test_a_package_no_layer_places_is_refused(tmp_path: Path) -> None:
    package, pyproject = _tree(tmp_path, {"stray.py": ""})
    assert violations(package, pyproject) == [
        "app.stray: in no layer of contract 'layers' (pyproject.toml [tool.importlinter])",
    ]


@pytest.mark.parametrize("layer", ["a | b", "a : b"])
def test_layer_separators(layer: str) -> None:
    layers = Layers.parse([layer])
    assert layers.position == {"a": 0, "b": 0}
    assert layers.independent[0] is (layer == "a | b")


# ---- public seams: no reaching into another module's private names ----------------------

#: Private-looking names that are libraries' public API (SQLAlchemy rows, namedtuples, os).
LIBRARY_PRIVATES = frozenset({"_mapping", "_replace", "_asdict", "_fields", "_exit"})


def reach_ins(package: Path) -> list[str]:
    """``obj._name`` where ``_name`` is not this module's own attribute, and ``from gonogo.x
    import _name`` across packages: each a private seam another module depends on."""
    found = []
    for name, path in modules(package).items():
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        own = {node.attr for node in ast.walk(tree) if isinstance(node, ast.Attribute)
               and isinstance(node.value, ast.Name) and node.value.id == "self"}
        where = path.relative_to(package.parent)
        for node in ast.walk(tree):
            if (isinstance(node, ast.Attribute) and node.attr.startswith("_")
                    and not node.attr.startswith("__") and node.attr not in own
                    and node.attr not in LIBRARY_PRIVATES
                    and not (isinstance(node.value, ast.Name) and node.value.id in ("self", "cls"))):
                found.append(f"{where}:{node.lineno}: {ast.unparse(node)}")
            if isinstance(node, ast.ImportFrom) and node.module and not node.level:
                if unit(node.module, package) == unit(name, package):
                    continue  # a package's modules share their private helpers
                found += [f"{where}:{node.lineno}: from {node.module} import {alias.name}"
                          for alias in node.names
                          if alias.name.startswith("_") and not alias.name.startswith("__")]
    return found


def test_no_module_reaches_into_another_modules_private_names() -> None:
    problems = reach_ins(ROOT / "gonogo")
    assert problems == [], "\n".join(problems)


def test_a_reach_in_is_named(tmp_path: Path) -> None:
    package, _ = _tree(tmp_path, {
        "top.py": "from app.left import _helper\n\ndef go(runner):\n    runner._finish()\n",
        "left.py": "class A:\n    def f(self, other):\n        self._x = 1\n        return other._x\n",
    })
    assert reach_ins(package) == [
        "app/top.py:1: from app.left import _helper",
        "app/top.py:4: runner._finish",
    ]
