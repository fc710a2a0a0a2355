"""A bad run_date is refused by the real Airflow REST API before a run exists; nothing is run.
The deploy tool's backfill request, sent to the same API, creates one run per day of its range.

The requests go to the happy day's `airflow standalone` (tests/integration/happy_day.py) once its
smoke run has finished, with the DAG paused again, so the one run a valid trigger creates stays
queued: the test proves which triggers create a run (the API's own run list) and never executes
a task. The UI's trigger form posts to the same endpoint (with a Referer header, which is all
that tells the two apart), so the same refusal reaches it.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.integration.sandbox import DAG_ID

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def answers(happy) -> dict[str, Any]:
    return happy["refusals"]


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
