"""A bad run_date is refused by the real Airflow REST API before a run exists; nothing is run.
The deploy tool's backfill request, sent to the same API, creates one run per day of its range.

The DAG stays paused, so the one run a valid trigger creates stays queued: the test proves which
triggers create a run (the API's own run list), never executes a task, and costs one start-up of
`airflow standalone` (about a minute). The UI's trigger form posts to the same endpoint (with a
Referer header, which is all that tells the two apart), so the same refusal reaches it.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.integration.airflow_api import AirflowClient, LocalAirflow
from tests.integration.sandbox import DAG_ID, Sandbox
from tooling.deploy.backfill import backfill, day_range

pytestmark = pytest.mark.e2e


def _trigger(api: AirflowClient, body: dict[str, Any], referer: str | None = None) -> tuple[int, str]:
    request = urllib.request.Request(
        f"{api.base_url}/api/v2/dags/{DAG_ID}/dagRuns",
        method="POST",
        data=json.dumps(body).encode(),
        headers={
            "Content-Type": "application/json",
            "Authorization": f"Bearer {api.token}",
            **({"Referer": referer} if referer else {}),
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode()


def _runs(api: AirflowClient) -> list[dict[str, Any]]:
    return api._call("GET", f"/api/v2/dags/{DAG_ID}/dagRuns?limit=100")["dag_runs"]


@pytest.fixture(scope="module")
def answers(tmp_path_factory) -> dict[str, Any]:
    box = Sandbox(tmp_path_factory.mktemp("params"))
    today = datetime.now(UTC).date()
    with LocalAirflow(box.airflow_home, env=box.env()) as api:
        api.wait_for_dags([DAG_ID])
        # The sandbox's metadata DB is a copy of the bootstrap's, which holds `make run`'s runs.
        earlier = {run["dag_run_id"] for run in _runs(api)}
        outcome: dict[str, Any] = {
            "today_utc": str(today),
            "impossible": _trigger(api, {"logical_date": None, "conf": {"run_date": "2026-13-45"}}),
            "future": _trigger(
                api, {"logical_date": None, "conf": {"run_date": str(today + timedelta(days=1))}}
            ),
            "impossible_from_ui": _trigger(
                api,
                {"logical_date": None, "conf": {"run_date": "2026-02-30"}},
                referer=f"{api.base_url}/dags/{DAG_ID}/trigger",
            ),
            "today": _trigger(api, {"logical_date": None, "conf": {"run_date": str(today)}}),
        }
        outcome["runs"] = [run["conf"] for run in _runs(api) if run["dag_run_id"] not in earlier]
        days = day_range(str(today - timedelta(days=3)), str(today - timedelta(days=2)))
        outcome["backfill_days"] = [str(day) for day in days]
        outcome["backfill"] = backfill(
            lambda method, path, body: api._call(method, f"/api/v2{path}", body), DAG_ID, days
        )
        outcome["backfill_runs"] = [
            run for run in _runs(api) if run["dag_run_id"] not in earlier and run["run_type"] == "backfill"
        ]
    return outcome


def test_an_impossible_date_is_refused_naming_the_param_and_the_rule(answers):
    code, body = answers["impossible"]
    assert code == 400, body
    assert "Invalid input for param run_date: '2026-13-45' is not a 'date'" in json.loads(body)["detail"]


def test_a_future_date_is_refused_before_a_run_exists(answers):
    code, body = answers["future"]
    assert code == 400, body
    assert "param run_date" in body and "is not a 'date-not-in-future'" in body


def test_the_ui_trigger_path_gets_the_same_refusal(answers):
    code, body = answers["impossible_from_ui"]
    assert code == 400, body
    assert "'2026-02-30' is not a 'date'" in body


def test_only_the_valid_trigger_created_a_run(answers):
    code, body = answers["today"]
    assert code == 200, body
    assert answers["runs"] == [json.loads(body)["conf"]]
    assert [conf["run_date"] for conf in answers["runs"]] == [answers["today_utc"]]


def test_the_deploy_tools_backfill_creates_one_run_per_day_in_order(answers):
    """The request `python -m tooling.deploy backfill` sends through MWAA, and the UI's form too."""
    created, runs = answers["backfill"], answers["backfill_runs"]
    assert created["dag_id"] == DAG_ID and created["max_active_runs"] == 1
    assert sorted(run["logical_date"][:10] for run in runs) == answers["backfill_days"]
    assert {run["run_type"] for run in runs} == {"backfill"}
    assert {run["data_interval_start"][:10] for run in runs} == set(answers["backfill_days"])
