"""Layers point one way: the domain never reaches Prefect or the flows, and folders form no cycle.

Every module of the package is parsed (function-level imports included, since an import hidden
in a function is an import all the same) and each import is mapped to the folder it lands in.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FOLDERS = (
    "db",
    "flows",
    "notifications",
    "outputs",
    "portal",
    "review",
    "rules",
    "runs",
    "sources",
    "tasks",
    "templates",
)
BASE = "kinerja"  # kinerja/*.py: domain vocabulary, settings, names, the secret store
CLI = "cli"  # kinerja/cli: the composition root, which may import anything
# What knows nothing of Prefect: it is reached only through runs/ (the adapter), flows/, tasks/.
DOMAIN = {BASE, "db", "notifications", "outputs", "portal", "review", "rules", "sources"}
DOMAIN |= {"templates"}
PREFECT_SIDE = {"prefect", "runs", "flows", "tasks", CLI}
MAY_IMPORT_PREFECT = {"runs", "flows", "tasks"}


def _modules() -> Iterator[tuple[str, str, Path]]:
    """(dotted name, folder, path) of every module of the installed package's source tree."""
    for folder in FOLDERS:
        for path in sorted((ROOT / folder).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            yield ".".join(("kinerja", *parts)), folder, path
    for path in sorted((ROOT / "kinerja").glob("*.py")):
        yield f"kinerja.{path.stem}", BASE, path
    for path in sorted((ROOT / "kinerja" / "cli").glob("*.py")):
        yield f"kinerja.cli.{path.stem}", CLI, path


def _imported(module: str, path: Path) -> Iterator[tuple[int, str]]:
    """(line, dotted name) of every import anywhere in the module, relative ones resolved."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                name = ".".join([*base, node.module] if node.module else base)
            else:
                name = node.module or ""
            yield node.lineno, name
            for alias in node.names:  # `from kinerja import flows` lands in flows/
                yield node.lineno, f"{name}.{alias.name}"


def _folder_of(name: str) -> str | None:
    """The folder (or BASE, CLI, "prefect") an imported name lands in; None for the rest."""
    parts = name.split(".")
    if parts[0] == "prefect":
        return "prefect"
    if parts[0] != "kinerja" or len(parts) == 1:
        return None
    if parts[1] in FOLDERS:
        return parts[1]
    if parts[1] == CLI:
        return CLI
    return BASE if (ROOT / "kinerja" / f"{parts[1]}.py").exists() else None


def _edges() -> list[tuple[str, str, str, int, str]]:
    """(from folder, to folder, module path, line, imported name) across folders."""
    found = []
    for module, folder, path in _modules():
        for line, name in _imported(module, path):
            target = _folder_of(name)
            if target is not None and target != folder:
                found.append((folder, target, str(path.relative_to(ROOT)), line, name))
    return found


EDGES = _edges()


def test_the_walk_sees_every_layer_and_imports_inside_functions() -> None:
    assert {folder for _, folder, _ in _modules()} == {*FOLDERS, BASE, CLI}
    hidden = [
        e for e in EDGES if e[2] == "tasks/cycle.py" and e[4].startswith("kinerja.runs.launch")
    ]
    assert hidden, "the function-level import of runs.launch in tasks/cycle.py was not seen"


@pytest.mark.parametrize("layer", sorted(DOMAIN))
def test_the_domain_never_imports_prefect_the_adapter_the_flows_or_the_tasks(layer: str) -> None:
    wrong = [
        f"{path}:{line} imports {name}"
        for src, dst, path, line, name in EDGES
        if src == layer and dst in PREFECT_SIDE
    ]
    assert not wrong, "\n".join(wrong)


def test_only_the_adapter_the_flows_and_the_tasks_import_prefect() -> None:
    wrong = [
        f"{path}:{line} imports {name}"
        for src, dst, path, line, name in EDGES
        if dst == "prefect" and src not in MAY_IMPORT_PREFECT
    ]
    assert not wrong, "\n".join(wrong)


def test_no_folder_imports_the_command_line() -> None:
    wrong = [f"{p}:{line} imports {n}" for src, dst, p, line, n in EDGES if dst == CLI]
    assert not wrong, "\n".join(wrong)


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of the graph as a path [a, b, ..., a], or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": set()}) is None


def test_no_import_cycle_between_folders() -> None:
    graph: dict[str, set[str]] = {}
    for src, dst, *_ in EDGES:
        if dst != "prefect":
            graph.setdefault(src, set()).add(dst)
    cycle = _cycle(graph)
    if cycle:
        pairs = zip(cycle, cycle[1:], strict=False)
        where = [
            next(
                f"{a} -> {b}: {p}:{line} imports {n}"
                for s, d, p, line, n in EDGES
                if (s, d) == (a, b)
            )
            for a, b in pairs
        ]
        pytest.fail("import cycle between folders:\n" + "\n".join(where))


def _private_prefect_uses(source: str) -> Iterator[str]:
    """Private Prefect names a module imports or reaches: `from prefect.x import _y`,
    `prefect._x`, or any `obj._attr` other than on self or cls in a module using Prefect."""
    tree = ast.parse(source)
    uses_prefect = False
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "prefect":
            uses_prefect = True
            module = node.module or ""
            if any(part.startswith("_") for part in module.split(".")):
                yield f"{node.lineno}: from {module}"
            for alias in node.names:
                if alias.name.startswith("_"):
                    yield f"{node.lineno}: import {alias.name} from {module}"
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "prefect":
                    uses_prefect = True
                    if any(part.startswith("_") for part in alias.name.split(".")):
                        yield f"{node.lineno}: import {alias.name}"
    if not uses_prefect:
        return
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and node.attr.startswith("_")
            and not (isinstance(node.value, ast.Name) and node.value.id in {"self", "cls"})
        ):
            yield f"{node.lineno}: .{node.attr}"


def test_no_private_prefect_name_anywhere() -> None:
    """Prefect only through its public API: product, benchmarks and tests alike."""
    sample = (
        "from prefect.context import SyncClientContext\n"
        "from prefect._internal.compatibility import x\n"
        "with SyncClientContext() as ctx:\n"
        "    ctx._httpx_settings = None\n"
        "SyncClientContext.__var__.set(None)\n"
    )
    assert [u.split(": ")[0] for u in _private_prefect_uses(sample)] == ["2", "4", "5"]
    roots = [*(ROOT / f for f in FOLDERS), ROOT / "kinerja", ROOT / "benchmarks", ROOT / "tests"]
    files = sorted({p for r in roots for p in r.rglob("*.py")})
    wrong = [
        f"{p.relative_to(ROOT)}:{use}"
        for p in files
        for use in _private_prefect_uses(p.read_text(encoding="utf-8"))
    ]
    assert not wrong, "\n".join(wrong)
