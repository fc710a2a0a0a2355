"""The freshness Lambda: measure each critical table's age and publish DataFreshness per table.

It runs on an EventBridge schedule, outside Airflow, so staleness is reported even when the
pipeline (or MWAA) is down: the seed's "Lambda function that queries the most recent created_at
timestamp in critical tables and publishes a DataFreshness metric". It lives outside include/
because MWAA never runs it; Terraform's archive_file packages this file with the three
standard-library modules it imports (infra/terraform/modules/freshness). A stale table is also
a data incident, so it is appended to the run history DORA's time to restore reads.

Configuration, all from the environment Terraform (or `make freshness`) sets:
FRESHNESS_SLAS (JSON from dbt meta.freshness), WAREHOUSE_SCHEMA, METRICS_NAMESPACE, ENVIRONMENT,
ARTIFACTS_BUCKET, and WAREHOUSE_ENGINE=redshift (REDSHIFT_DATABASE, REDSHIFT_WORKGROUP or
REDSHIFT_CLUSTER, optional REDSHIFT_SECRET_ARN) or duckdb (DUCKDB_PATH).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import boto3

from include.dataops.observability import freshness, run_history
from include.dataops.warehouse_engines import DuckDbEngine, Engine, RedshiftDataEngine, WarehouseError


def engine(env: Mapping[str, str]) -> Engine:
    """The warehouse engine the environment names (warehouse_engines.py, the pipeline's too)."""
    kind = env.get("WAREHOUSE_ENGINE", "")
    if kind == "duckdb":
        return DuckDbEngine(env["DUCKDB_PATH"])
    if kind == "redshift":
        return RedshiftDataEngine(
            boto3.client("redshift-data"),
            env["REDSHIFT_DATABASE"],
            workgroup=env.get("REDSHIFT_WORKGROUP", ""),
            cluster=env.get("REDSHIFT_CLUSTER", ""),
            secret_arn=env.get("REDSHIFT_SECRET_ARN", ""),
        )
    raise WarehouseError(f"WAREHOUSE_ENGINE is {kind!r}: set it to redshift or duckdb.")


def run(env: Mapping[str, str], now: datetime | None = None) -> dict[str, dict[str, Any]]:
    """Measure, publish, record incidents; returns each table's age, SLA and verdict."""
    when = now or datetime.now(UTC)
    slas = freshness.slas_from_json(env["FRESHNESS_SLAS"])
    measured = freshness.measure(engine(env), env["WAREHOUSE_SCHEMA"], slas, when)
    data = freshness.metric_data(measured, when)
    if data:
        boto3.client("cloudwatch").put_metric_data(Namespace=env["METRICS_NAMESPACE"], MetricData=data)
    stale = [m for m in measured if m.stale]
    if stale and env.get("ARTIFACTS_BUCKET"):
        s3 = boto3.client("s3")
        for m in stale:
            event = run_history.RunEvent(
                env["ENVIRONMENT"], run_history.DATA_STALE, when.isoformat(), detail=m.table
            )
            run_history.append(s3, env["ARTIFACTS_BUCKET"], event)
    return {m.table: {"hours": m.hours, "sla_hours": m.sla_hours, "stale": m.stale} for m in measured}


def handler(event: Mapping[str, Any], context: Any) -> dict[str, dict[str, Any]]:
    """The Lambda entry point (the schedule's event carries nothing this needs)."""
    return run(os.environ)
