"""The nightly orders pipeline, end to end, for real: Airflow, local Spark, DuckDB, the moto server.

One happy run is triggered through the REST API of a real `airflow standalone`, as an engineer
would from the UI; the other scenarios run with `airflow dags test`. Each scenario has its own
sandbox (lake and warehouse), so they cannot leak into each other or into a developer's .local/.
"""

from __future__ import annotations

import json
import urllib.error
from datetime import date

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from include.dataops import sample_data
from include.dataops.notify import TopicCapture
from include.dataops.orders_pipeline import PUBLISHED_PREFIX, RUNS_PREFIX
from include.dataops.reconcile import load_manifest
from tests.integration.airflow_api import LocalAirflow
from tests.integration.sandbox import DAG_ID, MARTS, Sandbox

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
        LocalAirflow(tmp_path_factory.mktemp("airflow_home"), env=box.env()) as api,
    ):
        api.wait_for_dags([DAG_ID, "platform_smoke"])
        outcome["dag_ids"] = api.dag_ids()
        outcome["import_errors"] = api.import_errors()
        api.unpause(DAG_ID)
        with pytest.raises(urllib.error.HTTPError) as bad:
            api.trigger(DAG_ID, {"run_date": "yesterday"})
        outcome["bad_params"] = (bad.value.code, bad.value.read().decode())
        run_id = api.trigger(DAG_ID, {"run_date": HAPPY_DAY, "full_refresh": False})
        outcome["state"] = api.wait_for_run(DAG_ID, run_id, timeout=900)
        outcome["tasks"] = api.task_states(DAG_ID, run_id)
        outcome["summaries"] = notes.wait_for(1, timeout_seconds=10)
    outcome["hashes"] = {table: box.content_hash(table) for table in MARTS}
    return outcome


def test_the_rest_api_lists_the_dags_and_rejects_bad_params(happy):
    assert {DAG_ID, "platform_smoke"} <= set(happy["dag_ids"])
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
    assert box.rows("fct_orders") == expected.orders.written
    assert box.rows("customers") == expected.customers.written


def test_the_day_is_published_with_its_summary_and_notified(happy, settings):
    published = _s3_json(settings, f"{PUBLISHED_PREFIX}/dt={HAPPY_DAY}.json")
    summary = _s3_json(settings, f"{RUNS_PREFIX}/dt={HAPPY_DAY}/summary.json")
    assert published["run_date"] == HAPPY_DAY and published["gate"]
    assert summary["dbt"]["tests_failed"] == 0 and summary["gx"]["success"] is True
    assert summary["mart_rows"]["fct_orders"] == happy["expected"].orders.written
    assert any(HAPPY_DAY in m.subject and "published" in m.subject for m in happy["summaries"])


def test_the_run_published_its_metrics_to_cloudwatch(happy, settings):
    from include.dataops.metrics import cloudwatch_client

    names = {
        m["MetricName"]
        for page in cloudwatch_client(settings)
        .get_paginator("list_metrics")
        .paginate(Namespace=settings.cloudwatch.namespace)
        for m in page["Metrics"]
    }
    assert {"RecordsRead", "RecordsWritten", "RecordsQuarantined", "MartRows", "DbtModelDuration"} <= names


def test_rerunning_the_same_day_leaves_an_identical_warehouse(happy):
    box = happy["box"]
    before = {table: box.rows(table) for table in MARTS}
    ok, log = box.run_dag(HAPPY_DAY)
    assert ok, log[-3000:]
    assert _ran(log, "publish")
    assert {table: box.rows(table) for table in MARTS} == before
    assert {table: box.content_hash(table) for table in MARTS} == happy["hashes"]


def test_dbt_contract_violations_fail_the_run_at_the_gate_and_nothing_is_published(tmp_path, settings):
    from tests.dbt_fixtures import DAYS, write_curated

    box = Sandbox(tmp_path)
    day = DAYS[-1]
    write_curated(box.root / "lake" / "curated", scenario="violations")
    log, gate = _run_from_curated(box, day, settings)
    # fct_orders' own tests. Its relationships test runs after customers, which a failed
    # fct_orders stops; tests/unit/test_dbt_project.py proves that one on its own.
    for test in ("accepted_range", "accepted_values", "not_null"):
        assert f"dbt test {test}_fct_orders" in gate, gate
    assert not _ran(log, "publish")


def test_a_gx_failure_fails_the_run_at_the_gate_and_nothing_is_published(tmp_path, settings):
    """Curated customers with malformed emails: dbt passes, GX's customers suite does not."""
    from tests.dbt_fixtures import DAYS, write_curated

    box = Sandbox(tmp_path)
    day = DAYS[-1]
    curated = write_curated(box.root / "lake" / "curated", scenario="clean")
    for path in (curated / "customers" / f"dt={day}").glob("*.parquet"):
        table = pq.read_table(path)
        emails = pa.array(["not-an-email"] * len(table))
        pq.write_table(table.set_column(table.schema.get_field_index("email"), "email", emails), path)
    log, gate = _run_from_curated(box, day, settings)
    assert "gx curated_customers" in gate and "dbt test" not in gate, gate
    assert not _ran(log, "publish")


def test_a_glue_failure_retries_then_fails_the_run_and_alerts(tmp_path, settings):
    box = Sandbox(tmp_path)
    day = "2026-10-03"
    with TopicCapture(settings, settings.alerts_topic_arn) as alerts:
        ok, log = box.run_dag(day, skip="wait_for_raw_partition")
        messages = alerts.wait_for(1, timeout_seconds=10)
    assert not ok
    glue_alerts = [m for m in messages if "glue_transform" in m.subject]
    assert glue_alerts, [m.subject for m in messages]
    assert f"try {settings.retries.count + 1}" in glue_alerts[0].message
    # `airflow dags test` runs tasks in-process and gives failure callbacks no exception
    # (the scheduler's task runner does), so the Glue error is read from the task log.
    assert (
        log.count(f"raw partition {box.raw}/customers/dt={day} does not exist") == settings.retries.count + 1
    )
    assert not _ran(log, "publish")


def _run_from_curated(box: Sandbox, day: str, settings) -> tuple[str, str]:
    """Run the DAG from a crafted curated zone (no raw data, no Glue); it must fail at the gate.

    Returns the run's log and the gate's alert (every failing check, one per line).
    """
    _write_consistent_manifest(box, day)
    with TopicCapture(settings, settings.alerts_topic_arn) as alerts:
        ok, log = box.run_dag(day, skip="wait_for_raw_partition|glue_transform")
        messages = alerts.wait_for(1, timeout_seconds=10)
    assert not ok, log[-3000:]
    return log, "\n".join(m.message for m in messages if "quality gate" in m.subject)


def _ran(log: str, task_id: str) -> bool:
    return f"[DAG TEST] starting task_id={task_id} " in log


def _write_consistent_manifest(box: Sandbox, day: str) -> None:
    """The manifest a Glue run would have written for a crafted curated partition."""
    counts = {}
    for dataset in ("orders", "customers"):
        rows = sum(
            pq.read_metadata(p).num_rows
            for p in (box.root / "lake" / "curated" / dataset / f"dt={day}").glob("*.parquet")
        )
        counts[dataset] = {
            "read": rows,
            "written": rows,
            "deduplicated": 0,
            "quarantined": {},
            "quarantined_total": 0,
        }
    path = box.root / "lake" / "curated" / "_manifests" / "orders_transform" / f"dt={day}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"run_date": day, "datasets": counts}))
