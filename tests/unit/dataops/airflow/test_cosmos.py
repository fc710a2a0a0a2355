"""How Cosmos is configured for each environment, and the dbt_select param's node selection."""

from __future__ import annotations

import json
from typing import Any

import pytest

from include.dataops.airflow import cosmos as dbt_cosmos
from include.dataops.pipeline import audit, dbt_artifacts
from include.dataops.settings import load_settings

MANIFEST = {
    "nodes": {
        f"model.p.{name}": {"name": name, "resource_type": "model", "fqn": ["p", layer, name]}
        for name, layer in (
            ("stg_orders", "staging"),
            ("stg_customers", "staging"),
            ("orders", "marts"),
            ("orders_daily", "marts"),
            ("customers", "marts"),
        )
    }
    | {"test.p.unique_orders": {"name": "unique_orders", "resource_type": "test"}},
    "parent_map": {
        "model.p.orders": ["model.p.stg_orders"],
        "model.p.orders_daily": ["model.p.orders"],
        "model.p.customers": ["model.p.stg_customers", "model.p.orders"],
        "test.p.unique_orders": ["model.p.orders"],
    },
    "child_map": {
        "model.p.stg_orders": ["model.p.orders"],
        "model.p.stg_customers": ["model.p.customers"],
        "model.p.orders": ["model.p.orders_daily", "model.p.customers", "test.p.unique_orders"],
    },
}


@pytest.mark.parametrize(
    ("selector", "expected"),
    [
        ("orders_daily", {"orders_daily"}),
        ("orders+", {"orders", "orders_daily", "customers"}),
        ("+customers", {"customers", "stg_customers", "orders", "stg_orders"}),
        ("stg_orders orders_daily", {"stg_orders", "orders_daily"}),
    ],
)
def test_select_models_follows_dbts_graph_operators(selector, expected):
    assert audit.select_models(selector, MANIFEST) == expected


def test_an_unknown_model_is_a_one_line_error_listing_the_models():
    with pytest.raises(ValueError, match="unknown model 'ordersdaily': use one of customers, orders"):
        audit.select_models("ordersdaily+", MANIFEST)


def test_local_maps_the_duckdb_connection_and_cloud_maps_the_redshift_connection():
    # A mapped connection gives Cosmos the warehouse file's real path, so dataset and Asset names
    # are rendered; profiles.yml's path is a Jinja var() that Cosmos's OpenLineage names leave raw.
    local = dbt_cosmos.profile_config(load_settings("local"))
    assert type(local.profile_mapping).__name__ == "DuckDBUserPasswordProfileMapping"
    assert local.profile_mapping.conn_id == "warehouse" and local.target_name == "local"
    prod = dbt_cosmos.profile_config(load_settings("prod"))
    assert type(prod.profile_mapping).__name__ == "RedshiftUserPasswordProfileMapping"
    assert prod.profile_mapping.conn_id == "redshift_default" and prod.target_name == "prod"


def test_dbt_runs_from_its_own_venv_in_a_subprocess():
    config = dbt_cosmos.execution_config(load_settings("prod"))
    assert str(config.dbt_executable_path) == "/usr/local/airflow/dbt_venv/bin/dbt"
    assert config.invocation_mode.name == "SUBPROCESS"


def test_run_results_keys_sort_attempts_under_one_task():
    key = dbt_artifacts.run_results_key("orders_nightly", "manual__1", "dbt.orders.run", 2)
    assert key == "dbt/run_results/orders_nightly/manual__1/dbt.orders.run/2.json"


def test_the_manifest_is_read_as_a_plain_file_not_through_object_storage():
    """An ObjectStoragePath costs ~4 s of provider imports in every parse of the DAG."""
    from pathlib import Path

    config = dbt_cosmos.project_config(load_settings("local"), {"run_date": "2026-11-23"})

    assert type(config.manifest_path) is type(Path()) and config.manifest_path == dbt_cosmos.COSMOS_MANIFEST


def test_dbt_runs_as_one_watched_build_whose_sensors_reschedule():
    from cosmos.constants import ExecutionMode

    settings = load_settings("prod")
    assert dbt_cosmos.execution_config(settings).execution_mode == ExecutionMode.WATCHER
    args = dbt_cosmos.operator_args(settings)
    # `airflow dags test` runs a deferred trigger inline: a sensor deferred before the build would hang.
    assert args["deferrable"] is False and args["mode"] == "reschedule"


class _TI:
    task_id = "dbt.orders_model_build"


class _Sensor:
    producer_task_id = "dbt.dbt_producer_watcher"

    def __init__(self, node_id: str, has_tests: bool = False) -> None:
        self.model_unique_id, self.has_tests = node_id, has_tests


ORDERS = "model.p.orders"


def _producer(monkeypatch, tmp_path, exists: bool) -> tuple[Any, Any]:
    """The producer task and its task instance, the warehouse connection at a file in tmp_path."""
    import duckdb

    path = tmp_path / "wh.duckdb"
    if exists:
        duckdb.connect(str(path)).close()
    conn = load_settings().warehouse.conn_id.upper()
    monkeypatch.setenv(f"AIRFLOW_CONN_{conn}", json.dumps({"conn_type": "duckdb", "host": str(path)}))

    class Producer:
        select = None
        indirect_selection = None

    ti = _TI()
    ti.task_id = f"dbt.{dbt_artifacts.PRODUCER_TASK_ID}"
    return Producer(), ti


def test_the_producer_refuses_a_missing_warehouse_before_dbt_creates_one(monkeypatch, tmp_path):
    from include.dataops.warehouse import WarehouseError

    producer, ti = _producer(monkeypatch, tmp_path, exists=False)
    with pytest.raises(WarehouseError, match=r"wh.duckdb does not exist: restore it, or create an empty one"):
        dbt_cosmos.prepare_dbt_task({"ti": ti, "task": producer, "params": {"dbt_select": None}})
    assert not (tmp_path / "wh.duckdb").exists()


def test_dbt_select_picks_the_producers_build_and_the_sensors_that_run(monkeypatch, tmp_path):
    from airflow.sdk.exceptions import AirflowSkipException

    manifest = tmp_path / "manifest.json"
    manifest.write_text(json.dumps(MANIFEST))
    monkeypatch.setattr(dbt_cosmos, "DBT_MANIFEST", manifest)
    producer, ti = _producer(monkeypatch, tmp_path, exists=True)
    dbt_cosmos.prepare_dbt_task({"ti": ti, "task": producer, "params": {"dbt_select": " customers "}})
    # The selected mart and the views it reads; orders, a mart it reads, is copied in as published.
    assert producer.select == "customers stg_customers"
    # Only the tests whose models are all built: others would read models the audit schema lacks.
    assert producer.indirect_selection == "cautious"
    selected = {"ti": _TI(), "params": {"dbt_select": "customers"}}
    dbt_cosmos.prepare_dbt_task({**selected, "task": _Sensor("model.p.customers")})
    dbt_cosmos.prepare_dbt_task({**selected, "task": _Sensor("model.p.stg_customers")})
    with pytest.raises(AirflowSkipException, match=r"is not built for dbt_select='customers'"):
        dbt_cosmos.prepare_dbt_task({**selected, "task": _Sensor("model.p.orders", has_tests=True)})
