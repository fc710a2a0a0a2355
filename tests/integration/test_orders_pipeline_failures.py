"""The nightly orders pipeline fails safely, end to end: Airflow, local Spark, DuckDB, the moto server.

A crafted dbt contract violation and a GX failure each fail the run at the quality gate, naming
the failing checks, and a Glue failure is retried as configured and alerted; nothing is published.
Each scenario runs `airflow dags test` in its own sandbox. They run one after another (one module,
one pytest-xdist worker), because each reads the alerts topic for its own gate message.
"""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from include.dataops.pipeline.reconcile import manifest_uri
from tests.integration.sandbox import Sandbox, ran
from tooling.dbt.fixtures import DAYS, write_curated
from tooling.local.topic_capture import TopicCapture

pytestmark = pytest.mark.e2e


def test_dbt_contract_violations_fail_the_run_at_the_gate_and_nothing_is_published(tmp_path, settings):
    box = Sandbox(tmp_path)
    day = DAYS[-1]
    write_curated(Path(box.curated), scenario="violations")
    log, gate = _run_from_curated(box, day, settings)
    # orders' own tests. Its relationships test runs after customers, which a failed
    # orders stops; tests/unit/dbt/test_project.py proves that one on its own.
    for test in ("accepted_range", "accepted_values", "not_null"):
        assert f"dbt test {test}_orders" in gate, gate
    assert not ran(log, "publish")


def test_a_gx_failure_fails_the_run_at_the_gate_and_nothing_is_published(tmp_path, settings):
    """Curated customers with malformed emails: dbt passes, GX's customers suite does not."""
    box = Sandbox(tmp_path)
    day = DAYS[-1]
    curated = write_curated(Path(box.curated), scenario="clean")
    for path in (curated / "customers" / f"dt={day}").glob("*.parquet"):
        table = pq.read_table(path)
        emails = pa.array(["not-an-email"] * len(table))
        pq.write_table(table.set_column(table.schema.get_field_index("email"), "email", emails), path)
    log, gate = _run_from_curated(box, day, settings)
    assert "gx curated_customers" in gate and "dbt test" not in gate, gate
    assert not ran(log, "publish")


def test_a_glue_failure_retries_then_fails_the_run_and_alerts(tmp_path, settings):
    box = Sandbox(tmp_path)
    day = "2026-10-03"
    with TopicCapture(settings, settings.alerts_topic_arn) as alerts:
        ok, log = box.run_dag(day, skip="wait_for_raw_partition")
        glue_alerts = alerts.wait_for(1, timeout_seconds=10, subject_contains="failed: glue_transform")
    assert not ok
    assert glue_alerts, log[-3000:]
    assert f"try {settings.retries.count + 1}" in glue_alerts[0].message
    # `airflow dags test` runs tasks in-process and gives failure callbacks no exception
    # (the scheduler's task runner does), so the Glue error is read from the task log.
    assert (
        log.count(f"raw partition {box.raw}/customers/dt={day} does not exist") == settings.retries.count + 1
    )
    assert not ran(log, "publish")


def _run_from_curated(box: Sandbox, day: str, settings) -> tuple[str, str]:
    """Run the DAG from a crafted curated zone (no raw data, no Glue); it must fail at the gate.

    Returns the run's log and the gate's alert (every failing check, one per line).
    """
    _write_consistent_manifest(box, day)
    with TopicCapture(settings, settings.alerts_topic_arn) as alerts:
        ok, log = box.run_dag(day, skip="wait_for_raw_partition|glue_transform")
        # Other scenarios may publish to the same topic: this day's gate alert only.
        messages = alerts.wait_for(1, timeout_seconds=10, subject_contains=f"quality gate failed for {day}")
    assert not ok, log[-3000:]
    return log, "\n".join(m.message for m in messages)


def _write_consistent_manifest(box: Sandbox, day: str) -> None:
    """The manifest a Glue run would have written for a crafted curated partition."""
    counts = {}
    for dataset in ("orders", "customers"):
        partition = Path(box.curated) / dataset / f"dt={day}"
        rows = sum(pq.read_metadata(p).num_rows for p in partition.glob("*.parquet"))
        counts[dataset] = {
            "read": rows,
            "written": rows,
            "deduplicated": 0,
            "quarantined": {},
            "quarantined_total": 0,
        }
    path = Path(manifest_uri(box.curated, day))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"run_date": day, "datasets": counts}))
