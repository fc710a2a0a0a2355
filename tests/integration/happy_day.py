"""The happy day, shared: one deploy-smoke run through a real `airflow standalone`, then one rerun
of the same day with `airflow dags test` that also writes its OpenLineage events to a file.

Once the smoke's run has finished, the same Airflow (its DAG paused again) answers the trigger
requests test_params_rejected.py judges, and loses a worker mid-dbt (test_worker_loss.py): one
start-up of `airflow standalone` serves all three. Four modules read these runs:
test_orders_pipeline.py (the run's results, the rerun's idempotency), test_params_rejected.py,
test_worker_loss.py and tests/lineage/test_run_lineage.py (the rerun's lineage graph). They
are one pytest-xdist group (SHARED_RUNS in tests/conftest.py), so they run on one worker and
these session fixtures run once. tests/conftest.py registers this module as a pytest plugin.
"""

from __future__ import annotations

import json
import sqlite3
import urllib.error
import urllib.request
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from tests.integration import worker_loss
from tests.integration.airflow_api import AirflowClient, LocalAirflow
from tests.integration.sandbox import DAG_ID, MARTS, Sandbox
from tooling.deploy import smoke
from tooling.deploy.backfill import backfill, day_range
from tooling.deploy.types import DeployError
from tooling.local import sample_data
from tooling.local.topic_capture import TopicCapture

GATE = "quality_gate"
# A model's sensor: cleared, its second try runs dbt for the model itself (Cosmos's fallback once
# the producer has finished), which is then lost with its worker (test_worker_loss.py). The
# producer cannot be: Cosmos skips every try of it after the first, so it never runs dbt again.
KILLED = "dbt.orders_model_build"
ROWS = 2_000
BAD_SHARE = 0.05


@pytest.fixture(scope="session")
def happy(tmp_path_factory, settings) -> dict[str, Any]:
    """Generate yesterday's data with bad records, then run the deploy smoke on it through the REST API.

    The smoke triggers as it does on MWAA (no logical date, no conf): the run has no data interval
    and processes the latest complete day, which is why the data is yesterday's (UTC). Then the
    same Airflow loses the worker of a model's dbt run (worker_loss.py).
    """
    box = Sandbox(tmp_path_factory.mktemp("happy"))
    outcome: dict[str, Any] = {"box": box, "smoke_error": None}
    with (
        TopicCapture(settings, settings.notifications_topic_arn) as notes,
        TopicCapture(settings, settings.alerts_topic_arn) as alerts,
        LocalAirflow(box.airflow_home, env={**box.env(), **worker_loss.heartbeat_env()}) as api,
    ):
        api.wait_for_dags([DAG_ID, "platform_check"])
        outcome["dag_ids"] = api.dag_ids()
        outcome["import_errors"] = api.import_errors()
        with pytest.raises(urllib.error.HTTPError) as bad:
            api.trigger(DAG_ID, {"run_date": "yesterday"})
        outcome["bad_params"] = (bad.value.code, bad.value.read().decode())
        outcome["started"] = datetime.now(UTC)
        day = outcome["day"] = (outcome["started"] - timedelta(days=1)).date().isoformat()
        outcome["expected"] = sample_data.generate(box.raw, date.fromisoformat(day), 1, ROWS, BAD_SHARE)[0]
        run_id = outcome["run_id"] = smoke.trigger(api.rest, "local", DAG_ID)
        try:
            smoke.require_success(api.rest, "local", DAG_ID, run_id, GATE, timeout=1800, poll_seconds=2)
        except DeployError as failed:
            outcome["smoke_error"] = str(failed)
        outcome["tasks"] = api.task_states(DAG_ID, run_id)
        outcome["summaries"] = notes.wait_for(1, timeout_seconds=10, subject_contains=day)
        outcome["audit_schemas"] = box.audit_schemas()
        outcome["hashes"] = {table: box.content_hash(table) for table in MARTS}
        # Killed before _trigger_requests pauses the DAG (a paused DAG's runs are not scheduled);
        # the scheduler's heartbeat check runs meanwhile.
        lost = outcome["worker_loss"] = worker_loss.kill_while_running(api, DAG_ID, run_id, KILLED, "dbt")
        outcome["refusals"] = _trigger_requests(api)
        timeout = 4 * worker_loss.HEARTBEAT_TIMEOUT_SECONDS
        lost["ti"] = worker_loss.wait_for_state(api, DAG_ID, run_id, KILLED, timeout)
        # The other test worker's fault runs page the same task on the same topic: only this run's.
        lost["pages"] = alerts.wait_for(
            1, timeout, subject_contains=f"task failed: {KILLED}", message_contains=f"(run {run_id},"
        )
    lost["hashes"] = {table: box.content_hash(table) for table in MARTS}
    return outcome


