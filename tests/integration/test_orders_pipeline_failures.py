"""Write-audit-publish, end to end: a consumer never sees a table that failed the quality gate.

One sandbox lives through a sequence of days, as a warehouse does: day 1 is published (by the
pipeline's own steps, without a DAG run); then day 2 fails in each way a run can fail (a Glue
failure, a reconcile failure, a dbt test failure, a dbt model error, a GX failure), and after
each the consumer schema's content hash is exactly day 1's; day 3 passes and is published; day 2
is corrected and rerun, which gives the consumer schema of a clean build of the same curated
days (one dbt run, no DAG). The runs start from crafted curated zones (no Spark) except the Glue
failure's. They run in file order, on one pytest-xdist worker, because each step starts from the
state the previous one left.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from include.dataops.pipeline.publish import drop_expired_audits
from tests.integration.sandbox import (
    CONSUMER,
    MARTS,
    Sandbox,
    clean_build_hashes,
    marker_names,
    ran,
    run_id_of,
    sent_records_read,
)
from tooling.dbt.fixtures import DAYS, write_curated
from tooling.local.topic_capture import TopicCapture

pytestmark = pytest.mark.e2e

DAY1, DAY2, DAY3 = DAYS


@pytest.fixture(scope="module")
def box(tmp_path_factory) -> Sandbox:
    return Sandbox(tmp_path_factory.mktemp("wap"))


@pytest.fixture(scope="module")
def day1(box: Sandbox) -> dict[str, str]:
    """Day 1, clean, published: the consumer state every failure below must leave untouched.
    Published by the pipeline's own steps without a DAG run (Sandbox.publish_without_a_run)."""
    write_curated(Path(box.curated), days=(DAY1,))
    box.write_manifest(DAY1)
    hashes = box.publish_without_a_run(DAY1)
    assert set(hashes) == set(MARTS) and box.audit_schemas() == []
    return hashes


def _fail_day2(box: Sandbox, settings, subject: str) -> tuple[str, str]:
    """Run day 2, which must fail; returns the run's log and its alerts (one per line)."""
    with TopicCapture(settings, settings.alerts_topic_arn) as alerts:
        ok, log = box.run_from_curated(DAY2)
        messages = alerts.wait_for(1, timeout_seconds=10, subject_contains=subject)
    assert not ok, log[-3000:]
    return log, "\n".join(m.message for m in messages)


def _starts(log: str, task_id: str) -> int:
    """How many times a task was started: its tries and, for a rescheduled sensor, its pokes."""
    return log.count(f"[DAG TEST] starting task_id={task_id} ")


def _rewrite(box: Sandbox, dataset: str, change) -> None:
    for path in (Path(box.curated) / dataset / f"dt={DAY2}").glob("*.parquet"):
        pq.write_table(change(pq.read_table(path)), path)


def _set(table: pa.Table, column: str, values: list) -> pa.Table:
    index = table.schema.get_field_index(column)
    return table.set_column(index, column, pa.array(values, type=table.schema.field(column).type))


def test_a_glue_failure_retries_alerts_and_leaves_the_consumer_schema_as_it_was(box, day1, settings):
    with TopicCapture(settings, settings.alerts_topic_arn) as alerts:
        ok, log = box.run_dag(DAY2, skip="wait_for_raw_partition")
        glue_alerts = alerts.wait_for(1, timeout_seconds=10, subject_contains="failed: glue_transform")
    assert not ok
    assert glue_alerts, log[-3000:]
    assert f"try {settings.retries.count + 1}" in glue_alerts[0].message
    # `airflow dags test` runs tasks in-process and gives failure callbacks no exception
    # (the scheduler's task runner does), so the Glue error is read from the task log.
    missing = f"raw partition {box.raw}/customers/dt={DAY2} does not exist"
    assert log.count(missing) == settings.retries.count + 1
    assert box.consumer_hashes() == day1


def test_a_reconcile_failure_leaves_the_consumer_schema_as_it_was(box, day1, settings):
    write_curated(Path(box.curated), days=(DAY2,))
    box.write_manifest(DAY2, lost=1)
    log, _ = _fail_day2(box, settings, "failed: reconcile")
    assert not ran(log, "prepare_audit"), log[-3000:]
    assert box.consumer_hashes() == day1


