"""The orders DAG renders one dbt task per model, whose verdict is the model's and its tests'."""

from __future__ import annotations

import json
from typing import Any

import pytest

from include.dataops.airflow import cosmos as dbt_cosmos
from include.dataops.airflow.dbt_build_sensor import DbtModelBuildSensor
from include.dataops.pipeline.dbt_artifacts import DBT_MANIFEST

PRODUCER = "dbt.dbt_producer_watcher"


@pytest.fixture(scope="module")
def dag():
    from datetime import datetime

    from airflow.sdk import DAG

    from include.dataops.settings import load_settings

    with DAG("render_check", schedule=None, start_date=datetime(2026, 1, 1)) as rendered:
        dbt_cosmos.dbt_task_group(load_settings("local"), {"run_date": "{{ ds }}"})
    return rendered


def _models() -> dict[str, Any]:
    nodes = json.loads(DBT_MANIFEST.read_text())["nodes"]
    return {uid: n for uid, n in nodes.items() if n["resource_type"] == "model"}


def test_each_model_is_one_sensor_wired_as_the_manifest_and_no_test_has_a_task(dag):
    models = _models()
    sensors = {t.model_unique_id: t for t in dag.tasks if isinstance(t, DbtModelBuildSensor)}
    assert set(sensors) == set(models)
    assert {t.task_id for t in dag.tasks} == {
        PRODUCER,
        "dbt.dbt_producer_watcher_done",
        *(f"dbt.{n['name']}_model_build" for n in models.values()),
    }
    for uid, node in models.items():
        upstream = {p for p in node["depends_on"]["nodes"] if p in models}
        assert sensors[uid].upstream_task_ids == {sensors[p].task_id for p in upstream}, uid
        assert sensors[uid].producer_task_id == PRODUCER
    # The real project tests every model; the sensors know it from the manifest, at parse time.
    assert all(s.has_tests for s in sensors.values())


class _TI:
    def __init__(self, xcoms: dict[str, Any], try_number: int = 1) -> None:
        self.xcoms, self.try_number = xcoms, try_number

    def xcom_pull(self, task_ids: str, key: str) -> Any:
        assert task_ids == PRODUCER
        return self.xcoms.get(key)


@pytest.mark.parametrize(
    ("model", "tests", "verdict"),
    [
        ("success", "pass", "pass"),
        ("success", "fail", "fail"),
        ("success", None, None),  # built, tests still running: keep waiting
        ("error", None, "error"),
    ],
)
def test_the_sensor_succeeds_only_once_the_model_built_and_its_tests_passed(dag, model, tests, verdict):
    sensor = next(t for t in dag.tasks if t.task_id == "dbt.orders_model_build")
    xcoms = {"model__orders_analytics__orders_status": {"status": model, "outlet_uris": []}}
    if tests:
        xcoms["model__orders_analytics__orders_tests_status"] = tests
    # A retry (try 2) hands the verdict to Cosmos, which then runs dbt for the node.
    assert sensor._get_node_status(_TI(xcoms, try_number=2), {}) == verdict


ORDERS = "model.orders_analytics.orders"
STATUS = "model__orders_analytics__orders_status"


def test_a_sensor_fails_unretried_on_a_verdict_and_leaves_a_transient_error_to_its_retry(dag):
    from airflow.sdk.exceptions import AirflowFailException

    sensor = next(t for t in dag.tasks if t.task_id == "dbt.orders_model_build")
    message = "Runtime Error in model orders\n  Conversion Error: 'n/a' to DOUBLE\n  "
    sql_error = {STATUS: {"status": "error"}, "model__orders_analytics__orders_dbt_event": {"msg": message}}
    with pytest.raises(
        AirflowFailException,
        match=rf"error for {ORDERS} \(Runtime Error in model orders Conversion Error: 'n/a' to DOUBLE\)"
        r": .*clear",
    ):
        sensor._get_node_status(_TI(sql_error), {})
    # The model built, a test on it failed: its one sensor carries the tests' verdict.
    tests = {STATUS: {"status": "success"}, "model__orders_analytics__orders_tests_status": "fail"}
    with pytest.raises(AirflowFailException, match=rf"fail for {ORDERS} \(a test failed\)"):
        sensor._get_node_status(_TI(tests), {})
    event = {"msg": "IO Error: Could not set lock on file"}
    locked = {**sql_error, "model__orders_analytics__orders_dbt_event": event}
    # Cosmos's sensor goes on: it raises a retryable error, reruns the node, or waits for the build.
    assert sensor._get_node_status(_TI(locked), {}) == "error"
    assert sensor._get_node_status(_TI(sql_error, try_number=2), {}) == "error"
    assert sensor._get_node_status(_TI({}), {}) is None


def test_a_model_without_tests_needs_no_tests_verdict(dag):
    sensor = next(t for t in dag.tasks if t.task_id == "dbt.orders_model_build")
    tested = sensor.extra_context
    sensor.extra_context = {**tested, "dbt_node_config": tested["dbt_node_config"] | {"has_test": False}}
    xcoms = {"model__orders_analytics__orders_status": {"status": "success", "outlet_uris": []}}
    try:
        assert sensor._get_node_status(_TI(xcoms), {}) == "success"
    finally:
        sensor.extra_context = tested


def test_a_retry_builds_the_model_and_its_tests_and_deferring_is_refused(dag):
    from cosmos.constants import DbtResourceType

    assert next(t for t in dag.tasks if isinstance(t, DbtModelBuildSensor)).base_cmd == ["build"]
    convert = dbt_cosmos.render_config().node_converters[DbtResourceType.MODEL]
    with pytest.raises(ValueError, match=r"cannot defer.*Set deferrable=False"):
        convert(
            dag=dag,
            task_group=None,
            node=None,
            task_args={"deferrable": True},
            execution_mode=None,
            test_indirect_selection=None,
        )
