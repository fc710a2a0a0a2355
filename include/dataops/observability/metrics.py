"""CloudWatch metrics of a run: volumes, durations, mart sizes, freshness and the gate's verdict.

The metric names and dimensions are a contract with Terraform's alarms and dashboard
(infra/terraform): change them in both places or not at all. The client comes from the amazon
provider's AwsBaseHook (the provider has no CloudWatch-metrics hook), so the emulator's endpoint
and the MWAA execution role work without code changes.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from include.dataops.settings import Settings

MAX_DATUMS_PER_CALL = 1000  # PutMetricData's limit per request

RECORDS_READ = "RecordsRead"
RECORDS_WRITTEN = "RecordsWritten"
RECORDS_QUARANTINED = "RecordsQuarantined"
RECORDS_DEDUPLICATED = "RecordsDeduplicated"
STAGE_DURATION = "StageDuration"
MART_ROWS = "MartRows"
DBT_MODEL_DURATION = "DbtModelDuration"
DBT_MODEL_REGRESSIONS = "DbtModelRegressions"
DATA_FRESHNESS = "DataFreshness"
QUALITY_GATE_PASSED = "QualityGatePassed"
# Sent by the last task of a good run; the alarm treats its absence as a failed night.
PIPELINE_SUCCESS = "PipelineSuccess"

_MANIFEST_METRICS = {
    RECORDS_READ: "read",
    RECORDS_WRITTEN: "written",
    RECORDS_QUARANTINED: "quarantined_total",
    RECORDS_DEDUPLICATED: "deduplicated",
}


def build_metric_data(
    *,
    manifest: Mapping[str, Any] | None = None,
    stage_durations: Mapping[str, float] | None = None,
    mart_rows: Mapping[str, int] | None = None,
    dbt_durations: Mapping[str, float] | None = None,
    dbt_regressions: int | None = None,
    freshness_hours: Mapping[str, float] | None = None,
    quality_gate_passed: bool | None = None,
    pipeline_succeeded: bool | None = None,
    timestamp: datetime | None = None,
) -> list[dict[str, Any]]:
    """The run's metric datums in PutMetricData's shape; inputs left out produce no datums."""
    when = timestamp or datetime.now(UTC)

    def datum(name: str, value: float, unit: str, dimension: tuple[str, str] | None = None) -> dict[str, Any]:
        item: dict[str, Any] = {"MetricName": name, "Value": float(value), "Unit": unit, "Timestamp": when}
        if dimension:
            item["Dimensions"] = [{"Name": dimension[0], "Value": dimension[1]}]
        return item

    data = []
    for dataset, entry in sorted(((manifest or {}).get("datasets") or {}).items()):
        for metric, key in _MANIFEST_METRICS.items():
            data.append(datum(metric, entry.get(key, 0), "Count", ("Dataset", dataset)))
    data += [datum(STAGE_DURATION, s, "Seconds", ("Stage", k)) for k, s in (stage_durations or {}).items()]
    data += [datum(MART_ROWS, n, "Count", ("Table", k)) for k, n in (mart_rows or {}).items()]
    data += [datum(DBT_MODEL_DURATION, s, "Seconds", ("Model", k)) for k, s in (dbt_durations or {}).items()]
    data += [datum(DATA_FRESHNESS, h, "None", ("Table", k)) for k, h in (freshness_hours or {}).items()]
    if dbt_regressions is not None:
        data.append(datum(DBT_MODEL_REGRESSIONS, dbt_regressions, "Count"))
    if quality_gate_passed is not None:
        data.append(datum(QUALITY_GATE_PASSED, 1 if quality_gate_passed else 0, "Count"))
    if pipeline_succeeded is not None:
        data.append(datum(PIPELINE_SUCCESS, 1 if pipeline_succeeded else 0, "Count"))
    return data


def put_metric_data(settings: Settings, data: Iterable[Mapping[str, Any]]) -> int:
    """Send the datums in batches of at most 1000; returns how many were sent."""
    items = list(data)
    client = cloudwatch_client(settings)
    for start in range(0, len(items), MAX_DATUMS_PER_CALL):
        client.put_metric_data(
            Namespace=settings.cloudwatch.namespace, MetricData=items[start : start + MAX_DATUMS_PER_CALL]
        )
    return len(items)


def publish_run_metrics(settings: Settings, **inputs: Any) -> int:
    """Build and send a run's metrics (keyword inputs as in build_metric_data)."""
    return put_metric_data(settings, build_metric_data(**inputs))


def mart_row_counts(settings: Settings, tables: Iterable[str]) -> dict[str, int]:
    """Rows per mart, counted in the warehouse (DuckDB locally, Redshift in the cloud)."""
    from include.dataops.warehouse import scalar

    schema, conn = settings.warehouse.schema, settings.warehouse.conn_id
    return {table: int(scalar(f"select count(*) from {schema}.{table}", conn)) for table in tables}


def cloudwatch_client(settings: Settings) -> Any:
    return _cloudwatch_client(settings.aws_conn_id, settings.aws_region)


@functools.cache
def _cloudwatch_client(aws_conn_id: str, region: str) -> Any:
    """One client per process and connection (boto3 clients are thread-safe): the provider builds
    each client's user agent from `inspect.stack()`, which takes 0.1 s and more deep inside a
    task with GX loaded, and every task's StageDuration callback sends a metric."""
    from airflow.providers.amazon.aws.hooks.base_aws import AwsBaseHook

    return AwsBaseHook(aws_conn_id=aws_conn_id, client_type="cloudwatch", region_name=region).get_conn()
