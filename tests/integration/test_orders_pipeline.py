"""The nightly orders pipeline, end to end, for real: Airflow, local Spark, DuckDB, the moto server.

One happy run is the deploy smoke (tooling/deploy/smoke.py), its requests and its result check
unchanged, against the REST API of a real `airflow standalone`; then the same day is rerun with
`airflow dags test` (both in tests/integration/happy_day.py, shared with the lineage tests). The
run has its own sandbox (lake, warehouse, metadata DB), so it cannot leak into the failure
scenarios (test_orders_pipeline_failures.py), which another pytest-xdist worker runs at the same
time, or into a developer's .local/.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from include.dataops.observability.dbt_docs import DBT_DOCS_PREFIX
from include.dataops.pipeline.catalog import glue_type
from include.dataops.pipeline.orders import PUBLISHED_PREFIX, RUNS_PREFIX
from include.dataops.pipeline.reconcile import load_manifest
from tests.integration.sandbox import DAG_ID, MARTS, published_by, run_id_of
from tooling.local import iam

pytestmark = pytest.mark.e2e


def _s3_json(settings, key: str) -> dict | None:
    from airflow.providers.amazon.aws.hooks.s3 import S3Hook

    hook = S3Hook(aws_conn_id=settings.aws_conn_id)
    if not hook.check_for_key(key, settings.buckets.artifacts):
        return None
    return json.loads(hook.read_key(key, settings.buckets.artifacts))


def test_the_rest_api_lists_the_dags_and_rejects_bad_params(happy):
    assert {DAG_ID, "platform_check"} <= set(happy["dag_ids"])
    assert happy["import_errors"] == []
    code, body = happy["bad_params"]
    assert code == 400 and "run_date" in body


def test_the_deploy_smoke_passes_and_every_stage_succeeded(happy):
    assert happy["smoke_error"] is None, happy["tasks"]
    assert set(happy["tasks"].values()) == {"success"}, happy["tasks"]


def test_every_stage_count_matches_the_generated_data(happy):
    box, expected = happy["box"], happy["expected"]
    manifest = load_manifest(box.curated, happy["day"])
    for name in ("orders", "customers"):
        stage, wanted = manifest["datasets"][name], getattr(expected, name)
        assert (
            stage["read"]
            == wanted.read
            == stage["written"] + stage["quarantined_total"] + stage["deduplicated"]
        )
        assert stage["quarantined"] == dict(wanted.quarantined), name
        assert (stage["written"], stage["deduplicated"]) == (wanted.written, wanted.deduplicated), name
    assert expected.orders.quarantined_total > 0 and expected.orders.deduplicated > 0
    assert box.rows("orders") == expected.published_orders
    assert box.rows("customers") == expected.customers.written


def test_the_day_is_published_by_this_run_with_its_summary_and_notified(happy):
    """The smoke's run had no data interval: it processed, and published, yesterday (UTC)."""
    expected, day, own = happy["expected"], happy["day"], happy["box"].settings
    assert published_by(own, day, happy["run_id"], happy["started"], expected.orders.read)
    published = _s3_json(own, f"{PUBLISHED_PREFIX}/dt={day}.json")
    summary = _s3_json(own, f"{RUNS_PREFIX}/dt={day}/summary.json")
    assert published["gate"] and published["marts"] == sorted(MARTS)
    assert happy["audit_schemas"] == [] and set(happy["hashes"]) == set(MARTS)
    assert summary["dbt"]["tests_failed"] == 0 and summary["gx"]["success"] is True
    assert summary["mart_rows"]["orders"] == happy["expected"].published_orders
    assert any(day in m.subject and "published" in m.subject for m in happy["summaries"])
    # dbt docs for the Airflow UI's link: the catalog describes the marts as published.
    catalog = _s3_json(own, f"{DBT_DOCS_PREFIX}/catalog.json")
    assert {f"model.orders_analytics.{mart}" for mart in MARTS} <= set(catalog["nodes"])


def test_the_days_curated_partitions_are_in_the_glue_catalog_with_the_parquet_columns(happy, settings):
    """What Redshift Spectrum would read: this sandbox's Parquet for the day, column for column."""
    import boto3
    import pyarrow.parquet as pq

    glue = boto3.client("glue", region_name=settings.aws_region)
    for table in ("orders", "customers"):
        directory = Path(happy["box"].curated) / table / f"dt={happy['day']}"
        registered = glue.get_partition(
            DatabaseName=settings.glue.catalog_database, TableName=table, PartitionValues=[happy["day"]]
        )["Partition"]["StorageDescriptor"]
        parquet = pq.read_schema(sorted(directory.glob("*.parquet"))[0])
        assert registered["Location"] == f"{directory}/"
        assert [(c["Name"], c["Type"]) for c in registered["Columns"]] == [
            (field.name, glue_type(field.name, field.type)) for field in parquet
        ], table


def test_the_run_published_its_metrics_to_cloudwatch(happy, settings):
    """This run's values, sent after it started (not a metric name any run ever sent)."""
    from include.dataops.observability.metrics import cloudwatch_client

    expected = happy["expected"].orders
    client = cloudwatch_client(settings)
    for name, dimension, value in (
        ("RecordsRead", ("Dataset", "orders"), expected.read),
        ("RecordsWritten", ("Dataset", "orders"), expected.written),
        ("RecordsQuarantined", ("Dataset", "orders"), expected.quarantined_total),
        ("MartRows", ("Table", "orders"), happy["expected"].published_orders),
    ):
        points = client.get_metric_statistics(
            Namespace=settings.cloudwatch.namespace,
            MetricName=name,
            Dimensions=[{"Name": dimension[0], "Value": dimension[1]}],
            StartTime=happy["started"],
            EndTime=datetime.now(UTC) + timedelta(minutes=1),
            Period=60,
            Statistics=["Minimum", "Maximum"],
        )["Datapoints"]
        assert any(value in (p["Minimum"], p["Maximum"]) for p in points), (name, value, points)


def test_every_aws_call_of_the_run_is_one_the_execution_roles_policy_allows(happy):
    """The run signed every call as the MWAA execution role; each is decided against its Terraform
    policy (tooling/local/iam.py): publish's write, the metrics and the summary among them."""
    calls = iam.assert_allowed(happy["box"].iam_log)
    made = {(c["service"], c["operation"]) for c in calls}
    assert {("s3", "PutObject"), ("cloudwatch", "PutMetricData"), ("sns", "Publish")} <= made, made


def test_rerunning_the_same_day_leaves_an_identical_warehouse(happy, happy_rerun):
    box = happy["box"]
    assert happy_rerun["ok"], happy_rerun["log"][-3000:]
    run_id = run_id_of(happy_rerun["log"])
    orders_read = happy["expected"].orders.read
    assert published_by(box.settings, happy["day"], run_id, happy_rerun["started"], orders_read)
    assert {table: box.rows(table) for table in MARTS} == happy_rerun["rows_before"]
    assert {table: box.content_hash(table) for table in MARTS} == happy["hashes"]
