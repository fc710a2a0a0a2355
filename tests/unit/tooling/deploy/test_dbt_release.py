"""The prod dbt release: `state:modified+` from real dbt, then the DAG run that builds and publishes it.

MWAA's InvokeRestApi is botocore's Stubber (moto has no MWAA), checking the trigger's conf.
"""

from __future__ import annotations

import functools
import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
from botocore.stub import Stubber

from include.dataops.settings import REPO_ROOT
from tooling.deploy.dbt_release import DBT_EXECUTABLE, modified_models, release
from tooling.deploy.mwaa_api import invoke_airflow
from tooling.deploy.types import DeployError

ENV, DAG, RUN = "dataops-prod", "orders_nightly", "manual__2026-11-24T00:00:00+00:00"


def expect(stubber: Stubber, method: str, path: str, response: dict[str, Any], **request: Any) -> None:
    stubber.add_response(
        "invoke_rest_api",
        {"RestApiStatusCode": 200, "RestApiResponse": response},
        {"Name": ENV, "Path": path, "Method": method, **request},
    )


def a_run(stubber: Stubber, conf: dict[str, str], publish: str) -> None:
    expect(stubber, "PATCH", f"/dags/{DAG}", {"dag_id": DAG}, Body={"is_paused": False})
    body = {"logical_date": None, "conf": conf}
    expect(stubber, "POST", f"/dags/{DAG}/dagRuns", {"dag_run_id": RUN, "state": "queued"}, Body=body)
    expect(stubber, "GET", f"/dags/{DAG}/dagRuns/{RUN}", {"dag_run_id": RUN, "state": "success"})
    tasks = [{"task_id": "quality_gate", "state": "success"}, {"task_id": "publish", "state": publish}]
    expect(
        stubber,
        "GET",
        f"/dags/{DAG}/dagRuns/{RUN}/taskInstances",
        {"task_instances": tasks, "total_entries": 2},
        QueryParameters={"limit": 100},
    )


def go(client: Any, models: list[str] | None) -> str:
    call = functools.partial(invoke_airflow, client, ENV)
    return release(call, ENV, DAG, "quality_gate", models, poll_seconds=0, out=lambda _: None)


def test_the_changed_models_are_the_runs_dbt_select_and_its_publish_must_succeed(mwaa):
    client, stubber = mwaa
    a_run(stubber, {"dbt_select": "customers orders"}, publish="success")
    assert go(client, ["customers", "orders"]) == RUN
    a_run(stubber, {"dbt_select": "customers"}, publish="skipped")
    with pytest.raises(DeployError, match=r"succeeded but publish did not \({'publish': 'skipped'}\)"):
        go(client, ["customers"])
    stubber.assert_no_pending_responses()


def test_no_prod_manifest_builds_everything_and_no_change_triggers_nothing(mwaa):
    client, stubber = mwaa
    a_run(stubber, {}, publish="success")
    assert go(client, None) == RUN
    assert go(client, []) == ""
    stubber.assert_no_pending_responses()


@pytest.mark.integration
def test_state_modified_names_the_changed_model_and_its_children(tmp_path: Path):
    state = tmp_path / "state"
    project = str(REPO_ROOT / "dbt")
    parse = [str(DBT_EXECUTABLE), "--quiet", "parse", "--project-dir", project, "--profiles-dir", project]
    done = subprocess.run(
        [*parse, "--target", "prod", "--target-path", str(state)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert modified_models(tmp_path / "none", "prod") is None
    assert modified_models(state, "prod", tmp_path / "target") == []

    manifest = json.loads((state / "manifest.json").read_text())
    manifest["nodes"]["model.orders_analytics.orders"]["raw_code"] += "\n-- the released version"
    (state / "manifest.json").write_text(json.dumps(manifest))
    assert modified_models(state, "prod", tmp_path / "target") == ["customers", "orders", "orders_daily"]
