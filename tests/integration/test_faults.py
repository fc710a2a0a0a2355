"""The fault matrix, end to end: faults outside the data, each injected into a real run.

For each: the run fails and its log says why in one line, the consumer schema's content hash is
what it was before the run, an alert is sent where the process lives to send one, and a rerun
once the fault is gone gives the consumer schema of a clean run. One sandbox and one baseline
day (published), then day 2 under each fault in turn; no Glue (a crafted curated zone). The
clean-run reference is a full dbt build of the same two curated days in a throwaway warehouse,
not another DAG run. Each fault is injected at the cheapest point: before the first task that
needs the faulty part, so each failing run stops early. The README's fault table matches.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from include.dataops.pipeline.dbt_artifacts import PRODUCER_TASK_ID
from tests.integration.sandbox import CONSUMER, MARTS, Sandbox, ran
from tooling.dbt.fixtures import DAYS, dbt_command, write_curated
from tooling.local import dags_test_backport as dag_test
from tooling.local.topic_capture import TopicCapture

pytestmark = pytest.mark.e2e

DAY1, DAY2 = DAYS[:2]


@pytest.fixture(scope="module")
def box(tmp_path_factory) -> Sandbox:
    box = Sandbox(tmp_path_factory.mktemp("faults"))
    write_curated(Path(box.curated), days=(DAY1,))
    box.write_manifest(DAY1)
    ok, log = box.run_from_curated(DAY1)
    assert ok, log[-3000:]
    assert set(box.consumer_hashes()) == set(MARTS)
    write_curated(Path(box.curated), days=(DAY2,))
    box.write_manifest(DAY2)
    return box


@pytest.fixture(scope="module")
def clean_run(box: Sandbox, tmp_path_factory) -> dict[str, str]:
    """The consumer hashes a clean run of days 1 and 2 gives: dbt over the same curated days."""
    reference = Sandbox(tmp_path_factory.mktemp("faults_clean"))
    done = dbt_command(
        ["run"],
        duckdb_path=reference.warehouse,
        target_path=reference.root / "target",
        curated_root=Path(box.curated),
        dbt_vars={"run_date": DAY2},
    )
    assert done.returncode == 0, done.stdout[-3000:]
    return {table: reference.content_hash(table) for table in MARTS}


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


def test_a_locked_warehouse_fails_the_run_at_prepare_audit_alerts_and_a_rerun_publishes(
    box, clean_run, settings
):
    before = box.consumer_hashes()
    holder = _held_lock(box.warehouse)
    try:
        with TopicCapture(settings, settings.alerts_topic_arn) as alerts:
            ok, log = box.run_from_curated(DAY2)
            pages = alerts.wait_for(1, timeout_seconds=10, subject_contains="failed: prepare_audit")
    finally:
        holder.kill()
        holder.wait()
    assert not ok
    lock_lines = [line for line in log.splitlines() if "Could not set lock on file" in line]
    assert lock_lines and str(box.warehouse) in lock_lines[0], log[-3000:]
    assert pages, log[-3000:]
    assert not ran(log, "publish") and not ran(log, f"dbt.{PRODUCER_TASK_ID}")
    assert box.consumer_hashes() == before

    ok, log = box.run_from_curated(DAY2)
    assert ok, log[-3000:]
    assert box.consumer_hashes() == clean_run


def test_a_task_killed_mid_dbt_leaves_the_consumer_schema_and_a_rerun_publishes(box, clean_run):
    """SIGKILL to the process running the tasks, as a lost worker, once dbt has started building."""
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
    log = log_path.read_text(errors="replace")
    assert not ran(log, "publish")
    assert box.consumer_hashes() == before

    ok, log = box.run_from_curated(DAY2)
    assert ok, log[-3000:]
    assert box.consumer_hashes() == clean_run
    with duckdb.connect(str(box.warehouse), read_only=True) as con:
        days = con.execute(
            f"select distinct source_partition_date::varchar from {CONSUMER}.orders order by 1"
        )
        assert [day for (day,) in days.fetchall()] == [DAY1, DAY2]
