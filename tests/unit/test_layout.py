"""The layout's guard rails: no import cycle, no oversized module, and `include/` stays the MWAA runtime.

The import graph is read with `ast`, not by importing anything, so it sees every import a module
can ever run: module level, inside functions (lazy imports) and under `TYPE_CHECKING`. Type-only
imports count: a cycle through them is still two modules that each need the other to be read or
type-checked, and the fix is the same as for a runtime cycle (move the shared type to a leaf
module). Importing `a.b.c` also runs `a/__init__` and `a/b/__init__`; those implicit edges are left
out because this project's `__init__` files hold only a docstring (a test below keeps it so).
"""

from __future__ import annotations

import ast
import re
from collections import deque
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest

from include.dataops.settings import REPO_ROOT

GRAPH_ROOTS = ("dags", "include", "tooling", "plugins", "bench", "glue_jobs")
# Directories put on sys.path themselves (not imported through their parent package).
PATH_ROOTS = ("tooling/local/awsglue_shim",)
SIZED_ROOTS = ("dags", "include", "tooling", "plugins", "bench", "tests")
MAX_LINES = 300
# include/ modules that may import tooling/ or tests/, each with the reason.
RUNTIME_TO_TOOLING = {
    ("include.dataops.airflow.glue", "tooling.local.glue_job"): (
        "the local-only Spark runner, imported only when settings.glue.runner is local_spark"
    ),
}
TOOL_CALLERS = ("Makefile", ".github/workflows/*.yml", "buildspec/*.yml")
TOOL_CALL = re.compile(r"(?:python[\d.]*|\$\(PY(?:THON)?\))\s+(?:-m\s+([\w.]+)|([\w./-]+\.py))")


def module_files(root: Path, tops: tuple[str, ...] = GRAPH_ROOTS) -> dict[str, Path]:
    """Every module under the given top-level folders, by the dotted name it is imported as."""
    modules: dict[str, Path] = {}
    bases = [(root / top, top) for top in tops] + [(root / extra, "") for extra in PATH_ROOTS]
    for base, prefix in bases:
        for path in sorted(base.rglob("*.py")):
            relative = path.relative_to(base).with_suffix("")
            if "__pycache__" in relative.parts or (prefix and relative.parts[0] == "awsglue_shim"):
                continue
            parts = [p for p in (prefix, *relative.parts) if p]
            if parts[-1] == "__init__":
                parts.pop()
            modules[".".join(parts)] = path
    return modules


def imported_names(module: str, path: Path) -> Iterator[str]:
    """Dotted names a module imports anywhere in its body; `from x import y` yields x.y."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            yield from (f"{base}.{alias.name}" for alias in node.names)


def import_graph(modules: Mapping[str, Path]) -> dict[str, set[str]]:
    """Each module's edges to the project modules it imports (the deepest module a name reaches)."""
    graph: dict[str, set[str]] = {}
    for module, path in modules.items():
        targets = set()
        for name in imported_names(module, path):
            parts = name.split(".")
            while parts and ".".join(parts) not in modules:
                parts.pop()
            if parts and ".".join(parts) != module:
                targets.add(".".join(parts))
        graph[module] = targets
    return graph


def shortest_cycle(graph: Mapping[str, set[str]], start: str) -> list[str] | None:
    previous: dict[str, str] = {}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        for target in sorted(graph.get(node, ())):
            if target == start:
                path = [node]
                while path[-1] != start:
                    path.append(previous[path[-1]])
                return [*reversed(path), start]
            if target not in previous:
                previous[target] = node
                queue.append(target)
    return None


def cycles(graph: Mapping[str, set[str]]) -> list[str]:
    """One shortest cycle per module that sits on a cycle, deduplicated, each as `a -> b -> a`."""
    found: set[tuple[str, ...]] = set()
    for start in sorted(graph):
        cycle = shortest_cycle(graph, start)
        if cycle:
            ring = cycle[:-1]
            first = ring.index(min(ring))
            found.add(tuple(ring[first:] + ring[:first]))
    return sorted(" -> ".join([*ring, ring[0]]) for ring in found)


def write_package(root: Path, files: Mapping[str, str]) -> None:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)


def test_the_cycle_finder_names_lazy_relative_and_type_only_cycles(tmp_path: Path):
    write_package(
        tmp_path,
        {
            "pkg/__init__.py": '"""A synthetic package."""\n',
            "pkg/types.py": "import json\n",
            "pkg/a.py": "from pkg import b\nfrom pkg.types import X\n",
            "pkg/b.py": "def lazy():\n    from . import a\n",
            "pkg/c.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import pkg.d\n",
            "pkg/d.py": "from pkg.c import thing\n",
            "pkg/e.py": "from pkg import types\nimport pkg.a\n",
        },
    )
    graph = import_graph(module_files(tmp_path, ("pkg",)))

    assert graph["pkg.a"] == {"pkg.b", "pkg.types"}
    assert cycles(graph) == ["pkg.a -> pkg.b -> pkg.a", "pkg.c -> pkg.d -> pkg.c"]


