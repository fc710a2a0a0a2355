"""The staging smoke test: trigger a DAG through MWAA InvokeRestApi, wait, require success and the gate.

moto has no MWAA, so InvokeRestApi is botocore's Stubber with the Airflow 3 REST API's response
shapes (PATCH /dags/{id}, POST and GET /dags/{id}/dagRuns, GET .../taskInstances). The stub also
checks the exact requests: paths, methods and the trigger body Airflow 3 requires (logical_date).
"""

from __future__ import annotations

import functools
from typing import Any

import pytest
from botocore.stub import Stubber

from tooling.deploy.mwaa_api import invoke_airflow
from tooling.deploy.smoke import smoke
from tooling.deploy.types import DeployError

ENV, DAG, RUN = "dataops-staging", "orders_nightly", "manual__2026-11-24T00:00:00+00:00"
TRIGGER_BODY = {"logical_date": None, "conf": {}}  # Airflow 3 requires logical_date, null allowed
GATE, GLUE = "quality_gate", "glue_transform"


@pytest.fixture(scope="module")
def task_ids() -> list[str]:
    """orders_nightly's real task ids, from a DagBag of its file: a renamed task fails here first."""
    from airflow.dag_processing.dagbag import DagBag

    from include.dataops.settings import REPO_ROOT

    dag = DagBag(dag_folder=str(REPO_ROOT / "dags" / f"{DAG}.py"), include_examples=False).dags[DAG]
    assert {GATE, GLUE} <= set(dag.task_ids), dag.task_ids
    return dag.task_ids


def states(task_ids: list[str], **changed: str) -> dict[str, str]:
    """Every task of the DAG succeeded, but for the ones named."""
    return {task: changed.get(task, "success") for task in task_ids}


def expect(stubber: Stubber, method: str, path: str, response: dict[str, Any], **request: Any) -> None:
    stubber.add_response(
        "invoke_rest_api",
        {"RestApiStatusCode": 200, "RestApiResponse": response},
        {"Name": ENV, "Path": path, "Method": method, **request},
    )


def trigger(stubber: Stubber, states: list[str], tasks: dict[str, str]) -> None:
    expect(stubber, "PATCH", f"/dags/{DAG}", {"dag_id": DAG, "is_paused": False}, Body={"is_paused": False})
    expect(
        stubber,
        "POST",
        f"/dags/{DAG}/dagRuns",
        {"dag_run_id": RUN, "state": "queued"},
        Body=TRIGGER_BODY,
    )
    for state in states:
        expect(stubber, "GET", f"/dags/{DAG}/dagRuns/{RUN}", {"dag_run_id": RUN, "state": state})
    instances = [{"task_id": task, "state": state} for task, state in tasks.items()]
    expect(
        stubber,
        "GET",
        f"/dags/{DAG}/dagRuns/{RUN}/taskInstances",
        {"task_instances": instances, "total_entries": len(instances)},
        QueryParameters={"limit": 100},
    )


def run(client: Any, **kwargs: Any) -> str:
    call = functools.partial(invoke_airflow, client, ENV)
    return smoke(call, ENV, DAG, GATE, poll_seconds=0, out=lambda _: None, **kwargs)


def test_a_successful_run_with_a_passed_gate_passes(mwaa, task_ids):
    client, stubber = mwaa
    trigger(stubber, ["running", "success"], states(task_ids))

    assert run(client) == RUN
    stubber.assert_no_pending_responses()


def test_a_failed_run_names_its_failed_tasks(mwaa, task_ids):
    client, stubber = mwaa
    trigger(stubber, ["failed"], states(task_ids, **{GLUE: "failed", GATE: "upstream_failed"}))

    with pytest.raises(DeployError, match=rf"ended failed \(failed tasks: {GLUE}, {GATE}\)"):
        run(client)


def test_a_run_whose_gate_was_skipped_fails_the_smoke_test(mwaa, task_ids):
    client, stubber = mwaa
    trigger(stubber, ["success"], states(task_ids, **{GATE: "skipped"}))

    with pytest.raises(DeployError, match=f"quality gate '{GATE}' did not"):
        run(client)


def test_a_run_that_does_not_finish_in_time_times_out(mwaa):
    client, stubber = mwaa
    expect(stubber, "PATCH", f"/dags/{DAG}", {"dag_id": DAG}, Body={"is_paused": False})
    expect(stubber, "POST", f"/dags/{DAG}/dagRuns", {"dag_run_id": RUN, "state": "queued"}, Body=TRIGGER_BODY)
    expect(stubber, "GET", f"/dags/{DAG}/dagRuns/{RUN}", {"dag_run_id": RUN, "state": "queued"})

    with pytest.raises(DeployError, match="still queued after 0s"):
        run(client, timeout=0)
