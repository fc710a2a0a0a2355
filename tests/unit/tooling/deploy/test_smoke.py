"""The staging smoke test: trigger a DAG through MWAA InvokeRestApi, wait, require success and the gate.

moto has no MWAA, so InvokeRestApi is botocore's Stubber with the Airflow 3 REST API's response
shapes (PATCH /dags/{id}, POST and GET /dags/{id}/dagRuns, GET .../taskInstances). The stub also
checks the exact requests: paths, methods and the trigger body Airflow 3 requires (logical_date).
"""

from __future__ import annotations

from typing import Any

import pytest
from botocore.stub import Stubber

from tooling.deploy.smoke import smoke
from tooling.deploy.types import DeployError

ENV, DAG, RUN = "dataops-staging", "orders_nightly", "manual__2026-11-24T00:00:00+00:00"
TRIGGER_BODY = {"logical_date": None, "conf": {}}  # Airflow 3 requires logical_date, null allowed


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
    return smoke(client, ENV, DAG, "quality_gate", poll_seconds=0, out=lambda _: None, **kwargs)


def test_a_successful_run_with_a_passed_gate_passes(mwaa):
    client, stubber = mwaa
    trigger(stubber, ["running", "success"], {"transform": "success", "checks.quality_gate": "success"})

    assert run(client) == RUN
    stubber.assert_no_pending_responses()


def test_a_failed_run_names_its_failed_tasks(mwaa):
    client, stubber = mwaa
    trigger(stubber, ["failed"], {"transform": "failed", "checks.quality_gate": "upstream_failed"})

    with pytest.raises(DeployError, match=r"ended failed \(failed tasks: checks.quality_gate, transform\)"):
        run(client)


def test_a_run_whose_gate_was_skipped_fails_the_smoke_test(mwaa):
    client, stubber = mwaa
    trigger(stubber, ["success"], {"transform": "success", "quality_gate": "skipped"})

    with pytest.raises(DeployError, match="quality gate 'quality_gate' did not"):
        run(client)


def test_a_run_that_does_not_finish_in_time_times_out(mwaa):
    client, stubber = mwaa
    expect(stubber, "PATCH", f"/dags/{DAG}", {"dag_id": DAG}, Body={"is_paused": False})
    expect(stubber, "POST", f"/dags/{DAG}/dagRuns", {"dag_run_id": RUN, "state": "queued"}, Body=TRIGGER_BODY)

    with pytest.raises(DeployError, match="still queued after 0s"):
        run(client, timeout=0)
