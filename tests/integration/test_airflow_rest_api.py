"""Drive the real local Airflow 3 as a client would, through its REST API."""

from __future__ import annotations

import pytest

from tests.dags.conftest import dag_files
from tests.integration.airflow_api import LocalAirflow

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def airflow_api(tmp_path_factory):
    with LocalAirflow(tmp_path_factory.mktemp("airflow_home")) as client:
        yield client


def test_the_ui_lists_every_dag_and_no_import_errors(airflow_api):
    import time

    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and len(airflow_api.dag_ids()) < len(dag_files()):
        time.sleep(2)
    assert airflow_api.import_errors() == []
    assert {"platform_smoke"} <= set(airflow_api.dag_ids())


def test_a_triggered_dag_runs_to_success(airflow_api):
    airflow_api.unpause("platform_smoke")
    run_id = airflow_api.trigger("platform_smoke")
    assert airflow_api.wait_for_run("platform_smoke", run_id, timeout=300) == "success"
    assert airflow_api.task_states("platform_smoke", run_id) == {"check_platform": "success"}
