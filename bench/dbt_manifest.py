"""A synthetic dbt manifest of N models with their tests, for the parse benchmark at scale.

Built directly as JSON (dbt never runs) from the real dbt/target/manifest.json: every model and
test is a copy of one of the project's own nodes (a staging, an intermediate and a mart model;
the unique, not_null and relationships tests), renamed and rewired, so each node carries the
fields and the weight of a real one. Cosmos reads it with LoadMode.DBT_MANIFEST as it reads the
real one: nodes, depends_on, parent_map and child_map. The macros and sources stay the real ones.

The graph is layered as the project is: a fifth staging models on the two sources, three tenths
intermediate models on staging ones, the rest marts on intermediate or earlier marts; every model
has a unique and a not_null test, and every fourth mart a relationships test on two models
(a test task of its own under should_detach_multiple_parents_tests).
"""

from __future__ import annotations

import copy
import hashlib
import json
import random
from pathlib import Path
from typing import Any

LAYERS = (("staging", "stg", 0.2), ("intermediate", "int", 0.5), ("marts", "mart", 1.0))
# The real node each synthetic one copies, by layer, and the real test each test kind copies.
MODEL_TEMPLATES = {"staging": "stg_orders", "intermediate": "int_customers_deduplicated", "marts": "orders"}
TEST_KINDS = ("unique", "not_null", "relationships")
RELATIONSHIPS_EVERY = 4


class ManifestTemplateError(RuntimeError):
    """The real manifest lacks a node the synthetic one copies; the message says how to rebuild it."""


def synthetic_manifest(real: dict[str, Any], models: int, seed: int = 42) -> dict[str, Any]:
    """A manifest of `models` models shaped like `real`; the same arguments give the same JSON."""
    rng = random.Random(seed)
    project = real["metadata"]["project_name"]
    models_by_name, tests_by_kind = _templates(real)
    sources = sorted(real["sources"])
    nodes: dict[str, dict[str, Any]] = {}
    built: dict[str, list[str]] = {layer: [] for layer, _, _ in LAYERS}
    for index in range(models):
        layer, prefix = _layer(index, models)
        name = f"{prefix}_{index:04d}"
        if layer == "staging":
            parents = [sources[index % len(sources)]]
        elif layer == "intermediate":
            parents = rng.sample(built["staging"], k=min(2, len(built["staging"])))
        else:
            upstream = built["intermediate"] + built["marts"]
            parents = rng.sample(upstream, k=min(rng.randint(1, 3), len(upstream)))
        model = _model(models_by_name[MODEL_TEMPLATES[layer]], project, layer, name, parents, real)
        nodes[model["unique_id"]] = model
        built[layer].append(model["unique_id"])
        tested = [[model["unique_id"]]]
        if layer == "marts" and len(built["marts"]) % RELATIONSHIPS_EVERY == 0:
            tested.append([model["unique_id"], parents[0]])
        for targets in tested:
            for kind in TEST_KINDS[:2] if len(targets) == 1 else TEST_KINDS[2:]:
                test = _test(tests_by_kind[kind], project, layer, kind, targets, nodes)
                nodes[test["unique_id"]] = test
    manifest = {key: value for key, value in real.items() if key not in ("nodes", "unit_tests")}
    manifest.update(nodes=nodes, unit_tests={}, **_maps(nodes, real["sources"]))
    return manifest


def write_manifest(real_path: Path, target: Path, models: int) -> dict[str, int]:
    """Write the synthetic manifest to `target`; return what the benchmark checks and reports.

    Tests on two models count apart: each is a Cosmos task of its own; the others run in their
    model's `dbt build` (BUILD), or in one test task per tested model (AFTER_EACH).
    """
    if not real_path.is_file():
        raise ManifestTemplateError(f"{real_path} is missing: run `make dbt-manifest` (make bootstrap does).")
    manifest = synthetic_manifest(json.loads(real_path.read_text()), models)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(manifest))
    tests = [node for node in manifest["nodes"].values() if node["resource_type"] == "test"]
    return {
        "models": len(manifest["nodes"]) - len(tests),
        "tests": len(tests),
        "multi_parent_tests": sum(len(test["depends_on"]["nodes"]) > 1 for test in tests),
        "tested_models": len(
            {test["depends_on"]["nodes"][0] for test in tests if len(test["depends_on"]["nodes"]) == 1}
        ),
        "bytes": target.stat().st_size,
    }


