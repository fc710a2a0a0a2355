"""The freshness Lambda's handler on real parts: a DuckDB warehouse built here, the emulator's
CloudWatch and S3. A stale table's DataFreshness lands above its SLA and opens an incident; a
fresh one lands below. Each test has its own namespace, so no other metric can satisfy it."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import boto3
import duckdb
import pytest
from botocore.stub import Stubber

from include.dataops.observability import freshness, run_history
from include.dataops.settings import Settings
from include.dataops.warehouse_engines import RedshiftDataEngine, WarehouseError
from lambdas.freshness import handler
from tooling.local import freshness as local_freshness

NOW = datetime.now(UTC).replace(microsecond=0)
SLAS = {"orders": freshness.Sla("created_at", 30), "orders_daily": freshness.Sla("order_date", 54)}


def warehouse(path: Path, orders_age_hours: float, daily_age_days: int) -> Path:
    with duckdb.connect(str(path)) as con:
        con.execute("create schema analytics")
        con.execute("create table analytics.orders (order_id varchar, created_at timestamp)")
        newest = (NOW - timedelta(hours=orders_age_hours)).replace(tzinfo=None)
        con.execute(
            "insert into analytics.orders values ('o1', ?), ('o2', ?)", [newest - timedelta(hours=5), newest]
        )
        con.execute("create table analytics.orders_daily (order_date date, order_count bigint)")
        con.execute(
            "insert into analytics.orders_daily values (?, 2)",
            [(NOW - timedelta(days=daily_age_days)).date()],
        )
    return path


@pytest.fixture
def env(tmp_path: Path, settings: Settings, aws_endpoint: str) -> dict[str, str]:
    bucket = f"test-artifacts-{uuid.uuid4().hex[:8]}"
    boto3.client("s3", region_name=settings.aws_region).create_bucket(
        Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": settings.aws_region}
    )
    return {
        "FRESHNESS_SLAS": freshness.slas_to_json(SLAS),
        "WAREHOUSE_SCHEMA": "analytics",
        "METRICS_NAMESPACE": f"Test/{uuid.uuid4().hex[:12]}",
        "ENVIRONMENT": "local",
        "ARTIFACTS_BUCKET": bucket,
        "WAREHOUSE_ENGINE": "duckdb",
    }


def published(settings: Settings, namespace: str, table: str) -> list[float]:
    points = boto3.client("cloudwatch", region_name=settings.aws_region).get_metric_statistics(
        Namespace=namespace,
        MetricName=freshness.DATA_FRESHNESS,
        Dimensions=[{"Name": "Table", "Value": table}],
        StartTime=NOW - timedelta(hours=1),
        EndTime=NOW + timedelta(hours=1),
        Period=3600,
        Statistics=["Maximum"],
    )["Datapoints"]
    return [p["Maximum"] for p in points]


def test_a_stale_table_goes_above_its_sla_and_a_fresh_one_stays_below(
    env: dict[str, str], tmp_path: Path, settings: Settings
) -> None:
    env["DUCKDB_PATH"] = str(warehouse(tmp_path / "w.duckdb", orders_age_hours=2, daily_age_days=4))

    report = handler.run(env, now=NOW)

    [orders] = published(settings, env["METRICS_NAMESPACE"], "orders")
    [daily] = published(settings, env["METRICS_NAMESPACE"], "orders_daily")
    assert orders == pytest.approx(2.0, abs=0.01) and orders < SLAS["orders"].sla_hours
    assert daily > SLAS["orders_daily"].sla_hours  # 4 days: the day's midnight, 96 h or more ago
    assert report["orders"]["stale"] is False and report["orders_daily"]["stale"] is True
    s3 = boto3.client("s3", region_name=settings.aws_region)
    [incident] = run_history.read(s3, env["ARTIFACTS_BUCKET"], "local")
    assert (incident.kind, incident.detail) == (run_history.DATA_STALE, "orders_daily")


def test_an_empty_table_sends_nothing_so_its_alarm_treats_the_silence_as_breaching(
    env: dict[str, str], tmp_path: Path, settings: Settings
) -> None:
    path = warehouse(tmp_path / "w.duckdb", orders_age_hours=1, daily_age_days=1)
    with duckdb.connect(str(path)) as con:
        con.execute("delete from analytics.orders")
    env["DUCKDB_PATH"] = str(path)

    report = handler.run(env, now=NOW)

    assert report["orders"] == {"hours": None, "sla_hours": 30.0, "stale": True}
    assert published(settings, env["METRICS_NAMESPACE"], "orders") == []


def test_a_missing_column_names_the_table_and_the_dbt_meta_to_fix(
    env: dict[str, str], tmp_path: Path
) -> None:
    env["DUCKDB_PATH"] = str(warehouse(tmp_path / "w.duckdb", 1, 1))
    env["FRESHNESS_SLAS"] = freshness.slas_to_json({"orders": freshness.Sla("loaded_at", 30)})

    with pytest.raises(freshness.FreshnessError, match=r"max\(loaded_at\) from analytics.orders .*dbt meta"):
        handler.run(env, now=NOW)


def test_the_slas_are_read_from_dbt_and_make_freshness_uses_them() -> None:
    slas = freshness.slas_from_dbt()

    assert set(slas) == {"orders", "orders_daily", "customers"}
    assert slas["orders"] == freshness.Sla("created_at", 30.0)
    assert freshness.slas_from_json(local_freshness.local_environment()["FRESHNESS_SLAS"]) == slas


def test_the_redshift_data_api_engine_executes_polls_and_reads_one_value() -> None:
    """An in-process stub: moto's Data API returns canned rows, so it cannot check the calls."""
    client = boto3.client("redshift-data", region_name="ca-central-1")
    sql = "select max(created_at) from analytics.orders"
    target = {"Sql": sql, "Database": "dataops", "WorkgroupName": "dataops-wg"}
    with Stubber(client) as stub:
        stub.add_response("execute_statement", {"Id": "q1"}, target)
        stub.add_response("describe_statement", {"Id": "q1", "Status": "STARTED"}, {"Id": "q1"})
        stub.add_response(
            "describe_statement", {"Id": "q1", "Status": "FINISHED", "HasResultSet": True}, {"Id": "q1"}
        )
        stub.add_response(
            "get_statement_result",
            {"Records": [[{"stringValue": "2026-11-30 02:00:00"}]], "TotalNumRows": 1},
            {"Id": "q1"},
        )
        engine = RedshiftDataEngine(client, "dataops", workgroup="dataops-wg", sleep=lambda seconds: None)
        assert engine.scalar(sql) == "2026-11-30 02:00:00"
        stub.add_response("execute_statement", {"Id": "q2"}, target)
        stub.add_response(
            "describe_statement", {"Id": "q2", "Status": "FAILED", "Error": "relation missing"}, {"Id": "q2"}
        )
        with pytest.raises(WarehouseError, match="Redshift query failed: relation missing"):
            engine.scalar(sql)
        stub.assert_no_pending_responses()
