"""The real bundle from this checkout: nothing local-only inside, and everything the DAGs import.

The bundle is built from this checkout (dbt/target/manifest.json exists after `make bootstrap`)
and unpacked with write_bundle, as `make build-artifacts` does. The import promise is checked two
ways: statically (every `include.*` module the DAG files reach, lazy imports inside functions
included, has a file in the bundle) and for real (a fresh interpreter with only the unpacked DAG
prefix and site-packages on sys.path imports the DAG files and those modules as prod would).
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from include.dataops.settings import REPO_ROOT
from tooling.deploy.bundle import build_bundle, write_bundle

pytestmark = pytest.mark.integration

# Repository code that must never ship: the deploy and local tooling, the tests, the benchmarks,
# the Glue scripts (the scripts bucket gets those) and the local stand-in for Glue's library.
NEVER_SHIPPED_TOPS = ("tooling", "tests", "bench", "glue_jobs", "awsglue")
# include/config/local.yaml does not ship: it configures the emulator and local Spark, which MWAA
# never runs. MWAA always sets AIRFLOW__DATAOPS__ENVIRONMENT, and an environment that forgot to
# should fail at parse time (no local.yaml) rather than run the local settings in the cloud.
LOCAL_ONLY_FILES = ("include/config/local.yaml",)
CLOUD_CONFIGS = {"include/config/dev.yaml", "include/config/staging.yaml", "include/config/prod.yaml"}
# The only imports from include/ into repository code that does not ship, each with its reason.
ALLOWED_EDGES = {
    ("include.dataops.airflow.glue", "tooling.local.glue_job"): (
        "the local Spark runner, imported only when glue.runner is local_spark (never in a cloud config)"
    ),
}
LOCAL_RUNNERS = ("local_spark",)


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    write_bundle(build_bundle(REPO_ROOT), out)
    return out


@pytest.fixture(scope="module")
def prefix(out: Path) -> Path:
    """The unpacked DAG prefix, as MWAA syncs it into its dags folder."""
    return out / "mwaa" / "dags"


@pytest.fixture(scope="module")
def closure() -> tuple[set[str], set[tuple[str, str]]]:
    return dag_import_closure()


def shipped(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}


def module_file(root: Path, name: str) -> Path | None:
    base = root.joinpath(*name.split("."))
    return next((p for p in (base.with_suffix(".py"), base / "__init__.py") if p.is_file()), None)


def imports_of(path: Path, module: str) -> set[str]:
    """Every module a file imports anywhere in it: top level, inside functions, relative or not.

    `from pkg import name` yields `pkg`, and `pkg.name` too when that is a module of the repository.
    """
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.rsplit(".", node.level - 1)[0]
                base = f"{parent}.{base}".rstrip(".")
            found.add(base)
            found.update(
                f"{base}.{alias.name}"
                for alias in node.names
                if module_file(REPO_ROOT, f"{base}.{alias.name}")
            )
    return found


def dag_import_closure() -> tuple[set[str], set[tuple[str, str]]]:
    """The include.* modules the DAG files reach, and their edges into code that never ships.

    Parent packages count (importing `include.dataops.settings` runs `include/__init__.py`), and
    each module is read once; an edge is (importer, imported), the importer a module or a DAG file.
    """
    needed: set[str] = set()
    outside: set[tuple[str, str]] = set()
    queue = [(f"dags/{p.name}", p, "") for p in sorted((REPO_ROOT / "dags").glob("*.py"))]
    while queue:
        importer, path, module = queue.pop()
        for name in sorted(imports_of(path, module)):
            top = name.partition(".")[0]
            if top in NEVER_SHIPPED_TOPS:
                outside.add((importer, name))
            if top != "include":
                continue
            parts = name.split(".")
            for package in (".".join(parts[:i]) for i in range(1, len(parts) + 1)):
                source = module_file(REPO_ROOT, package)
                if package not in needed and source is not None:
                    queue.append((package, source, package))
                needed.add(package)
    return needed, outside


def test_nothing_local_only_ships(out, prefix):
    dags = shipped(prefix)
    leaked = sorted(
        name
        for name in dags
        if name.partition("/")[0] in NEVER_SHIPPED_TOPS
        or {"awsglue", "awsglue_shim", ".local", "__pycache__"} & set(name.split("/"))
        or name in LOCAL_ONLY_FILES
    )
    assert leaked == [], f"local-only files in the DAG prefix: {leaked}"
    assert {name for name in dags if name.startswith("include/config/")} == CLOUD_CONFIGS
    assert {p.name for p in (out / "mwaa").iterdir() if p.is_file()} == {
        "plugins.zip",
        "requirements.txt",
        "startup.sh",
    }
    glue_scripts = {
        f"glue/{p.name}" for p in (REPO_ROOT / "glue_jobs").glob("*.py") if not p.name.startswith("_")
    }
    assert shipped(out / "scripts") == glue_scripts
    assert {p.name for p in out.iterdir()} == {"mwaa", "scripts"}


def test_every_include_module_the_dags_reach_is_in_the_bundle(prefix, closure):
    needed, _ = closure

    assert "include.dataops.settings" in needed  # the walk did reach into include/
    missing = sorted(name for name in needed if module_file(prefix, name) is None)
    assert missing == [], f"imported by the DAGs (at parse or run time) but not in the bundle: {missing}"


def test_include_reaches_into_unshipped_code_only_through_the_allowed_edges(closure):
    _, outside = closure

    unexpected = sorted(outside - set(ALLOWED_EDGES))
    assert unexpected == [], f"imports of code that never ships (importer, imported): {unexpected}"
    assert set(ALLOWED_EDGES) <= outside, "an allowed edge no longer exists: drop it from ALLOWED_EDGES"


def test_no_cloud_config_uses_a_local_runner(prefix):
    runners = {name: yaml.safe_load((prefix / name).read_text())["glue"]["runner"] for name in CLOUD_CONFIGS}

    assert not [name for name, runner in runners.items() if runner in LOCAL_RUNNERS], runners


IMPORT_EVERYTHING = """
import importlib, importlib.util, json, runpy, sys
prefix, modules = sys.argv[1], json.loads(sys.argv[2])
sys.path.insert(0, prefix)
failures = {}
for dag in sorted(__import__("pathlib").Path(prefix).glob("*.py")):
    try:
        runpy.run_path(str(dag), run_name=f"bundle_dag_{dag.stem}")
    except BaseException as exc:
        failures[dag.name] = f"{type(exc).__name__}: {exc}"
