"""A worker lost mid-task, as on MWAA: a task of a finished run is cleared, started again by a real
scheduler, and then every process running it is killed with SIGKILL.

Nothing in the task can report its own death. The page has to come from Airflow: the scheduler
finds a running task instance whose heartbeat stopped (`[scheduler]
task_instance_heartbeat_timeout`), fails it, and the DAG processor runs the task's
on_failure_callback. The happy day's `airflow standalone` runs with that timeout lowered
(HEARTBEAT_TIMEOUT_SECONDS) so the test waits a minute, not MWAA's five.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import psutil

from tests.integration.airflow_api import AirflowClient

# Twelve of the task supervisor's 5-second heartbeats: a loaded machine never misses that many.
HEARTBEAT_TIMEOUT_SECONDS = 60


def heartbeat_env() -> dict[str, str]:
    """The scheduler setting that turns a stopped heartbeat into a failed task in a minute."""
    return {"AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT": str(HEARTBEAT_TIMEOUT_SECONDS)}


def kill_while_running(
    api: AirflowClient,
    dag_id: str,
    run_id: str,
    task_id: str,
    child_program: str,
    timeout: float = 300,
) -> dict[str, Any]:
    """Clear one task of a finished run (nothing downstream), wait until the scheduler has it
    running and it has started `child_program`, then SIGKILL every process whose command line
    names its try, and all their children.

    Returns the try that was killed and the command lines of the processes killed.
    """
    api.clear_task(dag_id, run_id, task_id)
    deadline = time.monotonic() + timeout
    while True:
        ti = api.task_instance(dag_id, run_id, task_id)
        workers = _processes_naming(ti["id"]) if ti["state"] == "running" else []
        # Collect the whole tree first: a child whose parent is gone is reparented and lost.
        tree = [*workers, *(child for worker in workers for child in _children(worker))]
        if any(_runs(process, child_program) for process in tree):
            break
        if ti["state"] in ("success", "failed", "skipped", "upstream_failed"):
            raise AssertionError(f"{task_id} ended {ti['state']} before it could be killed")
        if time.monotonic() > deadline:
            raise TimeoutError(f"{task_id} had not started {child_program} within {timeout:.0f} s")
        time.sleep(0.5)
    doomed = list({process.pid: process for process in tree}.values())
    killed = []
    for process in doomed:
        try:
            killed.append(" ".join(process.cmdline()))
            process.kill()
        except psutil.NoSuchProcess:
            continue
    psutil.wait_procs(doomed, timeout=30)
    return {"ti_id": ti["id"], "try_number": ti["try_number"], "killed": killed}


def wait_for_state(
    api: AirflowClient, dag_id: str, run_id: str, task_id: str, timeout: float
) -> dict[str, Any]:
    """The task instance once it has left `running`, or at the timeout.

    The scheduler fails a try whose heartbeat stopped: `up_for_retry` when the task has retries
    left, else `failed`."""
    deadline = time.monotonic() + timeout
    while True:
        ti = api.task_instance(dag_id, run_id, task_id)
        if ti["state"] != "running" or time.monotonic() >= deadline:
            return ti
        time.sleep(2)


def _children(process: psutil.Process) -> list[psutil.Process]:
    try:
        return process.children(recursive=True)
    except psutil.NoSuchProcess:
        return []


def _runs(process: psutil.Process, program: str) -> bool:
    """Whether the process runs `program` (as the executable, or the script an interpreter runs)."""
    try:
        return any(Path(part).name == program for part in process.cmdline()[:2])
    except psutil.NoSuchProcess:
        return False


def _processes_naming(ti_id: str) -> list[psutil.Process]:
    """The LocalExecutor worker running this try (its title ends with the try's id) and the task
    process its supervisor forked."""
    found = []
    for process in psutil.process_iter(["cmdline"]):
        if ti_id in " ".join(process.info["cmdline"] or ()):
            found.append(process)
    return found
