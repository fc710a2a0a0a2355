"""The fault matrix, end to end: faults outside the data, each injected into a real run of day 2.

For each: the run fails and its log says why in one line, the consumer schema's content hash is
what it was before the run, and an alert is sent, or, where SNS is what failed, the failure and
the unsent payload are in the task log. One sandbox, one baseline day (published by the
pipeline's own steps, without a DAG run), no Glue (a crafted curated zone); each fault is
injected for one run at the cheapest point, so each failing run stops at the first task that
needs the faulty part.

The faults run as a sequence, in file order on one pytest-xdist worker (the module is one
xdist group), and ONE rerun at the end proves the rerun promise for all of them: each
failing run starts from what the previous one left (a held lock released, a warehouse moved
back, an audit schema a killed dbt left half-built), the consumer hash is checked unchanged
after each, so the last state holds every fault's leftovers, and a rerun from it must give the
consumer schema of a clean run. The clean-run reference is a dbt run of the same two curated
days in a throwaway warehouse, not another DAG run. The README's fault table matches.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from include.dataops.pipeline.dbt_artifacts import PRODUCER_TASK_ID
from include.dataops.settings import SCOPE_VAR
from tests.integration.sandbox import CONSUMER, MARTS, Sandbox, clean_build_hashes, ran
from tooling.dbt.fixtures import DAYS, write_curated
from tooling.local import dags_test_backport as dag_test
from tooling.local.emulator import with_services_down
from tooling.local.topic_capture import TopicCapture

pytestmark = pytest.mark.e2e

DAY1, DAY2 = DAYS[:2]


@pytest.fixture(scope="module")
def box(tmp_path_factory) -> Sandbox:
    box = Sandbox(tmp_path_factory.mktemp("faults"))
    write_curated(Path(box.curated), days=(DAY1,))
    box.write_manifest(DAY1)
    assert set(box.publish_without_a_run(DAY1)) == set(MARTS)
    write_curated(Path(box.curated), days=(DAY2,))
    box.write_manifest(DAY2)
    return box


@pytest.fixture(scope="module")
def clean_run(box: Sandbox, tmp_path_factory) -> dict[str, str]:
    """The consumer hashes a clean run of days 1 and 2 gives: dbt over the same curated days."""
    return clean_build_hashes(Path(box.curated), DAY2, tmp_path_factory.mktemp("faults_clean"))


def _fail_day2(box: Sandbox, settings, subject: str, env: dict[str, str] | None = None) -> str:
    """Run day 2, which must fail and page `subject`; returns the run's log."""
    with TopicCapture(settings, settings.alerts_topic_arn) as alerts:
        ok, log = box.run_from_curated(DAY2, env=env)
        pages = alerts.wait_for(1, timeout_seconds=10, subject_contains=subject)
    assert not ok, log[-3000:]
    assert pages, log[-3000:]
    return log


def _lines(log: str, text: str) -> list[str]:
    return [line for line in log.splitlines() if text in line]


def _logged_json(log: str, label: str) -> list[str]:
    """The JSON string after `label` on each log line holding it (the log formatter appends fields)."""
    decode = json.JSONDecoder().raw_decode
    return [decode(line.split(label, 1)[1])[0] for line in _lines(log, label)]


def _held_lock(path: Path) -> subprocess.Popen[str]:
    """Another writer: a process holding the DuckDB file open read-write (DuckDB's own file lock)."""
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); print('locked', flush=True); "
            "time.sleep(900)",
            str(path),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout and holder.stdout.readline().strip() == "locked"
    return holder


def test_a_locked_warehouse_fails_the_run_at_prepare_audit_and_alerts(box, settings):
    before = box.consumer_hashes()
    holder = _held_lock(box.warehouse)
    try:
        log = _fail_day2(box, settings, "failed: prepare_audit")
    finally:
        holder.kill()
        holder.wait()
    lock_lines = _lines(log, "Could not set lock on file")
    assert lock_lines and str(box.warehouse) in lock_lines[0], log[-3000:]
    assert not ran(log, "publish") and not ran(log, f"dbt.{PRODUCER_TASK_ID}")
    assert box.consumer_hashes() == before


def test_a_missing_warehouse_fails_the_run_before_dbt_creates_nothing_and_alerts(box, settings):
    """The file moved away: DuckDB (and dbt-duckdb) would create an empty one and the run would
    publish day 2 as all of history; the pipeline refuses instead, and creates nothing."""
    before = box.consumer_hashes()
    moved = box.root / "moved-away.duckdb"
    box.warehouse.rename(moved)
    try:
        log = _fail_day2(box, settings, "failed: prepare_audit")
        assert not box.warehouse.exists(), "the run created a warehouse"
    finally:
        moved.rename(box.warehouse)
    missing = (
        f"DuckDB warehouse {box.warehouse} does not exist: restore it, or create an empty one with "
        f"`make warehouse WAREHOUSE={box.warehouse}`"
    )
    assert _lines(log, missing), log[-3000:]
    assert not ran(log, f"dbt.{PRODUCER_TASK_ID}") and not ran(log, "publish")
    assert box.consumer_hashes() == before