def test_the_cycle_finder_passes_an_acyclic_package(tmp_path: Path):
    write_package(tmp_path, {"pkg/__init__.py": "", "pkg/a.py": "import pkg.b\n", "pkg/b.py": "import os\n"})

    assert cycles(import_graph(module_files(tmp_path, ("pkg",)))) == []


def test_the_project_has_no_import_cycle():
    found = cycles(import_graph(module_files(REPO_ROOT)))

    assert not found, "import cycles (move the shared names to a leaf module):\n" + "\n".join(found)


def test_every_project_import_resolves_to_a_module():
    """A name is a module, or a name defined in a module (packages hold only their docstring)."""
    modules = module_files(REPO_ROOT)
    broken = sorted(
        {
            f"{module}: {name}"
            for module, path in modules.items()
            for name in imported_names(module, path)
            if name.split(".")[0] in ("include", "tooling", "bench")
            and name not in modules
            and modules.get(name.rpartition(".")[0], Path("__init__.py")).name == "__init__.py"
        }
    )

    assert not broken, "imports of project modules that do not exist:\n" + "\n".join(broken)


def test_no_module_is_over_the_size_limit():
    oversized = sorted(
        (len(path.read_text().splitlines()), str(path.relative_to(REPO_ROOT)))
        for top in SIZED_ROOTS
        for path in (REPO_ROOT / top).rglob("*.py")
        if len(path.read_text().splitlines()) > MAX_LINES
    )

    assert not oversized, f"modules over {MAX_LINES} lines (split them by concern):\n" + "\n".join(
        f"{name}: {lines} lines" for lines, name in reversed(oversized)
    )


def test_the_runtime_imports_no_tooling_or_tests_beyond_the_allow_list():
    graph = import_graph(module_files(REPO_ROOT, (*GRAPH_ROOTS, "tests")))
    reached = {
        (module, target)
        for module, targets in graph.items()
        if module.startswith("include.")
        for target in targets
        if target.split(".")[0] in ("tooling", "tests")
    }

    unexpected = [f"{module} -> {target}" for module, target in sorted(reached - RUNTIME_TO_TOOLING.keys())]
    stale = [f"{module} -> {target}" for module, target in sorted(RUNTIME_TO_TOOLING.keys() - reached)]

    assert not unexpected, "include/ must not import tooling/ or tests/ (move it to tooling/):\n" + "\n".join(
        unexpected
    )
    assert not stale, "allow-list entries nothing uses any more (delete them):\n" + "\n".join(stale)


def tool_calls() -> list[tuple[str, str]]:
    """(file, module or script) for every `python -m X` / `python path.py` the Makefile and CI run."""
    calls = []
    for pattern in TOOL_CALLERS:
        for path in sorted(REPO_ROOT.glob(pattern)):
            for module, script in TOOL_CALL.findall(path.read_text()):
                calls.append((str(path.relative_to(REPO_ROOT)), module or script))
    return calls


def test_nothing_the_makefile_or_ci_calls_as_a_tool_lives_under_tests():
    calls = tool_calls()
    modules = module_files(REPO_ROOT)
    project_calls = [(f, c) for f, c in calls if c.split(".")[0] in GRAPH_ROOTS or c.endswith(".py")]

    assert {"tooling.ci", "tooling/dbt/redshift_check.py"} <= {c for _, c in project_calls}
    assert [f"{f}: {c}" for f, c in calls if c.startswith(("tests.", "tests/"))] == []
    assert [
        f"{f}: {c}" for f, c in project_calls if c not in modules and not (REPO_ROOT / c).is_file()
    ] == [], "the Makefile or CI calls a tool that does not exist"


@pytest.mark.parametrize(
    "package",
    sorted(
        str(d.relative_to(REPO_ROOT))
        for top in ("include", "tooling")
        for d in [REPO_ROOT / top, *(REPO_ROOT / top).rglob("*")]
        if d.is_dir() and any(d.glob("*.py")) and str(d.relative_to(REPO_ROOT)) not in PATH_ROOTS
    ),
)
def test_every_package_says_what_it_holds_in_a_one_line_docstring(package: str):
    init = REPO_ROOT / package / "__init__.py"
    assert init.is_file(), f"{package}/ has modules but no __init__.py: add one with a one-line docstring"
    tree = ast.parse(init.read_text())
    docstring = ast.get_docstring(tree)

    assert docstring, f"{package}/__init__.py needs a one-line docstring saying what the package holds"
    assert docstring.splitlines()[0].endswith("."), f"{package}/__init__.py: the first line is the summary"
    assert all(isinstance(node, ast.Expr) for node in tree.body), (
        f"{package}/__init__.py holds only a docstring"
    )
