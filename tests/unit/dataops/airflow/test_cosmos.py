"""How Cosmos is configured for each environment, and the dbt_select param's node selection."""

from __future__ import annotations

import pytest

from include.dataops.airflow import cosmos as dbt_cosmos
from include.dataops.settings import load_settings

MANIFEST = {
    "nodes": {
        f"model.p.{name}": {"name": name, "resource_type": "model"}
        for name in ("stg_orders", "stg_customers", "orders", "orders_daily", "customers")
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
    assert dbt_cosmos.select_models(selector, MANIFEST) == expected


def test_an_unknown_model_is_a_one_line_error_listing_the_models():
    with pytest.raises(ValueError, match="unknown model 'ordersdaily': use one of customers, orders"):
        dbt_cosmos.select_models("ordersdaily+", MANIFEST)


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
    key = dbt_cosmos.run_results_key("orders_nightly", "manual__1", "dbt.orders_model_build", 2)
    assert key == "dbt/run_results/orders_nightly/manual__1/dbt.orders_model_build/2.json"


def test_the_manifest_is_read_as_a_plain_file_not_through_object_storage():
    """An ObjectStoragePath costs ~4 s of provider imports in every parse of the DAG."""
    from pathlib import Path

    config = dbt_cosmos.project_config(load_settings("local"), {"run_date": "2026-11-23"})

    assert type(config.manifest_path) is type(Path()) and config.manifest_path == dbt_cosmos.DBT_MANIFEST