@pytest.fixture(scope="session")
def happy_rerun(happy) -> dict[str, Any]:
    """The same day again, with `airflow dags test` and the OpenLineage file transport: its log, its
    start, the mart row counts before it, its lineage events and the Asset URIs it recorded."""
    box: Sandbox = happy["box"]
    events_file = box.root / "lineage" / "events.jsonl"
    events_file.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(box.airflow_home / "airflow.db") as db:
        (before,) = db.execute("select coalesce(max(id), 0) from asset_event").fetchone()
    outcome: dict[str, Any] = {
        "rows_before": {table: box.rows(table) for table in MARTS},
        "started": datetime.now(UTC),
    }
    with pytest.MonkeyPatch.context() as patch:
        transport = {"type": "file", "log_file_path": str(events_file), "append": True}
        patch.setenv("AIRFLOW__OPENLINEAGE__TRANSPORT", json.dumps(transport))
        outcome["ok"], outcome["log"] = box.run_dag(happy["day"])
    outcome["events"] = [json.loads(line) for line in events_file.read_text().splitlines()]
    with sqlite3.connect(box.airflow_home / "airflow.db") as db:
        query = "select a.uri from asset_event e join asset a on a.id = e.asset_id where e.id > ?"
        outcome["asset_uris"] = [row[0] for row in db.execute(query, (before,))]
    return outcome


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


def _trigger_requests(api: AirflowClient) -> dict[str, Any]:
    """Bad and good trigger requests, and a backfill, with the DAG paused: what each answered and
    which runs exist after (test_params_rejected.py). Paused, the runs they create stay queued."""
    api._call("PATCH", f"/api/v2/dags/{DAG_ID}", {"is_paused": True})
    today = datetime.now(UTC).date()
    # The smoke's run, and the runs `make run` left in the metadata DB the sandbox copied.
    earlier = {run["dag_run_id"] for run in _runs(api)}
    answers: dict[str, Any] = {
        "today_utc": str(today),
        "impossible": _trigger(api, {"logical_date": None, "conf": {"run_date": "2026-13-45"}}),
        "future": _trigger(api, {"logical_date": None, "conf": {"run_date": str(today + timedelta(days=1))}}),
        "impossible_from_ui": _trigger(
            api,
            {"logical_date": None, "conf": {"run_date": "2026-02-30"}},
            referer=f"{api.base_url}/dags/{DAG_ID}/trigger",
        ),
        "today": _trigger(api, {"logical_date": None, "conf": {"run_date": str(today)}}),
    }
    answers["runs"] = [run["conf"] for run in _runs(api) if run["dag_run_id"] not in earlier]
    days = day_range(str(today - timedelta(days=3)), str(today - timedelta(days=2)))
    answers["backfill_days"] = [str(day) for day in days]
    answers["backfill"] = backfill(
        lambda method, path, body: api._call(method, f"/api/v2{path}", body), DAG_ID, days
    )
    answers["backfill_runs"] = [
        run for run in _runs(api) if run["dag_run_id"] not in earlier and run["run_type"] == "backfill"
    ]
    return answers
