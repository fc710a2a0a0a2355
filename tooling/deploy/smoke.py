"""The deploy smoke: trigger a DAG on MWAA, wait for the run, require its success and a passed gate.

A run can succeed while its quality gate was skipped (a branch not taken), which proves nothing
about the data; so the smoke also requires the gate task itself to have succeeded.

The smoke speaks the Airflow REST API through `call(method, path, body, **query)`: on MWAA that
is InvokeRestApi (mwaa_api.invoke_airflow); the end-to-end suite passes a client of a real local
Airflow, so the same requests and the same result check run there.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from tooling.deploy.types import AirflowCall, DeployError

FINISHED_RUN_STATES = ("success", "failed")
# No logical date: the run has no data interval and processes the latest complete day (yesterday
# in UTC, see resolve_run_date), the day staging's nightly data has landed for.
TRIGGER_BODY: dict[str, Any] = {"logical_date": None, "conf": {}}


def trigger(call: AirflowCall, where: str, dag_id: str, conf: dict[str, Any] | None = None) -> str:
    """Unpause the DAG and trigger one run with the smoke's body (`conf` as its params); its run id."""
    call("PATCH", f"/dags/{dag_id}", {"is_paused": False})
    body = {**TRIGGER_BODY, "conf": conf or {}}
    run_id = call("POST", f"/dags/{dag_id}/dagRuns", body).get("dag_run_id")
    if not run_id:
        raise DeployError(
            f"Triggering {dag_id} on {where} returned no run id: check that the DAG exists there."
        )
    return str(run_id)


def require_success(
    call: AirflowCall,
    where: str,
    dag_id: str,
    run_id: str,
    gate_task: str,
    *,
    also_required: tuple[str, ...] = (),
    timeout: float = 3600.0,
    poll_seconds: float = 30.0,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> None:
    """Wait for the run to end; fail unless it, its quality gate and the `also_required` tasks succeeded."""
    deadline = clock() + timeout
    state = call("GET", f"/dags/{dag_id}/dagRuns/{run_id}").get("state")
    while state not in FINISHED_RUN_STATES:
        if clock() >= deadline:
            raise DeployError(
                f"{dag_id} run {run_id} on {where} is still {state} after {timeout:.0f}s: look at it "
                "in the Airflow UI; raise --timeout if the run is just slow."
            )
        sleep(poll_seconds)
        state = call("GET", f"/dags/{dag_id}/dagRuns/{run_id}").get("state")
    tasks = call("GET", f"/dags/{dag_id}/dagRuns/{run_id}/taskInstances", limit=100).get("task_instances", [])
    states = {t["task_id"]: t.get("state") for t in tasks}
    if state != "success":
        failed = sorted(t for t, s in states.items() if s in ("failed", "upstream_failed"))
        raise DeployError(
            f"{dag_id} run {run_id} on {where} ended {state} "
            f"(failed tasks: {', '.join(failed) or 'none'}): read their logs in the Airflow UI."
        )
    gate = {t: s for t, s in states.items() if t == gate_task or t.endswith(f".{gate_task}")}
    if not gate or any(s != "success" for s in gate.values()):
        raise DeployError(
            f"{dag_id} run {run_id} on {where} succeeded but its quality gate {gate_task!r} did not "
            f"({gate or 'task not found'}): name the gate task with --gate-task or fix the DAG."
        )
    if unfinished := [t for t in also_required if states.get(t) != "success"]:
        raise DeployError(
            f"{dag_id} run {run_id} on {where} succeeded but {', '.join(unfinished)} did not "
            f"({ {t: states.get(t) for t in unfinished} }): read the run in the Airflow UI."
        )


def smoke(
    call: AirflowCall,
    where: str,
    dag_id: str,
    gate_task: str,
    *,
    conf: dict[str, Any] | None = None,
    out: Callable[[str], None] = print,
    **waiting: Any,
) -> str:
    """Trigger the DAG (with `conf` as its params), wait for the run to end, and require success of
    the run, of its quality gate and of any `also_required` tasks."""
    run_id = trigger(call, where, dag_id, conf)
    out(f"triggered {dag_id} run {run_id} on {where}")
    require_success(call, where, dag_id, run_id, gate_task, **waiting)
    out(f"{dag_id} run {run_id} on {where}: success, quality gate {gate_task} passed")
    return run_id
