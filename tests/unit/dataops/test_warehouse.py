"""The warehouse helper on a real DuckDB file, and its one-line errors."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pytest

from include.dataops import warehouse
from include.dataops.warehouse import WarehouseError, query_df, scalar
from include.dataops.warehouse_engines import DuckDbEngine, RedshiftDataEngine


@pytest.fixture
def duckdb_conn(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    path = tmp_path / "wh.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("create schema analytics")
        con.execute(
            "create table analytics.orders as select * from (values "
            "('o1', 10.50::decimal(12,2)), ('o2', 20.25::decimal(12,2))) t(order_id, order_total)"
        )
    monkeypatch.setenv("AIRFLOW_CONN_TESTWH", json.dumps({"conn_type": "duckdb", "host": str(path)}))
    return "testwh"


def test_query_df_reads_duckdb_and_returns_floats_for_decimals(duckdb_conn: str) -> None:
    frame = query_df("select * from analytics.orders order by order_id", duckdb_conn)
    assert list(frame["order_id"]) == ["o1", "o2"]
    assert frame["order_total"].dtype.kind == "f"
    assert frame["order_total"].sum() == pytest.approx(30.75)


def test_scalar_with_parameters_and_empty_result(duckdb_conn: str) -> None:
    assert scalar("select count(*) from analytics.orders where order_total > ?", duckdb_conn, [15]) == 1
    assert scalar("select order_id from analytics.orders where false", duckdb_conn) is None


def test_duckdb_is_opened_read_only(duckdb_conn: str) -> None:
    with pytest.raises(WarehouseError, match="warehouse query failed"):
        query_df("create table analytics.x as select 1", duckdb_conn)


def test_a_missing_file_is_refused_by_reads_and_writes_and_never_created(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """DuckDB creates a file on connect: a run would build into an empty warehouse. Tooling creates it."""
    missing = tmp_path / "gone" / "none.duckdb"
    monkeypatch.setenv("AIRFLOW_CONN_NOFILE", json.dumps({"conn_type": "duckdb", "host": str(missing)}))
    fix = re.escape(
        f"{missing} does not exist: restore it, or create an empty one with "
        f"`make warehouse WAREHOUSE={missing}`"
    )
    for call in (
        lambda: query_df("select 1", "nofile"),
        lambda: warehouse.execute(["create schema x"], "nofile"),
        lambda: warehouse.require("nofile"),
    ):
        with pytest.raises(WarehouseError, match=fix) as info:
            call()
        assert "\n" not in str(info.value)
    assert not missing.parent.exists()


def test_bad_sql_is_one_line(duckdb_conn: str) -> None:
    with pytest.raises(WarehouseError) as info:
        query_df("select * from analytics.nope", duckdb_conn)
    assert "\n" not in str(info.value)
    assert "nope" in str(info.value)


def test_unknown_conn_type_and_missing_connection(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AIRFLOW_CONN_PG", json.dumps({"conn_type": "postgres", "host": "x"}))
    with pytest.raises(WarehouseError, match=r"conn_type 'postgres': use one of duckdb, redshift"):
        query_df("select 1", "pg")
    with pytest.raises(WarehouseError, match=r"set AIRFLOW_CONN_NOT_THERE"):
        query_df("select 1", "not_there")


def test_redshift_goes_through_the_provider_hook(monkeypatch: pytest.MonkeyPatch) -> None:
    """Unit test of the branch only: no Redshift here, so the hook's get_df is replaced."""
    from airflow.providers.amazon.aws.hooks.redshift_sql import RedshiftSQLHook

    seen: dict[str, object] = {}

    def fake_get_df(self: RedshiftSQLHook, sql: str, parameters: object = None, **kwargs: object) -> Any:
        seen.update(conn_id=self.redshift_conn_id, sql=sql, parameters=parameters, kwargs=kwargs)
        return pd.DataFrame({"n": [3]})

    monkeypatch.setattr(RedshiftSQLHook, "get_df", fake_get_df)
    monkeypatch.setenv("AIRFLOW_CONN_RS", json.dumps({"conn_type": "redshift", "host": "rs.example"}))
    assert warehouse.scalar("select 3", "rs") == 3
    assert seen == {"conn_id": "rs", "sql": "select 3", "parameters": None, "kwargs": {"df_type": "pandas"}}


def test_the_pipeline_and_the_freshness_lambda_query_through_one_engine(duckdb_conn: str) -> None:
    from lambdas.freshness import handler

    pipeline = warehouse.engine(duckdb_conn)
    assert isinstance(pipeline, DuckDbEngine)
    outside_airflow = handler.engine({"WAREHOUSE_ENGINE": "duckdb", "DUCKDB_PATH": pipeline.path})
    assert type(outside_airflow) is DuckDbEngine
    sql = "select max(order_id) from analytics.orders"
    assert pipeline.scalar(sql) == outside_airflow.scalar(sql) == warehouse.scalar(sql, duckdb_conn) == "o2"


def test_the_data_api_engine_writes_in_one_batch_a_transaction() -> None:
    """An in-process stub: moto's Data API cannot check the calls."""
    import boto3
    from botocore.stub import Stubber

    client = boto3.client("redshift-data", region_name="ca-central-1")
    statements = ["create schema audit_x", "create table audit_x.t (n int)"]
    with Stubber(client) as stub:
        stub.add_response(
            "batch_execute_statement",
            {"Id": "b1"},
            {"Sqls": statements, "Database": "dataops", "ClusterIdentifier": "dataops-prod"},
        )
        stub.add_response("describe_statement", {"Id": "b1", "Status": "FINISHED"}, {"Id": "b1"})
        RedshiftDataEngine(client, "dataops", cluster="dataops-prod", sleep=lambda s: None).execute(
            statements
        )
        stub.assert_no_pending_responses()
