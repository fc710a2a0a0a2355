"""The deploy smoke: trigger a DAG on MWAA, wait for the run, require its success and a passed gate.

A run can succeed while its quality gate was skipped (a branch not taken), which proves nothing
about the data; so the smoke also requires the gate task itself to have succeeded.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from tooling.deploy.mwaa_api import invoke_airflow
from tooling.deploy.types import DeployError

FINISHED_RUN_STATES = ("success", "failed")


def smoke(
    mwaa: Any,
    environment: str,
    dag_id: str,
    gate_task: str,
    *,
    conf: dict[str, Any] | None = None,
    also_required: tuple[str, ...] = (),
    timeout: float = 3600.0,
    poll_seconds: float = 30.0,
    out: Callable[[str], None] = print,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> str:
    """Trigger the DAG (with `conf` as its params), wait for the run to end, and require success of
    the run, of its quality gate and of the `also_required` tasks."""
    invoke_airflow(mwaa, environment, "PATCH", f"/dags/{dag_id}", {"is_paused": False})
    run = invoke_airflow(
        mwaa, environment, "POST", f"/dags/{dag_id}/dagRuns", {"logical_date": None, "conf": conf or {}}
    )
    run_id = run.get("dag_run_id")
    if not run_id:
        raise DeployError(
            f"Triggering {dag_id} on {environment} returned no run id: check that the DAG exists there."
        )
    out(f"triggered {dag_id} run {run_id} on {environment}")
    deadline = clock() + timeout
    state = run.get("state")
    while state not in FINISHED_RUN_STATES:
        if clock() >= deadline:
            raise DeployError(
                f"{dag_id} run {run_id} on {environment} is still {state} after {timeout:.0f}s: look at it "
                "in the Airflow UI; raise --timeout if the run is just slow."
            )
        sleep(poll_seconds)
        state = invoke_airflow(mwaa, environment, "GET", f"/dags/{dag_id}/dagRuns/{run_id}").get("state")
    tasks = invoke_airflow(
        mwaa, environment, "GET", f"/dags/{dag_id}/dagRuns/{run_id}/taskInstances", limit=100
    ).get("task_instances", [])
    states = {t["task_id"]: t.get("state") for t in tasks}
    if state != "success":
        failed = sorted(t for t, s in states.items() if s in ("failed", "upstream_failed"))
        raise DeployError(
            f"{dag_id} run {run_id} on {environment} ended {state} "
            f"(failed tasks: {', '.join(failed) or 'none'}): read their logs in the Airflow UI."
        )
    gate = {t: s for t, s in states.items() if t == gate_task or t.endswith(f".{gate_task}")}
    if not gate or any(s != "success" for s in gate.values()):
        raise DeployError(
            f"{dag_id} run {run_id} on {environment} succeeded but its quality gate {gate_task!r} did not "
            f"({gate or 'task not found'}): name the gate task with --gate-task or fix the DAG."
        )
    if unfinished := [t for t in also_required if states.get(t) != "success"]:
        raise DeployError(
            f"{dag_id} run {run_id} on {environment} succeeded but {', '.join(unfinished)} did not "
            f"({ {t: states.get(t) for t in unfinished} }): read the run in the Airflow UI."
        )
    out(f"{dag_id} run {run_id} on {environment}: success, quality gate {gate_task} passed")
    return run_id
