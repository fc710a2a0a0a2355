"""One Airflow task per dbt model under Cosmos's WATCHER mode, holding the model's state and its tests'.

Cosmos 1.15.1 renders WATCHER with TestBehavior.AFTER_EACH as two sensors per tested model (`run`,
then `test`), and has no sensor for TestBehavior.BUILD (its DbtBuildWatcherOperator raises). Two
tasks per model double the DAG's parse time, which at 1,000 models is about 2 ms of CPU per task.
So the render config asks for BUILD and converts each model, through Cosmos's own extension point
(RenderConfig.node_converters), into DbtModelBuildSensor: one task that succeeds only when the
producer's `dbt build` reported the model a success and every test on it a pass, so a failed test
fails that model's task and stops its downstream models alone, as a failed test sensor did.
"""

from __future__ import annotations

from typing import Any

from cosmos.airflow.graph import _get_dbt_dag_task_group_identifier, create_task_metadata
from cosmos.config import RenderConfig
from cosmos.core.airflow import get_airflow_task
from cosmos.operators._watcher.aggregation import get_tests_status_xcom_key
from cosmos.operators._watcher.state import get_dbt_event_xcom_key, get_xcom_val, is_dbt_node_status_success
from cosmos.operators.watcher import DbtConsumerWatcherSensor, DbtRunWatcherOperator

from include.dataops.pipeline.dbt_results import is_verdict

SENSOR_CLASS = f"{__name__}.DbtModelBuildSensor"


class DbtModelBuildSensor(DbtConsumerWatcherSensor):
    """A model's sensor whose verdict is the model's status and, once it succeeded, its tests'.

    A retry, or a clear from the UI, runs `dbt build --select <model>`: the model and its tests.
    No __init__ of its own (nor DbtRunWatcherOperator's, which only passes its kwargs on): Airflow
    wraps each class's __init__ and every wrapper costs each task its defaults merge again.
    """

    template_fields = DbtRunWatcherOperator.template_fields
    base_cmd = ["build"]

    @property
    def has_tests(self) -> bool:
        return bool(self.extra_context.get("dbt_node_config", {}).get("has_test"))

    def _get_node_status(self, ti: Any, context: Any) -> Any:
        status, message = super()._get_node_status(ti, context), None
        if self.has_tests and is_dbt_node_status_success(status):
            # The producer pushes "pass" or "fail" once every test on the model has reported; till then None.
            status = get_xcom_val(ti, self.producer_task_id, get_tests_status_xcom_key(self.model_unique_id))
            message = "a test failed"
        fail_on_verdict(ti, self.producer_task_id, self.model_unique_id, status, message)
        return status


def fail_on_verdict(ti: Any, producer_task_id: str, node_id: str, status: Any, message: str | None) -> None:
    """Fail without retry when the producer's build reported a verdict on data for this node.

    Cosmos's sensor raises a plain AirflowException for any failed node, and its retry runs dbt
    again for the node: right for a locked warehouse or an S3 error, wasted on a failed test or a
    SQL error, which fail again. The node's status and dbt's message for it decide. A later try
    is a retry or a clear from the UI after a fix: Cosmos then runs dbt for the node.
    """
    if ti.try_number != 1 or not status or is_dbt_node_status_success(status):
        return
    if message is None:
        message = (get_xcom_val(ti, producer_task_id, get_dbt_event_xcom_key(node_id)) or {}).get("msg")
    if is_verdict(str(status), message):
        from airflow.sdk.exceptions import AirflowFailException

        detail = " ".join(str(message).split())  # dbt's message spans lines: the error is one
        raise AirflowFailException(
            f"dbt reported {status} for {node_id} ({detail}): a verdict on the data or the SQL,"
            " not retried. Fix the data or the model, then clear this task."
        )


def model_build_task(
    *,
    dag: Any,
    task_group: Any,
    node: Any,
    task_args: dict[str, Any],
    execution_mode: Any,
    test_indirect_selection: Any,
    on_warning_callback: Any = None,
    detached_from_parent: dict[str, list[Any]] | None = None,
    render_config: RenderConfig,
    **_: Any,
) -> Any:
    """RenderConfig.node_converters entry: the task Cosmos renders for a model under BUILD, as our sensor.

    Deferring is refused: Cosmos's trigger polls a model's status only, not its tests'.
    """
    if task_args.get("deferrable", True):
        raise ValueError(
            "dbt model sensors cannot defer: Cosmos's trigger watches a model's status, not its tests'."
            " Set deferrable=False in the operator_args (mode='reschedule' frees the worker slot)."
        )
    metadata = create_task_metadata(
        node=node,
        execution_mode=execution_mode,
        args=task_args,
        dbt_dag_task_group_identifier=_get_dbt_dag_task_group_identifier(dag, task_group),
        render_config=render_config,
        test_indirect_selection=test_indirect_selection,
        on_warning_callback=on_warning_callback,
        detached_from_parent=detached_from_parent,
    )
    metadata.operator_class = SENSOR_CLASS
    return get_airflow_task(metadata, dag, task_group=task_group)
