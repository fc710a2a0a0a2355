"""The nightly orders pipeline, end to end, for real: Airflow, local Spark, DuckDB, the moto server.

One happy run is triggered through the REST API of a real `airflow standalone`, as an engineer
would from the UI, then the same day is rerun with `airflow dags test`. The run has its own
sandbox (lake, warehouse, metadata DB), so it cannot leak into the failure scenarios
(test_orders_pipeline_failures.py), which another pytest-xdist worker runs at the same time,
or into a developer's .local/.
"""

from __future__ import annotations

import json
import urllib.error
from datetime import UTC, date, datetime, timedelta

import pytest

from include.dataops.observability.dbt_docs import DBT_DOCS_PREFIX
from include.dataops.pipeline.orders import PUBLISHED_PREFIX, RUNS_PREFIX
from include.dataops.pipeline.reconcile import load_manifest
from tests.integration.airflow_api import LocalAirflow
from tests.integration.sandbox import DAG_ID, MARTS, Sandbox, published_by, run_id_of
from tooling.local import sample_data
from tooling.local.topic_capture import TopicCapture

pytestmark = pytest.mark.e2e

HAPPY_DAY = "2026-10-01"
ROWS = 2_000
BAD_SHARE = 0.05


def _s3_json(settings, key: str) -> dict | None:
    from airflow.providers.amazon.aws.hooks.s3 import S3Hook

    hook = S3Hook(aws_conn_id=settings.aws_conn_id)
    if not hook.check_for_key(key, settings.buckets.artifacts):
        return None
    return json.loads(hook.read_key(key, settings.buckets.artifacts))


@pytest.fixture(scope="module")
def happy(tmp_path_factory, settings):
    """Generate a day with bad records, then trigger the DAG for it through the REST API."""
    box = Sandbox(tmp_path_factory.mktemp("happy"))
    expected = sample_data.generate(box.raw, date.fromisoformat(HAPPY_DAY), 1, ROWS, BAD_SHARE)[0]
    outcome: dict = {"box": box, "expected": expected}
    with (
        TopicCapture(settings, settings.notifications_topic_arn) as notes,
        LocalAirflow(box.airflow_home, env=box.env()) as api,
    ):
        api.wait_for_dags([DAG_ID, "platform_check"])
        outcome["dag_ids"] = api.dag_ids()
        outcome["import_errors"] = api.import_errors()
        api.unpause(DAG_ID)
        with pytest.raises(urllib.error.HTTPError) as bad:
            api.trigger(DAG_ID, {"run_date": "yesterday"})
        outcome["bad_params"] = (bad.value.code, bad.value.read().decode())
        outcome["started"] = datetime.now(UTC)
        run_id = outcome["run_id"] = api.trigger(DAG_ID, {"run_date": HAPPY_DAY, "full_refresh": False})
        outcome["state"] = api.wait_for_run(DAG_ID, run_id, timeout=900)
        outcome["tasks"] = api.task_states(DAG_ID, run_id)
        outcome["summaries"] = notes.wait_for(1, timeout_seconds=10, subject_contains=HAPPY_DAY)
    outcome["hashes"] = {table: box.content_hash(table) for table in MARTS}
    return outcome


def test_the_rest_api_lists_the_dags_and_rejects_bad_params(happy):
    assert {DAG_ID, "platform_check"} <= set(happy["dag_ids"])
    assert happy["import_errors"] == []
    code, body = happy["bad_params"]
    assert code == 400 and "run_date" in body


def test_a_run_triggered_with_params_succeeds_through_every_stage(happy):
    assert happy["state"] == "success", happy["tasks"]
    assert set(happy["tasks"].values()) == {"success"}, happy["tasks"]


def test_every_stage_count_matches_the_generated_data(happy):
    box, expected = happy["box"], happy["expected"]
    manifest = load_manifest(box.curated, HAPPY_DAY)
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
    assert box.rows("orders") == expected.orders.written
    assert box.rows("customers") == expected.customers.written


def test_the_day_is_published_by_this_run_with_its_summary_and_notified(happy):
    expected, own = happy["expected"], happy["box"].settings
    assert published_by(own, HAPPY_DAY, happy["run_id"], happy["started"], expected.orders.read)
    published = _s3_json(own, f"{PUBLISHED_PREFIX}/dt={HAPPY_DAY}.json")
    summary = _s3_json(own, f"{RUNS_PREFIX}/dt={HAPPY_DAY}/summary.json")
    assert published["gate"] and published["marts"] == sorted(MARTS)
    assert happy["box"].audit_schemas() == [] and set(happy["hashes"]) == set(MARTS)
    assert summary["dbt"]["tests_failed"] == 0 and summary["gx"]["success"] is True
    assert summary["mart_rows"]["orders"] == happy["expected"].orders.written
    assert any(HAPPY_DAY in m.subject and "published" in m.subject for m in happy["summaries"])
    # dbt docs for the Airflow UI's link: the catalog describes the marts as published.
    catalog = _s3_json(own, f"{DBT_DOCS_PREFIX}/catalog.json")
    assert {f"model.orders_analytics.{mart}" for mart in MARTS} <= set(catalog["nodes"])


def test_the_run_published_its_metrics_to_cloudwatch(happy, settings):
    """This run's values, sent after it started (not a metric name any run ever sent)."""
    from include.dataops.observability.metrics import cloudwatch_client

    expected = happy["expected"].orders
    client = cloudwatch_client(settings)
    for name, dimension, value in (
        ("RecordsRead", ("Dataset", "orders"), expected.read),
        ("RecordsWritten", ("Dataset", "orders"), expected.written),
        ("RecordsQuarantined", ("Dataset", "orders"), expected.quarantined_total),
        ("MartRows", ("Table", "orders"), expected.written),
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


def test_rerunning_the_same_day_leaves_an_identical_warehouse(happy):
    box = happy["box"]
    before = {table: box.rows(table) for table in MARTS}
    started = datetime.now(UTC)
    ok, log = box.run_dag(HAPPY_DAY)
    assert ok, log[-3000:]
    assert published_by(box.settings, HAPPY_DAY, run_id_of(log), started, happy["expected"].orders.read)
    assert {table: box.rows(table) for table in MARTS} == before
    assert {table: box.content_hash(table) for table in MARTS} == happy["hashes"]
