"""The parse benchmark's task count is the one Cosmos renders, in each mode the bench measures."""

from __future__ import annotations

import json
from datetime import datetime

import pytest

from bench.dbt_manifest import write_manifest
from bench.parse import expected_tasks


def _node(resource_type: str, name: str, **extra: object) -> dict:
    return {
        "resource_type": resource_type,
        "name": name,
        "unique_id": f"{resource_type}.orders_analytics.{name}",
        "package_name": "orders_analytics",
        "database": "warehouse",
        "schema": "analytics",
        "config": {"materialized": "view"},
        "tags": [],
        "depends_on": {"macros": [], "nodes": []},
        **extra,
    }


def _template_manifest() -> dict:
    """The few real nodes bench/dbt_manifest.py copies, with the fields Cosmos reads."""
    models = [_node("model", name) for name in ("stg_orders", "int_customers_deduplicated", "orders")]
    tests = [
        _node("test", kind, test_metadata={"name": kind, "kwargs": {}})
        for kind in ("unique", "not_null", "relationships")
    ]
    source = {
        "resource_type": "source",
        "name": "orders",
        "unique_id": "source.orders_analytics.raw.orders",
        "package_name": "orders_analytics",
        "fqn": ["orders_analytics", "raw", "orders"],
        "depends_on": {"nodes": []},
    }
    return {
        "metadata": {"project_name": "orders_analytics"},
        "nodes": {node["unique_id"]: node for node in models + tests},
        "sources": {source["unique_id"]: source},
        "macros": {},
    }


@pytest.mark.parametrize("stock", [False, True], ids=["project", "stock-watcher"])
def test_expected_tasks_is_what_cosmos_renders(tmp_path, stock):
    """The project's shape (a sensor per model) and Cosmos's own WATCHER shape (`run` and `test`)."""
    from airflow.sdk import DAG
    from cosmos.constants import TestBehavior

    from include.dataops.airflow import cosmos as dbt_cosmos
    from include.dataops.settings import load_settings

    real = tmp_path / "real.json"
    real.write_text(json.dumps(_template_manifest()))
    counts = write_manifest(real, tmp_path / "manifest.json", 40)
    assert counts["models"] == counts["tested_models"] == 40 and counts["multi_parent_tests"] > 0
    render = dbt_cosmos.render_config()
    if stock:
        render.test_behavior, render.node_converters = TestBehavior.AFTER_EACH, None
    manifest = tmp_path / "manifest.json"
    with DAG(f"bench_{stock}", schedule=None, start_date=datetime(2026, 1, 1)) as dag:
        dbt_cosmos.dbt_task_group(load_settings("local"), {}, manifest=manifest, render=render)

    assert len(dag.tasks) == expected_tasks(
        counts, "WATCHER", render.test_behavior.name, render.should_detach_multiple_parents_tests
    )


def test_a_test_behavior_the_bench_cannot_count_is_a_one_line_error():
    with pytest.raises(SystemExit, match="knows BUILD and AFTER_EACH, not AFTER_ALL: extend expected_tasks"):
        expected_tasks(
            {"models": 1, "multi_parent_tests": 0, "tested_models": 1}, "LOCAL", "AFTER_ALL", False
        )


def _size(models: int, tasks: int, median_s: float) -> dict:
    return {"models": models, "tasks": tasks, "median_s": median_s}


def test_flat_is_a_cost_per_task_that_does_not_grow_with_the_project():
    from bench.parse import _goals

    linear = _goals([], [_size(100, 102, 0.30), _size(1000, 1002, 1.31)])
    assert linear["dbt_flat"]["met"] and linear["dbt_scale"]["met"]
    assert "1.31 ms against 2.94 ms" in linear["dbt_flat"]["measured"]
    quadratic = _goals([], [_size(100, 102, 0.10), _size(1000, 1002, 1.50)])
    assert not quadratic["dbt_flat"]["met"] and quadratic["dbt_scale"]["met"]
