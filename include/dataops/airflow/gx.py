"""The GX validation task: the GX provider's checkpoint operator, configured for the marts checkpoint.

The DAG imports this file at parse time, so nothing here imports great_expectations, its provider
or pandas at module level; the checkpoint is built, and the data fetched, when the task runs.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from include.dataops.gx.checkpoint import build_marts_checkpoint
from include.dataops.gx.results import GxCheckError
from include.dataops.settings import Settings, load_settings

if TYPE_CHECKING:
    from airflow.sdk import BaseOperator
    from great_expectations import Checkpoint
    from great_expectations.data_context import AbstractDataContext

log = logging.getLogger(__name__)


def gx_validate_marts_task(
    settings: Settings | None = None,
    task_id: str = "gx_validate_marts",
    run_date_task_id: str = "resolve_run_date",
    **operator_kwargs: Any,
) -> BaseOperator:
    """The GX provider's checkpoint operator, configured for the marts checkpoint.

    It validates the day the `run_date_task_id` task resolved, so GX checks exactly the day every
    other task of the run processed, and the marts in that task's `audit_schema` (where this run's
    dbt built them, before publish; the consumer schema when the key is absent). History always
    comes from the consumer schema, which holds only published days.

    The operator fails the task when an expectation fails, after the checkpoint's actions
    published the summary, so a quality gate with trigger_rule="all_done" can still name every
    failed check (``load_gx_result``). Retries come from the DAG's default_args (the house rule),
    for errors that can pass, such as a warehouse or S3 outage; a failed validation is a verdict on
    the data, which a retry cannot change, so it fails the task at once (AirflowFailException).
    """
    from great_expectations_provider.common.errors import GXValidationFailed
    from great_expectations_provider.operators.validate_checkpoint import GXValidateCheckpointOperator

    # Defined here, not at module level, so that importing this module never imports the provider.
    class GXValidateMartsOperator(GXValidateCheckpointOperator):
        def execute(self, context: Any) -> None:
            from airflow.sdk.exceptions import AirflowFailException

            try:
                super().execute(context)
            except GXValidationFailed as failed:
                raise AirflowFailException(str(failed)) from failed

    return GXValidateMartsOperator(
        task_id=task_id,
        configure_checkpoint=CheckpointFromTaskContext(settings or load_settings(), run_date_task_id),
        context_type="ephemeral",
        **operator_kwargs,
    )


@dataclass(frozen=True)
class CheckpointFromTaskContext:
    """A picklable callable the operator calls at execute time with its GX context."""

    settings: Settings
    run_date_task_id: str

    def __call__(self, context: AbstractDataContext) -> Checkpoint:
        from airflow.sdk import get_current_context

        resolved = get_current_context()["ti"].xcom_pull(task_ids=self.run_date_task_id)
        if not resolved or not resolved.get("run_date"):
            raise GxCheckError(
                f"task {self.run_date_task_id!r} left no run date: "
                "run GX downstream of it, in the same DAG run."
            )
        consumer = self.settings.warehouse.schema
        marts_schema = resolved.get("audit_schema") or consumer
        log.info("GX: %s in schema %s, history from %s", resolved["run_date"], marts_schema, consumer)
        return build_marts_checkpoint(
            context, self.settings, resolved["run_date"], marts_schema=marts_schema, history_schema=consumer
        )
