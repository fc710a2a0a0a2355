"""CloudWatch metrics sent to the moto server and read back over HTTP."""

from __future__ import annotations

import json
import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import duckdb
import pytest

from include.dataops.observability import metrics
from include.dataops.settings import CloudWatch, Settings

NOW = datetime.now(UTC).replace(microsecond=0)
MANIFEST = {
    "datasets": {
        "orders": {"read": 1000, "written": 950, "deduplicated": 10, "quarantined_total": 40},
        "customers": {"read": 50, "written": 49, "deduplicated": 0, "quarantined_total": 1},
    }
}


@pytest.fixture
def own_namespace(settings: Settings) -> Settings:
    """A namespace of this test's own: metrics cannot be deleted, so never share one."""
    return replace(settings, cloudwatch=CloudWatch(namespace=f"Test/{uuid.uuid4().hex[:12]}"))


@pytest.fixture
def cloudwatch(aws_endpoint: str, settings: Settings) -> Any:
    return boto3.client("cloudwatch", endpoint_url=aws_endpoint, region_name=settings.aws_region)


def stat(
    cloudwatch: Any, settings: Settings, name: str, dims: dict[str, str], statistic: str = "Sum"
) -> float:
    points = cloudwatch.get_metric_statistics(
        Namespace=settings.cloudwatch.namespace,
        MetricName=name,
        Dimensions=[{"Name": k, "Value": v} for k, v in dims.items()],
        StartTime=NOW - timedelta(hours=1),
        EndTime=NOW + timedelta(hours=1),
        Period=7200,
        Statistics=[statistic],
    )["Datapoints"]
    assert len(points) == 1, f"{name} {dims}: {points}"
    return points[0][statistic]


def test_run_metrics_are_readable_by_the_names_terraform_alarms_use(
    own_namespace: Settings, cloudwatch: Any
) -> None:
    sent = metrics.publish_run_metrics(
        own_namespace,
        manifest=MANIFEST,
        stage_durations={"glue": 120.5, "dbt": 60.0},
        mart_rows={"orders": 950},
        dbt_durations={"orders": 3.2},
        freshness_hours={"orders": 5.5},
        quality_gate_passed=True,
        pipeline_succeeded=True,
        timestamp=NOW,
    )
    assert sent == 8 + 2 + 1 + 1 + 1 + 1 + 1
    assert stat(cloudwatch, own_namespace, "RecordsRead", {"Dataset": "orders"}) == 1000
    assert stat(cloudwatch, own_namespace, "RecordsWritten", {"Dataset": "customers"}) == 49
    assert stat(cloudwatch, own_namespace, "RecordsQuarantined", {"Dataset": "orders"}) == 40
    assert stat(cloudwatch, own_namespace, "RecordsDeduplicated", {"Dataset": "orders"}) == 10
    assert stat(cloudwatch, own_namespace, "StageDuration", {"Stage": "glue"}) == 120.5
    assert stat(cloudwatch, own_namespace, "MartRows", {"Table": "orders"}) == 950
    assert stat(cloudwatch, own_namespace, "DbtModelDuration", {"Model": "orders"}) == 3.2
    assert stat(cloudwatch, own_namespace, "DataFreshness", {"Table": "orders"}) == 5.5
    assert stat(cloudwatch, own_namespace, "QualityGatePassed", {}) == 1
    assert stat(cloudwatch, own_namespace, "PipelineSuccess", {}) == 1
    listed = cloudwatch.list_metrics(Namespace=own_namespace.cloudwatch.namespace)["Metrics"]
    assert {m["MetricName"] for m in listed} == {
        "RecordsRead", "RecordsWritten", "RecordsQuarantined", "RecordsDeduplicated", "StageDuration",
        "MartRows", "DbtModelDuration", "DataFreshness", "QualityGatePassed", "PipelineSuccess",
    }  # fmt: skip


def test_more_than_1000_datums_go_in_several_calls(own_namespace: Settings, cloudwatch: Any) -> None:
    durations = {f"model_{i:04d}": 1.0 for i in range(1001)}
    assert metrics.publish_run_metrics(own_namespace, dbt_durations=durations, timestamp=NOW) == 1001
    paginator = cloudwatch.get_paginator("list_metrics")
    models = {
        metric["Dimensions"][0]["Value"]
        for page in paginator.paginate(Namespace=own_namespace.cloudwatch.namespace)
        for metric in page["Metrics"]
    }
    assert models == set(durations)


def test_inputs_left_out_send_nothing_and_the_gate_sends_zero_on_failure() -> None:
    assert metrics.build_metric_data() == []
    [gate] = metrics.build_metric_data(quality_gate_passed=False, timestamp=NOW)
    assert gate == {"MetricName": "QualityGatePassed", "Value": 0.0, "Unit": "Count", "Timestamp": NOW}


def test_mart_rows_from_the_warehouse(
    tmp_path: Path, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "wh.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("create schema analytics")
        con.execute(
            "create table analytics.orders as select * from (values "
            "(timestamp '2031-03-01 10:00:00'), (timestamp '2031-03-01 18:30:00')) t(created_at)"
        )
    monkeypatch.setenv("AIRFLOW_CONN_METRICS_WH", json.dumps({"conn_type": "duckdb", "host": str(path)}))
    local = replace(settings, warehouse=replace(settings.warehouse, conn_id="metrics_wh"))
    assert metrics.mart_row_counts(local, ["orders"]) == {"orders": 2}
