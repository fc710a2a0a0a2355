"""What every DAG in this repository shares: owner, retries, and the failure alert.

The settings file is read at parse time: a small file shipped beside the DAGs, read once per
process, with no network, Variables or Connections (tests/dags proves it).
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from airflow.sdk import Context

from include.dataops.settings import load_settings

OWNER = "data-platform"
log = logging.getLogger(__name__)

FAILURE_MESSAGE = (
    "FAILED: {{ dag.dag_id }}.{{ ti.task_id }} (run {{ run_id }}, try {{ ti.try_number }}).\n"
    "{{ exception | default('') | string | truncate(600) }}\n"
    "Log: {{ ti.log_url }}"
)


def notify_failure(context: Context) -> None:
    """Send an SNS alert to this environment's alerts topic, naming the task and the error.

    The amazon provider's SnsNotifier does the work; it is built here, when a task fails, rather
    than at parse time, because importing the provider costs every DAG file a few tenths of a second.
    """
    from airflow.providers.amazon.aws.notifications.sns import SnsNotifier

    settings = load_settings()
    SnsNotifier(
        aws_conn_id=settings.aws_conn_id,
        region_name=settings.aws_region,
        target_arn=settings.alerts_topic_arn,
        subject="[{{ dag.dag_id }}] task failed: {{ ti.task_id }}",
        message=FAILURE_MESSAGE,
    )(context)


def record_stage_duration(context: Context) -> None:
    """Publish the task's duration as the StageDuration metric (dimension Stage = task id).

    Best effort: a metrics outage must not fail a task whose work is done, so it only logs.
    """
    from datetime import UTC, datetime

    from include.dataops.observability.metrics import publish_run_metrics

    ti = context["ti"]
    try:
        seconds = (datetime.now(UTC) - ti.start_date).total_seconds()
        publish_run_metrics(load_settings(), stage_durations={ti.task_id: seconds})
    except Exception as err:
        log.warning("StageDuration for %s not published: %s", ti.task_id, err)


def default_args(**overrides: Any) -> dict[str, Any]:
    """Owner, retries and the failure alert; retry counts and delays are per-environment settings."""
    retries = load_settings().retries
    args: dict[str, Any] = {
        "owner": OWNER,
        "retries": retries.count,
        "retry_delay": timedelta(seconds=retries.delay_seconds),
        "retry_exponential_backoff": True,
        "on_failure_callback": notify_failure,
        "on_success_callback": record_stage_duration,
    }
    args.update(overrides)
    return args
