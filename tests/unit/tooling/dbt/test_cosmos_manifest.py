"""The manifest Cosmos renders from: only what Cosmos reads, and the same DAG as the full one."""

from __future__ import annotations

import json
from datetime import datetime

from include.dataops.pipeline.dbt_artifacts import COSMOS_MANIFEST, DBT_MANIFEST
from tooling.dbt import cosmos_manifest


def test_the_cut_beside_the_manifest_is_the_cut_of_that_manifest():
    """`make bootstrap` and `make dbt-manifest` rebuild it; a stale one would render an old project."""
    assert COSMOS_MANIFEST.read_bytes() == cosmos_manifest.slim_bytes(DBT_MANIFEST.read_bytes()), (
        "dbt/target/cosmos_manifest.json is stale: run `make dbt-manifest`."
    )


def test_the_cut_keeps_each_nodes_identity_parents_and_config_and_drops_the_sql():
    full = json.loads(DBT_MANIFEST.read_text())
    cut = cosmos_manifest.slim(full)

    assert set(cut["nodes"]) == set(full["nodes"]) and set(cut["sources"]) == set(full["sources"])
    orders = "model.orders_analytics.orders"
    node, original = cut["nodes"][orders], full["nodes"][orders]
    assert node["depends_on"] == {"nodes": original["depends_on"]["nodes"]}
    assert node["config"] == original["config"]
    assert "raw_code" not in node and "columns" not in node and "macros" not in cut
    assert len(cosmos_manifest.slim_bytes(DBT_MANIFEST.read_bytes())) * 5 < DBT_MANIFEST.stat().st_size


def test_cosmos_renders_the_same_tasks_and_dependencies_from_the_cut_as_from_the_full_manifest():
    from airflow.sdk import DAG

    from include.dataops.airflow import cosmos as dbt_cosmos
    from include.dataops.settings import load_settings

    def rendered(manifest):
        with DAG(f"cut_{manifest.stem}", schedule=None, start_date=datetime(2026, 1, 1)) as dag:
            dbt_cosmos.dbt_task_group(load_settings("local"), {}, manifest=manifest)
        return {task.task_id: sorted(task.upstream_task_ids) for task in dag.tasks}

    assert rendered(COSMOS_MANIFEST) == rendered(DBT_MANIFEST)