for name in modules:
    try:
        importlib.import_module(name)
    except BaseException as exc:
        failures[name] = f"{type(exc).__name__}: {exc}"
print(json.dumps({
    "failures": failures,
    "include": importlib.import_module("include").__file__,
    "importable_outside": [t for t in sys.argv[3:] if importlib.util.find_spec(t) is not None],
}))
"""


def test_the_dags_and_their_modules_import_from_the_bundle_alone_as_prod(prefix, closure, tmp_path):
    needed, _ = closure
    env = {
        **os.environ,
        "AIRFLOW__DATAOPS__ENVIRONMENT": "prod",
        "AIRFLOW_HOME": str(tmp_path / "airflow"),
        "AIRFLOW__CORE__DAGS_FOLDER": str(prefix),
    }
    result = subprocess.run(
        [
            sys.executable,
            "-I",
            "-c",
            IMPORT_EVERYTHING,
            str(prefix),
            json.dumps(sorted(needed)),
            *NEVER_SHIPPED_TOPS,
        ],
        cwd=prefix,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])

    assert report["importable_outside"] == [], "the repository leaked onto sys.path: the test proves nothing"
    assert Path(report["include"]).is_relative_to(prefix)
    assert report["failures"] == {}, f"does not import from the bundle alone: {report['failures']}"
