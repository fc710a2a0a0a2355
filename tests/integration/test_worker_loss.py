"""A worker lost mid-dbt pages, through a real scheduler: the fault matrix's SIGKILL row.

tests/integration/happy_day.py clears one model's sensor in the smoke's finished run. Its second
try runs dbt for that model (Cosmos's fallback once the producer has finished), and then every
process running it is killed (worker_loss.py). test_faults.py kills `airflow dags test` itself,
which proves the consumer schema survives but cannot page: no scheduler is left to notice. Here
the standalone's scheduler does, as MWAA's would. The rerun after it (happy_rerun, the same day
again) must leave the warehouse a clean run leaves: test_orders_pipeline.py's idempotency test
runs after this.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.integration.happy_day import KILLED
from tests.integration.sandbox import DAG_ID

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def lost(happy):
    return happy["worker_loss"]


def test_the_worker_and_its_dbt_build_were_killed_mid_task(lost):
    commands = lost["killed"]
    assert lost["try_number"] >= 2, lost
    assert any(lost["ti_id"] in command for command in commands), commands
    assert any(Path(part).name == "dbt" for command in commands for part in command.split()), commands


def test_the_scheduler_fails_the_try_whose_heartbeat_stopped_and_keeps_its_retries(lost):
    """Up for retry is the scheduler's verdict on the killed try: a lost worker is transient. The
    DAG is paused right after the kill (happy_day.py), so the retry waits and the state stays."""
    assert lost["ti"]["state"] == "up_for_retry", lost["ti"]
    assert lost["ti"]["try_number"] == lost["try_number"], lost["ti"]


def test_the_lost_task_pages_once_naming_the_task_run_and_try(happy, lost):
    pages = lost["pages"]
    assert [page.subject for page in pages] == [f"[PAGE] [{DAG_ID}] task failed: {KILLED}"], pages
    what_broke = pages[0].message.splitlines()[1]
    assert what_broke == (
        f"What broke: task {KILLED} of {DAG_ID} failed (run {happy['run_id']}, try {lost['try_number']})"
    ), pages[0].message
    assert "No error reached this callback" in pages[0].message, pages[0].message


def test_the_consumer_schema_is_what_the_smoke_published(happy, lost):
    assert lost["hashes"] == happy["hashes"]
