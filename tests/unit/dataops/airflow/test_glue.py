"""The cloud branch of the Glue transform: the amazon provider's GlueJobOperator on moto's Glue.

The job is created from Terraform's own aws_glue_job (rendered by tooling/terraform for staging),
the operator comes from glue_transform with staging's settings, and it runs in the real Airflow 3
(`airflow dags test`, which runs the deferred trigger inline) in a tiny DAG: the Glue task, then a
task standing for reconcile. moto runs in this process (ThreadedMotoServer), so the test can shape
the job run's life: the state manager's manual progression holds each state for several polls, so
the task only ends by waiting. moto 5.2.5's Glue run knows only STARTING → RUNNING → SUCCEEDED;
for a failed run the test swaps its last transition to FAILED, the one edit made to moto.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from include.dataops.airflow.glue import job_arguments
from include.dataops.settings import REPO_ROOT, load_settings
from tests.integration.sandbox import Sandbox
from tooling.local import dags_test_backport as dag_test
from tooling.local.emulator import free_port
from tooling.terraform.modules import root

pytestmark = pytest.mark.integration

ENV, CONN_ID, DAG_ID, DAY = "staging", "glue_moto", "glue_on_aws", "2026-11-30"
POLLS_PER_STATE = 2

GLUE_DAG = textwrap.dedent(
    f"""
    import dataclasses
    from datetime import datetime

    from airflow.sdk import dag, task

    from include.dataops.airflow.defaults import default_args
    from include.dataops.airflow.glue import glue_transform
    from include.dataops.settings import load_settings

    settings = dataclasses.replace(load_settings("{ENV}"), aws_conn_id="{CONN_ID}")


    @dag(
        dag_id="{DAG_ID}",
        schedule=None,
        start_date=datetime(2026, 1, 1),
        default_args=default_args(retries=0, on_failure_callback=None, on_success_callback=None),
    )
    def glue_on_aws():
        @task
        def reconcile():
            return "reconciled"

        glue_transform(settings, task_id="glue_transform", run_date="{DAY}", waiter_delay=1) >> reconcile()


    glue_on_aws()
    """
)


@pytest.fixture(scope="module")
def moto_glue() -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=free_port(), verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture(scope="module")
def glue_job(moto_glue: str) -> dict[str, Any]:
    """The orders job as Terraform defines it for staging, created in moto's Glue."""
    from moto.moto_api import state_manager

    module = root(ENV).scope.roots["module"]["glue"].module
    job = dict(module.instances("aws_glue_job", "orders_transform"))[None]
    role = dict(module.instances("aws_iam_role", "job"))[None]["name"]
    settings = load_settings(ENV)
    client = boto3.client("glue", region_name=settings.aws_region, endpoint_url=moto_glue)
    client.create_job(
        Name=job["name"],
        Role=f"arn:aws:iam::{settings.aws_account_id}:role/{role}",
        Command={
            "Name": job["command"][0]["name"],
            "ScriptLocation": job["command"][0]["script_location"],
            "PythonVersion": job["command"][0]["python_version"],
        },
        DefaultArguments=job["default_arguments"],
        GlueVersion=job["glue_version"],
        WorkerType=job["worker_type"],
        NumberOfWorkers=job["number_of_workers"],
        Timeout=job["timeout"],
        MaxRetries=job["max_retries"],
        ExecutionProperty={"MaxConcurrentRuns": job["execution_property"][0]["max_concurrent_runs"]},
    )
    state_manager.set_transition("glue::job_run", {"progression": "manual", "times": POLLS_PER_STATE})
    yield job
    state_manager.unset_transition("glue::job_run")


def run_glue_dag(tmp_path: Path, endpoint: str) -> tuple[subprocess.CompletedProcess[str], dict[str, str]]:
    dags = tmp_path / "dags"
    dags.mkdir()
    (dags / "glue_on_aws.py").write_text(GLUE_DAG)
    sandbox = Sandbox(tmp_path / "sandbox")
    connection = {
        "conn_type": "aws",
        "login": "testing",
        "password": "testing",  # pragma: allowlist secret
        "extra": {"endpoint_url": endpoint, "region_name": load_settings(ENV).aws_region},
    }
    env = {
        # moto in this process enforces no IAM: the execution role's grants are proven elsewhere
        # (tests/integration/test_iam.py), so these calls are neither signed as it nor recorded.
        **sandbox.env(signed=False),
        "AIRFLOW__CORE__DAGS_FOLDER": str(dags),
        f"AIRFLOW_CONN_{CONN_ID.upper()}": json.dumps(connection),
        "AWS_ENDPOINT_URL": endpoint,
    }
    done = subprocess.run(
        dag_test.command(DAG_ID),
        env=env,
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    with sqlite3.connect(sandbox.airflow_home / "airflow.db") as db:
        states = dict(
            db.execute("select task_id, state from task_instance where dag_id = ?", (DAG_ID,)).fetchall()
        )
    return done, states


def job_runs(endpoint: str, job_name: str) -> list[dict[str, Any]]:
    client = boto3.client("glue", region_name=load_settings(ENV).aws_region, endpoint_url=endpoint)
    return client.get_job_runs(JobName=job_name)["JobRuns"]


def test_a_succeeded_glue_run_is_waited_for_and_lets_the_dag_go_on(tmp_path, moto_glue, glue_job):
    done, states = run_glue_dag(tmp_path, moto_glue)

    assert done.returncode == 0, (done.stdout + done.stderr)[-3000:]
    assert states == {"glue_transform": "success", "reconcile": "success"}
    [run] = job_runs(moto_glue, glue_job["name"])
    assert run["JobRunState"] == "SUCCEEDED"
    expected = job_arguments(load_settings(ENV), DAY)
    assert {k: run["Arguments"].get(k) for k in expected} == expected


def test_a_failed_glue_run_fails_the_task_and_stops_the_dag(tmp_path, moto_glue, glue_job, monkeypatch):
    from moto.glue.models import FakeJobRun

    started = FakeJobRun.__init__

    def failing(self: FakeJobRun, *args: Any, **kwargs: Any) -> None:
        started(self, *args, **kwargs)
        self._transitions = [("STARTING", "RUNNING"), ("RUNNING", "FAILED")]

    monkeypatch.setattr(FakeJobRun, "__init__", failing)
    before = {run["Id"] for run in job_runs(moto_glue, glue_job["name"])}

    done, states = run_glue_dag(tmp_path, moto_glue)

    output = done.stdout + done.stderr
    assert done.returncode != 0, output[-3000:]
    assert states == {"glue_transform": "failed", "reconcile": "upstream_failed"}, output[-3000:]
    assert "Error in glue job" in output and "FAILED" in output, output[-3000:]
    runs = [run for run in job_runs(moto_glue, glue_job["name"]) if run["Id"] not in before]
    assert [run["JobRunState"] for run in runs] == ["FAILED"]