def _templates(real: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    models = {n["name"]: n for n in real["nodes"].values() if n["resource_type"] == "model"}
    tests: dict[str, dict[str, Any]] = {}
    for node in real["nodes"].values():
        kind = (node.get("test_metadata") or {}).get("name")
        if node["resource_type"] == "test" and kind in TEST_KINDS:
            tests.setdefault(kind, node)
    missing = sorted(set(MODEL_TEMPLATES.values()) - set(models)) + sorted(set(TEST_KINDS) - set(tests))
    if missing:
        raise ManifestTemplateError(
            f"the real manifest has no {', '.join(missing)}:"
            f" update MODEL_TEMPLATES or TEST_KINDS in {__name__} to nodes it has."
        )
    return models, tests


def _layer(index: int, models: int) -> tuple[str, str]:
    share = (index + 1) / models
    return next((layer, prefix) for layer, prefix, upto in LAYERS if share <= upto)


def _model(
    template: dict[str, Any], project: str, layer: str, name: str, parents: list[str], real: dict[str, Any]
) -> dict[str, Any]:
    node = copy.deepcopy(template)
    unique_id = f"model.{project}.{name}"
    upstream_models = [p.split(".")[-1] for p in parents if p.startswith("model.")]
    node.update(
        name=name,
        alias=name,
        unique_id=unique_id,
        path=f"{layer}/{name}.sql",
        original_file_path=f"models/{layer}/{name}.sql",
        fqn=[project, layer, name],
        checksum={"name": "sha256", "checksum": hashlib.sha256(unique_id.encode()).hexdigest()},
        relation_name=f'"{node["database"]}"."{node["schema"]}"."{name}"',
        refs=[{"name": model, "package": None, "version": None} for model in upstream_models],
        sources=[real["sources"][p]["fqn"][-2:] for p in parents if p.startswith("source.")],
    )
    node["depends_on"] = {"macros": template["depends_on"]["macros"], "nodes": parents}
    return node


def _test(
    template: dict[str, Any],
    project: str,
    layer: str,
    kind: str,
    targets: list[str],
    nodes: dict[str, dict[str, Any]],
) -> dict[str, Any]:
    node = copy.deepcopy(template)
    names = [nodes[t]["name"] for t in targets]
    name = f"{kind}_{'__'.join(names)}_id"
    digest = hashlib.sha256(name.encode()).hexdigest()[:10]
    node.update(
        name=name,
        alias=name,
        unique_id=f"test.{project}.{name}.{digest}",
        path=f"{name}.sql",
        original_file_path=f"models/{layer}/_{layer}.yml",
        fqn=[project, layer, name],
        refs=[{"name": n, "package": None, "version": None} for n in names],
        attached_node=targets[0],
        file_key_name=f"models.{names[0]}",
        column_name="id",
    )
    node["depends_on"] = {"macros": template["depends_on"]["macros"], "nodes": targets}
    node["test_metadata"] = {**template["test_metadata"], "kwargs": {"column_name": "id", "model": names[0]}}
    return node


def _maps(nodes: dict[str, dict[str, Any]], sources: dict[str, Any]) -> dict[str, dict[str, list[str]]]:
    parent_map = {unique_id: list(node["depends_on"]["nodes"]) for unique_id, node in nodes.items()}
    child_map: dict[str, list[str]] = {unique_id: [] for unique_id in [*sources, *nodes]}
    for unique_id, parents in parent_map.items():
        for parent in parents:
            child_map[parent].append(unique_id)
    return {"parent_map": {**{source: [] for source in sources}, **parent_map}, "child_map": child_map}
