"""`make run`'s progress lines, from the log format `airflow dags test` writes."""
# ruff: noqa: E501 (the log lines below are as long as Airflow writes them)

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tooling.local import progress
from tooling.local.progress import LogProgress, run_logged, task_line

# Shaped like a real orders_nightly log (.local/runs/<day>.log), noise lines included.
LOG = """\
2026-12-01T21:04:18.922039Z [info     ] [DAG TEST] starting task_id=resolve_run_date map_index=-1 [airflow.sdk.definitions.dag] loc=dag.py:1435
2026-12-01T21:04:53.919450Z [info     ] Task started                   [airflow.api_fastapi.execution_api.routes.task_instances] previous_state=queued ti_id=01a
2026-12-01T21:04:55.511395Z [info     ] Task instance state updated    [airflow.api_fastapi.execution_api.routes.task_instances] loc=task_instances.py:415 new_state=success rows_affected=1
2026-12-01T21:04:56.728525Z [info     ] AWS Connection (conn_id='aws_default', conn_type='aws') credentials retrieved from login and password.
2026-12-01T21:05:04.680025Z [info     ] [DAG TEST] end task task_id=resolve_run_date map_index=-1 [airflow.sdk.definitions.dag] loc=dag.py:1497
\x1b[2m2026-12-01T21:05:05.000000Z\x1b[0m [info     ] [DAG TEST] starting task_id=dbt.orders.run map_index=2 [airflow.sdk.definitions.dag]
2026-12-01T21:05:06.000000Z [info     ] Task instance state updated    new_state=failed rows_affected=1
2026-12-01T21:05:07.500000Z [info     ] [DAG TEST] end task task_id=dbt.orders.run map_index=2 [airflow.sdk.definitions.dag]
2026-12-01T21:05:08.000000Z [info     ] [DAG TEST] starting task_id=publish map_index=-1
2026-12-01T21:05:09.000000Z [error    ] [DAG TEST] Error running task <TaskInstance: orders_nightly.publish>
2026-12-01T21:05:10.250000Z [info     ] [DAG TEST] end task task_id=publish map_index=-1
"""


def test_each_finished_task_is_one_line_with_its_state_and_duration():
    assert LogProgress().lines(LOG.splitlines()) == [
        task_line("resolve_run_date", -1, "success", 45.757986),
        task_line("dbt.orders.run", 2, "failed", 2.5),
        task_line("publish", -1, "failed", 2.25),
    ]


def test_a_task_line_names_the_task_its_state_and_seconds():
    assert task_line("resolve_run_date", -1, "success", 45.76).split() == [
        "success",
        "resolve_run_date",
        "45.8s",
    ]
    assert task_line("dbt.orders.run", 2, "up_for_reschedule", 0.04).split()[:2] == [
        "up_for_reschedule",
        "dbt.orders.run[2]",
    ]


def test_a_task_without_a_state_line_says_unknown_rather_than_guessing():
    lines = LOG.splitlines()[:1] + LOG.splitlines()[4:5]

    assert LogProgress().lines(lines)[0].split()[0] == "unknown"


def test_run_logged_prints_tasks_as_they_finish_keeps_the_whole_log_and_returns_the_exit_code(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(progress, "_CALLER_LEVEL", None)
    monkeypatch.setenv("AIRFLOW__LOGGING__LOGGING_LEVEL", "WARNING")  # as quiet_library_logs sets it
    script = tmp_path / "fake_dags_test.py"
    script.write_text(
        "import os, sys, time\n"
        f"log = {LOG.splitlines()[:5]!r}\n"
        "for line in log:\n"
        "    print(line, flush=True)\n"
        "    time.sleep(0.05)\n"
        "print('level in the child:', os.environ.get('AIRFLOW__LOGGING__LOGGING_LEVEL'))\n"
        "sys.exit(3)\n"
    )
    printed: list[str] = []

    code = run_logged(
        [sys.executable, str(script)], tmp_path / "runs" / "day.log", tmp_path, printed.append, 0.01
    )

    assert code == 3
    assert printed == [task_line("resolve_run_date", -1, "success", 45.757986)]
    log = (tmp_path / "runs" / "day.log").read_text()
    assert "credentials retrieved" in log and "level in the child: None" in log
