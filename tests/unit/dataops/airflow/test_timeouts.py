"""A task that overruns its execution_timeout fails, in the real Airflow 3 (`airflow dags test`).

The DAG is a tiny one written to a temporary dags folder; it takes the house default_args, so
the timeout it is given travels the same path the settings' timeout takes to every real task.
The metadata DB is a copy of the one `make bootstrap` migrated (the e2e sandbox's, read-only use).
"""

from __future__ import annotations

import sqlite3
import subprocess
import textwrap
import time
from pathlib import Path

import pytest

from include.dataops.settings import REPO_ROOT
from tests.integration.sandbox import Sandbox
from tooling.local import dags_test_backport as dag_test

pytestmark = pytest.mark.integration

OVERRUN_DAG = textwrap.dedent(
    """
    import time
    from datetime import datetime, timedelta

    from airflow.sdk import dag, task

    from include.dataops.airflow.defaults import default_args


    @dag(
        dag_id="overruns_its_timeout",
        schedule=None,
        start_date=datetime(2026, 1, 1),
        default_args=default_args(
            execution_timeout=timedelta(seconds=3), retries=0, on_failure_callback=None
        ),
    )
    def overruns_its_timeout():
        @task
        def runaway():
            time.sleep(120)

        runaway()


    overruns_its_timeout()
    """
)


def test_a_task_past_its_execution_timeout_fails_instead_of_running_on(tmp_path: Path) -> None:
    dags = tmp_path / "dags"
    dags.mkdir()
    (dags / "overruns.py").write_text(OVERRUN_DAG)
    sandbox = Sandbox(tmp_path / "sandbox")
    env = {**sandbox.env(), "AIRFLOW__CORE__DAGS_FOLDER": str(dags)}

    started = time.monotonic()
    done = subprocess.run(
        dag_test.command("overruns_its_timeout"),
        env=env,
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    elapsed = time.monotonic() - started
    output = done.stdout + done.stderr

    with sqlite3.connect(sandbox.airflow_home / "airflow.db") as db:
        states = db.execute(
            "select task_id, state from task_instance where dag_id = ?",
            ("overruns_its_timeout",),
        ).fetchall()

    assert done.returncode != 0 and "AirflowTaskTimeout" in output, output[-3000:]
    assert states == [("runaway", "failed")]
    assert elapsed < 110, f"the task ran {elapsed:.0f} s: its 3 s timeout did not stop it"