def test_dbt_test_failures_fail_the_gate_naming_each_and_leave_the_consumer_schema_as_it_was(
    box, day1, settings
):
    write_curated(Path(box.curated), days=(DAY2,))
    box.write_manifest(DAY2)

    def break_rules(orders: pa.Table) -> pa.Table:
        n = len(orders)
        orders = _set(orders, "order_total", [0, *orders["order_total"].to_pylist()[1:]])
        orders = _set(orders, "order_status", orders["order_status"].to_pylist()[:1] + ["lost"] * (n - 1))
        return _set(orders, "customer_id", [None] * n)

    _rewrite(box, "orders", break_rules)
    log, gate = _fail_day2(box, settings, f"quality gate failed for {DAY2}")
    for test in ("accepted_range", "accepted_values", "not_null"):
        assert f"dbt test {test}_orders" in gate, gate
    # A verdict on the data: one dbt build, the orders task (its tests' verdict) fails once, unretried.
    assert "dbt reported fail for model.orders_analytics.orders " in log, log[-3000:]
    assert _starts(log, "dbt.orders_model_build") == 1 and _starts(log, "dbt.dbt_producer_watcher") == 1
    assert not ran(log, "dbt.orders_daily_model_build")
    assert not ran(log, "publish")
    assert box.consumer_hashes() == day1


def test_a_dbt_model_error_leaves_the_consumer_schema_as_it_was(box, day1, settings):
    write_curated(Path(box.curated), days=(DAY2,))
    box.write_manifest(DAY2)
    # A total that is not a number: the orders model's cast fails when dbt builds it.
    _rewrite(
        box,
        "orders",
        lambda t: t.set_column(
            t.schema.get_field_index("order_total"), "order_total", pa.array(["n/a"] * len(t))
        ),
    )
    log, gate = _fail_day2(box, settings, f"quality gate failed for {DAY2}")
    assert "dbt model orders " in gate and "dbt test" not in gate, gate
    assert "dbt reported error for model.orders_analytics.orders " in log, log[-3000:]
    assert _starts(log, "dbt.orders_model_build") == 1, "a SQL error was retried"
    assert box.consumer_hashes() == day1


def test_a_gx_failure_leaves_the_consumer_schema_as_it_was(box, day1, settings):
    """Curated customers with malformed emails: dbt passes, GX's customers suite does not.

    Also the negative control of the happy path's `published_by`: for this run, whose publish
    did not run, each of its halves (the marker, the metrics) must say "not published", whatever
    markers and metrics other runs left.
    """
    write_curated(Path(box.curated), days=(DAY2,))
    box.write_manifest(DAY2)
    _rewrite(box, "customers", lambda t: _set(t, "email", ["not-an-email"] * len(t)))
    started = datetime.now(UTC)
    log, gate = _fail_day2(box, settings, f"quality gate failed for {DAY2}")
    assert "gx curated_customers" in gate and "dbt test" not in gate, gate
    assert box.consumer_hashes() == day1
    orders_read = pq.read_metadata(
        next((Path(box.curated) / "orders" / f"dt={DAY2}").glob("*.parquet"))
    ).num_rows
    assert not marker_names(box.settings, DAY2, run_id_of(log))
    assert not sent_records_read(box.settings, started, orders_read)


def test_after_day_2_failed_day_3_publishes_and_the_consumer_holds_days_1_and_3(box, day1):
    failed_audits = box.audit_schemas()
    # prepare_audit ran for each failure from dbt on (test failure, model error, GX): kept to inspect.
    assert len(failed_audits) == 3 and all(s.startswith("audit_20261122_") for s in failed_audits)
    write_curated(Path(box.curated), days=(DAY3,))
    box.write_manifest(DAY3)
    ok, log = box.run_from_curated(DAY3)
    assert ok, log[-3000:]
    assert box.audit_schemas() == failed_audits
    with duckdb.connect(str(box.warehouse), read_only=True) as con:
        loaded = con.execute(
            f"select distinct source_partition_date::varchar from {CONSUMER}.orders order by 1"
        )
        assert [day for (day,) in loaded.fetchall()] == [DAY1, DAY3]


def test_a_corrected_rerun_of_day_2_gives_the_consumer_schema_of_a_clean_run(box, day1, tmp_path):
    write_curated(Path(box.curated), days=(DAY2,))
    box.write_manifest(DAY2)
    ok, log = box.run_from_curated(DAY2)
    assert ok, log[-3000:]
    assert box.consumer_hashes() == clean_build_hashes(Path(box.curated), DAY3, tmp_path / "clean")
    assert box.consumer_hashes() != day1


def test_failed_runs_audit_schemas_are_dropped_once_their_retention_has_passed(
    box, day1, settings, monkeypatch
):
    kept = box.audit_schemas()
    assert len(kept) == 3
    monkeypatch.setenv("AIRFLOW_CONN_WAREHOUSE", box.env()["AIRFLOW_CONN_WAREHOUSE"])
    soon = datetime.now(UTC) + timedelta(days=settings.quality.audit_retention_days) - timedelta(hours=1)
    assert drop_expired_audits(settings, now=soon) == []
    later = soon + timedelta(hours=2)
    assert drop_expired_audits(settings, now=later) == kept
    assert box.audit_schemas() == []