def test_a_missing_artifacts_bucket_fails_the_run_before_dbt_and_alerts(box, settings):
    """The run's artifacts bucket is one that does not exist (its scope renamed for this run).

    Order: prepare_audit checks the bucket before dbt builds, since the gate reads dbt's results
    from it; publish writes its intent there before the swap and the marker after, so a bucket
    that fails is found before the consumer schema changes (the swap's side is a unit test:
    tests/unit/dataops/pipeline/test_publish_order.py).
    """
    before = box.consumer_hashes()
    gone = f"{box.scope}gone"
    log = _fail_day2(box, settings, "failed: prepare_audit", env={**box.env(), SCOPE_VAR: gone})
    bucket = box.settings.buckets.artifacts.replace(box.scope, gone)
    cannot = f"artifacts bucket {bucket} cannot be listed (NoSuchBucket): create it"
    assert _lines(log, cannot), log[-3000:]
    assert not ran(log, f"dbt.{PRODUCER_TASK_ID}") and not ran(log, "publish")
    assert box.consumer_hashes() == before


def test_with_sns_down_a_failed_run_still_fails_for_its_reason_and_logs_each_unsent_page(box, settings):
    """SNS unreachable for this run only (its endpoint a closed port; the shared emulator stays up
    for the other workers), and a reconcile failure, so pages are due: reconcile's callback page
    and the gate's. The run fails for reconcile's reason, the gate's verdict is not replaced by
    the SNS error (so not retried), and each page's error, subject and message are a log line."""
    before = box.consumer_hashes()
    box.write_manifest(DAY2, lost=1)
    try:
        ok, log = box.run_from_curated(DAY2, env=with_services_down(box.env(), "sns"))
    finally:
        box.write_manifest(DAY2)
    assert not ok
    assert _lines(log, f"reconciliation failed for {DAY2}: "), log[-3000:]
    assert log.count("[DAG TEST] starting task_id=quality_gate ") == 1, "the gate was retried"
    failures = _lines(log, f"SNS publish to {settings.alerts_topic_arn} failed, message not sent: ")
    assert len(failures) == 2 and all("Could not connect to the endpoint URL" in f for f in failures), log[
        -3000:
    ]
    subjects = _logged_json(log, "unsent SNS subject: ")
    assert subjects == [
        "[PAGE] [orders_nightly] task failed: reconcile",
        f"[PAGE] [local] quality gate failed for {DAY2}",
    ]
    messages = _logged_json(log, "unsent SNS message: ")
    assert all(m.startswith("Severity: PAGE\n") for m in messages), messages
    assert "What broke: task reconcile of orders_nightly failed" in messages[0], messages
    assert "reconciliation orders.balance: orders: read " in messages[1], messages
    assert not ran(log, "prepare_audit")
    assert box.consumer_hashes() == before


def test_a_task_killed_mid_dbt_leaves_the_consumer_schema(box):
    """SIGKILL to the process running the tasks, as a lost worker, once dbt has started building.

    Nothing pages here: `airflow dags test` dies with its task. With a scheduler, as on MWAA, its
    heartbeat timeout fails the task and the failure callback pages: test_worker_loss.py.
    """
    before = box.consumer_hashes()
    command = dag_test.command(
        "orders_nightly",
        "-c",
        f'{{"run_date": "{DAY2}"}}',
        "--mark-success-pattern",
        "wait_for_raw_partition|glue_transform",
    )
    log_path = box.root / "killed.log"
    with log_path.open("w") as out:
        worker = subprocess.Popen(
            command, env=box.env(), stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    deadline = time.monotonic() + 900
    while not ran(log_path.read_text(errors="replace"), f"dbt.{PRODUCER_TASK_ID}"):
        assert worker.poll() is None, log_path.read_text()[-3000:]
        assert time.monotonic() < deadline, "dbt never started"
        time.sleep(1)
    os.killpg(worker.pid, signal.SIGKILL)
    assert worker.wait() == -signal.SIGKILL
    assert not ran(log_path.read_text(errors="replace"), "publish")
    assert box.consumer_hashes() == before


def test_a_rerun_after_every_fault_cleared_publishes_what_a_clean_run_does(box, clean_run):
    ok, log = box.run_from_curated(DAY2)
    assert ok, log[-3000:]
    assert box.consumer_hashes() == clean_run
    with duckdb.connect(str(box.warehouse), read_only=True) as con:
        days = con.execute(
            f"select distinct source_partition_date::varchar from {CONSUMER}.orders order by 1"
        )
        assert [day for (day,) in days.fetchall()] == [DAY1, DAY2]
